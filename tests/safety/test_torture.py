"""Crash torture: a writing process killed with SIGKILL many times loses nothing committed.

CI runs a small number of rounds (``CCSDESK_TORTURE_KILLS``, default 80, about 20 s); the
long run is ``bench/torture.py``. The summary line is printed for the CI log.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.safety import torture_harness

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not hasattr(signal, "SIGKILL"),
                                reason="SIGKILL is POSIX")


def test_sigkill_torture_loses_nothing_committed(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    kills = int(os.environ.get("CCSDESK_TORTURE_KILLS", "80"))
    work = tmp_path / "journaux"
    work.mkdir()
    summary = torture_harness.run(tmp_path / "donnees", work, kills=kills, seed=20261122,
                                  passphrase=PASSPHRASE)
    with capsys.disabled():
        print("\ntorture: " + summary.line())
    assert summary.kills == kills
    assert summary.committed > kills  # the worker really wrote between kills
    assert summary.ok, summary.problems[:10]


def test_the_check_notices_a_lost_change(tmp_path: Path) -> None:
    """The harness's check fails when a promised change is missing: the test can fail."""
    data_dir = tmp_path / "donnees"
    torture_harness.set_up(data_dir, PASSPHRASE)
    log = tmp_path / "journal.txt"
    log.write_text("R\nM 1000001 4242\nP 1000002 999\nM 1000003 77", encoding="utf-8")
    promises = torture_harness._Promises()
    torture_harness._read_log(log, promises)
    assert promises.count == 2  # the last line was cut by the kill: not a promise
    summary = torture_harness.Summary()
    torture_harness._check(data_dir, promises, summary, set(), baseline_entries=1)
    # The member row, its organisation, the place; and the journal is too short.
    assert summary.lost == 3 and summary.broken_journals == 1 and not summary.ok
