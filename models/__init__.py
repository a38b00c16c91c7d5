"""Storage: typed SQLAlchemy 2.0 tables and the session factory. Imports nothing of the project."""
from types import ModuleType as _ModuleType

from models.base import Base, utcnow
from models.cases import Case, Comment, Deadline, Document, Event, Vote
from models.forms import FormNumber, FormNumberCounter, IssuedForm
from models.db import (
    make_engine,
    make_session_factory,
    write_connection,
    write_transaction,
)
from models.monitoring import JobRun
from models.notifications import CHANNELS as CHANNELS_OF_NOTIFICATIONS
from models.notifications import (
    CalendarFeed,
    FanOutCursor,
    Notification,
    NotificationPreference,
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
from models.imports import ImportChange, ImportRun  # issue 16
from models.people import EDUCATION_LEVELS, GENDERS, MEMBERSHIP_STATUSES, Person
from models.record import ChainHead  # the tamper-evident record (issue 14)
from models.search import DecisionNumber, PersonNameWord  # search keys (issue 13, migration 0012)
from models.tallies import DecisionTally  # the yearly statistics kept by the transition (issue 18, migration 0019)
from models.signin import AccountSecurity, RateCounter, RecoveryCode, WebSession  # issue 14: sign-in security

# Everything imported above is this package's interface (computed, so adding a model is one import line).
__all__ = sorted(name for name, value in globals().items()
                 if not name.startswith("_") and not isinstance(value, _ModuleType))
