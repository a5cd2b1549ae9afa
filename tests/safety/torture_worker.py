"""The process the torture test kills: real writes through the services, one per transaction.

Usage: ``python torture_worker.py DATA_DIR LOG_FILE BASE SEED`` runs one writer until it is
killed. After each committed change it appends one line to LOG_FILE (``M seq id``,
``U seq id``, ``P seq id``, ``B seq file``); the line is written only after the commit
returned, so every line is a promise the parent checks after killing this process at a
random moment. ``R`` marks the folder as open.

``python torture_worker.py --server`` is a fork server, so that a round costs a fork rather
than an interpreter start-up (about 0.4 s): it imports everything once, then for each
tab-separated line ``DATA_DIR LOG_FILE BASE SEED`` read on stdin it forks a writer and prints
its pid; for a line ``wait<TAB>PID`` it reaps that (killed) writer and prints ``done``. It
never opens the database itself, so each writer starts with no inherited connection.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from dataclasses import replace
from pathlib import Path

from ccsdesk.core.services import backup, places, roster
from ccsdesk.core.storage.folder import DataFolder


def main(data_dir: str, log_file: str, base: int, seed: int) -> None:
    rng = random.Random(seed)
    log = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def note(line: str) -> None:
        os.write(log, (line + "\n").encode("utf-8"))

    folder = DataFolder.open(Path(data_dir))
    members = [m.id for m in roster.list_members(folder)]
    note("R")
    seq = base
    while True:
        seq += 1
        choice = rng.random()
        if choice < 0.45 or not members:
            member_id = roster.add_member(folder, roster.MemberData(
                last_name=f"T{seq}", first_names="Torture", sex=rng.choice("MF"),
                organisation=f"O{seq}", phone=f"+223 {seq % 100000000:08d}"))
            members.append(member_id)
            note(f"M {seq} {member_id}")
        elif choice < 0.85:
            member_id = rng.choice(members)
            current = roster.get_member(folder, member_id)
            data = roster.MemberData(
                last_name=current.last_name, first_names=current.first_names, sex=current.sex,
                category_id=current.category_id, organisation=current.organisation,
                role=current.role, phone=current.phone, email=current.email,
                mandate_start=current.mandate_start, mandate_end=current.mandate_end,
                active=current.active)
            roster.update_member(folder, member_id, replace(data, organisation=f"O{seq}"))
            note(f"U {seq} {member_id}")
        elif choice < 0.98:
            place_id = places.add(folder, "commune", f"Lieu {seq}", "Ségou")
            note(f"P {seq} {place_id}")
        else:
            path = backup.create(folder)
            note(f"B {seq} {path.name}")


def serve() -> None:
    """Fork one writer per request line; reap it when asked."""
    for line in sys.stdin:
        parts = line.rstrip("\n").split("\t")
        if parts and parts[0] == "wait":
            os.waitpid(int(parts[1]), 0)
            print("done", flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            try:
                os.close(0)
                main(parts[0], parts[1], int(parts[2]), int(parts[3]))
            except BaseException:  # shown to the harness through stderr
                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(1)
        print(pid, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--server"]:
        serve()
    else:
        main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
