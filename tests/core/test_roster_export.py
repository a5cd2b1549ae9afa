"""Exporting the roster as XLSX, CSV and PDF, and reading the export back.

The export is what a secretary edits in Excel and imports again, so the round trip is the
test that matters: exported and imported unchanged, it changes nothing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ccsdesk.core.errors import InputError
from ccsdesk.core.services import roster, roster_export, roster_import
from ccsdesk.core.services.roster import MemberData
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import JournalEntry
from ccsdesk.core.text import fold
from tests.core import pdftools

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "roster"
HEADINGS = ["Nom", "Prénom(s)", "Sexe", "Catégorie", "Organisation / structure",
            "Fonction au bureau", "Téléphone", "E-mail", "Début de mandat", "Fin de mandat",
            "Actif"]


@pytest.fixture
def filled(commune: DataFolder) -> DataFolder:
    """The sample roster, plus the cases a round trip could lose: no category, no first
    name, an inactive guest, a formula-looking organisation."""
    roster_import.apply(commune, roster_import.read_file(commune, SAMPLES / "membres.xlsx"))
    roster.add_member(commune, MemberData(last_name="Togola", sex="F"))
    guest = roster.add_member(commune, MemberData(
        last_name="Haïdara", first_names="Bréhima", sex="M", role="guest",
        organisation="=HYPERLINK(\"http://exemple.invalid\")", email="bh@exemple.ml",
        mandate_start=date(2023, 2, 1), mandate_end=date(2024, 1, 31)))
    roster.set_active(commune, guest, False)
    return commune


def snapshot(folder: DataFolder) -> list[tuple[object, ...]]:
    return [(m.id, m.last_name, m.first_names, m.sex, m.category, m.organisation, m.role,
             m.phone, m.email, m.mandate_start, m.mandate_end, m.active)
            for m in roster.list_members(folder)]


def test_xlsx_layout(filled: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "membres.xlsx"
    assert roster_export.export(filled, path) == 25
    sheet = load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == HEADINGS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 15
    rows = {fold(str(row[0])): row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert sheet.max_row == 26
    maiga = rows["maiga"]
    assert maiga[1] == "Oumar"
    assert maiga[3] == "Administration"
    assert maiga[5] == "Secrétaire"
    assert maiga[8] == datetime(2024, 1, 15)  # a real date cell
    start_cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == maiga[0])[8]
    assert start_cell.number_format == "DD/MM/YYYY"
    haidara = rows["haidara"]
    assert haidara[5] == "Invité"
    assert haidara[10] == "non"
    formula = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Haïdara")[4]
    assert formula.data_type == "s", "a value starting with = is text, never a formula"


def test_csv_is_what_french_excel_opens(filled: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "membres.csv"
    assert roster_export.export(filled, path) == 25
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";") == HEADINGS
    maiga = next(line for line in lines if line.upper().startswith("MAÏGA;"))
    assert ";15/01/2024;14/01/2027;oui" in maiga
    assert any("'=HYPERLINK" in line for line in lines), "formula guarded"


@pytest.mark.parametrize("name", ["membres.xlsx", "membres.csv"])
def test_round_trip_changes_nothing(filled: DataFolder, tmp_path: Path, name: str) -> None:
    before = snapshot(filled)
    path = tmp_path / name
    roster_export.export(filled, path)
    plan = roster_import.read_file(filled, path)
    assert plan.ok, plan.rejected
    assert (plan.added, plan.updated, plan.unchanged) == (0, 0, 25)
    roster_import.apply(filled, plan)
    assert snapshot(filled) == before


def test_round_trip_into_another_committee(filled: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "membres.xlsx"
    roster_export.export(filled, path)
    other = DataFolder.open(tmp_path / "autre")
    try:
        roster_import.apply(other, roster_import.read_file(other, path))
        assert [row[1:] for row in snapshot(other)] == [row[1:] for row in snapshot(filled)]
    finally:
        other.close()


def test_unknown_extension_refused_and_nothing_written(filled: DataFolder,
                                                       tmp_path: Path) -> None:
    target = tmp_path / "membres.ods"
    with pytest.raises(InputError) as caught:
        roster_export.export(filled, target)
    assert "membres.ods" in caught.value.message
    assert not target.exists()


def test_export_is_atomic_and_journaled(filled: DataFolder, tmp_path: Path) -> None:
    target = tmp_path / "sous-dossier" / "membres.csv"
    target.parent.mkdir()
    target.write_text("ancien contenu", encoding="utf-8")
    roster_export.export(filled, target)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.name for p in target.parent.iterdir()] == ["membres.csv"]  # no partial file
    with filled.database.reading() as session:
        details = session.scalars(select(JournalEntry.details).where(
            JournalEntry.action == "members.export")).one()
    assert json.loads(details)["members"] == 25


def test_pdf_roster(filled: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "membres.pdf"
    count = roster_export.export(filled, path)
    assert count == 24  # the printed roster lists the members in office
    text = pdftools.text(path)
    assert "Oumar" in text
    assert "MAÏGA" in text.upper()
    assert "Haïdara" not in text  # inactive


def test_empty_roster_exports_headings_only(commune: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "vide.xlsx"
    assert roster_export.export(commune, path) == 0
    sheet = load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == HEADINGS
    assert sheet.max_row == 1
