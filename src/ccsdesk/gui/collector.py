"""Cyclic garbage collected on the GUI thread only.

Python's cycle collector runs in whichever thread happens to allocate when a threshold is
crossed. When that is a background task's thread (a backup, a packet, an import) and the
garbage holds Qt widgets from a closed dialog, the widgets are destroyed outside the GUI
thread and the program can crash. Seen as a segfault in the GUI tests: "Garbage-collecting"
on a pool thread inside a SQLAlchemy query. So, while the window runs, automatic collection
is off and a timer on the GUI thread collects with the same thresholds (plain reference
counting, which frees almost everything, is unchanged).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# Often enough that garbage never piles up, rarely enough to cost nothing (a check is a
# few microseconds; a young-generation collection well under a millisecond).
INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Turns automatic collection off while it lives; :meth:`stop` turns it back on."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(INTERVAL_MS)

    def collect_due(self) -> int:
        """The young generation at every tick, older ones when their threshold is crossed.

        Every tick, not only past the first threshold: a background task may allocate and
        free a great deal (the count then falls back), and Python would have collected
        during that spike; collecting the young generation costs microseconds.
        """
        counts = gc.get_count()
        if counts[0] == 0:
            return 0
        generation = 0
        for level in (1, 2):
            if counts[level] > self._thresholds[level]:
                generation = level
            else:
                break
        return gc.collect(generation)

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
