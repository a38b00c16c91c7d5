"""Storage: typed SQLAlchemy 2.0 tables and the session factory. Imports nothing of the project."""
from models.base import Base, utcnow
from models.cases import Case, Comment, Deadline, Document, Event, Vote
from models.db import (
    make_engine,
    make_session_factory,
    write_connection,
    write_transaction,
)
from models.ops import (
    AuditRecord,
    CalendarOverride,
    Incident,
    LoginAttempt,
    OutboxMessage,
)
from models.organisations import (
    ORGANISATION_KINDS,
    ROLES,
    ApiToken,
    Organisation,
    RoleAssignment,
    User,
)
from models.people import EDUCATION_LEVELS, GENDERS, MEMBERSHIP_STATUSES, Person
from models.signin import AccountSecurity, RateCounter, RecoveryCode, WebSession  # issue 14: sign-in security

__all__ = [
    "ApiToken", "AuditRecord", "Base", "CalendarOverride", "Case", "Comment", "Deadline",
    "Document", "EDUCATION_LEVELS", "Event", "GENDERS", "Incident", "LoginAttempt",
    "MEMBERSHIP_STATUSES", "ORGANISATION_KINDS", "Organisation", "OutboxMessage", "Person",
    "ROLES", "RoleAssignment", "User", "Vote", "make_engine", "make_session_factory",
    "utcnow", "write_connection", "write_transaction",
    "AccountSecurity", "RateCounter", "RecoveryCode", "WebSession",
]
