"""The signed meeting packet: parts, contents with page numbers, bookmarks, signature.

Read as a District clerk's software would: poppler for text and signature, qpdf for the
outline, and our own ``verify``.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.documents import packet
from ccsdesk.core.errors import StateError, WrongPassphraseError
from ccsdesk.core.exchange import signing
from ccsdesk.core.services import demo, meetings, scans
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.session_data import full_session

TODAY = date(2026, 12, 10)


def outline(path: Path) -> list[tuple[str, int, int]]:
    """(title, level, page) of every outline entry, in order, as qpdf reads them."""
    result = pdftools.run("qpdf", "--json", "--json-key=outlines", path)
    assert result.returncode == 0, result.stderr
    found: list[tuple[str, int, int]] = []

    def walk(entries: list[dict], level: int) -> None:
        for entry in entries:
            found.append((entry["title"], level, entry["destpageposfrom1"]))
            walk(entry["kids"], level + 1)

    walk(json.loads(result.stdout)["outlines"], 0)
    return found


@pytest.fixture
def signed_packet(commune: DataFolder, tmp_path: Path) -> tuple[DataFolder, int, Path]:
    meeting = full_session(commune, PASSPHRASE, recommendation_count=4)
    scan = tmp_path / "pv-signe.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)
    scans.attach(commune, meeting, scan)
    path = tmp_path / "dossier.pdf"
    packet.write(commune, meeting, path, PASSPHRASE, today=TODAY)
    return commune, meeting, path


def test_packet_binds_every_part_with_bookmarks(signed_packet) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, path = signed_packet
    pdftools.qpdf_check(path)
    assert all(row[-5] == "yes" for row in pdftools.fonts(path))
    pages = pdftools.page_texts(path)
    assert len(pdftools.render(path, path.parent / "png")) == len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"page {number} sur {len(pages)}" in page
        assert "Réf. DS-" in page  # one identity over the whole packet
    entries = outline(path)
    titles = [title for title, _level, _page in entries]
    assert titles[:6] == ["Page de garde et sommaire", "Convocation",
                          "Bordereau de remise des convocations", "Procès-verbal",
                          "Liste de présence (annexe du procès-verbal)",
                          "Fiches de recommandation"]
    assert titles[6:] == [f"Recommandation n° {n}" for n in (1, 2, 3, 4)]
    assert [level for _t, level, _p in entries] == [0] * 6 + [1] * 4
    where = {title: page for title, _level, page in entries}
    assert where["Page de garde et sommaire"] == 1
    assert "CONVOCATION" in pages[where["Convocation"] - 1]
    assert "BORDEREAU DE REMISE" in pages[where["Bordereau de remise des convocations"] - 1]
    assert "PROCÈS-VERBAL" in pages[where["Procès-verbal"] - 1]
    assert "ANNEXE : LISTE DE PRÉSENCE" in \
        pages[where["Liste de présence (annexe du procès-verbal)"] - 1]
    for number in (1, 2, 3, 4):
        page = pages[where[f"Recommandation n° {number}"] - 1]
        assert "FICHE DE RECOMMANDATION" in page and f"N° {number} —" in page
    # The cover's contents give the same page numbers as the bookmarks.
    cover = pages[0]
    for title, _level, page in entries[1:]:
        line = next(line for line in cover.splitlines() if title in line)
        assert re.search(rf"\b{page}\s*$", line), (title, page, line)
    for expected in ("DOSSIER DE SESSION", "1re session ordinaire 2026 — 7 décembre 2026",
                     "RÉPUBLIQUE DU MALI", "Sommaire", "Empreinte SHA-256 du scan",
                     "Procès-verbal : version 1, signé par DIARRA Mariam",
                     "Bamako, le 10 décembre 2026"):
        assert expected in " ".join(cover.split()), expected
    scan = scans.latest(folder, meeting)
    assert scan is not None and scan.sha256 in cover.replace("\n", "")


def test_packet_signature_valid_then_a_flipped_byte_is_caught(signed_packet, cli) -> None:  # type: ignore[no-untyped-def]
    folder, _meeting, path = signed_packet
    report = pdftools.run("pdfsig", path).stdout
    assert "Signature is Valid." in report and "Total document signed" in report
    assert "Signature Field Name: SignatureComite" in report
    result = signing.verify_pdf(folder, path)
    assert result.signed and result.intact and result.known_signer
    assert result.document is not None and result.document.kind == "packet"
    # The visible stamp is on the cover.
    assert "Signé électroniquement par" in pdftools.page_texts(path)[0]
    data = bytearray(path.read_bytes())
    # A byte in the middle of the signed content (before the signature's placeholder).
    start = data.index(b"stream", len(data) // 4)
    data[start + 200] ^= 0x01
    broken = path.with_name("altere.pdf")
    broken.write_bytes(bytes(data))
    assert "Signature is Valid." not in pdftools.run("pdfsig", broken).stdout
    assert not signing.verify_pdf(folder, broken).intact
    folder.close()
    answer = cli("verify", str(broken))
    assert answer.code == 1 and "PAS intact" in answer.err


def test_unsigned_minutes_make_no_packet(commune: DataFolder) -> None:
    meeting = full_session(commune, PASSPHRASE, sign=False)
    with pytest.raises(StateError, match="pas signé"):
        packet.build(commune, meeting)


def test_wrong_passphrase_signs_nothing(commune: DataFolder, tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    with pytest.raises(WrongPassphraseError):
        packet.write(commune, meeting, tmp_path / "dossier.pdf", "mauvaise phrase")
    assert not (tmp_path / "dossier.pdf").exists()


def test_demo_packet_carries_the_test_watermark(folder: DataFolder, tmp_path: Path) -> None:
    demo.populate(folder, PASSPHRASE)
    held = next(m for m in meetings.list_meetings(folder) if m.state == "signed")
    path = tmp_path / "demo.pdf"
    built = packet.write(folder, held.id, path, PASSPHRASE)
    assert built.signed
    raw_pages = pdftools.text(path, mode="-raw").split("\f")[:-1]
    assert raw_pages and all("DOCUMENTDETEST" in "".join(page.split()) for page in raw_pages)
    assert "Signature is Valid." in pdftools.run("pdfsig", path).stdout
