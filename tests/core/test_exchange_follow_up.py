"""Follow-up decisions across three levels: whoever decides, every level ends with one history.

A commune's recommendation is held by the commune, by its District and (forwarded) by the
national level. A step the District records goes down to the commune and up to national; a
step national records goes down to the District and on to the commune. Each step keeps the
committee that decided it, is merged by its identity (no duplicate whichever way it came
first), is never echoed back to where it came from, and acknowledgements still settle.
"""

from __future__ import annotations

import pytest

from ccsdesk.core.errors import InputError
from ccsdesk.core.services import exchange, journal, recommendations
from tests.core.exchange_helpers import DISTRICT, NATIONAL, Office, child_of, signed_session


def _history(office_: Office) -> list[tuple[str, str, str, str]]:
    """The one recommendation's steps at this level, in time order, with their decider."""
    rows = recommendations.list_recommendations(office_.folder)
    assert len(rows) == 1
    steps = recommendations.get(office_.folder, rows[0].id).history
    return [(s.status, s.note, s.author, s.committee) for s in sorted(steps, key=lambda s: s.at)]


def _held_at_every_level(commune: Office, district: Office,
                         national: Office) -> exchange.ReceiveResult:
    """Certificates down both links, then the commune's signed session up to the District
    and forwarded to national: what national says of it."""
    commune.receive(district.send(child_of(district))[0])
    district.receive(national.send(child_of(national))[0])
    signed_session(commune.folder)
    district.receive(commune.send("parent")[0])
    return national.receive(district.send("parent")[0])


def _set(office_: Office, status: str, note: str, author: str) -> None:
    rec = recommendations.list_recommendations(office_.folder)[0]
    recommendations.set_status(office_.folder, rec.id, status, note, author=author)


def test_status_changes_reach_every_level_holding_the_recommendation(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    assert _held_at_every_level(commune, district, national).sessions == 1

    # The District decides: the step goes up to national, with the District as decider.
    _set(district, "accepted", "Retenue par le CSS du District", "Secrétaire CSS")
    up_with_decision, sent = district.send("parent")
    assert sent.counts.get("decision") == 1
    assert ("decision", "Recommandation 1 de « CCS de la Commune IV » : acceptée") in sent.items
    got = national.receive(up_with_decision)
    assert got.decisions == 1
    assert _history(national)[-1] == ("accepted", "Retenue par le CSS du District",
                                      "Secrétaire CSS", DISTRICT)
    assert recommendations.list_recommendations(national.folder)[0].status == "accepted"
    # ... and down to the commune, with the same decider.
    assert commune.receive(district.send(child_of(district))[0]).decisions == 1
    assert _history(commune)[-1][3] == DISTRICT

    # National decides: down to the District, then on to the commune.
    _set(national, "in_progress", "Inscrite au plan national", "Chef de division")
    down, sent = national.send(child_of(national))
    assert sent.counts.get("decision") == 1
    assert district.receive(down).decisions == 1
    assert _history(district)[-1] == ("in_progress", "Inscrite au plan national",
                                      "Chef de division", NATIONAL)
    # National's step is not echoed back up: the District's own step was acknowledged.
    back_up, sent = district.send("parent")
    assert "decision" not in sent.counts
    national.receive(back_up)
    down, sent = district.send(child_of(district))
    assert sent.counts.get("decision") == 1
    assert commune.receive(down).decisions == 1

    # The commune sends its session again (its history now holds all three steps); the
    # District forwards it: nothing is added twice anywhere.
    district.receive(commune.send("parent")[0])
    national.receive(district.send("parent")[0])
    history = _history(commune)
    assert [(s, n, c) for s, n, _a, c in history] == [
        ("proposed", "", "CCS de la Commune IV"),
        ("accepted", "Retenue par le CSS du District", DISTRICT),
        ("in_progress", "Inscrite au plan national", NATIONAL)]
    for each in (district, national):
        assert _history(each) == history
        assert recommendations.list_recommendations(each.folder)[0].status == "in_progress"

    # Acknowledgements settle every way: one more round trip and nothing is pending.
    commune.receive(district.send(child_of(district))[0])
    district.receive(national.send(child_of(national))[0])
    for each in (commune, district, national):
        assert all(c.unacknowledged == () for c in exchange.list_committees(each.folder)), \
            [c.unacknowledged for c in exchange.list_committees(each.folder)]
        assert journal.verify(each.folder.database).intact


def test_decisions_merge_by_step_and_replay_is_refused(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    _held_at_every_level(commune, district, national)
    _set(district, "accepted", "Retenue", "Secrétaire CSS")
    # The same step reaches national twice: in the District's decision and in the
    # commune's session forwarded with it (the commune received the step first).
    commune.receive(district.send(child_of(district))[0])
    district.receive(commune.send("parent")[0])
    first, sent = district.send("parent")
    assert sent.counts.get("decision") == 1 and sent.counts.get("forward", 0) >= 1
    assert national.receive(first).decisions == 0  # the forwarded session brought it first
    history = _history(national)
    assert [s for s, *_ in history] == ["proposed", "accepted"]
    assert history[-1][3] == DISTRICT  # the decider travels with the step, whatever the way
    # The same archive again changes nothing; an older one after a newer is a replay.
    assert national.receive(first).already
    _set(district, "implemented", "Patrouilles en place", "Secrétaire CSS")
    lost, _ = district.send("parent")  # never reaches national
    second, _ = district.send("parent")
    got = national.receive(second)
    assert got.missing == (got.sequence - 1,) and got.decisions == 1
    assert [s for s, *_ in _history(national)] == ["proposed", "accepted", "implemented"]
    with pytest.raises(InputError, match=r"plus ancienne|older"):
        national.receive(lost)
    assert national.receive(second).already
    assert len(_history(national)) == 3


def test_a_child_decides_only_on_what_came_up_through_it(hierarchy) -> None:  # type: ignore[no-untyped-def]
    import json

    from ccsdesk.core.exchange import archive
    from tests.core.test_exchange import _forged_archive, _snapshot

    _commune, district, national = hierarchy
    _meeting, rec_id = signed_session(national.folder)  # national's own recommendation
    uid = recommendations.get(national.folder, rec_id).uid
    with district.folder.database.reading() as session:
        own = exchange._own(session)
        sender = {"uid": own.uid, "name": own.name}
    decision = json.dumps({"format": "ccsdesk-decision/1", "uid": uid, "number": 1,
                           "status": "rejected", "history": [
                               {"status": "rejected", "at": "2026-05-01T10:00:00.000000",
                                "author": "x", "note": "Rejetée par le District"}]}).encode()
    before = _snapshot(national)
    with pytest.raises(InputError, match=r"n’est pas passée par le comité qui l’envoie"):
        national.receive(_forged_archive(district, sender, national, [archive.Entry(
            f"entries/decisions/{uid}.json", "decision", decision, uid)]))
    assert _snapshot(national) == before
    assert recommendations.get(national.folder, rec_id).status == "proposed"
