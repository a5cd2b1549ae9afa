"""The convocation letter and its delivery sheet (bordereau de remise).

Convocations are delivered by hand in most communes: each member receives a letter signed by
the president, and signs the delivery sheet, which is the committee's paper proof that notice
was given in time (``domain.md``, "Convocation"). The letter exists in two forms: one per
recipient (addressed by name, one page each) or one general letter with the list of those
convened annexed, which is the one bound into the meeting packet.

The president convenes and signs: no letter is addressed to them, and neither the list of
those convened nor the delivery sheet names them (``SessionRecord.convened``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ccsdesk.core import formats
from ccsdesk.core.documents import fonts, french_words, layout
from ccsdesk.core.documents.session_record import Person, SessionRecord, gather
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "convocation"
DELIVERY_KIND = "delivery"
_MM = 72 / 25.4
# N°, name, structure / quality, date of delivery, signature: 174 mm.
DELIVERY_WIDTHS = tuple(w * _MM for w in (9, 45, 50, 27, 43))
LIST_WIDTHS = tuple(w * _MM for w in (9, 60, 105))
SIGNATURE_ROOM = 9 * _MM


def letter_date(record: SessionRecord, today: date | None) -> date:
    """The letter's date: when convocations went out, else the day it is printed."""
    return record.convened_on or today or date.today()


def _salutation(person: Person | None) -> str:
    if person is None or not person.sex:
        return _("Madam, Sir,")
    return _("Madam,") if person.sex == "F" else _("Sir,")


def _addressee(person: Person | None) -> list[str]:
    if person is None:
        return [_("To the members of the"), _("Security Consultative Committee")]
    title = "" if not person.sex else (_("Madam") if person.sex == "F" else _("Sir"))
    lines = [_("To"), f"{title} {person.name}".strip()]
    if person.quality:
        lines.append(person.quality)
    return lines


def _venue_clause(record: SessionRecord) -> str:
    venue = record.meeting.venue
    return french_words.at_venue(venue) if venue else _("at the usual meeting place")


def body(record: SessionRecord) -> list[str]:
    """The letter's paragraphs before the agenda (shared by both forms and the identity)."""
    meeting = record.meeting
    when = formats.full_date(meeting.date)
    if meeting.time:
        first = _("I have the honour to convene you to the {session} of the {committee}, "
                  "which will be held on {date} at {time}, {venue}.").format(
                      session=meeting.label, committee=record.committee_full_name, date=when,
                      time=french_words.hour_in_words(meeting.time),
                      venue=_venue_clause(record))
    else:
        first = _("I have the honour to convene you to the {session} of the {committee}, "
                  "which will be held on {date}, {venue}.").format(
                      session=meeting.label, committee=record.committee_full_name, date=when,
                      venue=_venue_clause(record))
    return [first, _("The agenda is as follows:")]


def _agenda_items(record: SessionRecord) -> list[tuple[str, str]]:
    """(number, text) of each agenda item, the presenter after the title."""
    items = []
    for item in record.meeting.agenda:
        text = item.title
        if item.presenter:
            text += " " + _("(presented by {name})").format(name=item.presenter)
        items.append((f"{item.position}.", text))
    return items


def agenda_lines(record: SessionRecord) -> list[str]:
    return [f"{number} {text}" for number, text in _agenda_items(record)]


def letter(record: SessionRecord, person: Person | None, day: date) -> list[Flowable]:
    """One convocation letter (``person`` None: the general one, list of recipients after)."""
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    s = layout.styles()
    esc = layout.escape
    meeting = record.meeting
    flow = layout.header(record.head, day=day, title=_("CONVOCATION"),
                         objet=_("Convocation to the {session}").format(session=meeting.label))
    address = Table([["", [Paragraph(esc(line), s["plain"]) for line in _addressee(person)]]],
                    colWidths=[layout.FRAME_WIDTH * 0.5, layout.FRAME_WIDTH * 0.5])
    address.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR, 10),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    flow += [address, Spacer(1, 6 * _MM), Paragraph(esc(_salutation(person)), s["body"])]
    paragraphs = body(record)
    flow += [Paragraph(esc(text), s["body"]) for text in paragraphs]
    items = _agenda_items(record)
    flow += [Paragraph(esc(text), s["numbered"], bulletText=number) for number, text in items]
    if not items:
        flow.append(Paragraph(esc(_("The agenda will be handed out at the session.")),
                              s["plain"]))
    flow.append(Spacer(1, 3 * _MM))
    flow.append(Paragraph(esc(_(
        "Given the importance of the items on the agenda, your attendance is strongly "
        "requested. If you cannot attend, please have yourself represented by another member "
        "or inform the committee's secretariat.")), s["body"]))
    flow.append(Paragraph(esc(_("Please accept, {salutation} the assurance of my highest "
                                "consideration.").format(
                                    salutation=_salutation(person))), s["body"]))
    flow.append(layout.signature_block(record.chair_title, record.president))
    if person is None and record.convened:
        rows: list[list[Any]] = [[_("No."), _("Full name"), _("Organisation / capacity")]]
        rows += [[str(n), p.name, p.quality] for n, p in enumerate(record.convened, 1)]
        flow.append(Spacer(1, 4 * _MM))
        flow.append(Paragraph(esc(_("List of the persons convened")), s["heading"]))
        flow.append(layout.table(rows, LIST_WIDTHS, numeric_columns=(0,)))
    return flow


