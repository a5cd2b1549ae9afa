"""Long work off the GUI thread, with a progress dialog, a cancel button, and the result
delivered back on the GUI thread.

The core's services take no progress callback, so the dialog shows a busy bar. Cancelling
means the result is thrown away when it arrives: it is only offered for work that writes
nothing (reading a file to preview it), never for work that changes the record halfway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ccsdesk.core.i18n import _

# Tasks still running; kept here so Python does not collect them before they report.
_running: set[Task] = set()

# Below this the progress dialog would only flicker.
SHOW_AFTER_MS = 400


class _Runnable(QRunnable):
    """Runs ``work`` on a pool thread and emits the outcome through ``task``'s signals."""

    def __init__(self, task: Task, work: Callable[[], Any]) -> None:
        super().__init__()
        self._task = task
        self._work = work

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as error:  # delivered to the GUI thread, shown there
            self._report(self._task.failed_in_worker, error)
        else:
            self._report(self._task.succeeded_in_worker, result)

    @staticmethod
    def _report(signal: Any, value: object) -> None:
        # RuntimeError: the application is shutting down and the task is gone; nobody waits.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


class Task(QObject):
    """One piece of background work.

    Signals: ``succeeded(object)`` and ``failed(object)`` are emitted on the GUI thread,
    ``finished()`` after either (and after a cancel). Attributes: ``cancelled``, ``done``.
    """

    succeeded_in_worker = Signal(object)
    failed_in_worker = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QWidget | None, label: str, *, cancellable: bool) -> None:
        super().__init__()
        self.cancelled = False
        self.done = False
        # Queued connections: the worker emits, these slots run on the GUI thread.
        self.succeeded_in_worker.connect(self._on_succeeded, Qt.ConnectionType.QueuedConnection)
        self.failed_in_worker.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.progress = QProgressDialog(label, _("Cancel") if cancellable else "", 0, 0, parent)
        self.progress.setWindowTitle(_("Please wait"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(SHOW_AFTER_MS)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        if not cancellable:
            self.progress.setCancelButton(None)
        self.progress.canceled.connect(self.cancel)
        self.progress.setValue(0)

    def cancel(self) -> None:
        """Stop waiting: the dialog closes and the result, when it comes, is ignored."""
        if self.done:
            return
        self.cancelled = True
        self._finish()

    def _on_succeeded(self, result: object) -> None:
        if not self.cancelled:
            self._finish()
            self.succeeded.emit(result)
        _running.discard(self)

    def _on_failed(self, error: object) -> None:
        if not self.cancelled:
            self._finish()
            self.failed.emit(error)
        _running.discard(self)

    def _finish(self) -> None:
        self.done = True
        self.progress.canceled.disconnect(self.cancel)
        self.progress.hide()
        # deleteLater waits for the event loop, so this is safe inside the dialog's signal.
        self.progress.deleteLater()
        self.finished.emit()


def run_task(
    parent: QWidget | None,
    label: str,
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None] | None = None,
    *,
    cancellable: bool = False,
) -> Task:
    """Run ``work()`` on the thread pool; call ``on_success(result)`` on the GUI thread.

    Failures go to ``on_failure`` or, by default, to the standard error dialog.
    """
    task = Task(parent, label, cancellable=cancellable)
    task.succeeded.connect(on_success)
    if on_failure is None:
        from ccsdesk.gui.errors import show_error

        task.failed.connect(lambda error: show_error(parent, error))
    else:
        task.failed.connect(on_failure)
    _running.add(task)
    QThreadPool.globalInstance().start(_Runnable(task, work))
    return task


def running_count() -> int:
    """How many tasks have not reported yet (tests wait for zero)."""
    return len(_running)
