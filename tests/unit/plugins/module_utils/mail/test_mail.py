"""_mail over a real SMTP server on 127.0.0.1 (STARTTLS, login required): the kinds of failure a user can tell apart,
and the role rules of the mail variables."""

import os
import socket
import sys

import pytest

from ansible_collections.ingrammicro.marketplace.plugins.module_utils.base._errors import IMConfigError, IMError
from ansible_collections.ingrammicro.marketplace.plugins.module_utils.mail import _mail
from ansible_collections.ingrammicro.marketplace.plugins.plugin_utils import _role_rules

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))))
from tests.mailserver import PASSWORD, USERNAME, MailServer  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def server():
    with MailServer() as running:
        yield running


def message(**given):
    return _mail.compose("Licensing <licensing@msp.example>", ["finance@msp.example"], "Seats", "30 seats", **given)


def send(server, **given):
    settings = dict(host="127.0.0.1", port=server.port, security="starttls", username=USERNAME, password=PASSWORD,
                    ca_path=server.ca_path, timeout=5)
    settings.update(given)
    return _mail.send(message(), **settings)


def test_a_message_is_sent_over_starttls_after_logging_in(server):
    server.clear()
    assert send(server) == {}
    (received,) = server.wait_for(1)
    assert received["Subject"] == "Seats" and server.inbox.envelopes[0]["tls"] is True


def test_each_failure_has_its_kind_and_never_the_password(server):
    with pytest.raises(IMError) as refused:
        send(server, password="wrong-password")
    assert refused.value.code == "not_authorised" and "wrong-password" not in str(refused.value)
    assert str(refused.value).startswith("the mail server 127.0.0.1:%d refused the login of %s: 535" % (server.port, USERNAME))

    with pytest.raises(IMError, match=r"TLS failed .*; check ca_path \(SMTP_CA_PATH\) or security") as untrusted:
        send(server, ca_path=None)  # the test CA is not among the system's
    assert untrusted.value.code == "mail_unreachable"

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(IMError, match=r"^cannot reach the mail server 127.0.0.1:%d: " % port) as unreachable:
        send(server, port=port)
    assert unreachable.value.code == "mail_unreachable"

    with pytest.raises(IMError) as no_login:
        send(server, username=None)  # this server requires a login
    assert no_login.value.code == "mail_refused" and "530" in str(no_login.value)


def test_attachments_need_a_file_or_content_with_a_name(tmp_path):
    with pytest.raises(IMConfigError, match=r"^attachments line 2: content needs a filename"):
        message(attachments=[{"filename": "a.csv", "content": "a"}, {"content": "b"}])
    with pytest.raises(IMConfigError, match=r"^attachments line 1: cannot read .*missing.csv: No such file"):
        message(attachments=[{"path": str(tmp_path / "missing.csv")}])
    (tmp_path / "seats.csv").write_text("a,b\n1,2\n")
    sent = message(attachments=[{"path": str(tmp_path / "seats.csv")}])
    assert [(part.get_filename(), part.get_content_type()) for part in sent.iter_attachments()] == [("seats.csv", "text/csv")]


def test_role_mail_variables_name_the_variable_and_the_fix():
    problems, recipients = _role_rules.mail({"license_report_mail_to": "a@msp.example, Finance <f@msp.example>"}, "license_report",
                                            environment={"SMTP_HOST": "smtp.msp.example", "SMTP_FROM": "r@msp.example"})
    assert problems == [] and recipients == ["a@msp.example", "Finance <f@msp.example>"]
    assert _role_rules.mail({"license_report_mail_to": []}, "license_report", environment={}) == ([], [])  # no mail, no settings needed
    problems, _recipients = _role_rules.mail({"license_adjustment_mail_to": ["a@msp.example"], "license_adjustment_smtp": {"pasword": "x"},
                                              "license_adjustment_mail_from": "nobody"}, "license_adjustment", environment={})
    assert [problem["message"] for problem in problems] == [
        "license_adjustment_smtp: unknown key pasword (the keys are host, port, security, username, password, ca_path, validate_certs)",
        "license_adjustment_mail_to is set, but no mail server is: set license_adjustment_smtp.host or the SMTP_HOST environment variable",
        "license_adjustment_mail_from: 'nobody' is not a mail address such as finance@example.com",
    ]
    problems, _recipients = _role_rules.mail({"license_report_mail_to": {"to": "a"}}, "license_report", environment={})
    assert problems[0]["message"].startswith("license_report_mail_to must be a list of mail addresses")
