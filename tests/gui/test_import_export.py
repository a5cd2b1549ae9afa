"""The import dialog on real French-Excel files (preview, refusal naming the bad lines,
import, re-import, unknown categories) and the export from the Membres page."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ccsdesk.core.services import roster
from ccsdesk.core.services.roster_import import field_label
from ccsdesk.gui.import_dialog import ImportDialog
from tests.conftest import ROOT, screenshot
from tests.gui.conftest import open_window

SAMPLES = ROOT / "tests" / "data" / "roster"
GOOD = SAMPLES / "membres_excel_fr.csv"
BAD = SAMPLES / "membres_excel_fr_3_erreurs.csv"


@pytest.fixture
def open_dialog(qtbot, qapp_styled, commune, wait_tasks):  # type: ignore[no-untyped-def]
    def make(path: Path) -> ImportDialog:
        dialog = ImportDialog(commune, path)
        qtbot.addWidget(dialog)
        dialog.show()
        wait_tasks()
        return dialog

    return make


def _column(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_preview_then_import(qtbot, open_dialog, commune, wait_tasks):
    dialog = open_dialog(GOOD)
    plan = dialog.plan
    assert plan is not None and plan.ok and plan.added > 10
    assert "CSV" in dialog.source.text() and "point-virgule" in dialog.source.text()
    assert "ligne 3" in dialog.source.text()
    mapping = dict(zip(_column(dialog.columns, 0), _column(dialog.columns, 1), strict=True))
    assert mapping["B — Nom"] == "nom"
    assert mapping["A — N°"] == field_label(None)  # the import's own word for "ignored"
    ignored_row = _column(dialog.columns, 0).index("A — N°")
    assert dialog.columns.item(ignored_row, 1).foreground().color().name() == "#8a8a8a"
    assert dialog.columns.item(0 if ignored_row else 1, 1).foreground().color().name() != (
        "#8a8a8a")
    assert dialog.rows.rowCount() == len(plan.rows)
    assert set(_column(dialog.rows, 1)) == {"ajout"}
    assert "TRAORÉ Moussa" in _column(dialog.rows, 2)
    assert not dialog.rejected_box.isVisible()
    assert dialog.import_button.isEnabled()
    assert roster.list_members(commune) == []  # nothing written by the preview
    screenshot(dialog, "import-preview")

    messages: list[str] = []
    dialog.imported.connect(messages.append)
    dialog.import_button.click()
    wait_tasks()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert len(roster.list_members(commune)) == plan.added
    assert messages == [f"Import terminé : {plan.added} ajoutés, 0 mis à jour, 0 inchangés."]

    again = open_dialog(GOOD)
    assert again.plan.added == 0 and again.plan.unchanged == plan.added
    assert set(_column(again.rows, 1)) == {"inchangé"}


def test_bad_rows_refuse_the_whole_file(open_dialog, commune):
    dialog = open_dialog(BAD)
    assert not dialog.plan.ok
    assert dialog.rejected_box.isVisible()
    assert dialog.rejected.rowCount() == 3
    lines = _column(dialog.rejected, 0)
    assert all(line.startswith("ligne ") for line in lines)
    assert [r.line for r in dialog.plan.rejected] == [int(line.split()[1]) for line in lines]
    assert all(_column(dialog.rejected, 1))
    assert not dialog.import_button.isEnabled()
    assert "refusé en entier car 3 lignes" in dialog.summary.text()
    screenshot(dialog, "import-refused")
    assert roster.list_members(commune) == []


def test_unknown_category_created_on_request(open_dialog, commune, tmp_path, wait_tasks):
    path = tmp_path / "transporteurs.csv"
    path.write_bytes("Nom;Prénom;Sexe;Catégorie\nSidibé;Bakary;M;Transporteurs routiers\n"
                     .encode("cp1252"))
    dialog = open_dialog(path)
    assert not dialog.plan.ok
    assert "ligne 2" in _column(dialog.rejected, 0)
    dialog.create_categories.setChecked(True)
    wait_tasks()
    assert dialog.plan.ok and dialog.plan.new_categories == ["Transporteurs routiers"]
    assert _column(dialog.rows, 4) == ["Transporteurs routiers (nouvelle)"]
    assert "Transporteurs routiers" in dialog.summary.text()
    assert "Transporteurs routiers" not in [c.label for c in roster.list_categories(commune)]
    dialog.import_button.click()
    wait_tasks()
    [member] = roster.list_members(commune)
    assert (member.last_name, member.category) == ("Sidibé", "Transporteurs routiers")


def test_whole_file_refusal(open_dialog, commune, tmp_path):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    dialog = open_dialog(empty)
    assert dialog.plan is None
    assert dialog.source.text().startswith("Le fichier ne peut pas être importé.\n")
    assert "vide.csv" in dialog.source.text()
    assert not dialog.import_button.isEnabled()
    screenshot(dialog, "import-empty-file")


def test_import_and_export_from_the_members_page(qtbot, qapp_styled, commune, wait_tasks,
                                                  tmp_path):
    window = open_window(qtbot, commune, exposed=False)
    dialog = window.roster_page.import_from(GOOD)
    wait_tasks()
    dialog.import_button.click()
    wait_tasks()
    count = len(roster.list_members(commune))
    assert window.roster_page.model.rowCount() == count
    assert window.statusBar().currentMessage().startswith("Import terminé")
    assert f"sur {count}" in window.counts.text()
    qtbot.wait(50)  # let Qt lay out the new texts, as the event loop does on screen
    screenshot(window, "members-after-import")

    xlsx = tmp_path / "export" / "membres.xlsx"
    xlsx.parent.mkdir()
    window.roster_page.export_to(xlsx)
    wait_tasks()
    assert window.statusBar().currentMessage() == f"{count} membres exportés dans {xlsx}."
    sheet = openpyxl.load_workbook(xlsx).active
    names = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    assert "Aminata" in names or any("Aminata" in name for name in names)

    csv = tmp_path / "export" / "membres.csv"
    window.roster_page.export_to(csv)
    wait_tasks()
    assert "TRAOR" in csv.read_bytes().decode("utf-8-sig", errors="replace").upper()

    refused = tmp_path / "export" / "membres.docx"
    messages: list[str] = []
    from tests.gui.conftest import answer_next_dialog

    answer_next_dialog(lambda box: (messages.append(box.text()), box.accept()))
    window.roster_page.export_to(refused)
    wait_tasks()
    qtbot.waitUntil(lambda: bool(messages))
    assert "membres.docx" in messages[0]
    assert not refused.exists()


def test_cancelling_the_first_reading_closes_the_dialog(qtbot, qapp_styled, commune,
                                                        wait_tasks):
    from PySide6.QtWidgets import QPushButton

    dialog = ImportDialog(commune, GOOD)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.task.progress.findChild(QPushButton).click()  # « Annuler » before the result
    wait_tasks()
    assert dialog.plan is None
    assert dialog.result() == dialog.DialogCode.Rejected
    assert roster.list_members(commune) == []


def test_cancelling_a_rereading_keeps_the_preview_consistent(qtbot, open_dialog, wait_tasks):
    from PySide6.QtWidgets import QPushButton

    dialog = open_dialog(GOOD)
    first = dialog.plan
    dialog.create_categories.setChecked(True)
    dialog.task.progress.findChild(QPushButton).click()
    wait_tasks()
    assert dialog.plan is first
    assert not dialog.create_categories.isChecked()
    assert dialog.import_button.isEnabled() and dialog.isVisible()
