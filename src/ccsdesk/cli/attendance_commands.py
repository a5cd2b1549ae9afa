"""``attendance set|list``: who came to a session, and the quorum that gives."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ccsdesk.cli.context import Context
from ccsdesk.core.i18n import _

if TYPE_CHECKING:
    from ccsdesk.core.services.attendance import AttendanceInfo

STATUSES = ("present", "absent", "excused", "represented")


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("attendance", help=_("attendance at a session"))
    commands = group.add_subparsers(dest="attendance_command", required=True)
    put = commands.add_parser("set", help=_("one member's attendance"))
    put.add_argument("meeting", type=int, metavar="MEETING")
    put.add_argument("member", type=int, metavar="MEMBER")
    put.add_argument("status", choices=STATUSES)
    put.add_argument("--by", type=int, metavar="MEMBER",
                     help=_("the member present who represents them"))
    put.set_defaults(handler=run_set)
    listing = commands.add_parser("list", help=_("attendance and quorum of a session"))
    listing.add_argument("meeting", type=int, metavar="MEETING")
    listing.set_defaults(handler=run_list)


def attendance_json(row: AttendanceInfo) -> dict[str, Any]:
    return {"member": row.member_id, "name": row.name, "role": row.role, "votes": row.votes,
            "status": row.status, "represented_by": row.represented_by}


def attendance_line(row: AttendanceInfo) -> str:
    from ccsdesk.core.services.attendance import STATUSES as LABELS

    status = _(LABELS[row.status]) if row.status else _("not recorded")
    if row.represented_by_name:
        status += " " + _("by {name}").format(name=row.represented_by_name)
    guest = "" if row.votes else "  " + _("(no vote)")
    return f"{row.member_id:>4}  {row.name:<32} {status}{guest}"


def run_set(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.cli.meetings_commands import quorum_json, quorum_text
    from ccsdesk.core.services import attendance

    quorum = attendance.set_attendance(context.folder(), args.meeting, args.member,
                                       args.status, represented_by=args.by)
    context.emit({"meeting": args.meeting, "member": args.member, "status": args.status,
                  "represented_by": args.by, "quorum": quorum_json(quorum)},
                 _("Attendance recorded.") + " " + quorum_text(quorum))
    return 0


def run_list(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.cli.meetings_commands import quorum_json, quorum_text
    from ccsdesk.core.services import attendance

    folder = context.folder()
    rows = attendance.list_attendance(folder, args.meeting)
    quorum = attendance.quorum(folder, args.meeting)
    lines = [attendance_line(row) for row in rows] + [quorum_text(quorum)]
    context.emit({"meeting": args.meeting, "attendance": [attendance_json(r) for r in rows],
                  "quorum": quorum_json(quorum)}, "\n".join(lines))
    return 0
