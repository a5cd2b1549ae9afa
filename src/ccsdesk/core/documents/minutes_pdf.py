"""The procès-verbal (PV) of a session, in the structure a Malian administration expects.

It opens with the date in words ("L'an deux mille vingt-six et le sept décembre, s'est tenue
…"), names the chair and the secretary, states who was present, represented, excused or
absent and whether the quorum was reached, then the agenda, the proceedings point by point,
the numbered recommendations, *divers*, the closing hour and the two signature blocks, with
the attendance list annexed (``domain.md``, "Procès-verbal"). Minutes that are not signed yet
are printed as a draft (PROJET) so a draft can never pass for the signed PV; a corrected
version states its number and the reason for the correction.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from ccsdesk.core import formats
from ccsdesk.core.documents import attendance_words, fonts, french_words, layout
from ccsdesk.core.documents.session_record import SessionRecord, gather
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import attendance, meetings
from ccsdesk.core.services import recommendations as recs
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "minutes"
_MM = 72 / 25.4
ANNEX_WIDTHS = tuple(w * _MM for w in (9, 50, 62, 53))
ELLIPSIS = "…"


@cache
def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    s = layout.styles()
    return {
        "point": ParagraphStyle("pv_point", parent=s["plain"], fontName=fonts.BOLD,
                                spaceBefore=6, spaceAfter=3, keepWithNext=1),
        "draft": ParagraphStyle("pv_draft", parent=s["plain"], fontName=fonts.BOLD,
                                fontSize=10, alignment=TA_CENTER, spaceAfter=6,
                                textColor=colors.HexColor("#a00000")),
        "note": ParagraphStyle("pv_note", parent=s["small"], leftIndent=12, spaceAfter=4),
        "annex_group": ParagraphStyle("pv_annex_group", parent=s["cell"],
                                      fontName=fonts.BOLD),
    }


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def opening_sentence(record: SessionRecord) -> str:
    """"L'an deux mille vingt-six et le sept décembre, s'est tenue …": the PV's first words."""
    meeting, text = record.meeting, record.minutes
    chair = record.president or ELLIPSIS
    if record.head.chair_title:
        chair = f"{chair}, {_lower_first(record.head.chair_title)}"
    sentence = attendance_words.gendered((
        N_("{date_words}, the {ordinal} {kind} session of the {committee} was held {venue}, "
           "from {start} to {end}, convened by the President on {convened}, chaired by "
           "{chair}."),
        N_("{date_words}, the {ordinal} {kind} session of the {committee} was held {venue}, "
           "from {start} to {end}, convened by the President on {convened}, chaired by "
           "{chair}. (of a woman)")), record.president_sex).format(
        date_words=french_words.pv_opening_date(meeting.date),
        ordinal=french_words.ordinal_feminine(meeting.number),
        kind=_(meetings.KINDS.get(meeting.kind, meeting.kind)),
        committee=record.committee_full_name,
        venue=french_words.at_venue(meeting.venue) if meeting.venue else ELLIPSIS,
        start=french_words.hour_in_words(meeting.time) if meeting.time else ELLIPSIS,
        end=french_words.hour_in_words(text.closing_time) if text.closing_time else ELLIPSIS,
        convened=formats.long_date(record.convened_on) if record.convened_on else ELLIPSIS,
        chair=chair,
    )
    if meeting.second_convocation_of is not None:
        sentence += " " + _("The committee met on a second convocation.")
    return sentence


def _sexes(record: SessionRecord) -> dict[int, str]:
    """Member id → sex (``F``/``M``/empty), for words that agree with the person."""
    return {p.member_id: p.sex for p in record.members if p.member_id is not None}


