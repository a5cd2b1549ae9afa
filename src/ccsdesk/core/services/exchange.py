"""Exchange with the parent and the children: enrolment, send, receive, acknowledgements.

One ``send`` writes one archive with everything due to one committee and not yet
acknowledged by it; one ``receive`` checks an archive completely before anything is written,
then imports it in a single transaction and queues an acknowledgement for the way back.
What was sent is recorded item by item (kind, reference, content hash), so an
acknowledgement settles exactly what the receiver saw, and a changed session is due again.

Sequence numbers count per sender→receiver pair: the receiver refuses an archive older than
the last one it imported (a replay), says "already imported" for the very same archive, and
reports a gap. Forwarding up carries each child's archive content unchanged (its signed
manifest and entries), so the level above can check which committee wrote what.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.exchange import archive, certificates, keys, keystore, store
from ccsdesk.core.exchange import identity as identity_file
from ccsdesk.core.exchange.verified_copy import VerifiedCopy
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import exchange_content, journal, places, recommendations
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import (
    Committee,
    ExchangeArchive,
    ExchangeItem,
    ExchangeOutbox,
    Meeting,
    ReceivedSession,
    Recommendation,
    RecommendationStatus,
)

# Which levels may be the parent of each level. A commune sits under its cercle, or directly
# under its région or the District when no cercle committee is set up.
PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "commune": ("cercle", "region", "district"),
    "cercle": ("region",),
    "region": ("national",),
    "district": ("national",),
    "national": (),
}
RELATIONS = {"parent": N_("parent"), "child": N_("child")}
KIND_LABELS = {
    "session": N_("session"),
    "packet": N_("signed packet"),
    "forward": N_("forwarded archive"),
    "decision": N_("follow-up decision"),
    "certificate": N_("certificate"),
    "ack": N_("acknowledgement"),
    "journal": N_("journal"),
}
# What an acknowledgement settles; acknowledgements themselves are sent once.
TRACKED_KINDS = ("session", "packet", "forward", "decision", "certificate")
MAX_NESTING = 4


# --- Identity and enrolment ------------------------------------------------------------


def _own(session: Session) -> Committee:
    row = session.scalar(select(Committee).where(Committee.relation == "self"))
    if row is None:
        raise StateError(
            _("This data folder has no committee yet: set it up first (ccsdesk init)."))
    return row


def _place_label(row: Committee) -> str:
    return places.path_of(row.place) if row.place else row.place_label


def own_identity(folder: DataFolder) -> identity_file.Identity:
    with folder.database.reading() as session:
        own = _own(session)
        return identity_file.Identity(
            uid=own.uid, name=own.name, level=own.level, place=_place_label(own),
            signing_certificate=own.signing_certificate, age_recipient=own.age_recipient,
            fingerprint=own.fingerprint, created=identity_file.now_text())


def export_identity(folder: DataFolder, passphrase: str) -> bytes:
    """This committee's identity file, signed with its key (hence the passphrase)."""
    secrets = keys.unlock(folder.keys_dir, passphrase)
    return identity_file.build(own_identity(folder), secrets.signing_key_der)


def export_age_identity(folder: DataFolder, passphrase: str, file_passphrase: str) -> bytes:
    """The age identity, encrypted with an age passphrase, for the stock ``age -d``.

    The private key never leaves in clear: ``age -d file.age`` asks ``file_passphrase``
    (see ``docs/formats/archive.md``).
    """
    import pyrage

    keystore.check_passphrase_strength(file_passphrase)
    secrets = keys.unlock(folder.keys_dir, passphrase)
    profile = own_identity(folder)
    text = (f"# CCS Desk — {profile.name}\n# public key: {profile.age_recipient}\n"
            f"{secrets.age_identity}\n")
    return pyrage.passphrase.encrypt(text.encode("utf-8"), file_passphrase)


@dataclass(frozen=True)
class CommitteeInfo:
    """An enrolled committee as ``committees list`` shows it."""

    id: int
    uid: str
    relation: str
    level: str
    name: str
    place: str
    fingerprint: str
    enrolled_at: datetime | None
    last_sent: tuple[int, datetime] | None = None
    last_received: tuple[int, datetime] | None = None
    unacknowledged: tuple[str, ...] = ()


def _within(child_place: str, parent_place: str) -> bool:
    """``Ségou / Macina / Kokry`` lies within ``Ségou`` and ``Ségou / Macina`` (any case)."""
    from ccsdesk.core.text import fold_key

    child = [fold_key(part) for part in child_place.split(" / ")]
    parent = [fold_key(part) for part in parent_place.split(" / ")]
    return child[:len(parent)] == parent


def _level_fits(child_level: str, parent_level: str) -> bool:
    return parent_level in PARENT_LEVELS.get(child_level, ())


