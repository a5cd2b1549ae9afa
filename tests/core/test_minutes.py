"""Minutes: autosave with a revision check, draft → adopted → signed, frozen, corrections.

The kill test runs ``save_draft`` in a real child process, kills it with SIGKILL mid-way
and reopens the folder: at most the save in flight is lost and the database is intact.
"""

from __future__ import annotations

import signal
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from ccsdesk.core.errors import InputError, StateError, WrongPassphraseError
from ccsdesk.core.services import attendance, journal, meetings, minutes, roster, search
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import typist


@pytest.fixture
def held(commune: DataFolder) -> tuple[DataFolder, int]:
    """A session with two agenda items and attendance recorded."""
    president = roster.add_member(commune, roster.MemberData(
        last_name="Diarra", first_names="Mariam", sex="F", role="president"))
    other = roster.add_member(commune, roster.MemberData(
        last_name="Coulibaly", first_names="Seydou", sex="M"))
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10))
    meetings.add_agenda_item(commune, meeting.id, "Vols de motos au marché")
    meetings.add_agenda_item(commune, meeting.id, "Éclairage public")
    attendance.set_attendance(commune, meeting.id, president, "present")
    attendance.set_attendance(commune, meeting.id, other, "excused")
    return commune, meeting.id


def test_draft_saves_only_what_changed(held) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = held
    empty = minutes.get_minutes(folder, meeting)
    assert (empty.revision, empty.state, empty.number) == (0, "draft", 1)
    assert [i.title for i in empty.items] == ["Vols de motos au marché", "Éclairage public"]
    entries = journal.verify(folder.database).entries
    revision = minutes.save_draft(folder, meeting, revision=0, opening="L’an deux mille…",
                                  items={1: "Trois motos volées."}, closing_time="12h")
    assert revision == 1
    assert minutes.save_draft(folder, meeting, revision=1, items={1: "Trois motos volées."}) == 1
    revision = minutes.save_draft(folder, meeting, revision=1, divers="RAS")
    info = minutes.get_minutes(folder, meeting)
    assert (info.revision, info.opening, info.divers, info.closing_time) == (
        2, "L’an deux mille…", "RAS", "12:00")
    assert info.item(1).text == "Trois motos volées." and info.item(2).text == ""
    assert journal.verify(folder.database).entries == entries + 2
    with pytest.raises(InputError, match="pas de point 7"):
        minutes.save_draft(folder, meeting, revision=2, items={7: "x"})
    with pytest.raises(InputError, match="HH:MM"):
        minutes.save_draft(folder, meeting, revision=2, closing_time="midi")
    assert minutes.get_minutes(folder, meeting).revision == 2


def test_second_writer_is_refused(held) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = held
    window_a = minutes.get_minutes(folder, meeting).revision
    window_b = minutes.get_minutes(folder, meeting).revision
    window_a = minutes.save_draft(folder, meeting, revision=window_a, items={1: "Texte de A"})
    with pytest.raises(StateError, match="modifié ailleurs"):
        minutes.save_draft(folder, meeting, revision=window_b, items={1: "Texte de B"})
    assert minutes.get_minutes(folder, meeting).item(1).text == "Texte de A"
    # Window B reloads and writes on top of A's text.
    window_b = minutes.get_minutes(folder, meeting).revision
    minutes.save_draft(folder, meeting, revision=window_b, items={1: "Texte de A, puis B"})
    with pytest.raises(StateError, match="modifié ailleurs"):
        minutes.save_draft(folder, meeting, revision=window_a, items={1: "A encore"})
    assert minutes.get_minutes(folder, meeting).item(1).text == "Texte de A, puis B"


def test_lifecycle_and_refusals(held) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = held
    with pytest.raises(StateError, match="vide"):
        minutes.adopt(folder, meeting)
    minutes.write_item(folder, meeting, 1, "Trois motos volées.")
    with pytest.raises(StateError, match="Adoptez"):
        minutes.sign(folder, meeting, PASSPHRASE)
    adopted = minutes.adopt(folder, meeting)
    assert adopted.state == "adopted" and adopted.adopted_at is not None
    assert meetings.get_meeting(folder, meeting).state == "minutes_adopted"
    with pytest.raises(StateError, match="adopté"):
        minutes.write_item(folder, meeting, 1, "Changé après adoption")
    with pytest.raises(WrongPassphraseError):
        minutes.sign(folder, meeting, "pas-la-bonne-phrase")
    still = minutes.get_minutes(folder, meeting)
    assert still.state == "adopted" and still.signed_at is None and still.signer == ""
    signed = minutes.sign(folder, meeting, PASSPHRASE)
    assert signed.state == "signed" and signed.signer == "DIARRA Mariam"
    assert signed.signed_at is not None and len(signed.text_hash) == 64
    assert meetings.get_meeting(folder, meeting).state == "signed"
    with pytest.raises(StateError, match="déjà signé"):
        minutes.sign(folder, meeting, PASSPHRASE)


def test_signing_without_attendance_is_refused(commune: DataFolder) -> None:
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10))
    meetings.add_agenda_item(commune, meeting.id, "Vols")
    minutes.write_item(commune, meeting.id, 1, "Texte")
    with pytest.raises(StateError, match="présences"):
        minutes.adopt(commune, meeting.id)
    with pytest.raises(StateError, match="présences"):
        minutes.sign(commune, meeting.id, PASSPHRASE)
    assert minutes.get_minutes(commune, meeting.id).state == "draft"


