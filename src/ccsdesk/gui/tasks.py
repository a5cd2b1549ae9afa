"""Long work off the GUI thread, with a progress dialog, a cancel button, and the result
delivered back on the GUI thread.

The core's services take no progress callback, so the dialog shows a busy bar. Cancelling
means the result is thrown away when it arrives: it is only offered for work that writes
nothing (reading a file to preview it), never for work that changes the record halfway.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ccsdesk.core.i18n import _

# Tasks still running, by key. Only the GUI thread touches a Task: a pool thread holds its
# key, never the object, so that a Task (a QObject) and whatever its work refers to (pages,
# dialogs) are never released — and so never destroyed — on a pool thread.
_running: dict[int, Task] = {}
_keys = itertools.count(1)

# Below this the progress dialog would only flicker.
SHOW_AFTER_MS = 400


class _Relay(QObject):
    """Carries outcomes from pool threads to the GUI thread (created there, never deleted)."""

    reported = Signal(int, bool, object)

    def __init__(self) -> None:
        super().__init__()
        # Queued: a pool thread emits, the slot runs on the thread this object lives in.
        self.reported.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    def deliver(self, key: int, ok: bool, payload: list[Any]) -> None:
        """On the GUI thread: hand the outcome to its task, then release what the work held.

        ``payload`` is ``[work, outcome]``; emptying it here means the work's closure and
        its outcome are released on this thread whatever the pool thread does with the list.
        """
        outcome = payload[1]
        payload.clear()
        task = _running.pop(key, None)
        if task is not None:
            task.report(ok, outcome)


_relay: _Relay | None = None


class _Runnable(QRunnable):
    """Runs ``work`` on a pool thread and sends the outcome back through the relay."""

    def __init__(self, key: int, work: Callable[[], Any]) -> None:
        super().__init__()
        self._key = key
        self._work: Callable[[], Any] | None = work

    def run(self) -> None:
        work, self._work = self._work, None
        if work is None:  # run twice: nothing left to do
            return
        try:
            outcome, ok = work(), True
        except BaseException as error:  # delivered to the GUI thread, shown there
            outcome, ok = error, False
        # From here this thread keeps no reference of its own: the list goes to the GUI
        # thread, which empties it (see ``_Relay.deliver``).
        payload = [work, outcome]
        del work, outcome
        relay = _relay
        # RuntimeError: the application is shutting down; nobody waits any more.
        with contextlib.suppress(RuntimeError):
            if relay is not None:
                relay.reported.emit(self._key, ok, payload)


class Task(QObject):
    """One piece of background work.

    Signals: ``succeeded(object)`` and ``failed(object)`` are emitted on the GUI thread,
    ``finished()`` after either (and after a cancel). Attributes: ``cancelled``, ``done``.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QWidget | None, label: str, *, cancellable: bool) -> None:
        super().__init__()
        self.cancelled = False
        self.done = False
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

    def report(self, ok: bool, outcome: object) -> None:
        """The work's result (``ok``) or exception, on the GUI thread."""
        if self.cancelled:
            return
        self._finish()
        (self.succeeded if ok else self.failed).emit(outcome)

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
    global _relay
    if _relay is None:
        _relay = _Relay()
    key = next(_keys)
    _running[key] = task
    QThreadPool.globalInstance().start(_Runnable(key, work))
    return task


def running_count() -> int:
    """How many tasks have not reported yet (tests wait for zero)."""
    return len(_running)
