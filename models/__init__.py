"""Storage: typed SQLAlchemy 2.0 tables and the session factory. Imports nothing of the project."""
from .base import Base, utcnow
from .cases import Case, Comment, Deadline, Document, Event, Vote
from .db import make_engine, make_session_factory, write_connection, write_transaction
from .ops import AuditRecord, CalendarOverride, Incident, LoginAttempt, OutboxMessage
from .organisations import ApiToken, Organisation, RoleAssignment, User, ORGANISATION_KINDS, ROLES
from .people import EDUCATION_LEVELS, GENDERS, MEMBERSHIP_STATUSES, Person

__all__ = [
    "ApiToken", "AuditRecord", "Base", "CalendarOverride", "Case", "Comment", "Deadline",
    "Document", "EDUCATION_LEVELS", "Event", "GENDERS", "Incident", "LoginAttempt",
    "MEMBERSHIP_STATUSES", "ORGANISATION_KINDS", "Organisation", "OutboxMessage", "Person",
    "ROLES", "RoleAssignment", "User", "Vote", "make_engine", "make_session_factory",
    "utcnow", "write_connection", "write_transaction",
]