def enrol(folder: DataFolder, ident: identity_file.Identity, relation: str,
          passphrase: str | None = None) -> CommitteeInfo:
    """Accept another committee as parent or child (its fingerprint already confirmed).

    Enrolling a child issues it a certificate signed with our key (hence the passphrase),
    queued for the next archive sent to it.
    """
    if relation not in RELATIONS:
        raise InputError(_("Unknown relation: {relation} (parent or child).").format(
            relation=relation))
    secrets = keys.unlock(folder.keys_dir, passphrase or "") if relation == "child" else None
    with folder.database.unit_of_work() as session:
        own = _own(session)
        if ident.uid == own.uid or ident.fingerprint == own.fingerprint:
            raise InputError(_("This identity file is this committee's own: a committee "
                               "cannot enrol itself."))
        existing = session.scalar(select(Committee).where(Committee.uid == ident.uid))
        if existing is not None:
            raise StateError(_("« {name} » is already enrolled here as {relation}; nothing "
                               "changed.").format(name=existing.name,
                                                  relation=_(RELATIONS.get(
                                                      existing.relation, existing.relation))))
        level_names = {"commune": _("commune"), "cercle": _("cercle"), "district": _("District"),
                       "region": _("region"), "national": _("national")}
        if relation == "parent":
            parent = session.scalar(select(Committee).where(Committee.relation == "parent"))
            if parent is not None:
                raise StateError(_("This committee already has a parent: « {name} ». A "
                                   "committee has only one.").format(name=parent.name))
            fits = _level_fits(own.level, ident.level)
        else:
            fits = _level_fits(ident.level, own.level)
        if not fits:
            raise InputError(_("A committee of level {their} cannot be the {relation} of a "
                               "committee of level {ours}.").format(
                                   their=level_names[ident.level],
                                   relation=_(RELATIONS[relation]),
                                   ours=level_names[own.level]))
        own_place = _place_label(own)
        child_place, parent_place = ((own_place, ident.place) if relation == "parent"
                                     else (ident.place, own_place))
        if parent_place and not _within(child_place, parent_place):
            raise InputError(_("« {child} » is not within « {parent} »: a committee's parent "
                               "sits in the unit that contains it; nothing changed.").format(
                                   child=child_place or "—", parent=parent_place))
        now = datetime.now()
        row = Committee(uid=ident.uid, relation=relation, level=ident.level, name=ident.name,
                        place_id=None, place_label=ident.place,
                        signing_certificate=ident.signing_certificate,
                        age_recipient=ident.age_recipient, fingerprint=ident.fingerprint,
                        created_at=now, enrolled_at=now)
        session.add(row)
        session.flush()
        if secrets is not None:
            chain = certificates.own_chain(folder.keys_dir, own.signing_certificate)
            issued = certificates.issue(secrets.signing_key_der, chain[0],
                                        ident.signing_certificate)
            payload = {"format": "ccsdesk-certificate/1", "for": ident.uid,
                       "certificate": issued, "chain": chain}
            session.add(ExchangeOutbox(peer_id=row.id, kind="certificate", ref=ident.uid,
                                       payload=json.dumps(payload), created_at=now))
        journal.record(session, "committee.enrol", f"committee:{ident.uid}",
                       {"relation": relation, "name": ident.name, "level": ident.level,
                        "fingerprint": ident.fingerprint})
        return CommitteeInfo(id=row.id, uid=row.uid, relation=relation, level=row.level,
                             name=row.name, place=ident.place, fingerprint=row.fingerprint,
                             enrolled_at=now)


def _acknowledged(session: Session, peer_id: int) -> set[tuple[str, str, str]]:
    rows = session.execute(
        select(ExchangeItem.kind, ExchangeItem.ref, ExchangeItem.content_hash)
        .join(ExchangeArchive, ExchangeArchive.id == ExchangeItem.archive_id)
        .where(ExchangeArchive.peer_id == peer_id, ExchangeItem.acknowledged_at.is_not(None)))
    return {(k, r, h) for k, r, h in rows}


def _unacknowledged(session: Session, peer_id: int) -> tuple[str, ...]:
    acked = _acknowledged(session, peer_id)
    labels: dict[tuple[str, str, str], str] = {}
    rows = session.execute(
        select(ExchangeItem.kind, ExchangeItem.ref, ExchangeItem.content_hash,
               ExchangeItem.label)
        .join(ExchangeArchive, ExchangeArchive.id == ExchangeItem.archive_id)
        .where(ExchangeArchive.peer_id == peer_id, ExchangeItem.kind.in_(TRACKED_KINDS),
               ExchangeItem.acknowledged_at.is_(None)))
    for kind, ref, digest, label in rows:
        if (kind, ref, digest) not in acked:
            labels[(kind, ref, digest)] = label
    return tuple(sorted(set(labels.values())))


def list_committees(folder: DataFolder) -> list[CommitteeInfo]:
    """The parent then the children, with what was last sent to and received from each."""
    result = []
    with folder.database.reading() as session:
        rows = session.scalars(select(Committee).where(
            Committee.relation.in_(("parent", "child"))).order_by(
                Committee.relation.desc(), Committee.name))
        for row in rows:
            def last(direction: str, peer_id: int = row.id) -> tuple[int, datetime] | None:
                found = session.execute(
                    select(ExchangeArchive.sequence, ExchangeArchive.at).where(
                        ExchangeArchive.peer_id == peer_id,
                        ExchangeArchive.direction == direction)
                    .order_by(ExchangeArchive.sequence.desc()).limit(1)).first()
                return (found[0], found[1]) if found else None

            result.append(CommitteeInfo(
                id=row.id, uid=row.uid, relation=row.relation, level=row.level, name=row.name,
                place=_place_label(row), fingerprint=row.fingerprint,
                enrolled_at=row.enrolled_at, last_sent=last("out"),
                last_received=last("in"), unacknowledged=_unacknowledged(session, row.id)))
    return result


def parent_name(folder: DataFolder) -> str | None:
    with folder.database.reading() as session:
        return session.scalar(select(Committee.name).where(Committee.relation == "parent"))


def find_peer(session: Session, to: str) -> Committee:
    """``parent`` or a child's id (as ``committees list`` prints it)."""
    if to == "parent":
        row = session.scalar(select(Committee).where(Committee.relation == "parent"))
        if row is None:
            raise StateError(_("No parent committee is enrolled: enrol it first (ccsdesk "
                               "identity enrol FILE --as parent)."))
        return row
    try:
        peer_id = int(to)
    except ValueError:
        raise InputError(_("Send to « parent » or to a child's number from « ccsdesk "
                           "committees list »; « {value} » is neither.").format(
                               value=to)) from None
    row = session.get(Committee, peer_id)
    if row is None or row.relation != "child":
        raise NotFoundError(_("No enrolled child committee has the number {id}.").format(
            id=peer_id))
    return row


