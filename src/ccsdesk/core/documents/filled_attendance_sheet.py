"""The attendance list filled in from the recorded attendance (liste de présence renseignée).

Before the session the secretary prints the empty sheet (``attendance_sheet``); once the
attendance is recorded, the committee needs the same list filled in: every member with what
was recorded — present, excused, absent, represented and by whom — the counts and the quorum
sentence the PV states, and the signature column kept for those who were there, so the
members present can still sign it and it can be filed or sent with the session's papers.
It is laid out like the empty sheet (same header, footer, identity and QR, watermark on a
demo folder), so the two read as the before and after of one paper.

The model records no arrival time, so the list shows none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ccsdesk.core.documents import attendance_sheet, attendance_words, fonts, layout, minutes_pdf
from ccsdesk.core.documents.session_record import SessionRecord, gather
from ccsdesk.core.errors import StateError
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "attendance-filled"
_MM = 72 / 25.4
# N°, name, structure / quality, attendance, signature: 174 mm.
WIDTHS = tuple(w * _MM for w in (9, 46, 50, 33, 36))
COUNT_WIDTHS = tuple(w * _MM for w in (29,) * 6)
SIGNATURE_ROOM = 9 * _MM
ORDER = ("present", "represented", "excused", "absent", None)


@dataclass(frozen=True)
class Line:
    """One row of the list: who, in what capacity, what was recorded, whether they sign."""

    name: str
    quality: str
    status: str | None
    text: str
    votes: bool


def lines(record: SessionRecord) -> list[Line]:
    """Members in office (bureau first, as on the empty sheet), then anyone recorded who has
    left office since, then the session's invited guests."""
    recorded = {info.member_id: info for info in record.attendance}
    result: list[Line] = []
    seen: set[int] = set()
    for person in record.members:
        info = recorded.get(person.member_id) if person.member_id is not None else None
        if info is None:
            continue
        seen.add(info.member_id)
        result.append(Line(person.name, person.quality, info.status,
                           minutes_pdf.status_of(info, person.sex), info.votes))
    for info in record.attendance:
        if info.member_id not in seen:
            result.append(Line(info.name, "", info.status, minutes_pdf.status_of(info),
                               info.votes))
    present_guests = set(record.guests_present)
    for guest in record.guests:
        status = "present" if guest.name in present_guests else "absent"
        result.append(Line(guest.name, guest.quality, status,
                           attendance_words.status_text(status), False))
    return result


def rows(record: SessionRecord) -> list[list[str]]:
    """Heading, then one row per person (the signature column left empty)."""
    result = [[_("No."), _("Full name"), _("Organisation / capacity"), _("Attendance"),
               _("Signature")]]
    result += [[str(number), line.name, line.quality, line.text, ""]
               for number, line in enumerate(lines(record), 1)]
    return result


def counts(record: SessionRecord) -> dict[str | None, int]:
    """How many members with a vote had each status (``None``: nothing recorded)."""
    found: dict[str | None, int] = dict.fromkeys(ORDER, 0)
    for info in record.attendance:
        if info.votes:
            found[info.status] = found.get(info.status, 0) + 1
    return found


def people_present(record: SessionRecord) -> int:
    """Everyone in the room: members present (with a vote or not) and guests present."""
    members = sum(1 for info in record.attendance if info.status == "present")
    return members + len(record.guests_present)


def count_rows(record: SessionRecord) -> list[list[str]]:
    """The figures under the list: one column per status, then the members in office."""
    found = counts(record)
    heading = [_("Members present"), _("Members represented"), _("Members excused"),
               _("Members absent"), _("Attendance not recorded"), _("Members in office")]
    figures = [str(found[status]) for status in ORDER]
    return [heading, [*figures, str(record.quorum.in_office)]]


def closing_line(record: SessionRecord) -> str:
    count = people_present(record)
    return ngettext("List closed at {count} person present.",
                    "List closed at {count} persons present.", count).format(count=count)


def content(record: SessionRecord) -> dict[str, Any]:
    """What the list shows, for its identity (``layout.identify``)."""
    return {"session": record.meeting.uid, "when": attendance_sheet.when_and_where(record),
            "rows": rows(record), "counts": count_rows(record),
            "quorum": minutes_pdf.quorum_sentence(record), "closing": closing_line(record)}


def check_recorded(record: SessionRecord) -> None:
    """Refuses a session whose attendance has not been recorded: the list would be empty."""
    if not record.quorum.recorded:
        raise StateError(_(
            "The attendance of the {session} has not been recorded yet: print the empty "
            "attendance sheet for the session, then record who came.").format(
                session=record.meeting.label))


def _table(record: SessionRecord) -> Flowable:
    from reportlab.lib import colors
    from reportlab.platypus import Spacer, TableStyle

    found = lines(record)
    table_rows: list[list[Any]] = [list(r) for r in rows(record)]
    greyed: list[tuple[Any, ...]] = []
    for index, line in enumerate(found, 1):
        if line.status == "present":
            table_rows[index][-1] = Spacer(1, SIGNATURE_ROOM)
        else:
            greyed.append(("BACKGROUND", (4, index), (4, index), colors.HexColor("#e6e6e6")))
    result = layout.table(table_rows, WIDTHS, numeric_columns=(0,), zebra=False)
    result.setStyle(TableStyle(greyed))
    return result


def _count_table(record: SessionRecord) -> Flowable:
    from reportlab.platypus import TableStyle

    result = layout.table(count_rows(record), COUNT_WIDTHS, zebra=False)
    result.setStyle(TableStyle([("ALIGN", (0, 1), (-1, -1), "CENTER"),
                                ("FONT", (0, 1), (-1, -1), fonts.BOLD, 10, 13)]))
    return result


def story(record: SessionRecord, day: date) -> list[Flowable]:
    from reportlab.platypus import Paragraph, Spacer

    s = layout.styles()
    esc = layout.escape
    flow = layout.header(record.head, day=day, title=_("ATTENDANCE LIST"),
                         subtitle=record.meeting.label, numbered=False)
    flow.append(Paragraph(esc(_("Session of {when}").format(
        when=attendance_sheet.when_and_where(record))), s["subtitle"]))
    flow.append(Paragraph(esc(_(
        "Attendance as recorded by the secretariat; the members present sign in the last "
        "column.")), s["body"]))
    closing: list[Flowable] = [
        Spacer(1, 5 * _MM),
        Paragraph(esc(_("Members in office with a vote")), s["heading"]),
        _count_table(record),
        Spacer(1, 3 * _MM),
        Paragraph(esc(minutes_pdf.quorum_sentence(record)), s["body"]),
        Paragraph(esc(closing_line(record)), s["body"]),
        *layout.signature_parts(_("The Secretary of the session"), record.secretary),
    ]
    # The figures and the signature go together, with the list's last rows: never a page
    # holding only a signature.
    flow.append(layout.table_then(_table(record), closing))
    return flow


def render(folder: DataFolder, meeting_id: int, *, doc_id: str | None = None) -> bytes:
    """The filled attendance list of session ``meeting_id`` as PDF bytes."""
    return from_record(gather(folder, meeting_id), doc_id=doc_id)


def from_record(record: SessionRecord, *, doc_id: str | None = None) -> bytes:
    """:func:`render` for an already gathered session; refuses unrecorded attendance."""
    check_recorded(record)
    identity = layout.identify(KIND, content(record), doc_id)
    return layout.build_pdf(record.head, identity, story(record, record.meeting.date),
                            title=_("Attendance list"), subject=record.meeting.label)

