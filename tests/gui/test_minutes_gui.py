"""The minutes editor on its own: autosave after a pause and on leaving, the two-writers
refusal that keeps the local text, a wrong passphrase refused, read-only signed text.
"""

from __future__ import annotations

import signal
import textwrap
from datetime import date, timedelta

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from ccsdesk.core.services import attendance, meetings, minutes, roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.minutes_editor import MAX_UNSAVED_MS, MinutesEditor, PassphraseDialog
from tests.conftest import PASSPHRASE, screenshot
from tests.core import typist
from tests.gui.conftest import answer_next_dialog, press


@pytest.fixture
def held(commune: DataFolder) -> int:
    """A session with two agenda items and the attendance recorded."""
    president = roster.add_member(commune, roster.MemberData(
        last_name="Diarra", first_names="Mariam", sex="F", role="president"))
    meeting = meetings.create_meeting(commune, on=date.today() - timedelta(days=1))
    meetings.add_agenda_item(commune, meeting.id, "Vols de motos au marché")
    meetings.add_agenda_item(commune, meeting.id, "Éclairage public")
    attendance.set_attendance(commune, meeting.id, president, "present")
    return meeting.id


@pytest.fixture
def editor(qtbot, qapp_styled, commune, held):  # type: ignore[no-untyped-def]
    widget = MinutesEditor(commune, held)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.load()
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_autosave_after_a_pause_and_on_hiding(qtbot, editor, commune, held):
    assert editor.indicator.text() == ""
    qtbot.keyClicks(editor.item_boxes[1], "Trois motos volees")
    assert editor.indicator.text() == "Pas encore enregistré…"
    # Nothing is written while typing goes on…
    assert minutes.get_minutes(commune, held).revision == 0
    qtbot.waitUntil(lambda: editor.indicator.text().startswith("Enregistré à"), timeout=5000)
    other = DataFolder.open(commune.path)  # as if the program had been restarted
    assert minutes.get_minutes(other, held).item(1).text == "Trois motos volees"
    # …and hiding the editor (leaving the tab, closing the window) saves at once.
    editor.item_boxes[2].setPlainText("Rue 12 sans lumière.")
    assert editor.timer.isActive()
    editor.hide()
    assert minutes.get_minutes(other, held).item(2).text == "Rue 12 sans lumière."
    other.database.dispose()


def test_a_wrong_closing_time_does_not_block_the_text(qtbot, editor, commune, held):
    editor.opening.setPlainText("Ouverture à 9 h.")
    editor.closing_time.setText("26h")
    editor.closing_time.textEdited.emit("26h")
    assert editor.save_now()
    assert "HH:MM" in editor.problem.text() and editor.problem.isVisibleTo(editor)
    saved = minutes.get_minutes(commune, held)
    assert (saved.opening, saved.closing_time) == ("Ouverture à 9 h.", "")
    screenshot(editor, "minutes-closing-time-error")
    editor.closing_time.setText("12h30")
    assert editor.save_now()
    assert minutes.get_minutes(commune, held).closing_time == "12:30"


def test_two_writers_keep_the_local_text_and_offer_to_copy_it(qtbot, editor, commune, held):
    editor.opening.setPlainText("Texte de la fenêtre A")
    assert editor.save_now()
    # Another window (or the command line) saves in between.
    revision = minutes.get_minutes(commune, held).revision
    minutes.save_draft(commune, held, revision=revision, opening="Texte de la fenêtre B")
    editor.item_boxes[1].setPlainText("Mon paragraphe tapé dans A")
    seen: dict[str, str] = {}

    def refuse(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, QMessageBox)
        seen["text"] = dialog.text()
        screenshot(dialog, "minutes-conflict")
        # The text is still on screen while the message shows.
        assert editor.item_boxes[1].toPlainText() == "Mon paragraphe tapé dans A"
        keep = next(b for b in dialog.buttons() if b.text() == "Garder mon texte à l’écran")
        keep.click()

    answer_next_dialog(refuse)
    assert not editor.save_now()
    assert "modifié ailleurs" in seen["text"]
    assert editor.item_boxes[1].toPlainText() == "Mon paragraphe tapé dans A"
    assert editor.indicator.text() == "Non enregistré : modifié ailleurs"
    # The other writer's text was not overwritten; autosave waits.
    assert minutes.get_minutes(commune, held).opening == "Texte de la fenêtre B"
    editor.divers.setPlainText("Néant")
    assert not editor.timer.isActive()
    # The way out stays on screen: copy the text and reload.
    assert editor.reload_button.isVisibleTo(editor)
    screenshot(editor, "minutes-conflict-kept")
    editor.reload_button.click()
    assert not editor.reload_button.isVisibleTo(editor)
    clipboard = QApplication.clipboard().text()
    assert "Mon paragraphe tapé dans A" in clipboard and "1. Vols de motos au marché" in clipboard
    # Reloaded: the stored text is shown and editing goes on from it.
    assert editor.opening.toPlainText() == "Texte de la fenêtre B"
    assert editor.indicator.text().startswith("Votre texte a été copié")
    editor.item_boxes[1].setPlainText("Collé à nouveau")
    assert editor.save_now()
    assert minutes.get_minutes(commune, held).item(1).text == "Collé à nouveau"
    # Again, answering the message with « copy and reload » straight away.
    minutes.save_draft(commune, held, revision=None, divers="Écrit par la ligne de commande")
    editor.item_boxes[2].setPlainText("Encore un paragraphe")

    def copy(dialog) -> None:  # type: ignore[no-untyped-def]
        next(b for b in dialog.buttons() if b.text() == "Copier mon texte et recharger").click()

    answer_next_dialog(copy)
    assert not editor.save_now()
    assert "Encore un paragraphe" in QApplication.clipboard().text()
    assert editor.divers.toPlainText() == "Écrit par la ligne de commande"
    assert not editor.conflict and editor.item_boxes[2].toPlainText() == ""


