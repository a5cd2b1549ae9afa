"""``meetings create|list|show|convocations|second-convocation``: sessions by command line.

Services are imported inside the handlers so that ``ccsdesk --help`` and the other commands
do not pay for SQLAlchemy. The helpers at the bottom (dates, files, JSON of a session) are
shared by the agenda, attendance, minutes and recommendations commands.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import _, ngettext

if TYPE_CHECKING:
    from ccsdesk.core.services.attendance import Quorum
    from ccsdesk.core.services.meetings import MeetingInfo

KINDS = ("ordinary", "extraordinary")
CHANNELS = ("hand", "email")


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("meetings", help=_("the committee's sessions"))
    commands = group.add_subparsers(dest="meetings_command", required=True)
    create = commands.add_parser("create", help=_("create a numbered session"))
    create.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    create.add_argument("--time", default="", metavar="HH:MM")
    create.add_argument("--kind", choices=KINDS, default="ordinary")
    create.add_argument("--venue", default="", metavar="TEXT")
    create.add_argument("--urgent", action="store_true",
                        help=_("urgent session: the short notice period applies"))
    create.set_defaults(handler=run_create)
    listing = commands.add_parser("list", help=_("sessions with number, date, state, quorum"))
    listing.set_defaults(handler=run_list)
    show = commands.add_parser("show", help=_("one session: agenda, attendance, quorum"))
    show.add_argument("meeting", type=int, metavar="MEETING")
    show.set_defaults(handler=run_show)
    convocations = commands.add_parser(
        "convocations", help=_("prepare the convocations and record when they were sent"))
    convocations.add_argument("meeting", type=int, metavar="MEETING")
    convocations.add_argument("--sent-on", metavar="YYYY-MM-DD",
                              help=_("record the unsent convocations as sent on this date"))
    convocations.add_argument("--channel", choices=CHANNELS, default="hand")
    convocations.set_defaults(handler=run_convocations)
    second = commands.add_parser(
        "second-convocation", help=_("re-convene a session whose quorum was not reached"))
    second.add_argument("meeting", type=int, metavar="MEETING")
    second.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    second.add_argument("--time", default="", metavar="HH:MM")
    second.add_argument("--venue", default=None, metavar="TEXT")
    second.set_defaults(handler=run_second)


# --- shared helpers -------------------------------------------------------------------


def parse_day(value: str, what: str) -> date:
    """An ISO date from the command line, or a refusal naming the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise InputError(_("{what}: « {value} » is not a date; write it as YYYY-MM-DD.")
                         .format(what=what, value=value)) from error


