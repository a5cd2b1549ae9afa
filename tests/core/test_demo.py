"""The sample commune: a believable installed committee, flagged as a test, built by services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ccsdesk.core.errors import StateError
from ccsdesk.core.services import (
    attendance,
    committee,
    demo,
    journal,
    meetings,
    minutes,
    recommendations,
    roster,
)
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE

TODAY = date(2026, 11, 22)


def test_demo_commune_is_flagged_and_looks_installed(folder: DataFolder) -> None:
    profile = demo.populate(folder, PASSPHRASE, today=TODAY)
    assert profile.is_demo
    assert profile.level == "commune"
    assert profile.place == "Bamako / Commune IV"
    assert committee.require_profile(folder).is_demo
    committee.check_passphrase(folder, PASSPHRASE)  # real keys, sealed with the passphrase

    members = roster.list_members(folder)
    assert 20 <= len(members) <= 26
    roles = [m.role for m in members if m.active]
    assert roles.count("president") == 1
    assert roles.count("vice_president") == 1
    assert roles.count("secretary") == 1
    assert "guest" in roles
    president = next(m for m in members if m.role == "president")
    assert president.category == "Élus" and "Mairie" in president.organisation
    assert [m.full_name for m in members if not m.active] == ["CISSÉ Lassana"]
    assert all(m.phone and m.mandate_start and m.mandate_end for m in members)
    categories = {m.category for m in members}
    for label in ("Élus", "Administration", "FDS – Police nationale", "Justice", "Femmes",
                  "Jeunes", "Chasseurs", "Partenaires",
                  "Autorités traditionnelles et religieuses", "Société civile"):
        assert label in categories


def test_composition_shows_few_women_and_mandates_ending_soon(folder: DataFolder) -> None:
    demo.populate(folder, PASSPHRASE, today=TODAY)
    figures = roster.composition(folder, today=TODAY)
    assert 3 <= figures.women <= 5
    assert figures.active == figures.women + figures.men
    assert 0.1 < figures.women_share < 0.3
    soon = figures.ending_soon
    assert [m.full_name for m in soon] == ["KONÉ Abdoulaye", "KEÏTA Sidiki"]
    assert all(TODAY < m.mandate_end <= TODAY + timedelta(days=90) for m in soon)
    assert figures.ended == []
    # the guest (no vote) and the member who left are not counted
    assert "Partenaires" not in dict(figures.by_category)
    assert dict(figures.by_category)["FDS – Gendarmerie nationale"] == 1


def test_every_change_is_in_the_journal(folder: DataFolder) -> None:
    demo.populate(folder, PASSPHRASE, today=TODAY)
    report = journal.verify(folder.database)
    assert report.intact
    # the set-up, 23 members added, one deactivated, then the sessions' steps
    assert report.entries > 1 + 23 + 1 + 2


def test_one_session_held_and_signed_one_planned(folder: DataFolder) -> None:
    demo.populate(folder, PASSPHRASE, today=TODAY)
    held, planned = sorted(meetings.list_meetings(folder), key=lambda m: m.date)
    assert held.date == TODAY - timedelta(days=42) < TODAY < planned.date
    assert held.state == "signed" and planned.state == "planned"
    assert len(held.agenda) == 3
    assert [a.title for a in planned.agenda][1:] == [
        "Dispositif de sécurité pour les fêtes de fin d’année",
        "Suivi des recommandations de la session précédente"]
    assert "1re session ordinaire" in planned.agenda[0].title  # adoption of its minutes

    quorum = attendance.quorum(folder, held.id)
    assert quorum.reached
    statuses = [a.status for a in attendance.list_attendance(folder, held.id)]
    assert {"present", "excused", "absent", "represented"} <= set(statuses)
    convocations = meetings.list_convocations(folder, held.id)
    assert convocations and all(
        c.sent_on == TODAY - timedelta(days=49) and not c.late for c in convocations)

    signed = minutes.get_minutes(folder, held.id)
    assert signed.state == "signed"
    assert signed.signer == "DIARRA Adama"
    assert all(item.text for item in signed.items)


def test_recommendations_at_every_step(folder: DataFolder) -> None:
    demo.populate(folder, PASSPHRASE, today=TODAY)
    found = recommendations.list_recommendations(folder, today=TODAY)
    assert sorted(r.status for r in found) == [
        "implemented", "in_progress", "proposed", "transmitted"]
    overdue = [r for r in found if r.overdue]
    assert [r.status for r in overdue] == ["transmitted"]
    implemented = next(r for r in found if r.status == "implemented")
    history = recommendations.get(folder, implemented.id, today=TODAY).history
    assert [step.status for step in history] == [
        "proposed", "transmitted", "accepted", "in_progress", "implemented"]


def test_refused_when_a_committee_exists(commune: DataFolder) -> None:
    before = roster.list_members(commune)
    with pytest.raises(StateError, match="contient déjà un comité"):
        demo.populate(commune, PASSPHRASE, today=TODAY)
    assert roster.list_members(commune) == before
    assert not committee.require_profile(commune).is_demo


def test_refused_when_categories_were_renamed(folder: DataFolder) -> None:
    femmes = next(c for c in roster.list_categories(folder) if c.label == "Femmes")
    roster.rename_category(folder, femmes.id, "Organisations féminines")
    with pytest.raises(StateError, match="Femmes"):
        demo.populate(folder, PASSPHRASE, today=TODAY)
    assert committee.profile(folder) is None
