"""The organisations sheet: validate every row, then create, update or move organisations in tree order.

An organisation is known by its code (`organisations.code`); one that has none
(created by hand before imports) is exported as `TC-<id>`, and that code finds it
again. A changed parent moves the organisation with its whole subtree: the
materialised paths of the subtree and of its cases are rewritten in two statements.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from models import Case, Organisation
from workflows.imports import cells
from workflows.imports.layout import (
    COLUMN_OF, KIND_OF, KIND_WORDS, ORGANISATIONS, YES_WORDS, RowError, choices, fold, word_for,
)
from workflows.imports.reading import Table, column_letter
from workflows.imports.scope import Journal, Scope

ORGS = Organisation.__table__
_GENERATED = re.compile(r"^TC-(\d{1,10})$")


@dataclass
class OrgRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    admission_authority: bool


@dataclass
class KnownOrg:
    """An organisation as the import sees it (from the database, or created by this import)."""

    id: int
    code: str | None
    name: str
    kind: str
    parent_id: int | None
    path: str
    admission_authority: bool


class Directory:
    """The organisations of the database by id and by code, kept up to date as the import writes."""

    def __init__(self, session: Session):
        self.by_id: dict[int, KnownOrg] = {}
        self.by_code: dict[str, KnownOrg] = {}
        for row in session.execute(select(ORGS.c.id, ORGS.c.code, ORGS.c.name, ORGS.c.kind, ORGS.c.parent_id,
                                          ORGS.c.path, ORGS.c.admission_authority)):
            self.add(KnownOrg(*row))

    def add(self, org: KnownOrg) -> None:
        self.by_id[org.id] = org
        if org.code:
            self.by_code[org.code] = org

    def find(self, code: str) -> KnownOrg | None:
        found = self.by_code.get(code)
        if found is None and (generated := _GENERATED.match(code)):
            org = self.by_id.get(int(generated.group(1)))
            found = org if org is not None and not org.code else None
        return found


def export_code(org: KnownOrg | Organisation) -> str:
    return org.code or f"TC-{org.id}"


def read_rows(table: Table, errors: list[RowError], codes: set[str]) -> list[OrgRow]:
    """The organisations sheet, cell by cell; bad cells become errors. `codes` gets every code of the sheet."""
    rows: list[OrgRow] = []
    col = table.columns
    seen: dict[str, int] = {}
    for number, cells_ in table.numbered():
        def cell(name):
            index = col.get(name)
            return cells_[index] if index is not None and index < len(cells_) else None

        def err(name, code, message):
            errors.append(RowError(table.name, number, _column(table, name), code, message))

        values = {}
        for name, reader in (("code", lambda v: cells.text(v, limit=64)), ("name", lambda v: cells.text(v)),
                             ("parent_code", lambda v: cells.text(v, limit=64))):
            try:
                values[name] = reader(cell(name))
            except cells.CellError as exc:
                err(name, exc.code, exc.message)
                values[name] = None
        try:
            values["kind"] = cells.choice(cell("kind"), KIND_OF, choices(KIND_WORDS), "kind")
        except cells.CellError as exc:
            err("kind", exc.code, exc.message)
            values["kind"] = None
        flag = cells.text(cell("admission_authority")) if "admission_authority" in col else ""
        if flag and fold(flag) not in YES_WORDS and fold(flag) not in ("khong", "no", "false", "0"):
            err("admission_authority", "invalid_flag", f"«{flag}»: ghi «x» hoặc «có» khi được ủy quyền, để trống nếu không.")
        for name in ("code", "name", "kind"):
            if values.get(name) == "":
                err(name, "required", f"Thiếu «{COLUMN_OF[ORGANISATIONS][name]}».")
            if values.get(name) == "" or values.get(name) is None and name == "kind" and cell("kind") in (None, ""):
                values[name] = None
        code = values["code"]
        if code:
            codes.add(code)
        if code and code in seen:
            err("code", "duplicate_code", f"Mã tổ chức «{code}» đã có ở dòng {seen[code]}.")
            continue
        if code:
            seen[code] = number
        if all(values.get(n) for n in ("code", "name", "kind")):
            rows.append(OrgRow(number, code, values["name"], values["kind"], values["parent_code"] or "",
                               fold(flag) in YES_WORDS))
    return rows


def _column(table: Table, name: str) -> str | None:
    index = table.columns.get(name)
    return column_letter(index) if index is not None else COLUMN_OF[ORGANISATIONS].get(name)


@dataclass
class OrgCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def apply(session: Session, table: Table, rows: list[OrgRow], directory: Directory, scope: Scope,
          journal: Journal, errors: list[RowError], allowed_parents: dict[str, tuple]) -> OrgCounts:
    """Create and update the file's organisations, parents before children. Rows in error are skipped
    (the caller rolls everything back when there is any error)."""
    counts = OrgCounts()
    in_file = {r.code: r for r in rows}
    done: set[str] = set()
    visiting: set[str] = set()

    def err(row: OrgRow, name: str, code: str, message: str) -> None:
        errors.append(RowError(table.name, row.row, _column(table, name), code, message))

    def place(row: OrgRow) -> KnownOrg | None:
        """Write `row` (its parent first); None when it cannot be placed."""
        if row.code in done:
            return directory.find(row.code)
        if row.code in visiting:
            err(row, "parent_code", "cycle", f"Mã tổ chức cấp trên tạo thành vòng lặp qua «{row.code}».")
            return None
        visiting.add(row.code)
        try:
            parent = None
            if row.parent_code:
                if row.parent_code == row.code:
                    err(row, "parent_code", "cycle", "Tổ chức không thể là cấp trên của chính mình.")
                    return None
                if row.parent_code in in_file:
                    parent = place(in_file[row.parent_code])
                    if parent is None:
                        return None
                else:
                    parent = directory.find(row.parent_code)
                    if parent is None:
                        err(row, "parent_code", "unknown_parent",
                            f"Mã tổ chức cấp trên «{row.parent_code}» không có trong tệp cũng như trong cơ sở dữ liệu.")
                        return None
            return _write(session, row, parent, directory, scope, journal, counts, err, allowed_parents)
        finally:
            visiting.discard(row.code)
            done.add(row.code)

    for row in rows:
        place(row)
    return counts


def _write(session, row, parent, directory, scope, journal, counts, err, allowed_parents) -> KnownOrg | None:
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed_parents.get(row.kind, ()):
        err(row, "parent_code" if parent else "kind", "wrong_parent_kind",
            f"«{word_for(KIND_WORDS, row.kind)}» không thể trực thuộc "
            f"«{word_for(KIND_WORDS, parent_kind) if parent_kind else 'không có cấp trên'}».")
        return None
    existing = directory.find(row.code)
    parent_id = parent.id if parent else None
    if existing is None:
        if not scope.may_write(parent.path if parent else None):
            err(row, "parent_code", "forbidden", "Bạn không có quyền thêm tổ chức ở đây (ngoài phạm vi tổ chức "
                                                 "bạn phụ trách).")
            return None
        new_id = session.execute(insert(ORGS).values(
            code=row.code, name=row.name, kind=row.kind, parent_id=parent_id, path="",
            admission_authority=row.admission_authority, created_at=scope.now).returning(ORGS.c.id)).scalar_one()
        path = (parent.path if parent else "/") + f"{new_id}/"
        session.execute(update(ORGS).where(ORGS.c.id == new_id).values(path=path))
        org = KnownOrg(new_id, row.code, row.name, row.kind, parent_id, path, row.admission_authority)
        directory.add(org)
        counts.created += 1
        return org
    same = (existing.name == row.name and existing.kind == row.kind and existing.parent_id == parent_id
            and existing.admission_authority == row.admission_authority)
    if same:
        counts.unchanged += 1
        return existing
    if not scope.may_write(existing.path) or not scope.may_write(parent.path if parent else None):
        err(row, "code", "forbidden", "Bạn không có quyền sửa tổ chức này (ngoài phạm vi tổ chức bạn phụ trách).")
        return None
    if parent is not None and parent.path.startswith(existing.path):
        err(row, "parent_code", "cycle", "Không thể chuyển tổ chức vào dưới chính tổ chức cấp dưới của nó.")
        return None
    values = {"name": row.name, "kind": row.kind, "admission_authority": row.admission_authority}
    changes = {k: (getattr(existing, k), v) for k, v in values.items() if getattr(existing, k) != v}
    if existing.parent_id != parent_id:
        before = directory.by_id.get(existing.parent_id) if existing.parent_id else None
        changes["parent"] = (export_code(before) if before else None, export_code(parent) if parent else None)
        old_path = existing.path
        new_path = (parent.path if parent else "/") + f"{existing.id}/"
        values["parent_id"] = parent_id
        _move_subtree(session, old_path, new_path, directory)
        existing.parent_id = parent_id
    session.execute(update(ORGS).where(ORGS.c.id == existing.id).values(**values))
    journal.changed("organisation", existing.id, changes,
                    "organisation.import_move" if "parent" in changes else "organisation.import_update")
    existing.name, existing.kind, existing.admission_authority = row.name, row.kind, row.admission_authority
    counts.updated += 1
    return existing


def _move_subtree(session: Session, old: str, new: str, directory: Directory) -> None:
    """Rewrite the materialised paths of a moved subtree, its organisations' and its cases'."""
    cases = Case.__table__
    for table, column in ((ORGS, ORGS.c.path), (cases, cases.c.organisation_path)):
        session.execute(update(table).where(column.startswith(old, autoescape=True))
                        .values({column: new + func.substr(column, len(old) + 1)}))
    for org in directory.by_id.values():
        if org.path.startswith(old):
            org.path = new + org.path[len(old):]
