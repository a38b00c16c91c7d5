"""Fixtures of the scheduler tests: a real SMTP server on loopback."""
from __future__ import annotations

import pytest

from tests.scheduler.support import SmtpServer


@pytest.fixture
def smtp():
    """aiosmtpd on 127.0.0.1 and a free port, recording every message it accepts."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
