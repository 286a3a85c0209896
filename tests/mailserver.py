"""A real SMTP server for the tests, on 127.0.0.1: STARTTLS with a certificate of a CA made for the test run (trustme),
and authentication required (aiosmtpd). Every message it accepts is kept, parsed, for the test to read.

    with MailServer() as server:
        ...  # send through server.environment() (the SMTP_* variables the AWX credential type sets)
        message = server.wait_for(1)[0]
"""

import email
import email.policy
import os
import socket
import ssl
import tempfile
import threading
import time

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "reports@mail.example"
PASSWORD = "Smtp-Secret!7731"  # must never appear in any output


class _Inbox:
    def __init__(self):
        self.messages = []
        self.envelopes = []
        self.refuse = 0  # the next this many messages (to refuse_to, when set) are refused: a server busy for a while
        self.refuse_to = None
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        with self.lock:
            if self.refuse > 0 and (self.refuse_to is None or self.refuse_to in envelope.rcpt_tos):
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Mail server busy, try again later"
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.envelopes.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "tls": session.ssl is not None,
                                   "login": getattr(session, "auth_data", None)})
            self.messages.append(parsed)
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USERNAME and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self):
        self.inbox = _Inbox()
        self.directory = tempfile.mkdtemp(prefix="mailserver-")
        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        self.ca_path = os.path.join(self.directory, "ca.pem")
        authority.cert_pem.write_to_path(self.ca_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, tls_context=context, require_starttls=True,
                                     auth_required=True, auth_require_tls=True, authenticator=_authenticate)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def environment(self, sender="Licensing <licensing@msp.example>"):
        """The SMTP_* variables for this server, the password as a private file (as the AWX credential type passes it)."""
        password_file = os.path.join(self.directory, "password")
        with open(os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            handle.write(PASSWORD)
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_USERNAME": USERNAME, "SMTP_PASSWORD_FILE": password_file,
                "SMTP_FROM": sender, "SMTP_CA_PATH": self.ca_path}

    def clear(self):
        with self.inbox.lock:
            del self.inbox.messages[:]
            del self.inbox.envelopes[:]
            self.inbox.refuse = self.inbox.refused = 0
            self.inbox.refuse_to = None

    def refuse_next(self, count, to=None):
        """Refuse the next ``count`` messages (to the address ``to``, when given) with a temporary failure (451), then
        accept again."""
        with self.inbox.lock:
            self.inbox.refuse, self.inbox.refuse_to = count, to

    def wait_for(self, count, timeout=20):
        """The messages received once there are ``count`` (fails after ``timeout`` seconds with fewer)."""
        deadline = time.monotonic() + timeout
        while len(self.inbox.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError("%d message(s) received, %d expected" % (len(self.inbox.messages), count))
            time.sleep(0.05)
        return list(self.inbox.messages)
