# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mail delivery of reports and results (the im_mail module). Private to this collection.

Python's own ``email`` and ``smtplib`` do the work: a message with a plain-text body, an optional HTML alternative and
attachments, sent over STARTTLS or TLS with the server's certificate verified, and authenticated when a user is given.
"""

from __future__ import annotations

import mimetypes
import os
import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError

# The option each SMTP_* environment variable sets, as the AWX credential type injects them. The password may also
# come from the file named by SMTP_PASSWORD_FILE, so that it is not in the job's environment.
ENV_VARS = {
    "host": "SMTP_HOST",
    "port": "SMTP_PORT",
    "security": "SMTP_SECURITY",
    "username": "SMTP_USERNAME",
    "password": "SMTP_PASSWORD",
    "sender": "SMTP_FROM",
    "ca_path": "SMTP_CA_PATH",
}
SECURITY = ("starttls", "tls", "none")
ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def addresses(value, option):
    """The bare addresses of ``value`` (a list of ``Name <a@b.example>`` or ``a@b.example``); an invalid one names
    ``option`` and what was given."""
    found = []
    for given in value or []:
        parsed = getaddresses([str(given)])
        if len(parsed) != 1 or not ADDRESS.match(parsed[0][1]):
            raise IMConfigError("%s: %r is not a mail address such as finance@example.com" % (option, str(given)))
        found.append(str(given).strip())
    return found


def compose(sender, to, subject, body, cc=(), html=None, attachments=()):
    """The message: ``body`` as plain text, ``html`` as its alternative, then each attachment (a dict with ``path``, or
    ``filename`` and ``content``; the type is guessed from the file name unless ``content_type`` is given)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">"))
    message.set_content(body or "")
    if html:
        message.add_alternative(html, subtype="html")
    for number, attachment in enumerate(attachments or [], start=1):
        filename, data = _attachment(number, attachment)
        kind = attachment.get("content_type") or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _attachment(number, attachment):
    where = "attachments line %d" % number
    path, content = attachment.get("path"), attachment.get("content")
    if (path is None) == (content is None):
        raise IMConfigError("%s: give either path (a file) or content (with filename)" % where)
    if path is not None:
        try:
            with open(os.path.expanduser(path), "rb") as handle:
                return attachment.get("filename") or os.path.basename(path), handle.read()
        except OSError as exc:
            raise IMConfigError("%s: cannot read %s: %s" % (where, path, exc.strerror or exc)) from None
    if not attachment.get("filename"):
        raise IMConfigError("%s: content needs a filename (the name the recipient sees)" % where)
    return attachment["filename"], content.encode("utf-8")


def send(message, host, port, security, username=None, password=None, ca_path=None, validate_certs=True, timeout=30):
    """Send ``message`` to its To and Cc recipients. Every failure is an ``IMError`` whose ``code`` says which kind:
    ``mail_unreachable`` (no connection, no TLS), ``not_authorised`` (login refused) or ``mail_refused`` (the server
    refused the sender, a recipient or the message). The password is never part of a message."""
    context = ssl.create_default_context(cafile=ca_path) if ca_path else ssl.create_default_context()
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    where = "the mail server %s:%s" % (host, port)
    try:
        if security == "tls":
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=context)
            if username:
                server.login(username, password or "")
            refused = server.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise IMError("%s refused the login of %s: %s %s" % (where, username, exc.smtp_code, _text(exc.smtp_error)),
                      code="not_authorised") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise IMError("%s does not offer %s: %s; set security (SMTP_SECURITY) to what the server offers"
                      % (where, "STARTTLS" if security == "starttls" else "authentication", exc), code="mail_unreachable") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise IMError("%s refused every recipient: %s" % (where, refusals(exc.recipients)), code="mail_refused") from None
    except smtplib.SMTPResponseException as exc:
        raise IMError("%s refused the message: %s %s" % (where, exc.smtp_code, _text(exc.smtp_error)), code="mail_refused") from None
    except ssl.SSLError as exc:
        raise IMError("%s: TLS failed (%s); check ca_path (SMTP_CA_PATH) or security" % (where, exc.reason or exc),
                      code="mail_unreachable") from None
    except (OSError, smtplib.SMTPException) as exc:
        reason = "timed out after %ss" % timeout if isinstance(exc, socket.timeout) else (getattr(exc, "strerror", None) or exc)
        raise IMError("cannot reach %s: %s" % (where, reason), code="mail_unreachable") from None
    return refused


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def refusals(recipients):
    return ", ".join("%s (%s %s)" % (address, code, _text(text)) for address, (code, text) in sorted(recipients.items()))
