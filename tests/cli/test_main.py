"""The entry point builds its parser for every call, so it must stay light: each command's
services (and the storage, spreadsheet, PDF and crypto libraries behind them) load only when
that command runs. This is what keeps ``ccsdesk status`` under its 0.3 s budget."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "openpyxl", "reportlab", "pyhanko", "cryptography",
         "pyrage", "babel", "PySide6")


def test_building_the_parser_loads_no_heavy_library() -> None:
    code = ("import sys; from ccsdesk.cli.main import build_parser; build_parser(); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_a_reader_that_stops_early_is_not_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``ccsdesk --json places list | head -1`` in a district's script (here the reader
    leaves before reading anything)."""
    command = (f"{sys.executable} -m ccsdesk --data-dir {tmp_path / 'd'} --json places list "
               "| true; echo ${PIPESTATUS[0]}")
    completed = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                               timeout=60)
    assert completed.stdout.strip() == "0"
    assert "Traceback" not in completed.stderr and "BrokenPipe" not in completed.stderr
