"""Importing the roster from the CSV or XLSX file a secretariat already keeps.

Two steps, so a person sees what will happen before anything is written:
:func:`read_file` reads and checks the whole file and returns an :class:`ImportPlan` (the
column mapping, what each row will do, every bad row with its line number and reason);
:func:`apply` writes the plan in one transaction. All rows or none: a plan with a single bad
row is refused whole, because a half-imported roster is worse than none.

Importing the same file again updates and never duplicates: rows are matched to members by
folded name (``roster.name_key``), and by phone when several members share a name. Columns
the file does not have leave the existing member's value alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, StateError
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import journal, member_fields, roster
from ccsdesk.core.services.roster import MemberData
from ccsdesk.core.services.roster_headings import field_for
from ccsdesk.core.services.table_files import (
    MAX_ROWS,
    Cell,
    Table,
    TableRow,
    cell_text,
    column_letter,
    read_table,
    too_many_rows,
)
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Category, Member, new_uid
from ccsdesk.core.text import fold, fold_key

HEADER_SCAN_ROWS = 15
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_DAYS = (18264, 73051)  # 1 January 1950 to 31 December 2099
_MEMBER_COLUMNS = (
    Member.id, Member.name_key, Member.last_name, Member.first_names, Member.sex,
    Member.category_id, Member.organisation, Member.role, Member.phone, Member.email,
    Member.mandate_start, Member.mandate_end, Member.active,
)
# What each field is called in the column mapping shown before importing.
FIELD_LABELS: dict[str, str] = {
    "last_name": N_("last name"),
    "first_names": N_("first names"),
    "full_name": N_("full name (last and first names)"),
    "sex": N_("sex"),
    "category": N_("category"),
    "organisation": N_("organisation"),
    "role": N_("bureau role"),
    "phone": N_("phone"),
    "email": N_("e-mail"),
    "mandate_start": N_("start of mandate"),
    "mandate_end": N_("end of mandate"),
    "active": N_("active member (yes/no)"),
}
_NAME_FIELDS = ("last_name", "full_name")
_ACTIVE_WORDS = {
    "oui": True, "o": True, "yes": True, "y": True, "x": True, "1": True, "vrai": True,
    "true": True, "actif": True, "active": True, "actif ve": True, "en fonction": True,
    "en activite": True, "titulaire": True, "suppleant": True, "suppleante": True,
    "non": False, "n": False, "no": False, "0": False, "faux": False, "false": False,
    "inactif": False, "inactive": False, "inactif ve": False, "ancien": False,
    "ancienne": False, "sortant": False, "sortante": False,
}
# Headings that may name the bureau role or the member's job ("Fonction": "Maire").
_AMBIGUOUS_ROLE_HEADINGS = frozenset({"fonction", "fonctions", "qualite", "poste", "titre",
                                      "function"})
# Words after a bureau role that do not change it: "Membre titulaire", "Président du CCS".
_ROLE_SUFFIXES = ("du ccs", "du comite", "du bureau", "du comite consultatif de securite",
                  "titulaire", "suppleant", "suppleante", "de droit", "permanent",
                  "permanente", "general", "generale")
# Words that say nothing about which category is meant ("Forces de défense et de sécurité").
_CATEGORY_STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "et", "l", "d", "en",
                                 "au", "aux", "a"})


@dataclass(frozen=True)
class ColumnMapping:
    """How one column of the file was understood; ``field`` is ``None`` when ignored."""

    heading: str
    field: str | None
    column: str = ""  # the column's letter, as Excel shows it: "A", "B"…


@dataclass(frozen=True)
class RejectedRow:
    """A row that cannot be imported: its line in the file and why, in the user's words."""

    line: int
    reason: str


@dataclass(frozen=True)
class PlannedRow:
    """What importing one row will do: ``action`` is "add", "update" or "unchanged".

    ``data`` is the member as they will be after the import (for an update, the existing
    values of columns the file lacks are kept). ``new_category`` names a category that
    :func:`apply` creates first (only with ``create_categories``); ``data.category_id`` is
    then ``None`` until it exists.
    """

    line: int
    action: str
    data: MemberData
    member_id: int | None
    new_category: str | None = None


