"""The feuille d'émargement: the attendance sheet members sign as they arrive.

It is printed before the session (``domain.md``, "Liste de présence"): every member in office
and every invited guest on a row with an empty signature column, and a few blank rows for
people who come without being on the list. After the session, the secretary records the
attendance from it; the PV annexes the recorded list.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ccsdesk.core import formats
from ccsdesk.core.documents import french_words, layout
from ccsdesk.core.documents.session_record import SessionRecord, gather
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "attendance"
_MM = 72 / 25.4
# N°, name, structure / quality, telephone, signature: 174 mm.
WIDTHS = tuple(w * _MM for w in (9, 44, 52, 27, 42))
SIGNATURE_ROOM = 9 * _MM
BLANK_ROWS = 5


def rows(record: SessionRecord) -> list[list[str]]:
    """Heading, then the members in office (bureau first) and the guests."""
    result = [[_("No."), _("Full name"), _("Organisation / capacity"), _("Telephone"),
               _("Signature")]]
    for number, person in enumerate(record.recipients, 1):
        result.append([str(number), person.name, person.quality, person.phone, ""])
    return result


def when_and_where(record: SessionRecord) -> str:
    meeting = record.meeting
    text = formats.full_date(meeting.date)
    if meeting.time:
        text = _("{date} at {time}").format(date=text,
                                            time=french_words.hour_in_words(meeting.time))
    if meeting.venue:
        text += " — " + meeting.venue
    return text


def story(record: SessionRecord, day: date) -> list[Flowable]:
    from reportlab.platypus import Paragraph, Spacer

    s = layout.styles()
    meeting = record.meeting
    flow = layout.header(record.head, day=day, title=_("ATTENDANCE SHEET"),
                         subtitle=meeting.label, numbered=False)
    flow.append(Paragraph(layout.escape(_("Session of {when}").format(
        when=when_and_where(record))), s["subtitle"]))
    table_rows: list[list[Any]] = [list(r) for r in rows(record)]
    first_blank = len(table_rows)
    table_rows += [[str(n), "", "", "", ""] for n in range(first_blank, first_blank + BLANK_ROWS)]
    for row in table_rows[1:]:
        row[-1] = Spacer(1, SIGNATURE_ROOM)
    closing = [Spacer(1, 4 * _MM), Paragraph(layout.escape(_(
        "List closed at ______ persons present, at ____ h ____.")), s["plain"]),
        *layout.signature_parts(_("The Secretary of the session"), record.secretary)]
    flow.append(layout.table_then(
        layout.table(table_rows, WIDTHS, numeric_columns=(0,), zebra=False), closing))
    return flow


def render(folder: DataFolder, meeting_id: int, *, today: date | None = None,
           doc_id: str | None = None) -> bytes:
    """The attendance sheet of session ``meeting_id`` as PDF bytes (dated the session day)."""
    return from_record(gather(folder, meeting_id), today=today, doc_id=doc_id)


def from_record(record: SessionRecord, *, today: date | None = None,
                doc_id: str | None = None) -> bytes:
    day = record.meeting.date
    identity = layout.identify(KIND, {"session": record.meeting.uid,
                                      "when": when_and_where(record), "rows": rows(record)},
                               doc_id)
    return layout.build_pdf(record.head, identity, story(record, day),
                            title=_("Attendance sheet"), subject=record.meeting.label)
