"""``ccsdesk status`` and ``ccsdesk --version`` end to end, as child processes.

Target (issue 3): a command-line call under 0.3 s on a 2-core machine. Each command runs
``--runs`` times warm (files in the page cache, the usual case) and, when the script runs as
root on Linux, ``--cold-runs`` times after dropping the page cache (the first call after a
reboot). Baselines show what is not ours: the bare interpreter and importing SQLAlchemy.

    .venv/bin/python bench/bench_cli.py [--runs 20] [--cold-runs 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Timing,
    can_drop_caches,
    ccsdesk_command,
    child_env,
    machine,
    print_table,
    repeat,
    run_checked,
    run_with_cpu,
    summarize,
    write_json,
)

# ``ccsdesk status`` without registering the other command groups: what the status path
# itself costs, whatever the other command modules import at load time.
_STATUS_ONLY = (
    "import argparse\n"
    "from ccsdesk.cli import committee_commands\n"
    "from ccsdesk.cli.context import Context\n"
    "parser = argparse.ArgumentParser()\n"
    "parser.add_argument('--data-dir'); parser.add_argument('--json', action='store_true')\n"
    "committee_commands.register(parser.add_subparsers(dest='command'))\n"
    "args = parser.parse_args(['--data-dir', {data!r}, 'status'])\n"
    "args.handler(Context(args), args)\n"
)


_HEAVY = ("sqlalchemy", "alembic", "cryptography", "pyrage", "openpyxl", "babel", "reportlab",
          "pyhanko", "PySide6")
def heavy_imports_at_load() -> dict[str, list[str]]:
    """For each command module, the heavy libraries that merely importing it loads.

    Every ``ccsdesk`` call imports all command modules to build its parser, so one module
    importing a service at load time makes every call, ``--version`` included, pay for it.
    """
    from ccsdesk.cli import main as cli_main

    found: dict[str, list[str]] = {}
    for module in cli_main.COMMAND_MODULES:
        script = (f"import sys\nimport {module.__name__}\n"
                  f"print(' '.join(h for h in {_HEAVY!r} if h in sys.modules))")
        completed = subprocess.run([sys.executable, "-c", script], capture_output=True,
                                   text=True, check=True)
        if completed.stdout.split():
            found[module.__name__] = completed.stdout.split()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    ccsdesk = ccsdesk_command()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="ccsdesk-bench-") as tmp:
        data = str(Path(tmp) / "donnees")
        env = child_env(CCSDESK_PASSPHRASE="demo-ccsdesk")
        run_checked([*ccsdesk, "--data-dir", data, "demo"], env)  # 23 members, demo commune
        cases: list[tuple[str, list[str]]] = [
            ("python -c pass (interpreter alone)", [python, "-c", "pass"]),
            ("python -c 'import sqlalchemy.orm'", [python, "-c", "import sqlalchemy.orm"]),
            ("ccsdesk --version", [*ccsdesk, "--version"]),
            ("ccsdesk status", [*ccsdesk, "--data-dir", data, "status"]),
            ("ccsdesk --json status", [*ccsdesk, "--data-dir", data, "--json", "status"]),
            ("status handler alone (no other command groups)",
             [python, "-c", _STATUS_ONLY.format(data=data)]),
            ("ccsdesk members list (23 members)", [*ccsdesk, "--data-dir", data, "members",
                                                   "list"]),
        ]
        warm: list[Timing] = []
        warm_cpu: list[Timing] = []
        cold: list[Timing] = []
        for name, command in cases:
            run_checked(command, env)  # fill the page cache and the bytecode cache
            cpu: list[float] = []

            def measure(c: list[str] = command, out: list[float] = cpu) -> float:
                wall, used = run_with_cpu(c, env)
                out.append(used)
                return wall

            warm.append(summarize(name, repeat(measure, args.runs)))
            warm_cpu.append(summarize(name, cpu))
            if can_drop_caches() and args.cold_runs:
                cold.append(summarize(name, repeat(lambda c=command: run_checked(c, env),
                                                   args.cold_runs, cold=True)))
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['date']}, "
          f"load average {info['load_average']}")
    print_table("Warm (page cache filled): wall-clock time", warm)
    print_table("Warm: CPU time of the process (user + system)", warm_cpu)
    if cold:
        print_table("Cold (page cache dropped before each run)", cold)
    else:
        print("\nCold runs skipped (--cold-runs 0, or not root on Linux: dropping the page "
              "cache needs root).")
    heavy = heavy_imports_at_load()
    print("\nCommand modules that load heavy libraries when merely imported:")
    for name, libraries in heavy.items():
        print(f"  {name}: {', '.join(libraries)}")
    if not heavy:
        print("  (none)")
    write_json(args.json, warm, cpu=[t.__dict__ for t in warm_cpu],
               cold=[t.__dict__ for t in cold], heavy_at_load=heavy)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
