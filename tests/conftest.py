"""Shared fixtures: real data folders on disk, the CLI run in-process or as a real process,
and the exchange worlds (a commune and its District, three levels, a decision from above).

Tests run in French (the product's default) with Qt offscreen; the passphrase comes from the
environment exactly as scripts give it to the command line.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CCSDESK_LANG", None)
os.environ.pop("CCSDESK_DATA_DIR", None)
os.environ.pop("CCSDESK_DATABASE_URL", None)

from ccsdesk.cli.main import main as cli_main
from ccsdesk.core import i18n
from ccsdesk.core.services import committee
from ccsdesk.core.storage.folder import DataFolder

if TYPE_CHECKING:
    from tests.core.decider_data import DecidedAbove
    from tests.core.exchange_helpers import Office

PASSPHRASE = "phrase-secrete-de-test"
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(autouse=True)
def _french_and_passphrase(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CCSDESK_PASSPHRASE", PASSPHRASE)
    i18n.set_language("fr")
    yield
    i18n.set_language("fr")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "donnees"


@pytest.fixture
def folder(data_dir: Path) -> Iterator[DataFolder]:
    opened = DataFolder.open(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def commune(folder: DataFolder) -> DataFolder:
    """A data folder set up as the CCS of Commune IV of Bamako."""
    committee.initialize(
        folder, level="commune", name="CCS de la Commune IV", place="Commune IV",
        chair_title="Maire", passphrase=PASSPHRASE,
    )
    return folder


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)


def run_cli(data_dir: Path, *args: str) -> CliResult:
    """Run ``ccsdesk --data-dir DATA ARGS`` in-process and capture what it prints; tests that
    drive several data folders call it with each folder in turn."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli_main(["--data-dir", str(data_dir), *args])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


def run_cli_json(data_dir: Path, *args: str) -> dict:
    """``run_cli`` with ``--json`` for a command that must succeed: its JSON document."""
    result = run_cli(data_dir, "--json", *args)
    assert result.code == 0, result.err
    return result.json


@pytest.fixture
def cli(data_dir: Path):
    """Run ``ccsdesk --data-dir DATA ARGS`` in-process and capture what it prints."""

    def run(*args: str) -> CliResult:
        return run_cli(data_dir, *args)

    return run


# The exchange worlds: real folders with real keys, built by tests/core/exchange_helpers.py
# (imported when a test asks for one: that module imports this one for PASSPHRASE).


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Office, Office]]:
    """Commune IV and the District of Bamako, enrolled both ways."""
    from tests.core.exchange_helpers import close, commune_and_district

    offices = commune_and_district(tmp_path)
    yield offices
    close(*offices)


@pytest.fixture
def hierarchy(tmp_path: Path) -> Iterator[tuple[Office, Office, Office]]:
    """Commune IV, the District of Bamako and the national level, each enrolled with the
    next."""
    from tests.core.exchange_helpers import close, three_levels

    offices = three_levels(tmp_path)
    yield offices
    close(*offices)


@pytest.fixture
def above(tmp_path: Path) -> Iterator[DecidedAbove]:
    """Commune IV's recommendation accepted at the District, known to both
    (``tests/core/decider_data.py``)."""
    from tests.core.decider_data import decided_above

    made = decided_above(tmp_path)
    yield made
    made.close()


def run_process(*args: str, env: dict[str, str] | None = None,
                timeout: float = 120) -> CliResult:
    """The real ``ccsdesk`` entry point in a child process (no terminal on stdin)."""
    completed = subprocess.run(
        [sys.executable, "-m", "ccsdesk", *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def small_filesystem(mount_point: Path, size: str) -> Iterator[Path]:
    """A real ``size`` tmpfs at ``mount_point``, for a fixture to ``yield from``: a nearly
    full disk or USB stick that the kernel itself refuses to write past (needs root; the
    test is skipped elsewhere)."""
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                           str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def screenshot(widget, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save what a person would see of ``widget`` as ``build/screenshots/NAME.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


def open_files_under(*places: Path) -> list[str]:
    """The files under ``places`` this process holds open (Linux), sorted: only those, since
    other tests' threads may open and close their own files meanwhile."""
    held = []
    for descriptor in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:  # closed meanwhile
            continue
        if any(target.startswith(str(place)) for place in places):
            held.append(target)
    return sorted(held)
