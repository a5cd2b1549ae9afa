"""Kill a writing process with SIGKILL many times and check nothing committed was lost.

Shared by ``tests/safety/test_torture.py`` (a small run in CI) and ``bench/torture.py`` (a
long run). Each round starts ``torture_worker.py`` on the same data folder, kills it at a
random moment (sometimes while it is still opening the folder, mostly while it writes),
then reopens the folder and checks: ``PRAGMA integrity_check`` is ok, every change the
worker logged as committed — in this round and all earlier ones — is in the database, the
journal chain is intact, and every backup file under its final name verifies (a backup
killed half-way must leave only a temporary file).

A SIGKILL stops the process but not the operating system, so this proves the transaction
and file-writing discipline of the program (WAL, commits, temporary names and renames);
it does not simulate a power cut, which also drops the disk's write cache.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text

from ccsdesk.core.services import backup, committee, journal
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Member, Place

WORKER = Path(__file__).resolve().parent / "torture_worker.py"
ROUND_SPAN = 1_000_000


@dataclass
class Summary:
    """Counts of one torture run; ``ok`` when nothing was lost, corrupt or broken."""

    kills: int = 0
    committed: int = 0
    lost: int = 0
    corrupt: int = 0
    broken_journals: int = 0
    bad_backups: int = 0
    worker_errors: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.corrupt or self.broken_journals or self.bad_backups
                    or self.worker_errors)

    def line(self) -> str:
        return (f"{self.kills} kills, {self.lost} lost, {self.corrupt} corrupt, "
                f"{self.broken_journals} broken journals, {self.bad_backups} bad backups "
                f"({self.committed} committed changes checked, {self.seconds:.1f} s)")


@dataclass
class _Promises:
    """What the worker reported as committed, accumulated over all rounds."""

    members: dict[int, str] = field(default_factory=dict)  # id -> last name
    organisations: dict[int, int] = field(default_factory=dict)  # id -> lowest seq expected
    places: dict[int, str] = field(default_factory=dict)
    backups: set[str] = field(default_factory=set)
    count: int = 0


def set_up(data_dir: Path, passphrase: str) -> None:
    """A committee in ``data_dir`` for the worker to write into."""
    folder = DataFolder.open(data_dir)
    try:
        committee.initialize(folder, level="commune", name="CCS de torture",
                             place="Commune IV", passphrase=passphrase)
    finally:
        folder.close()


def _read_log(log: Path, promises: _Promises) -> None:
    """Complete lines only: a line cut by the kill was never a promise."""
    content = log.read_text(encoding="utf-8") if log.exists() else ""
    for line in content.split("\n")[:-1] if not content.endswith("\n") else content.split("\n"):
        parts = line.split()
        if len(parts) != 3:
            continue
        kind, seq, value = parts[0], int(parts[1]), parts[2]
        promises.count += 1
        if kind == "M":
            promises.members[int(value)] = f"T{seq}"
            promises.organisations[int(value)] = max(promises.organisations.get(int(value), 0),
                                                     seq)
        elif kind == "U":
            promises.organisations[int(value)] = max(promises.organisations.get(int(value), 0),
                                                     seq)
        elif kind == "P":
            promises.places[int(value)] = f"Lieu {seq}"
        elif kind == "B":
            promises.backups.add(value)


def _check(data_dir: Path, promises: _Promises, summary: Summary, checked_backups: set[str],
           baseline_entries: int) -> None:
    folder = DataFolder.open(data_dir)
    try:
        with folder.database.engine.connect() as connection:
            result = connection.execute(text("PRAGMA integrity_check")).scalars().all()
        if result != ["ok"]:
            summary.corrupt += 1
            summary.problems.append(f"integrity_check: {result[:3]}")
            return
        with folder.database.reading() as session:
            members = {m.id: (m.last_name, m.organisation)
                       for m in session.scalars(select(Member))}
            place_names = {p.id: p.name for p in session.scalars(select(Place))}
        for member_id, name in promises.members.items():
            if members.get(member_id, ("", ""))[0] != name:
                summary.lost += 1
                summary.problems.append(f"member {member_id} ({name}) missing")
        for member_id, seq in promises.organisations.items():
            organisation = members.get(member_id, ("", "O0"))[1]
            if int(organisation[1:] or 0) < seq:
                summary.lost += 1
                summary.problems.append(f"member {member_id}: {organisation} older than O{seq}")
        for place_id, name in promises.places.items():
            if place_names.get(place_id) != name:
                summary.lost += 1
                summary.problems.append(f"place {place_id} ({name}) missing")
        report = journal.verify(folder.database)
        if not report.intact or report.entries < baseline_entries + promises.count:
            summary.broken_journals += 1
            summary.problems.append(f"journal: {report} for {promises.count} promises")
        finished = {p.name for p in folder.backups_dir.glob("*.ccsbak")}
        for name in sorted(promises.backups - finished):
            summary.lost += 1
            summary.problems.append(f"backup {name} missing")
        # Every file under a final name must be complete, promised or not (killed mid-way).
        for name in sorted(finished - checked_backups):
            try:
                backup.verify(folder.backups_dir / name)
            except Exception as error:  # any refusal of a finished backup is a failure
                summary.bad_backups += 1
                summary.problems.append(f"backup {name}: {error}")
            checked_backups.add(name)
        summary.committed = promises.count
    finally:
        folder.close()


def run(data_dir: Path, work: Path, *, kills: int, seed: int, passphrase: str,
        max_delay: float = 0.2, early_share: float = 0.1,
        progress: Callable[[Summary], None] | None = None) -> Summary:
    """``kills`` rounds of start, random SIGKILL, reopen and check."""
    rng = random.Random(seed)
    started = time.monotonic()
    set_up(data_dir, passphrase)
    folder = DataFolder.open(data_dir)
    baseline = journal.verify(folder.database).entries
    folder.close()
    promises, summary, checked_backups = _Promises(), Summary(), set[str]()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    errors = work / "erreurs-des-processus.txt"
    error_file = errors.open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, str(WORKER), "--server"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=error_file, text=True, bufsize=1, env=env)
    assert server.stdin is not None and server.stdout is not None
    try:
        for round_number in range(1, kills + 1):
            log = work / f"journal-{round_number}.txt"
            server.stdin.write(f"{data_dir}\t{log}\t{round_number * ROUND_SPAN}\t"
                               f"{rng.randrange(2**31)}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            if rng.random() < early_share:
                time.sleep(rng.uniform(0.0, 0.05))  # may hit the opening of the folder
            else:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    if log.exists() and log.read_bytes().startswith(b"R\n"):
                        break
                    time.sleep(0.002)
                time.sleep(rng.uniform(0.0, max_delay))
            os.kill(pid, signal.SIGKILL)
            server.stdin.write(f"wait\t{pid}\n")
            server.stdin.flush()
            if server.stdout.readline().strip() != "done":
                raise RuntimeError("the fork server stopped")
            summary.kills += 1
            _read_log(log, promises)
            _check(data_dir, promises, summary, checked_backups, baseline)
            summary.seconds = time.monotonic() - started
            if progress is not None:
                progress(summary)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        error_file.close()
    reported = errors.read_text(encoding="utf-8")
    if reported.strip():
        summary.worker_errors = reported.count("Traceback")
        summary.problems.append(reported[-3000:])
    summary.seconds = time.monotonic() - started
    return summary
