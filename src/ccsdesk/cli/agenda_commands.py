"""``agenda add|list|move|remove``: a session's agenda from the command line."""

from __future__ import annotations

import argparse

from ccsdesk.cli.context import Context
from ccsdesk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("agenda", help=_("a session's agenda"))
    commands = group.add_subparsers(dest="agenda_command", required=True)
    add = commands.add_parser("add", help=_("append an agenda item"))
    add.add_argument("meeting", type=int, metavar="MEETING")
    add.add_argument("title", metavar="TITLE")
    add.add_argument("--presenter", default="", metavar="TEXT")
    add.add_argument("--working-group", default="", metavar="TEXT",
                     help=_("the thematic working group (commission de travail)"))
    add.set_defaults(handler=run_add)
    listing = commands.add_parser("list", help=_("the agenda of a session"))
    listing.add_argument("meeting", type=int, metavar="MEETING")
    listing.set_defaults(handler=run_list)
    move = commands.add_parser("move", help=_("move an agenda item"))
    move.add_argument("meeting", type=int, metavar="MEETING")
    move.add_argument("position", type=int, metavar="ITEM")
    move.add_argument("to", type=int, metavar="POSITION")
    move.set_defaults(handler=run_move)
    remove = commands.add_parser("remove", help=_("remove an agenda item"))
    remove.add_argument("meeting", type=int, metavar="MEETING")
    remove.add_argument("position", type=int, metavar="ITEM")
    remove.set_defaults(handler=run_remove)


def _agenda(context: Context, meeting_id: int, message: str, extra: dict) -> int:
    from ccsdesk.core.services import meetings

    meeting = meetings.get_meeting(context.folder(), meeting_id)
    items = [{"position": a.position, "title": a.title, "presenter": a.presenter,
              "working_group": a.working_group} for a in meeting.agenda]
    lines = [message] if message else []
    lines += [f"{a.position:>3}. {a.title}" + (f" ({a.presenter})" if a.presenter else "")
              for a in meeting.agenda]
    context.emit({**extra, "meeting": meeting.id, "agenda": items}, "\n".join(lines))
    return 0


def run_add(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import meetings

    position = meetings.add_agenda_item(context.folder(), args.meeting, args.title,
                                        presenter=args.presenter,
                                        working_group=args.working_group)
    return _agenda(context, args.meeting,
                   _("Agenda item {position} added.").format(position=position),
                   {"position": position})


def run_list(context: Context, args: argparse.Namespace) -> int:
    return _agenda(context, args.meeting, "", {})


def run_move(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import meetings

    meetings.move_agenda_item(context.folder(), args.meeting, args.position, args.to)
    return _agenda(context, args.meeting, _("Agenda item moved."), {})


def run_remove(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import meetings

    meetings.remove_agenda_item(context.folder(), args.meeting, args.position)
    return _agenda(context, args.meeting, _("Agenda item removed."), {})
