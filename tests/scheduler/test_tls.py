"""SMTP over STARTTLS and SSL with a login, against aiosmtpd with a certificate made for the test."""
from __future__ import annotations

import ssl
import subprocess
from datetime import date

import pytest

from tests.scheduler.support import (
    DUE_AFTER_TET,
    SmtpServer,
    add_deadline,
    deliver,
    local,
    open_case,
    scan,
)


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (openssl), as (cert file, key file)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def _server_context(cert, key) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _logins():
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    return seen, authenticator


def _reminder(runtime, world):
    case = open_case(runtime, world)
    add_deadline(runtime, case.id, due=DUE_AFTER_TET, role="cell_secretary", organisation_id=world.orgs["cell1"])
    scan(runtime, date(2027, 2, 3))


def test_starttls_with_login(runtime, world, certificate):
    """SMTP_SECURITY=starttls: the client upgrades to TLS (verifying the certificate) and logs in over it."""
    cert, key = certificate
    seen, authenticator = _logins()
    server = SmtpServer(tls_context=_server_context(cert, key), require_starttls=True, auth_required=True,
                        authenticator=authenticator)
    server.start()
    try:
        _reminder(runtime, world)
        settings = server.settings(security="starttls", user="mailer", password="s3cret", ca_file=str(cert))
        assert deliver(runtime, local(date(2027, 2, 3), 9), settings).sent == 1
        assert seen == [(b"mailer", b"s3cret")] and len(server.messages) == 1
    finally:
        server.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_ssl_with_login(runtime, world, certificate):
    """SMTP_SECURITY=ssl: TLS from the first byte, then the login and the mail."""
    cert, key = certificate
    seen, authenticator = _logins()
    # aiosmtpd does not count an implicit-TLS connection as TLS for AUTH: the channel is encrypted all the same.
    server = SmtpServer(ssl_context=_server_context(cert, key), auth_required=True, authenticator=authenticator,
                        auth_require_tls=False)
    server.start()
    try:
        _reminder(runtime, world)
        settings = server.settings(security="ssl", user="mailer", password="s3cret", ca_file=str(cert))
        assert deliver(runtime, local(date(2027, 2, 3), 9), settings).sent == 1
        assert seen == [(b"mailer", b"s3cret")]
    finally:
        server.stop()


def test_an_untrusted_certificate_is_not_accepted(runtime, world, certificate):
    """Without the CA configured, the self-signed certificate is refused: the mail waits for a retry, unsent."""
    cert, key = certificate
    server = SmtpServer(tls_context=_server_context(cert, key), require_starttls=True)
    server.start()
    try:
        _reminder(runtime, world)
        result = deliver(runtime, local(date(2027, 2, 3), 9), server.settings(security="starttls"))
        assert (result.sent, result.retried) == (0, 1)
        assert server.messages == []
    finally:
        server.stop()
