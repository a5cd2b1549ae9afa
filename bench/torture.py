"""The long crash torture run: many SIGKILLs of a writing process, figures for the docs.

    .venv/bin/python bench/torture.py --kills 2000 [--seed N] [--max-delay 0.2] [--keep DIR]

Same harness as ``tests/safety/test_torture.py`` (see ``tests/safety/torture_harness.py``),
with many more rounds; it prints a progress line every 100 kills and the summary line that
``docs/reliability.md`` records. Exit status 1 if anything was lost, corrupt or broken.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.safety import torture_harness  # noqa: E402

PASSPHRASE = "phrase-du-banc-de-torture"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=0.2,
                        help="longest wait (s) between the worker being ready and the kill")
    parser.add_argument("--keep", metavar="DIR", help="run in DIR and keep it afterwards")
    args = parser.parse_args()

    def progress(summary: torture_harness.Summary) -> None:
        if summary.kills % 100 == 0:
            print(f"  {summary.line()}", flush=True)

    with tempfile.TemporaryDirectory(prefix="ccsdesk-torture-") as scratch:
        base = Path(args.keep) if args.keep else Path(scratch)
        base.mkdir(parents=True, exist_ok=True)
        logs = base / "journaux"
        logs.mkdir(exist_ok=True)
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python "
              f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
              f"{platform.system()} {platform.release()}, seed {args.seed}")
        summary = torture_harness.run(base / "donnees", logs, kills=args.kills,
                                      seed=args.seed, passphrase=PASSPHRASE,
                                      max_delay=args.max_delay, progress=progress)
    print("torture: " + summary.line())
    for problem in summary.problems[:20]:
        print("  " + problem)
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
