"""The journal segment that travels up in exchange archives, with three real data folders.

A commune's journal reaches the District and is checked link by link against what the
District already holds of it; a tampered entry in an archive re-signed by the commune's own
key is refused with nothing imported; segments continue across sends, and the parent's
acknowledgement moves the window of what is sent forward.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import archive
from ccsdesk.core.services import exchange, journal, roster
from ccsdesk.core.storage.models import (
    ExchangeArchive,
    ExchangeItem,
    JournalEntry,
    ReceivedJournalEntry,
    ReceivedSession,
)
from tests.core.exchange_helpers import Office, child_of, signed_session, snapshot


def _snapshot(office_: Office) -> tuple[int, ...]:
    return snapshot(office_, ExchangeArchive, ReceivedSession, ReceivedJournalEntry)


def _segment_ids(data: bytes, sender: Office) -> list[int]:
    """The journal entry ids an archive carries (the sender can open what it sent)."""
    contents = archive.unpack(archive.decrypt(data, sender.secrets.age_identity))
    documents = [json.loads(e.data) for e in contents.entries.values() if e.kind == "journal"]
    return [entry["id"] for document in documents for entry in document["entries"]]


def _resealed(data: bytes, sender: Office, receiver: Office, change) -> bytes:  # type: ignore[no-untyped-def]
    """The same archive with its journal document changed by ``change``, signed again with
    the sender's real key: only the journal's own chain can show the forgery."""
    contents = archive.unpack(archive.decrypt(data, sender.secrets.age_identity))
    entries = []
    for entry in contents.entries.values():
        if entry.kind == "journal":
            document = json.loads(entry.data)
            change(document["entries"])
            entry = archive.Entry(entry.path, entry.kind, json.dumps(document).encode(),
                                  entry.ref)
        entries.append(entry)
    fields = {k: v for k, v in contents.manifest.items() if k not in ("format", "entries")}
    inner, _manifest = archive.pack(fields, entries, sender.secrets.signing_key_der,
                                    contents.chain)
    with receiver.folder.database.reading() as session:
        recipient = exchange._own(session).age_recipient
    return archive.encrypt(inner, [recipient])


def test_commune_segment_reaches_the_district_and_is_checked(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    held = journal.verify(commune.folder.database).entries
    up, sent = commune.send("parent")
    assert sent.counts == {"session": 1}  # the segment rides along, it is not an item
    assert _segment_ids(up, commune) == list(range(1, held + 1))
    result = district.receive(up)
    assert result.journal_entries == held and result.sessions == 1
    [received] = journal.received_journals(district.folder.database)
    assert (received.origin_name, received.entries) == ("CCS de la Commune IV", held)
    assert received.report.intact and received.report.entries == held
    # What the District holds is exactly the commune's chain.
    with district.folder.database.reading() as session:
        hashes = list(session.scalars(select(ReceivedJournalEntry.hash).order_by(
            ReceivedJournalEntry.entry_id)))
    with commune.folder.database.reading() as session:
        assert hashes == list(session.scalars(select(JournalEntry.hash).order_by(
            JournalEntry.id).limit(held)))
    # The District's own journal says what it imported, and never goes down to the commune.
    down, _ = district.send(child_of(district))
    assert _segment_ids(down, district) == []


def test_tampered_entry_in_a_resealed_archive_is_refused(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    up, _sent = commune.send("parent")
    before = _snapshot(district)

    def rewrite_details(entries: list[dict]) -> None:
        entries[2]["details"] = entries[2]["details"].replace("Diarra", "Traoré")

    with pytest.raises(InputError, match=r"journal de « CCS de la Commune IV ».*entrée 3"):
        district.receive(_resealed(up, commune, district, rewrite_details))

    def rewrite_and_rehash(entries: list[dict]) -> None:
        # Recomputing the changed entry's hash does not help: the next link breaks.
        entries[2]["actor"] = "quelqu’un d’autre"
        e = entries[2]
        e["hash"] = journal._digest(datetime.fromisoformat(e["at"]), e["actor"], e["action"],
                                    e["subject"], e["details"], e["prev_hash"])

    with pytest.raises(InputError, match=r"entrée 4"):
        district.receive(_resealed(up, commune, district, rewrite_and_rehash))

    def drop_first(entries: list[dict]) -> None:
        del entries[0]

    with pytest.raises(InputError, match=r"entrée 2"):
        district.receive(_resealed(up, commune, district, drop_first))
    assert _snapshot(district) == before
    # The genuine archive still goes in.
    assert district.receive(up).journal_entries > 0


def test_continuity_and_the_acknowledgement_moves_the_window(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    first, _ = commune.send("parent")
    first_ids = _segment_ids(first, commune)
    assert first_ids[0] == 1
    district.receive(first)
    # Not acknowledged yet: the next archive carries the whole journal again (overlapping),
    # and the District checks the overlap against what it holds.
    roster.add_member(commune.folder, roster.MemberData(
        last_name="Coulibaly", first_names="Adama", sex="M", role="member"))
    second, _ = commune.send("parent")
    second_ids = _segment_ids(second, commune)
    assert second_ids[0] == 1 and second_ids[-1] > first_ids[-1]
    assert district.receive(second).journal_entries == second_ids[-1] - first_ids[-1]
    # The District's acknowledgement comes down: the window moves past the first segment.
    commune.receive(district.send(child_of(district))[0])
    with commune.folder.database.reading() as session:
        acked = list(session.scalars(select(ExchangeItem.ref).where(
            ExchangeItem.kind == "journal", ExchangeItem.acknowledged_at.is_not(None))))
    assert sorted(acked) == sorted([f"1-{first_ids[-1]}", f"1-{second_ids[-1]}"])
    roster.add_member(commune.folder, roster.MemberData(
        last_name="Keita", first_names="Fanta", sex="F", role="member"))
    third, _ = commune.send("parent")
    third_ids = _segment_ids(third, commune)
    assert third_ids[0] == second_ids[-1] + 1
    assert district.receive(third).journal_entries == len(third_ids)
    [received] = journal.received_journals(district.folder.database)
    assert received.entries == third_ids[-1] and received.report.intact


def test_a_segment_that_does_not_continue_or_rewrites_history_is_refused(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    district.receive(commune.send("parent")[0])
    commune.receive(district.send(child_of(district))[0])
    roster.add_member(commune.folder, roster.MemberData(
        last_name="Keita", first_names="Fanta", sex="F", role="member"))
    up, _ = commune.send("parent")
    assert _segment_ids(up, commune)[0] > 1
    before = _snapshot(district)

    def relink(entries: list[dict]) -> None:
        # A first entry that claims another predecessor, consistently rehashed.
        e = entries[0]
        e["prev_hash"] = "f" * 64
        e["hash"] = journal._digest(datetime.fromisoformat(e["at"]), e["actor"],
                                    e["action"], e["subject"], e["details"], e["prev_hash"])

    with pytest.raises(InputError, match=r"ne prolonge pas|does not continue"):
        district.receive(_resealed(up, commune, district, relink))

    def history(entries: list[dict]) -> None:
        # An entry the District already holds, sent again with another content.
        entries.insert(0, {"id": 2, "at": "2026-01-01T00:00:00.000000", "actor": "x",
                           "action": "member.delete", "subject": "member:1", "details": "{}",
                           "prev_hash": journal.GENESIS})
        e = entries[0]
        e["hash"] = journal._digest(datetime.fromisoformat(e["at"]), e["actor"],
                                    e["action"], e["subject"], e["details"], e["prev_hash"])

    with pytest.raises(InputError, match=r"diffère|differs"):
        district.receive(_resealed(up, commune, district, history))
    assert _snapshot(district) == before
    assert district.receive(up).journal_entries == len(_segment_ids(up, commune))


def test_a_parent_cannot_send_a_journal_down(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    with district.folder.database.reading() as session:
        data = json.dumps(journal.segment(session, 0)).encode()
    from tests.core.test_exchange import _forged_archive

    with district.folder.database.reading() as session:
        own = exchange._own(session)
        sender = {"uid": own.uid, "name": own.name}
    before = _snapshot(commune)
    with pytest.raises(InputError, match=r"journal"):
        commune.receive(_forged_archive(district, sender, commune, [
            archive.Entry("entries/journal/1-2.json", "journal", data, "1-2")]))
    assert _snapshot(commune) == before


def test_forwarded_commune_journal_is_checked_at_national(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    signed_session(commune.folder)
    district.receive(commune.send("parent")[0])
    commune_held = journal.received_journals(district.folder.database)[0].entries
    forward, _ = district.send("parent")
    result = national.receive(forward)
    assert result.forwarded == 1
    journals = {j.origin_name: j for j in journal.received_journals(national.folder.database)}
    assert set(journals) == {"CCS de la Commune IV", "CCS du District de Bamako"}
    assert journals["CCS de la Commune IV"].entries == commune_held
    assert all(j.report.intact for j in journals.values())
    # The same forwarded content again (its acknowledgement lost): the overlap matches.
    again, _ = district.send("parent")
    assert national.receive(again).forwarded == 1
    assert journal.received_journals(national.folder.database)[0].entries == commune_held
