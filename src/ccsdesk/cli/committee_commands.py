"""``init`` and ``status``: this committee's set-up and summary.

``status`` is the call scripts make most; it first tries the SQLAlchemy-free reader of
:mod:`ccsdesk.core.services.status` and opens the folder normally only when that cannot
answer. Services are imported inside the handlers for the same reason.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ccsdesk import __version__
from ccsdesk.cli.context import Context
from ccsdesk.core.errors import StateError
from ccsdesk.core.i18n import N_, _

if TYPE_CHECKING:
    from ccsdesk.core.services import committee
    from ccsdesk.core.services.status import Status

# The same table as ``committee.LEVELS`` (a test keeps them equal), without importing the
# service and SQLAlchemy with it just to build the parser.
LEVELS: dict[str, str] = {
    "commune": N_("commune"),
    "cercle": N_("cercle"),
    "district": N_("District"),
    "region": N_("region"),
    "national": N_("national"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help=_("set up this committee and create its keys"))
    init.add_argument("--level", required=True, choices=list(LEVELS))
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


def status_committee_json(status: Status) -> dict[str, object]:
    """``profile_json`` for the status reader's answer (same keys, same values)."""
    return {
        "id": status.uid,
        "level": status.level,
        "name": status.name,
        "place": status.place,
        "chair_title": status.chair_title,
        "fingerprint": status.fingerprint,
        "demo": status.is_demo,
        "parent": status.parent,
    }


def run_init(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import keystore
    from ccsdesk.core.services import committee

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
    from ccsdesk.core.services import status as status_reader

    found = status_reader.fast_status(context.data_dir)
    if found is None:  # anything unusual: open (create, migrate, seed) the folder normally
        found = status_reader.folder_status(context.folder())
        if found is None:
            raise StateError(
                _("This data folder has no committee yet: set it up first (ccsdesk init).")
            )
    else:
        context.use_folder_language(found.language)
    data = {
        "version": __version__,
        "data_dir": str(context.data_dir),
        "portable": context.portable,
        "committee": status_committee_json(found),
        "counts": {"members": found.members, "active_members": found.active_members,
                   "meetings": found.meetings, "recommendations": found.recommendations},
    }
    text = "\n".join(
        [
            f"{found.name}",
            _("Level: {level}").format(level=_(LEVELS[found.level])),
            _("Place: {place}").format(place=found.place),
            _("Parent committee: none enrolled yet") if found.parent is None
            else _("Parent committee: {name}").format(name=found.parent["name"]),
            _("Key fingerprint: {fp}").format(fp=found.fingerprint),
            _("Members: {active} active of {total}").format(
                active=found.active_members, total=found.members
            ),
            _("Sessions: {count}").format(count=found.meetings),
            _("Recommendations: {count}").format(count=found.recommendations),
            _("Data folder: {folder}").format(folder=context.data_dir),
        ]
    )
    context.emit(data, text)
    return 0
