"""``recommendations add|list|show|status`` and ``search``: forms and their follow-up."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ccsdesk.cli.context import Context
from ccsdesk.core.i18n import _, ngettext

if TYPE_CHECKING:
    from ccsdesk.core.services.recommendations import RecommendationInfo

STATUSES = ("proposed", "transmitted", "accepted", "in_progress", "implemented", "rejected")
PRIORITIES = ("high", "medium", "low")


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("recommendations",
                                  help=_("recommendation forms and their follow-up"))
    commands = group.add_subparsers(dest="recommendations_command", required=True)
    add = commands.add_parser("add", help=_("a recommendation form"))
    add.add_argument("meeting", type=int, metavar="MEETING")
    add.add_argument("--problem", required=True, metavar="TEXT")
    add.add_argument("--text", required=True, metavar="TEXT")
    add.add_argument("--addressee", required=True, metavar="TEXT")
    add.add_argument("--priority", required=True, choices=PRIORITIES)
    add.add_argument("--deadline", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--theme", default="", metavar="TEXT")
    add.add_argument("--follow-up-by", default="", metavar="TEXT")
    add.add_argument("--item", type=int, metavar="ITEM", help=_("its agenda item (position)"))
    add.add_argument("--place", default="", metavar="TEXT")
    add.set_defaults(handler=run_add)
    listing = commands.add_parser("list", help=_("the follow-up list, overdue first"))
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--addressee", metavar="TEXT")
    listing.add_argument("--theme", metavar="TEXT")
    listing.add_argument("--meeting", type=int, metavar="MEETING")
    listing.set_defaults(handler=run_list)
    show = commands.add_parser("show", help=_("one form with its status history"))
    show.add_argument("rec", type=int, metavar="REC")
    show.set_defaults(handler=run_show)
    status = commands.add_parser("status", help=_("a follow-up step, kept as history"))
    status.add_argument("rec", type=int, metavar="REC")
    status.add_argument("status", choices=STATUSES)
    status.add_argument("--note", default="", metavar="TEXT")
    status.set_defaults(handler=run_status)
    search = subparsers.add_parser(
        "search", help=_("find sessions, minutes and recommendations (accents ignored)"))
    search.add_argument("text", metavar="TEXT")
    search.set_defaults(handler=run_search)


def recommendation_json(rec: RecommendationInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rec.id,
        "uid": rec.uid,
        "number": rec.number,
        "meeting": rec.meeting_id,
        "meeting_label": rec.meeting,
        "meeting_date": rec.meeting_date.isoformat() if rec.meeting_date else None,
        "item": rec.agenda_position,
        "problem": rec.problem,
        "text": rec.text,
        "addressee": rec.addressee,
        "follow_up_by": rec.follow_up_by,
        "priority": rec.priority,
        "deadline": rec.deadline.isoformat(),
        "theme": rec.theme,
        "place": rec.place,
        "origin": {"id": rec.origin_uid, "name": rec.origin},
        "status": rec.status,
        "status_at": rec.status_at.isoformat(),
        "overdue": rec.overdue,
    }
    if rec.history:
        # ``committee``: who decided the step (null for a step recorded before deciders
        # were kept), whether this committee or another one.
        data["history"] = [{"status": s.status, "at": s.at.isoformat(), "author": s.author,
                            "note": s.note,
                            "committee": ({"id": s.committee_uid, "name": s.committee}
                                          if s.committee_uid else None)}
                           for s in rec.history]
    return data


def recommendation_line(rec: RecommendationInfo) -> str:
    from ccsdesk.core.services.recommendations import STATUSES as LABELS

    overdue = "  " + _("OVERDUE") if rec.overdue else ""
    return (f"{rec.id:>5}  {rec.deadline.isoformat()}  {_(LABELS[rec.status]):<12} "
            f"{rec.addressee:<24} {rec.meeting} — {rec.origin}{overdue}")


def run_add(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.cli.meetings_commands import parse_day
    from ccsdesk.core.services import recommendations

    data = recommendations.RecommendationData(
        problem=args.problem, text=args.text, addressee=args.addressee,
        priority=args.priority, deadline=parse_day(args.deadline, "--deadline"),
        follow_up_by=args.follow_up_by, theme=args.theme, place=args.place,
        agenda_position=args.item)
    folder = context.folder()
    rec_id = recommendations.add(folder, args.meeting, data)
    rec = recommendations.get(folder, rec_id)
    context.emit({"id": rec_id, "recommendation": recommendation_json(rec)},
                 _("Recommendation {id} recorded (no. {number} of the {meeting}).").format(
                     id=rec_id, number=rec.number, meeting=rec.meeting))
    return 0


def run_list(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import recommendations

    found = recommendations.list_recommendations(
        context.folder(), status=args.status, addressee=args.addressee, theme=args.theme,
        meeting_id=args.meeting)
    lines = [recommendation_line(r) for r in found]
    lines.append(ngettext("{count} recommendation", "{count} recommendations",
                           len(found)).format(count=len(found)))
    context.emit({"recommendations": [recommendation_json(r) for r in found]},
                 "\n".join(lines))
    return 0


def run_show(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import committee, recommendations
    from ccsdesk.core.services.recommendations import PRIORITIES as PRIORITY_LABELS
    from ccsdesk.core.services.recommendations import STATUSES as LABELS

    folder = context.folder()
    rec = recommendations.get(folder, args.rec)
    own = committee.profile(folder)
    lines = [
        recommendation_line(rec),
        _("Problem observed: {text}").format(text=rec.problem),
        _("Recommendation: {text}").format(text=rec.text),
        _("Addressee: {text}").format(text=rec.addressee),
        _("Follow-up by: {text}").format(text=rec.follow_up_by),
        _("Priority: {text}").format(text=_(PRIORITY_LABELS[rec.priority])),
        _("Theme: {text}").format(text=rec.theme),
        _("History:"),
    ]
    for step in rec.history:
        # The decider is named only when it is another committee (a step from above).
        elsewhere = recommendations.decided_elsewhere(step, own.uid if own else "")
        decided = f" — {recommendations.decided_by(elsewhere)}" if elsewhere else ""
        lines.append(f"  {step.at:%Y-%m-%d %H:%M}  {_(LABELS[step.status]):<12} "
                     f"{step.author}{decided}  {step.note}".rstrip())
    context.emit({"recommendation": recommendation_json(rec)}, "\n".join(lines))
    return 0


def run_status(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import recommendations

    folder = context.folder()
    recommendations.set_status(folder, args.rec, args.status, args.note)
    rec = recommendations.get(folder, args.rec)
    context.emit({"id": rec.id, "recommendation": recommendation_json(rec)},
                 _("Status recorded: {line}").format(line=recommendation_line(rec)))
    return 0


def run_search(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import search

    hits = search.search(context.folder(), args.text)
    lines = [f"{hit.kind:<15} {hit.ref:>5}  {hit.title}\n      {' '.join(hit.snippet.split())}"
             for hit in hits]
    lines.append(ngettext("{count} result", "{count} results", len(hits)).format(
        count=len(hits)))
    context.emit({"results": [{"kind": h.kind, "id": h.ref, "title": h.title,
                               "snippet": h.snippet} for h in hits]}, "\n".join(lines))
    return 0
