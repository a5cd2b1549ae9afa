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
    UniqueConstraint,
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
    # Enrolled committees (exchange issue): the place as their identity file names it, and
    # when the fingerprint was confirmed here.
    place_label: Mapped[str] = mapped_column(String(300), default="")
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)

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


# --- Sessions (issue 4) ------------------------------------------------------------------


class Meeting(Base):
    """A session of the committee: ordinary or extraordinary, numbered per year and kind.

    A second convocation (quorum failed) is its own row that keeps the session's number and
    points back at the first one through ``second_convocation_of_id``.
    """

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date, index=True)
    time: Mapped[str] = mapped_column(String(5), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    second_convocation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id"), index=True
    )
    # The quorum as it stood when the minutes were adopted (JSON), so that deactivating a
    # member later does not rewrite the quorum an adopted or signed PV states.
    quorum_snapshot: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class AgendaItem(Base):
    """One point of a session's agenda, in order, with an optional presenter."""

    __tablename__ = "agenda_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    working_group: Mapped[str] = mapped_column(String(200), default="")


class Guest(Base):
    """Someone invited to one session without a vote (recorded, never counted for quorum)."""

    __tablename__ = "guest"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    present: Mapped[bool] = mapped_column(Boolean, default=False)


class Convocation(Base):
    """The convocation of one recipient (a member or a guest) and how it was delivered."""

    __tablename__ = "convocation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guest.id"), index=True)
    sent_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10), default="")


class Attendance(Base):
    """One member's attendance at one session."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    represented_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))


class Minutes(Base):
    """The procès-verbal of a session; its text lives in numbered versions."""

    __tablename__ = "minutes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)


class MinutesVersion(Base):
    """One version of the minutes: a draft, then adopted, then signed and frozen.

    ``revision`` counts saves, so that a second window holding an older revision is refused
    instead of overwriting the first one's typing.
    """

    __tablename__ = "minutes_version"
    __table_args__ = (UniqueConstraint("minutes_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    opening: Mapped[str] = mapped_column(Text, default="")
    divers: Mapped[str] = mapped_column(Text, default="")
    closing_time: Mapped[str] = mapped_column(String(5), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    adopted_at: Mapped[datetime | None] = mapped_column(DateTime)
    signer: Mapped[str] = mapped_column(String(200), default="")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    text_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # What the PV showed when signed and that lives in tables that keep changing (roster,
    # attendance names, guests, letterhead, recommendations): JSON ``ccsdesk-pv-snapshot/1``
    # (docs/formats/pv-snapshot.md), written once by the signature, NULL before it and for
    # versions signed before migration 0007. The signed PV is re-rendered from it.
    pv_snapshot: Mapped[str | None] = mapped_column(Text)


class MinutesItem(Base):
    """The minutes text of one agenda item in one version."""

    __tablename__ = "minutes_item"
    __table_args__ = (UniqueConstraint("version_id", "agenda_item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_version.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"))
    text: Mapped[str] = mapped_column(Text, default="")


class Theme(Base):
    """A recommendation theme (criminalité, conflits fonciers…); an editable list."""

    __tablename__ = "theme"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    label_key: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Recommendation(Base):
    """A recommendation form tied to its session (and agenda item).

    ``status`` and ``status_at`` repeat the last step of the history so that the follow-up
    list over thousands of forms filters and sorts on indexed columns.
    """

    __tablename__ = "recommendation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    number: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str] = mapped_column(String(200))
    addressee_key: Mapped[str] = mapped_column(String(200), index=True)
    follow_up_by: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[str] = mapped_column(String(8))
    deadline: Mapped[date] = mapped_column(Date, index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    origin_uid: Mapped[str] = mapped_column(String(36), index=True)
    origin_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    status_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class RecommendationStatus(Base):
    """One step of a recommendation's follow-up: status, when, who, and a note."""

    __tablename__ = "recommendation_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(DateTime)
    author: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    # The committee whose archive brought this step ("" for a step recorded here), so that
    # only decisions taken here travel back down.
    source_uid: Mapped[str] = mapped_column(String(36), default="")
    # The committee that decided this step, wherever it was recorded ("" for a step recorded
    # here, or one received before the decider travelled with the step): the same step
    # shows the same decider at every level, whichever way it reached it.
    committee_uid: Mapped[str] = mapped_column(String(36), default="")
    committee_name: Mapped[str] = mapped_column(String(200), default="")


# --- Exchange (issue 6) -------------------------------------------------------------------


class ExchangeArchive(Base):
    """An archive written for (``out``) or imported from (``in``) an enrolled committee.

    ``sequence`` counts per sender→receiver pair. An imported archive's decrypted, signed
    content is kept as a file named by ``manifest_sha256`` (``core/exchange/store.py``), so
    that it can be forwarded up unchanged.
    """

    __tablename__ = "exchange_archive"
    __table_args__ = (UniqueConstraint("direction", "peer_id", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    peer_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    at: Mapped[datetime] = mapped_column(DateTime)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="{}")
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


class ExchangeItem(Base):
    """One thing an outgoing archive carried (a session, a decision, a certificate…)."""

    __tablename__ = "exchange_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("exchange_archive.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(120), index=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


class ExchangeOutbox(Base):
    """Something queued for a committee's next archive: an acknowledgement, a certificate."""

    __tablename__ = "exchange_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(120))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_archive_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_archive.id"))


class ReceivedSession(Base):
    """A session of another committee, as its signed archive delivered it (read-only here)."""

    __tablename__ = "received_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    origin_uid: Mapped[str] = mapped_column(String(36), index=True)
    origin_name: Mapped[str] = mapped_column(String(200))
    via_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    archive_id: Mapped[int] = mapped_column(ForeignKey("exchange_archive.id"))
    label: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    # The signed packet's SHA-256: the PDF itself stays inside the kept archive content.
    packet_sha256: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


# --- Journal segments (issue 8) -----------------------------------------------------------


class ReceivedJournalEntry(Base):
    """One journal entry of another committee, as a segment in its archive delivered it.

    Kept per origin committee (by uid) with the origin's own entry id, so that the next
    segment can be checked to continue the chain exactly where the last one stopped, and the
    level above can show that committee's journal and whether it is intact.
    """

    __tablename__ = "received_journal_entry"
    __table_args__ = (UniqueConstraint("origin_uid", "entry_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_uid: Mapped[str] = mapped_column(String(36), index=True)
    origin_name: Mapped[str] = mapped_column(String(200), default="")
    archive_id: Mapped[int] = mapped_column(ForeignKey("exchange_archive.id"), index=True)
    entry_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