@dataclass(frozen=True)
class ImportPlan:
    """The outcome of reading a file: nothing has been written yet."""

    source: Path
    file_format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    columns: list[ColumnMapping]
    rows: list[PlannedRow]
    rejected: list[RejectedRow]
    new_categories: list[str]
    sha256: str = ""
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        return not self.rejected

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def added(self) -> int:
        return self._count("add")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    def refusal(self) -> InputError:
        """The refusal of a plan with bad rows: one line, then one detail per bad row."""
        return InputError(refusal_message(len(self.rejected)),
                          [row_text(row) for row in self.rejected])


@dataclass(frozen=True)
class ImportResult:
    """What :func:`apply` wrote."""

    added: int
    updated: int
    unchanged: int
    categories_created: list[str] = field(default_factory=list)


# -- reading the file ------------------------------------------------------------------------


def read_file(folder: DataFolder, path: Path, *, create_categories: bool = False) -> ImportPlan:
    """Read and check ``path`` against the roster of ``folder``; writes nothing.

    Whole-file problems (not a spreadsheet, no name column, a heading twice…) raise
    :class:`InputError`; row problems are listed in ``rejected`` with their line numbers.
    """
    path = Path(path)
    table = read_table(path)
    header_index, columns = _find_header(path.name, table)
    mapping = _field_columns(columns)
    rows = _member_rows(table.rows[header_index + 1:])
    if len(rows) > MAX_ROWS:
        raise too_many_rows(path)
    if not rows:
        raise InputError(_("The file « {file} » has headings but no member under them.")
                         .format(file=path.name))
    _refuse_merged_headings(table, table.rows[header_index], columns, rows)
    _refuse_unnamed_data_columns(table.rows[header_index], columns, rows)
    columns = _job_titles_are_not_roles(columns, rows)
    mapping = _field_columns(columns)
    planner = _Planner(folder, mapping, create_categories)
    for row in rows:
        planner.plan_row(row)
    return ImportPlan(
        source=path, file_format=table.file_format, encoding=table.encoding,
        delimiter=table.delimiter, header_line=table.rows[header_index].line,
        columns=columns, rows=planner.planned, rejected=planner.rejected,
        new_categories=list(planner.new_categories.values()),
        sha256=hashlib.sha256(table.data).hexdigest(), sheet=table.sheet,
    )


def _filled(row: TableRow) -> int:
    return sum(1 for cell in row.cells if cell_text(cell))


def _member_rows(rows: list[TableRow]) -> list[TableRow]:
    """The rows under the headings, without empty rows and the notes below the table.

    Lists end with lines such as "Arrêté la présente liste à 23 membres" or "Le Maire": one
    filled cell after the last real row. A lone cell *inside* the table stays a row, and is
    refused with its reason rather than dropped unseen.
    """
    rows = [row for row in rows if not row.empty]
    while rows and _filled(rows[-1]) == 1:
        rows.pop()
    return rows


def _find_header(name: str, table: Table) -> tuple[int, list[ColumnMapping]]:
    """The index of the heading row and its mapping.

    The heading row names the name column; a title such as "Membres" alone in its row also
    does, so a row that names at least one more column is preferred.
    """
    candidates: list[tuple[int, list[str], list[str | None]]] = []
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        headings = [cell_text(cell) for cell in row.cells]
        fields = [field_for(heading) for heading in headings]
        if any(f in _NAME_FIELDS for f in fields):
            candidates.append((index, headings, fields))
    fuller = [c for c in candidates if sum(1 for f in c[2] if f is not None) >= 2]
    for index, headings, fields in (fuller or candidates)[:1]:
        while headings and not headings[-1]:
            headings.pop()
        columns = [ColumnMapping(h, f, column_letter(i))
                   for i, (h, f) in enumerate(zip(headings, fields, strict=False))]
        _refuse_twice(columns)
        names = {c.field for c in columns}
        if "last_name" in names and not names & {"first_names", "full_name"}:
            # A lone "Nom" column holds whole names ("TRAORÉ Aminata") on most lists.
            columns = [replace(c, field="full_name") if c.field == "last_name" else c
                       for c in columns]
        return index, columns
    raise InputError(
        _("No heading row naming the members (a column « Nom » or « Nom et prénom(s) ») was "
          "found in the first {count} rows of « {file} ».").format(
            count=HEADER_SCAN_ROWS, file=name))


