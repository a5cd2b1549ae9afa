"""Entry script of the frozen bundle: one script, two executables.

Why one script: the bundle holds a windowed ``CCS Desk`` and a console ``ccsdesk`` that share
the same files. Building them from one analysis halves the build time and guarantees both
see the same modules; the executable's own name says which surface to run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

GUI_NAME = "ccs desk"


def _is_gui() -> bool:
    return Path(sys.executable).stem.casefold() == GUI_NAME


def main() -> int:
    if _is_gui():
        # A windowed Windows program has no console: sys.stdout/stderr are None, and any
        # library writing a warning there would crash the window.
        for name in ("stdout", "stderr"):
            if getattr(sys, name) is None:
                setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        from ccsdesk.gui.app import main as gui_main

        return gui_main()
    from ccsdesk.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