def read_text(path: str) -> str:
    """A UTF-8 text file (with or without BOM), as the minutes and forms are written."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise InputError(_("The file {file} does not exist.").format(file=path)) from error
    except UnicodeDecodeError as error:
        raise InputError(_("The file {file} is not UTF-8 text.").format(file=path)) from error
    except OSError as error:
        raise InputError(_("The file {file} cannot be read ({reason}).").format(
            file=path, reason=error.strerror or error)) from error


def quorum_json(quorum: Quorum) -> dict[str, Any]:
    return quorum.as_dict()


def quorum_text(quorum: Quorum) -> str:
    if not quorum.recorded and not quorum.second_convocation:
        return _("attendance not recorded")
    if quorum.second_convocation and quorum.reached:
        return _("second convocation: deliberates whatever the attendance ({counted} of "
                 "{in_office})").format(counted=quorum.counted, in_office=quorum.in_office)
    if quorum.reached:
        return _("quorum reached: {counted} of {in_office} (needed {required})").format(
            counted=quorum.counted, in_office=quorum.in_office, required=quorum.required)
    return _("quorum NOT reached: {counted} of {in_office} (needed {required})").format(
        counted=quorum.counted, in_office=quorum.in_office, required=quorum.required)


def meeting_json(meeting: MeetingInfo, quorum: Quorum) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "uid": meeting.uid,
        "number": meeting.number,
        "label": meeting.label,
        "year": meeting.year,
        "date": meeting.date.isoformat(),
        "time": meeting.time,
        "kind": meeting.kind,
        "urgent": meeting.urgent,
        "venue": meeting.venue,
        "state": meeting.state,
        "second_convocation_of": meeting.second_convocation_of,
        "quorum": quorum_json(quorum),
        "agenda": [{"position": a.position, "title": a.title, "presenter": a.presenter,
                    "working_group": a.working_group} for a in meeting.agenda],
    }


def meeting_line(meeting: MeetingInfo, quorum: Quorum) -> str:
    from ccsdesk.core.services.meetings import STATES

    when = meeting.date.isoformat() + (f" {meeting.time}" if meeting.time else "")
    return (f"{meeting.id:>4}  {meeting.label:<40} {when:<16} {_(STATES[meeting.state]):<18} "
            f"{quorum_text(quorum)}")


# --- handlers -------------------------------------------------------------------------


def run_create(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import attendance, committee, meetings

    on = parse_day(args.date, "--date")
    folder = context.folder()
    committee.require_profile(folder)
    meeting = meetings.create_meeting(folder, on=on, time=args.time, kind=args.kind,
                                      venue=args.venue, urgent=True if args.urgent else None)
    quorum = attendance.quorum(folder, meeting.id)
    lines = [_("Session {id} created: {label}, {date}.").format(
        id=meeting.id, label=meeting.label, date=meeting.date.isoformat())]
    if meeting.agenda:
        lines.append(_("Proposed first agenda item: {title}").format(
            title=meeting.agenda[0].title))
    context.emit({"id": meeting.id, "number": meeting.number,
                  "meeting": meeting_json(meeting, quorum)}, "\n".join(lines))
    return 0


def run_list(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import attendance, meetings

    folder = context.folder()
    found = meetings.list_meetings(folder)
    quorums = attendance.quorums(folder)
    lines = [meeting_line(m, quorums[m.id]) for m in found]
    lines.append(ngettext("{count} session", "{count} sessions", len(found)).format(
        count=len(found)))
    context.emit({"meetings": [meeting_json(m, quorums[m.id]) for m in found]},
                 "\n".join(lines))
    return 0


def run_show(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.cli.attendance_commands import attendance_json, attendance_line
    from ccsdesk.core.services import attendance, meetings

    folder = context.folder()
    meeting = meetings.get_meeting(folder, args.meeting)
    quorum = attendance.quorum(folder, meeting.id)
    rows = attendance.list_attendance(folder, meeting.id)
    guests = meetings.list_guests(folder, meeting.id)
    lines = [meeting_line(meeting, quorum), _("Venue: {venue}").format(venue=meeting.venue),
             _("Agenda:")]
    lines += [f"  {a.position}. {a.title}" + (f" ({a.presenter})" if a.presenter else "")
              for a in meeting.agenda]
    lines.append(_("Attendance:"))
    lines += ["  " + attendance_line(row) for row in rows]
    data = meeting_json(meeting, quorum)
    data["attendance"] = [attendance_json(row) for row in rows]
    data["guests"] = [{"id": g.id, "name": g.name, "organisation": g.organisation,
                       "present": g.present} for g in guests]
    context.emit({"meeting": data}, "\n".join(lines))
    return 0


def run_convocations(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import meetings

    folder = context.folder()
    found = meetings.prepare_convocations(folder, args.meeting)
    if args.sent_on:
        found = meetings.record_sent(folder, args.meeting,
                                     sent_on=parse_day(args.sent_on, "--sent-on"),
                                     channel=args.channel)
    lines = []
    for c in found:
        sent = c.sent_on.isoformat() if c.sent_on else _("not sent")
        flag = "  " + _("LATE") if c.late else ""
        channel = _(meetings.CHANNELS[c.channel]) if c.channel else ""
        lines.append(f"{c.id:>4}  {c.recipient:<32} {sent:<12} {channel}{flag}")
    late = sum(1 for c in found if c.late)
    if late:
        lines.append(ngettext("{count} convocation was sent after the notice period.",
                              "{count} convocations were sent after the notice period.",
                              late).format(count=late))
    context.emit({"convocations": [
        {"id": c.id, "member": c.member_id, "guest": c.guest_id, "recipient": c.recipient,
         "sent_on": c.sent_on.isoformat() if c.sent_on else None, "channel": c.channel,
         "late": c.late} for c in found]}, "\n".join(lines))
    return 0


def run_second(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import attendance, meetings

    folder = context.folder()
    meeting = meetings.second_convocation(folder, args.meeting,
                                          on=parse_day(args.date, "--date"), time=args.time,
                                          venue=args.venue)
    quorum = attendance.quorum(folder, meeting.id)
    context.emit({"id": meeting.id, "number": meeting.number,
                  "meeting": meeting_json(meeting, quorum)},
                 _("Session {id} created: {label}, {date}.").format(
                     id=meeting.id, label=meeting.label, date=meeting.date.isoformat()))
    return 0
