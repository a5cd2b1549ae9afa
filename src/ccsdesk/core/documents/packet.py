"""The meeting packet: one signed PDF binding a session's documents for the District.

Cover (committee, session, contents with page numbers, the SHA-256 of the scanned wet-signed
PV), the convocation with its delivery sheet, the PV with its annexed attendance list, and
one form per recommendation — laid out as one ReportLab story, so that "page X sur Y" runs
over the whole packet and the bookmarks are native (no merge step, no extra dependency),
then signed with the committee's key (PAdES B-B) with the visible stamp on the cover.
``docs/formats/packet.md`` describes the structure.

Only a session whose minutes are **signed** makes a packet: the packet is what travels up,
and a draft PV must never travel as if it were the committee's word. Building one for an
unsigned PV is refused with a message saying what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsdesk.core import formats
from ccsdesk.core.documents import convocation, layout, minutes_pdf, recommendation_form
from ccsdesk.core.documents.session_record import SessionRecord, gather
from ccsdesk.core.errors import StateError
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "packet"
PACKET_VERSION = 1
FIELD_NAME = "SignatureComite"
_MM = 72 / 25.4
CONTENTS_WIDTHS = (12 * _MM, 140 * _MM, 22 * _MM)


@dataclass(frozen=True)
class BuiltPacket:
    """The packet's bytes (unsigned until :func:`sign`) and where its stamp goes."""

    data: bytes
    identity: layout.DocumentIdentity
    stamp_page: int
    stamp_box: tuple[float, float, float, float]
    parts: tuple[tuple[str, str], ...]
    signed: bool = False


def check_signed(record: SessionRecord) -> None:
    """Refuse a packet for minutes that are not signed (see the module docstring)."""
    if record.minutes.state != "signed":
        raise StateError(_(
            "The minutes of the {session} are not signed: only signed minutes go into the "
            "packet sent to the authorities. Adopt and sign them, then build the packet. "
            "The other documents (convocation, sheets, draft minutes) can still be printed."
        ).format(session=record.meeting.label))


def _parts(record: SessionRecord) -> list[tuple[str, str, int]]:
    """(bookmark key, title, outline level) in packet order."""
    parts = [("cover", _("Cover and contents"), 0),
             ("convocation", _("Convocation"), 0),
             ("delivery", _("Delivery sheet for the convocations"), 0),
             ("minutes", _("Minutes"), 0),
             ("attendance", _("Attendance list (annex to the minutes)"), 0),
             ("forms", _("Recommendation forms"), 0)]
    parts += [(f"form-{rec.number}", _("Recommendation No. {number}").format(
        number=rec.number), 1) for rec in record.recommendations]
    return parts


def _scan_lines(record: SessionRecord) -> list[str]:
    if record.scan is None:
        return [_("No scan of the PV signed on paper is attached to this session.")]
    return [
        _("Scan of the PV signed on paper: {file} ({size} bytes), attached on {date}.").format(
            file=record.scan.file_name, size=formats.number(record.scan.size),
            date=formats.long_date(date.fromisoformat(record.scan.attached_at[:10]))),
        _("SHA-256 of the scan: {digest}").format(digest=record.scan.sha256),
    ]


def _minutes_lines(record: SessionRecord) -> list[str]:
    text = record.minutes
    signed = text.signed_at
    lines = [_("Minutes: version {number}, signed by {signer} on {date}.").format(
        number=text.number, signer=text.signer,
        date=formats.long_date(signed.date()) if signed else "")]
    if text.reason:
        lines.append(_("Correction: {reason}").format(reason=text.reason))
    lines.append(_("SHA-256 of the minutes' text: {digest}").format(digest=text.text_hash))
    return lines


def cover(record: SessionRecord, day: date, spot: Any) -> list[Flowable]:
    from reportlab.platypus import Paragraph, Spacer

    s = layout.styles()
    esc = layout.escape
    meeting = record.meeting
    flow: list[Flowable] = [layout.bookmark("cover", _("Cover and contents"), 0)]
    flow += layout.header(
        record.head, day=day, title=_("SESSION PACKET"),
        subtitle=_("{session} — {date}").format(session=meeting.label,
                                               date=formats.long_date(meeting.date)),
        objet=_("Transmission of the documents of the {session}").format(
            session=meeting.label))
    flow.append(Paragraph(esc(_(
        "This packet brings together the documents of the {session} of the {committee}. It "
        "is signed electronically with the committee's key: any change to the file breaks "
        "the signature, which any PDF reader can check.").format(
            session=meeting.label, committee=record.committee_full_name)), s["body"]))
    flow.append(Paragraph(esc(_("Contents")), s["heading"]))
    rows: list[list[Any]] = [[_("No."), _("Document"), _("Page")]]
    number = 0
    for key, title, level in _parts(record)[1:]:
        if level == 0:
            number += 1
        label = title if level == 0 else "• " + title
        rows.append(["" if level else str(number), label,
                     layout.page_ref(key, CONTENTS_WIDTHS[2] - 6)])
    flow.append(layout.table(rows, CONTENTS_WIDTHS, numeric_columns=(0,), zebra=False))
    flow.append(Spacer(1, 3 * _MM))
    flow += [Paragraph(esc(line), s["small"]) for line in _minutes_lines(record)]
    flow += [Paragraph(esc(line), s["small"]) for line in _scan_lines(record)]
    flow.append(layout.signature_block(
        record.chair_title, record.president, spot=spot))
    return flow


