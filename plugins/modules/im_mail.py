#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: im_mail
short_description: Send a licence report or a licence adjustment's result by email
version_added: 1.1.0
description:
  - Sends one message over SMTP - a plain-text body, optionally an HTML version of it, and attachments (for example the
    licence report's CSV or a licence adjustment's audit files) - to the people who read them.
  - The connection is encrypted by default (STARTTLS on port 587) and the server's certificate is verified. With
    O(username), the message is sent after logging in; the password is never shown, even at C(-vvvv).
  - Every server setting can come from an E(SMTP_*) environment variable instead, which is how the collection's AWX
    credential type passes them to a job.
  - The C(ingrammicro.marketplace.license_report) and C(ingrammicro.marketplace.license_adjustment) roles use this
    module when their C(_mail_to) variable is set.
  - This module does not talk to the Marketplace API, so it is not part of the C(group/ingrammicro.marketplace.all)
    action group; set its defaults with C(module_defaults) for C(ingrammicro.marketplace.im_mail).
author:
  - Ingram Micro Marketplace collection maintainers (@ingrammicro)
attributes:
  check_mode:
    description: In check mode nothing is sent; the task returns the message it would send, with RV(sent=false).
    support: full
  diff_mode:
    description: Sending a message has nothing to compare, so there is no diff.
    support: none