def _refuse_twice(columns: list[ColumnMapping]) -> None:
    seen: dict[str, tuple[int, str]] = {}
    for index, column in enumerate(columns):
        if column.field is None:
            continue
        clash = column.field
        if clash == "full_name" and ("last_name" in seen or "first_names" in seen):
            other_index, other = seen.get("last_name") or seen["first_names"]
        elif clash in ("last_name", "first_names") and "full_name" in seen:
            other_index, other = seen["full_name"]
        elif clash in seen:
            other_index, other = seen[clash]
        else:
            seen[clash] = (index, column.heading)
            continue
        raise InputError(
            _("The columns {first} (« {first_heading} ») and {second} (« {second_heading} ») "
              "both give the {field}: keep one, or rename the other.").format(
                first=column_letter(other_index), first_heading=other,
                second=column_letter(index), second_heading=column.heading,
                field=field_label(clash)))


def _field_columns(columns: list[ColumnMapping]) -> dict[str, int]:
    return {c.field: index for index, c in enumerate(columns) if c.field is not None}


def _example(rows: list[TableRow], index: int) -> str | None:
    """The first value under column ``index`` (0-based), to show in a refusal."""
    for row in rows:
        if index < len(row.cells) and cell_text(row.cells[index]):
            return cell_text(row.cells[index])
    return None


def _refuse_merged_headings(table: Table, header: TableRow, columns: list[ColumnMapping],
                            rows: list[TableRow]) -> None:
    """A heading merged over a column that holds data leaves that column unnamed."""
    for first_row, first_col, last_row, last_col in table.merged:
        if not first_row <= header.line <= last_row or first_col == last_col:
            continue
        for index in range(first_col, last_col):  # 0-based indexes of the covered columns
            example = _example(rows, index)
            if example is None:
                continue
            heading = columns[first_col - 1].heading if first_col - 1 < len(columns) else ""
            raise InputError(
                _("The heading « {heading} » is merged over the cells {cells}, so column "
                  "{column} has no heading of its own but holds data (« {example} »): unmerge "
                  "the cells and give each column its own heading.").format(
                    heading=heading or cell_text(header.cells[first_col - 1]),
                    cells=f"{column_letter(first_col - 1)}{first_row}:"
                          f"{column_letter(last_col - 1)}{last_row}",
                    column=column_letter(index), example=example))


def _refuse_unnamed_data_columns(header: TableRow, columns: list[ColumnMapping],
                                 rows: list[TableRow]) -> None:
    """A column with data but no heading right after the name is a merged heading cell.

    "Nom et prénoms" merged over two columns would otherwise drop the first names silently
    (a CSV keeps no trace of the merge, so the data itself has to tell).
    """
    width = max((len(row.cells) for row in rows), default=0)
    for index in range(1, width):
        heading = cell_text(header.cells[index]) if index < len(header.cells) else ""
        if heading or index - 1 >= len(columns):
            continue
        if columns[index - 1].field not in ("last_name", "full_name", "first_names"):
            continue
        example = _example(rows, index)
        if example is not None:
            raise InputError(
                _("Column {column} has no heading but holds data (« {example} ») next to the "
                  "name column « {heading} » (merged heading cells?): give it its own heading, "
                  "for example « Prénom(s) ».").format(
                    column=column_letter(index), example=example,
                    heading=columns[index - 1].heading))


def _job_titles_are_not_roles(columns: list[ColumnMapping],
                              rows: list[TableRow]) -> list[ColumnMapping]:
    """A plain "Fonction" column often holds each member's job, not their bureau role.

    "Maire", "Commissaire de police", "Chef de quartier": when most values of a column
    headed only "Fonction" (or "Qualité", "Poste") are not bureau roles, the column is read
    as the organisation (if the file has none) or ignored, and the mapping shows it.
    Columns headed "Fonction au bureau", "Rôle"… always give the role.
    """
    index = next((i for i, c in enumerate(columns) if c.field == "role"), None)
    if index is None or fold_key(columns[index].heading) not in _AMBIGUOUS_ROLE_HEADINGS:
        return columns
    values = [cell_text(row.cells[index]) for row in rows if index < len(row.cells)]
    values = [value for value in values if value]
    roles = 0
    for value in values:
        try:
            parse_role(value)
            roles += 1
        except InputError:
            pass
    if roles * 2 >= len(values):
        return columns
    has_organisation = any(c.field == "organisation" for c in columns)
    replacement = None if has_organisation else "organisation"
    return [replace(c, field=replacement) if i == index else c for i, c in enumerate(columns)]


