"""Helpers shared by the benchmark scripts: child processes, timings, cache dropping, tables.

The scripts measure and print; they never assert a speed (a slow machine is not a bug in the
code). Figures go to ``docs/benchmarks.md`` by hand, with the machine they were taken on.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


@dataclass(frozen=True)
class Timing:
    """Seconds of ``runs`` repetitions of one measured thing."""

    name: str
    runs: int
    median: float
    minimum: float
    maximum: float

    def row(self) -> str:
        return (f"{self.name:<58} {self.runs:>4} {self.median * 1000:>9.0f} "
                f"{self.minimum * 1000:>9.0f} {self.maximum * 1000:>9.0f}")


def summarize(name: str, seconds: Sequence[float]) -> Timing:
    return Timing(name, len(seconds), statistics.median(seconds), min(seconds), max(seconds))


def print_table(title: str, timings: Sequence[Timing]) -> None:
    print(f"\n{title}")
    print(f"{'':<58} {'runs':>4} {'median ms':>9} {'min ms':>9} {'max ms':>9}")
    for timing in timings:
        print(timing.row())


def ccsdesk_command() -> list[str]:
    """The console script users run (``.venv/bin/ccsdesk``), else ``python -m ccsdesk``."""
    script = Path(sys.executable).with_name("ccsdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ccsdesk"]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CCSDESK_LANG", "CCSDESK_DATA_DIR", "CCSDESK_DATABASE_URL")}
    env.update(extra)
    return env


def run_checked(args: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of one child process, which must exit 0."""
    start = time.perf_counter()
    completed = subprocess.run(list(args), capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, env=env or child_env())
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({completed.returncode}):\n"
                         f"{completed.stderr}")
    return elapsed


def run_with_cpu(args: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one child process, which must exit 0.

    CPU time barely moves when other programs load the machine, so on a shared machine it
    is the steadier of the two; the wall-clock time is what a person waits.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_checked(args, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def can_drop_caches() -> bool:
    return os.geteuid() == 0 and DROP_CACHES.exists()


def drop_caches() -> None:
    """Empty the kernel's page cache, so the next start reads everything from disk."""
    os.sync()
    DROP_CACHES.write_text("1\n")


def repeat(measure: Callable[[], float], runs: int, *, cold: bool = False,
           before: Callable[[], None] | None = None) -> list[float]:
    """``runs`` measurements; ``cold`` drops the page cache before each one."""
    results = []
    for _run in range(runs):
        if before is not None:
            before()
        if cold:
            drop_caches()
        results.append(measure())
    return results


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "system": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                 time.gmtime())}


def write_json(path: str | None, timings: Sequence[Timing], **extra: object) -> None:
    if path:
        document = {"machine": machine(), "timings": [asdict(t) for t in timings], **extra}
        Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")