# --- Send ---------------------------------------------------------------------------------


@dataclass
class _Due:
    kind: str
    ref: str
    label: str
    entries: list[archive.Entry]
    digest: str
    outbox_id: int | None = None
    # Entries too slow to make inside a transaction (a signed packet, ~0.35 s each; a
    # forwarded archive's bytes): ``send`` makes them before it takes the write lock.
    load: Callable[[], list[archive.Entry]] | None = None


@dataclass(frozen=True)
class SendResult:
    """What one ``send`` wrote: to whom, which sequence number, what it carried."""

    peer_id: int
    peer_name: str
    sequence: int
    size: int
    manifest_sha256: str
    items: tuple[tuple[str, str], ...]
    counts: dict[str, int] = field(default_factory=dict)


def _packet_for(folder: DataFolder, meeting_id: int, uid: str,
                passphrase: str) -> list[archive.Entry]:
    """The session's signed packet (PDF), built and signed now with our key and chain.

    Built only when the session is due, so its fresh signature time does not make an
    already acknowledged session due again (the session's JSON decides that).
    """
    from ccsdesk.core.documents import packet

    data = packet.build_signed(folder, meeting_id, passphrase).data
    return [archive.Entry(f"entries/packets/{uid}.pdf", "packet", data, uid)]


def _forwarded(folder: DataFolder, manifest_sha256: str, path: str,
               ref: str) -> list[archive.Entry]:
    return [archive.Entry(path, "forward", store.raw(folder, manifest_sha256), ref)]


def _due_items(folder: DataFolder, session: Session, own: Committee, peer: Committee,
               passphrase: str) -> list[_Due]:
    acked = _acknowledged(session, peer.id)
    due: list[_Due] = []

    def add(item: _Due) -> None:
        if item.kind == "ack" or (item.kind, item.ref, item.digest) not in acked:
            due.append(item)

    def add_decision(rec: Recommendation, known_from: set[str]) -> None:
        # Due for the steps the peer may lack; the document carries the whole history.
        steps = exchange_content.steps_digest(session, rec, known_from, own)
        if steps is None or ("decision", rec.uid, steps) in acked:
            return
        data = exchange_content.dumps(exchange_content.decision_document(session, rec, own))
        # Many committees number their forms from 1: the writer tells them apart.
        label = _("Recommendation {number} of « {origin} »: {status}").format(
            number=rec.number, origin=rec.origin_name,
            status=_(recommendations.STATUSES.get(rec.status, rec.status)))
        add(_Due("decision", rec.uid, label,
                 [archive.Entry(f"entries/decisions/{rec.uid}.json", "decision", data,
                                rec.uid)], steps))

    if peer.relation == "parent":
        # A session is due again when the certificate we sign with changes: a packet
        # signed before the parent's certificate arrived does not chain above the parent,
        # so it is signed again and sent again once the certificate is installed (see
        # docs/decisions.md).
        signer = certificates.own_chain(folder.keys_dir, own.signing_certificate)[0]
        for meeting in session.scalars(select(Meeting).where(Meeting.state == "signed")
                                       .order_by(Meeting.date, Meeting.id)):
            document = exchange_content.session_document(session, own, meeting)
            data = exchange_content.dumps(document)
            digest = archive.sha256(data + b"\n" + signer.encode("ascii"))
            if ("session", meeting.uid, digest) in acked:
                continue
            entries = [archive.Entry(f"entries/sessions/{meeting.uid}.json", "session", data,
                                     meeting.uid)]
            add(_Due("session", meeting.uid, document["label"], entries, digest,
                     load=partial(_packet_for, folder, meeting.id, meeting.uid, passphrase)))
        children = session.scalars(select(Committee).where(Committee.relation == "child"))
        for child in children:
            for received in session.scalars(select(ExchangeArchive).where(
                    ExchangeArchive.direction == "in", ExchangeArchive.peer_id == child.id)
                    .order_by(ExchangeArchive.sequence)):
                summary = json.loads(received.summary or "{}")
                if not (summary.get("sessions") or summary.get("forwarded")):
                    continue
                ref = f"{child.uid}:{received.sequence}"
                # The manifest's hash covers every entry's: it names the content exactly.
                if ("forward", ref, received.manifest_sha256) in acked:
                    continue
                label = _("{name}, archive {sequence}").format(name=child.name,
                                                               sequence=received.sequence)
                path = f"entries/forwarded/{child.uid}-{received.sequence}.zip"
                add(_Due("forward", ref, label, [], received.manifest_sha256,
                         load=partial(_forwarded, folder, received.manifest_sha256, path,
                                      ref)))
        # Follow-up decided here (or brought by a child's decision) on the recommendations
        # of the committees below: the parent holds them through the forwarded sessions,
        # which carry only what their writer knew when it signed.
        for rec in session.scalars(select(Recommendation).where(
                Recommendation.origin_uid != own.uid,
                _has_step(RecommendationStatus.source_uid != Recommendation.origin_uid,
                          RecommendationStatus.source_uid != peer.uid))
                .order_by(Recommendation.id)):
            add_decision(rec, {peer.uid, rec.origin_uid})
    else:
        # The child's own recommendations and those of the committees below it (their
        # sessions came through it): decisions from here or from above go back down.
        origins = _origins_through(session, peer)
        for rec in session.scalars(select(Recommendation).where(
                Recommendation.origin_uid.in_(origins),
                _has_step(RecommendationStatus.source_uid.not_in(origins)))
                .order_by(Recommendation.id)):
            add_decision(rec, origins)
    for row in session.scalars(select(ExchangeOutbox).where(
            ExchangeOutbox.peer_id == peer.id).order_by(ExchangeOutbox.id)):
        if row.kind == "ack" and row.sent_archive_id is not None:
            continue
        data = row.payload.encode("utf-8")
        name = f"entries/{row.kind}s/{row.id}.json"
        label = _("Certificate for {name}").format(name=peer.name) if row.kind == "certificate" \
            else _("Acknowledgement of archive {ref}").format(ref=row.ref.split(":")[-1])
        add(_Due(row.kind, row.ref, label, [archive.Entry(name, row.kind, data, row.ref)],
                 archive.sha256(data), outbox_id=row.id))
    return due


