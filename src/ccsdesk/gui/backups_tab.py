"""The « Sauvegardes » tab of Paramètres: when the data was last backed up, a backup now,
the second place (a USB stick), restore, the passphrase and the president's key copy.

Backing up and checking a backup run off the GUI thread (:mod:`ccsdesk.gui.tasks`).
Restoring into a new folder runs there too; it cannot touch the current data. Replacing
the current data is different: every open connection must be gone first (Windows refuses
to move an open database), and no page may write meanwhile. So, after a clear confirmation,
the folder is closed and the restore runs on the GUI thread (nothing else can run and
write), then the window closes: the person opens CCS Desk again on the restored data. A
refused restore leaves the data untouched and the window usable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import backup, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui import backup_watch
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.key_dialogs import ChangePassphraseDialog, KeyBackupDialog
from ccsdesk.gui.reference_tabs import hint
from ccsdesk.gui.restore_dialog import NEW_FOLDER, RestoreDialog, created_text, record_counts
from ccsdesk.gui.tasks import run_task

Notify = Callable[[str, Callable[[], None] | None], None]


def backed_up_text(result: backup.AutomaticResult) -> str:
    """The status-bar line after « Back up now »: the file, then where it was copied or why
    it was not (no second place chosen, stick removed, disk full)."""
    text = _("Backup written: {file}.").format(
        file=result.path.name if result.path is not None else "")
    if result.copied_to is not None:
        return text + " " + _("Also copied to {place}.").format(place=result.copied_to.parent)
    if result.warnings:
        return text + " " + " ".join(result.warnings)
    return text + " " + _("It stays on this computer only: no second place (USB stick) is "
                          "chosen below.")


def _drives() -> list[object]:
    from ccsdesk.gui.key_dialogs import _removable_drives

    return _removable_drives()


class BackupsTab(QWidget):
    """Signals: ``backup_made()`` after any backup; ``data_replaced(Path)`` after the current
    data was replaced by a backup (the window must close: its folder is gone).

    Attributes for tests and callers: ``last_label``, ``backup_button``, ``restore_button``,
    ``second_place_label``, ``drives``, ``passphrase_button``, ``key_copy_button``;
    ``ask_backup_file`` and ``ask_folder`` (the file pickers, replaceable).
    """

    backup_made = Signal()
    data_replaced = Signal(object)

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None,
                 drives: Callable[[], list[object]] = _drives) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.list_drives = drives
        self.ask_backup_file: Callable[[], Path | None] = self._pick_backup_file
        self.ask_folder: Callable[[], Path | None] = self._pick_folder

        self.last_label = QLabel()
        self.last_label.setObjectName("lastBackup")
        self.last_label.setWordWrap(True)
        self.backups_folder = QLabel(str(folder.backups_dir))
        self.backups_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backups_folder.setWordWrap(True)
        self.backup_button = QPushButton(_("Back up now"))
        self.backup_button.setObjectName("primary")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton(_("Restore…"))
        self.restore_button.clicked.connect(self.restore)
        actions = QHBoxLayout()
        actions.addWidget(self.backup_button)
        actions.addWidget(self.restore_button)
        actions.addStretch(1)
        form = QFormLayout()
        form.addRow(_("Last backup:"), self.last_label)
        form.addRow(_("Backups folder:"), self.backups_folder)
        form.addRow("", actions)

        column = QWidget()
        column.setMaximumWidth(820)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(hint(_("A backup is one file holding all the data, the documents and "
                               "the keys (still encrypted). CCS Desk makes one each day and "
                               "when it closes, and keeps those of the last 7 days and 4 "
                               "weeks.")))
        inner.addLayout(form)
        inner.addWidget(self._second_place_box())
        inner.addWidget(self._keys_box())
        layout = QVBoxLayout(self)
        layout.addWidget(column)
        layout.addStretch(1)
        self.refresh()

    # -- building ------------------------------------------------------------------------

    def _second_place_box(self) -> QGroupBox:
        box = QGroupBox(_("Second place (USB stick or other disk)"))
        self.second_place_label = QLabel()
        self.second_place_label.setWordWrap(True)
        self.second_place_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        choose = QPushButton(_("Choose a folder…"))
        choose.clicked.connect(self.choose_second_place)
        self.forget_button = QPushButton(_("Stop copying"))
        self.forget_button.clicked.connect(lambda: self.set_second_place(None))
        self.drives = QComboBox()
        self.drives.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.drives.setMinimumContentsLength(24)
        self.use_drive_button = QPushButton(_("Use this stick"))
        self.use_drive_button.clicked.connect(self._use_drive)
        self.refresh_drives_button = QPushButton(_("Look again"))
        self.refresh_drives_button.clicked.connect(self.refresh_drives)
        buttons = QHBoxLayout()
        buttons.addWidget(choose)
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        drive_row = QHBoxLayout()
        drive_row.addWidget(self.drives, 1)
        drive_row.addWidget(self.use_drive_button)
        drive_row.addWidget(self.refresh_drives_button)
        form = QFormLayout(box)
        form.addRow(hint(_("Each backup, automatic or made with « Back up now », is also "
                           "copied there, so that a stolen or broken computer does not take "
                           "the backups with it.")))
        form.addRow(_("Copy to:"), self.second_place_label)
        form.addRow("", buttons)
        form.addRow(_("USB sticks plugged in:"), drive_row)
        self.refresh_drives()
        return box

    def _keys_box(self) -> QGroupBox:
        box = QGroupBox(_("The committee's keys"))
        self.passphrase_button = QPushButton(_("Change the passphrase…"))
        self.passphrase_button.clicked.connect(self.change_passphrase)
        self.key_copy_button = QPushButton(_("Copy the keys for the president…"))
        self.key_copy_button.clicked.connect(self.copy_keys)
        row = QHBoxLayout()
        row.addWidget(self.passphrase_button)
        row.addWidget(self.key_copy_button)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(hint(_("Backups hold the keys encrypted with the passphrase of the "
                                "day they were made.")))
        layout.addLayout(row)
        return box

    # -- state ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """The last good backup, in orange when old and red when missing or very old."""
        last = backup.last_good_backup(self.folder)
        state = backup_watch.level(last)
        text = backup_watch.describe(last)
        if state == "missing":
            text = (_("No backup yet.") if last is None else text) + " " + _(
                "Back up now, and check the USB stick.")
        elif state == "old":
            text += " — " + _("more than two days ago: back up now.")
        self.last_label.setText(text)
        self.last_label.setProperty("level", state)
        colour = {"old": backup_watch.ORANGE, "missing": backup_watch.RED}.get(state)
        self.last_label.setStyleSheet(
            f"QLabel {{ color: {colour}; font-weight: bold; }}" if colour else "")
        place = settings.get(self.folder, backup.SECOND_PLACE_SETTING)
        if place:
            reachable = Path(place).is_dir()
            self.second_place_label.setText(
                place if reachable else _("{place} (not plugged in)").format(place=place))
        else:
            self.second_place_label.setText(_("none: backups stay on this computer only"))
        self.forget_button.setEnabled(bool(place))

    def refresh_drives(self) -> None:
        self.drives.clear()
        for drive in self.list_drives():
            self.drives.addItem(f"{drive.label} ({drive.path})", str(drive.path))  # type: ignore[attr-defined]
        found = self.drives.count() > 0
        if not found:
            self.drives.addItem(_("no USB stick found"))
        self.drives.setEnabled(found)
        self.use_drive_button.setEnabled(found)

    # -- backing up ----------------------------------------------------------------------

    def back_up_now(self) -> None:
        self.backup_button.setEnabled(False)
        folder = self.folder
        run_task(self, _("Backing up the data…"), lambda: backup.back_up_now(folder),
                 self._backed_up, self._backup_failed)

    def _backed_up(self, result: backup.AutomaticResult) -> None:
        """Say where the backup went: the data folder, and the stick or why not."""
        self.backup_button.setEnabled(True)
        self.refresh()
        self.backup_made.emit()
        self.notify(backed_up_text(result), None)
        if result.warnings:
            self.last_label.setText(self.last_label.text() + "\n" + "\n".join(result.warnings))

    def _backup_failed(self, error: BaseException) -> None:
        self.backup_button.setEnabled(True)
        show_error(self, error)

    # -- second place --------------------------------------------------------------------

    def choose_second_place(self) -> None:
        chosen = self.ask_folder()
        if chosen is not None:
            self.set_second_place(chosen)

    def _use_drive(self) -> None:
        path = self.drives.currentData()
        if path:
            self.set_second_place(Path(path) / "Sauvegardes CCS Desk")

    def set_second_place(self, place: Path | None) -> None:
        """Store the second place (created if it is a new folder on a stick), or none."""
        if place is not None:
            try:
                place.mkdir(parents=False, exist_ok=True)
            except OSError as error:
                show_error(self, CcsError(_("The folder {place} cannot be used ({reason}).")
                                          .format(place=place,
                                                  reason=error.strerror or error)))
                return
        settings.put(self.folder, backup.SECOND_PLACE_SETTING,
                     str(place) if place is not None else None)
        self.refresh()
        self.notify(_("Backups will also be copied to {place}.").format(place=place)
                    if place is not None else _("Backups are no longer copied elsewhere."),
                    None)

    def _pick_folder(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, _("Copy the backups to"))
        return Path(chosen) if chosen else None

    # -- restoring -----------------------------------------------------------------------

    def _pick_backup_file(self) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Restore a backup"), str(self.folder.backups_dir),
            _("CCS Desk backups (*.ccsbak);;All files (*)"))
        return Path(chosen) if chosen else None

    def restore(self) -> None:
        """Pick a backup, check it whole off the GUI thread, then ask where to restore."""
        chosen = self.ask_backup_file()
        if chosen is None:
            return
        run_task(self, _("Checking the backup…"),
                 lambda: (backup.verify(chosen), record_counts(chosen)),
                 self._checked, cancellable=True)

    def _checked(self, checked: tuple[backup.BackupInfo, dict[str, int]]) -> None:
        info, counts = checked
        dialog = RestoreDialog(info, self.folder.path, self, counts)
        self.restore_dialog = dialog
        if dialog.exec() != RestoreDialog.DialogCode.Accepted:
            return
        if dialog.choice == NEW_FOLDER:
            target = dialog.target
            run_task(self, _("Restoring the backup…"),
                     lambda: backup.restore(info.path, target, replace=False),
                     self._restored_elsewhere)
        else:
            self.replace_data(info)

    def _restored_elsewhere(self, result: backup.RestoreResult) -> None:
        QMessageBox.information(
            self, _("CCS Desk"),
            _("The backup was restored into {folder}. The current data was not touched.")
            .format(folder=result.target))

    def replace_data(self, info: backup.BackupInfo) -> bool:
        """Confirm, close the folder, restore in place, then tell the window to close."""
        answer = QMessageBox.question(
            self, _("Replace the current data?"),
            _("All the current data of this committee will be replaced by the backup of "
              "{date}. Changes made since then will no longer be in the data (a copy of the "
              "current data is kept beside it). CCS Desk will then close.\n\nReplace the "
              "data?").format(date=created_text(info)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        target = self.folder.path
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        # Background work (the daily backup, a document being built) must not be using the
        # folder while it is moved aside.
        QThreadPool.globalInstance().waitForDone(120_000)
        self.folder.close()
        try:
            result = backup.restore(info.path, target, replace=True)
        except CcsError as error:
            QApplication.restoreOverrideCursor()
            show_error(self, error)
            return False
        QApplication.restoreOverrideCursor()
        message = _("The data was replaced by the backup of {date}.").format(
            date=created_text(info))
        if result.previous_copy is not None:
            message += "\n" + _("The data it replaced is kept in {folder}.").format(
                folder=result.previous_copy)
        message += "\n\n" + _("CCS Desk now closes; open it again to work on the restored "
                              "data.")
        QMessageBox.information(self, _("CCS Desk"), message)
        self.data_replaced.emit(result.target)
        return True

    # -- keys ----------------------------------------------------------------------------

    def change_passphrase(self) -> None:
        dialog = ChangePassphraseDialog(self.folder, self)
        self.passphrase_dialog = dialog
        if dialog.exec() == ChangePassphraseDialog.DialogCode.Accepted:
            self.notify(_("Passphrase changed. Use the new one from now on."), None)

    def copy_keys(self) -> None:
        dialog = KeyBackupDialog(self.folder, self, drives=self.list_drives)
        self.key_dialog = dialog
        if dialog.exec() == KeyBackupDialog.DialogCode.Accepted and dialog.result_backup:
            QMessageBox.information(
                self, _("CCS Desk"),
                _("The keys were copied, still encrypted, to {folder}; each file was read back "
                  "and checked. Give the stick to the president to keep in a safe place.")
                .format(folder=dialog.result_backup.path))
