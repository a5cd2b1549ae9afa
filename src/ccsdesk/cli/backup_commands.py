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
    make.add_argument("--no-copy", action="store_true",
                      help=_("do not copy it to the second place (USB stick) chosen in the "
                             "settings"))
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


def _copy_report(result: backup.AutomaticResult, skipped: bool) -> tuple[dict[str, object], str]:
    """Where the copy to the second place went, or why not: the same rule as the window's
    « Back up now » (``backup.back_up_now``), told to scripts and people."""
    place, made = result.second_place, result.path
    data: dict[str, object] = {"status": "", "place": str(place) if place else None,
                               "path": None, "reason": None, "message": None}
    if skipped:
        data["status"] = "skipped"
        text = _("Not copied to the second place (--no-copy).")
    elif place is None:
        data["status"] = "no_second_place"
        text = _("Not copied elsewhere: no second place (USB stick) is chosen in Settings → "
                 "Backups.")
    elif result.copied_to is not None:
        data.update(status="copied", path=str(result.copied_to))
        text = _("Also copied to {place}.").format(place=place)
    elif result.copy_failure is not None:
        data.update(status="failed", reason=result.copy_failure,
                    message=" ".join(result.warnings))
        text = _("WARNING: the copy to the second place failed.") + " " + " ".join(
            result.warnings)
    elif made is not None and _same_file(made, place / made.name):
        data.update(status="already_there", path=str(made))
        text = _("It is written in the second place {place} already.").format(place=place)
    else:
        data["status"] = "name_taken"
        text = _("Not copied to {place}: a file named {name} is already there and was kept."
                 ).format(place=place, name=made.name if made else "")
    return data, text


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def run_backup(context: Context, args: argparse.Namespace) -> int:
    """Exit 0 once the backup is written, even when its copy failed: the text says so."""
    from ccsdesk.core.services import backup

    folder = context.folder()
    result = backup.back_up_now(folder, out=Path(args.out).expanduser() if args.out else None,
                                copy=not args.no_copy)
    assert result.path is not None
    size = result.path.stat().st_size
    copy, copy_text = _copy_report(result, args.no_copy)
    context.emit(
        {"path": str(result.path), "size": size, "copy": copy},
        _("Backup written: {file} ({size} MB).").format(file=result.path,
                                                       size=_megabytes(size))
        + "\n" + copy_text,
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