def _has_step(*conditions: Any) -> Any:
    """SQL: the recommendation has a status step meeting ``conditions`` (one query for all,
    rather than reading every step of thousands of forms at each send)."""
    return exists().where(RecommendationStatus.recommendation_id == Recommendation.id,
                          *conditions)


def _origins_through(session: Session, child: Committee) -> set[str]:
    """The child and the committees whose sessions came up through it."""
    return {child.uid, *session.scalars(select(ReceivedSession.origin_uid).where(
        ReceivedSession.via_id == child.id))}


def _journal_after(session: Session, peer: Committee) -> int:
    """The last journal entry id of the segments the parent acknowledged (0: none yet)."""
    refs = session.scalars(
        select(ExchangeItem.ref)
        .join(ExchangeArchive, ExchangeArchive.id == ExchangeItem.archive_id)
        .where(ExchangeArchive.peer_id == peer.id, ExchangeArchive.direction == "out",
               ExchangeItem.kind == "journal", ExchangeItem.acknowledged_at.is_not(None)))
    return max((int(ref.rsplit("-", 1)[-1]) for ref in refs), default=0)


def _journal_segment(session: Session, peer: Committee) -> _Due | None:
    """Our journal since the last segment the parent acknowledged (all of it the first time).

    It rides along with what is due and never makes an archive due by itself; a segment
    that is not acknowledged (an archive of acknowledgements only) is simply sent again,
    overlapping, and the receiver checks the overlap against what it already holds.
    """
    document = journal.segment(session, _journal_after(session, peer))
    if document is None:
        return None
    first, last = document["entries"][0]["id"], document["entries"][-1]["id"]
    data = exchange_content.dumps(document)
    ref = f"{first}-{last}"
    return _Due("journal", ref, _("Journal entries {first} to {last}").format(
        first=first, last=last),
        [archive.Entry(f"entries/journal/{ref}.json", "journal", data, ref)],
        archive.sha256(data))


# A send whose data keeps changing while its archive is built gives up after this many tries.
SEND_ATTEMPTS = 3


@dataclass(frozen=True)
class _Party:
    """A committee's fields an archive needs, read while its session was open."""

    id: int
    uid: str
    name: str
    level: str
    fingerprint: str
    age_recipient: str

    @classmethod
    def of(cls, row: Committee) -> _Party:
        return cls(row.id, row.uid, row.name, row.level, row.fingerprint, row.age_recipient)


@dataclass
class _Plan:
    """What one send is about to write, read in one snapshot without the write lock."""

    own: _Party
    peer: _Party
    due: list[_Due]
    sequence: int
    chain: list[str]
    segment: _Due | None
    journal_after: int

    def key(self) -> tuple[Any, ...]:
        """What must still hold when the send is recorded. The journal only grows: the
        segment read earlier stays a valid one as long as the parent's acknowledgements
        have not moved its start."""
        return (self.peer.id, self.peer.age_recipient, self.sequence, tuple(self.chain),
                self.own.name, self.journal_after,
                tuple((i.kind, i.ref, i.digest, i.outbox_id) for i in self.due))


def _plan(folder: DataFolder, session: Session, to: str, passphrase: str,
          segment: bool = True) -> _Plan:
    """What is due (``segment=False``: without reading the journal segment, for the check
    under the write lock — the first segment is the whole journal)."""
    own = _own(session)
    peer = find_peer(session, to)
    due = _due_items(folder, session, own, peer, passphrase)
    if not due:
        raise StateError(_("Nothing to send to « {name} »: everything was already "
                           "acknowledged.").format(name=peer.name))
    sequence = (session.scalar(select(func.max(ExchangeArchive.sequence)).where(
        ExchangeArchive.direction == "out", ExchangeArchive.peer_id == peer.id)) or 0) + 1
    chain = certificates.own_chain(folder.keys_dir, own.signing_certificate)
    parent = peer.relation == "parent"
    return _Plan(own=_Party.of(own), peer=_Party.of(peer), due=due, sequence=sequence,
                 chain=chain,
                 segment=_journal_segment(session, peer) if parent and segment else None,
                 journal_after=_journal_after(session, peer) if parent else 0)


def _record_sent(session: Session, plan: _Plan, entries: int, manifest_bytes: bytes,
                 size: int, now: datetime) -> SendResult:
    """Record the archive as sent (rows, items, acknowledgements it carries, journal), in
    the caller's transaction, which delivers the archive before it commits."""
    peer = plan.peer
    counts: dict[str, int] = {}
    for item in plan.due:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    row = ExchangeArchive(direction="out", peer_id=peer.id, sequence=plan.sequence,
                          manifest_sha256=archive.sha256(manifest_bytes),
                          # The manifest's hash names the content; hashing 50 MB of
                          # ciphertext again would only slow the send.
                          file_sha256="", size=size, created_at=now, at=now, entries=entries,
                          summary=json.dumps(counts))
    session.add(row)
    session.flush()
    for item in plan.due:
        session.add(ExchangeItem(archive_id=row.id, kind=item.kind, ref=item.ref,
                                 label=item.label[:300], content_hash=item.digest))
        if item.outbox_id is not None and item.kind == "ack":
            session.get(ExchangeOutbox, item.outbox_id).sent_archive_id = row.id  # type: ignore[union-attr]
    segment = plan.segment
    if segment is not None:
        session.add(ExchangeItem(archive_id=row.id, kind=segment.kind, ref=segment.ref,
                                 label=segment.label[:300], content_hash=segment.digest))
    journal.record(session, "exchange.send", f"committee:{peer.uid}",
                   {"sequence": plan.sequence, "manifest_sha256": row.manifest_sha256,
                    "counts": counts})
    return SendResult(peer_id=peer.id, peer_name=peer.name, sequence=plan.sequence,
                      size=size, manifest_sha256=row.manifest_sha256,
                      items=tuple((item.kind, item.label) for item in plan.due),
                      counts=counts)


