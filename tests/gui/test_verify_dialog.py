"""« Vérifier un fichier »: a real signed packet (intact), a copy with one flipped byte (not
intact), an unsigned PDF, and an exchange archive checked with the passphrase."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from ccsdesk.core.documents import packet
from ccsdesk.core.services import exchange
from ccsdesk.gui.verify_dialog import VerifyDialog
from tests.conftest import PASSPHRASE, screenshot
from tests.core.exchange_helpers import signed_session


def _dialog(qtbot, folder) -> VerifyDialog:  # type: ignore[no-untyped-def]
    dialog = VerifyDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _checked(qtbot, wait_tasks, dialog: VerifyDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.result.property("state") != "waiting", timeout=60000)
    wait_tasks()


def test_signed_pdf_intact_then_one_byte_flipped(qtbot, qapp_styled, wait_tasks, commune,
                                                 tmp_path: Path):
    meeting_id, _rec = signed_session(commune)
    data = packet.build_signed(commune, meeting_id, PASSPHRASE).data
    good = tmp_path / "dossier.pdf"
    good.write_bytes(data)
    dialog = _dialog(qtbot, commune)
    assert not dialog.passphrase_row.isVisible()
    screenshot(dialog, "verify-empty")
    dialog.check_file(good)
    _checked(qtbot, wait_tasks, dialog)
    assert dialog.verdict is not None and dialog.verdict.good, dialog.verdict
    assert dialog.result.property("state") == "good"
    text = dialog.result.text()
    assert "Signature valide : le document est intact." in text
    assert "Signé par" in text and "CCS de la Commune IV" in text
    assert "Signé le" in text
    screenshot(dialog, "verify-pdf-intact")

    # One byte flipped inside the signed range: red, not intact, still says who signed.
    flipped = bytearray(data)
    middle = len(flipped) // 3
    flipped[middle] = flipped[middle] ^ 0x20
    bad = tmp_path / "dossier-modifie.pdf"
    bad.write_bytes(bytes(flipped))
    # Dropped on the dialog this time.
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    drop = QDropEvent(QPointF(dialog.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    dialog.event(drop)  # QApplication filters drops without a real drag session
    _checked(qtbot, wait_tasks, dialog)
    assert dialog.verdict is not None and not dialog.verdict.good
    assert dialog.result.property("state") == "bad"
    assert "PAS intact" in dialog.result.text() or "endommagé" in dialog.result.text()
    assert dialog.file_label.text() == "dossier-modifie.pdf"
    screenshot(dialog, "verify-pdf-flipped")

    # A PDF without signature, and a file that is not a PDF.
    from reportlab.pdfgen import canvas

    plain = tmp_path / "simple.pdf"
    sheet = canvas.Canvas(str(plain))
    sheet.drawString(100, 700, "Pas de signature")
    sheet.save()
    dialog.check_file(plain)
    _checked(qtbot, wait_tasks, dialog)
    assert not dialog.verdict.good and "aucune signature" in dialog.result.text()
    text_file = tmp_path / "note.txt"
    text_file.write_text("bonjour", encoding="utf-8")
    dialog.check_file(text_file)
    _checked(qtbot, wait_tasks, dialog)
    assert not dialog.verdict.good and dialog.result.property("state") == "bad"
    dialog.check_file(tmp_path / "absent.pdf")
    assert not dialog.verdict.good and "absent.pdf" in dialog.result.text()


def test_archive_needs_the_passphrase(qtbot, qapp_styled, wait_tasks, pair, tmp_path: Path):
    commune, district = pair
    child = exchange.list_committees(district.folder)[0]
    data, _result = district.send(str(child.id))
    archive = tmp_path / "envoi.ccsa"
    archive.write_bytes(data)
    dialog = _dialog(qtbot, commune.folder)
    dialog.check_file(archive)
    assert dialog.passphrase_row.isVisible()
    assert dialog.result.property("state") == "waiting"
    assert "phrase secrète" in dialog.result.text()
    screenshot(dialog, "verify-archive-passphrase")
    dialog.passphrase.setText("pas la bonne")
    dialog.check_button.click()
    _checked(qtbot, wait_tasks, dialog)
    assert not dialog.verdict.good
    dialog.passphrase.setText(PASSPHRASE)
    dialog.check_button.click()
    _checked(qtbot, wait_tasks, dialog)
    assert dialog.verdict.good, dialog.verdict
    assert "Archive n° 1 de « CCS du District de Bamako », 1 pièce." in dialog.result.text()
    assert "inscrit ici comme notre comité parent" in dialog.result.text()
    screenshot(dialog, "verify-archive-intact")
    # The archive is read from its file when it is checked (by blocks, not kept in memory):
    # a file cut meanwhile is what gets checked, and refused.
    archive.write_bytes(data[:len(data) // 2])
    dialog.check_button.click()
    _checked(qtbot, wait_tasks, dialog)
    assert not dialog.verdict.good
    assert "endommagée" in dialog.result.text()
    # Checking did not import anything.
    assert commune.receive(data).already is False


def test_window_shortcut_and_pdf_dropped_on_the_window(qtbot, qapp_styled, wait_tasks, commune,
                                                       tmp_path: Path):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ccsdesk.core.services import committee
    from ccsdesk.gui.main_window import MainWindow

    meeting_id, _rec = signed_session(commune)
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(packet.build_signed(commune, meeting_id, PASSPHRASE).data)
    window = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(VerifyDialog)))
    shown = next(d for d in window.findChildren(VerifyDialog) if d.isVisible())
    shown.close()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(pdf))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.event(drop)  # QApplication filters drops without a real drag session
    qtbot.waitUntil(lambda: any(d.verdict is not None for d in window.findChildren(VerifyDialog)),
                    timeout=60000)
    wait_tasks()
    dialog = next(d for d in window.findChildren(VerifyDialog) if d.verdict is not None)
    assert dialog.verdict.good and dialog.file_label.text() == "dossier.pdf"
