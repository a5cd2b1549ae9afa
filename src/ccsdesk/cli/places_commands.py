"""``places list|add|rename``: the editable list of administrative units.

The service is imported inside the handlers so that other commands do not pay for it.
"""

from __future__ import annotations

import argparse

from ccsdesk.cli.context import Context
from ccsdesk.core.i18n import _

# The kinds a user may add (``places.PARENT_KINDS``'s keys; a test keeps them equal).
ADDABLE_KINDS: tuple[str, ...] = ("region", "district", "cercle", "commune")


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("places", help=_("Mali's administrative units"))
    commands = group.add_subparsers(dest="places_command", required=True)
    listing = commands.add_parser("list", help=_("list the units"))
    listing.add_argument("--kind", choices=[*ADDABLE_KINDS, "country"])
    listing.set_defaults(handler=run_list)
    add = commands.add_parser("add", help=_("add a cercle or a commune"))
    add.add_argument("--kind", required=True, choices=list(ADDABLE_KINDS))
    add.add_argument("--name", required=True)
    add.add_argument("--parent", required=True, help=_("the unit it belongs to"))
    add.add_argument("--code", default=None)
    add.set_defaults(handler=run_add)
    rename = commands.add_parser("rename", help=_("rename a unit"))
    rename.add_argument("place_id", type=int)
    rename.add_argument("name")
    rename.set_defaults(handler=run_rename)


def run_list(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import places

    found = places.list_places(context.folder(), args.kind)
    context.emit(
        {"places": [p.__dict__ for p in found]},
        "\n".join(f"{p.id:>5}  {p.kind:<9} {p.path}" for p in found),
    )
    return 0


def run_add(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import places

    place_id = places.add(context.folder(), args.kind, args.name, args.parent, args.code)
    context.emit({"id": place_id}, _("Place added (number {id}).").format(id=place_id))
    return 0


def run_rename(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import places

    places.rename(context.folder(), args.place_id, args.name)
    context.emit({"id": args.place_id}, _("Place renamed."))
    return 0
