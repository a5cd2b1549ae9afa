"""``ccsdesk verify FILE``: the verdict for people, the JSON for scripts, exit 1 when not intact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.documents import roster as roster_pdf
from ccsdesk.core.exchange import signing
from ccsdesk.core.services import committee
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE, run_process
from tests.core.test_roster_pdf import populate


@pytest.fixture
def signed_pdf(commune: DataFolder, tmp_path: Path) -> Path:
    populate(commune, 6)
    path = tmp_path / "liste-signee.pdf"
    path.write_bytes(signing.sign_pdf(commune, roster_pdf.render(commune, today=date(2026, 12, 7)),
                                      PASSPHRASE))
    return path


def test_verify_intact_pdf_text_and_json(cli, commune: DataFolder, signed_pdf: Path) -> None:
    result = cli("verify", str(signed_pdf))
    assert result.code == 0, result.err
    assert "Signature valide : le document est intact." in result.out
    assert "Signé par : CCS de la Commune IV (Comité consultatif de sécurité)" in result.out
    assert "Signataire connu : ce comité-ci" in result.out
    assert "Document : LM-" in result.out
    assert result.err == ""

    data = cli("--json", "verify", str(signed_pdf)).json
    assert data["format"] == "ccsdesk-cli/1"
    assert data["signed"] is True and data["intact"] is True
    assert data["signer"] == data["committee"] == "CCS de la Commune IV"
    assert data["known_signer"] is True and data["relation"] == "self"
    assert data["fingerprint"] == committee.require_profile(commune).fingerprint
    assert data["signed_at"][:4].isdigit() and "T" in data["signed_at"]
    assert data["document"]["kind"] == "roster"
    assert len(data["document"]["content_hash"]) == 64
    assert data["problems"] == []


def test_verify_flipped_byte_exits_1(cli, signed_pdf: Path) -> None:
    data = bytearray(signed_pdf.read_bytes())
    data[len(data) // 3] ^= 0x20
    signed_pdf.write_bytes(bytes(data))
    result = cli("verify", str(signed_pdf))
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert result.err.startswith("ccsdesk: Le document n’est PAS intact")
    as_json = cli("--json", "verify", str(signed_pdf))
    assert as_json.code == 1
    assert as_json.json["intact"] is False and as_json.json["problems"]


def test_verify_refuses_other_files(cli, commune: DataFolder, tmp_path: Path) -> None:
    archive = tmp_path / "envoi.ccsx"
    archive.write_bytes(b"age-encryption.org/v1\n...")
    result = cli("verify", str(archive))
    assert result.code == 1  # an age header but no archive behind it (exchange issue)
    assert result.err.startswith("ccsdesk: Cette archive est endommagée")
    other = tmp_path / "notes.txt"
    other.write_bytes(b"Compte rendu\n")
    result = cli("verify", str(other))
    assert result.code == 1
    assert result.err == "ccsdesk: Ce fichier n’est pas un PDF signé.\n"

    missing = cli("verify", str(tmp_path / "absent.pdf"))
    assert missing.code == 1 and "n’existe pas" in missing.err

    unsigned = tmp_path / "liste.pdf"
    roster_pdf.write(commune, unsigned)
    result = cli("--json", "verify", str(unsigned))
    assert result.code == 1
    assert result.json["signed"] is False
    assert result.err == "ccsdesk: Ce PDF ne porte aucune signature.\n"


def test_verify_from_a_real_process(data_dir: Path, signed_pdf: Path) -> None:
    result = run_process("--data-dir", str(data_dir), "--json", "verify", str(signed_pdf))
    assert result.code == 0, result.err
    assert '"intact": true' in result.out
    usage = run_process("--data-dir", str(data_dir), "verify")
    assert usage.code == 2


def test_verify_in_a_folder_that_does_not_know_the_signer(signed_pdf: Path,
                                                          tmp_path: Path) -> None:
    result = run_process("--data-dir", str(tmp_path / "ailleurs"), "verify", str(signed_pdf))
    assert result.code == 0
    assert "Signataire inconnu de ce comité" in result.out
    assert result.err == ""


def test_verify_an_archive_whose_journal_was_forged(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The journal segment is walked by ``verify`` as by ``receive``: a forged entry in an
    archive re-signed with the commune's real key exits 1 naming the entry, nothing kept."""
    from tests.conftest import run_cli as run
    from tests.core.exchange_helpers import signed_session
    from tests.core.test_journal_segments import _resealed, _snapshot

    commune, district = pair
    signed_session(commune.folder)
    up, _ = commune.send("parent")

    def rewrite(entries: list[dict]) -> None:
        entries[2]["actor"] = "quelqu’un d’autre"

    forged, genuine = tmp_path / "falsifiee.ccsa", tmp_path / "envoi.ccsa"
    forged.write_bytes(_resealed(up, commune, district, rewrite))
    genuine.write_bytes(up)
    before = _snapshot(district)
    refused = run(district.folder.path, "verify", str(forged))
    assert refused.code == 1 and refused.out == ""
    assert "journal de « CCS de la Commune IV »" in refused.err and "entrée 3" in refused.err
    checked = run(district.folder.path, "--json", "verify", str(genuine))
    assert checked.code == 0, checked.err
    [carried] = checked.json["journals"]
    assert carried["new"] == carried["entries"] > 3
    assert _snapshot(district) == before
    commune.folder.close()
    district.folder.close()
