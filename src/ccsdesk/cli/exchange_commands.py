"""``identity``, ``committees list``, ``send`` and ``receive``: exchange on the command line.

Enrolment is where a wrong file would do lasting harm, so ``identity enrol`` always prints
the fingerprint, refuses a mismatch with ``--fingerprint``, asks on a terminal without it,
and — without a terminal and without ``--fingerprint`` — refuses, saying what is missing
(``cli.md``: a command never waits for input it cannot get).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ccsdesk.cli.context import Context
from ccsdesk.core import formats
from ccsdesk.core.errors import InputError, NotFoundError, StateError, StorageError
from ccsdesk.core.i18n import _, ngettext

AGE_KEY_PASSPHRASE_ENV = "CCSDESK_AGE_KEY_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:
    ident = subparsers.add_parser("identity", help=_("this committee's identity file; "
                                                     "enrol another committee"))
    commands = ident.add_subparsers(dest="identity_command", required=True)
    export = commands.add_parser("export", help=_("write this committee's identity file"))
    export.add_argument("file", metavar="FILE", type=Path)
    export.set_defaults(handler=run_export)
    enrol = commands.add_parser("enrol", help=_("accept another committee's identity file"))
    enrol.add_argument("file", metavar="FILE", type=Path)
    enrol.add_argument("--as", dest="relation", required=True, choices=["parent", "child"])
    enrol.add_argument("--fingerprint", metavar="FP",
                       help=_("the fingerprint read out by the other committee"))
    enrol.set_defaults(handler=run_enrol)
    age_key = commands.add_parser(
        "export-age-key",
        help=_("write the age decryption key, protected by a passphrase, for the age tool"))
    age_key.add_argument("file", metavar="FILE", type=Path)
    age_key.set_defaults(handler=run_export_age_key)

    committees = subparsers.add_parser("committees", help=_("the parent and the children"))
    committee_commands = committees.add_subparsers(dest="committees_command", required=True)
    listing = committee_commands.add_parser(
        "list", help=_("enrolled committees with what was last sent and received"))
    listing.set_defaults(handler=run_list)

    send = subparsers.add_parser("send", help=_("write the archive due to a committee"))
    send.add_argument("--to", required=True, metavar="{parent,CHILD}",
                      help=_("« parent » or a child's id from « committees list »"))
    send.add_argument("--out", metavar="FILE", type=Path,
                      help=_("write the archive to this file (needed unless --mail)"))
    send.add_argument("--mail", action="store_true",
                      help=_("send the archive by e-mail (SMTP, see « ccsdesk mail show »)"))
    send.add_argument("--email-draft", metavar="EML", type=Path,
                      help=_("also write an e-mail draft (.eml) with the archive attached"))
    send.set_defaults(handler=run_send)

    receive = subparsers.add_parser("receive", help=_("verify and import an archive"))
    receive.add_argument("file", metavar="FILE", type=Path)
    receive.set_defaults(handler=run_receive)


def read_file(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes; a file over ``limit`` is refused before it is read into memory."""
    try:
        if limit is not None and path.stat().st_size > limit:
            from ccsdesk.core.exchange import archive

            raise InputError(_("This archive is too large: more than {size} MB.").format(
                size=archive.MAX_ARCHIVE // (1024 * 1024)))
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(_("The file {file} does not exist.").format(file=path)) from None
    except OSError as error:
        raise InputError(_("The file {file} cannot be read: {reason}.").format(
            file=path, reason=error.strerror or error)) from None


def check_archive_file(path: Path) -> None:
    """Refuse a missing, unreadable or too large archive before the passphrase is asked or
    used; the archive itself is then read by blocks, never whole (``archive.open_sealed``)."""
    from ccsdesk.core.exchange import archive

    try:
        with path.open("rb") as handle:  # a folder, or a file we may not read, fails here
            size = os.fstat(handle.fileno()).st_size
            handle.read(1)
    except FileNotFoundError:
        raise NotFoundError(_("The file {file} does not exist.").format(file=path)) from None
    except OSError as error:
        raise InputError(_("The file {file} cannot be read: {reason}.").format(
            file=path, reason=error.strerror or error)) from None
    if size > archive.MAX_ARCHIVE:
        raise InputError(_("This archive is too large: more than {size} MB.").format(
            size=archive.MAX_ARCHIVE // (1024 * 1024)))


def run_export(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import transport
    from ccsdesk.core.services import exchange

    folder = context.folder()
    data = exchange.export_identity(folder, context.passphrase())
    transport.write_verified(args.file, data)
    own = exchange.own_identity(folder)
    context.emit({"file": str(args.file), "id": own.uid, "name": own.name,
                  "fingerprint": own.fingerprint},
                 _("Identity file written: {file}\nFingerprint to read out by phone: "
                   "{fingerprint}").format(file=args.file, fingerprint=own.fingerprint))
    return 0


def _confirm(fingerprint: str) -> None:
    sys.stdout.write(_("Fingerprint of this identity file: {fingerprint}\n").format(
        fingerprint=fingerprint))
    sys.stdout.write(_("Is it the one the other committee read to you on the phone? "
                       "[o/N] "))
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("o", "oui", "y", "yes"):
        raise StateError(_("Enrolment cancelled: the fingerprint was not confirmed; nothing "
                           "changed."))


def run_enrol(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import identity
    from ccsdesk.core.services import exchange

    folder = context.folder()
    found = identity.parse(read_file(args.file))
    if args.fingerprint is not None:
        if identity.normalise_fingerprint(args.fingerprint) != \
                identity.normalise_fingerprint(found.fingerprint):
            raise InputError(_("The fingerprint differs: the file says {actual}, you gave "
                               "{given}. Do not enrol this file; nothing changed.").format(
                                   actual=found.fingerprint, given=args.fingerprint))
    elif not sys.stdin.isatty():
        raise InputError(_("The fingerprint was not checked: give it with --fingerprint "
                           "(as the other committee reads it out), or run this on a terminal "
                           "to confirm it. Fingerprint of the file: {fingerprint}.").format(
                               fingerprint=found.fingerprint))
    else:
        _confirm(found.fingerprint)
    passphrase = context.passphrase() if args.relation == "child" else None
    info = exchange.enrol(folder, found, args.relation, passphrase)
    relation = _("parent") if args.relation == "parent" else _("child")
    lines = [_("Enrolled as {relation}: {name} ({place}).").format(
        relation=relation, name=info.name, place=info.place or "—"),
        _("Fingerprint: {fingerprint}").format(fingerprint=info.fingerprint)]
    if args.relation == "child":
        lines.append(_("A certificate was issued to it; it travels in the next archive sent "
                       "to it (ccsdesk send --to {id}).").format(id=info.id))
    context.emit({"id": info.id, "uid": info.uid, "relation": info.relation,
                  "name": info.name, "level": info.level, "place": info.place,
                  "fingerprint": info.fingerprint}, "\n".join(lines))
    return 0


def run_export_age_key(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import transport
    from ccsdesk.core.services import exchange

    folder = context.folder()
    passphrase = context.passphrase()
    file_passphrase = os.environ.get(AGE_KEY_PASSPHRASE_ENV)
    if file_passphrase is None:
        if not sys.stdin.isatty():
            raise InputError(_("A passphrase for the key file is needed: set the environment "
                               "variable {name}.").format(name=AGE_KEY_PASSPHRASE_ENV))
        import getpass

        file_passphrase = getpass.getpass(_("Passphrase for the key file: "))
        if getpass.getpass(_("Passphrase again: ")) != file_passphrase:
            raise InputError(_("The two passphrases differ; nothing changed."))
    data = exchange.export_age_identity(folder, passphrase, file_passphrase)
    transport.write_verified(args.file, data)
    context.emit({"file": str(args.file)},
                 _("Age key written to {file}, protected by its own passphrase. To open an "
                   "archive with the age tool: age -d {file} > cle.txt, then age -d -i cle.txt "
                   "ARCHIVE > contenu.zip; delete cle.txt afterwards.").format(file=args.file))
    return 0


def run_list(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import exchange

    rows = exchange.list_committees(context.folder())
    items = []
    lines = []
    for row in rows:
        items.append({
            "id": row.id, "uid": row.uid, "relation": row.relation, "level": row.level,
            "name": row.name, "place": row.place, "fingerprint": row.fingerprint,
            "last_sent": None if row.last_sent is None else {
                "sequence": row.last_sent[0], "at": row.last_sent[1].isoformat()},
            "last_received": None if row.last_received is None else {
                "sequence": row.last_received[0], "at": row.last_received[1].isoformat()},
            "unacknowledged": list(row.unacknowledged),
        })
        relation = _("parent") if row.relation == "parent" else _("child")
        lines.append(f"{row.id:>4}  {relation:<8} {row.name} — {row.place or '—'}")
        lines.append("      " + _("Fingerprint: {fingerprint}").format(
            fingerprint=row.fingerprint))
        sent = _("nothing yet") if row.last_sent is None else _(
            "no. {sequence}, {when}").format(sequence=row.last_sent[0],
                                            when=formats.moment(row.last_sent[1]))
        got = _("nothing yet") if row.last_received is None else _(
            "no. {sequence}, {when}").format(sequence=row.last_received[0],
                                            when=formats.moment(row.last_received[1]))
        lines.append("      " + _("Last sent: {sent} · last received: {got}").format(
            sent=sent, got=got))
        if row.unacknowledged:
            lines.append("      " + _("Sent, not acknowledged yet: {items}").format(
                items="; ".join(row.unacknowledged)))
    if not rows:
        lines.append(_("No committee is enrolled yet (ccsdesk identity enrol FILE --as "
                       "parent|child)."))
    context.emit({"committees": items}, "\n".join(lines))
    return 0


def run_send(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import transport
    from ccsdesk.core.services import exchange

    if args.mail:
        return run_send_mail(context, args)
    if args.out is None:
        raise InputError(_("Say where the archive goes: --out FILE, --mail, or both."))
    folder = context.folder()
    result = exchange.send(folder, args.to, context.passphrase(), out=args.out)
    own = exchange.own_identity(folder)
    lines = [_("Archive no. {sequence} for « {name} » written to {file} ({size} KB, checked "
               "by reading it back).").format(sequence=result.sequence, name=result.peer_name,
                                              file=args.out,
                                              size=formats.kilobytes(result.size))]
    labels = {"session": _("session"), "forward": _("forwarded archive"),
              "decision": _("follow-up decision"), "certificate": _("certificate"),
              "ack": _("acknowledgement"), "packet": _("signed packet")}
    for kind, label in result.items:
        lines.append(f"  - {labels.get(kind, kind)} : {label}")
    if args.email_draft is not None:
        from ccsdesk.core.services import mail

        address, sender = mail.draft_addresses(folder, args.to)
        try:  # just read back identical from the device: it is the archive
            data = args.out.read_bytes()
        except OSError as error:
            raise StorageError(_("The archive was written to {file}, but it could not be read "
                                 "again for the e-mail draft ({reason}).").format(
                                     file=args.out, reason=error.strerror or error)) from None
        draft = transport.email_draft(data, args.out.name, sender_name=own.name,
                                      receiver_name=result.peer_name,
                                      sequence=result.sequence, to=address, from_=sender)
        transport.write_verified(args.email_draft, draft)
        lines.append(_("E-mail draft written: {file}").format(file=args.email_draft))
    context.emit({"id": result.sequence, "sequence": result.sequence, "to": result.peer_name,
                  "to_id": result.peer_id, "file": str(args.out), "size": result.size,
                  "manifest_sha256": result.manifest_sha256, "counts": result.counts,
                  "items": [{"kind": k, "label": label} for k, label in result.items],
                  "email_draft": str(args.email_draft) if args.email_draft else None},
                 "\n".join(lines))
    return 0


def run_send_mail(context: Context, args: argparse.Namespace) -> int:
    """``send --to X --mail [--out FILE]``: recorded as sent only once the server took it."""
    from ccsdesk.core.services import exchange, mail

    if args.email_draft is not None:
        raise InputError(_("--email-draft and --mail do not go together: with --mail the "
                           "e-mail is sent directly."))
    folder = context.folder()
    sent = mail.send(folder, args.to, context.passphrase(), out=args.out)
    result = sent.result
    lines = [_("Archive no. {sequence} for « {name} » sent by e-mail to {address} ({size} "
               "KB).").format(sequence=result.sequence, name=result.peer_name,
                              address=sent.address, size=formats.kilobytes(result.size))]
    if args.out is not None:
        lines.append(_("Also written to {file} (checked by reading it back).").format(
            file=args.out))
    for kind, label in result.items:
        lines.append(f"  - {_(exchange.KIND_LABELS.get(kind, kind))} : {label}")
    context.emit({"id": result.sequence, "sequence": result.sequence, "to": result.peer_name,
                  "to_id": result.peer_id, "file": str(args.out) if args.out else None,
                  "size": result.size, "manifest_sha256": result.manifest_sha256,
                  "counts": result.counts,
                  "items": [{"kind": k, "label": label} for k, label in result.items],
                  "email_draft": None,
                  "mail": {"to": sent.address, "attachment": sent.file_name}},
                 "\n".join(lines))
    return 0


def receive_lines(result: Any) -> list[str]:
    """What people read after an import (also used by ``verify`` for archives)."""
    lines = []
    for number in result.missing:
        lines.append(_("Warning: archive {sequence} from « {name} » is missing (it was "
                       "never imported).").format(sequence=number, name=result.sender_name))
    if result.sessions:
        lines.append(ngettext("{count} session", "{count} sessions", result.sessions).format(
            count=result.sessions))
    if result.recommendations:
        lines.append(ngettext("{count} recommendation", "{count} recommendations",
                              result.recommendations).format(count=result.recommendations))
    if result.decisions:
        lines.append(ngettext("{count} follow-up decision applied",
                              "{count} follow-up decisions applied",
                              result.decisions).format(count=result.decisions))
    if result.acknowledged:
        lines.append(ngettext("{count} item acknowledged", "{count} items acknowledged",
                              result.acknowledged).format(count=result.acknowledged))
    if result.forwarded:
        lines.append(_("Forwarded archives of: {names}").format(
            names=", ".join(result.signed_by)))
    lines.extend(journal_lines(result))
    if result.certificate_installed:
        lines.append(_("Certificate from the parent installed: this committee's signatures "
                       "now chain to it."))
    lines.extend(result.notes)
    return lines


def journal_lines(result: Any, verifying: bool = False) -> list[str]:
    """The journal segments an archive carried, per committee (import and ``verify``)."""
    lines = []
    for arrival in result.journals:
        if verifying:
            lines.append(ngettext(
                "Journal of « {name} »: {count} entry, its chain checked against what this "
                "committee holds ({new} new).",
                "Journal of « {name} »: {count} entries, their chain checked against what "
                "this committee holds ({new} new).", arrival.entries).format(
                    name=arrival.name, count=arrival.entries, new=arrival.new))
        else:
            lines.append(ngettext(
                "{count} new journal entry from « {name} » (chain checked)",
                "{count} new journal entries from « {name} » (chain checked)",
                arrival.new).format(name=arrival.name, count=arrival.new))
    return lines


def _receive_json(result: Any) -> dict[str, Any]:
    return {"sender": result.sender_name, "sender_uid": result.sender_uid,
            "relation": result.relation, "sequence": result.sequence,
            "already_imported": result.already, "missing": list(result.missing),
            "sessions": result.sessions, "recommendations": result.recommendations,
            "decisions": result.decisions, "acknowledged": result.acknowledged,
            "forwarded": result.forwarded, "signed_by": result.signed_by,
            "certificate_installed": result.certificate_installed, "notes": result.notes,
            "journal_entries": result.journal_entries,
            "journals": [{"committee": j.name, "committee_uid": j.uid, "entries": j.entries,
                          "new": j.new} for j in result.journals]}


def run_receive(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.exchange import keys
    from ccsdesk.core.services import exchange

    folder = context.folder()
    check_archive_file(args.file)
    secrets = keys.unlock(folder.keys_dir, context.passphrase())
    result = exchange.receive(folder, args.file, secrets)
    if result.already:
        text = _("Archive no. {sequence} from « {name} » was already imported; nothing "
                 "changed.").format(sequence=result.sequence, name=result.sender_name)
    else:
        text = "\n".join([_("Archive no. {sequence} from « {name} » verified and imported."
                            ).format(sequence=result.sequence, name=result.sender_name),
                          *receive_lines(result)])
    context.emit(_receive_json(result), text)
    return 0


def verify_archive(context: Context, path: Path) -> int:
    """``verify FILE`` for an archive: decrypt, check signature, hashes and sender (the file
    read by blocks, as ``receive`` reads it)."""
    from ccsdesk.core.exchange import keys
    from ccsdesk.core.services import exchange

    folder = context.folder()
    check_archive_file(path)
    secrets = keys.unlock(folder.keys_dir, context.passphrase())
    result = exchange.verify(folder, path, secrets)
    lines = [_("Intact archive: signature and every hash check out."),
             _("Archive no. {sequence} from « {name} » ({entries} entries).").format(
                 sequence=result.sequence, name=result.sender_name, entries=result.entries)]
    if result.forwarded:
        lines.append(_("Forwarded archives of: {names}").format(
            names=", ".join(result.signed_by)))
    lines.extend(journal_lines(result, verifying=True))
    lines.extend(result.notes)
    context.emit({"file": str(path), "kind": "archive", "intact": True,
                  **_receive_json(result), "entries": result.entries}, "\n".join(lines))
    return 0
