"""Reading a spreadsheet file (CSV or XLSX) into plain rows, each with its line number.

Secretariats keep their roster in Excel and send it around as ``.xlsx`` or as the CSV that
French Excel writes (semicolons, Windows-1252). Files also arrive renamed, empty, as PDFs, or
still open in Excel. This module only answers "what rows does this file hold, and on which
line is each": the format is detected from the content, not trusted from the extension, and
every whole-file problem is an :class:`InputError` naming the file and the problem. What the
rows *mean* is the roster importer's business.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import N_, _

MAX_BYTES = 10 * 1024 * 1024
# What a workbook may unpack to, by the sizes its zip directory declares (zipfile never
# inflates an entry beyond its declared size): a 20 000-row roster unpacks to about 15 MB,
# while a 300 KB file can hold a 300 MB cell that openpyxl would load whole.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ROWS = 20_000
DELIMITERS = (";", ",", "\t")

# Signatures of files people pick by mistake, so the refusal can say what the file is.
_NOT_TABLES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", N_("a PDF document")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"{\\rtf", N_("an RTF document")),
    (b"Rar!", N_("a RAR archive")),
    (b"7z\xbc\xaf", N_("a 7-Zip archive")),
    (b"\x1f\x8b", N_("a compressed (gzip) file")),
    (b"MZ", N_("a program")),
    (b"\x7fELF", N_("a program")),
)
# Formats that hold a table CCS Desk does not read: the person can re-save them.
_OTHER_FORMATS: tuple[tuple[str, str], ...] = (
    ("content.xml", N_("an OpenDocument spreadsheet (.ods)")),
    ("word/document.xml", N_("a Word document")),
)
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


Cell = str | date | datetime | int | float | bool | None


@dataclass(frozen=True)
class TableRow:
    """One row of the file: ``line`` is the spreadsheet row or the CSV physical line."""

    line: int
    cells: tuple[Cell, ...]

    @property
    def empty(self) -> bool:
        return all(cell_text(cell) == "" for cell in self.cells)


@dataclass(frozen=True)
class Table:
    """A file's rows and how it was read (shown to the user in the import preview)."""

    file_format: str  # "csv" | "xlsx"
    encoding: str | None
    delimiter: str | None
    rows: list[TableRow]
    data: bytes
    sheet: str | None = None
    # merged cell ranges of an XLSX sheet: (first row, first column, last row, last column),
    # 1-based as Excel counts; the importer refuses a heading merged over a data column.
    merged: tuple[tuple[int, int, int, int], ...] = ()


