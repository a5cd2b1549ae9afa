"""``journal verify``: walk the hash chain of changes and name the first broken link;
``journal list``: the latest entries; ``journal received``: the journals of the committees
below, as their archives brought them, each chain walked again.

The service is imported inside the handler so that other commands do not pay for it.
"""

from __future__ import annotations

import argparse
import json

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _, ngettext


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("journal", help=_("the journal of changes"))
    commands = group.add_subparsers(dest="journal_command", required=True)
    verify = commands.add_parser("verify", help=_("check that the journal is intact"))
    verify.set_defaults(handler=run_verify)
    listing = commands.add_parser("list", help=_("the latest entries, newest first"))
    listing.add_argument("--limit", type=int, default=50,
                         help=_("how many entries (default 50)"))
    listing.add_argument("--search", default="", help=_("only entries containing these words"))
    listing.set_defaults(handler=run_list)
    received = commands.add_parser("received",
                                   help=_("the journals received from the committees below"))
    received.set_defaults(handler=run_received)


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


def run_list(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.errors import InputError
    from ccsdesk.core.formats import moment
    from ccsdesk.core.services import journal

    if args.limit < 1:
        raise InputError(_("--limit must be a whole number of at least 1; « {value} » is "
                           "not.").format(value=args.limit))
    database = context.folder().database
    rows = journal.page(database, 0, args.limit, args.search)
    total = journal.count(database, args.search)
    data = {"total": total, "entries": [
        {"id": r.id, "at": r.at.isoformat(timespec="seconds"), "actor": r.actor,
         "action": r.action, "label": journal.action_label(r.action), "subject": r.subject,
         "details": _details(r.details)}
        for r in rows]}
    lines = [f"{r.id:>6}  {moment(r.at)}  {r.actor}  {journal.action_label(r.action)}  "
             f"{r.subject}" for r in rows]
    lines.append(ngettext("{shown} of {total} entry shown.", "{shown} of {total} entries shown.",
                          len(rows)).format(shown=len(rows), total=total))
    context.emit(data, "\n".join(lines))
    return 0


def run_received(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import journal

    items = journal.received_journals(context.folder().database)
    data = {"journals": [{"uid": j.origin_uid, "name": j.origin_name, "entries": j.entries,
                          "intact": j.report.intact, "broken_at": j.report.broken_at}
                         for j in items]}
    lines = [ngettext("Journal of « {name} »: {count} entry received, {state}.",
                      "Journal of « {name} »: {count} entries received, {state}.",
                      j.entries).format(
        name=j.origin_name, count=j.entries,
        state=_("intact") if j.report.intact else _("broken at entry {id}").format(
            id=j.report.broken_at)) for j in items]
    context.emit(data, "\n".join(lines) or _("No journal was received from another "
                                              "committee."))
    return 0


def _details(text: str) -> object:
    """The details as JSON data; the raw text if it no longer parses (a tampered entry)."""
    try:
        return json.loads(text)
    except ValueError:
        return text
