"""The sample commune: a believable installed committee, flagged as a test, built by services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ccsdesk.core.errors import StateError
from ccsdesk.core.services import committee, demo, journal, roster
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
    # the set-up, 23 members added, one deactivated
    assert report.entries == 1 + 23 + 1


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
