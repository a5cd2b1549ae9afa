"""How long ``send`` holds the database's write lock, beside the whole send.

A commune with N signed sessions (each one recommendation) enrolled under a District; its
archive to the District is sent again and again (nothing is acknowledged, so each send
carries the same N sessions, each packet built and signed again). ``exchange.send`` tells
its ``built`` callback when the archive is ready, just before it takes the write lock: the
time from there to the end is the lock held (the check that nothing changed, the records,
and here a ``write`` into memory). Before this change the whole send ran inside the lock.

Wall and CPU (user + system) seconds of each run, and the load average at the time.

    .venv/bin/python bench/bench_send_lock.py [--sessions 5] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.conftest import PASSPHRASE  # noqa: E402
from tests.core.exchange_helpers import enrol_pair, office, signed_session  # noqa: E402

from ccsdesk.core.services import exchange  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        commune = office(root, "commune", "CCS de la Commune IV", "Commune IV")
        district = office(root, "district", "CCS du District de Bamako", "Bamako")
        enrol_pair(commune, district)
        for i in range(args.sessions):
            signed_session(commune.folder, on=date(2026, 1 + i % 3, 1 + i))
        walls, cpus, locks = [], [], []
        for _run in range(args.runs + 1):  # the first run warms the imports up
            marks: dict[str, float] = {}
            box: list[bytes] = []
            start, times = time.perf_counter(), os.times()
            exchange.send(commune.folder, "parent", PASSPHRASE, box.append,
                          lambda _attempt, marks=marks: marks.setdefault(
                              "built", time.perf_counter()))
            end, after = time.perf_counter(), os.times()
            walls.append(end - start)
            cpus.append(after.user - times.user + after.system - times.system)
            locks.append(end - marks["built"])
        walls, cpus, locks = walls[1:], cpus[1:], locks[1:]
        print(f"{args.sessions} sessions, {len(box[0]) // 1024} KB, {args.runs} runs, "
              f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        print(f"  whole send  wall median {statistics.median(walls):.3f} s "
              f"(min {min(walls):.3f}), CPU median {statistics.median(cpus):.3f} s")
        print(f"  lock held   median {statistics.median(locks) * 1000:.1f} ms "
              f"(max {max(locks) * 1000:.1f})")
        commune.folder.close()
        district.folder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
