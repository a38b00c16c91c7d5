"""QUYTRINH_DATABASE_READ_URL: reports and exports read from the replica, decisions and audit go to the primary."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import AuditRecord, make_engine
from models.transfer import copy_rows
from tests.conftest import _alembic_upgrade
from tests.ops.test_backup_restore import new_pg_database
from tests.web.support import admission_case
from workflows.reports.pages import report_summary, statistics_page


def _replica_of(db_url: str, dialect: str, tmp_path, stack) -> str:
    """A second database standing in for a streaming replica: a copy of the primary as of now."""
    url = f"sqlite:///{tmp_path / 'replica.db'}" if dialect == "sqlite" else stack.enter_context(new_pg_database())
    _alembic_upgrade(url)
    source, target = make_engine(db_url), make_engine(url)
    copy_rows(source, target)
    source.dispose()
    target.dispose()
    return url


def test_reports_read_the_replica_and_audit_the_primary(db_url, dialect, runtime, world, clock, tmp_path):
    """A decision on the primary not yet on the replica is not counted; the report's read is audited on the primary."""
    from contextlib import ExitStack

    from app import TestConfig, create_app

    with ExitStack() as stack:
        replica = _replica_of(db_url, dialect, tmp_path, stack)
        admission_case(runtime, world, "cell1", until="admitted")  # on the primary only: the replica lags
        app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                          "DATABASE_URL": db_url, "DATABASE_READ_URL": replica, "SECRET_KEY": "t" * 40,
                          "CLOCK": clock, "INSTANCE_PATH": str(tmp_path / "instance")})
        rt = app.extensions["quytrinh"]
        year = dict(organisation_id=world.orgs["province"], date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
        assert report_summary(rt, actor_id=world.users["standing_province"], **year)["admitted"] == 0
        assert report_summary(runtime, actor_id=world.users["standing_province"], **year)["admitted"] == 1
        with runtime.session_factory() as s:
            before = s.scalar(select(func.count(AuditRecord.id)))
        statistics_page(rt, actor_id=world.users["standing_province"], **year)
        with runtime.session_factory() as s:
            assert s.scalar(select(func.count(AuditRecord.id))) == before + 1
        app.extensions["quytrinh.engine"].dispose()
        rt.read_session_factory.kw["bind"].dispose()
