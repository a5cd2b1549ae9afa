"""Where shipped files (places list, catalogs, fonts, forms) live at run time.

Three layouts exist and the same code must find its files in each: a source checkout (the
``resources/`` folder at the repository top), an installed wheel (``ccsdesk/resources``) and
a PyInstaller bundle (``sys._MEIPASS/resources``).
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The folder holding the shipped resources, first match wins."""
    candidates: list[Path] = []
    override = os.environ.get("CCSDESK_RESOURCES")
    if override:
        candidates.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    package = Path(__file__).resolve().parent.parent
    candidates.append(package / "resources")
    candidates.append(package.parent.parent / "resources")
    for candidate in candidates:
        if (candidate / "places").is_dir():
            return candidate
    raise FileNotFoundError("CCS Desk resources not found in " + ", ".join(map(str, candidates)))


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


@cache
def ui_dir() -> Path:
    """The folder with the Qt style sheet and forms; beside the resources in every layout."""
    root = resources_dir().parent
    for candidate in (root / "ui", resources_dir() / "ui"):
        if candidate.is_dir():
            return candidate
    return root / "ui"
