"""Everything the session documents show, read once from the data folder.

The convocation, the sheets, the PV, the fiches and the packet all describe the same
session; reading it once into a :class:`SessionRecord` keeps them consistent with each other
(the packet binds the very same facts its parts show) and lets the packet's 45 pages be laid
out without going back to the database for every part.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ccsdesk.core.documents import attendance_words, layout
from ccsdesk.core.errors import StorageError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import attendance, meetings, minutes, roster
from ccsdesk.core.services import recommendations as recs
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.text import fold

_BUREAU = ("president", "vice_president", "secretary")
_ROLE_ORDER = {"president": 0, "vice_president": 1, "secretary": 2, "member": 3, "guest": 4}


@dataclass(frozen=True)
class Person:
    """Someone a session document names: a member in office or an invited guest."""

    name: str
    quality: str
    phone: str = ""
    sex: str = ""
    role: str = ""
    member_id: int | None = None
    guest_id: int | None = None


@dataclass(frozen=True)
class ScanNote:
    """The wet-signed PV's scan, as the packet's cover names it."""

    file_name: str
    sha256: str
    size: int
    attached_at: str


@dataclass(frozen=True)
class SessionRecord:
    head: layout.Letterhead
    meeting: meetings.MeetingInfo
    members: tuple[Person, ...]
    guests: tuple[Person, ...]
    guests_present: tuple[str, ...]
    president: str
    secretary: str
    attendance: tuple[attendance.AttendanceInfo, ...]
    quorum: attendance.Quorum
    minutes: minutes.MinutesInfo
    recommendations: tuple[recs.RecommendationInfo, ...]
    convened_on: date | None
    delivered: dict[int, date]
    scan: ScanNote | None
    # This committee's uid: the forms' histories name a step's decider only when it is
    # another committee (a decision that came down from above).
    own_uid: str = ""
    # Whether the PV's annexed list names the guests present after the members. True for
    # every PV except one signed before the annex named them: a signed PV is re-rendered from
    # its frozen data and must keep showing (and hashing) what was signed.
    annex_guests: bool = True
    # Guest id → the day their convocation was handed over (``delivered`` is the members').
    delivered_guests: dict[int, date] = field(default_factory=dict)
    # The recommendations as the signed PV lists them (its snapshot), None when the PV is
    # rendered from the current forms. ``recommendations`` stays live: the packet's forms
    # show each recommendation's follow-up as it stands today.
    signed_recommendations: tuple[recs.RecommendationInfo, ...] | None = None

    @property
    def pv_recommendations(self) -> tuple[recs.RecommendationInfo, ...]:
        """The recommendations the PV lists: frozen at signing, else the current forms."""
        if self.signed_recommendations is not None:
            return self.signed_recommendations
        return self.recommendations

    @property
    def recipients(self) -> tuple[Person, ...]:
        """Everyone expected at the session: the members in office, then its guests (the
        attendance sheet lists them all, the president included)."""
        return self.members + self.guests

    @property
    def convener(self) -> Person | None:
        """The member who signs the convocation (``president``), if the roster names them.

        None when no president is set or the signer is not a member in office: then
        nobody is left out of the convocations.
        """
        if not self.president:
            return None
        named = [p for p in self.members if p.name == self.president]
        return next((p for p in named if p.role == "president"), named[0] if named else None)

    @property
    def convened(self) -> tuple[Person, ...]:
        """Who receives a convocation: everyone expected but the one who convenes and signs
        it (the letters, their list and the delivery sheet)."""
        convener = self.convener
        return tuple(p for p in self.recipients if p is not convener)

    @property
    def president_sex(self) -> str:
        """``F`` when the one who chairs (``president``) is a woman of the bureau, else ``M``
        or empty: the PV then says « la Présidente »."""
        return next((p.sex for p in self.members
                     if p.role == "president" and p.name == self.president), "")

    @property
    def chair_title(self) -> str:
        """The title above the chair's signature: the committee's own (``Maire``…), else
        « Le Président du Comité » or « La Présidente du Comité »."""
        return self.head.chair_title or attendance_words.gendered(
            (N_("The President of the Committee"),
             N_("The President of the Committee (of a woman)")), self.president_sex)

    @property
    def committee_full_name(self) -> str:
        """``Comité consultatif de sécurité de la Commune IV`` for ``CCS de la Commune IV``."""
        name = self.head.committee_name
        short = _("CCS")
        if name.startswith(short + " "):
            return _("Security Consultative Committee") + name[len(short):]
        return name


def quality(member: roster.MemberInfo) -> str:
    """"Structure / qualité": the organisation (or category), and the bureau role."""
    base = member.organisation or member.category
    if member.role in _BUREAU:
        role = attendance_words.role_text(member.role, member.sex)
        return f"{base} — {role}" if base else role
    return base


def _scan(folder: DataFolder, meeting_id: int) -> ScanNote | None:
    from ccsdesk.core.services import scans

    found = scans.latest(folder, meeting_id)
    if found is None:
        return None
    return ScanNote(found.file_name, found.sha256, found.size,
                    found.attached_at.isoformat(timespec="seconds"))


def _own_uid(folder: DataFolder) -> str:
    from sqlalchemy import select

    from ccsdesk.core.storage.models import Committee

    with folder.database.reading() as session:
        return session.scalar(select(Committee.uid).where(Committee.relation == "self")) or ""


def _signed_with_guest_annex(folder: DataFolder, meeting_uid: str, version: int) -> bool:
    """Whether version ``version`` of the PV was signed by a program whose annex names the
    guests: its journal entry ``minutes.sign`` then carries ``"pv_annex": 2``.

    The journal is the signature's own record (hash-chained, same transaction), so the
    layout a PV was signed under is read back from there rather than guessed from a date.
    """
    import json

    from sqlalchemy import select

    from ccsdesk.core.storage.models import JournalEntry

    with folder.database.reading() as session:
        entries = session.scalars(select(JournalEntry.details).where(
            JournalEntry.action == "minutes.sign",
            JournalEntry.subject == f"meeting:{meeting_uid}"))
        for details in entries:
            found = json.loads(details)
            if found.get("version") == version:
                return int(found.get("pv_annex", 1)) >= 2
    return False


SNAPSHOT_FORMAT = "ccsdesk-pv-snapshot/1"
_HEAD_FIELDS = ("timbre", "town", "registration_suffix", "committee_name", "chair_title")
_REC_DATES = ("meeting_date", "deadline")


def _json_value(value: object) -> object:
    if isinstance(value, date):  # datetimes too (a subclass): both read back by fromisoformat
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value


def _fields(obj: Any) -> dict[str, object]:
    """A dataclass's fields as JSON values: read back by ``Type(**fields)``."""
    return {f.name: _json_value(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def snapshot(record: SessionRecord, *, signer: str, version: int) -> str:
    """What the PV of ``record`` shows that can change after its signature, as JSON
    ``ccsdesk-pv-snapshot/1`` (``docs/formats/pv-snapshot.md``).

    Written by :func:`ccsdesk.core.services.minutes.sign` in the signing transaction: the
    roster, the attendance names, the guests, the letterhead and the recommendations' forms
    all keep changing afterwards, and a signed PV must render (and hash) as it was signed.
    """
    head = record.head
    data = {
        "format": SNAPSHOT_FORMAT,
        "version": version,
        "letterhead": {name: _json_value(getattr(head, name)) for name in _HEAD_FIELDS},
        "members": [_fields(p) for p in record.members],
        "guests": [_fields(p) for p in record.guests],
        "guests_present": list(record.guests_present),
        "president": signer,
        "secretary": record.secretary,
        "attendance": [_fields(a) for a in record.attendance],
        "quorum": _fields(record.quorum),
        "convened_on": _json_value(record.convened_on),
        "annex_guests": True,
        "recommendations": [{name: _json_value(value) for name, value in r._asdict().items()
                             if name != "history"} for r in record.recommendations],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _unreadable(meeting: meetings.MeetingInfo) -> StorageError:
    return StorageError(_("The frozen data of the signed minutes of the {session} cannot be "
                          "read (it was written by a newer version of CCS Desk, or damaged). "
                          "Nothing was changed.").format(session=meeting.label))


def _from_snapshot(record: SessionRecord, text: str) -> SessionRecord:
    """``record`` with what its signed PV showed: the same record type, so the PV is laid
    out by the very same code whether it comes from the data or from its snapshot."""
    try:
        data = json.loads(text)
        if data.get("format") != SNAPSHOT_FORMAT:
            raise _unreadable(record.meeting)
        head = dataclasses.replace(record.head, **{
            name: tuple(data["letterhead"][name]) if name == "timbre"
            else data["letterhead"][name] for name in _HEAD_FIELDS})
        signed_recs = []
        for found in data["recommendations"]:
            values = dict(found)
            for name in _REC_DATES:
                if values.get(name):
                    values[name] = date.fromisoformat(values[name])
            values["status_at"] = datetime.fromisoformat(values["status_at"])
            signed_recs.append(recs.RecommendationInfo(**values))
        convened = data["convened_on"]
        return dataclasses.replace(
            record, head=head,
            members=tuple(Person(**p) for p in data["members"]),
            guests=tuple(Person(**p) for p in data["guests"]),
            guests_present=tuple(data["guests_present"]),
            president=data["president"], secretary=data["secretary"],
            attendance=tuple(attendance.AttendanceInfo(**a) for a in data["attendance"]),
            quorum=attendance.Quorum(**data["quorum"]),
            convened_on=date.fromisoformat(convened) if convened else None,
            annex_guests=bool(data["annex_guests"]),
            signed_recommendations=tuple(signed_recs))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _unreadable(record.meeting) from None


def gather(folder: DataFolder, meeting_id: int) -> SessionRecord:
    """Read the session ``meeting_id`` and what its documents need; refuses unknown ones.

    When its minutes are signed with a snapshot (signed since migration 0007), what the PV
    showed at signing replaces the live roster, attendance, guests and letterhead, and the PV
    lists the recommendations as signed: all the session's documents then agree with the
    signed PV. Versions signed before keep reading the live data (and the ``pv_annex``
    journal marker), exactly as they did.
    """
    meeting = meetings.get_meeting(folder, meeting_id)
    head = layout.letterhead(folder)
    in_office = sorted(roster.list_members(folder, active_only=True),
                       key=lambda m: (_ROLE_ORDER.get(m.role, 5), fold(m.last_name),
                                      fold(m.first_names)))
    members = tuple(Person(m.full_name, quality(m), m.phone, m.sex, m.role, m.id)
                    for m in in_office)
    invited = meetings.list_guests(folder, meeting_id)
    guests = tuple(Person(g.name, g.organisation or _("Guest"), guest_id=g.id)
                   for g in invited)
    president = next((p.name for p in members if p.role == "president"), "")
    secretary = next((p.name for p in members if p.role == "secretary"), "")
    convocations = meetings.list_convocations(folder, meeting_id)
    sent = [c.sent_on for c in convocations if c.sent_on is not None]
    delivered = {c.member_id: c.sent_on for c in convocations
                 if c.member_id is not None and c.sent_on is not None and c.channel == "hand"}
    delivered_guests = {c.guest_id: c.sent_on for c in convocations
                        if c.guest_id is not None and c.sent_on is not None
                        and c.channel == "hand"}
    text = minutes.get_minutes(folder, meeting_id)
    if text.state == "signed" and text.signer:
        president = text.signer  # who chaired and signed, even if the bureau changed since
    annex_guests = text.state != "signed" or _signed_with_guest_annex(folder, meeting.uid,
                                                                         text.number)
    record = SessionRecord(
        head=head, meeting=meeting, members=members, guests=guests,
        guests_present=tuple(g.name for g in invited if g.present),
        president=president, secretary=secretary,
        attendance=tuple(attendance.list_attendance(folder, meeting_id)),
        quorum=attendance.quorum(folder, meeting_id),
        minutes=text, recommendations=tuple(recs.of_meeting(folder, meeting_id)),
        convened_on=min(sent) if sent else None, delivered=delivered,
        scan=_scan(folder, meeting_id), own_uid=_own_uid(folder), annex_guests=annex_guests,
        delivered_guests=delivered_guests,
    )
    if text.state == "signed":
        frozen = minutes.signed_snapshot(folder, meeting_id, text.number)
        if frozen is not None:
            return _from_snapshot(record, frozen)
    return record

