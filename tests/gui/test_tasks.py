"""Background tasks: outcomes come back on the GUI thread, and so does the release of
whatever the work held (a Qt object destroyed on a pool thread crashes the program)."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from ccsdesk.gui import tasks


class _Probe:
    """Notes the thread on which its last reference went away."""

    def __init__(self, seen: list[threading.Thread]) -> None:
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.current_thread())


def _wait_idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: tasks.running_count() == 0, timeout=5000)


def test_the_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    arrived: list[tuple[object, threading.Thread]] = []
    tasks.run_task(None, "…", lambda: threading.current_thread(),
                   lambda result: arrived.append((result, threading.current_thread())))
    _wait_idle(qtbot)
    worker, receiver = arrived[0]
    assert worker is not threading.main_thread()
    assert receiver is threading.main_thread()


def test_a_failure_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    failures: list[BaseException] = []

    def work() -> None:
        raise ValueError("clé USB retirée")

    tasks.run_task(None, "…", work, lambda _result: None, failures.append)
    _wait_idle(qtbot)
    assert [str(error) for error in failures] == ["clé USB retirée"]


def test_what_the_work_held_is_released_on_the_gui_thread(qtbot: QtBot) -> None:
    for failing in (False, True):
        seen: list[threading.Thread] = []
        probe = _Probe(seen)

        def work(held: _Probe = probe, failing: bool = failing) -> None:
            if failing:
                raise RuntimeError("échec")

        tasks.run_task(None, "…", work, lambda _result: None, lambda _error: None)
        del probe, work
        _wait_idle(qtbot)
        qtbot.wait(50)  # let the pool thread finish and drop its runnable
        gc.collect()
        assert seen == [threading.main_thread()]


def test_a_cancelled_task_drops_its_result(qtbot: QtBot) -> None:
    gate = threading.Event()
    results: list[object] = []
    task = tasks.run_task(None, "…", lambda: gate.wait(5) and "lu", results.append,
                          cancellable=True)
    task.cancel()
    gate.set()
    _wait_idle(qtbot)
    assert results == [] and task.cancelled
