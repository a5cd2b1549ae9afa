"""``passphrase change`` and ``keys backup``: the secretariat's passphrase and the president's
copy of the keys.

Passphrases never come from arguments (they would stay in the shell history and be visible
to every user in the process list): the current one from ``CCSDESK_PASSPHRASE``, the new one
from ``CCSDESK_NEW_PASSPHRASE`` or typed twice on a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import _

NEW_PASSPHRASE_ENV = "CCSDESK_NEW_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("passphrase", help=_("the passphrase that protects the keys"))
    commands = group.add_subparsers(dest="action", required=True)
    change = commands.add_parser(
        "change", help=_("seal the keys with a new passphrase (old one from {old}, new one "
                         "from {new} or typed twice)").format(old="CCSDESK_PASSPHRASE",
                                                               new=NEW_PASSPHRASE_ENV))
    change.set_defaults(handler=run_change)
    key_group = subparsers.add_parser("keys", help=_("the committee's keys"))
    key_commands = key_group.add_subparsers(dest="action", required=True)
    copy = key_commands.add_parser(
        "backup", help=_("copy the sealed keys to a folder (a USB stick for the president)"))
    copy.add_argument("--out", metavar="DIR", required=True,
                      help=_("the folder to write the copy into, e.g. the USB stick"))
    copy.set_defaults(handler=run_key_backup)


def new_passphrase() -> str:
    """From ``CCSDESK_NEW_PASSPHRASE``, else typed twice on a terminal."""
    value = os.environ.get(NEW_PASSPHRASE_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise InputError(
            _("A new passphrase is needed: set the environment variable {name}.").format(
                name=NEW_PASSPHRASE_ENV))
    value = getpass.getpass(_("New passphrase: "))
    if getpass.getpass(_("New passphrase again: ")) != value:
        raise InputError(_("The two passphrases differ; nothing changed."))
    return value


def run_change(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import keys_admin

    folder = context.folder()
    old = context.passphrase()
    keys_admin.change_passphrase(folder, old, new_passphrase())
    context.emit({"changed": True},
                 _("Passphrase changed. From now on the keys open only with the new one; "
                   "backups made before still open with the old one."))
    return 0


def run_key_backup(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import keys_admin

    folder = context.folder()
    result = keys_admin.export_key_backup(folder, context.passphrase(),
                                          Path(args.out).expanduser())
    context.emit({"path": str(result.path), "files": result.files},
                 _("Keys copied (still encrypted) to {folder}; each file was read back and "
                   "checked.").format(folder=result.path))
    return 0
