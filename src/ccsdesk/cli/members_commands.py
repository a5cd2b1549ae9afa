"""``members list|import|export``: the roster from the command line.

Services are imported inside the handlers so that building the parser stays cheap. The
import report uses only the public API of :mod:`ccsdesk.core.services.roster_import`
(``ImportPlan`` and its rows, columns and rejected rows), as the window's import dialog does.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import CcsError, InputError
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services.member_fields import ROLES

if TYPE_CHECKING:
    from ccsdesk.core.services import roster
    from ccsdesk.core.services.roster_import import ImportPlan


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("members", help=_("the member roster"))
    commands = group.add_subparsers(dest="members_command", required=True)
    listing = commands.add_parser("list", help=_("list the members"))
    listing.add_argument("--active", action="store_true", help=_("only active members"))
    listing.set_defaults(handler=run_list)
    importing = commands.add_parser(
        "import", help=_("import members from a CSV or XLSX file: all rows or none"))
    importing.add_argument("file", metavar="FILE", type=Path)
    importing.add_argument("--dry-run", action="store_true",
                           help=_("check the file and show what would change, write nothing"))
    importing.add_argument("--create-categories", action="store_true",
                           help=_("create the categories the file names that do not exist yet"))
    importing.set_defaults(handler=run_import)
    exporting = commands.add_parser(
        "export", help=_("export the roster; the format follows the extension (.xlsx, .csv, "
                         ".pdf)"))
    exporting.add_argument("file", metavar="FILE", type=Path)
    exporting.set_defaults(handler=run_export)


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
    from ccsdesk.core.services import roster

    members = roster.list_members(context.folder(), active_only=args.active)
    lines = [
        f"{m.id:>4}  {m.full_name:<32} {m.sex}  {_(ROLES[m.role]):<22} {m.category}"
        + ("" if m.active else "  " + _("(inactive)"))
        for m in members
    ]
    lines.append(_("{count} members").format(count=len(members)))
    context.emit({"members": [member_json(m) for m in members]}, "\n".join(lines))
    return 0


# --------------------------------------------------------------------------- import

def _column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _columns(plan: ImportPlan) -> list[tuple[str, str, str | None]]:
    """``(letter, heading, field)`` for each column of the file, in order."""
    return [(getattr(c, "column", "") or _column_letter(i), c.heading, c.field)
            for i, c in enumerate(plan.columns)]


def refusal(plan: ImportPlan) -> InputError:
    """All rows or none: the count of bad rows first, then one line per bad row."""
    count = len(plan.rejected)
    return InputError(
        ngettext("File refused: {count} row in error; nothing was imported.",
                 "File refused: {count} rows in error; nothing was imported.",
                 count).format(count=count),
        [_("line {line}: {reason}").format(line=r.line, reason=r.reason) for r in plan.rejected],
    )


def _import_json(path: Path, dry_run: bool, plan: ImportPlan | None,
                 error: CcsError | None = None) -> dict[str, Any]:
    # A refused file added nothing: its would-be counts go under "planned", not "added".
    refused = plan is None or not plan.ok or error is not None
    document: dict[str, Any] = {
        "file": str(path),
        "dry_run": dry_run,
        "imported": not refused and not dry_run,
        "added": 0 if refused else plan.added,  # type: ignore[union-attr]
        "updated": 0 if refused else plan.updated,  # type: ignore[union-attr]
        "skipped": 0 if refused else plan.unchanged,  # type: ignore[union-attr]
        "planned": {"added": plan.added, "updated": plan.updated,
                    "skipped": plan.unchanged} if plan else None,
        "rejected": [{"line": r.line, "reason": r.reason} for r in plan.rejected] if plan else [],
        "columns": [{"column": letter, "heading": heading, "field": field_id}
                    for letter, heading, field_id in _columns(plan)] if plan else [],
        "categories_created": list(plan.new_categories) if plan else [],
    }
    if plan is not None:
        document.update({
            "format_detected": plan.file_format,
            "encoding": plan.encoding,
            "delimiter": plan.delimiter,
            "sheet": getattr(plan, "sheet", None),
            "header_line": plan.header_line,
            "rows": [{"line": r.line, "action": r.action, "id": r.member_id,
                      "last_name": r.data.last_name, "first_names": r.data.first_names}
                     for r in plan.rows],
        })
    if error is not None:
        document["error"] = error.message
    return document


def _describe(plan: ImportPlan) -> list[str]:
    if plan.file_format == "xlsx":
        source = _("Excel workbook, headings on line {line}").format(line=plan.header_line)
    else:
        delimiter = {"\t": _("tab")}.get(plan.delimiter or "", plan.delimiter or "")
        source = _("CSV, {encoding}, separator « {delimiter} », headings on line {line}").format(
            encoding=plan.encoding or "", delimiter=delimiter, line=plan.header_line)
    lines = [_("File: {file} ({source})").format(file=plan.source.name, source=source),
             _("Columns:")]
    from ccsdesk.core.services.roster_import import field_label

    for letter, heading, field_id in _columns(plan):
        label = field_label(field_id) if field_id is not None else _("ignored column")
        lines.append(f"  {letter:>2}  {heading or _('(no heading)')} → {label}")
    return lines


def _name(last: str, first: str) -> str:
    return f"{last.upper()} {first}".strip()


def _report(plan: ImportPlan, dry_run: bool) -> str:
    lines = _describe(plan)
    added = [r for r in plan.rows if r.action == "add"]
    updated = [r for r in plan.rows if r.action == "update"]
    verb_added = _("To add: {count}") if dry_run else _("Added: {count}")
    verb_updated = _("To update: {count}") if dry_run else _("Updated: {count}")
    lines.append(verb_added.format(count=len(added)))
    lines += [_("  + {name} (line {line})").format(
        name=_name(r.data.last_name, r.data.first_names), line=r.line) for r in added]
    lines.append(verb_updated.format(count=len(updated)))
    lines += [_("  ~ {name} (line {line}, member {id})").format(
        name=_name(r.data.last_name, r.data.first_names), line=r.line, id=r.member_id)
        for r in updated]
    lines.append(_("Skipped (unchanged): {count}").format(count=plan.unchanged))
    if plan.new_categories:
        label = _("Categories to create: {names}") if dry_run else \
            _("Categories created: {names}")
        lines.append(label.format(names=", ".join(f"« {n} »" for n in plan.new_categories)))
    if dry_run:
        lines.append(_("Dry run: nothing was written."))
    return "\n".join(lines)


def run_import(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import roster_import

    folder = context.folder()
    try:
        plan = roster_import.read_file(folder, args.file,
                                       create_categories=args.create_categories)
    except CcsError as error:
        if context.json:
            context.emit(_import_json(args.file, args.dry_run, None, error), "")
        raise
    if not plan.ok:
        error = refusal(plan)
        context.emit(_import_json(args.file, args.dry_run, plan, error), "")
        raise error
    if not args.dry_run:
        try:
            roster_import.apply(folder, plan)
        except CcsError as error:
            if context.json:
                context.emit(_import_json(args.file, args.dry_run, plan, error), "")
            raise
    context.emit(_import_json(args.file, args.dry_run, plan), _report(plan, args.dry_run))
    return 0


# --------------------------------------------------------------------------- export

def run_export(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import roster_export

    count = roster_export.export(context.folder(), args.file)
    context.emit(
        {"file": str(args.file), "count": count},
        ngettext("{count} member exported to {file}.", "{count} members exported to {file}.",
                 count).format(count=count, file=args.file),
    )
    return 0
