"""The « Procès-verbal » tab: the minutes text with autosave, adoption, signing, corrections.

Power cuts are frequent, so what is typed is saved through ``minutes.save_draft`` two
seconds after the typing stops, at least every five seconds while it goes on, and at once
when the tab, the session or the window is left (``hideEvent``, and the window's close
event, which comes before the backup made on closing). Every save carries the revision
the editor last read: if another window or the command line saved in between, the service
refuses and the editor keeps the local text on screen and offers to copy it.

Signed and adopted versions, and earlier versions picked in the version selector, are shown
read-only; a correction starts a new version with its reason.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError, InputError, StateError, WrongPassphraseError
from ccsdesk.core.formats import long_date, time_of_day
from ccsdesk.core.i18n import _
from ccsdesk.core.services import meetings, minutes
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.form_parts import problem_label
from ccsdesk.gui.tasks import run_task

AUTOSAVE_MS = 2000
# A secretary typing without pausing still gets a save at least this often.
MAX_UNSAVED_MS = 5000
# Several boxes fit on a 768-pixel screen; a long text scrolls inside its box.
TEXT_BOX_HEIGHT = 120


class PassphraseDialog(QDialog):
    """Asks for the committee's passphrase before signing (the text is typed hidden)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Sign the minutes"))
        explain = QLabel(_("Sign the minutes of the {label}? Once signed, their text can no "
                           "longer change; a correction will need a new version with its "
                           "reason.").format(label=label))
        explain.setWordWrap(True)
        self.signer = QLineEdit()
        self.signer.setPlaceholderText(_("the president by default"))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(_("Signed by:"), self.signer)
        form.addRow(_("Passphrase:"), self.passphrase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Sign"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.passphrase.setFocus()


class MinutesEditor(QWidget):
    """Attributes: ``info`` (the version shown), ``revision``, ``saved_at``.

    Signals: ``state_changed()`` after adoption, signing or a correction (the session's
    state changed), ``saved()`` after each autosave that wrote something.
    """

    state_changed = Signal()
    saved = Signal()

    def __init__(self, folder: DataFolder, meeting_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting_id = meeting_id
        self.label = ""
        self.info: minutes.MinutesInfo | None = None
        self.current_number = 1
        self.revision = 0
        self.saved_at: datetime | None = None
        self.dirty = False
        self.conflict = False
        self._loading = False
        self._watched: QObject | None = None
        self._dirty_since = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.save_now)

        self.state = QLabel()
        self.state.setObjectName("minutesState")
        self.indicator = QLabel()
        self.indicator.setObjectName("savedIndicator")
        self.versions = QComboBox()
        self.versions.setToolTip(_("Earlier versions stay readable"))
        self.adopt_button = QPushButton(_("Adopt…"))
        self.sign_button = QPushButton(_("Sign…"))
        self.sign_button.setObjectName("primary")
        self.correct_button = QPushButton(_("Correct (new version)…"))
        self.reload_button = QPushButton(_("Copy my text and reload"))
        self.reload_button.hide()
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setObjectName("hint")
        self.problem = problem_label()

        # The text widgets are made afresh by _build for each version shown.
        self.opening = QPlainTextEdit()
        self.divers = QPlainTextEdit()
        self.closing_time = QLineEdit()
        self.item_boxes: dict[int, QPlainTextEdit] = {}
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.versions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.state.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(QLabel(_("Version:")))
        top.addWidget(self.versions)
        actions = QHBoxLayout()
        actions.addWidget(self.adopt_button)
        actions.addWidget(self.sign_button)
        actions.addWidget(self.correct_button)
        actions.addStretch(1)
        actions.addWidget(self.indicator)
        actions.addWidget(self.reload_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.reason)
        layout.addWidget(self.problem)
        layout.addWidget(self.scroll, 1)

        self.versions.activated.connect(self._on_version_chosen)
        self.adopt_button.clicked.connect(self.adopt)
        self.sign_button.clicked.connect(self.sign)
        self.correct_button.clicked.connect(self.correct)
        self.reload_button.clicked.connect(self.copy_and_reload)

    def _text_box(self, placeholder: str, text: str) -> QPlainTextEdit:
        box = QPlainTextEdit(text)
        box.setPlaceholderText(placeholder)
        box.setTabChangesFocus(True)
        box.setFixedHeight(TEXT_BOX_HEIGHT)
        box.textChanged.connect(self._on_edit)
        self.body_layout.addWidget(box)
        return box

    # -- reading -------------------------------------------------------------------------

    def load(self, version: int | None = None) -> None:
        """Show the current version (or ``version``, read-only when it is an earlier one)."""
        self.timer.stop()
        info = minutes.get_minutes(self.folder, self.meeting_id, version)
        current = info if version is None else minutes.get_minutes(self.folder,
                                                                   self.meeting_id)
        self.label = meetings.get_meeting(self.folder, self.meeting_id).label
        self.info = info
        self.current_number = current.number
        self.revision = current.revision
        self.dirty = False
        self.conflict = False
        self.reload_button.hide()
        self._loading = True
        try:
            self._build(info)
        finally:
            self._loading = False
        self._fill_versions()
        self._update_state()

    def _build(self, info: minutes.MinutesInfo) -> None:
        """A fresh page of text boxes for ``info`` (the scroll area drops the old one)."""
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self._section(_("Opening"))
        self.opening = self._text_box(_("Opening: who opened the session, when, where"),
                                      info.opening)
        self.item_boxes = {}
        for item in info.items:
            self._section(f"{item.position}. {item.title}")
            self.item_boxes[item.position] = self._text_box(
                _("What was said and decided on this item"), item.text)
        self._section(_("Any other business"))
        self.divers = self._text_box(_("Any other business"), info.divers)
        self.closing_time = QLineEdit(info.closing_time)
        self.closing_time.setPlaceholderText(_("HH:MM"))
        self.closing_time.setMaximumWidth(90)
        self.closing_time.textEdited.connect(self._on_edit)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Session closed at:")))
        row.addWidget(self.closing_time)
        row.addStretch(1)
        self.body_layout.addLayout(row)
        self.body_layout.addStretch(1)
        self.scroll.setWidget(body)

    def _section(self, text: str) -> None:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        label.setWordWrap(True)
        self.body_layout.addWidget(label)

    def _fill_versions(self) -> None:
        self.versions.clear()
        found = minutes.list_versions(self.folder, self.meeting_id)
        if not found:
            self.versions.addItem(_("Version 1 (draft)"), 1)
        for summary in reversed(found):
            state = _(minutes.STATES[summary.state])
            text = _("Version {number} ({state})").format(number=summary.number, state=state)
            if summary.signed_at:
                text = _("Version {number} (signed on {date})").format(
                    number=summary.number, date=long_date(summary.signed_at.date()))
            self.versions.addItem(text, summary.number)
        shown = self.info.number if self.info else 1
        self.versions.setCurrentIndex(max(0, self.versions.findData(shown)))
        self.versions.setEnabled(self.versions.count() > 1)

    def is_editable(self) -> bool:
        return (self.info is not None and self.info.state == "draft"
                and self.info.number == self.current_number)

    def _update_state(self) -> None:
        info = self.info
        assert info is not None
        state = _(minutes.STATES[info.state])
        text = _("Minutes, version {number}: {state}").format(number=info.number, state=state)
        if info.state == "signed" and info.signed_at:
            text = _("Minutes, version {number}: signed by {signer} on {date} at {time}").format(
                number=info.number, signer=info.signer, date=long_date(info.signed_at.date()),
                time=time_of_day(info.signed_at))
        elif info.state == "adopted" and info.adopted_at:
            text = _("Minutes, version {number}: adopted on {date}").format(
                number=info.number, date=long_date(info.adopted_at.date()))
        self.state.setText(text)
        self.state.setProperty("state", info.state)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        editable = self.is_editable()
        for box in (self.opening, self.divers, *self.item_boxes.values()):
            box.setReadOnly(not editable)
            box.style().unpolish(box)  # the style sheet greys read-only text
            box.style().polish(box)
        self.closing_time.setReadOnly(not editable)
        latest = info.number == self.current_number
        self.adopt_button.setEnabled(editable)
        self.sign_button.setEnabled(latest and info.state == "adopted")
        self.correct_button.setEnabled(latest and info.state in ("adopted", "signed"))
        self.reason.setText(_("Correction of version {previous}: {reason}").format(
            previous=info.number - 1, reason=info.reason) if info.reason else "")
        self.reason.setVisible(bool(info.reason))
        if not latest:
            self.indicator.setText(_("Earlier version, read-only"))
        elif not editable:
            self.indicator.setText(_("Read-only"))
        elif self.saved_at is None:
            self.indicator.setText("")
        self.problem.hide()

    # -- saving --------------------------------------------------------------------------

    def _on_edit(self) -> None:
        """Restart the pause timer; typing without a pause still saves every few seconds."""
        if self._loading or not self.is_editable():
            return
        if not self.dirty:
            self._dirty_since = time.monotonic()
        self.dirty = True
        if self.conflict:
            return
        if (time.monotonic() - self._dirty_since) * 1000 >= MAX_UNSAVED_MS:
            self.save_now()
            return
        self.indicator.setText(_("Not saved yet…"))
        self.timer.start()

    def text_fields(self) -> dict[str, object]:
        return {
            "opening": self.opening.toPlainText(),
            "items": {position: box.toPlainText() for position, box in self.item_boxes.items()},
            "divers": self.divers.toPlainText(),
        }

    def save_now(self) -> bool:
        """Write what changed (the autosave); False when the save was refused."""
        self.timer.stop()
        if not self.dirty or self.conflict or not self.is_editable():
            return not self.conflict
        fields = self.text_fields()
        closing: str | None = self.closing_time.text()
        try:
            meetings.clean_time(closing or "")
            self.problem.hide()
        except InputError as error:
            self.problem.setText(error.message)
            self.problem.show()
            closing = None  # the rest is saved; the time waits for a valid value
        try:
            self.revision = minutes.save_draft(
                self.folder, self.meeting_id, revision=self.revision,
                version=self.current_number, closing_time=closing,
                **fields)  # type: ignore[arg-type]
        except StateError as error:
            self._on_conflict(error.message)
            return False
        except CcsError as error:
            show_error(self, error)
            return False
        self.dirty = closing is None and bool(self.closing_time.text())
        self._dirty_since = time.monotonic()
        self.saved_at = datetime.now()
        self.indicator.setText(_("Saved at {time}").format(time=time_of_day(self.saved_at)))
        self.saved.emit()
        return True

    def _on_conflict(self, message: str) -> None:
        """Another writer saved first: keep the local text on screen, offer to copy it."""
        self.conflict = True
        self.indicator.setText(_("Not saved: changed elsewhere"))
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Minutes changed elsewhere"))
        box.setText(message)
        box.setInformativeText(_("Your text is still on the screen. Copy it, then reload the "
                                 "minutes and paste what is missing."))
        copy = box.addButton(_("Copy my text and reload"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(_("Keep my text on screen"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(copy)
        box.exec()
        if box.clickedButton() is copy:
            self.copy_and_reload()
        elif box.clickedButton() is keep:
            # Autosave stays off; the button beside the indicator does the copy later.
            self.reload_button.show()

    def copy_and_reload(self) -> None:
        """Put the text on screen in the clipboard, then show the stored minutes."""
        QGuiApplication.clipboard().setText(self.local_text())
        self.load()
        self.indicator.setText(_("Your text was copied; paste it where it is missing."))

    def local_text(self) -> str:
        """Everything typed, as plain text with the item titles (for the clipboard)."""
        assert self.info is not None
        parts = [_("Opening"), self.opening.toPlainText()]
        for item in self.info.items:
            box = self.item_boxes.get(item.position)
            parts += [f"{item.position}. {item.title}", box.toPlainText() if box else ""]
        parts += [_("Any other business"), self.divers.toPlainText(),
                  _("Session closed at:") + " " + self.closing_time.text()]
        return "\n\n".join(parts)

    def showEvent(self, event: QShowEvent) -> None:
        """Watch the top-level window: its close (and the backup made on closing) must
        come after the last save, and a close event arrives before any hide event."""
        window = self.window()
        if window is not self and window is not self._watched:
            window.installEventFilter(self)
            self._watched = window
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self._watched and event.type() == QEvent.Type.Close
                and self.dirty and not self.conflict):
            self.save_now()
        return super().eventFilter(watched, event)

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the tab, the session or the window saves at once: nothing is lost."""
        if self.dirty and not self.conflict:
            self.save_now()
        super().hideEvent(event)

    # -- lifecycle -----------------------------------------------------------------------

    def _on_version_chosen(self, index: int) -> None:
        number = self.versions.itemData(index)
        if self.info is not None and number == self.info.number:
            return
        if not self.save_now():
            return
        self.load(None if number == self.current_number else number)

    def adopt(self) -> None:
        if not self.save_now():
            return
        answer = QMessageBox.question(
            self, _("Adopt the minutes"),
            _("Has the committee approved these minutes? Once adopted, their text and the "
              "attendance can no longer be edited; they can then be signed."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            minutes.adopt(self.folder, self.meeting_id)
        except CcsError as error:
            show_error(self, error)
            return
        self.load()
        self.state_changed.emit()

    def sign(self) -> None:
        dialog = PassphraseDialog(self.label, self)
        if not dialog.exec():
            return
        folder, meeting_id = self.folder, self.meeting_id
        passphrase, signer = dialog.passphrase.text(), dialog.signer.text()

        def done(_info: object) -> None:
            self.load()
            self.state_changed.emit()

        def failed(error: BaseException) -> None:
            if isinstance(error, WrongPassphraseError):
                self.problem.setText(error.message)
                self.problem.show()
            show_error(self, error)

        # Opening the keys (scrypt) takes a second or two: off the GUI thread.
        self.signing = run_task(self, _("Signing the minutes…"),
                                lambda: minutes.sign(folder, meeting_id, passphrase,
                                                     signer or None), done, failed)

    def correct(self) -> None:
        reason, ok = QInputDialog.getText(
            self, _("Correct the minutes"),
            _("A correction makes a new version; the current one stays readable.\n"
              "Reason for the correction:"))
        if not ok:
            return
        try:
            minutes.correct(self.folder, self.meeting_id, reason)
        except CcsError as error:
            show_error(self, error)
            return
        self.saved_at = None
        self.load()
        self.state_changed.emit()

    def focus_first(self) -> None:
        box = self.opening
        box.setFocus(Qt.FocusReason.OtherFocusReason)
