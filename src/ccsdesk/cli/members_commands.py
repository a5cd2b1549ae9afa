"""``members list|import|export``: the roster from the command line."""

from __future__ import annotations

import argparse

from ccsdesk.cli.context import Context
from ccsdesk.core.i18n import _
from ccsdesk.core.services import roster
from ccsdesk.core.services.member_fields import ROLES


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("members", help=_("the member roster"))
    commands = group.add_subparsers(dest="members_command", required=True)
    listing = commands.add_parser("list", help=_("list the members"))
    listing.add_argument("--active", action="store_true", help=_("only active members"))
    listing.set_defaults(handler=run_list)


def member_json(member: roster.MemberInfo) -> dict[str, object]:
    return {
        "id": member.id,
        "uid": member.uid,
        "last_name": member.last_name,
        "first_names": member.first_names,
        "sex": member.sex,
        "category": member.category,
        "organisation": member.organisation,
        "role": member.role,
        "phone": member.phone,
        "email": member.email,
        "mandate_start": member.mandate_start.isoformat() if member.mandate_start else None,
        "mandate_end": member.mandate_end.isoformat() if member.mandate_end else None,
        "active": member.active,
    }


def run_list(context: Context, args: argparse.Namespace) -> int:
    members = roster.list_members(context.folder(), active_only=args.active)
    lines = [
        f"{m.id:>4}  {m.full_name:<32} {m.sex}  {_(ROLES[m.role]):<22} {m.category}"
        + ("" if m.active else "  " + _("(inactive)"))
        for m in members
    ]
    lines.append(_("{count} members").format(count=len(members)))
    context.emit({"members": [member_json(m) for m in members]}, "\n".join(lines))
    return 0