def test_wrong_passphrase_is_refused_then_signing_works(qtbot, editor, commune, held,
                                                         wait_tasks):
    editor.opening.setPlainText("Ouverture.")
    answer_next_dialog(press(QMessageBox.StandardButton.Yes))
    editor.adopt()
    assert editor.info.state == "adopted" and editor.sign_button.isEnabled()

    def wrong(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, PassphraseDialog)
        dialog.passphrase.setText("pas la bonne phrase")
        dialog.accept()

    seen: dict[str, str] = {}

    def refused(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, QMessageBox)
        seen["text"] = dialog.text()
        screenshot(dialog, "minutes-wrong-passphrase")
        dialog.accept()

    answer_next_dialog(wrong)
    editor.sign()
    answer_next_dialog(refused)
    wait_tasks()
    qtbot.waitUntil(lambda: "text" in seen, timeout=10000)
    assert "phrase" in seen["text"].lower()
    assert minutes.get_minutes(commune, held).state == "adopted"
    assert editor.info.state == "adopted"

    def right(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.signer.setText("DIARRA Mariam, présidente")
        dialog.passphrase.setText(PASSPHRASE)
        dialog.accept()

    answer_next_dialog(right)
    editor.sign()
    wait_tasks()
    qtbot.waitUntil(lambda: editor.info.state == "signed", timeout=10000)
    signed = minutes.get_minutes(commune, held)
    assert signed.signer == "DIARRA Mariam, présidente" and signed.text_hash
    assert editor.opening.isReadOnly() and editor.closing_time.isReadOnly()
    assert not editor.adopt_button.isEnabled() and not editor.sign_button.isEnabled()
    # A save forced on the signed text is refused by the service, nothing changes.
    editor.dirty = True
    assert editor.save_now()  # not editable: nothing is even attempted
    assert minutes.get_minutes(commune, held).text_hash == signed.text_hash
    screenshot(editor, "minutes-editor-signed")


# The real editor in a child process: a word typed every 100 ms without any pause, the time
# of each word printed; the parent kills it with SIGKILL after several seconds.
TYPIST = textwrap.dedent("""
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from ccsdesk.core.storage.folder import DataFolder
    from ccsdesk.gui.minutes_editor import MinutesEditor

    app = QApplication([])
    editor = MinutesEditor(DataFolder.open(Path(sys.argv[1])), int(sys.argv[2]))
    editor.load()
    editor.show()
    box = editor.item_boxes[1]
    step = 0
    start = time.monotonic()

    def type_word():
        global step
        step += 1
        box.insertPlainText(("" if step == 1 else " ") + f"mot{step}")
        print(step, round(time.monotonic() - start, 3), flush=True)

    timer = QTimer()
    timer.timeout.connect(type_word)
    timer.start(100)
    app.exec()
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")
def test_killed_while_typing_without_pause_loses_only_the_last_seconds(commune, held,
                                                                       tmp_path):
    data_dir = commune.path
    commune.close()
    child = typist.start(TYPIST, tmp_path, data_dir, held)
    assert child.stdout is not None
    typed_at: dict[int, float] = {}
    for line in child.stdout:
        step, seconds = line.split()
        typed_at[int(step)] = float(seconds)
        if float(seconds) >= 8.0:
            break
    typist.kill(child, data_dir)
    reopened = DataFolder.open(data_dir)
    try:
        saved = minutes.get_minutes(reopened, held).item(1).text.split()
    finally:
        reopened.close()
    assert saved == [f"mot{i}" for i in range(1, len(saved) + 1)]
    killed_at = max(typed_at.values())
    lost_seconds = killed_at - typed_at[len(saved)] if saved else killed_at
    print(f"\nkilled after {killed_at:.1f} s of typing without pause: "
          f"{len(saved)} of {len(typed_at)} words saved, last {lost_seconds:.1f} s lost")
    # Saved at least every 5 s while typing: at most that is lost (plus a save's time).
    assert MAX_UNSAVED_MS <= 5000
    assert lost_seconds <= 6.0