def send(folder: DataFolder, to: str, passphrase: str,
         write: Callable[[bytes], None] | None = None,
         built: Callable[[int], None] | None = None, *,
         out: Path | None = None) -> SendResult:
    """Build the archive due to ``to`` and hand its bytes to ``write`` (e.g. an e-mail), or
    write it to the file ``out`` (e.g. on a USB stick) while it is built.

    With ``out``, the archive goes to the stick block by block as it is sealed and is read
    back from the device meanwhile (``verified_copy``): it never exists whole in memory, and
    the copy is checked by the time the archive is complete; only its final name waits for
    the record below.

    The due items are read in a read transaction and the archive (signed packets, ~0.35 s
    per session, then sealing) is built holding no lock, so the window or another program
    can keep writing meanwhile. Only then is the write lock taken, to check that what is due
    and the next sequence number are still those the archive was built from — else it is
    built again (``SEND_ATTEMPTS`` times at most, then refused) — and to record it. ``built``
    is told each time an archive is ready (the attempt number), before the lock is taken.

    The archive is recorded as sent only when ``write`` returned (or the checked file got
    its final name), inside that same short transaction: a full or pulled stick leaves no
    trace and the same sequence number is used next time, and no other send can take the
    number meanwhile.
    """
    if (write is None) == (out is None):
        raise ValueError("send needs either write or out")
    secrets = keys.unlock(folder.keys_dir, passphrase)
    for attempt in range(1, SEND_ATTEMPTS + 1):
        with folder.database.reading() as session:
            plan = _plan(folder, session, to, passphrase)
        own, peer, sequence = plan.own, plan.peer, plan.sequence
        entries = [entry for item in plan.due
                   for entry in item.entries + (item.load() if item.load else [])]
        if plan.segment is not None:
            entries.append(plan.segment.entries[0])
        now = datetime.now()
        manifest = {
            "sender": {"uid": own.uid, "name": own.name, "level": own.level,
                       "fingerprint": own.fingerprint},
            "receiver": {"uid": peer.uid, "name": peer.name, "level": peer.level},
            "sequence": sequence,
            "created": now.astimezone().isoformat(timespec="seconds"),
        }
        recipients = [peer.age_recipient, own.age_recipient]
        with contextlib.ExitStack() as cleanup:
            deliver: Callable[[], None]
            if out is not None:
                copy = cleanup.enter_context(
                    VerifiedCopy(out, expected=archive.sealed_bound(entries, plan.chain)))
                size, manifest_bytes = archive.seal_to(
                    copy, manifest, entries, secrets.signing_key_der, plan.chain, recipients)
                copy.finish()
                deliver = copy.commit
            else:
                data, manifest_bytes = archive.seal(manifest, entries, secrets.signing_key_der,
                                                    plan.chain, recipients)
                size = len(data)
                deliver = partial(write, data)  # type: ignore[arg-type]
            if built is not None:
                built(attempt)
            with folder.database.unit_of_work() as session:
                if _plan(folder, session, to, passphrase, segment=False).key() != plan.key():
                    continue  # changed while it was built: build it again from the new state
                result = _record_sent(session, plan, len(entries), manifest_bytes, size, now)
                deliver()
                return result
    raise StateError(_("The data kept changing while the archive for « {name} » was being "
                       "built ({count} tries); nothing was sent. Send it again in a "
                       "moment.").format(name=plan.peer.name, count=SEND_ATTEMPTS))


# --- Receive ------------------------------------------------------------------------------


@dataclass
class ReceiveResult:
    """What an import did (or, for ``verify``, would do)."""

    sender_name: str
    sender_uid: str
    relation: str
    sequence: int
    already: bool = False
    missing: tuple[int, ...] = ()
    sessions: int = 0
    recommendations: int = 0
    decisions: int = 0
    acknowledged: int = 0
    certificate_installed: bool = False
    forwarded: int = 0
    journal_entries: int = 0
    entries: int = 0
    signed_by: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    journals: list[JournalArrival] = field(default_factory=list)


@dataclass(frozen=True)
class JournalArrival:
    """One committee's journal segment in an archive: its entries, and how many were new.

    ``receive`` keeps the new ones; ``verify`` only checks them (``new`` is then what an
    import would add).
    """

    uid: str
    name: str
    entries: int
    new: int


# (origin uid, origin name, segment document) in the order the archive carries them.
_Segment = tuple[str, str, dict[str, Any]]


def _own_segment(entry: archive.Entry, peer: Committee) -> _Segment:
    """The sender's own journal segment: only a child sends its journal up."""
    if peer.relation != "child":
        raise InputError(_("Only a child committee sends its journal up; nothing was "
                           "imported."))
    return peer.uid, peer.name, _json(entry)


def _entry_order(item: Any) -> int:
    """A journal entry's id for sorting; what cannot be read sorts first (and is refused)."""
    try:
        return int(item["id"])
    except (KeyError, TypeError, ValueError):
        return -1


