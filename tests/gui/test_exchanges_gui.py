"""The Échanges page with real data folders, real keys and real archives: enrolment through
the dialog, send to a folder, a stick and an e-mail draft, receive by drag-and-drop, a
tampered archive refused, a double import that changes nothing, the received packet checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from ccsdesk.core.exchange import transport
from ccsdesk.core.services import exchange
from ccsdesk.gui.exchanges_page import ExchangesPage
from ccsdesk.gui.send_dialog import SendDialog
from tests.conftest import PASSPHRASE, ROOT, screenshot
from tests.core.exchange_helpers import Office, close, commune_and_district, signed_session
from tests.gui.conftest import answer_dialog_of, answer_next_dialog, open_window, press


@pytest.fixture
def strangers(tmp_path: Path) -> Iterator[tuple[Office, Office]]:
    """Commune IV and the District, not enrolled yet: the tests enrol them through the
    window, or need no enrolment at all."""
    offices = commune_and_district(tmp_path, enrolled=False)
    yield offices
    close(*offices)


def _page(qtbot, folder) -> ExchangesPage:  # type: ignore[no-untyped-def]
    page = ExchangesPage(folder)
    qtbot.addWidget(page)
    page.resize(1176, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


def _type_passphrase(dialog) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(dialog, QInputDialog), type(dialog)
    assert dialog.textEchoMode() == dialog.textEchoMode().Password
    dialog.setTextValue(PASSPHRASE)
    dialog.accept()


def _send_with_dialog(qtbot, page: ExchangesPage, choose, name: str) -> SendDialog:  # type: ignore[no-untyped-def]
    dialog = page.send_selected()
    assert isinstance(dialog, SendDialog)
    qtbot.waitExposed(dialog)
    choose(dialog)
    assert not dialog.send_button.isEnabled()  # no passphrase yet
    dialog.passphrase.setText(PASSPHRASE)
    assert dialog.send_button.isEnabled()
    screenshot(dialog, name)
    dialog.send_button.click()
    return dialog


def test_enrol_a_child_through_the_dialog(qtbot, qapp_styled, wait_tasks, strangers, tmp_path):
    commune, district = strangers
    commune_page = _page(qtbot, commune.folder)
    identity_file = tmp_path / "identite-commune.json"
    commune_page.export_identity(identity_file, PASSPHRASE)
    wait_tasks()
    own = exchange.own_identity(commune.folder)
    assert identity_file.is_file()
    assert own.fingerprint in commune_page.result.text()
    assert commune_page.result.property("state") == "ok"

    page = _page(qtbot, district.folder)
    assert page.empty.isVisible() and not page.committees.isVisible()
    assert not page.send_button.isEnabled()
    screenshot(page, "exchanges-empty")

    dialog = page.open_enrol()
    qtbot.waitExposed(dialog)
    district_print = exchange.own_identity(district.folder).fingerprint
    assert dialog.own_fingerprint.text() == district_print
    junk = tmp_path / "pas-une-identite.json"
    junk.write_text("{\"format\": \"autre\"}", encoding="utf-8")
    assert not dialog.load_file(junk)
    assert dialog.problem.isVisible() and "fichier d’identité" in dialog.problem.text()
    assert not dialog.checked.isEnabled() and not dialog.enrol_button.isEnabled()

    assert dialog.load_file(identity_file)
    assert not dialog.problem.isVisible()
    assert dialog.their_fingerprint.text() == own.fingerprint
    assert dialog.name.text() == "CCS de la Commune IV"
    assert dialog.level.text() == "Commune"
    assert dialog.as_child.isChecked()  # a commune is a District's child
    assert "CCS de la Commune IV" in dialog.checked.text()
    assert not dialog.enrol_button.isEnabled()
    dialog.passphrase.setText(PASSPHRASE)
    assert not dialog.enrol_button.isEnabled()  # the fingerprint is not confirmed yet
    dialog.checked.setChecked(True)
    assert dialog.enrol_button.isEnabled()
    screenshot(dialog, "exchanges-enrol-dialog")
    dialog.enrol_button.click()
    wait_tasks()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [(i.relation, i.name) for i in exchange.list_committees(district.folder)] == [
        ("child", "CCS de la Commune IV")]
    assert page.committees.rowCount() == 1
    assert page.committees.item(0, 0).text() == "Subordonné"
    assert page.committees.item(0, 4).text() == own.fingerprint
    assert "Inscrit comme subordonné" in page.result.text()
    screenshot(page, "exchanges-enrolled")

    # The same file a second time: refused in the dialog, nothing changes.
    again = page.open_enrol()
    again.load_file(identity_file)
    again.checked.setChecked(True)
    again.passphrase.setText(PASSPHRASE)
    again.enrol_button.click()
    wait_tasks()
    assert again.isVisible() and "déjà inscrit" in again.problem.text()
    screenshot(again, "exchanges-enrol-refused")
    again.reject()
    assert len(exchange.list_committees(district.folder)) == 1


# PySide marks QDragEnterEvent's only constructor deprecated; Qt itself does not.
@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_send_to_a_folder_then_drop_on_the_other_window(qtbot, qapp_styled, wait_tasks, pair,
                                                        tmp_path):
    commune, district = pair
    signed_session(commune.folder)
    page = _page(qtbot, commune.folder)
    assert page.selected_committee().relation == "parent"
    out = tmp_path / "envois"
    out.mkdir()

    def to_folder(dialog: SendDialog) -> None:
        assert dialog.folder.isChecked()  # no stick here: the folder is offered
        assert dialog.no_drive.isVisible()
        dialog.path.setText(str(out))

    page.drives = lambda: []
    _send_with_dialog(qtbot, page, to_folder, "exchanges-send-folder")
    wait_tasks(60000)
    name = transport.archive_name("CCS de la Commune IV", "CCS du District de Bamako", 1)
    sent = out / name
    assert sent.is_file() and sent.suffix == transport.ARCHIVE_SUFFIX
    assert not list(out.glob("*.partial"))
    text = page.result.text()
    assert "Archive n° 1 pour « CCS du District de Bamako »" in text
    assert "session" in text and "vérifiée par relecture" in text
    assert page.committees.item(0, 5).text().startswith("n° 1,")
    assert page.committees.item(0, 7).text() != "—"  # sent, not acknowledged yet
    screenshot(page, "exchanges-sent")

    window = open_window(qtbot, district.folder)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sent))])
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    answer_next_dialog(_type_passphrase)
    drop = QDropEvent(QPointF(window.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.event(drop)  # QApplication filters drops without a real drag session
    qtbot.waitUntil(lambda: isinstance(window.pages["exchanges"], ExchangesPage)
                    and window.pages["exchanges"].result.isVisible(), timeout=60000)
    wait_tasks()
    district_page = window.pages["exchanges"]
    assert window.stack.currentWidget() is district_page
    assert "vérifiée et importée" in district_page.result.text(), district_page.result.text()
    assert "1 session" in district_page.result.text()
    assert district_page.received.rowCount() == 1
    assert district_page.received.item(0, 0).text() == "CCS de la Commune IV"
    screenshot(window, "exchanges-received")

    # The same archive again: nothing changes, and the page says so.
    before = exchange.list_committees(district.folder)
    district_page.receive_file(sent, PASSPHRASE)
    wait_tasks()
    assert "déjà été importée ; rien n’a changé" in district_page.result.text()
    assert exchange.list_committees(district.folder) == before

    # A tampered copy: refused in red, the record unchanged.
    tampered = tmp_path / "abime.ccsa"
    data = bytearray(sent.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    district_page.receive_file(tampered, PASSPHRASE)
    wait_tasks()
    assert district_page.result.property("state") == "refused"
    assert "rien" in district_page.result.text().lower()
    assert exchange.list_committees(district.folder) == before
    assert len(exchange.received_sessions(district.folder)) == 1
    screenshot(window, "exchanges-refused")

    # A wrong passphrase: refused, nothing imported.
    district_page.receive_file(sent, "pas la bonne phrase")
    wait_tasks()
    assert district_page.result.property("state") == "refused"

    # The received packet: its signature checks out here.
    district_page.received.selectRow(0)
    assert district_page.check_packet_button.isEnabled()
    dialog = district_page.verify_selected_packet()
    qtbot.waitUntil(lambda: dialog.verdict is not None, timeout=60000)
    wait_tasks()
    assert dialog.verdict.good, dialog.verdict
    assert "Signataire connu : « CCS de la Commune IV », un de nos comités subordonnés" in \
        dialog.result.text()
    screenshot(dialog, "exchanges-packet-verified")
    dialog.close()
    opened: list[QUrl] = []
    district_page.open_url = opened.append
    path = district_page.open_selected_packet()
    assert path is not None and path.read_bytes().startswith(b"%PDF-")
    assert opened == [QUrl.fromLocalFile(str(path))]


def test_send_to_a_stick_and_as_an_email_draft(qtbot, qapp_styled, wait_tasks, pair,
                                               tmp_path):
    commune, district = pair
    page = _page(qtbot, district.folder)
    stick = tmp_path / "CLE-USB"
    stick.mkdir()
    page.drives = lambda: [transport.Drive(stick, "CLE-USB")]

    # A stick pulled out between choosing it and writing: refused, nothing recorded.
    gone = tmp_path / "RETIREE"
    gone.mkdir()
    page.drives = lambda: [transport.Drive(gone, "RETIREE")]

    def pull_out(dialog: SendDialog) -> None:
        assert dialog.usb.isChecked() and dialog.drive.currentText().startswith("RETIREE")
        gone.rmdir()

    _send_with_dialog(qtbot, page, pull_out, "exchanges-send-usb-removed")
    wait_tasks(60000)
    assert page.result.property("state") == "refused"
    assert "clé" in page.result.text()
    assert exchange.list_committees(district.folder)[0].last_sent is None
    screenshot(page, "exchanges-usb-removed")

    page.drives = lambda: [transport.Drive(stick, "CLE-USB")]

    def to_stick(dialog: SendDialog) -> None:
        assert dialog.usb.isChecked()
        assert dialog.drive.currentData() == str(stick)

    _send_with_dialog(qtbot, page, to_stick, "exchanges-send-usb")
    wait_tasks(60000)
    written = list(stick.iterdir())
    assert [p.suffix for p in written] == [transport.ARCHIVE_SUFFIX]
    assert "Archive n° 1 pour « CCS de la Commune IV »" in page.result.text()
    assert "certificat" in page.result.text()
    got = commune.receive(written[0].read_bytes())
    assert got.certificate_installed

    # The e-mail draft: written, then offered to the mail program.
    signed_session(commune.folder)
    commune_page = _page(qtbot, commune.folder)
    opened: list[QUrl] = []
    commune_page.open_url = opened.append
    drafts = tmp_path / "brouillons"
    drafts.mkdir()

    def as_email(dialog: SendDialog) -> None:
        dialog.email.setChecked(True)
        dialog.path.setText(str(drafts))
        assert dialog.send_button.text() == "Créer le brouillon d’e-mail"

    offered: list[str] = []

    def answer_yes(box: QMessageBox) -> None:
        offered.append(box.text())
        screenshot(box, "exchanges-email-offer")
        press(QMessageBox.StandardButton.Yes)(box)

    _send_with_dialog(qtbot, commune_page, as_email, "exchanges-send-email")
    answer_dialog_of(QMessageBox, answer_yes, tries=2400)
    qtbot.waitUntil(lambda: bool(opened), timeout=60000)
    assert "Outlook" in offered[0]
    wait_tasks()
    (draft,) = drafts.glob("*.eml")
    assert opened == [QUrl.fromLocalFile(str(draft))]
    message = message_from_bytes(draft.read_bytes())
    assert message["X-Unsent"] == "1"
    attachment = next(part for part in message.walk() if part.get_filename())
    assert attachment.get_filename().endswith(transport.ARCHIVE_SUFFIX)
    imported = district.receive(attachment.get_payload(decode=True))
    assert imported.sessions == 1
    assert str(draft) in commune_page.result.text()


def test_advanced_age_key_export(qtbot, qapp_styled, wait_tasks, strangers, tmp_path):
    import pyrage

    commune, _district = strangers
    page = _page(qtbot, commune.folder)
    dialog = page.open_advanced()
    qtbot.waitExposed(dialog)
    target = tmp_path / "cle.age"
    dialog.path.setText(str(target))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.file_passphrase.setText("une autre phrase bien longue")
    dialog.again.setText("une autre phrase differente")
    dialog.export_button.click()
    assert "diffèrent" in dialog.problem.text() and not target.exists()
    dialog.again.setText("une autre phrase bien longue")
    screenshot(dialog, "exchanges-age-key")
    dialog.export_button.click()
    wait_tasks()
    assert dialog.result() == dialog.DialogCode.Accepted
    text = pyrage.passphrase.decrypt(target.read_bytes(), "une autre phrase bien longue")
    assert str(commune.secrets.age_identity).encode() in text
    assert str(target) in page.result.text()


def test_archive_given_on_the_command_line(qtbot, qapp_styled, wait_tasks, pair, tmp_path):
    """``"CCS Desk.exe" "%1"`` from a double-click: the window opens and imports it."""
    from ccsdesk.gui import app as gui_app
    from ccsdesk.gui.launch_file import archive_argument, window_request

    # the extension the installer registers is the one the program writes
    assert transport.ARCHIVE_SUFFIX == ".ccsa"
    assert '!define FILE_EXT ".ccsa"' in (ROOT / "installer" / "ccsdesk.nsi.in").read_text(
        encoding="utf-8")
    commune, district = pair
    child = exchange.list_committees(district.folder)[0]
    data, _result = district.send(str(child.id))
    given = tmp_path / "du-district.ccsa"
    given.write_bytes(data)
    assert archive_argument(["--data-dir", "x", str(given)]) == given
    assert archive_argument([str(tmp_path / "absent.ccsa")]) is None
    assert window_request([str(given)]) == (None, given)
    assert window_request(["--data-dir", "D", str(given)]) == ("D", given)
    assert window_request(["receive", str(given)]) is None  # a command, not the window

    launcher = gui_app.Launcher(qapp_styled, commune.folder)
    qtbot.addWidget(launcher.window)
    launcher.show()
    qtbot.waitExposed(launcher.window)
    answer_next_dialog(_type_passphrase)
    assert gui_app.open_given_archive(launcher, given)
    qtbot.waitUntil(lambda: isinstance(launcher.window.pages["exchanges"], ExchangesPage)
                    and launcher.window.pages["exchanges"].result.isVisible(), timeout=60000)
    wait_tasks()
    page = launcher.window.pages["exchanges"]
    assert launcher.window.stack.currentWidget() is page
    assert "vérifiée et importée" in page.result.text()
    assert "Certificat du comité parent installé" in page.result.text()
    assert exchange.list_committees(commune.folder)[0].last_received[0] == 1


def test_a_missing_archive_number_is_shown(qtbot, qapp_styled, wait_tasks, pair, tmp_path):
    commune, district = pair
    signed_session(commune.folder)
    _first, _sent = commune.send("parent")  # never arrives
    second, result = commune.send("parent")
    assert result.sequence == 2
    path = tmp_path / "deuxieme.ccsa"
    path.write_bytes(second)
    page = _page(qtbot, district.folder)
    page.receive_file(path, PASSPHRASE)
    wait_tasks()
    assert page.result.property("state") == "warning"
    assert "archive 1 de « CCS de la Commune IV » manque" in page.result.text(), \
        page.result.text()
    screenshot(page, "exchanges-missing-archive")


def test_ccsdesk_with_an_archive_opens_the_window(monkeypatch, tmp_path, strangers):
    """``ccsdesk FILE.ccsa`` goes to the window with the file; ``ccsdesk receive FILE`` stays
    a command."""
    from ccsdesk.cli.main import main as cli_main
    from ccsdesk.gui import app as gui_app

    opened: list[tuple[object, object]] = []
    monkeypatch.setattr(gui_app, "main", lambda data_dir=None, open_file=None:
                        opened.append((data_dir, open_file)) or 0)
    given = tmp_path / "archive.ccsa"
    given.write_bytes(b"age-encryption.org/v1\n")
    assert cli_main([str(given)]) == 0
    assert cli_main(["--data-dir", str(tmp_path / "d"), str(given)]) == 0
    assert opened == [(None, given), (str(tmp_path / "d"), given)]
    commune_dir = str(strangers[0].folder.path)
    assert cli_main(["--data-dir", commune_dir, "receive", str(given)]) == 1  # truncated
    assert len(opened) == 2
