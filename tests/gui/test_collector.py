"""Cyclic garbage holding Qt objects must never be collected on a background thread."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from ccsdesk.gui.collector import GuiThreadCollector


class _Cycle:
    """Part of a reference cycle; notes the thread that finally collects it."""

    def __init__(self, seen: list[threading.Thread]) -> None:
        self.seen = seen
        self.itself = self

    def __del__(self) -> None:
        self.seen.append(threading.current_thread())


def _allocate_a_lot() -> None:
    """Enough new containers to cross every collection threshold."""
    kept = [[index] for index in range(200_000)]
    del kept


def test_a_worker_allocating_does_not_collect_the_windows_garbage(qtbot: QtBot) -> None:
    assert not gc.isenabled()  # the package's collector (as the program's) is running
    seen: list[threading.Thread] = []
    _Cycle(seen)  # unreachable at once: only the cycle collector can free it
    worker = threading.Thread(target=_allocate_a_lot)
    worker.start()
    worker.join()
    assert seen == []
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    assert seen == [threading.main_thread()]


def test_stopping_gives_collection_back(qapp: object) -> None:
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    collector.stop()
    # The package's own collector is still running, so collection stays off until it stops.
    assert not gc.isenabled()
    gc.enable()
    inner = GuiThreadCollector()
    assert not gc.isenabled()
    inner.stop()
    assert gc.isenabled()
    gc.disable()  # back as the package's collector left it
