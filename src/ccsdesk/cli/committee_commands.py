"""``init`` and ``status``: this committee's set-up and summary."""

from __future__ import annotations

import argparse

from ccsdesk import __version__
from ccsdesk.cli.context import Context
from ccsdesk.core.exchange import keystore
from ccsdesk.core.i18n import _
from ccsdesk.core.services import committee


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help=_("set up this committee and create its keys"))
    init.add_argument("--level", required=True, choices=list(committee.LEVELS))
    init.add_argument("--name", required=True)
    init.add_argument("--place", required=True,
                      help=_("administrative unit, e.g. « Commune IV » or « Ségou »"))
    init.add_argument("--chair-title", default="",
                      help=_("title of the chair: maire, gouverneur…"))
    init.set_defaults(handler=run_init)
    status = subparsers.add_parser("status", help=_("profile, key fingerprint and counts"))
    status.set_defaults(handler=run_status)


def profile_json(profile: committee.Profile) -> dict[str, object]:
    return {
        "id": profile.uid,
        "level": profile.level,
        "name": profile.name,
        "place": profile.place,
        "chair_title": profile.chair_title,
        "fingerprint": profile.fingerprint,
        "demo": profile.is_demo,
        "parent": None,
    }


def run_init(context: Context, args: argparse.Namespace) -> int:
    passphrase = context.passphrase(confirm=True)
    keystore.check_passphrase_strength(passphrase)
    folder = context.folder()
    profile = committee.initialize(
        folder, level=args.level, name=args.name, place=args.place,
        chair_title=args.chair_title, passphrase=passphrase,
    )
    context.emit(
        {"id": profile.uid, "committee": profile_json(profile), "data_dir": str(folder.path)},
        _("Committee « {name} » set up in {folder}.\nKey fingerprint: {fp}").format(
            name=profile.name, folder=folder.path, fp=profile.fingerprint
        ),
    )
    return 0


def run_status(context: Context, args: argparse.Namespace) -> int:
    folder = context.folder()
    profile = committee.require_profile(folder)
    counts = committee.counts(folder)
    data = {
        "version": __version__,
        "data_dir": str(folder.path),
        "portable": context.portable,
        "committee": profile_json(profile),
        "counts": {"members": counts.members, "active_members": counts.active_members},
    }
    text = "\n".join(
        [
            f"{profile.name}",
            _("Level: {level}").format(level=_(committee.LEVELS[profile.level])),
            _("Place: {place}").format(place=profile.place),
            _("Parent committee: none enrolled yet"),
            _("Key fingerprint: {fp}").format(fp=profile.fingerprint),
            _("Members: {active} active of {total}").format(
                active=counts.active_members, total=counts.members
            ),
            _("Data folder: {folder}").format(folder=folder.path),
        ]
    )
    context.emit(data, text)
    return 0
