"""Mail over STARTTLS verifies the server's certificate: an unknown authority is refused (and nothing is sent),
a certificate from the authority in MAIL_CA_FILE is accepted."""
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller

from app import mail
from tests.functional.invitations.support import Inbox, free_port


@pytest.fixture
def tls_server(tmp_path):
    """An SMTP server on 127.0.0.1 offering STARTTLS with a self-signed certificate made for 127.0.0.1."""
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True)
    controller.start()
    yield controller, inbox, cert
    controller.stop()


def _configure(app, controller, ca_file=None):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=True, MAIL_CA_FILE=ca_file)


def test_a_server_whose_certificate_no_known_authority_signed_is_refused(app, tls_server):
    controller, inbox, _ = tls_server
    _configure(app, controller)
    with pytest.raises(mail.MailNotSent, match="CERTIFICATE_VERIFY_FAILED"):
        mail.send("eve@camden.gov.uk", "Hello", "Not to be sent to an unverified server.")
    assert inbox.messages == []


def test_a_server_whose_certificate_the_configured_authority_signed_is_used(app, tls_server):
    controller, inbox, cert = tls_server
    _configure(app, controller, ca_file=str(cert))
    mail.send("eve@camden.gov.uk", "Hello", "Sent over a verified connection.")
    assert [m["Subject"] for m in inbox.messages] == ["Hello"]
