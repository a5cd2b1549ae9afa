"""Reading a session for its documents costs a fixed number of queries.

``gather`` is on the path of every packet build; it once fetched each recommendation form
and its history one by one (162 statements for 30 forms). The count is taken on the real
engine of a real data folder, so a query added per form shows up here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from ccsdesk.core.documents.session_record import gather
from ccsdesk.core.services import meetings, minutes, recommendations
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core.session_data import SESSION_DAY, full_session

THEMES = ("Criminalité", "Éclairage public", "Orpaillage", "")
PLACES = ("Commune IV", "Commune V", "")


@contextmanager
def counting(folder: DataFolder) -> Iterator[list[str]]:
    """The SQL statements run on the folder's engine while the block runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(folder.database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(folder.database.engine, "before_cursor_execute", count)


def add_forms(folder: DataFolder, meeting_id: int, count: int) -> None:
    """``count`` more forms, with themes, places (with parents), agenda items and steps."""
    agenda = meetings.get_meeting(folder, meeting_id).agenda
    for number in range(count):
        rec = recommendations.add(folder, meeting_id, recommendations.RecommendationData(
            problem=f"Constat supplémentaire n° {number + 1}.",
            text=f"Mesure supplémentaire n° {number + 1}.", addressee="Mairie",
            priority="medium", deadline=SESSION_DAY + timedelta(days=60),
            theme=THEMES[number % len(THEMES)], place=PLACES[number % len(PLACES)],
            agenda_position=agenda[number % len(agenda)].position if number % 3 else None))
        for step in ("transmitted", "accepted", "in_progress")[:number % 4]:
            recommendations.set_status(folder, rec, step, note=f"Étape {step}")


def test_gather_reads_the_forms_in_a_fixed_number_of_queries(commune: DataFolder) -> None:
    meeting = full_session(commune, PASSPHRASE, recommendation_count=2)
    minutes.correct(commune, meeting, "Fiches ajoutées")  # forms are added to open minutes
    add_forms(commune, meeting, 4)  # every kind of form: the larger session only has more
    gather(commune, meeting)  # the first read may load what later reads find cached
    with counting(commune) as few:
        small = gather(commune, meeting)
    add_forms(commune, meeting, 12)
    with counting(commune) as many:
        large = gather(commune, meeting)
    assert len(small.recommendations) == 6 and len(large.recommendations) == 18
    assert len(many) == len(few), "a query per recommendation form is back"
    assert len(few) < 70


def test_the_forms_are_read_whole(commune: DataFolder) -> None:
    """Each form as the one-form reading gives it, with what ``add_forms`` gave it."""
    meeting = full_session(commune, PASSPHRASE, recommendation_count=3)
    minutes.correct(commune, meeting, "Fiches ajoutées")  # forms are added to open minutes
    add_forms(commune, meeting, 8)
    read = gather(commune, meeting).recommendations
    assert [r.number for r in read] == list(range(1, 12))
    assert list(read) == [recommendations.get(commune, r.id) for r in read]
    agenda = [item.position for item in meetings.get_meeting(commune, meeting).agenda]
    for number, form in enumerate(read[3:]):
        assert form.meeting_id == meeting and form.meeting
        assert form.theme == THEMES[number % len(THEMES)]
        assert form.place.endswith(PLACES[number % len(PLACES)])
        if PLACES[number % len(PLACES)]:
            assert form.place.count(" / ") == 1  # its parent, the District, is named
        assert form.agenda_position == (agenda[number % len(agenda)] if number % 3 else None)
        steps = ["proposed", *("transmitted", "accepted", "in_progress")[:number % 4]]
        assert [s.status for s in form.history] == steps
        assert [s.note for s in form.history[1:]] == [f"Étape {s}" for s in steps[1:]]
        assert {s.committee for s in form.history} == {"CCS de la Commune IV"}
