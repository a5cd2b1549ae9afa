"""``ccsdesk documents MEETING --out DIR`` and ``ccsdesk scans attach``."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE, run_process
from tests.core import pdftools
from tests.core.session_data import full_session

ALL = ["convocation.pdf", "convocations-individuelles.pdf",
       "bordereau-remise-convocations.pdf", "feuille-emargement.pdf",
       "feuille-emargement-renseignee.pdf", "proces-verbal.pdf", "fiches-recommandations.pdf",
       "dossier-session-signe.pdf"]


def test_documents_of_a_signed_session(commune: DataFolder, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    meeting = full_session(commune, PASSPHRASE)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    commune.close()
    attached = cli("--json", "scans", "attach", str(meeting), str(scan))
    assert attached.code == 0, attached.err
    digest = attached.json["scan"]["sha256"]
    assert digest == hashlib.sha256(scan.read_bytes()).hexdigest()
    out = tmp_path / "sortie"
    result = cli("--json", "documents", str(meeting), "--out", str(out))
    assert result.code == 0, result.err
    files = result.json["files"]
    assert [Path(f["file"]).name for f in files] == ALL
    for entry in files:
        data = Path(entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["bytes"] == len(data)
    assert result.json["packet"]["signed"] and result.json["skipped"] == []
    assert not list(out.glob("*.partial"))
    cover = pdftools.page_texts(out / "dossier-session-signe.pdf")[0]
    assert digest in cover.replace("\n", "")
    assert "Signature is Valid." in pdftools.run(
        "pdfsig", out / "dossier-session-signe.pdf").stdout
    verified = cli("verify", str(out / "dossier-session-signe.pdf"))
    assert verified.code == 0 and "le document est intact" in verified.out
    listed = cli("scans", "list", str(meeting))
    assert digest in listed.out
    # The individual letters: each page's footer reference is the one verify reads.
    letters = out / "convocations-individuelles.pdf"
    checked = cli("verify", str(letters))
    assert checked.code == 1 and "ne porte aucune signature" in checked.err
    reference = re.search(r"Document : (CV-[0-9A-F]{4}-[0-9A-F]{4})", checked.out)
    assert reference is not None, checked.out
    pages = pdftools.page_texts(letters)
    # Nine members but the president, who convenes, and the guest: nine letters.
    assert len(pages) == 9 and all(f"Réf. {reference[1]}" in page for page in pages)
    assert all("page 1 sur 1" in page for page in pages)


def test_unsigned_session_gets_its_documents_but_no_packet(commune: DataFolder, cli,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE, sign=False)
    commune.close()
    result = cli("documents", str(meeting), "--out", str(tmp_path / "o"))
    assert result.code == 0, result.err
    assert "Non écrit : packet (le procès-verbal n’est pas signé)." in result.out
    assert not (tmp_path / "o" / "dossier-session-signe.pdf").exists()
    assert "PROJET" in pdftools.text(tmp_path / "o" / "proces-verbal.pdf")


def test_bad_input_from_the_command_line(commune: DataFolder, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    meeting = full_session(commune, PASSPHRASE)
    commune.close()
    missing = cli("documents", "99", "--out", str(tmp_path / "x"))
    assert missing.code == 1 and "Aucune session ne porte le numéro 99" in missing.err
    bad = tmp_path / "photo.png"
    bad.write_text("pas une image")
    refused = cli("scans", "attach", str(meeting), str(bad))
    assert refused.code == 1 and "n’est pas un scan" in refused.err
    assert cli("documents", str(meeting)).code == 2  # --out is required
    blocked = tmp_path / "fichier"
    blocked.write_text("un fichier, pas un dossier")
    unwritable = cli("documents", str(meeting), "--out", str(blocked), "--only", "attendance")
    assert unwritable.code == 1 and "ne peut pas être écrit" in unwritable.err


def test_documents_in_a_real_process_without_a_passphrase(commune: DataFolder,  # type: ignore[no-untyped-def]
                                                          data_dir: Path,
                                                          tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    commune.close()
    env = {"CCSDESK_PASSPHRASE": ""}
    result = run_process("--data-dir", str(data_dir), "documents", str(meeting), "--out",
                         str(tmp_path / "p"), "--no-sign", "--only", "packet", env=env)
    assert result.code == 0, result.err
    assert [p.name for p in (tmp_path / "p").iterdir()] == ["dossier-session-non-signe.pdf"]
    assert "Signature" not in pdftools.run("pdfsig", tmp_path / "p" /
                                           "dossier-session-non-signe.pdf").stdout


def test_filled_attendance_list_once_attendance_is_recorded(commune: DataFolder, cli,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    from ccsdesk.core.services import meetings

    held = full_session(commune, PASSPHRASE, sign=False)
    planned = meetings.create_meeting(commune, on=date(2027, 1, 11), time="09:00").id
    commune.close()
    before = cli("--json", "documents", str(planned), "--out", str(tmp_path / "avant"))
    assert before.code == 0, before.err
    names = [Path(f["file"]).name for f in before.json["files"]]
    assert "feuille-emargement.pdf" in names  # the empty sheet, to print for the session
    assert "feuille-emargement-renseignee.pdf" not in names
    assert {"document": "attendance-filled",
            "reason": "les présences ne sont pas encore enregistrées"} in before.json["skipped"]
    after = cli("documents", str(held), "--out", str(tmp_path / "apres"),
                "--only", "attendance-filled")
    assert after.code == 0, after.err
    written = tmp_path / "apres" / "feuille-emargement-renseignee.pdf"
    assert [p.name for p in (tmp_path / "apres").iterdir()] == [written.name]
    text = " ".join(pdftools.text(written).split())
    assert "LISTE DE PRÉSENCE" in text and "Arrêtée la présente liste à 7 personnes" in text
    assert cli("documents", str(held), "--out", str(tmp_path / "x"),
               "--only", "attendance-rempli").code == 2
