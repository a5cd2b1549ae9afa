"""Command-line test worlds, set up by the commands themselves (``ccsdesk init``) so that the
tests go through what a secretary or a script types: one commune folder for most tests, the
commune, District and national folders for the exchange by command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult, run_cli_json

# What ``init`` is given for each level's committee, the same names as the exchange tests'.
COMMITTEES = {
    "commune": ("CCS de la Commune IV", "Commune IV"),
    "district": ("CCS du District de Bamako", "Bamako"),
    "national": ("CNSS", "Mali"),
}


def init_commune(cli) -> None:  # type: ignore[no-untyped-def]
    """``ccsdesk init`` of Commune IV's committee in the ``cli`` fixture's data folder."""
    name, place = COMMITTEES["commune"]
    result: CliResult = cli("init", "--level", "commune", "--name", name, "--place", place)
    assert result.code == 0, result.err


@pytest.fixture
def set_up(cli):  # type: ignore[no-untyped-def]
    """The ``cli`` runner on a data folder already set up as Commune IV's committee."""
    init_commune(cli)
    return cli


def init_folders(root: Path, *levels: str) -> tuple[Path, ...]:
    """``ccsdesk init`` of each level's committee in its own folder ``ROOT/LEVEL``."""
    folders = []
    for level in levels:
        name, place = COMMITTEES[level]
        folder = root / level
        run_cli_json(folder, "init", "--level", level, "--name", name, "--place", place)
        folders.append(folder)
    return tuple(folders)
