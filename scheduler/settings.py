"""The scheduler's settings, read from the application's configuration (app.py Config: QUYTRINH_* variables).

`config_values` keeps only plain values, so APScheduler jobs can take them as
arguments (jobs hold no objects, no truth: see scheduler/jobs.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.delivery import DeliverySettings
from scheduler.mail import MailSettings
from scheduler.quiet import parse_window
from scheduler.smtp import SmtpSettings
from scheduler.stages import ReminderPolicy

KEYS = (
    "DATABASE_URL", "BASE_URL", "MAIL_FROM", "SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USER",
    "SMTP_PASSWORD", "SMTP_CA_FILE", "REMINDER_DAYS_BEFORE", "REMINDER_OVERDUE_EVERY_DAYS", "MAIL_MAX_ATTEMPTS",
    "MAIL_RETRY_BASE_SECONDS", "MAIL_RETRY_MAX_SECONDS", "MAIL_LEASE_SECONDS", "SCHEDULER_SCAN_MINUTES",
    "SCHEDULER_DELIVER_SECONDS", "ESCALATE_AFTER_DAYS", "QUIET_HOURS",
)


@dataclass(frozen=True)
class SchedulerSettings:
    database_url: str
    mail: MailSettings
    smtp: SmtpSettings
    delivery: DeliverySettings
    policy: ReminderPolicy
    scan_minutes: int = 5
    deliver_seconds: int = 30
    escalate_after_days: int = 5  # working days overdue before the level above is told (0: never)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SchedulerSettings:
        """Build and check the settings; a ValueError names the setting that is wrong."""
        def get(key: str, default: Any) -> Any:
            value = config.get(key)
            return default if value is None or value == "" else value

        def number(key: str, default: int, minimum: int = 1) -> int:
            try:
                value = int(get(key, default))
            except (TypeError, ValueError):
                raise ValueError(f"{key}: expected a whole number, got {config.get(key)!r}") from None
            if value < minimum:
                raise ValueError(f"{key}: must be at least {minimum}")
            return value

        mail_from = str(get("MAIL_FROM", "quytrinh@localhost"))
        return cls(
            database_url=str(config["DATABASE_URL"]),
            mail=MailSettings(base_url=str(get("BASE_URL", "http://127.0.0.1:5000")), mail_from=mail_from),
            smtp=SmtpSettings(
                host=get("SMTP_HOST", None), port=number("SMTP_PORT", 25), security=str(get("SMTP_SECURITY", "none")),
                user=get("SMTP_USER", None), password=get("SMTP_PASSWORD", None), mail_from=mail_from,
                ca_file=get("SMTP_CA_FILE", None)),
            delivery=DeliverySettings(
                max_attempts=number("MAIL_MAX_ATTEMPTS", 8), retry_base_seconds=number("MAIL_RETRY_BASE_SECONDS", 60),
                retry_max_seconds=number("MAIL_RETRY_MAX_SECONDS", 3600),
                lease_seconds=number("MAIL_LEASE_SECONDS", 600), quiet_window=parse_window(get("QUIET_HOURS", None))),
            policy=ReminderPolicy.parse(get("REMINDER_DAYS_BEFORE", "10,3,0"), get("REMINDER_OVERDUE_EVERY_DAYS", 7)),
            scan_minutes=number("SCHEDULER_SCAN_MINUTES", 5),
            deliver_seconds=number("SCHEDULER_DELIVER_SECONDS", 30),
            escalate_after_days=number("ESCALATE_AFTER_DAYS", 5, minimum=0),
        )


def config_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The scheduler's part of a configuration, as plain values."""
    return {key: config.get(key) for key in KEYS if config.get(key) is not None}
