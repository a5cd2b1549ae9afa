"""Recommendation forms: validation, status history, the follow-up list (overdue first)."""

from __future__ import annotations

from datetime import date

import pytest

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.services import committee, journal, meetings, recommendations
from ccsdesk.core.storage.folder import DataFolder

Data = recommendations.RecommendationData


def form(**changes: object) -> Data:
    values: dict[str, object] = dict(
        problem="Vols de motos répétés au grand marché", text="Renforcer les patrouilles",
        addressee="Commissariat du 4e arrondissement", priority="high",
        deadline=date(2026, 4, 30), theme="Criminalité", follow_up_by="Secrétariat")
    values.update(changes)
    return Data(**values)  # type: ignore[arg-type]


@pytest.fixture
def meeting(commune: DataFolder) -> int:
    found = meetings.create_meeting(commune, on=date(2026, 3, 10))
    meetings.add_agenda_item(commune, found.id, "Sécurité au marché")
    return found.id


def test_add_with_origin_history_and_journal(commune: DataFolder, meeting: int) -> None:
    rec_id = recommendations.add(commune, meeting, form(agenda_position=1, theme="criminalite",
                                                        place="Commune IV"))
    rec = recommendations.get(commune, rec_id)
    own = committee.require_profile(commune)
    assert (rec.number, rec.status, rec.theme, rec.agenda_position) == (
        1, "proposed", "Criminalité", 1)
    assert rec.origin_uid == own.uid and rec.origin == own.name
    assert rec.meeting == "1re session ordinaire 2026" and "Commune IV" in rec.place
    assert [step.status for step in rec.history] == ["proposed"]
    assert recommendations.add(commune, meeting, form()) != rec_id
    assert recommendations.get(commune, rec_id + 1).number == 2
    assert committee.counts(commune).recommendations == 2
    assert journal.verify(commune.database).intact


@pytest.mark.parametrize(("changes", "message"), [
    ({"deadline": date(2026, 3, 9)}, "antérieure à la session"),
    ({"problem": "  "}, "constat est vide"),
    ({"text": ""}, "texte de la recommandation est vide"),
    ({"addressee": " "}, "destinataire"),
    ({"priority": "urgent"}, "Priorité inconnue"),
    ({"theme": "Football"}, "Thème inconnu"),
    ({"agenda_position": 4}, "pas de point 4"),
    ({"place": "Atlantide"}, "Atlantide"),
])
def test_bad_forms_are_refused_and_nothing_is_written(
        commune: DataFolder, meeting: int, changes: dict, message: str) -> None:
    entries = journal.verify(commune.database).entries
    with pytest.raises((InputError, NotFoundError), match=message):
        recommendations.add(commune, meeting, form(**changes))
    assert recommendations.list_recommendations(commune) == []
    assert journal.verify(commune.database).entries == entries


def test_deadline_on_the_session_day_is_accepted(commune: DataFolder, meeting: int) -> None:
    rec_id = recommendations.add(commune, meeting, form(deadline=date(2026, 3, 10)))
    assert recommendations.get(commune, rec_id).deadline == date(2026, 3, 10)


def test_status_changes_are_kept_as_history(commune: DataFolder, meeting: int) -> None:
    rec_id = recommendations.add(commune, meeting, form())
    recommendations.set_status(commune, rec_id, "transmitted", "Lettre n° 12/CCS-CIV",
                               author="Secrétaire")
    recommendations.set_status(commune, rec_id, "in_progress", "Patrouilles de nuit")
    with pytest.raises(StateError, match="déjà"):
        recommendations.set_status(commune, rec_id, "in_progress")
    recommendations.set_status(commune, rec_id, "in_progress", "Deux patrouilles de plus")
    with pytest.raises(InputError, match="Statut inconnu"):
        recommendations.set_status(commune, rec_id, "done")
    with pytest.raises(NotFoundError):
        recommendations.set_status(commune, 99, "accepted")
    rec = recommendations.get(commune, rec_id)
    assert [(s.status, s.note) for s in rec.history] == [
        ("proposed", ""), ("transmitted", "Lettre n° 12/CCS-CIV"),
        ("in_progress", "Patrouilles de nuit"), ("in_progress", "Deux patrouilles de plus")]
    assert rec.history[1].author == "Secrétaire" and rec.status == "in_progress"
    assert all(a.at <= b.at for a, b in zip(rec.history, rec.history[1:], strict=False))


