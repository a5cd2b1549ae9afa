"""Where a committee's data folder is.

Order: ``--data-dir`` (or ``CCSDESK_DATA_DIR``), then portable mode (a marker file beside the
program makes it keep its data beside itself, for running from a USB stick), then the
platform's per-user data folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "CCS Desk"
PORTABLE_MARKER = "ccsdesk-portable.txt"
PORTABLE_DATA = "donnees-ccsdesk"


def program_dir() -> Path:
    """The folder of the running program (the bundle's folder when frozen)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(sys.argv[0]).resolve().parent if sys.argv and sys.argv[0] else Path.cwd()


def portable_data_dir(base: Path | None = None) -> Path | None:
    """The portable data folder when the marker file is present, else ``None``."""
    base = base or program_dir()
    if (base / PORTABLE_MARKER).is_file():
        return base / PORTABLE_DATA
    return None


def user_data_dir() -> Path:
    """The platform's per-user data folder for CCS Desk."""
    if sys.platform == "win32":
        root = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
        return Path(root or Path.home() / "AppData" / "Local") / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    root = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(root) / "ccsdesk"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """The data folder to use and whether it is the portable one."""
    if explicit:
        return Path(explicit).expanduser().resolve(), False
    env = os.environ.get("CCSDESK_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve(), False
    portable = portable_data_dir()
    if portable is not None:
        return portable, True
    return user_data_dir(), False
