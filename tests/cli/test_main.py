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
