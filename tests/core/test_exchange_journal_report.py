"""What ``verify`` and ``receive`` say of the journal segments an archive carries.

``verify FILE`` walks every segment (the sender's own and those inside forwarded archives)
exactly as ``receive`` does, without keeping anything; a segment forged in an archive
re-signed with the sender's real key is reported broken by both. Both say how many journal
entries came, and from which committee.
"""

from __future__ import annotations

import pytest

from ccsdesk.core.errors import InputError
from ccsdesk.core.services import exchange, journal, roster
from tests.core.exchange_helpers import COMMUNE, DISTRICT, Office, signed_session
from tests.core.test_journal_segments import _resealed, _segment_ids, _snapshot


def _verify(office_: Office, data: bytes) -> exchange.ReceiveResult:
    return exchange.verify(office_.folder, data, office_.secrets)


def _arrivals(result: exchange.ReceiveResult) -> dict[str, tuple[int, int]]:
    return {j.name: (j.entries, j.new) for j in result.journals}


def test_verify_checks_the_journal_as_receive_does_and_keeps_nothing(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    up, _ = commune.send("parent")
    carried = len(_segment_ids(up, commune))
    before = _snapshot(district)
    checked = _verify(district, up)
    assert _arrivals(checked) == {COMMUNE: (carried, carried)}
    assert checked.journal_entries == carried
    assert _snapshot(district) == before  # a check only
    imported = district.receive(up)
    assert _arrivals(imported) == {COMMUNE: (carried, carried)}
    assert imported.journal_entries == carried
    # Once imported, the same archive verifies again: every entry is already held.
    assert _arrivals(_verify(district, up)) == {COMMUNE: (carried, 0)}


def test_a_forged_journal_is_reported_by_verify_too(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    up, _ = commune.send("parent")

    def rewrite_details(entries: list[dict]) -> None:
        entries[2]["details"] = entries[2]["details"].replace("Diarra", "Traoré")

    forged = _resealed(up, commune, district, rewrite_details)
    before = _snapshot(district)
    with pytest.raises(InputError, match=r"journal de « CCS de la Commune IV ».*entrée 3"):
        _verify(district, forged)
    with pytest.raises(InputError, match=r"journal de « CCS de la Commune IV ».*entrée 3"):
        district.receive(forged)
    assert _snapshot(district) == before


def test_forwarded_journals_are_counted_per_committee(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    signed_session(commune.folder)
    first, _ = commune.send("parent")
    district.receive(first)
    # A second commune archive, its journal overlapping the first (not acknowledged yet):
    # the District forwards both in one archive, national checks them one after the other.
    roster.add_member(commune.folder, roster.MemberData(
        last_name="Coulibaly", first_names="Adama", sex="M", role="member"))
    second, _ = commune.send("parent")
    district.receive(second)
    commune_total = _segment_ids(second, commune)[-1]
    forward, sent = district.send("parent")
    assert sent.counts["forward"] == 2
    district_own = len(_segment_ids(forward, district))
    checked = _verify(national, forward)
    assert checked.journal_entries == commune_total + district_own
    assert {name: new for name, (_count, new) in _arrivals(checked).items()} == {
        COMMUNE: commune_total, DISTRICT: district_own}
    imported = national.receive(forward)
    assert {name: new for name, (_count, new) in _arrivals(imported).items()} == {
        COMMUNE: commune_total, DISTRICT: district_own}
    assert imported.journal_entries == checked.journal_entries
    held = {j.origin_name: j.entries for j in journal.received_journals(
        national.folder.database)}
    assert held == {COMMUNE: commune_total, DISTRICT: district_own}
