"""``verify FILE``: who signed a PDF, when, whether it is intact and whether we know the signer.

A District clerk receives packets by USB stick, e-mail or WhatsApp; this is how they check one
before filing it. A signed PDF that is not intact exits 1 (so scripts can rely on the status)
after saying who signed it and what is wrong. An exchange archive (age format) is decrypted
with this committee's key and checked — signature, every hash, sender — without importing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ccsdesk.cli.context import Context
from ccsdesk.core import formats
from ccsdesk.core.exchange import signer_text
from ccsdesk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    verify = subparsers.add_parser(
        "verify", help=_("check a signed PDF: who signed it, when, and whether it is intact"))
    verify.add_argument("file", metavar="FILE", type=Path)
    verify.set_defaults(handler=run_verify)


def _is_archive(path: Path) -> bool:
    """Whether ``path`` starts as an exchange archive does (an age file): those are read by
    blocks, never whole; anything else is taken for a PDF, whose errors say the rest."""
    from ccsdesk.core.exchange import archive

    try:
        with path.open("rb") as handle:
            return handle.read(len(archive.AGE_MAGIC)) == archive.AGE_MAGIC
    except OSError:
        return False


def run_verify(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import signing

    folder = context.folder()
    if _is_archive(args.file):
        from ccsdesk.cli import exchange_commands

        return exchange_commands.verify_archive(context, args.file)
    result = signing.verify_pdf(folder, signing._read_source(args.file))
    document = result.document
    data: dict[str, Any] = {
        "file": str(args.file),
        "signed": result.signed,
        "intact": result.intact,
        "signer": result.signer or None,
        "committee": result.committee or None,
        "organisation": result.organisation or None,
        "subject": result.subject or None,
        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
        "known_signer": result.known_signer,
        "relation": result.relation,
        "fingerprint": result.fingerprint or None,
        "certified_by": result.certified_by or None,
        "signatures": result.signatures,
        "problems": result.problems,
        "document": None if document is None else {
            "id": document.id, "kind": document.kind, "content_hash": document.content_hash,
            "reference": document.reference,
        },
    }
    lines: list[str] = []
    if result.signed and result.intact:
        lines.append(_("Valid signature: the document is intact."))
    if result.signer:
        signer = result.signer
        if result.organisation:
            signer = f"{signer} ({result.organisation})"
        lines.append(_("Signed by: {signer}").format(signer=signer))
        lines.append(_("Signed on: {when}").format(when=formats.moment(result.signed_at)))
        lines.append(signer_text.known_signer(result))
    if document is not None:
        lines.append(_("Document: {reference} (id {id})").format(
            reference=document.reference, id=document.id))
    context.emit(data, "\n".join(lines))
    if not result.signed:
        sys.stderr.write("ccsdesk: " + _("This PDF carries no signature.") + "\n")
        return 1
    if not result.intact:
        sys.stderr.write("ccsdesk: " + _("The document is NOT intact: {problem}").format(
            problem=result.problems[0] if result.problems else "") + "\n")
        return 1
    return 0