options:
  to:
    description:
      - The recipients, as V(finance@example.com) or V(Finance <finance@example.com>).
    type: list
    elements: str
    required: true
  cc:
    description: Recipients in copy.
    type: list
    elements: str
  sender:
    description:
      - The sender address (C(From)).
      - Required. If not set here, the E(SMTP_FROM) environment variable is used.
    type: str
  subject:
    description: The subject line.
    type: str
    required: true
  body:
    description: The message in plain text (what a mail program shows without HTML).
    type: str
    required: true
  html:
    description: The same message as an HTML page, shown instead of O(body) by mail programs that show HTML.
    type: str
  attachments:
    description: Files to attach.
    type: list
    elements: dict
    suboptions:
      path:
        description: A file to attach, read on the host the task runs on. Give O(attachments[].path) or O(attachments[].content).
        type: path
      content:
        description: The text of the attachment, for one that is not a file. Needs O(attachments[].filename).
        type: str
      filename:
        description: The name the recipient sees. Defaults to the file name of O(attachments[].path).
        type: str
      content_type:
        description: The MIME type, for example V(text/csv). Guessed from the file name when not given.
        type: str
  host:
    description:
      - The SMTP server.
      - Required. If not set here, the E(SMTP_HOST) environment variable is used.
    type: str
  port:
    description:
      - The SMTP port. Defaults to 587 with O(security=starttls), 465 with O(security=tls) and 25 with O(security=none).
      - If not set here, the E(SMTP_PORT) environment variable is used.
    type: int
  security:
    description:
      - How the connection is encrypted. V(starttls) upgrades a plain connection (port 587), V(tls) is encrypted from
        the start (port 465), V(none) is not encrypted and refuses to send a password.
      - If not set here, the E(SMTP_SECURITY) environment variable is used.
    type: str
    choices: [starttls, tls, none]
    default: starttls
  username:
    description:
      - The user to log in as. Without it, the message is sent without logging in.
      - If not set here, the E(SMTP_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set here, the E(SMTP_PASSWORD) environment variable is used, or else the content of the file named by
        E(SMTP_PASSWORD_FILE) (how the AWX credential type passes it, so it is not in the environment).
    type: str
  ca_path:
    description:
      - A file of CA certificates (PEM) to verify the server's certificate with, for a server whose certificate a
        private CA signed. By default the system's CA certificates are used.
      - If not set here, the E(SMTP_CA_PATH) environment variable is used.
    type: path
  validate_certs:
    description: Whether to verify the server's certificate. Set to V(false) only for a test server.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the server at each step.
    type: int
    default: 30
notes:
  - A task that fails returns C(failure) - V(invalid_input), V(mail_unreachable) (no connection, or TLS failed),
    V(not_authorised) (the login was refused) or V(mail_refused) (the server refused the sender, a recipient or the
    message) - so a playbook can tell them apart.
  - A server that accepts some recipients and refuses others delivers to those it accepted, and the task fails naming
    the refused ones.
seealso:
  - module: ingrammicro.marketplace.im_report
"""

EXAMPLES = r"""
# The server settings come from SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD (or SMTP_PASSWORD_FILE) and
# SMTP_FROM, as the collection's AWX credential type sets them.
- name: Send a short note
  ingrammicro.marketplace.im_mail:
    to: [licensing@example.com]
    subject: Licence review starts on Monday
    body: The monthly licence review starts on Monday; the report follows.

- name: Send a CSV with an HTML body
  ingrammicro.marketplace.im_mail:
    to: ["Finance <finance@example.com>"]
    cc: [licensing@example.com]
    subject: Seats per customer
    body: "ACME-001: 30 seats of Microsoft 365 E3"
    html: "<p><b>ACME-001</b>: 30 seats of Microsoft 365 E3</p>"
    attachments:
      - filename: seats.csv
        content: "customer,product,seats\nACME-001,Microsoft 365 E3,30\n"
"""

RETURN = r"""
sent:
  description: Whether the message was sent (V(false) in check mode).
  returned: always
  type: bool
  sample: true
message_id:
  description: The C(Message-ID) of the message, to find it in the server's log.
  returned: always
  type: str
  sample: "<171234567890.4242.1234567890@example.com>"
recipients:
  description: Every address the message went to (O(to) and O(cc)).
  returned: always
  type: list
  elements: str
  sample: ["finance@example.com", "licensing@example.com"]
sent_to:
  description:
    - The recipients (O(to) and O(cc), as given) the mail server accepted the message for; empty in check mode.
    - A task can show them, so that the output of a run says where the message went.
  returned: always
  type: list
  elements: str
  sample: ["finance@example.com", "Licensing <licensing@example.com>"]
subject:
  description: The subject line.
  returned: always
  type: str
  sample: Seats per customer
attachments:
  description: The attachments, by name, with their size in bytes.
  returned: always
  type: list
  elements: dict
  sample: [{"filename": "seats.csv", "size": 54}]
"""

import os
from email.utils import getaddresses

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.api._connection import secret_fallback, secret_from_environment
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.mail import _mail

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def smtp_env(option):
    """An argument spec fallback on the option's SMTP_* variable, which counts only when not empty (an AWX credential
    whose optional SMTP fields are blank injects them empty)."""
    def fallback():
        value = os.environ.get(_mail.ENV_VARS[option])
        if not value:
            raise AnsibleFallbackNotFound
        return value
    return (fallback,)


def settings(params):
    """The server settings, checked before anything is sent; each problem names the option and its variable."""
    if params["password"] is None:
        params["password"] = secret_from_environment(_mail.ENV_VARS["password"])  # an unreadable file says so
    for option in ("host", "sender"):
        if not params[option]:
            raise IMConfigError("%s is not set: give %s or the %s environment variable" % (option, option, _mail.ENV_VARS[option]))
    if params["password"] and not params["username"]:
        raise IMConfigError("password is set but username is not: give username (or SMTP_USERNAME) to log in with it")
    if params["username"] and params["security"] == "none":
        raise IMConfigError("security is none, which would send the password of %s unencrypted: use starttls or tls"
                            % params["username"])
    return dict(params, port=params["port"] or DEFAULT_PORTS[params["security"]],
                to=_mail.addresses(params["to"], "to"), cc=_mail.addresses(params["cc"], "cc"),
                sender=_mail.addresses([params["sender"]], "sender")[0])


def accepted(recipients, refused):
    """The ``recipients`` (as given, ``Name <a@b.example>`` or ``a@b.example``) whose address the server did not refuse."""
    refused = {address.lower() for address in refused or {}}
    return [given for given in recipients if getaddresses([given])[0][1].lower() not in refused]


def run(module):
    params = settings(dict(module.params))
    message = _mail.compose(params["sender"], params["to"], params["subject"], params["body"], cc=params["cc"],
                            html=params["html"], attachments=params["attachments"])
    result = {"changed": not module.check_mode, "sent": False, "message_id": message["Message-ID"],
              "recipients": params["to"] + params["cc"], "sent_to": [], "subject": params["subject"],
              "attachments": [{"filename": part.get_filename(), "size": len(part.get_payload(decode=True))}
                              for part in message.iter_attachments()]}
    if module.check_mode:
        return result
    refused = _mail.send(message, params["host"], params["port"], params["security"], params["username"], params["password"],
                         params["ca_path"], params["validate_certs"], params["timeout"])
    result = dict(result, sent=True, sent_to=accepted(result["recipients"], refused))
    if refused:
        module.fail_json(msg="the message went to the other recipients, but the mail server refused %s" % _mail.refusals(refused),
                         failure="mail_refused", **dict(result, changed=True))
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            to=dict(type="list", elements="str", required=True),
            cc=dict(type="list", elements="str"),
            sender=dict(type="str", fallback=smtp_env("sender")),
            subject=dict(type="str", required=True),
            body=dict(type="str", required=True),
            html=dict(type="str"),
            attachments=dict(type="list", elements="dict", options=dict(
                path=dict(type="path"),
                content=dict(type="str"),
                filename=dict(type="str"),
                content_type=dict(type="str"),
            )),
            host=dict(type="str", fallback=smtp_env("host")),
            port=dict(type="int", fallback=smtp_env("port")),
            security=dict(type="str", choices=["starttls", "tls", "none"], default="starttls", fallback=smtp_env("security")),
            username=dict(type="str", fallback=smtp_env("username")),
            password=dict(type="str", no_log=True, fallback=(secret_fallback, ["SMTP_PASSWORD"])),
            ca_path=dict(type="path", fallback=smtp_env("ca_path")),
            validate_certs=dict(type="bool", default=True),
            timeout=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**run(module))
    except IMConfigError as exc:
        module.fail_json(msg=str(exc), failure=exc.code)
    except IMError as exc:
        module.fail_json(msg=str(exc), failure=exc.code, changed=False)


if __name__ == "__main__":
    main()
