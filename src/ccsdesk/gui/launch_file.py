"""An exchange archive given on the command line: « CCS Desk.exe » "%1" from a double-click.

The Windows installer registers ``.ccsa`` files (``ccsdesk.core.exchange.ARCHIVE_SUFFIX``,
the name the program gives the archives it writes) to open with the program. Light on
purpose: ``ccsdesk`` calls this before deciding whether to open the window at all, and
``ccsdesk status`` must stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ccsdesk.core.exchange import ARCHIVE_SUFFIX


def is_archive_path(path: Path) -> bool:
    return path.suffix.lower() == ARCHIVE_SUFFIX


def archive_argument(argv: Sequence[str]) -> Path | None:
    """The existing archive file among the program's arguments, if there is one."""
    for argument in argv:
        if argument.startswith("-"):
            continue
        path = Path(argument)
        if is_archive_path(path) and path.is_file():
            return path
    return None


def window_request(argv: Sequence[str]) -> tuple[str | None, Path] | None:
    """``ccsdesk [--data-dir DIR] FILE.ccsa``: (data folder, archive) to open the window
    with, or None when the arguments are a command (``ccsdesk receive FILE`` included)."""
    if not argv:
        return None
    given = archive_argument(argv[-1:])
    if given is None:
        return None
    rest = list(argv[:-1])
    if not rest:
        return None, given
    if len(rest) == 2 and rest[0] == "--data-dir":
        return rest[1], given
    if len(rest) == 1 and rest[0].startswith("--data-dir="):
        return rest[0].split("=", 1)[1], given
    return None
