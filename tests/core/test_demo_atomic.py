"""The sample commune is all-or-nothing: a step that fails for real, or a killed process,
leaves the data folder exactly as it was, and the next ``demo`` works."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.errors import StorageError
from ccsdesk.core.services import backup, committee, demo, journal, roster, settings
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE, run_process

TODAY = date(2026, 11, 22)


def _content(db_file: Path) -> list[str]:
    """Every row and schema object of the database, as SQL text."""
    connection = sqlite3.connect(db_file)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _files(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")
                  if not p.name.startswith("ccsdesk.sqlite"))


def test_a_step_failing_midway_leaves_the_folder_as_it_was(folder: DataFolder,
                                                           tmp_path: Path) -> None:
    settings.put(folder, backup.SECOND_PLACE_SETTING, str(tmp_path / "CLE"))
    # A real refusal by SQLite late in the build: members, a session and three
    # recommendations are made before the first « implemented » status is refused.
    with sqlite3.connect(folder.db_path) as connection:
        connection.execute(
            "CREATE TRIGGER refuse_implemented BEFORE INSERT ON recommendation_status "
            "WHEN NEW.status = 'implemented' BEGIN SELECT RAISE(ABORT, 'disque défaillant'); "
            "END")
    connection.close()
    before, files = _content(folder.db_path), _files(folder.path)
    with pytest.raises(StorageError, match="laissé tel quel") as refused:
        demo.populate(folder, PASSPHRASE, today=TODAY)
    assert "disque défaillant" in refused.value.message
    assert _content(folder.db_path) == before
    assert _files(folder.path) == files
    assert committee.profile(folder) is None
    assert not any(folder.keys_dir.glob("*"))

    # Once the cause is gone, the same folder takes the whole sample.
    with sqlite3.connect(folder.db_path) as connection:
        connection.execute("DROP TRIGGER refuse_implemented")
    connection.close()
    profile = demo.populate(folder, PASSPHRASE, today=TODAY)
    assert profile.is_demo and profile.name == demo.DEMO_NAME
    assert len(roster.list_members(folder)) == 23
    committee.check_passphrase(folder, PASSPHRASE)
    assert journal.verify(folder.database).intact
    # What the folder held before carries on.
    assert settings.get(folder, backup.SECOND_PLACE_SETTING) == str(tmp_path / "CLE")
    assert not list(folder.path.glob(demo.SCRATCH_PREFIX + "*"))


def test_a_failure_while_putting_in_place_takes_the_keys_back(folder: DataFolder) -> None:
    # The sealed key file cannot be moved in: a folder of that name is in the way.
    blocker = folder.keys_dir / "cles.ccskeys"
    blocker.mkdir(parents=True)
    (blocker / "x").write_text("occupé", encoding="utf-8")
    before, files = _content(folder.db_path), _files(folder.path)
    with pytest.raises(StorageError, match="laissé tel quel"):
        demo.populate(folder, PASSPHRASE, today=TODAY)
    assert _content(folder.db_path) == before
    assert _files(folder.path) == files  # the certificate moved first was taken back
    assert committee.profile(folder) is None


def _members_in(db_file: Path) -> int:
    try:
        connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(connection.execute("SELECT count(*) FROM member").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def test_a_killed_demo_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    data = tmp_path / "donnees"
    DataFolder.open(data).close()
    before, files = _content(data / "ccsdesk.sqlite"), _files(data)
    child = subprocess.Popen(
        [sys.executable, "-m", "ccsdesk", "--data-dir", str(data), "demo"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Kill it in the middle of the build: the committee set up, members being added.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            scratch = list(data.glob(demo.SCRATCH_PREFIX + "*"))
            if scratch and _members_in(scratch[0] / "ccsdesk.sqlite") >= 5:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL, "the demo ended before it could be killed"
    [leftover] = list(data.glob(demo.SCRATCH_PREFIX + "*"))
    assert _content(data / "ccsdesk.sqlite") == before
    assert [f for f in _files(data) if not f.startswith(demo.SCRATCH_PREFIX)] == files
    status = run_process("--data-dir", str(data), "--json", "status")
    assert status.code == 1 and "pas encore de comité" in status.err

    # The next demo builds the whole sample; the killed one's leftover, once old, goes.
    old = time.time() - demo.LEFTOVER_SECONDS - 60
    os.utime(leftover, (old, old))
    again = run_process("--data-dir", str(data), "--json", "demo")
    assert again.code == 0, again.err
    assert not leftover.exists()
    assert not list(data.glob(demo.SCRATCH_PREFIX + "*"))
    status = run_process("--data-dir", str(data), "--json", "status")
    assert '"demo": true' in status.out and '"members": 23' in status.out


pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
