"""Organizations, users and their groups."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

ORGANIZATION_KINDS = (
    "enterprise", "university", "research_institute", "technical_institution",
    "new_rnd_institution", "park", "prefecture_government", "industry_authority",
    "department", "agency",
)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str | None] = mapped_column(String(18))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Set when an administrator sets the password: the user changes it at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # None: never recorded, which counts as due for a change (demo accounts aside).
    password_changed_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")
    group_rows: Mapped[list[UserGroup]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def groups(self) -> list[str]:
        return sorted(row.group_id for row in self.group_rows)


class UserGroup(Base):
    __tablename__ = "user_group"

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