def attendance_lines(record: SessionRecord) -> list[str]:
    """Present, represented, excused and absent members, then the quorum sentence."""
    sexes = _sexes(record)
    voting = [a for a in record.attendance if a.votes]
    lines = []
    for status in ("present", "represented", "excused", "absent"):
        found = [a for a in voting if a.status == status]
        if not found:
            continue
        names = [_("{name} (by {proxy})").format(name=a.name, proxy=a.represented_by_name)
                 if status == "represented" else a.name for a in found]
        lines.append(attendance_words.group_line(
            status, names, [sexes.get(a.member_id, "") for a in found]))
    guests = [a.name for a in record.attendance if not a.votes and a.status == "present"]
    guests += record.guests_present
    if guests:
        lines.append(_("Also attended, without a vote: {names}.").format(
            names=", ".join(guests)))
    lines.append(quorum_sentence(record))
    return lines


def quorum_sentence(record: SessionRecord) -> str:
    """Whether the committee could deliberate, with the figures (the PV and the list)."""
    quorum = record.quorum
    if not quorum.recorded:
        return _("The attendance was not recorded.")
    rule = _(attendance.RULES.get(quorum.rule, quorum.rule))
    if quorum.second_convocation and quorum.reached:
        return _("Meeting on a second convocation, the committee deliberates validly "
                 "whatever the number of members present ({counted} of {in_office})."
                 ).format(counted=quorum.counted, in_office=quorum.in_office)
    if quorum.reached:
        return ngettext(
            "Of the {in_office} members in office with a vote, {counted} was present or "
            "represented; the quorum being {required} ({rule}), the committee could validly "
            "deliberate.",
            "Of the {in_office} members in office with a vote, {counted} were present or "
            "represented; the quorum being {required} ({rule}), the committee could validly "
            "deliberate.", quorum.counted).format(
                in_office=quorum.in_office, counted=quorum.counted,
                required=quorum.required, rule=rule)
    return ngettext(
        "Of the {in_office} members in office with a vote, {counted} was present or "
        "represented; the quorum of {required} ({rule}) was not reached.",
        "Of the {in_office} members in office with a vote, {counted} were present or "
        "represented; the quorum of {required} ({rule}) was not reached.",
        quorum.counted).format(in_office=quorum.in_office, counted=quorum.counted,
                               required=quorum.required, rule=rule)


def recommendation_line(rec: recs.RecommendationInfo) -> str:
    return _("Recommendation No. {number}: {text}").format(number=rec.number, text=rec.text)


def recommendation_details(rec: recs.RecommendationInfo) -> str:
    return _("Addressee: {addressee}; deadline: {deadline}; priority: {priority}.").format(
        addressee=rec.addressee, deadline=formats.long_date(rec.deadline),
        priority=_(recs.PRIORITIES.get(rec.priority, rec.priority)))


def closing_sentence(record: SessionRecord) -> str:
    closing = record.minutes.closing_time
    sex = record.president_sex
    if closing:
        return attendance_words.gendered((
            N_("The agenda being exhausted, the President closed the session at {time}."),
            N_("The agenda being exhausted, the President closed the session at {time}. "
               "(of a woman)")), sex).format(time=french_words.hour_in_words(closing))
    return attendance_words.gendered((
        N_("The agenda being exhausted, the President closed the session."),
        N_("The agenda being exhausted, the President closed the session. (of a woman)")),
        sex)


def _enumeration(items: list[str]) -> str:
    """``1``, ``1 et 2``, ``1, 2 et 3``."""
    if len(items) < 2:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def status_of(info: attendance.AttendanceInfo, sex: str = "") -> str:
    """``présente``, ``représenté par …``: one member's attendance, agreed with the person."""
    return attendance_words.status_text(info.status, sex, info.represented_by_name)


def guests_heading() -> str:
    """The row that opens the guests' part of the annex, across the whole table."""
    return _("Guests (without a vote)")


