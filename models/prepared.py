"""Hot statements: SQLAlchemy's SQL and column types, run straight on the DBAPI cursor.

A transition runs about a dozen small statements (workflows/engine/store.py).
Through `Connection.execute` each one paid more in SQLAlchemy's execution
layer (execution context, parameter construction, event dispatch, result
wrapping) than the database spent on it, and the transition missed its bar of
2× a hand-written raw-SQL twin (quality.md Performance 1). A `Prepared`
statement is compiled by SQLAlchemy once per dialect; its parameters and
result columns go through the same type processors SQLAlchemy would apply
(dates on SQLite, UTC timestamps, JSON), and a driver error is raised as the
same `sqlalchemy.exc.DBAPIError` subclass. It runs inside the connection's
current transaction, so commit and rollback stay SQLAlchemy's.

Constants in a statement (`status == "open"`, `last + 1`) are written into
its SQL as literals, as one would write them by hand, not sent as parameters:
SQLite re-prepares a statement on every execution when a parameter is compared
with a column that a partial index is conditioned on (`deadlines.status =
?` against `WHERE status = 'open'`), which cost ≈ 40 µs a statement, and a
planner can match a partial index only against a literal.

What it leaves out: SQLAlchemy's `before/after_execute` events and echo
logging, Python-side column defaults (every inserted column is given), and
expanding IN parameters (refused when compiled).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter


def _with_literal_constants(statement, dialect):
    """The statement with each constant parameter marked to be rendered as a literal (when its type can be).

    SELECT, UPDATE and DELETE only, where the WHERE clause is: an INSERT's constants are values, and
    cloning its ON CONFLICT clause loses the clause's target (SQLAlchemy 2.1). An INSERT is made inline.
    """
    if statement.is_insert:
        # No RETURNING the caller did not ask for: on PostgreSQL SQLAlchemy would add the new row's id.
        return statement if list(statement.exported_columns) else statement.inline()

    def constant(element):
        if (isinstance(element, BindParameter) and not element.required and element.callable is None
                and not element.expanding
                and element.type.dialect_impl(dialect).literal_processor(dialect) is not None):
            return element.render_literal_execute()
        return None

    return visitors.replacement_traverse(statement, {}, constant)


class _Form:
    """A statement compiled for one dialect: SQL text, how to lay out parameters, how to read rows."""

    __slots__ = ("sql", "names", "plan", "convert", "dbapi_error")

    def __init__(self, statement, dialect):
        compiled = _with_literal_constants(statement, dialect).compile(dialect=dialect)
        if compiled.escaped_bind_names or any(bp.expanding for bp in compiled.bind_names):
            raise ValueError(f"not preparable (escaped or expanding parameters): {compiled.string}")
        sql, literals = compiled.string, set()
        for bp in compiled.literal_execute_params:  # rendered by SQLAlchemy: quoting and escaping are its own
            name = compiled.bind_names[bp]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]",
                              compiled.render_literal_bindparam(bp, render_literal_value=bp.value))
            literals.add(name)
        by_name = {name: bp for bp, name in compiled.bind_names.items() if name not in literals}
        self.sql = sql
        order = [name for name in compiled.positiontup if name not in literals] if compiled.positional \
            else list(by_name)
        self.names = None if compiled.positional else tuple(order)  # pyformat drivers take a dict
        # Per parameter: the caller's key and bind processor, or the statement's own literal, processed once.
        self.plan = []
        for name in order:
            bp = by_name[name]
            process = bp.type.dialect_impl(dialect).bind_processor(dialect)
            if not bp.required and bp.callable is None:
                self.plan.append((None, None, process(bp.value) if process else bp.value))
            else:
                self.plan.append((bp.key, process, None))
        columns = statement.exported_columns  # a SELECT's columns, or a write's RETURNING columns
        processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.convert = [(i, p) for i, p in enumerate(processors) if p is not None]
        self.dbapi_error = dialect.loaded_dbapi.Error

    def parameters(self, params: Mapping[str, Any]):
        values = [const if key is None else (process(params[key]) if process else params[key])
                  for key, process, const in self.plan]
        return tuple(values) if self.names is None else dict(zip(self.names, values))

    def row(self, raw: Sequence[Any]) -> tuple:
        if not self.convert:
            return tuple(raw)
        row = list(raw)
        for i, process in self.convert:
            row[i] = process(row[i])
        return tuple(row)


class Prepared:
    """One statement, prepared per dialect on first use."""

    __slots__ = ("statement", "_forms")

    def __init__(self, statement):
        self.statement = statement
        self._forms: dict[Any, _Form] = {}

    def _cursor(self, db: Connection, params: Mapping[str, Any]):
        dialect = db.dialect
        form = self._forms.get(dialect)
        if form is None:
            form = self._forms[dialect] = _Form(self.statement, dialect)
        cursor = db.connection.dbapi_connection.cursor()
        try:
            cursor.execute(form.sql, form.parameters(params))
        except form.dbapi_error as exc:
            cursor.close()
            raise DBAPIError.instance(form.sql, params, exc, form.dbapi_error) from exc
        return form, cursor

    def rows(self, db: Connection | Session, params: Mapping[str, Any]) -> list[tuple]:
        """Every row, type-processed. A Session (the read side) goes through SQLAlchemy as usual."""
        if not isinstance(db, Connection):
            return [tuple(r) for r in db.execute(self.statement, params)]
        form, cursor = self._cursor(db, params)
        try:
            return [form.row(raw) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, db: Connection | Session, params: Mapping[str, Any]) -> tuple | None:
        rows = self.rows(db, params)
        return rows[0] if rows else None

    def run(self, db: Connection, params: Mapping[str, Any]) -> int:
        """Execute a write; return the number of rows it matched."""
        form, cursor = self._cursor(db, params)
        try:
            return cursor.rowcount
        finally:
            cursor.close()
