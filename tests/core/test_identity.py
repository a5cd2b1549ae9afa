"""Identity files: what they carry, that any change is caught, and the fingerprint."""

from __future__ import annotations

import json

import pytest

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import identity
from ccsdesk.core.services import committee, exchange
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE


def test_identity_file_round_trip(commune: DataFolder) -> None:
    data = exchange.export_identity(commune, PASSPHRASE)
    document = json.loads(data)
    assert document["format"] == "ccsdesk-identity/1"
    assert "PRIVATE" not in data.decode() and "AGE-SECRET" not in data.decode()
    found = identity.parse(data)
    own = committee.require_profile(commune)
    assert (found.uid, found.name, found.level, found.fingerprint) == (
        own.uid, own.name, "commune", own.fingerprint)
    assert found.place == own.place and found.age_recipient.startswith("age1")


@pytest.mark.parametrize("field", ["name", "level", "place", "uid", "created"])
def test_any_changed_field_is_caught(commune: DataFolder, field: str) -> None:
    document = json.loads(exchange.export_identity(commune, PASSPHRASE))
    document[field] = "national" if field == "level" else document[field] + "x"
    with pytest.raises(InputError, match="endommagé"):
        identity.parse(json.dumps(document).encode())


def test_swapped_keys_and_broken_files_are_refused(commune: DataFolder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(exchange.export_identity(commune, PASSPHRASE))
    other = DataFolder.open(tmp_path / "autre")
    committee.initialize(other, level="commune", name="CCS de la Commune V",
                         place="Commune V", passphrase=PASSPHRASE)
    theirs = json.loads(exchange.export_identity(other, PASSPHRASE))
    # Someone puts their own age recipient (and recomputed fingerprint) into our file.
    document["age_recipient"], document["fingerprint"] = (theirs["age_recipient"],
                                                          theirs["fingerprint"])
    with pytest.raises(InputError, match="endommagé"):
        identity.parse(json.dumps(document).encode())
    for junk in (b"", b"{}", b"\xff\xfe", b'{"format": "ccsdesk-identity/1"}',
                 b"x" * (identity.MAX_SIZE + 1)):
        with pytest.raises(InputError):
            identity.parse(junk)
    other.close()


def test_fingerprints_compare_whatever_the_separators() -> None:
    assert identity.normalise_fingerprint("1234 5678-9012 3456.7890") == "12345678901234567890"
