"""``backup`` and ``restore``: one file holding all the data and the (still sealed) keys.

``restore`` never opens the current data folder: it may be about to be moved aside, and an
open database would stop that on Windows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import _

if TYPE_CHECKING:  # imported by the handlers: building the parser must not load SQLAlchemy
    from ccsdesk.core.services import backup


def register(subparsers: argparse._SubParsersAction) -> None:
    make = subparsers.add_parser("backup", help=_("write a backup of all data and keys"))
    make.add_argument("--out", metavar="FILE",
                      help=_("where to write it (default: the data folder's backups folder)"))
    make.set_defaults(handler=run_backup)
    back = subparsers.add_parser("restore", help=_("restore a backup (checked first)"))
    back.add_argument("file", metavar="FILE")
    back.add_argument("--into", metavar="DIR",
                      help=_("restore into this new folder instead of replacing the data"))
    back.add_argument("--check", action="store_true",
                      help=_("only check the backup, restore nothing"))
    back.add_argument("--yes", action="store_true",
                      help=_("replace the current data without asking (a copy is kept)"))
    back.set_defaults(handler=run_restore)


def _megabytes(size: int) -> str:
    return f"{max(size / 1024**2, 0.1):.1f}".replace(".", ",")


def _info_json(info: backup.BackupInfo) -> dict[str, object]:
    return {
        "file": str(info.path),
        "created_at": info.created_at,
        "program_version": info.program_version,
        "schema_revision": info.schema_revision,
        "committee": {"id": info.committee_uid, "name": info.committee_name},
        "entries": info.entries,
        "size": info.total_size,
    }


def run_backup(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import backup

    folder = context.folder()
    path = backup.create(folder, Path(args.out).expanduser() if args.out else None)
    size = path.stat().st_size
    context.emit(
        {"path": str(path), "size": size},
        _("Backup written: {file} ({size} MB).").format(file=path, size=_megabytes(size)),
    )
    return 0


def _confirm(target: Path) -> None:
    """Ask on a terminal; without one, ``--yes`` must say it (cli.md: never wait for input)."""
    if not sys.stdin.isatty():
        raise InputError(
            _("Restoring replaces the data in {folder}: add --yes to confirm (a copy of the "
              "current data is kept), or use --into DIR to restore into a new folder.").format(
                folder=target))
    answer = input(_("Replace the data in {folder} with this backup? A copy of the current "
                     "data is kept beside it. [o/N] ").format(folder=target))
    if answer.strip().lower() not in ("o", "oui", "y", "yes"):
        raise InputError(_("Restore cancelled; nothing was changed."))


def run_restore(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import backup

    source = Path(args.file).expanduser()
    if args.check:
        info = backup.verify(source)
        context.emit(
            {"valid": True, "backup": _info_json(info)},
            _("The backup {file} is intact: {entries} files, made on {date} by CCS Desk "
              "{version}.").format(file=source.name, entries=info.entries,
                                   date=info.created_at, version=info.program_version),
        )
        return 0
    if args.into:
        target = Path(args.into).expanduser().resolve()
        result = backup.restore(source, target, replace=False)
    else:
        target = context.data_dir
        if target.is_dir() and any(target.iterdir()) and not args.yes:
            backup.verify(source)
            _confirm(target)
        result = backup.restore(source, target, replace=True)
    data = {
        "target": str(result.target),
        "previous_copy": str(result.previous_copy) if result.previous_copy else None,
        "backup": _info_json(result.info),
    }
    text = _("Backup restored into {folder}.").format(folder=result.target)
    if result.previous_copy:
        text += "\n" + _("The data it replaced is kept in {folder}.").format(
            folder=result.previous_copy)
    context.emit(data, text)
    return 0