def cell_text(value: Cell) -> str:
    """The text of a cell as a person reads it: ``76123456`` not ``76123456.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``: how Excel names columns, also for CSV files."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27 (1-based, as Excel counts)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _cannot_read(path: Path, error: OSError) -> InputError:
    return InputError(_("The file « {file} » cannot be read: {reason}").format(
        file=path.name, reason=error.strerror or error))


def locked_message(path: Path) -> str:
    return _("The file « {file} » is open in another program (Excel?): close it and try "
             "again.").format(file=path.name)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a missing, locked, huge or empty file with a clear reason."""
    if path.name.startswith("~$"):
        raise InputError(_("« {file} » is the lock file Excel leaves while a workbook is open, "
                           "not the workbook itself: choose « {workbook} ».").format(
            file=path.name, workbook=path.name[2:]))
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(_("« {file} » is a folder, not a file.").format(file=path.name))
    except FileNotFoundError:
        raise InputError(_("The file « {file} » does not exist.").format(file=path)) from None
    except PermissionError:
        raise InputError(locked_message(path)) from None
    except OSError as error:
        raise _cannot_read(path, error) from None
    too_large = InputError(_(
        "The file « {file} » is too large (more than {limit} MB): a roster is much smaller; "
        "check that it is the right file or split it.").format(
            file=path.name, limit=MAX_BYTES // 1024 // 1024))
    if size > MAX_BYTES:
        raise too_large
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except PermissionError:
        # What Windows raises while Excel holds the file open.
        raise InputError(locked_message(path)) from None
    except OSError as error:
        raise _cannot_read(path, error) from None
    if len(data) > MAX_BYTES:
        raise too_large
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe;,"):
        raise InputError(_("The file « {file} » is empty.").format(file=path.name))
    return data


def read_table(path: Path) -> Table:
    """The rows of the CSV or XLSX file at ``path``, whatever its extension says."""
    path = Path(path)
    data = read_bytes(path)
    if data.startswith(b"PK"):
        return _read_zip(path, data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse_format(path, N_("an old Excel 97-2003 workbook (.xls)"))
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        _refuse_format(path, N_("a web page (HTML)"))
    for magic, kind in _NOT_TABLES:
        if data.startswith(magic):
            raise InputError(_("The file « {file} » is not a spreadsheet ({kind}): open the "
                               "roster in Excel and save it as .xlsx or .csv.").format(
                file=path.name, kind=_(kind)))
    text, encoding = _decode(path, data)
    return _read_csv(path, text, encoding, data)


def _refuse_format(path: Path, kind: str) -> None:
    raise InputError(_("The file « {file} » is {kind}, which CCS Desk does not read: open it "
                       "in Excel or LibreOffice and save it as .xlsx or .csv.").format(
        file=path.name, kind=_(kind)))


def _read_zip(path: Path, data: bytes) -> Table:
    """An XLSX workbook; any other zip (ODS, DOCX…) is named and refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    # NotImplementedError: a damaged header claiming a zip version or method zipfile lacks.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
        raise InputError(_("The file « {file} » is a damaged archive: it cannot be opened "
                           "({reason}).").format(file=path.name, reason=error)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(_("The file « {file} » unpacks to more than {limit} MB: a roster is "
                           "much smaller; check that it is the right file.").format(
            file=path.name, limit=MAX_UNPACKED_BYTES // 1024 // 1024))
    if "xl/workbook.xml" in names:
        return _read_xlsx(path, data)
    for member, kind in _OTHER_FORMATS:
        if member in names:
            _refuse_format(path, kind)
    _refuse_format(path, N_("an OpenDocument file") if "mimetype" in names
                   else N_("a ZIP archive"))
    raise AssertionError  # unreachable: _refuse_format raises


def _looks_binary(text: str) -> bool:
    sample = text[:20_000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    return "\x00" in sample or controls > max(2, len(sample) // 200)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-16 or UTF-8 by their BOM, UTF-8, else Windows-1252."""
    candidates: list[str]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "windows-1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text, encoding
    raise InputError(_("The file « {file} » is neither an Excel workbook nor readable CSV text "
                       "(UTF-8 or Windows-1252): open the roster in Excel and save it as .xlsx "
                       "or .csv.").format(file=path.name))


def _delimiter(text: str) -> str:
    """The delimiter giving the most lines with the same number (> 1) of fields."""
    sample = text[:64_000].splitlines()[:40]
    best, best_score = ";", (0, 0)
    for delimiter in DELIMITERS:
        counts: dict[int, int] = {}
        for fields in csv.reader(sample, delimiter=delimiter):
            if len(fields) > 1:
                counts[len(fields)] = counts.get(len(fields), 0) + 1
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (lines, width) > best_score:
            best, best_score = delimiter, (lines, width)
    return best


def _read_csv(path: Path, text: str, encoding: str, data: bytes) -> Table:
    first_line = text.split("\n", 1)[0].strip().strip('"')
    skipped = 0
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        # Excel's hint line ("sep=;") says the delimiter and is not a row.
        delimiter, text, skipped = first_line[4], text.split("\n", 1)[-1], 1
    else:
        delimiter = _delimiter(text)
    previous_end = skipped
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[TableRow] = []
    try:
        for fields in reader:
            rows.append(TableRow(previous_end + 1, tuple(fields)))
            previous_end = skipped + reader.line_num
            _check_row_count(path, rows)
    except csv.Error as error:
        if "field limit" in str(error):
            raise InputError(_("The CSV file has a cell of more than {limit} characters near "
                               "line {line}: a roster cell is much shorter; check that it is "
                               "the right file.").format(
                line=previous_end + 1,
                limit=f"{csv.field_size_limit():,}".replace(",", "\u202f"))) from None
        raise InputError(_("The CSV file cannot be read near line {line}: {reason}").format(
            line=previous_end + 1, reason=error)) from None
    return Table("csv", encoding, delimiter, rows, data)


def too_many_rows(path: Path) -> InputError:
    return InputError(_("The file « {file} » has more than {limit} rows: split it into "
                        "several files.").format(file=path.name,
                                                 limit=f"{MAX_ROWS:,}".replace(",", "\u202f")))


def _check_row_count(path: Path, rows: list[TableRow]) -> None:
    if len(rows) > MAX_ROWS + 50:  # title, heading and signature rows around the members
        raise too_many_rows(path)


def _read_xlsx(path: Path, data: bytes) -> Table:
    """Rows of the first sheet that holds anything (row numbers as Excel shows them)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise InputError(_("The file « {file} » looks like an Excel workbook but cannot be "
                           "read ({reason}): open it in Excel and save it again.").format(
            file=path.name, reason=type(error).__name__)) from None
    try:
        for sheet in workbook.worksheets:
            # Some programs write a wrong size ("A1") in the sheet: read every row regardless.
            sheet.reset_dimensions()
            rows: list[TableRow] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                rows.append(TableRow(number, tuple(values)))
                _check_row_count(path, rows)
            if any(not row.empty for row in rows):
                return Table("xlsx", None, None, rows, data, sheet.title,
                             _merged_ranges(data, getattr(sheet, "_worksheet_path", "")))
    except InputError:
        raise
    except Exception as error:  # a cell openpyxl cannot convert, a broken sheet part
        raise InputError(_("The file « {file} » looks like an Excel workbook but cannot be "
                           "read ({reason}): open it in Excel and save it again.").format(
            file=path.name, reason=type(error).__name__)) from None
    finally:
        workbook.close()
    raise InputError(_("The file « {file} » is empty.").format(file=path.name))


def _merged_ranges(data: bytes, sheet_path: str) -> tuple[tuple[int, int, int, int], ...]:
    """Merged cells of one sheet, read from its XML (the read-only reader does not keep them)."""
    if not sheet_path:
        return ()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(sheet_path.lstrip("/"))
        except KeyError:
            return ()
    return tuple((int(r1), column_index(c1.decode()), int(r2), column_index(c2.decode()))
                 for c1, r1, c2, r2 in _MERGE.findall(xml))
