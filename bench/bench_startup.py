"""Start-up to a shown window: process start until the first window is shown and painted.

Target (issue 3): the window under 1.5 s on a 2-core machine. The child process is the real
entry point (``ccsdesk.cli.main.main`` with no command, as the ``ccsdesk`` script runs it)
under ``QT_QPA_PLATFORM=offscreen``. A small harness wraps ``make_application`` to watch the
application's events: it prints the wall-clock time of the first top-level window's *Show*
event and of its first *Paint*, then quits. The parent took the time just before starting
the child, so the figures include the interpreter's own start.

Three cases: a set-up committee (the demo commune, 23 members: the main window), an existing
data folder without a committee (the first-run wizard), and the very first start on a folder
that does not exist yet (created, migrated and seeded, then the wizard).

    .venv/bin/python bench/bench_startup.py [--runs 10] [--cold-runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    can_drop_caches,
    ccsdesk_command,
    child_env,
    machine,
    print_table,
    repeat,
    run_checked,
    summarize,
    write_json,
)

_HARNESS = r"""
import faulthandler, sys, time
faulthandler.dump_traceback_later(60, exit=True)  # a hung start says where it hangs
from ccsdesk.gui import app as app_module

_make = app_module.make_application
seen = {}

def make_application(*args, **kwargs):
    from PySide6.QtCore import QEvent, QObject, QTimer

    application = _make(*args, **kwargs)

    class Watch(QObject):
        def eventFilter(self, obj, event):
            kind = event.type()
            if kind in (QEvent.Type.Show, QEvent.Type.Paint) and obj.isWidgetType() \
                    and obj.isWindow() and obj.objectName() != "ccs-bench-ignore":
                key = "show" if kind == QEvent.Type.Show else "paint"
                if key not in seen:
                    seen[key] = time.time()
                    print(f"{key} {seen[key]:.6f} {time.process_time():.6f} "
                          f"{type(obj).__name__}", flush=True)
                    if key == "paint":
                        QTimer.singleShot(0, application.quit)
            return False

    application._ccs_bench_watch = Watch(application)
    application.installEventFilter(application._ccs_bench_watch)
    QTimer.singleShot(30000, application.quit)  # never hang the benchmark
    return application

app_module.make_application = make_application
from ccsdesk.cli.main import main
code = main(["--data-dir", sys.argv[1]])
sys.exit(0 if "paint" in seen else 3)
"""


def start_once(data_dir: str) -> tuple[float, float, float, float, float, str]:
    """Seconds from process start to show, to first paint, to exit; the CPU seconds the
    process had used when the window was shown and when it ended (user + system: steady on
    a busy machine); and the window's class."""
    env = child_env(QT_QPA_PLATFORM="offscreen")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    completed = subprocess.run([sys.executable, "-c", _HARNESS, data_dir], capture_output=True,
                               text=True, stdin=subprocess.DEVNULL, env=env, timeout=90)
    ended = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode != 0:
        raise SystemExit(f"the window did not show ({completed.returncode}):\n"
                         f"{completed.stdout}\n{completed.stderr}")
    marks = {}
    cpu_marks = {}
    window = ""
    for line in completed.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in ("show", "paint"):
            marks[parts[0]] = float(parts[1])
            cpu_marks[parts[0]] = float(parts[2])
            window = window or parts[3]
    return (marks["show"] - start, marks["paint"] - start, ended - start, cpu_marks["show"],
            cpu, window)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    timings = []
    cold_timings = []
    with tempfile.TemporaryDirectory(prefix="ccsdesk-bench-") as tmp:
        demo_dir = str(Path(tmp) / "demo")
        run_checked([*ccsdesk_command(), "--data-dir", demo_dir, "demo"],
                    child_env(CCSDESK_PASSPHRASE="demo-ccsdesk"))
        empty_dir = str(Path(tmp) / "vide")
        fresh = iter(range(10**6))
        for label, data_dir in (("main window, demo commune", demo_dir),
                                ("wizard, folder without committee", empty_dir),
                                ("wizard, very first start (new folder)", "")):
            new_folder = not data_dir

            def folder_for_run(d: str = data_dir, new: bool = new_folder) -> str:
                return str(Path(tmp) / f"neuf-{next(fresh)}") if new else d

            window = start_once(folder_for_run())[5]  # warms the caches; names the window
            for cold, runs, target in ((False, args.runs, timings),
                                       (True, args.cold_runs, cold_timings)):
                if cold and not (can_drop_caches() and runs):
                    continue
                results: list[tuple[float, float, float, float, float]] = []

                def measure(out: list = results, where=folder_for_run) -> float:  # type: ignore[no-untyped-def,type-arg]
                    show, paint, ended, cpu_shown, cpu, _window = start_once(where())
                    out.append((show, paint, ended, cpu_shown, cpu))
                    return show

                repeat(measure, runs, cold=cold)
                target.append(summarize(f"{label} ({window}): shown", [r[0] for r in results]))
                target.append(summarize(f"{label}: painted", [r[1] for r in results]))
                target.append(summarize(f"{label}: process ended", [r[2] for r in results]))
                target.append(summarize(f"{label}: CPU used until shown",
                                        [r[3] for r in results]))
                target.append(summarize(f"{label}: CPU used until exit",
                                        [r[4] for r in results]))
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['date']}, "
          f"load average {info['load_average']}")
    print_table("Warm (page cache filled)", timings)
    if cold_timings:
        print_table("Cold (page cache dropped before each run)", cold_timings)
    else:
        print("\nCold runs skipped (--cold-runs 0, or not root on Linux: dropping the page "
              "cache needs root).")
    write_json(args.json, timings, cold=[t.__dict__ for t in cold_timings])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