def _check_journals(session: Session, segments: list[_Segment], archive_id: int, *,
                    keep: bool) -> list[JournalArrival]:
    """Check every journal segment an archive carries (``journal.check_segment``).

    ``receive`` keeps each segment as it is checked, so the next one of the same committee
    (two forwarded archives of one commune) continues it. ``verify`` keeps nothing, so it
    checks one committee's segments as one: merged by entry id, exact repeats dropped (a
    changed repeat stays and is refused as out of order).
    """
    if not keep and len({uid for uid, _name, _document in segments}) < len(segments):
        merged: dict[str, _Segment] = {}
        seen: dict[str, set[str]] = {}
        for uid, name, document in segments:
            listed = document.get("entries")
            earlier = merged[uid][2].get("entries") if uid in merged else []
            if not isinstance(listed, list) or not isinstance(earlier, list):
                if isinstance(earlier, list):
                    merged[uid] = (uid, name, document)  # refused by the check below
                continue
            held = seen.setdefault(uid, set())
            combined = list(earlier)
            for item in listed:
                text = json.dumps(item, sort_keys=True, default=str)
                if text not in held:
                    held.add(text)
                    combined.append(item)
            combined.sort(key=_entry_order)
            merged[uid] = (uid, name, {**document, "entries": combined})
        segments = list(merged.values())
    arrivals: dict[str, JournalArrival] = {}
    ids: dict[str, set[object]] = {}
    for uid, name, document in segments:
        new = journal.check_segment(session, document, uid, name, archive_id, keep=keep)
        listed = document.get("entries")
        carried = ids.setdefault(uid, set())
        carried.update(item.get("id") for item in listed or () if isinstance(item, dict))
        before = arrivals.get(uid)
        arrivals[uid] = JournalArrival(uid, name, len(carried),
                                       new + (before.new if before else 0))
    return list(arrivals.values())


def _known_keys(session: Session) -> list[tuple[bytes, str, str, str]]:
    known = []
    for row in session.scalars(select(Committee)):
        if row.signing_certificate:
            known.append((certificates.public_key_der(row.signing_certificate), row.uid,
                          row.name, row.relation))
    return known


def _check(session: Session, contents: archive.Contents) -> tuple[Committee, Committee]:
    """Addressed to us, from an enrolled committee, signed with its enrolled key."""
    own = _own(session)
    sender, receiver = contents.sender, contents.receiver
    if sender.get("uid") == own.uid:
        raise InputError(_("This archive was written by this committee (for « {name} »); "
                           "it is for the receiving committee to import.").format(
                               name=str(receiver.get("name", ""))[:200]))
    if receiver.get("uid") != own.uid:
        raise InputError(_("This archive is addressed to « {name} », not to this committee; "
                           "nothing was imported.").format(
                               name=str(receiver.get("name", ""))[:200]))
    peer = session.scalar(select(Committee).where(Committee.uid == str(sender.get("uid"))))
    if peer is None or peer.relation not in ("parent", "child"):
        raise InputError(_("This archive comes from « {name} », which is not enrolled here "
                           "(unknown sender); enrol its identity file first.").format(
                               name=str(sender.get("name", ""))[:200]))
    if certificates.public_key_der(contents.chain[0]) != certificates.public_key_der(
            peer.signing_certificate):
        raise InputError(_("This archive claims to come from « {name} » but is not signed "
                           "with its enrolled key; nothing was imported.").format(
                               name=peer.name))
    return own, peer


def open_archive(data: bytes | Path, secrets: keystore.Secrets) -> archive.Contents:
    """Decrypt and check integrity (signature of the manifest, every hash); ``data`` is the
    archive's bytes or its file, read by blocks (see ``archive.open_sealed``)."""
    return archive.open_sealed(data, secrets.age_identity)


def verify(folder: DataFolder, data: bytes | Path,
           secrets: keystore.Secrets) -> ReceiveResult:
    """What ``verify FILE`` says of an archive: intact, from whom, for us — no import."""
    contents = open_archive(data, secrets)
    with folder.database.reading() as session:
        own = _own(session)
        if contents.sender.get("uid") == own.uid:
            peer_name, relation = str(contents.receiver.get("name", "")), "self"
        else:
            own, peer = _check(session, contents)
            peer_name, relation = peer.name, peer.relation
        result = ReceiveResult(sender_name=str(contents.sender.get("name", "")),
                               sender_uid=str(contents.sender.get("uid", "")),
                               relation=relation, sequence=contents.sequence,
                               entries=len(contents.entries))
        if relation == "self":
            result.notes.append(_("Written by this committee for « {name} ».").format(
                name=peer_name))
        known = _known_keys(session)
        segments: list[_Segment] = []
        for entry in contents.entries.values():
            if entry.kind == "forward":
                result.forwarded += 1
                result.signed_by.extend(_nested_signers(entry.data, known, 1, segments))
            elif entry.kind == "session":
                result.sessions += 1
            elif entry.kind == "journal" and relation != "self":
                segments.insert(0, _own_segment(entry, peer))
        # The same check as on import, from this read transaction: nothing is kept.
        result.journals = _check_journals(session, segments, 0, keep=False)
        result.journal_entries = sum(j.new for j in result.journals)
    return result


def _nested_signers(inner: bytes, known: list[tuple[bytes, str, str, str]],
                    depth: int, segments: list[_Segment]) -> list[str]:
    if depth > MAX_NESTING:
        raise InputError(_("This archive nests forwarded archives too deeply."))
    nested = archive.unpack(inner)
    name = str(nested.sender.get("name", ""))[:200]
    anchor = certificates.anchor(nested.chain, known)
    names = [name if anchor is not None else _("{name} (key not certified here)").format(
        name=name)]
    for entry in nested.entries.values():
        if entry.kind == "forward":
            names.extend(_nested_signers(entry.data, known, depth + 1, segments))
        elif entry.kind == "journal":
            segments.append((str(nested.sender.get("uid", "")), name, _json(entry)))
    return names


