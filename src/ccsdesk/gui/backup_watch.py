"""Automatic backups while the window runs, and the status-bar line saying how recent they are.

Power cuts are frequent in commune halls, so the window does not wait for the user: it backs
up once a day in the background (an hourly timer asks whether today's backup exists) and
again when the window closes. ``backup.automatic`` never raises; its warnings (a removed or
full USB stick) are shown, but a failed backup never stops the window from closing.
On closing, a fresh backup is written whenever the record changed since the last one, so
the day's work is never only on the disk that may die tonight. The status-bar line turns
orange when the last good backup is old and red when there is none or it is a week old,
with a tooltip saying what to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from ccsdesk.core import formats
from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import backup

if TYPE_CHECKING:
    from ccsdesk.core.storage.folder import DataFolder

CHECK_EVERY_MS = 60 * 60 * 1000
FIRST_CHECK_MS = 5 * 60 * 1000
VERY_OLD_DAYS = 7
ORANGE = "#b35c00"
RED = "#a4161a"


def describe(last: datetime | None, now: datetime | None = None) -> str:
    """« aujourd’hui 17:05 », « hier 17:05 » or « 12 novembre 2026 17:05 »; « jamais »."""
    if last is None:
        return _("never")
    now = now or datetime.now()
    hour = formats.time_of_day(last)
    if last.date() == now.date():
        return _("today {time}").format(time=hour)
    if last.date() == (now - timedelta(days=1)).date():
        return _("yesterday {time}").format(time=hour)
    return _("{date} {time}").format(date=formats.long_date(last.date()), time=hour)


def level(last: datetime | None, now: datetime | None = None) -> str:
    """'ok', 'old' (orange) or 'missing' (red: none, or none for a week)."""
    if last is None or backup.is_old(last, now=now, days=VERY_OLD_DAYS):
        return "missing"
    return "old" if backup.is_old(last, now=now) else "ok"


def save_pending_edits(window: QWidget) -> None:
    """Save what a visible editor still holds (the minutes editor saves when it is hidden,
    which comes after the window's close event, too late for the closing backup)."""
    for widget in window.findChildren(QWidget):
        if getattr(widget, "dirty", False) and callable(getattr(widget, "save_now", None)) \
                and widget.isVisible():
            widget.save_now()


def changed_since_last_backup(folder: DataFolder) -> bool:
    """Whether the record changed after the last backup was written.

    Every change journals an entry in its own transaction, and every backup journals
    ``backup.create`` last: if the newest entry is not a backup, something is not backed up.
    """
    from sqlalchemy import select

    from ccsdesk.core.storage.models import JournalEntry

    with folder.database.reading() as session:
        last = session.scalar(select(JournalEntry.action).order_by(JournalEntry.id.desc())
                              .limit(1))
    return last != "backup.create"


def closing_backup(folder: DataFolder) -> backup.AutomaticResult:
    """The backup made when the window closes.

    ``backup.automatic`` makes at most one backup a day; the day's work after the daily
    one would then wait for tomorrow. So when the record changed since the last backup, a
    fresh automatic backup is written first (the rotation keeps the newest of each day);
    ``automatic`` then rotates and copies it to the second place.
    """
    made = None
    try:
        if changed_since_last_backup(folder):
            made = backup.create(folder, automatic=True)
    except CcsError as error:
        return backup.AutomaticResult(warnings=[error.message])
    result = backup.automatic(folder)
    result.path = result.path or made
    return result


class _Relay(QObject):
    """Carries the worker thread's result to the GUI thread (queued signal)."""

    done = Signal(object)


class _Work(QRunnable):
    def __init__(self, folder: DataFolder, relay: _Relay, *, closing: bool) -> None:
        super().__init__()
        self.folder = folder
        self.relay = relay
        self.closing = closing

    def run(self) -> None:
        try:
            result = (closing_backup(self.folder) if self.closing
                      else backup.automatic(self.folder))
        except Exception as error:  # automatic() promises not to raise; never lose the close
            result = backup.AutomaticResult(warnings=[str(error)])
        self.relay.done.emit(result)


class AutomaticBackups(QObject):
    """Owned by the main window. Attributes: ``indicator`` (the status-bar label),
    ``last_result`` (the latest :class:`backup.AutomaticResult`), ``timer``.

    Signal ``finished(object)``: an automatic backup ended (its result).
    """

    finished = Signal(object)

    def __init__(self, window: QWidget, folder: DataFolder) -> None:
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.indicator = QLabel()
        self.indicator.setObjectName("backupIndicator")
        self.indicator.setContentsMargins(18, 0, 4, 0)  # apart from the member counts
        self.last_result: backup.AutomaticResult | None = None
        self.running = False
        self.closing_done = False
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.daily_check)
        self.timer.start()
        QTimer.singleShot(FIRST_CHECK_MS, self.daily_check)
        self.refresh()

    # -- the status-bar line -------------------------------------------------------------

    def refresh(self) -> None:
        last = backup.last_good_backup(self.folder)
        state = level(last)
        self.indicator.setText(_("Last backup: {when}").format(when=describe(last)))
        self.indicator.setProperty("level", state)
        colour = {"old": ORANGE, "missing": RED}.get(state)
        self.indicator.setStyleSheet(
            f"QLabel {{ color: {colour}; font-weight: bold; }}" if colour else "")
        if state == "ok":
            tip = _("The data was backed up recently. CCS Desk backs up once a day and when "
                    "it closes.")
        elif last is None:
            tip = _("No backup of this data exists yet. Open Settings › Backups and click "
                    "« Back up now ».")
        else:
            tip = _("The last backup is {days} days old. Open Settings › Backups and click "
                    "« Back up now », and check the USB stick.").format(
                days=(datetime.now() - last).days)
        self.indicator.setToolTip(tip)

    # -- daily, in the background --------------------------------------------------------

    def daily_check(self) -> None:
        """Start today's automatic backup in the background if it was not made yet."""
        if self.running or self.closing_done:
            return
        last = backup.last_good_backup(self.folder)
        if last is not None and last.date() == datetime.now().date():
            return
        self._start()

    def _start(self, *, closing: bool = False) -> None:
        self.running = True
        QThreadPool.globalInstance().start(_Work(self.folder, self._relay, closing=closing))

    def _on_done(self, result: backup.AutomaticResult) -> None:
        self.running = False
        self.last_result = result
        self.refresh()
        self.finished.emit(result)

    # -- on closing ----------------------------------------------------------------------

    def before_close(self) -> backup.AutomaticResult | None:
        """Run the closing backup and wait for it, showing « Sauvegarde en cours… » if it
        takes more than half a second; show its warnings. Runs once per window."""
        if self.closing_done:
            return self.last_result
        self.closing_done = True
        self.timer.stop()
        save_pending_edits(self.window)
        loop = QEventLoop()
        self.finished.connect(loop.quit)
        from PySide6.QtWidgets import QProgressDialog

        progress = QProgressDialog(_("Backup in progress…"), "", 0, 0, self.window)
        progress.setWindowTitle(_("Please wait"))
        progress.setCancelButton(None)
        progress.setMinimumDuration(500)
        progress.setValue(0)
        if self.running:  # the daily backup is under way: wait for it
            loop.exec()
        self._start(closing=True)
        if self.running:
            loop.exec()
        self.finished.disconnect(loop.quit)
        progress.hide()
        progress.deleteLater()
        result = self.last_result
        if result is not None and result.warnings:
            box = QMessageBox(QMessageBox.Icon.Warning, _("CCS Desk"),
                              _("The backup made on closing had a problem:"),
                              QMessageBox.StandardButton.Ok, self.window)
            box.setInformativeText("\n".join(result.warnings))
            box.exec()
        return result
