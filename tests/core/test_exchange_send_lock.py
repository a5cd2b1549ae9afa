"""``send`` builds its archive without holding the write lock, and stays consistent.

The signed packets (about 0.35 s per due session) and the sealing are made outside any
write transaction: a second program writing into the same data folder at that moment goes
through at once instead of queueing behind the send. When what it wrote changes what the
archive must carry, the archive is built again from the new state; when the data keeps
changing, the send gives up with a clear message and records nothing.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from ccsdesk.core.errors import StateError
from ccsdesk.core.exchange import archive
from ccsdesk.core.services import exchange, recommendations, roster
from ccsdesk.core.storage.models import ExchangeArchive
from tests.conftest import PASSPHRASE, run_process
from tests.core.exchange_helpers import Office, signed_session


def _send(commune: Office, built) -> tuple[bytes, exchange.SendResult]:  # type: ignore[no-untyped-def]
    box: list[bytes] = []
    result = exchange.send(commune.folder, "parent", PASSPHRASE, box.append, built)
    return box[0], result


def _sent(office_: Office) -> list[int]:
    with office_.folder.database.reading() as session:
        return list(session.scalars(select(ExchangeArchive.sequence).where(
            ExchangeArchive.direction == "out")))


def _session_statuses(data: bytes, commune: Office) -> list[str]:
    import json

    contents = archive.unpack(archive.decrypt(data, commune.secrets.age_identity))
    [session] = [json.loads(e.data) for e in contents.entries.values() if e.kind == "session"]
    return [step["status"] for step in session["recommendations"][0]["history"]]


def test_another_program_writes_while_the_archive_is_built(pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    _meeting, rec_id = signed_session(commune.folder)
    attempts: list[int] = []
    took: list[float] = []

    def meanwhile(attempt: int) -> None:
        attempts.append(attempt)
        if attempt == 1:
            # A real second process records a follow-up step while the archive, built,
            # waits to be recorded: it must not wait for the send.
            start = time.monotonic()
            done = run_process("--data-dir", str(commune.folder.path), "recommendations",
                               "status", str(rec_id), "transmitted", "--note",
                               "Transmise au Gouverneur")
            took.append(time.monotonic() - start)
            assert done.code == 0, done.err

    data, sent = _send(commune, meanwhile)
    # The step changed the session the archive carries: it was built again, with it.
    assert attempts == [1, 2]
    assert took[0] < 10  # a writer queueing behind a lock would wait its 15 s timeout
    assert sent.sequence == 1 and _sent(commune) == [1]
    assert _session_statuses(data, commune) == ["proposed", "transmitted"]
    got = district.receive(data)
    assert got.sessions == 1
    assert recommendations.list_recommendations(district.folder)[0].status == "transmitted"


def test_a_change_that_does_not_touch_the_archive_keeps_it(pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    attempts: list[int] = []

    def meanwhile(attempt: int) -> None:
        attempts.append(attempt)
        # Another thread adds a member: only the journal grows, and the segment already
        # built stays a valid one (the rest goes with the next archive).
        worker = threading.Thread(target=roster.add_member, args=(
            commune.folder, roster.MemberData(last_name="Coulibaly", first_names="Adama",
                                              sex="M", role="member")))
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive()  # it did not wait for the send

    data, sent = _send(commune, meanwhile)
    assert attempts == [1] and sent.sequence == 1
    assert district.receive(data).journal_entries > 0
    assert [m.last_name for m in roster.list_members(commune.folder)
            if m.last_name == "Coulibaly"] == ["Coulibaly"]


def test_data_that_keeps_changing_is_refused_and_nothing_recorded(pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    _meeting, rec_id = signed_session(commune.folder)
    attempts: list[int] = []

    def meanwhile(attempt: int) -> None:
        attempts.append(attempt)
        recommendations.set_status(commune.folder, rec_id, "transmitted",
                                   f"Relance n° {attempt}")

    written: list[bytes] = []
    with pytest.raises(StateError, match=r"ont changé pendant la préparation"):
        exchange.send(commune.folder, "parent", PASSPHRASE, written.append, meanwhile)
    assert attempts == [1, 2, 3] and written == [] and _sent(commune) == []
    # Once it is quiet, the next send takes number 1 and carries every step.
    data, sent = _send(commune, None)
    assert sent.sequence == 1
    assert _session_statuses(data, commune) == ["proposed"] + ["transmitted"] * 3
    assert district.receive(data).sessions == 1


def test_two_sends_at_once_take_two_numbers(pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    other: list[tuple[bytes, exchange.SendResult]] = []
    attempts: list[int] = []

    def meanwhile(attempt: int) -> None:
        attempts.append(attempt)
        if attempt == 1:  # a second send (another window) runs to its end meanwhile
            worker = threading.Thread(target=lambda: other.append(_send(commune, None)))
            worker.start()
            worker.join(timeout=60)
            assert not worker.is_alive()

    data, sent = _send(commune, meanwhile)
    # The number the first build used was taken: it was built again under the next one.
    assert attempts == [1, 2]
    assert (other[0][1].sequence, sent.sequence) == (1, 2) and _sent(commune) == [1, 2]
    assert district.receive(other[0][0]).sessions == 1
    got = district.receive(data)
    assert got.sequence == 2 and got.missing == () and got.sessions == 1