def receive(folder: DataFolder, data: bytes | Path,
            secrets: keystore.Secrets) -> ReceiveResult:
    """Verify, then import an archive in one transaction; the same archive twice is a no-op.

    ``data`` is the archive's bytes or, faster for a large one, its file (read by blocks,
    never whole: see ``archive.open_sealed``)."""
    # The content is written to an unnamed file while it is decrypted; store.put names it.
    contents = archive.open_sealed(data, secrets.age_identity, keep=store.incoming(folder))
    with folder.database.unit_of_work() as session:
        own, peer = _check(session, contents)
        sequence = contents.sequence
        result = ReceiveResult(sender_name=peer.name, sender_uid=peer.uid,
                               relation=peer.relation, sequence=sequence,
                               entries=len(contents.entries))
        same = session.scalar(select(ExchangeArchive).where(
            ExchangeArchive.direction == "in", ExchangeArchive.peer_id == peer.id,
            ExchangeArchive.sequence == sequence))
        if same is not None:
            if same.manifest_sha256 == contents.manifest_sha256:
                result.already = True
                return result
            raise InputError(_("Archive {sequence} from « {name} » was already imported with "
                               "a different content: this one is refused (replay or "
                               "forgery); nothing changed.").format(sequence=sequence,
                                                                    name=peer.name))
        last = session.scalar(select(func.max(ExchangeArchive.sequence)).where(
            ExchangeArchive.direction == "in", ExchangeArchive.peer_id == peer.id)) or 0
        if sequence <= last:
            raise InputError(_("Archive {sequence} from « {name} » is older than archive "
                               "{last}, already imported (replay): refused, nothing "
                               "changed.").format(sequence=sequence, name=peer.name, last=last))
        result.missing = tuple(range(last + 1, sequence))
        now = datetime.now()
        row = ExchangeArchive(direction="in", peer_id=peer.id, sequence=sequence,
                              manifest_sha256=contents.manifest_sha256,
                              file_sha256="", size=contents.archive_size,
                              created_at=_created(contents), at=now,
                              entries=len(contents.entries), summary="{}")
        session.add(row)
        session.flush()
        issued: dict[str, Any] | None = None
        known = _known_keys(session)
        segments: list[_Segment] = []
        _import_entries(session, contents, peer, row, result, known, 0, segments)
        for entry in contents.entries.values():
            if entry.kind == "decision":
                # From a child with committees below it: its follow-up of their
                # recommendations (a commune's own steps travel in its sessions).
                if peer.relation != "parent" and peer.level == "commune":
                    raise InputError(_("A child committee cannot send follow-up decisions; "
                                       "nothing was imported."))
                allowed = None if peer.relation == "parent" else \
                    _origins_through(session, peer)
                if exchange_content.apply_decision(session, _json(entry), peer.uid, allowed):
                    result.decisions += 1
            elif entry.kind == "ack":
                result.acknowledged += _apply_ack(session, _json(entry), own, peer, now)
            elif entry.kind == "certificate":
                issued = _check_certificate(folder, _json(entry), own, peer)
            elif entry.kind == "journal":
                segments.insert(0, _own_segment(entry, peer))
        result.journals = _check_journals(session, segments, row.id, keep=True)
        result.journal_entries = sum(j.new for j in result.journals)
        # A journal segment rides along and is acknowledged with what it came with, never
        # on its own: otherwise two committees would acknowledge each other forever.
        tracked = [e for e in contents.entries.values() if e.kind not in ("ack", "journal")]
        if tracked:
            ack = {"format": "ccsdesk-ack/1", "sender": peer.uid, "receiver": own.uid,
                   "sequence": sequence, "manifest_sha256": contents.manifest_sha256,
                   "received_at": now.astimezone().isoformat(timespec="seconds"),
                   # The manifest's hashes were checked against every entry on opening.
                   "entries": [{"path": str(item["path"]), "kind": str(item["kind"]),
                                "sha256": str(item["sha256"])}
                               for item in contents.manifest["entries"]
                               if item.get("kind") != "ack"]}
            session.add(ExchangeOutbox(peer_id=peer.id, kind="ack",
                                       ref=f"{peer.uid}:{sequence}", payload=json.dumps(ack),
                                       created_at=now))
        row.summary = json.dumps({"sessions": result.sessions, "forwarded": result.forwarded,
                                  "recommendations": result.recommendations,
                                  "decisions": result.decisions,
                                  "acknowledged": result.acknowledged,
                                  "journal_entries": result.journal_entries})
        store.put(folder, contents)
        journal.record(session, "exchange.receive", f"committee:{peer.uid}",
                       {"sequence": sequence, "manifest_sha256": row.manifest_sha256,
                        "missing": list(result.missing), "summary": json.loads(row.summary)})
        if issued is not None:
            certificates.install(folder.keys_dir, issued["certificate"], issued["chain"])
            result.certificate_installed = True
    return result


def _created(contents: archive.Contents) -> datetime:
    try:
        return datetime.fromisoformat(str(contents.manifest.get("created"))).replace(
            tzinfo=None)
    except ValueError:
        return datetime.now()


