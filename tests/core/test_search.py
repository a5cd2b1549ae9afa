"""One search over sessions, minutes and recommendations; accents and case ignored."""

from __future__ import annotations

from datetime import date

import pytest

from ccsdesk.core.errors import InputError
from ccsdesk.core.services import meetings, minutes, recommendations, search
from ccsdesk.core.storage.folder import DataFolder


@pytest.fixture
def filled(commune: DataFolder) -> tuple[DataFolder, int, int]:
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10), venue="Salle de la mairie")
    meetings.add_agenda_item(commune, meeting.id, "Sécurité routière à Bagadadji")
    minutes.write_item(commune, meeting.id, 1, "Les accidents de moto ont doublé en février.")
    rec = recommendations.add(commune, meeting.id, recommendations.RecommendationData(
        problem="Conflit foncier entre éleveurs et agriculteurs à Missabougou",
        text="Réunir les chefs de quartier", addressee="Préfet", priority="medium",
        deadline=date(2026, 6, 1), theme="Conflits fonciers"))
    return commune, meeting.id, rec


def kinds(folder: DataFolder, query: str) -> set[tuple[str, int]]:
    return {(hit.kind, hit.ref) for hit in search.search(folder, query)}


def test_accents_and_case_are_ignored(filled) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, rec = filled
    assert ("meeting", meeting) in kinds(folder, "securite ROUTIERE")
    assert kinds(folder, "fevrier") == {("minutes", meeting)}
    assert kinds(folder, "éleveurs") == {("recommendation", rec)}
    assert kinds(folder, "ELEVEUR") == {("recommendation", rec)}  # prefix
    assert kinds(folder, "foncier missabougou") == {("recommendation", rec)}


def test_one_query_finds_all_kinds(filled) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, _rec = filled
    found = kinds(folder, "bagadadji")
    assert ("meeting", meeting) in found and ("minutes", meeting) in found
    hit = search.search(folder, "missabougou")[0]
    assert hit.title.startswith("Recommandation n° 1") and "[Missabougou]" in hit.snippet


def test_index_follows_the_minutes_text(filled) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, _rec = filled
    minutes.write_item(folder, meeting, 1, "Réunion calme, rien à signaler.")
    assert kinds(folder, "fevrier") == set()
    assert kinds(folder, "calme") == {("minutes", meeting)}


def test_odd_queries_do_not_break(filled) -> None:  # type: ignore[no-untyped-def]
    folder, _meeting, _rec = filled
    assert search.search(folder, 'AND "( NEAR*') == []
    with pytest.raises(InputError, match="au moins un mot"):
        search.search(folder, " ?! ")