def _sign(folder: DataFolder, meeting: int, text_: str) -> None:
    minutes.save_draft(folder, meeting, revision=None, opening="Ouverture",
                       items={1: text_}, closing_time="12:30")
    minutes.adopt(folder, meeting)
    minutes.sign(folder, meeting, PASSPHRASE, signer="Le Président")


def test_signed_text_cannot_change_by_any_path(held) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = held
    _sign(folder, meeting, "Texte signé")
    before = minutes.get_minutes(folder, meeting)
    for attempt in (
        lambda: minutes.write_item(folder, meeting, 1, "Falsifié"),
        lambda: minutes.save_draft(folder, meeting, revision=before.revision, opening="X"),
        lambda: minutes.save_draft(folder, meeting, revision=None, closing_time="18:00"),
        lambda: minutes.adopt(folder, meeting),
        lambda: meetings.edit_agenda_item(folder, meeting, 1, title="Autre titre"),
        lambda: meetings.remove_agenda_item(folder, meeting, 2),
    ):
        with pytest.raises(StateError):
            attempt()
    # Below the services: SQLite triggers refuse to touch a signed version.
    for statement in (
        "UPDATE minutes_item SET text = 'Falsifié'",
        "UPDATE minutes_version SET opening = 'Falsifié'",
        "DELETE FROM minutes_item",
        "DELETE FROM minutes_version",
        "INSERT INTO minutes_item (version_id, agenda_item_id, text) VALUES (1, 2, 'Ajout')",
    ):
        with (pytest.raises(Exception, match="signed minutes cannot be changed"),
              folder.database.unit_of_work() as session):
            session.execute(text(statement))
    after = minutes.get_minutes(folder, meeting)
    assert after == before
    with folder.database.reading() as session:
        from ccsdesk.core.storage.models import Meeting, Minutes, MinutesVersion

        row = session.get(Meeting, meeting)
        version = session.query(MinutesVersion).join(Minutes).filter(
            Minutes.meeting_id == meeting).one()
        assert minutes.text_hash(session, row, version) == before.text_hash


def test_correction_makes_a_new_version_and_keeps_the_old(held) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = held
    with pytest.raises(StateError, match="vide"):
        minutes.correct(folder, meeting, "coquille")
    _sign(folder, meeting, "Trois motos volées le 2 mars.")
    with pytest.raises(InputError, match="motif"):
        minutes.correct(folder, meeting, "  ")
    corrected = minutes.correct(folder, meeting, "Erreur de date : le 3 mars")
    assert (corrected.number, corrected.state, corrected.versions) == (2, "draft", 2)
    assert corrected.reason == "Erreur de date : le 3 mars"
    assert corrected.item(1).text == "Trois motos volées le 2 mars."
    with pytest.raises(StateError, match="brouillon"):
        minutes.correct(folder, meeting, "encore")
    # An editor still open on version 1 (revision 0 would match the new draft) is refused.
    with pytest.raises(StateError, match="modifié ailleurs"):
        minutes.save_draft(folder, meeting, revision=0, version=1, items={1: "Vieux texte"})
    minutes.write_item(folder, meeting, 1, "Trois motos volées le 3 mars.")
    first = minutes.get_minutes(folder, meeting, version=1)
    assert first.state == "signed" and first.item(1).text == "Trois motos volées le 2 mars."
    assert minutes.get_minutes(folder, meeting).item(1).text == "Trois motos volées le 3 mars."
    minutes.adopt(folder, meeting)
    second = minutes.sign(folder, meeting, PASSPHRASE)
    assert second.number == 2 and second.text_hash != first.text_hash
    assert [(v.number, v.state) for v in minutes.list_versions(folder, meeting)] == [
        (1, "signed"), (2, "signed")]
    assert {h.ref for h in search.search(folder, "3 mars")} == {meeting}
    assert journal.verify(folder.database).intact


CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ccsdesk.core.services import minutes
    from ccsdesk.core.storage.folder import DataFolder

    folder = DataFolder.open(Path(sys.argv[1]))
    meeting = int(sys.argv[2])
    revision = minutes.get_minutes(folder, meeting).revision
    words = []
    for step in range(1, 100000):
        words.append(f"mot{step}")
        revision = minutes.save_draft(folder, meeting, revision=revision,
                                      items={1: " ".join(words)})
        print(step, flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")
def test_killed_while_typing_loses_at_most_the_save_in_flight(held, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = held
    data_dir = folder.path
    folder.close()
    child = typist.start(CHILD, tmp_path, data_dir, meeting)
    assert child.stdout is not None
    last = 0
    for line in child.stdout:
        last = int(line)
        if last >= 40:
            break
    typist.kill(child, data_dir)
    reopened = DataFolder.open(data_dir)
    try:
        saved = minutes.get_minutes(reopened, meeting).item(1).text.split()
        # Everything confirmed before the kill is there; at most a few saves beyond.
        assert len(saved) >= last
        assert saved == [f"mot{i}" for i in range(1, len(saved) + 1)]
        assert journal.verify(reopened.database).intact
        # The folder still works: the secretary carries on typing.
        minutes.save_draft(reopened, meeting, revision=None, items={1: " ".join(saved) + " fin"})
    finally:
        reopened.close()
