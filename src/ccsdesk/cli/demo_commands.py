"""``demo [--if-empty]``: fill an empty data folder with the sample commune to try the program.

The services are imported inside the handler so that registering this command costs nothing
to other commands' start-up.
"""

from __future__ import annotations

import argparse
import os

from ccsdesk.cli.context import PASSPHRASE_ENV, Context
from ccsdesk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help=_("fill an empty data folder with a sample commune to try the program")
    )
    demo.add_argument("--if-empty", action="store_true",
                      help=_("leave a data folder that already holds a committee alone"))
    demo.set_defaults(handler=run_demo)


def run_demo(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import committee, demo

    folder = context.folder()
    existing = committee.profile(folder)
    if existing is not None and args.if_empty:
        context.emit(
            {"created": False, "id": existing.uid, "demo": existing.is_demo,
             "data_dir": str(folder.path)},
            _("This data folder already holds « {name} »; it was left as it is.").format(
                name=existing.name
            ),
        )
        return 0
    # The sample's keys protect nothing real: a documented passphrase unless one is given.
    from_env = os.environ.get(PASSPHRASE_ENV)
    passphrase = from_env if from_env is not None else demo.DEMO_PASSPHRASE
    profile = demo.populate(folder, passphrase)
    counts = committee.counts(folder)
    passphrase_line = (
        _("Passphrase of its keys: the one in {name}.").format(name=PASSPHRASE_ENV)
        if from_env is not None
        else _("Passphrase of its keys (to sign its documents): {passphrase}").format(
            passphrase=demo.DEMO_PASSPHRASE
        )
    )
    context.emit(
        {
            "created": True,
            "id": profile.uid,
            "committee": {"id": profile.uid, "level": profile.level, "name": profile.name,
                          "place": profile.place, "fingerprint": profile.fingerprint,
                          "demo": profile.is_demo},
            "counts": {"members": counts.members, "active_members": counts.active_members,
                       "meetings": counts.meetings,
                       "recommendations": counts.recommendations},
            "passphrase": None if from_env is not None else demo.DEMO_PASSPHRASE,
            "data_dir": str(folder.path),
        },
        "\n".join(
            [
                _("Sample commune « {name} » created in {folder}.").format(
                    name=profile.name, folder=folder.path
                ),
                _("It is a test committee: its documents are marked as such."),
                _("Members: {active} active of {total}").format(
                    active=counts.active_members, total=counts.members
                ),
                _("Sessions: {count}").format(count=counts.meetings),
                _("Recommendations: {count}").format(count=counts.recommendations),
                passphrase_line,
            ]
        ),
    )
    return 0
