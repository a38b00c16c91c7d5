"""Sending over SMTP: plain, STARTTLS or SSL, with an optional login, one connection reused per run."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

SECURITY_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 25
    security: str = "none"
    user: str | None = None
    password: str | None = None
    mail_from: str = "quytrinh@localhost"
    timeout: float = 30.0
    ca_file: str | None = None  # a private CA to trust for the server's certificate (else the system's)

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {self.security!r}")
        if not 0 < int(self.port) < 65536:
            raise ValueError(f"SMTP_PORT must be a port number, not {self.port!r}")

    @property
    def configured(self) -> bool:
        """No host: mail is kept in the outbox (status held), never thrown away."""
        return bool(self.host)


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


def build_message(settings: SmtpSettings, *, to: str, subject: str, text: str, html: str | None,
                  message_id: str, date: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


class SmtpTransport:
    """One SMTP session, opened on first use and reopened after a dropped connection."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                conn.starttls(context=self._tls())
        if s.user:
            conn.login(s.user, s.password or "")
        return conn

    def _tls(self) -> ssl.SSLContext:
        """Certificate and host name verified, always; against a private CA when one is configured."""
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def send(self, msg: EmailMessage) -> None:
        """Hand one message to the server; PermanentFailure for a 5xx refusal, other errors are transient."""
        if self._conn is None:
            self._conn = self._connect()
        try:
            refused = self._conn.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            code = getattr(exc, "smtp_code", None)
            if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
                code = min(c for c, _ in exc.recipients.values())
            if code is not None and 500 <= code < 600:
                raise PermanentFailure(f"{code} {exc}") from exc
            raise
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise
        if refused:  # single recipient: refused means none accepted
            raise PermanentFailure(f"refused: {refused}")

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except Exception:  # noqa: BLE001 — closing a broken connection may fail any way it likes
                self._conn.close()
            self._conn = None