def content(record: SessionRecord, day: date) -> dict[str, Any]:
    """Everything the packet shows, for its identity (what the QR code's hash covers)."""
    return {
        "version": PACKET_VERSION, "session": record.meeting.uid, "date": day.isoformat(),
        "convocation": convocation.content(record, convocation.letter_date(record, day),
                                           False),
        "delivery": convocation.delivery_rows(record),
        "minutes": minutes_pdf.content(record),
        "forms": recommendation_form.content(record),
        "scan": None if record.scan is None else record.scan.sha256,
    }


def story(record: SessionRecord, day: date, spot: Any) -> list[Flowable]:
    from reportlab.platypus import PageBreak

    letter_day = convocation.letter_date(record, day)
    flow = cover(record, day, spot)
    flow += [PageBreak(), layout.bookmark("convocation", _("Convocation"), 0)]
    flow += convocation.story(record, letter_day)
    flow += [PageBreak(), layout.bookmark("delivery",
                                          _("Delivery sheet for the convocations"), 0)]
    flow += convocation.delivery_story(record, letter_day)
    flow += [PageBreak(), layout.bookmark("minutes", _("Minutes"), 0)]
    flow += minutes_pdf.story(record, annex_mark=layout.bookmark(
        "attendance", _("Attendance list (annex to the minutes)"), 0))
    flow += [PageBreak(), layout.bookmark("forms", _("Recommendation forms"), 0)]
    for index, rec in enumerate(record.recommendations):
        if index:
            flow.append(PageBreak())
        flow.append(layout.bookmark(f"form-{rec.number}", _("Recommendation No. {number}")
                                    .format(number=rec.number), 1))
        flow += recommendation_form.fiche(rec, record, day)
    if not record.recommendations:
        flow += recommendation_form.story(record, day)
    return flow


def build(folder: DataFolder, meeting_id: int, *, today: date | None = None,
          doc_id: str | None = None, record: SessionRecord | None = None) -> BuiltPacket:
    """The unsigned packet of session ``meeting_id`` (refused unless its minutes are signed)."""
    record = record or gather(folder, meeting_id)
    check_signed(record)
    day = today or date.today()
    identity = layout.identify(KIND, content(record, day), doc_id)
    spot = layout.stamp_spot()
    data = layout.build_pdf(record.head, identity, story(record, day, spot),
                            title=_("Session packet — {session}").format(
                                session=record.meeting.label),
                            subject=record.meeting.label)
    assert spot.page is not None and spot.box is not None  # drawn on the cover
    return BuiltPacket(data, identity, spot.page, spot.box,
                       tuple((key, title) for key, title, _level in _parts(record)))


def sign(folder: DataFolder, built: BuiltPacket, passphrase: str, *,
         via: Any = None) -> BuiltPacket:
    """The packet signed with the committee's key, the visible stamp on the cover.

    ``via``: where pyHanko signs (``signing.sign_pdf``); the command line's helper process.
    """
    from ccsdesk.core.exchange import signing

    data = signing.sign_pdf(folder, built.data, passphrase, field_name=FIELD_NAME,
                            on_page=built.stamp_page, box=built.stamp_box,
                            reason=_("Session packet issued by the committee"), via=via)
    return BuiltPacket(data, built.identity, built.stamp_page, built.stamp_box, built.parts,
                       signed=True)


def build_signed(folder: DataFolder, meeting_id: int, passphrase: str, *,
                 today: date | None = None) -> BuiltPacket:
    """Build and sign: what ``documents MEETING`` and the window's button do."""
    return sign(folder, build(folder, meeting_id, today=today), passphrase)


def write(folder: DataFolder, meeting_id: int, path: Path, passphrase: str, *,
          today: date | None = None) -> BuiltPacket:
    built = build_signed(folder, meeting_id, passphrase, today=today)
    write_atomically(Path(path), built.data)
    return built

