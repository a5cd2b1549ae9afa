"""The persistent model.

Every row that may travel to another committee carries a ``uid`` (UUID text) besides its
integer ``id``: integers are short enough to type on the command line, UUIDs stay unique
across the 800 committees.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """A key/value preference of this data folder (language, quorum rule…), JSON-encoded."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Place(Base):
    """An administrative unit of Mali: country, région, district, cercle or commune."""

    __tablename__ = "place"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    code: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped[Place | None] = relationship(remote_side=[id])


class Committee(Base):
    """A committee: this one (``relation == 'self'``) and, later, its parent and children."""

    __tablename__ = "committee"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    relation: Mapped[str] = mapped_column(String(10), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    chair_title: Mapped[str] = mapped_column(String(120), default="")
    signing_certificate: Mapped[str] = mapped_column(Text, default="")
    age_recipient: Mapped[str] = mapped_column(String(100), default="")
    fingerprint: Mapped[str] = mapped_column(String(40), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    place: Mapped[Place | None] = relationship()


class Category(Base):
    """A member category (élus, FDS – police…); an editable list seeded from the domain."""

    __tablename__ = "category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    label_key: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Member(Base):
    """A member of the committee (or a guest without a vote)."""

    __tablename__ = "member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    last_name: Mapped[str] = mapped_column(String(120))
    first_names: Mapped[str] = mapped_column(String(160), default="")
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="member")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    mandate_start: Mapped[date | None] = mapped_column(Date)
    mandate_end: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    category: Mapped[Category | None] = relationship()


class JournalEntry(Base):
    """One link of the hash-chained journal of changes to the record."""

    __tablename__ = "journal_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
