"""The fiche de recommandation: one page per recommendation, with its follow-up history.

There is no official model (``domain.md``), so the form follows what the committees' files
show: a ruled two-column form (rubric, content) that a District clerk can read at a glance —
number, session, problem observed, recommendation, addressee, who follows it up, deadline,
priority, theme, place, status — and the dated history of its follow-up below.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ccsdesk.core import formats
from ccsdesk.core.documents import layout
from ccsdesk.core.documents.session_record import SessionRecord, gather
from ccsdesk.core.i18n import _
from ccsdesk.core.services import recommendations as recs
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "recommendation"
_MM = 72 / 25.4
LABEL_WIDTH = 48 * _MM
HISTORY_WIDTHS = tuple(w * _MM for w in (24, 42, 36, 72))


def fields(rec: recs.RecommendationInfo, record: SessionRecord) -> list[tuple[str, str]]:
    """(rubric, content) pairs, in the order of the form."""
    meeting = record.meeting
    session = _("{session} of {date}").format(session=meeting.label,
                                              date=formats.long_date(meeting.date))
    item = ""
    if rec.agenda_position is not None:
        titles = {a.position: a.title for a in meeting.agenda}
        item = f"{rec.agenda_position}. {titles.get(rec.agenda_position, '')}".strip()
    status = _("{status} (since {date})").format(
        status=_(recs.STATUSES.get(rec.status, rec.status)),
        date=formats.long_date(rec.status_at.date()))
    pairs = [
        (_("Recommendation No."), str(rec.number)),
        (_("Session"), session),
        (_("Agenda item"), item),
        (_("Problem observed"), rec.problem),
        (_("Recommendation"), rec.text),
        (_("Addressee"), rec.addressee),
        (_("Followed up by"), rec.follow_up_by),
        (_("Deadline"), formats.long_date(rec.deadline)),
        (_("Priority"), _(recs.PRIORITIES.get(rec.priority, rec.priority))),
        (_("Theme"), rec.theme),
        (_("Place"), rec.place),
        (_("Status"), status),
    ]
    if rec.origin and rec.origin != record.head.committee_name:
        pairs.append((_("Issued by"), rec.origin))
    return pairs


def history_rows(rec: recs.RecommendationInfo, own_uid: str = "") -> list[list[str]]:
    """The follow-up table; a step decided by another committee than ``own_uid`` (one that
    came down from the District…) says so beside its status."""
    rows = [[_("Date"), _("Status"), _("By"), _("Note")]]
    for step in rec.history:
        status = _(recs.STATUSES.get(step.status, step.status))
        elsewhere = recs.decided_elsewhere(step, own_uid)
        if elsewhere:
            status = f"{status} — {recs.decided_by(elsewhere)}"
        rows.append([formats.short_date(step.at.date()), status, step.author, step.note])
    return rows


def fiche(rec: recs.RecommendationInfo, record: SessionRecord, day: date) -> list[Flowable]:
    """One form (it fits one page unless its texts are very long)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from ccsdesk.core.documents import fonts

    s = layout.styles()
    esc = layout.escape
    flow = layout.header(record.head, day=day, title=_("RECOMMENDATION FORM"),
                         subtitle=_("No. {number} — {session}").format(
                             number=rec.number, session=record.meeting.label))
    value_width = layout.FRAME_WIDTH - LABEL_WIDTH
    # Plain cells where they fit: 30 forms of 12 rows are most of the packet's build time.
    data = [[layout.fitted_cell(label, LABEL_WIDTH, bold=True),
             layout.fitted_cell(value, value_width)] for label, value in fields(rec, record)]
    form = Table(data, colWidths=[LABEL_WIDTH, value_width])
    form.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, layout.CELL_SIZE, layout.CELL_LEADING),
        ("FONT", (0, 0), (0, -1), fonts.BOLD, layout.CELL_SIZE, layout.CELL_LEADING),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    flow.append(form)
    flow.append(Paragraph(esc(_("Follow-up")), s["heading"]))
    if rec.history:
        flow.append(layout.table(history_rows(rec, record.own_uid), HISTORY_WIDTHS))
    else:
        flow.append(Paragraph(esc(_("No follow-up step recorded yet.")), s["plain"]))
    flow.append(Spacer(1, 2 * _MM))
    return flow


def content(record: SessionRecord) -> list[Any]:
    return [[fields(rec, record), history_rows(rec, record.own_uid)]
            for rec in record.recommendations]


def story(record: SessionRecord, day: date) -> list[Flowable]:
    """Every recommendation of the session, one form per page."""
    from reportlab.platypus import PageBreak, Paragraph

    flow: list[Flowable] = []
    for index, rec in enumerate(record.recommendations):
        if index:
            flow.append(PageBreak())
        flow += fiche(rec, record, day)
    if not flow:
        flow = layout.header(record.head, day=day, title=_("RECOMMENDATION FORM"))
        flow.append(Paragraph(layout.escape(_("The session made no recommendation.")),
                              layout.styles()["body"]))
    return flow


def form_date(record: SessionRecord, today: date | None) -> date:
    """Forms are dated the day they are printed (their status is as of that day)."""
    return today or date.today()


def render(folder: DataFolder, meeting_id: int, *, today: date | None = None,
           doc_id: str | None = None) -> bytes:
    """All the session's recommendation forms in one PDF, one per page."""
    return from_record(gather(folder, meeting_id), today=today, doc_id=doc_id)


def from_record(record: SessionRecord, *, today: date | None = None,
                doc_id: str | None = None) -> bytes:
    day = form_date(record, today)
    identity = layout.identify(KIND, {"session": record.meeting.uid, "date": day.isoformat(),
                                      "forms": content(record)}, doc_id)
    return layout.build_pdf(record.head, identity, story(record, day),
                            title=_("Recommendation forms"), subject=record.meeting.label)