def _json(entry: archive.Entry) -> dict[str, Any]:
    try:
        document = json.loads(entry.data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError(_("The archive entry {name} cannot be read; nothing was "
                           "imported.").format(name=entry.path)) from None
    if not isinstance(document, dict):
        raise InputError(_("The archive entry {name} cannot be read; nothing was "
                           "imported.").format(name=entry.path))
    return document


def _import_entries(session: Session, contents: archive.Contents, via: Committee,
                    row: ExchangeArchive,
                    result: ReceiveResult, known: list[tuple[bytes, str, str, str]],
                    depth: int, segments: list[_Segment]) -> None:
    """Sessions, packets and forwarded archives (recursively) of one archive's content.

    The journal segments of forwarded archives are gathered in ``segments``, in order, for
    ``_check_journals``.
    """
    origin_uid = str(contents.sender["uid"])
    origin_name = str(contents.sender.get("name", ""))[:200]
    packets = {str(item.get("ref", "")): str(item["sha256"])
               for item in contents.manifest["entries"] if item.get("kind") == "packet"}
    for entry in contents.entries.values():
        if entry.kind == "session":
            if depth == 0 and via.relation != "child":
                raise InputError(_("Only a child committee sends sessions up; nothing was "
                                   "imported."))
            _changed, recs = exchange_content.import_session(
                session, _json(entry), origin_uid=origin_uid, origin_name=origin_name,
                via=via, archive_id=row.id, packet_sha256=packets.get(entry.ref, ""))
            result.sessions += 1
            result.recommendations += recs
        elif entry.kind == "forward":
            if depth == 0 and (via.relation != "child" or via.level == "commune"):
                raise InputError(_("Only a child committee with committees below it forwards "
                                   "their archives; nothing was imported."))
            if depth + 1 > MAX_NESTING:
                raise InputError(_("This archive nests forwarded archives too deeply."))
            nested = archive.unpack(entry.data)
            if str(nested.receiver.get("uid")) != origin_uid:
                raise InputError(_("A forwarded archive was not addressed to the committee "
                                   "that forwarded it; nothing was imported."))
            name = str(nested.sender.get("name", ""))[:200]
            if certificates.anchor(nested.chain, known) is None:
                # Signed before its parent's certificate reached it: the forwarding
                # committee's own signature still vouches for it, and we say so.
                result.notes.append(_("The archive forwarded from « {name} » is signed with a "
                                      "key not yet certified by a committee known here; only "
                                      "« {via} » vouches for it.").format(name=name,
                                                                         via=via.name))
            result.forwarded += 1
            result.signed_by.append(name)
            _import_entries(session, nested, via, row, result, known, depth + 1, segments)
        elif entry.kind == "journal" and depth > 0:
            # A committee further below: its journal came up inside its own signed content,
            # and continues what earlier forwarded archives brought of it.
            segments.append((origin_uid, origin_name, _json(entry)))


def _apply_ack(session: Session, document: dict[str, Any], own: Committee, peer: Committee,
               now: datetime) -> int:
    """Mark our archive (and what it carried) as acknowledged; the count of items settled."""
    try:
        sequence, manifest = int(document["sequence"]), str(document["manifest_sha256"])
        ok = document.get("format") == "ccsdesk-ack/1" and document["sender"] == own.uid
    except (KeyError, ValueError, TypeError):
        ok = False
    if not ok:
        raise InputError(_("An acknowledgement in this archive cannot be read; nothing was "
                           "imported."))
    sent = session.scalar(select(ExchangeArchive).where(
        ExchangeArchive.direction == "out", ExchangeArchive.peer_id == peer.id,
        ExchangeArchive.sequence == sequence))
    if sent is None or sent.manifest_sha256 != manifest:
        return 0
    if sent.acknowledged_at is None:
        sent.acknowledged_at = now
    count = 0
    for item in session.scalars(select(ExchangeItem).where(ExchangeItem.archive_id == sent.id)):
        if item.acknowledged_at is None:
            item.acknowledged_at = now
            count += item.kind in TRACKED_KINDS
    return count


def _check_certificate(folder: DataFolder, document: dict[str, Any], own: Committee,
                       peer: Committee) -> dict[str, Any]:
    if peer.relation != "parent":
        raise InputError(_("Only the parent committee issues certificates; nothing was "
                           "imported."))
    try:
        issued, chain = str(document["certificate"]), [str(p) for p in document["chain"]]
        ours = certificates.public_key_der(issued) == certificates.public_key_der(
            own.signing_certificate)
        by_parent = bool(chain) and certificates.public_key_der(chain[0]) == \
            certificates.public_key_der(peer.signing_certificate)
        valid = ours and by_parent and certificates.signed_by(issued, chain[0])
    except (KeyError, TypeError, InputError):
        valid = False
    if not valid:
        raise InputError(_("The certificate in this archive is not one the parent issued for "
                           "this committee's key; nothing was imported."))
    return {"certificate": issued, "chain": chain}


def received_sessions(folder: DataFolder) -> list[dict[str, Any]]:
    """Sessions received from other committees (newest first), for lists and checks."""
    with folder.database.reading() as session:
        rows = session.scalars(select(ReceivedSession).order_by(ReceivedSession.date.desc()))
        return [{"id": r.id, "uid": r.uid, "origin_uid": r.origin_uid,
                 "origin": r.origin_name, "label": r.label, "date": r.date.isoformat(),
                 "state": r.state, "has_packet": bool(r.packet_sha256)} for r in rows]


def received_packet(folder: DataFolder, uid: str) -> bytes | None:
    """A received session's signed packet, read (and checked) from the kept archive."""
    with folder.database.reading() as session:
        row = session.scalar(select(ReceivedSession).where(ReceivedSession.uid == uid))
        if row is None or not row.packet_sha256:
            return None
        digest = row.packet_sha256
        manifest = session.scalar(select(ExchangeArchive.manifest_sha256).where(
            ExchangeArchive.id == row.archive_id))
    return store.find_entry(store.get(folder, str(manifest)), "packet", digest)