def parse_role(value: str) -> str:
    """``member_fields.parse_role``, also reading "Membre titulaire", "Président du CCS"."""
    try:
        return member_fields.parse_role(value)
    except InputError:
        key = fold_key(value)
        for suffix in _ROLE_SUFFIXES:
            if key.endswith(" " + suffix):
                stripped = key[: -len(suffix) - 1]
                try:
                    return member_fields.parse_role(stripped)
                except InputError:
                    continue
        raise


def field_label(field_id: str | None) -> str:
    """The translated name of a field for the column mapping; "ignored" for ``None``."""
    if field_id is None:
        return _("ignored")
    return _(FIELD_LABELS.get(field_id, field_id))


def split_full_name(text: str) -> tuple[str, str]:
    """``TRAORÉ Aminata`` → (TRAORÉ, Aminata); ``Aminata Traoré`` → (Traoré, Aminata).

    Words in capitals are the family name, as Malian lists write it; otherwise the family
    name is the last word.
    """
    words = text.split()
    capitals = [w for w in words if _is_capitals(w)]
    if capitals and len(capitals) < len(words):
        return " ".join(capitals), " ".join(w for w in words if not _is_capitals(w))
    if len(words) == 1 or capitals:
        return (words[0], " ".join(words[1:])) if capitals else (words[0], "")
    return words[-1], " ".join(words[:-1])


def _is_capitals(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _tidy_name(name: str) -> str:
    """Family names written in capitals are kept as ``Traoré`` (lists show them in capitals)."""
    name = " ".join(name.split())
    return name.title() if _is_capitals(name) else name


def parse_active(value: str) -> bool:
    key = fold_key(value)
    if key in _ACTIVE_WORDS:
        return _ACTIVE_WORDS[key]
    raise InputError(_("unknown status « {value} » (write oui or non)").format(value=value))


def _phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-8:] if len(digits) >= 8 else digits  # +223 prefix or not, same number


def _stem(word: str) -> str:
    """``élues`` → ``elu``: plural and feminine endings do not change the category meant."""
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 3 and word[-1] == "e":
        word = word[:-1]
    return word


def _word_fits(cell_word: str, label_word: str) -> bool:
    """A cell word fits a label word when one begins the other ("gendarm", "jeunesse")."""
    if label_word == cell_word:
        return True
    if len(cell_word) >= 3 and label_word.startswith(cell_word):
        return True
    return len(label_word) >= 4 and cell_word.startswith(label_word)


def _category_words(text: str) -> list[str]:
    return [_stem(w) for w in fold_key(text).split() if w not in _CATEGORY_STOPWORDS]


class _CategoryMatcher:
    """Finds the committee's category a cell means: "gendarmerie" → "FDS – Gendarmerie…"."""

    def __init__(self, categories: list[roster.CategoryInfo]) -> None:
        # Active categories first, so a retired one is only used when nothing else fits.
        ordered = sorted(categories, key=lambda c: (not c.active, c.position, c.id))
        self.categories = [(c, set(_category_words(c.label))) for c in ordered]
        self.by_key = {fold_key(c.label): c for c in reversed(ordered)}
        self.cache: dict[str, roster.CategoryInfo | list[roster.CategoryInfo] | None] = {}

    def match(self, value: str) -> roster.CategoryInfo | list[roster.CategoryInfo] | None:
        """The category; a list of candidates when ambiguous; ``None`` when unknown."""
        if value not in self.cache:
            self.cache[value] = self._match(fold_key(value))
        return self.cache[value]

    def _match(self, key: str) -> roster.CategoryInfo | list[roster.CategoryInfo] | None:
        if key in self.by_key:
            return self.by_key[key]
        words = _category_words(key)
        if not words:
            return None
        same = [c for c, label_words in self.categories if label_words == set(words)]
        if same:
            return same[0]
        # every word of the cell begins a word of the label ("gendarm" → gendarmerie)
        found = [c for c, label_words in self.categories
                 if all(any(_word_fits(w, lw) for lw in label_words) for w in words)]
        if not found:
            # or the label's words are all in the cell ("Élus communaux" → "Élus")
            found = [c for c, label_words in self.categories
                     if label_words and label_words <= set(words)]
        active = [c for c in found if c.active] or found
        if len(active) == 1:
            return active[0]
        return active or None


