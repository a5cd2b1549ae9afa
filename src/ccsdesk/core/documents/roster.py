"""The roster PDF: the list of members in office and the committee's composition figures.

Funders and supervisors ask for this list with the women's share and the spread across
categories (``domain.md``, "Members"), so the figures follow the table on the same document.
``members export roster.pdf`` lands here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ccsdesk.core import formats
from ccsdesk.core.documents import attendance_words, layout
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

KIND = "roster"
_MM = 72 / 25.4
# N°, name, category, organisation, role, phone, mandate: 174 mm, the A4 frame's width.
WIDTHS = tuple(w * _MM for w in (8, 37, 26, 29, 23, 27, 24))
# The bureau comes first, as on the lists the administration keeps.
_ROLE_ORDER = {"president": 0, "vice_president": 1, "secretary": 2, "member": 3, "guest": 4}


def _mandate(member: roster.MemberInfo) -> str:
    start, end = member.mandate_start, member.mandate_end
    if start and end:
        return f"{formats.short_date(start)} – {formats.short_date(end)}"
    if end:
        return _("until {date}").format(date=formats.short_date(end))
    if start:
        return _("since {date}").format(date=formats.short_date(start))
    return ""


def _president(folder: DataFolder) -> roster.MemberInfo | None:
    return next((m for m in roster.list_members(folder, active_only=True)
                 if m.role == "president"), None)


def rows(folder: DataFolder) -> list[list[str]]:
    """The table's rows (heading first): active members, bureau first, then by name."""
    members = sorted(roster.list_members(folder, active_only=True),
                     key=lambda m: _ROLE_ORDER.get(m.role, 5))
    result = [[_("Roster column: number"), _("Roster column: name"),
               _("Roster column: category"), _("Roster column: organisation"),
               _("Roster column: function"), _("Roster column: telephone"),
               _("Roster column: mandate")]]
    for number, member in enumerate(members, start=1):
        result.append([
            str(number), member.full_name, member.category, member.organisation,
            attendance_words.role_text(member.role, member.sex), member.phone,
            _mandate(member),
        ])
    return result


def _figures(composition: roster.Composition) -> list[list[str]]:
    share = formats.percent(composition.women_share)
    return [
        [_("Roster figures column: figure"), _("Roster figures column: value")],
        [_("Members in office with a vote"), formats.number(composition.active)],
        [_("Roster figure: women"),
         _("{count} ({share})").format(count=formats.number(composition.women), share=share)],
        [_("Roster figure: men"), formats.number(composition.men)],
    ]


def _by_category(composition: roster.Composition) -> list[list[str]]:
    result = [[_("Roster column: category"), _("Roster by category column: members"),
               _("Roster by category column: share")]]
    for label, count in composition.by_category:
        share = count / composition.active if composition.active else 0.0
        result.append([label, formats.number(count), formats.percent(share)])
    return result


def _mandate_lines(members: list[roster.MemberInfo]) -> list[str]:
    return [
        _("{name}: mandate ends on {date}").format(
            name=m.full_name, date=formats.long_date(m.mandate_end))
        for m in members if m.mandate_end is not None
    ]


def render(folder: DataFolder, *, today: date | None = None,
           doc_id: str | None = None) -> bytes:
    """The roster as PDF bytes (for printing, signing or writing to a file)."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    today = today or date.today()
    head = layout.letterhead(folder)
    table_rows = rows(folder)
    composition = roster.composition(folder, today)
    figures, by_category = _figures(composition), _by_category(composition)
    ending = _mandate_lines(composition.ending_soon)
    ended = _mandate_lines(composition.ended)
    identity = layout.identify(KIND, {
        "committee": head.committee_name, "date": today.isoformat(), "members": table_rows,
        "figures": figures, "by_category": by_category, "ending": ending, "ended": ended,
    }, doc_id)

    s = layout.styles()
    count = len(table_rows) - 1
    story = layout.header(
        head, day=today, title=_("LIST OF MEMBERS"), subtitle=head.committee_name,
        objet=_("List of the members in office and composition of the committee"),
    )
    story.append(Paragraph(layout.escape(ngettext(
        "The committee counts {count} member in office on {date}.",
        "The committee counts {count} members in office on {date}.", count,
    ).format(count=formats.number(count), date=formats.long_date(today))), s["body"]))
    story.append(layout.table(table_rows, WIDTHS, numeric_columns=(0,)))
    story.append(KeepTogether([
        Paragraph(layout.escape(_("Composition of the committee")), s["heading"]),
        Paragraph(layout.escape(
            _("Figures over the members in office with a vote (guests are not counted).")),
            s["small"]),
        Spacer(1, 2 * _MM),
        layout.table(figures, (95 * _MM, 40 * _MM), numeric_columns=(1,), zebra=False),
    ]))
    story.append(KeepTogether([
        Paragraph(layout.escape(_("Roster heading: by category")), s["heading"]),
        layout.table(by_category, (95 * _MM, 20 * _MM, 20 * _MM), numeric_columns=(1, 2)),
    ]))
    closing: list[Flowable] = [
        Paragraph(layout.escape(_("Roster heading: mandates")), s["heading"])]
    if not ending and not ended:
        closing.append(Paragraph(layout.escape(
            _("No mandate ends within {days} days.").format(
                days=roster.ENDING_SOON_DAYS)), s["plain"]))
    if ending:
        closing.append(Paragraph(layout.escape(
            _("Mandates ending within {days} days:").format(days=roster.ENDING_SOON_DAYS)),
            s["plain"]))
        closing.extend(Paragraph("• " + layout.escape(line), s["plain"]) for line in ending)
    if ended:
        closing.append(Spacer(1, 2 * _MM))
        closing.append(Paragraph(layout.escape(_("Mandates already ended:")), s["plain"]))
        closing.extend(Paragraph("• " + layout.escape(line), s["plain"]) for line in ended)
    president = _president(folder)
    sex = president.sex if president else ""
    title = head.chair_title or attendance_words.gendered(
        (N_("The President of the Committee"),
         N_("The President of the Committee (of a woman)")), sex)
    # The mandates go over with the signature: a signature never opens a page alone.
    story.append(KeepTogether(
        [*closing, *layout.signature_parts(title, president.full_name if president else "")]))
    return layout.build_pdf(head, identity, story, title=_("List of members"),
                            subject=head.committee_name)


def write(folder: DataFolder, path: Path, *, today: date | None = None) -> None:
    """Write the roster PDF to ``path`` atomically (never half a file after a power cut)."""
    write_atomically(Path(path), render(folder, today=today))
