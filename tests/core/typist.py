"""A typist in a real child process, killed with SIGKILL while it saves the minutes.

The service's kill test (``tests/core/test_minutes.py``) and the window's autosave kill test
(``tests/gui/test_minutes_gui.py``) start their script the same way and check the same
thing right after the kill: the process died of the signal and SQLite's file is intact.
What each then reads back of the minutes is its own.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def start(script: str, tmp_path: Path, data_dir: Path, meeting: int) -> subprocess.Popen[str]:
    """Run ``script DATA_DIR MEETING`` with the checkout importable; it prints as it types."""
    path = tmp_path / "typist.py"
    path.write_text(script, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    child = subprocess.Popen([sys.executable, str(path), str(data_dir), str(meeting)],
                             stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    return child


def kill(child: subprocess.Popen[str], data_dir: Path) -> None:
    """SIGKILL, as a power cut would stop it; the database must pass SQLite's own check."""
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(data_dir / "ccsdesk.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
