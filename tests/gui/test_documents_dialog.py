"""The session's documents dialog: print (to a real PDF printer), preview, save, packet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ccsdesk.core.documents import minutes_pdf
from ccsdesk.core.services import meetings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui import printing
from ccsdesk.gui.documents_dialog import DocumentsDialog
from tests.conftest import PASSPHRASE, screenshot
from tests.core import pdftools
from tests.core.session_data import full_session
from tests.gui.conftest import answer_dialog_of, press


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(100)
    printer.setFullPage(True)
    return printer


def test_print_pdf_sends_every_page(commune: DataFolder, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    meeting = full_session(commune, PASSPHRASE)
    data = minutes_pdf.render(commune, meeting)
    out = tmp_path / "imprime.pdf"
    assert printing.print_pdf(data, pdf_printer(out)) == printing.page_count(data) == 3
    assert pdftools.info(out)["Pages"] == "3"
    # The printed pages are images of ours: render one and check it is not blank.
    image = pdftools.render(out, tmp_path / "png")[0]
    assert image.stat().st_size > 10000


def test_dialog_prints_saves_and_builds_the_packet(commune: DataFolder, qtbot, qapp_styled,  # type: ignore[no-untyped-def]
                                                   wait_tasks, tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    dialog = DocumentsDialog(commune, meeting)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.kinds() == ["convocation", "convocations", "delivery", "attendance",
                              "attendance-filled", "minutes", "recommendations"]
    assert dialog.packet_button.isEnabled()
    screenshot(dialog, "documents_dialog")

    dialog.select("attendance-filled")
    filled = tmp_path / "liste-remplie.pdf"
    dialog.save_current(filled)
    wait_tasks()
    assert "Arrêtée la présente liste à 7 personnes présentes." in " ".join(
        pdftools.text(filled).split())

    dialog.select("minutes")
    printed = tmp_path / "pv-imprime.pdf"
    dialog.print_current(pdf_printer(printed))
    wait_tasks()
    assert pdftools.info(printed)["Pages"] == "3"
    assert dialog.status.text() == "3 pages envoyées à l’imprimante."

    saved = tmp_path / "pv.pdf"
    dialog.save_current(saved)
    wait_tasks()
    assert "PROCÈS-VERBAL" in pdftools.text(saved)

    def check_preview(widget) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(widget, QPrintPreviewDialog), type(widget)
        screenshot(widget, "documents_preview")
        widget.close()

    dialog.select("attendance")
    answer_dialog_of(QPrintPreviewDialog, check_preview)
    dialog.preview_current()
    wait_tasks()
    qtbot.waitUntil(lambda: "attendance" in dialog.cache)

    def type_passphrase(widget) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(widget, QInputDialog), type(widget)
        widget.setTextValue(PASSPHRASE)
        widget.accept()

    answer_dialog_of(QInputDialog, type_passphrase)
    dialog.packet_button.click()
    wait_tasks(60000)
    assert "packet" in dialog.kinds() and dialog.current_kind() == "packet"
    assert dialog.packet_reference.startswith("DS-")
    packet_file = tmp_path / "dossier.pdf"
    dialog.save_current(packet_file)
    wait_tasks()
    assert "Signature is Valid." in pdftools.run("pdfsig", packet_file).stdout
    screenshot(dialog, "documents_dialog_packet")


def test_wrong_passphrase_is_said_and_nothing_is_built(commune: DataFolder, qtbot,  # type: ignore[no-untyped-def]
                                                       qapp_styled, wait_tasks) -> None:
    meeting = full_session(commune, PASSPHRASE)
    dialog = DocumentsDialog(commune, meeting)
    qtbot.addWidget(dialog)
    seen: list[str] = []

    def read_and_close(widget) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(widget, QMessageBox), type(widget)
        seen.append(widget.text())
        press(QMessageBox.StandardButton.Ok)(widget)

    answer_dialog_of(QMessageBox, read_and_close)
    dialog.build_packet("pas la bonne phrase")
    wait_tasks(60000)
    qtbot.waitUntil(lambda: bool(seen))
    assert "Phrase secrète incorrecte" in seen[0]
    assert "packet" not in dialog.kinds()


def test_planned_session_has_no_minutes_and_no_packet(commune: DataFolder, qtbot,  # type: ignore[no-untyped-def]
                                                      qapp_styled) -> None:
    planned = meetings.create_meeting(commune, on=date(2027, 1, 15), time="10:00")
    dialog = DocumentsDialog(commune, planned.id)
    qtbot.addWidget(dialog)
    assert dialog.kinds() == ["convocation", "convocations", "delivery", "attendance"]
    assert not dialog.packet_button.isEnabled()
    assert dialog.packet_note.text() == \
        "Le dossier pourra être construit une fois le procès-verbal adopté et signé."