@dataclass
class _Existing:
    """One member already in the roster, as the import compares it."""

    id: int
    data: MemberData
    phone_digits: str


class _Planner:
    """Builds the plan row by row against one snapshot of the roster (one query)."""

    def __init__(self, folder: DataFolder, columns: dict[str, int],
                 create_categories: bool) -> None:
        self.columns = columns
        self.create_categories = create_categories
        self.categories = _CategoryMatcher(roster.list_categories(folder, include_inactive=True))
        self.existing: dict[str, list[_Existing]] = {}
        with folder.database.reading() as session:
            names = [column.key for column in _MEMBER_COLUMNS[2:]]
            for member_id, key, *values in session.execute(select(*_MEMBER_COLUMNS)):
                data = MemberData(**dict(zip(names, values, strict=True)))
                self.existing.setdefault(key, []).append(
                    _Existing(member_id, data, _phone_digits(data.phone)))
        self.parsed: dict[tuple[object, object], tuple[object, str | None]] = {}
        self.planned: list[PlannedRow] = []
        self.rejected: list[RejectedRow] = []
        self.new_categories: dict[str, str] = {}
        self.seen_names: dict[str, list[tuple[int, str]]] = {}
        self.claimed: dict[int, int] = {}

    def cell(self, row: TableRow, name: str) -> Cell:
        index = self.columns.get(name)
        if index is None or index >= len(row.cells):
            return None
        value = row.cells[index]
        if isinstance(value, str) and value[:1] == "'" and value[1:2] in ("=", "@", "+", "-"):
            value = value[1:]  # the export's guard against Excel formulas
        return value

    def text(self, row: TableRow, name: str) -> str:
        return cell_text(self.cell(row, name))

    def plan_row(self, row: TableRow) -> None:
        faults: list[str] = []
        last, first = self._name(row)
        if not last:
            self.rejected.append(RejectedRow(row.line, _("the name is missing")))
            return
        key = roster.name_key(last, first)
        phone = None
        if "phone" in self.columns:
            phone = self._field(faults, member_fields.clean_phone, self.text(row, "phone"))
        duplicate = self._duplicate_of(key, phone or "", row.line)
        if duplicate is not None:
            self.rejected.append(RejectedRow(row.line, _("; ").join([*faults, duplicate])))
            return
        match = self._match(faults, key, last, first, phone or "")
        base = match.data if match is not None else MemberData(last_name=last)
        values = self._values(row, faults, base)
        new_category = values.pop("new_category", None)
        data = replace(base, last_name=last, first_names=first, **values)
        if phone is not None:
            data = replace(data, phone=phone)
        if not data.sex and not faults:
            faults.append(_("the sex is missing (F or M)") if "sex" in self.columns else
                          _("the sex is missing (F or M): the file has no « Sexe » column"))
        if not faults:
            try:
                data = data.cleaned()
            except InputError as error:
                faults.append(error.message)
        if match is not None and match.id in self.claimed and not faults:
            faults.append(_("same person as on line {line}").format(
                line=self.claimed[match.id]))
        if faults:
            self.rejected.append(RejectedRow(row.line, _("; ").join(dict.fromkeys(faults))))
            return
        if match is None:
            action = "add"
        else:
            self.claimed[match.id] = row.line
            action = "unchanged" if data == match.data and new_category is None else "update"
        self.planned.append(PlannedRow(row.line, action, data,
                                       match.id if match else None, new_category))

    def _name(self, row: TableRow) -> tuple[str, str]:
        last, first = self.text(row, "last_name"), self.text(row, "first_names")
        if not last and "full_name" in self.columns:
            full = self.text(row, "full_name")
            if full:
                last, split_first = split_full_name(full)
                first = first or split_first
        return _tidy_name(last), " ".join(first.split())

    def _field(self, faults: list[str], parse, value):  # type: ignore[no-untyped-def]
        """``parse(value)``, or ``None`` with the reason added to ``faults``.

        Results are remembered per distinct value: a roster repeats the same sexes, roles
        and mandate dates on every row, and 5 000 rows must read in well under a second.
        """
        key = (parse, value)
        if key not in self.parsed:
            try:
                self.parsed[key] = (parse(value), None)
            except InputError as error:
                self.parsed[key] = (None, error.message)
        result, fault = self.parsed[key]
        if fault is not None:
            faults.append(fault)
        return result

    def _duplicate_of(self, key: str, phone: str, line: int) -> str | None:
        """Why this row repeats an earlier one, if it does.

        Namesakes are common ("Moussa Traoré"): two rows with the same name are two people
        only when both give a phone number and the numbers differ.
        """
        digits = _phone_digits(phone)
        earlier = self.seen_names.setdefault(key, [])
        for other_line, other_digits in earlier:
            if digits == other_digits:
                return _("same person as on line {line}").format(line=other_line)
            if not digits or not other_digits:
                return _("same name as on line {line} and no phone number to tell the two "
                         "apart").format(line=other_line)
        earlier.append((line, digits))
        return None

    def _match(self, faults: list[str], key: str, last: str, first: str,
               phone: str) -> _Existing | None:
        candidates = self.existing.get(key, [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        digits = _phone_digits(phone)
        same_phone = [c for c in candidates if digits and c.phone_digits == digits]
        if len(same_phone) == 1:
            return same_phone[0]
        faults.append(_("several members already registered are called {name}; the phone "
                        "number does not tell which one this is").format(
            name=f"{last.upper()} {first}".strip()))
        return None

    def _values(self, row: TableRow, faults: list[str], base: MemberData) -> dict[str, object]:
        """The fields the file gives (columns it lacks keep ``base``'s values)."""
        values: dict[str, object] = {}
        present = self.columns
        if "sex" in present:
            sex = self.text(row, "sex")
            if sex:
                parsed = self._field(faults, member_fields.parse_sex, sex)
                if parsed:
                    values["sex"] = parsed
        if "category" in present:
            values.update(self._category(faults, self.text(row, "category")))
        if "organisation" in present:
            values["organisation"] = self.text(row, "organisation")
        if "role" in present:
            role = self._field(faults, parse_role, self.text(row, "role"))
            if role:
                values["role"] = role
        if "email" in present:
            email = self._field(faults, member_fields.clean_email, self.text(row, "email"))
            if email is not None:
                values["email"] = email
        for name in ("mandate_start", "mandate_end"):
            if name in present:
                values[name] = self._date(faults, self.cell(row, name))
        if "active" in present:
            active = self.text(row, "active")
            if active:
                parsed_active = self._field(faults, parse_active, active)
                if parsed_active is not None:
                    values["active"] = parsed_active
        start = values.get("mandate_start", base.mandate_start)
        end = values.get("mandate_end", base.mandate_end)
        if isinstance(start, date) and isinstance(end, date):
            try:
                member_fields.check_mandate(start, end)
            except InputError as error:
                faults.append(error.message)
        return values

    def _date(self, faults: list[str], value: Cell) -> date | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # A date typed in a cell formatted "Standard" reaches us as Excel's day number.
            if _EXCEL_DAYS[0] <= value <= _EXCEL_DAYS[1]:
                return _EXCEL_EPOCH + timedelta(days=int(value))
            value = cell_text(value)
        if not isinstance(value, (str, date, datetime)) and value is not None:
            value = cell_text(value)
        return self._field(faults, member_fields.parse_date, value)

    def _category(self, faults: list[str], value: str) -> dict[str, object]:
        if not value:
            return {"category_id": None}
        found = self.categories.match(value)
        if isinstance(found, roster.CategoryInfo):
            return {"category_id": found.id}
        if isinstance(found, list):
            faults.append(_("ambiguous category « {value} »: it could be {labels}").format(
                value=value, labels=", ".join(f"« {c.label} »" for c in found)))
            return {}
        if self.create_categories:
            label = " ".join(value.split())
            label = self.new_categories.setdefault(fold_key(label), label)
            return {"category_id": None, "new_category": label}
        faults.append(_("unknown category « {value} »: add it to the list of categories, or "
                        "let the import create it").format(value=value))
        return {}


# -- writing the plan ------------------------------------------------------------------------


def apply(folder: DataFolder, plan: ImportPlan) -> ImportResult:
    """Write ``plan`` in one transaction, after checking the roster has not moved under it."""
    if not plan.ok:
        raise plan.refusal()
    now = datetime.now()
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    with folder.database.unit_of_work() as session:
        existing = {member_id: key for member_id, key in session.execute(
            select(Member.id, Member.name_key))}
        taken = set(existing.values())
        created = _create_categories(session, plan)
        category_ids = set(session.scalars(select(Category.id)))
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            data = row.data
            if row.new_category is not None:
                data = replace(data, category_id=created[fold_key(row.new_category)])
            values = _columns(data.cleaned(), now)
            if values["category_id"] is not None and values["category_id"] not in category_ids:
                raise StateError(_stale(plan))
            if row.action == "update":
                if row.member_id not in existing:
                    raise StateError(_stale(plan))
                updates.append({"id": row.member_id, **values})
            else:
                if values["name_key"] in taken:
                    raise StateError(_stale(plan))
                inserts.append({"uid": new_uid(), "created_at": now, **values})
        # Two statements for the whole file, not one per member: 5 000 rows in well under 2 s.
        if inserts:
            session.execute(insert(Member), inserts)
        if updates:
            session.execute(update(Member), updates)
        result = ImportResult(added=plan.added, updated=plan.updated,
                              unchanged=plan.unchanged,
                              categories_created=list(plan.new_categories))
        journal.record(session, "members.import", f"file:{plan.source.name}", {
            "file": plan.source.name, "sha256": plan.sha256, "format": plan.file_format,
            "added": result.added, "updated": result.updated,
            "unchanged": result.unchanged, "categories_created": result.categories_created,
        })
    return result


def _columns(data: MemberData, now: datetime) -> dict[str, object]:
    """The member table's columns for cleaned ``data`` (what ``roster.apply_data`` sets)."""
    return {
        "last_name": data.last_name, "first_names": data.first_names,
        "name_key": roster.name_key(data.last_name, data.first_names), "sex": data.sex,
        "category_id": data.category_id, "organisation": data.organisation, "role": data.role,
        "phone": data.phone, "email": data.email, "mandate_start": data.mandate_start,
        "mandate_end": data.mandate_end, "active": data.active, "updated_at": now,
    }


def _create_categories(session: Session, plan: ImportPlan) -> dict[str, int]:
    created: dict[str, int] = {}
    position = session.scalar(select(func.max(Category.position))) or 0
    for label in plan.new_categories:
        key = fold_key(label)
        if session.scalar(select(Category.id).where(Category.label_key == key)) is not None:
            raise StateError(_stale(plan))
        position += 1
        category = Category(label=label, label_key=key, position=position, builtin=False,
                            active=True)
        session.add(category)
        session.flush()
        journal.record(session, "category.add", f"category:{category.id}", {"label": label})
        created[key] = category.id
    return created


def _stale(plan: ImportPlan) -> str:
    return _("The roster changed after the file « {file} » was read: read the file "
             "again.").format(file=plan.source.name)


def refusal_message(count: int) -> str:
    """The one line that says a file was refused whole because of ``count`` bad rows."""
    return ngettext("File refused: {count} row in error; nothing was imported.",
                    "File refused: {count} rows in error; nothing was imported.",
                    count).format(count=count)


def row_text(row: RejectedRow) -> str:
    """``line 12: unknown sex « X »``, as the command line and error details show it."""
    return _("line {line}: {reason}").format(line=row.line, reason=row.reason)


def display_name(data: MemberData) -> str:
    return f"{data.last_name.upper()} {data.first_names}".strip()


def sort_key(data: MemberData) -> tuple[str, str]:
    return fold(data.last_name), fold(data.first_names)
