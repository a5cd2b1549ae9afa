"""``minutes write|set|show|adopt|sign|correct``: the procès-verbal from the command line.

Signing takes the passphrase from ``CCSDESK_PASSPHRASE`` (or the terminal), never from an
argument, and the text is frozen afterwards: ``write`` on signed minutes exits 1.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ccsdesk.cli.context import Context
from ccsdesk.core.i18n import _

if TYPE_CHECKING:
    from ccsdesk.core.services.minutes import MinutesInfo


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("minutes", help=_("the minutes (procès-verbal) of a session"))
    commands = group.add_subparsers(dest="minutes_command", required=True)
    write = commands.add_parser("write", help=_("the minutes text of one agenda item"))
    write.add_argument("meeting", type=int, metavar="MEETING")
    write.add_argument("item", type=int, metavar="ITEM", help=_("its position, from 1"))
    write.add_argument("--file", required=True, metavar="TEXTFILE")
    write.set_defaults(handler=run_write)
    put = commands.add_parser("set", help=_("the opening, the divers and the closing time"))
    put.add_argument("meeting", type=int, metavar="MEETING")
    put.add_argument("--opening-file", metavar="TEXTFILE")
    put.add_argument("--divers-file", metavar="TEXTFILE")
    put.add_argument("--closing-time", metavar="HH:MM")
    put.set_defaults(handler=run_set)
    show = commands.add_parser("show", help=_("the minutes, current or earlier version"))
    show.add_argument("meeting", type=int, metavar="MEETING")
    show.add_argument("--version", type=int, metavar="N")
    show.set_defaults(handler=run_show)
    adopt = commands.add_parser("adopt", help=_("the committee adopted the minutes"))
    adopt.add_argument("meeting", type=int, metavar="MEETING")
    adopt.set_defaults(handler=run_adopt)
    sign = commands.add_parser("sign", help=_("sign adopted minutes and freeze their text"))
    sign.add_argument("meeting", type=int, metavar="MEETING")
    sign.add_argument("--signer", default="", metavar="NAME",
                      help=_("who signs (default: the president on the roster)"))
    sign.set_defaults(handler=run_sign)
    correct = commands.add_parser("correct",
                                  help=_("start a corrected version with its reason"))
    correct.add_argument("meeting", type=int, metavar="MEETING")
    correct.add_argument("--reason", required=True, metavar="TEXT")
    correct.set_defaults(handler=run_correct)


def minutes_json(info: MinutesInfo) -> dict[str, Any]:
    return {
        "meeting": info.meeting_id,
        "version": info.number,
        "versions": info.versions,
        "state": info.state,
        "revision": info.revision,
        "opening": info.opening,
        "items": [{"position": i.position, "title": i.title, "text": i.text}
                  for i in info.items],
        "divers": info.divers,
        "closing_time": info.closing_time,
        "reason": info.reason,
        "adopted_at": info.adopted_at.isoformat() if info.adopted_at else None,
        "signer": info.signer,
        "signed_at": info.signed_at.isoformat() if info.signed_at else None,
        "text_hash": info.text_hash,
    }


def minutes_text(info: MinutesInfo) -> str:
    from ccsdesk.core.services.minutes import STATES

    lines = [_("Minutes, version {number} of {versions} — {state}").format(
        number=info.number, versions=max(info.versions, 1), state=_(STATES[info.state]))]
    if info.reason:
        lines.append(_("Reason for the correction: {reason}").format(reason=info.reason))
    if info.signed_at:
        lines.append(_("Signed by {signer} on {at}").format(
            signer=info.signer, at=info.signed_at.strftime("%Y-%m-%d %H:%M")))
    if info.opening:
        lines += ["", info.opening]
    for item in info.items:
        lines += ["", f"{item.position}. {item.title}", item.text]
    if info.divers:
        lines += ["", _("Divers"), info.divers]
    if info.closing_time:
        lines += ["", _("Closed at {time}.").format(time=info.closing_time)]
    return "\n".join(lines)


def run_write(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.cli.meetings_commands import read_text
    from ccsdesk.core.services import minutes

    text = read_text(args.file)
    revision = minutes.write_item(context.folder(), args.meeting, args.item, text)
    context.emit({"meeting": args.meeting, "item": args.item, "revision": revision},
                 _("Minutes of agenda item {item} saved.").format(item=args.item))
    return 0


def run_set(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.cli.meetings_commands import read_text
    from ccsdesk.core.services import minutes

    revision = minutes.save_draft(
        context.folder(), args.meeting, revision=None,
        opening=read_text(args.opening_file) if args.opening_file else None,
        divers=read_text(args.divers_file) if args.divers_file else None,
        closing_time=args.closing_time)
    context.emit({"meeting": args.meeting, "revision": revision}, _("Minutes saved."))
    return 0


def run_show(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import minutes

    info = minutes.get_minutes(context.folder(), args.meeting, args.version)
    context.emit({"minutes": minutes_json(info)}, minutes_text(info))
    return 0


def run_adopt(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import minutes

    info = minutes.adopt(context.folder(), args.meeting)
    context.emit({"minutes": minutes_json(info)},
                 _("Minutes adopted (version {number}).").format(number=info.number))
    return 0


def run_sign(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import minutes

    passphrase = context.passphrase()
    info = minutes.sign(context.folder(), args.meeting, passphrase, signer=args.signer)
    context.emit({"minutes": minutes_json(info)},
                 _("Minutes signed by {signer} (version {number}); their text is now frozen.")
                 .format(signer=info.signer, number=info.number))
    return 0


def run_correct(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import minutes

    info = minutes.correct(context.folder(), args.meeting, args.reason)
    context.emit({"minutes": minutes_json(info)},
                 _("Version {number} started as a draft; earlier versions stay readable.")
                 .format(number=info.number))
    return 0
