"""The import use case: read the file, check every row, write everything or nothing (docs/import.md).

One transaction: organisations first (parents before children), then members in
chunks. Any error, or a dry run, rolls the whole transaction back — the counts
of a dry run are those of the real run, because it is the real run, undone.
A committed run leaves an `import_runs` row and an audit record saying who
imported which file; each changed organisation or person has its own.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from models import ImportRun, write_transaction
from workflows.directory.directory import ALLOWED_PARENTS
from workflows.domain.errors import Forbidden, QuytrinhError
from workflows.engine.access import load_actor
from workflows.engine.audit import record_audit
from workflows.engine.runtime import Runtime
from workflows.imports import organisations
from workflows.imports.cases import CaseImport
from workflows.imports.layout import CASES, MEMBERS, ORGANISATIONS, RowError
from workflows.imports.members import MemberCounts, MemberImport
from workflows.imports.reading import FILE, FileRejected, read_upload
from workflows.imports.scope import Journal, Scope

MAX_REPORTED = 5000  # errors listed in a report; the count says how many there were in all
RUNS = ImportRun.__table__
Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    dry_run: bool = False
    organisations: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)  # paper cases: created, unchanged, deadlines opened
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.errors_total == 0

    def summary(self) -> str:
        """The last line of `import-members` (api.md, «Additions»)."""
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged} errors={self.errors_total}"

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [e.as_dict() for e in self.errors], "errors_total": self.errors_total,
                "dry_run": self.dry_run, "organisations": self.organisations, "members": self.members,
                "cases": self.cases,
                "import_id": self.run_id}


class ImportRejected(QuytrinhError):
    """The file has errors and was not imported (nothing written); `report` lists them row by row."""

    code = "invalid_input"

    def __init__(self, report: ImportReport):
        n = report.errors_total
        super().__init__(f"Tệp có {n} lỗi nên chưa nhập gì; sửa các dòng được liệt kê rồi nhập lại.",
                         f"The file has {n} error(s); nothing was imported.",
                         {"errors": [e.as_dict() for e in report.errors], "errors_total": n})
        self.report = report


class _Undo(Exception):
    """Leaves the transaction by rolling it back (errors, or a dry run)."""


def _report(errors: list[RowError], dry_run: bool) -> ImportReport:
    return ImportReport(errors=errors[:MAX_REPORTED], errors_total=len(errors), dry_run=dry_run)


def require_importer(rt: Runtime, actor_id: int) -> None:
    """Forbidden unless the actor may import somewhere (an administrator, an organisation officer)."""
    with rt.session_factory() as session:
        if Scope.of(load_actor(session, actor_id), rt.clock.now()) is None:
            raise Forbidden("Chỉ quản trị hệ thống hoặc cán bộ tổ chức mới được nhập dữ liệu.",
                            "Only a system administrator or an organisation officer may import.")


def run_import(rt: Runtime, *, actor_id: int, data: bytes, filename: str = "", dry_run: bool = False,
               progress: Progress | None = None, remote_addr: str | None = None) -> ImportReport:
    """Import a workbook; the report of a dry run or of a committed run. Errors and not a dry run:
    ImportRejected (nothing written). Someone who may import nowhere: Forbidden."""
    require_importer(rt, actor_id)
    try:
        tables = read_upload(data, filename)
    except FileRejected as exc:
        report = _report(exc.errors, dry_run)
        if dry_run:
            return report
        raise ImportRejected(report) from None
    total = sum(t.total for t in tables.values())
    tell = progress or (lambda done, total: None)
    report = ImportReport(dry_run=dry_run)
    errors: list[RowError] = []
    try:
        with write_transaction(rt.session_factory) as session:
            now = rt.clock.now()
            actor = load_actor(session, actor_id)
            scope = Scope.of(actor, now)
            run_id = session.execute(insert(RUNS).values(
                at=now, user_id=actor.id, filename=(filename or "")[:255], sha256=hashlib.sha256(data).hexdigest(),
                size=len(data), created=0, updated=0, unchanged=0).returning(RUNS.c.id)).scalar_one()
            journal = Journal(session, run_id, actor.id, now, remote_addr)
            directory = organisations.Directory(session)
            done = 0
            codes: set[str] = set()
            if ORGANISATIONS in tables:
                table = tables[ORGANISATIONS]
                rows = organisations.read_rows(table, errors, codes)
                counts = organisations.apply(session, table, rows, directory, scope, journal, errors, ALLOWED_PARENTS)
                journal.flush()
                report.organisations = vars(counts)
                done = table.total
                tell(done, total)
            failed = frozenset(c for c in codes if directory.find(c) is None)
            members = MemberCounts()
            if MEMBERS in tables:
                members = MemberImport(session, tables[MEMBERS], directory, scope, journal, errors, now.date(),
                                       progress=lambda n: tell(done + n, total), failed_codes=failed).run()
            report.members = vars(members)
            if CASES in tables:
                paper = CaseImport(session, tables[CASES], directory, errors, now, run_id, rt.calendar(session))
                report.cases = vars(paper.write(paper.read()))
                tell(total, total)
            for key in ("created", "updated", "unchanged"):
                setattr(report, key, sum(part.get(key, 0) for part in (report.organisations, report.members,
                                                                        report.cases)))
            if errors or dry_run:
                raise _Undo
            session.execute(update(RUNS).where(RUNS.c.id == run_id).values(
                created=report.created, updated=report.updated, unchanged=report.unchanged))
            record_audit(session, at=now, user_id=actor.id, action="import.members", object_type="import",
                         object_id=run_id, remote_addr=remote_addr,
                         detail=f"{filename[:200]} ({len(data)} byte, sha256 {hashlib.sha256(data).hexdigest()[:16]}…): "
                                f"{report.summary()}")
            report.run_id = run_id
    except _Undo:
        pass
    except IntegrityError:
        # Another import (or a form) wrote the same card, CCCD or code between our look-up and our insert.
        errors.append(RowError(FILE, None, None, "conflict", "Cùng lúc có người khác ghi dữ liệu trùng (số thẻ, số "
                                                             "CCCD hoặc mã); không có gì được ghi, hãy nhập lại."))
    tell(total, total)
    if errors:
        failed = _report(errors, dry_run)
        failed.organisations, failed.members, failed.cases = report.organisations, report.members, report.cases
        if dry_run:
            failed.created, failed.updated, failed.unchanged = report.created, report.updated, report.unchanged
            return failed
        raise ImportRejected(failed)
    return report