def test_follow_up_list_filters_and_puts_overdue_first(commune: DataFolder,
                                                      meeting: int) -> None:
    late = recommendations.add(commune, meeting, form(deadline=date(2026, 4, 1)))
    later = recommendations.add(commune, meeting, form(
        deadline=date(2026, 9, 1), addressee="Mairie", theme="Éclairage public"))
    done = recommendations.add(commune, meeting, form(deadline=date(2026, 3, 20)))
    soon = recommendations.add(commune, meeting, form(deadline=date(2026, 5, 1)))
    oldest_late = recommendations.add(commune, meeting, form(deadline=date(2026, 3, 15)))
    recommendations.set_status(commune, done, "implemented", "Fait")
    today = date(2026, 4, 15)
    listed = recommendations.list_recommendations(commune, today=today)
    assert [r.id for r in listed] == [oldest_late, late, done, soon, later]
    assert [r.overdue for r in listed] == [True, True, False, False, False]
    assert [r.id for r in recommendations.list_recommendations(
        commune, status="implemented", today=today)] == [done]
    assert [r.id for r in recommendations.list_recommendations(
        commune, addressee="mairie", today=today)] == [later]
    assert [r.id for r in recommendations.list_recommendations(
        commune, theme="eclairage public", today=today)] == [later]
    assert recommendations.list_recommendations(commune, addressee="%") == []
    assert recommendations.list_recommendations(commune, addressee="_") == []
    with pytest.raises(InputError, match="Statut inconnu"):
        recommendations.list_recommendations(commune, status="lost")


def test_themes_are_an_editable_list(commune: DataFolder, meeting: int) -> None:
    labels = [t.label for t in recommendations.list_themes(commune)]
    for seeded in ("Criminalité", "Conflits fonciers", "Violences basées sur le genre",
                   "Circulation", "Éclairage public", "Radicalisation"):
        assert seeded in labels
    recommendations.add_theme(commune, "Inondations")
    with pytest.raises(InputError, match="existe déjà"):
        recommendations.add_theme(commune, "inondations")
    rec_id = recommendations.add(commune, meeting, form(theme="INONDATIONS"))
    assert recommendations.get(commune, rec_id).theme == "Inondations"


def test_a_proposed_form_can_be_corrected_until_transmitted(commune: DataFolder,
                                                           meeting: int) -> None:
    rec_id = recommendations.add(commune, meeting, form())
    recommendations.update(commune, rec_id, form(addressee="Mairie", priority="low",
                                                 theme="Circulation", agenda_position=1))
    rec = recommendations.get(commune, rec_id)
    assert (rec.addressee, rec.priority, rec.theme, rec.agenda_position) == (
        "Mairie", "low", "Circulation", 1)
    with pytest.raises(InputError, match="antérieure"):
        recommendations.update(commune, rec_id, form(deadline=date(2026, 1, 1)))
    recommendations.set_status(commune, rec_id, "transmitted")
    with pytest.raises(StateError, match="ne peut plus être modifiée"):
        recommendations.update(commune, rec_id, form(addressee="Préfecture"))
    assert recommendations.get(commune, rec_id).addressee == "Mairie"


def test_themes_can_be_renamed(commune: DataFolder, meeting: int) -> None:
    theme = next(t for t in recommendations.list_themes(commune) if t.label == "Circulation")
    recommendations.rename_theme(commune, theme.id, "Circulation routière")
    rec_id = recommendations.add(commune, meeting, form(theme="circulation routiere"))
    assert recommendations.get(commune, rec_id).theme == "Circulation routière"
    with pytest.raises(InputError, match="existe déjà"):
        recommendations.rename_theme(commune, theme.id, "Criminalité")
    with pytest.raises(NotFoundError):
        recommendations.rename_theme(commune, 999, "X")
