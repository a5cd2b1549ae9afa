"""Exporting the roster as the files secretariats work with: XLSX, CSV (and PDF when the
roster document is available).

The headings are French and are the ones the importer recognises, so a roster exported, edited
in Excel and imported again updates the members in place; exported and imported unchanged, it
changes nothing. The CSV is what French Excel opens with a double click: semicolons, UTF-8
with a byte-order mark, dd/mm/yyyy dates.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from ccsdesk.core.errors import InputError
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal, roster
from ccsdesk.core.storage.folder import DataFolder

# The file's headings are data in French (like the documents), whatever the interface language.
HEADINGS: tuple[tuple[str, str], ...] = (
    ("last_name", "Nom"),
    ("first_names", "Prénom(s)"),
    ("sex", "Sexe"),
    ("category", "Catégorie"),
    ("organisation", "Organisation / structure"),
    ("role", "Fonction au bureau"),
    ("phone", "Téléphone"),
    ("email", "E-mail"),
    ("mandate_start", "Début de mandat"),
    ("mandate_end", "Fin de mandat"),
    ("active", "Actif"),
)
# Bureau roles as the file writes them; each is read back by ``member_fields.parse_role``.
ROLE_WORDS: dict[str, str] = {
    "president": "Président",
    "vice_president": "Vice-président",
    "secretary": "Secrétaire",
    "member": "Membre",
    "guest": "Invité",
}
FORMATS = (".xlsx", ".csv", ".pdf")
_WIDTHS = {"last_name": 18, "first_names": 22, "sex": 6, "category": 28, "organisation": 30,
           "role": 18, "phone": 18, "email": 28, "mandate_start": 15, "mandate_end": 15,
           "active": 7}


def _cells(member: roster.MemberInfo) -> list[object]:
    values: dict[str, object] = {
        "last_name": member.last_name,
        "first_names": member.first_names,
        "sex": member.sex,
        "category": member.category,
        "organisation": member.organisation,
        "role": ROLE_WORDS.get(member.role, member.role),
        "phone": member.phone,
        "email": member.email,
        "mandate_start": member.mandate_start,
        "mandate_end": member.mandate_end,
        "active": "oui" if member.active else "non",
    }
    return [values[field_id] for field_id, _heading in HEADINGS]


def _guard(text: str) -> str:
    """Keep a spreadsheet from reading a value as a formula ("=…", "@…"); the importer
    removes the apostrophe again. Phone numbers starting with "+" are left alone."""
    if text[:1] in ("=", "@") or (text[:1] in ("+", "-") and any(c.isalpha() for c in text)):
        return "'" + text
    return text


def csv_bytes(members: list[roster.MemberInfo]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading for _field, heading in HEADINGS])
    for member in members:
        writer.writerow([
            value.strftime("%d/%m/%Y") if isinstance(value, date)
            else _guard(str(value)) if value is not None else ""
            for value in _cells(member)
        ])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(members: list[roster.MemberInfo]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Membres"
    sheet.append([heading for _field, heading in HEADINGS])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = {i: max(_WIDTHS[f], len(h) + 2) for i, (f, h) in enumerate(HEADINGS)}
    date_columns = {i for i, (f, _h) in enumerate(HEADINGS) if f.startswith("mandate_")}
    for row_number, member in enumerate(members, start=2):
        for index, value in enumerate(_cells(member)):
            if value in ("", None):
                continue
            cell = sheet.cell(row=row_number, column=index + 1, value=value)
            if index in date_columns:
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, even for "=…"
                widths[index] = min(max(widths[index], len(value) + 2), 50)
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    if members:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADINGS))}{len(members) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_writer():  # type: ignore[no-untyped-def]
    """The roster document's ``write(folder, path)``, when that module is installed."""
    try:
        from ccsdesk.core.documents import roster as roster_document
    except ImportError:
        return None
    return getattr(roster_document, "write", None)


def supported_suffixes() -> tuple[str, ...]:
    return FORMATS if _pdf_writer() is not None else FORMATS[:2]


def export(folder: DataFolder, path: Path) -> int:
    """Write the roster to ``path`` and return how many members it holds.

    The format follows the extension: ``.xlsx`` and ``.csv`` hold every member, active or
    not (so the file can be imported back); ``.pdf`` is the printed roster of the members in
    office, with the composition figures (:mod:`ccsdesk.core.documents.roster`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in supported_suffixes():
        raise InputError(
            _("Cannot export to « {file} »: the file name must end with {formats}.").format(
                file=path.name, formats=", ".join(supported_suffixes()))
        )
    members = roster.list_members(folder)
    try:
        if suffix == ".pdf":
            writer = _pdf_writer()
            assert writer is not None
            writer(folder, path)
            members = [m for m in members if m.active]  # the document lists those in office
        else:
            data = xlsx_bytes(members) if suffix == ".xlsx" else csv_bytes(members)
            write_atomically(path, data)
    except PermissionError as error:
        raise InputError(
            _("The file « {file} » is open in another program (Excel?): close it and try "
              "again.").format(file=path.name)
        ) from error
    except OSError as error:
        raise InputError(
            _("The file « {file} » cannot be written: {reason}").format(
                file=path, reason=error.strerror or error)
        ) from error
    with folder.database.unit_of_work() as session:
        journal.record(session, "members.export", "members",
                       {"file": path.name, "format": suffix[1:], "members": len(members)})
    return len(members)
