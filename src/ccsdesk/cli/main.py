"""Entry point of ``ccsdesk``: no command opens the window, a command runs headless.

Only the standard library and the command's own modules are imported here so that a call
such as ``ccsdesk status`` stays fast; Qt is imported only when the window is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ccsdesk import __version__
from ccsdesk.cli import (
    agenda_commands,
    attendance_commands,
    backup_commands,
    committee_commands,
    demo_commands,
    documents_commands,
    exchange_commands,
    journal_commands,
    mail_commands,
    meetings_commands,
    members_commands,
    minutes_commands,
    passphrase_commands,
    places_commands,
    recommendations_commands,
    verify_commands,
)
from ccsdesk.cli.context import Context
from ccsdesk.core import i18n
from ccsdesk.core.errors import CcsError
from ccsdesk.core.exchange import ARCHIVE_SUFFIX
from ccsdesk.core.i18n import _

# One module per command group; each has ``register(subparsers)``. Keep one per line.
COMMAND_MODULES = (
    committee_commands,
    backup_commands,
    places_commands,
    members_commands,
    journal_commands,
    demo_commands,
    meetings_commands,
    agenda_commands,
    attendance_commands,
    minutes_commands,
    recommendations_commands,
    verify_commands,
    documents_commands,
    exchange_commands,
    passphrase_commands,
    mail_commands,
)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one line, as ``cli.md`` requires."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"ccsdesk: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ccsdesk", description=_("CCS Desk — secretariat of a CCS."))
    parser.add_argument("--version", action="version", version=f"ccsdesk {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=_("the committee's data folder"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    subparsers = parser.add_subparsers(dest="command", parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # In the bundle, the packet's signing helper (``signing_worker.py``, spawned on
        # Windows) starts as this executable: this runs it and exits instead of the CLI.
        import multiprocessing

        multiprocessing.freeze_support()
    if os.environ.get("CCSDESK_LANG"):
        i18n.set_language(os.environ["CCSDESK_LANG"])
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[-1].lower().endswith(ARCHIVE_SUFFIX):
        # « ccsdesk FILE.ccsa » (a double-click on an archive): the window, importing it.
        from ccsdesk.gui.launch_file import window_request

        request = window_request(arguments)
        if request is not None:
            from ccsdesk.gui.app import main as gui_main

            return gui_main(data_dir=request[0], open_file=request[1])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from ccsdesk.gui.app import main as gui_main

        return gui_main(data_dir=args.data_dir)
    if not hasattr(args, "handler"):
        parser.parse_args([*(argv or sys.argv[1:]), "--help"])
    context = Context(args)
    try:
        return int(args.handler(context, args) or 0)
    except CcsError as error:
        sys.stderr.write(f"ccsdesk: {error.message}\n")
        for line in error.details:
            sys.stderr.write(f"  {line}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("ccsdesk: " + _("interrupted.") + "\n")
        return 1
    except BrokenPipeError:
        # The reader went away (``ccsdesk … | head``): not an error of ours. Point stdout at
        # the null device so the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        context.close()


if __name__ == "__main__":
    sys.exit(main())
