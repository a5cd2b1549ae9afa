"""First-run set-up: the profile, the places list and the keys sealed by the passphrase."""

from __future__ import annotations

import pytest

from ccsdesk.core.errors import InputError, NotFoundError, StateError, WrongPassphraseError
from ccsdesk.core.exchange import keys
from ccsdesk.core.services import committee, journal, places
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE


def test_initialize_creates_profile_and_sealed_keys(commune: DataFolder) -> None:
    profile = committee.require_profile(commune)
    assert profile.level == "commune"
    assert profile.place == "Bamako / Commune IV"
    assert profile.chair_title == "Maire"
    assert len(profile.fingerprint.replace(" ", "")) == 20
    sealed = (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes()
    secrets = keys.unlock(commune.keys_dir, PASSPHRASE)
    assert secrets.age_identity.startswith("AGE-SECRET-KEY-1")
    assert secrets.age_identity.encode() not in sealed
    assert secrets.signing_key_der not in sealed


def test_wrong_passphrase_is_refused(commune: DataFolder) -> None:
    with pytest.raises(WrongPassphraseError, match="Phrase secrète incorrecte"):
        committee.check_passphrase(commune, "pas-la-bonne-phrase")


def test_second_initialize_is_refused(commune: DataFolder) -> None:
    with pytest.raises(StateError, match="contient déjà un comité"):
        committee.initialize(commune, level="commune", name="Autre", place="Commune I",
                             passphrase=PASSPHRASE)


def test_place_matching_ignores_case_accents_and_prefixes(folder: DataFolder) -> None:
    with folder.database.reading() as session:
        assert places.find(session, "SEGOU", ("region",)).name == "Ségou"
        assert places.find(session, "Région de Ségou", ("region",)).name == "Ségou"
        assert places.find(session, "  district de   bamako", ("district",)).name == "Bamako"
        with pytest.raises(NotFoundError, match="ne figure pas"):
            places.find(session, "Atlantide", ("commune",))


def test_level_must_match_the_kind_of_place(folder: DataFolder) -> None:
    with pytest.raises(NotFoundError):
        committee.initialize(folder, level="commune", name="X", place="Ségou",
                             passphrase=PASSPHRASE)
    assert committee.profile(folder) is None


def test_users_add_cercles_and_communes_and_homonyms_need_a_path(folder: DataFolder) -> None:
    places.add(folder, "cercle", "Macina", "Ségou")
    places.add(folder, "commune", "Kokry", "Macina")
    places.add(folder, "cercle", "Kati", "Koulikoro")
    places.add(folder, "commune", "Kokry", "Kati")
    with pytest.raises(InputError, match="Plusieurs lieux"):
        committee.initialize(folder, level="commune", name="CCS", place="Kokry",
                             passphrase=PASSPHRASE)
    profile = committee.initialize(folder, level="commune", name="CCS de Kokry",
                                   place="Ségou/Macina/Kokry", passphrase=PASSPHRASE)
    assert profile.place == "Ségou / Macina / Kokry"
    with pytest.raises(InputError, match="existe déjà"):
        places.add(folder, "commune", "kokry", "Macina")


def test_short_passphrase_refused_before_anything_is_written(folder: DataFolder) -> None:
    with pytest.raises(InputError, match="au moins 8 caractères"):
        committee.initialize(folder, level="commune", name="X", place="Commune I",
                             passphrase="court")
    assert not folder.keys_dir.exists()


def test_journal_chain_detects_tampering(commune: DataFolder) -> None:
    places.add(commune, "cercle", "Macina", "Ségou")
    assert journal.verify(commune.database).intact
    with commune.database.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE journal_entry SET details = '{\"name\": \"Falsifié\"}' WHERE id = 2"
        )
    report = journal.verify(commune.database)
    assert not report.intact
    assert report.broken_at == 2
    assert report.reason == "content"