def content(record: SessionRecord, day: date, per_recipient: bool) -> dict[str, Any]:
    """What the letter shows, for its identity (``layout.identify``)."""
    return {"committee": record.head.committee_name, "session": record.meeting.uid,
            "date": day.isoformat(), "body": body(record), "agenda": agenda_lines(record),
            "president": record.president, "per_recipient": per_recipient,
            "recipients": [[p.name, p.quality] for p in record.convened]}


def story(record: SessionRecord, day: date, *, per_recipient: bool = False) -> list[Flowable]:
    """The general letter, or one letter per recipient, each on its own page(s).

    Each individual letter is paginated on its own ("page 1 sur 1", or "page 2 sur 2" when a
    long agenda pushes it over a page): it goes to one person, who must not wonder where
    pages 1 to 6 of "page 7 sur 23" went. The file keeps one identity (see
    ``docs/formats/document-identity.md``).
    """
    from reportlab.platypus import PageBreak

    if not per_recipient:
        return letter(record, None, day)
    flow: list[Flowable] = []
    for index, person in enumerate(record.convened):
        if index:
            flow.append(PageBreak())
        flow.append(layout.restart_numbering())
        flow += letter(record, person, day)
    return flow or letter(record, None, day)


def render(folder: DataFolder, meeting_id: int, *, per_recipient: bool = False,
           today: date | None = None, doc_id: str | None = None) -> bytes:
    """The convocation(s) of session ``meeting_id`` as PDF bytes."""
    return from_record(gather(folder, meeting_id), per_recipient=per_recipient, today=today,
                       doc_id=doc_id)


def from_record(record: SessionRecord, *, per_recipient: bool = False,
                today: date | None = None, doc_id: str | None = None) -> bytes:
    """:func:`render` for an already gathered session (the command line reads it once)."""
    day = letter_date(record, today)
    identity = layout.identify(KIND, content(record, day, per_recipient), doc_id)
    return layout.build_pdf(record.head, identity, story(record, day,
                                                         per_recipient=per_recipient),
                            title=_("Convocation"), subject=record.meeting.label)


# --- the delivery sheet ----------------------------------------------------------------

def delivery_rows(record: SessionRecord) -> list[list[str]]:
    rows = [[_("No."), _("Full name"), _("Organisation / capacity"), _("Date of delivery"),
             _("Signature")]]
    for number, person in enumerate(record.convened, 1):
        delivered = (record.delivered.get(person.member_id) if person.member_id is not None
                     else record.delivered_guests.get(person.guest_id)
                     if person.guest_id is not None else None)
        rows.append([str(number), person.name, person.quality,
                     formats.short_date(delivered) if delivered else "", ""])
    return rows


def delivery_story(record: SessionRecord, day: date) -> list[Flowable]:
    """The bordereau: one row per person convened, an empty column for their signature."""
    from reportlab.platypus import Paragraph, Spacer

    s = layout.styles()
    meeting = record.meeting
    flow = layout.header(
        record.head, day=day, title=_("DELIVERY SHEET FOR THE CONVOCATIONS"),
        subtitle=_("{session} — {date}").format(session=meeting.label,
                                               date=formats.long_date(meeting.date)),
        objet=_("Delivery of the convocations to the {session}").format(
            session=meeting.label))
    flow.append(Paragraph(layout.escape(_(
        "Each person signs on receiving the convocation; the date of delivery is written "
        "beside the signature.")), s["body"]))
    rows: list[list[Any]] = [list(r) for r in delivery_rows(record)]
    for row in rows[1:]:
        row[-1] = Spacer(1, SIGNATURE_ROOM)
    flow.append(layout.table_then(
        layout.table(rows, DELIVERY_WIDTHS, numeric_columns=(0,), zebra=False),
        layout.signature_parts(_("The Secretary of the Committee"), record.secretary)))
    return flow


def render_delivery(folder: DataFolder, meeting_id: int, *, today: date | None = None,
                    doc_id: str | None = None) -> bytes:
    """The delivery sheet of session ``meeting_id`` as PDF bytes."""
    return delivery_from_record(gather(folder, meeting_id), today=today, doc_id=doc_id)


def delivery_from_record(record: SessionRecord, *, today: date | None = None,
                         doc_id: str | None = None) -> bytes:
    day = letter_date(record, today)
    identity = layout.identify(DELIVERY_KIND, {
        "session": record.meeting.uid, "date": day.isoformat(),
        "rows": delivery_rows(record)}, doc_id)
    return layout.build_pdf(record.head, identity, delivery_story(record, day),
                            title=_("Delivery sheet"), subject=record.meeting.label)
