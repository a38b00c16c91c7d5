"""The members sheet: read and check each row, then create or update persons in chunks.

A person is found by party card number, else by citizen identity number (CCCD),
else by the export's `Mã người` (NG-<id>). Rows are checked as they are read;
every chunk of CHUNK rows looks its people up with three IN queries, compares
field by field, inserts the new ones with one executemany and updates the
changed ones with another — Core statements, so memory stays flat whatever the
file's size (no ORM object per row). Unchanged rows write nothing at all.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Integer, String, any_, bindparam, insert, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from models import Person
from workflows.imports import cells
from workflows.imports.layout import (
    COLUMN_OF, EDUCATION_OF, EDUCATION_WORDS, GENDER_OF, GENDER_WORDS, KIND_WORDS, MEMBER_KINDS, MEMBERS,
    STATUS_OF, STATUS_WORDS, RowError, choices, word_for,
)
from workflows.imports.organisations import Directory, KnownOrg, export_code
from workflows.imports.reading import Table, column_letter
from workflows.imports.scope import Journal, Scope

PERSONS = Person.__table__
CHUNK = 2000
# The person's fields an import writes, in the order they are compared.
FIELDS = ("organisation_id", "full_name", "birth_date", "gender", "identity_number", "card_number",
          "membership_status", "joined_on", "official_on", "education", "email", "phone", "home_address")
# The sheet's column behind each field (organisation_id comes from the organisation code).
SOURCE = {f: f for f in FIELDS} | {"organisation_id": "organisation_code"}
KEYS = ("identity_number", "card_number")  # an empty key cell never clears a stored number
_MISSING = object()
_PERSON_CODE = re.compile(r"^NG-(\d{1,10})$")
# Dates come back as the driver gives them (SQLite: ISO text, PostgreSQL: date) and are read with
# date.fromisoformat, several times faster than the generic result processor on the 3 × 2,000 dates of a chunk.
_DATES = ("birth_date", "joined_on", "official_on")
_SELECT = select(PERSONS.c.id, *(type_coerce(PERSONS.c[f], String) if f in _DATES else PERSONS.c[f] for f in FIELDS))
_NAMES = ("id", *FIELDS)


def _among(column, values: set, postgresql: bool):
    """column IN (values); on PostgreSQL `= ANY(array)`: one parameter, where 2,000 placeholders cost the driver
    a tenth of a second of query parsing per chunk."""
    if postgresql:
        item = Integer() if column.name == "id" else String()
        return column == any_(bindparam(f"{column.name}_values", list(values), type_=ARRAY(item)))
    return column.in_(values)


@dataclass
class Member:
    row: int
    values: dict[str, Any]
    org: KnownOrg
    person_code: int | None = None


@dataclass
class MemberCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0


def person_code(person_id: int) -> str:
    return f"NG-{person_id}"


@dataclass
class MemberImport:
    session: Session
    table: Table
    directory: Directory
    scope: Scope
    journal: Journal
    errors: list[RowError]
    today: date
    progress: Callable[[int], None] = lambda done: None
    failed_codes: frozenset[str] = frozenset()  # organisations of the file that could not be placed
    counts: MemberCounts = field(default_factory=MemberCounts)

    def __post_init__(self) -> None:
        self.present = tuple(f for f in FIELDS if SOURCE[f] in self.table.columns)
        self.seen: dict[str, dict] = {"card_number": {}, "identity_number": {}, "person_code": {}}
        self.readers = self._readers()
        self._insert = insert(PERSONS)
        self._update = (update(PERSONS).where(PERSONS.c.id == bindparam("_id"))
                        .values(revision=PERSONS.c.revision + 1, **{f: bindparam(f) for f in self.present}))

    def run(self) -> MemberCounts:
        batch: list[Member] = []
        done = 0
        for number, row in self.table.numbered():
            member = self._read(number, row)
            done += 1
            if member is not None:
                batch.append(member)
            if len(batch) >= CHUNK:
                self._write(batch)
                batch = []
                self.progress(done)
        self._write(batch)
        self.progress(done)
        return self.counts

    # ------------------------------------------------------------ one row

    def _err(self, row: int, name: str, code: str, message: str) -> None:
        index = self.table.columns.get(name)
        self.errors.append(RowError(self.table.name, row, column_letter(index) if index is not None else
                                    COLUMN_OF[MEMBERS].get(name), code, message))

    def _readers(self) -> list[tuple[str, int, Callable[[Any], Any], dict | None]]:
        """(field, column index, reader, cache) for each column of the sheet; columns whose values repeat
        (codes, dates, choices) remember what each raw value read as."""
        today = self.today
        readers: dict[str, Callable[[Any], Any]] = {
            "organisation_code": lambda v: cells.text(v, limit=64),
            "full_name": lambda v: cells.text(v, limit=200),
            "birth_date": lambda v: cells.a_date(v, latest=today),
            "gender": lambda v: cells.choice(v, GENDER_OF, choices(GENDER_WORDS), "gender"),
            "identity_number": cells.identity_number,
            "card_number": cells.card_number,
            "membership_status": lambda v: cells.choice(v, STATUS_OF, choices(STATUS_WORDS), "status"),
            "joined_on": lambda v: cells.a_date(v, earliest=cells.PARTY_FOUNDED, latest=today),
            "official_on": lambda v: cells.a_date(v, earliest=cells.PARTY_FOUNDED, latest=today),
            "education": lambda v: cells.choice(v, EDUCATION_OF, choices(EDUCATION_WORDS), "education"),
            "email": cells.email,
            "phone": cells.phone,
            "home_address": lambda v: cells.text(v, limit=400) or None,
            "person_code": lambda v: cells.text(v, limit=20),
        }
        repeated = {"organisation_code", "birth_date", "gender", "membership_status", "joined_on", "official_on",
                    "education", "phone"}
        return [(name, self.table.columns[name], reader, {} if name in repeated else None)
                for name, reader in readers.items() if name in self.table.columns]

    def _read(self, number: int, row: list) -> Member | None:
        values: dict[str, Any] = {}
        bad = False
        width = len(row)
        for name, index, reader, cache in self.readers:
            raw = row[index] if index < width else None
            try:
                if cache is None:
                    values[name] = reader(raw)
                    continue
                key = (type(raw), raw)
                found = cache.get(key, _MISSING)
                if found is _MISSING:
                    try:
                        found = reader(raw)
                    except cells.CellError as exc:
                        found = exc
                    if len(cache) < 50_000:
                        cache[key] = found
                if isinstance(found, cells.CellError):
                    raise found
                values[name] = found
            except cells.CellError as exc:
                self._err(number, name, exc.code, exc.message)
                bad = True
        for name in ("organisation_code", "full_name", "birth_date", "gender", "membership_status"):
            if name in values and values[name] in (None, ""):
                self._err(number, name, "required", f"Thiếu «{COLUMN_OF[MEMBERS][name]}».")
                bad = True
        if bad:
            return None
        org = self.directory.find(values["organisation_code"])
        if org is None and values["organisation_code"] in self.failed_codes:
            return None  # the organisation's own row is in error and says why
        if org is None:
            self._err(number, "organisation_code", "unknown_organisation",
                      f"Mã tổ chức «{values['organisation_code']}» không có trong trang tổ chức cũng như trong cơ sở "
                      "dữ liệu.")
            return None
        if org.kind not in MEMBER_KINDS:
            self._err(number, "organisation_code", "not_a_cell",
                      f"«{org.name}» ({word_for(KIND_WORDS, org.kind)}) không phải chi bộ: đảng viên sinh hoạt ở "
                      "chi bộ hoặc chi bộ cơ sở.")
            return None
        if not self._dates_agree(number, values):
            return None
        code = None
        if values.get("person_code"):
            found = _PERSON_CODE.match(values["person_code"])
            if not found:
                self._err(number, "person_code", "invalid_person_code",
                          f"«{values['person_code']}» không phải mã người do phần mềm xuất ra (dạng NG-123).")
                return None
            code = int(found.group(1))
        if not values.get("identity_number") and not values.get("card_number") and code is None:
            self._err(number, "identity_number", "missing_key",
                      "Cần «Số CCCD» hoặc «Số thẻ đảng viên» để nhận ra người này (một trong hai).")
            return None
        for key, label in (("card_number", "Số thẻ đảng viên"), ("identity_number", "Số CCCD"),
                           ("person_code", "Mã người")):
            value = values.get(key) if key != "person_code" else code
            if not value:
                continue
            first = self.seen[key].get(value)
            if first is not None:
                self._err(number, key, "duplicate_person",
                          f"Người này có hai lần trong tệp: {label} «{values.get(key)}» đã có ở dòng {first}.")
                return None
            self.seen[key][value] = number
        values["organisation_id"] = org.id
        return Member(number, values, org, code)

    def _dates_agree(self, number: int, v: dict[str, Any]) -> bool:
        status, joined, official, born = (v.get("membership_status"), v.get("joined_on"), v.get("official_on"),
                                          v.get("birth_date"))
        problems = []
        if status in ("probationary", "official") and "joined_on" in v and joined is None:
            problems.append(("joined_on", "missing_admission_date",
                             f"Đảng viên {'dự bị' if status == 'probationary' else 'chính thức'} phải có «Ngày vào Đảng»."))
        if status == "official" and "official_on" in v and official is None:
            problems.append(("official_on", "missing_official_date", "Đảng viên chính thức phải có «Ngày chính thức»."))
        if status == "probationary" and official is not None:
            problems.append(("official_on", "status_dates", "Đảng viên dự bị chưa có «Ngày chính thức»; để trống ô này "
                                                             "hoặc sửa «Trạng thái»."))
        if status == "none" and (joined or official):
            problems.append(("joined_on", "status_dates", "Quần chúng chưa vào Đảng: để trống «Ngày vào Đảng» và "
                                                           "«Ngày chính thức», hoặc sửa «Trạng thái»."))
        if joined and born and joined <= born:
            problems.append(("joined_on", "date_order", "«Ngày vào Đảng» phải sau «Ngày sinh»."))
        if joined and official and official < joined:
            problems.append(("official_on", "date_order", "«Ngày chính thức» không thể trước «Ngày vào Đảng»."))
        for name, code, message in problems:
            self._err(number, name, code, message)
        return not problems

    # ------------------------------------------------------------ one chunk

    def _lookup(self, batch: list[Member]) -> tuple[dict, dict, dict]:
        """The stored persons of a chunk's keys, in one query: by card, by CCCD, by id."""
        cards = {m.values["card_number"] for m in batch if m.values.get("card_number")}
        identities = {m.values["identity_number"] for m in batch if m.values.get("identity_number")}
        ids = {m.person_code for m in batch if m.person_code is not None}
        postgresql = self.session.connection().dialect.name == "postgresql"
        conditions = [_among(PERSONS.c[key], values, postgresql) for key, values in
                      (("card_number", cards), ("identity_number", identities), ("id", ids)) if values]
        by_card: dict[str, dict] = {}
        by_identity: dict[str, dict] = {}
        by_id: dict[int, dict] = {}
        if conditions:
            for row in self.session.execute(_SELECT.where(or_(*conditions))).all():
                person = dict(zip(_NAMES, row))
                for name in _DATES:
                    value = person[name]
                    if isinstance(value, str):
                        person[name] = date.fromisoformat(value[:10])
                if person["card_number"] in cards:
                    by_card[person["card_number"]] = person
                if person["identity_number"] in identities:
                    by_identity[person["identity_number"]] = person
                if person["id"] in ids:
                    by_id[person["id"]] = person
        return by_card, by_identity, by_id

    def _write(self, batch: list[Member]) -> None:
        if not batch:
            return
        by_card, by_identity, by_id = self._lookup(batch)
        inserts, updates = [], []
        for member in batch:
            v = member.values
            person = self._match(member, by_card, by_identity, by_id)
            if person is False:
                continue
            if person is None:
                if not self.scope.may_write(member.org.path):
                    self._err(member.row, "organisation_code", "forbidden",
                              "Bạn không có quyền thêm người vào tổ chức này (ngoài phạm vi bạn phụ trách).")
                    continue
                inserts.append({f: v.get(SOURCE[f]) if f != "organisation_id" else v["organisation_id"] for f in FIELDS}
                               | {"flags": {}, "revision": 0, "holds_post": False, "created_at": self.scope.now})
                continue
            changes = {}
            for f in self.present:
                new = v["organisation_id"] if f == "organisation_id" else v.get(SOURCE[f])
                if f in KEYS and not new:
                    continue
                if person[f] != new:
                    changes[f] = (person[f], new)
            if not changes:
                self.counts.unchanged += 1
                continue
            current = self.directory.by_id.get(person["organisation_id"])
            if not self.scope.may_write(current.path if current else None) or not self.scope.may_write(member.org.path):
                self._err(member.row, "organisation_code", "forbidden",
                          "Bạn không có quyền sửa hồ sơ người này (ngoài phạm vi bạn phụ trách).")
                continue
            params = {f: person[f] for f in self.present} | {f: new for f, (_old, new) in changes.items()}
            updates.append(params | {"_id": person["id"]})
            action = "person.import_update"
            if "organisation_id" in changes:
                before = self.directory.by_id.get(changes["organisation_id"][0])
                changes["organisation_id"] = (export_code(before) if before else changes["organisation_id"][0],
                                              export_code(member.org))
                action = "person.import_move"
                self.counts.moved += 1
            self.journal.changed("person", person["id"], changes, action)
        self.counts.created += len(inserts)
        self.counts.updated += len(updates)
        if self.errors:
            self.journal.pending.clear()
            return  # the import will be rolled back: skip the writes, keep checking the rest of the file
        if inserts:
            self._insert_rows(inserts)
        if updates:
            self.session.execute(self._update, updates)
        self.journal.flush()

    def _insert_rows(self, rows: list[dict]) -> None:
        """New persons: COPY on PostgreSQL (several times faster than a batch of INSERTs), else executemany."""
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            self.session.execute(self._insert, rows)
            return
        columns = list(rows[0])
        raw = connection.connection.driver_connection  # psycopg, inside the session's transaction
        with raw.cursor() as cursor, cursor.copy(
                f"COPY persons ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c == "flags" else row[c] for c in columns])

    def _match(self, member: Member, by_card, by_identity, by_id):
        """The stored person this row is about, None for a new one, False when the row is in error."""
        v = member.values
        card, identity = v.get("card_number"), v.get("identity_number")
        person = by_card.get(card) if card else None
        if person is None and member.person_code is not None and not card and not identity:
            person = by_id.get(member.person_code)
            if person is None:
                self._err(member.row, "person_code", "unknown_person",
                          f"Mã người «{person_code(member.person_code)}» không có trong cơ sở dữ liệu.")
                return False
        holder = by_identity.get(identity) if identity else None
        if person is None and holder is not None:
            if holder["card_number"] and card and holder["card_number"] != card:
                self._err(member.row, "identity_number", "identity_taken",
                          f"Số CCCD «{identity}» đã thuộc về một người khác trong cơ sở dữ liệu "
                          f"({holder['full_name']}, số thẻ {holder['card_number']}).")
                return False
            person = holder
        if person is not None and holder is not None and holder["id"] != person["id"]:
            self._err(member.row, "card_number", "card_taken",
                      f"Số thẻ đảng viên «{card}» đã thuộc về {person['full_name']} trong cơ sở dữ liệu, còn số CCCD "
                      f"«{identity}» là của {holder['full_name']}.")
            return False
        if (person is not None and "full_name" in v and "birth_date" in v and person["full_name"] != v["full_name"]
                and person["birth_date"] != v["birth_date"]):
            # Both the name and the birth date differ: another person's number, not a correction of one field.
            key, label, number = (("card_number", "Số thẻ đảng viên", card) if card and person["card_number"] == card
                                  else ("identity_number", "Số CCCD", identity or card))
            self._err(member.row, key, "card_taken" if key == "card_number" else "identity_taken",
                      f"{label} «{number}» đã thuộc về một người khác trong cơ sở dữ liệu: {person['full_name']}, "
                      f"sinh {person['birth_date']:%d/%m/%Y}.")
            return False
        if person is not None and card and person["card_number"] and person["card_number"] != card:
            self._err(member.row, "card_number", "card_taken",
                      f"Số thẻ đảng viên «{card}» khác số thẻ «{person['card_number']}» của người có cùng số CCCD.")
            return False
        return person