def annex_rows(record: SessionRecord) -> list[list[str]]:
    """Heading, the members with their attendance, then the guests present.

    The guests come under their own heading row (:func:`guests_heading`) and are numbered
    from 1 again, so the members' numbering stays the count of members; they count in no
    figure of the PV. A PV signed before the annex named them keeps it without
    (``record.annex_guests``).
    """
    qualities = {p.member_id: p.quality for p in record.members}
    sexes = _sexes(record)
    result = [[_("No."), _("Full name"), _("Organisation / capacity"), _("Attendance")]]
    for number, info in enumerate(record.attendance, 1):
        result.append([str(number), info.name, qualities.get(info.member_id, ""),
                       status_of(info, sexes.get(info.member_id, ""))])
    present = set(record.guests_present)
    guests = [g for g in record.guests if g.name in present] if record.annex_guests else []
    if guests:
        result.append(["", guests_heading(), "", ""])
        result += [[str(number), guest.name, guest.quality,
                    attendance_words.status_text("present")]
                   for number, guest in enumerate(guests, 1)]
    return result


def _annex_table(record: SessionRecord) -> Flowable:
    """The annexed list; the guests' heading row spans the table, shaded like a heading."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, TableStyle

    rows: list[list[Any]] = [list(row) for row in annex_rows(record)]
    heading = guests_heading()
    spans: list[tuple[Any, ...]] = []
    for index, row in enumerate(rows[1:], 1):
        if row[1] == heading and not row[0]:
            rows[index] = [Paragraph(layout.escape(heading), _styles()["annex_group"]),
                           "", "", ""]
            spans += [("SPAN", (0, index), (-1, index)),
                      ("BACKGROUND", (0, index), (-1, index), colors.HexColor("#ececec"))]
    result = layout.table(rows, ANNEX_WIDTHS, numeric_columns=(0,))
    if spans:
        result.setStyle(TableStyle(spans))
    return result


def version_line(record: SessionRecord) -> str:
    text = record.minutes
    if text.number <= 1:
        return ""
    if text.reason:
        return _("Version {number}, corrected: {reason}").format(number=text.number,
                                                                 reason=text.reason)
    return _("Version {number}").format(number=text.number)


def draft_line(record: SessionRecord) -> str:
    """Empty for signed minutes; otherwise the DRAFT warning printed under the title."""
    state = record.minutes.state
    if state == "signed":
        return ""
    if state == "adopted":
        return _("DRAFT — minutes adopted, not signed yet")
    return _("DRAFT — minutes being written, neither adopted nor signed")


def signed_on(record: SessionRecord) -> date:
    signed = record.minutes.signed_at
    return signed.date() if signed else record.meeting.date


def content(record: SessionRecord) -> dict[str, Any]:
    text = record.minutes
    return {
        "session": record.meeting.uid, "version": text.number, "state": text.state,
        "text_hash": text.text_hash, "opening": opening_sentence(record),
        "attendance": attendance_lines(record), "opening_text": text.opening,
        "items": [[i.position, i.title, i.text] for i in text.items], "divers": text.divers,
        "recommendations": [[r.number, r.text, r.addressee] for r in record.pv_recommendations],
        "closing": closing_sentence(record), "annex": annex_rows(record),
        "reason": text.reason,
    }


def _paragraphs(text: str, style: Any) -> list[Flowable]:
    from reportlab.platypus import Paragraph

    return [Paragraph(layout.escape(line), style) for line in text.splitlines()
            if line.strip()]


def _signatures(record: SessionRecord) -> Flowable:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    s = layout.styles()
    esc = layout.escape

    def column(title: str, name: str) -> list[Flowable]:
        cells: list[Flowable] = [Paragraph(esc(title), s["signature"]), Spacer(1, 22 * _MM)]
        if name:
            cells.append(Paragraph(esc(name), s["signature"]))
        return cells

    half = layout.FRAME_WIDTH / 2
    block = Table([[column(_("The Rapporteur"), record.secretary),
                    column(record.chair_title,
                           record.president)]], colWidths=[half, half])
    block.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR, 10),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    place = _("Done at {town}, on {date}").format(
        town=record.head.town, date=formats.long_date(signed_on(record)))
    return KeepTogether([Spacer(1, 4 * _MM), Paragraph(esc(place), s["dateline"]),
                         Spacer(1, 4 * _MM), block])


def story(record: SessionRecord, *, annex_mark: Flowable | None = None) -> list[Flowable]:
    """The PV's flowables: header to signatures, then the annexed attendance list.

    ``annex_mark`` (a ``layout.bookmark``) is put at the top of the annex: the packet
    bookmarks the attendance list there.
    """
    from reportlab.platypus import PageBreak, Paragraph

    s, own = layout.styles(), _styles()
    esc = layout.escape
    meeting, text = record.meeting, record.minutes
    flow = layout.header(record.head, day=meeting.date, title=_("MINUTES"),
                         subtitle=_("of the {session}").format(session=meeting.label))
    for line in (draft_line(record), version_line(record)):
        if line:
            flow.append(Paragraph(esc(line), own["draft"]))
    flow.append(Paragraph(esc(opening_sentence(record)), s["body"]))
    if record.secretary:
        flow.append(Paragraph(esc(_("The secretariat of the session was provided by {name}.")
                                  .format(name=record.secretary)), s["body"]))
    flow.append(Paragraph(esc(_("Attendance and quorum")), s["heading"]))
    flow += [Paragraph(esc(line), s["body"]) for line in attendance_lines(record)]
    flow.append(Paragraph(esc(_("Agenda")), s["heading"]))
    flow += [Paragraph(esc(item.title), s["numbered"], bulletText=f"{item.position}.")
             for item in meeting.agenda]
    if text.opening.strip():
        flow.append(Paragraph(esc(_("Opening of the session")), s["heading"]))
        flow += _paragraphs(text.opening, s["body"])
    flow.append(Paragraph(esc(_("Proceedings")), s["heading"]))
    by_item: dict[int | None, list[recs.RecommendationInfo]] = {}
    for rec in record.pv_recommendations:
        by_item.setdefault(rec.agenda_position, []).append(rec)
    for item in text.items:
        flow.append(Paragraph(esc(_("Item {position}: {title}").format(
            position=item.position, title=item.title)), own["point"]))
        flow += _paragraphs(item.text, s["body"]) or [
            Paragraph(esc(_("Nothing was recorded on this item.")), s["body"])]
        linked = by_item.get(item.position, [])
        if linked:
            flow.append(Paragraph(esc(ngettext(
                "See recommendation No. {numbers}.", "See recommendations No. {numbers}.",
                len(linked)).format(numbers=_enumeration([str(r.number) for r in linked]))),
                own["note"]))
    flow.append(Paragraph(esc(_("Recommendations")), s["heading"]))
    if not record.pv_recommendations:
        flow.append(Paragraph(esc(_("The session made no recommendation.")), s["body"]))
    for rec in record.pv_recommendations:
        flow.append(Paragraph(esc(recommendation_line(rec)), s["body"]))
        flow.append(Paragraph(esc(recommendation_details(rec)), own["note"]))
    flow.append(Paragraph(esc(_("Any other business")), s["heading"]))
    flow += _paragraphs(text.divers, s["body"]) or [Paragraph(esc(_("None.")), s["body"])]
    flow.append(Paragraph(esc(closing_sentence(record)), s["body"]))
    flow.append(_signatures(record))
    flow.append(PageBreak())
    if annex_mark is not None:
        flow.append(annex_mark)
    flow.append(Paragraph(esc(_("ANNEX: ATTENDANCE LIST")), s["title"]))
    flow.append(Paragraph(esc(_("{session} — {date}").format(
        session=meeting.label, date=formats.long_date(meeting.date))), s["subtitle"]))
    flow.append(_annex_table(record))
    return flow


def render(folder: DataFolder, meeting_id: int, *, doc_id: str | None = None) -> bytes:
    """The PV of session ``meeting_id`` (its current version) as PDF bytes."""
    return from_record(gather(folder, meeting_id), doc_id=doc_id)


def from_record(record: SessionRecord, *, doc_id: str | None = None) -> bytes:
    identity = layout.identify(KIND, content(record), doc_id)
    return layout.build_pdf(record.head, identity, story(record), title=_("Minutes"),
                            subject=record.meeting.label)
