"""Time from launch to a shown first screen, frozen bundle against the source checkout.

Why: the issue sets targets on a 2-core machine (from source ≤ 1.5 s, frozen ≤ 2.5 s) and a
frozen program can be slower than the source for reasons invisible in the code (a runtime
hook importing ``pkg_resources``, compressed archives). The window quits as soon as it is
painted when ``CCSDESK_GUI_EXIT_WHEN_SHOWN`` is set, so the process's wall time is the
start-up a secretary waits for. Both first screens are timed: the set-up wizard (empty
folder) and the main window (a committee set up with the frozen CLI).

Usage: ``python installer/startup_time.py [--bundle build/dist/ccsdesk] [--runs 9]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = ".exe" if sys.platform == "win32" else ""
PASSPHRASE = "phrase-secrete-de-mesure"


def _env(data: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CCSDESK_")}
    env.update(QT_QPA_PLATFORM=env.get("QT_QPA_PLATFORM", "offscreen"),
               CCSDESK_GUI_EXIT_WHEN_SHOWN="1", CCSDESK_DATA_DIR=str(data))
    return env


def time_runs(command: list[str], data: Path, runs: int) -> list[float]:
    """Wall times of ``runs`` launches, after one untimed launch that warms the disk cache."""
    times = []
    for index in range(runs + 1):
        started = time.perf_counter()
        completed = subprocess.run(command, env=_env(data), capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if completed.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {completed.stderr[-2000:]}")
        if index:
            times.append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "build" / "dist" / "ccsdesk")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    gui = args.bundle / f"CCS Desk{EXE}"
    cli = args.bundle / f"ccsdesk{EXE}"
    if not gui.is_file():
        raise SystemExit(f"no bundle in {args.bundle}: run installer/build.py first")
    with tempfile.TemporaryDirectory(prefix="ccsdesk-startup-") as work:
        empty, committee = Path(work) / "vide", Path(work) / "comite"
        subprocess.run([str(cli), "--data-dir", str(committee), "init", "--level", "commune",
                        "--name", "CCS de la Commune IV", "--place", "Commune IV"],
                       env={**os.environ, "CCSDESK_PASSPHRASE": PASSPHRASE},
                       check=True, capture_output=True)
        print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
              if hasattr(os, "getloadavg") else f"{os.cpu_count()} CPUs")
        for screen, data in (("main window", committee), ("wizard", empty)):
            for surface, command in (
                ("frozen", [str(gui)]),
                ("source", [sys.executable, "-m", "ccsdesk", "--data-dir", str(data)]),
            ):
                times = time_runs(command, data, args.runs)
                print(f"{screen:12} {surface}: median {statistics.median(times):.2f} s, "
                      f"min {min(times):.2f} s, max {max(times):.2f} s (n={args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
