"""``journal verify``: walk the hash chain of changes and name the first broken link.

The service is imported inside the handler so that other commands do not pay for it.
"""

from __future__ import annotations

import argparse

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("journal", help=_("the journal of changes"))
    commands = group.add_subparsers(dest="journal_command", required=True)
    verify = commands.add_parser("verify", help=_("check that the journal is intact"))
    verify.set_defaults(handler=run_verify)


def run_verify(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import journal

    report = journal.verify(context.folder().database)
    data = {"entries": report.entries, "intact": report.intact, "broken_at": report.broken_at,
            "reason": report.reason}
    if not report.intact:
        if context.json:
            context.emit(data, "")
        raise CcsError(
            _("The journal is broken at entry {id}: {reason}. {count} entries before it "
              "are intact.").format(
                id=report.broken_at,
                reason=_("its link to the previous entry does not match")
                if report.reason == "previous-hash"
                else _("its content was changed after it was written"),
                count=report.entries,
            )
        )
    context.emit(data, _("The journal is intact ({count} entries).").format(count=report.entries))
    return 0
