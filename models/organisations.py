"""Organisations (a tree), users, role assignments and API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

ORGANISATION_KINDS = (
    "province_committee",
    "district_committee",
    # Đảng ủy xã, phường, đặc khu: from 1/7/2025 the direct superior of grassroots organisations (QĐ 294-QĐ/TW).
    "commune_committee",
    "grassroots_committee",
    "partial_committee",
    "grassroots_cell",
    "cell",
)

ROLES = (
    "cell_secretary",
    "organisation_officer",
    "committee_member",
    "standing_committee",
    "inspection_committee",
    "inspector",
    "admin",
)


class Organisation(Base):
    """A party organisation; `path` is the materialised path '/1/4/9/' for subtree queries."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The code an import workbook knows it by (issue 16, migration 0016); none for one created by hand.
    code: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    admission_authority: Mapped[bool] = mapped_column(Boolean, default=False)
    # Has the unit a Youth Union organisation? None: not recorded (issue 12; migration 0009).
    youth_union: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=None)
    email: Mapped[str | None] = mapped_column(String(254))
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], lazy="raise_on_sql")

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this organisation, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    # True: one daily digest of reminders instead of a mail per reminder.
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column()

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user", lazy="selectin")


class RoleAssignment(Base):
    """A role held at an organisation; it applies to that organisation's whole subtree."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()  # issue 14: 90 days after issue by default (migration 0014 gave older tokens 90 days)


Index("ix_organisations_kind", Organisation.kind)
Index("uq_organisations_code", Organisation.code, unique=True)  # migration 0016_imports
