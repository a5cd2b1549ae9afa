"""The Malian administrative page: header, French dates, fonts, footer, QR identity, watermark."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ccsdesk.core import formats
from ccsdesk.core.documents import layout
from ccsdesk.core.errors import StateError
from ccsdesk.core.services import committee, places
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Place
from tests.conftest import PASSPHRASE
from tests.core import pdftools

DAY = date(2026, 12, 7)
NBSP, NNBSP = "\u00a0", "\u202f"


def _sample(folder: DataFolder, *, rows: int = 3) -> tuple[bytes, layout.DocumentIdentity]:
    from reportlab.platypus import Paragraph

    head = layout.letterhead(folder)
    content = {"rows": rows}
    identity = layout.identify("minutes", content)
    story = layout.header(head, day=DAY, title="PROCÈS-VERBAL",
                          subtitle="Session ordinaire", objet="Réunion mensuelle statutaire")
    story.append(Paragraph("Mme Ɲɛlɛni DIARRA, présidente de l’association Ŋàna, "
                           "et M. Sɔgɔ KƐITA ont pris la parole.", layout.styles()["body"]))
    table_rows = [["N°", "Nom et prénom(s)", "Structure"]]
    table_rows += [[str(i), f"TRAORÉ Aminata {i}", "Mairie"] for i in range(1, rows + 1)]
    story.append(layout.table(table_rows, (30, 200, 200), numeric_columns=(0,)))
    return layout.build_pdf(head, identity, story, title="Procès-verbal"), identity


def _place(folder: DataFolder, query: str, kinds: tuple[str, ...]) -> Place:
    with folder.database.reading() as session:
        found = places.find(session, query, kinds)
        session.expunge_all()
        return found


def test_dates_and_numbers_in_malian_french() -> None:
    assert formats.long_date(DAY) == "7 décembre 2026"
    assert formats.long_date(date(2027, 1, 1)) == "1er janvier 2027"
    assert formats.full_date(DAY) == "lundi 7 décembre 2026"
    assert formats.short_date(date(2026, 3, 5)) == "05/03/2026"
    assert formats.number(1500) == f"1{NNBSP}500"
    assert formats.number(12.5) == "12,5"
    assert formats.kilobytes(3 * 1024 * 1024) == f"3{NNBSP}072"
    assert formats.kilobytes(10) == "1"  # never « 0 Ko »
    assert formats.percent(2 / 23) == f"8,7{NBSP}%"
    assert formats.percent(0.5) == f"50{NBSP}%"


def test_timbre_town_and_number_follow_the_place(commune: DataFolder) -> None:
    head = layout.letterhead(commune)
    assert head.timbre == ("DISTRICT DE BAMAKO", "COMMUNE IV", "COMITÉ CONSULTATIF DE SÉCURITÉ")
    assert head.town == "Bamako"
    assert head.registration_suffix == "CCS-CIV"
    assert head.chair_title == "Maire"

    places.add(commune, "cercle", "Macina", "Ségou")
    places.add(commune, "commune", "Kokry", "Ségou/Macina")
    places.add(commune, "cercle", "Ansongo", "Gao")
    places.add(commune, "commune", "Ouattagouna", "Gao/Ansongo")
    places.add(commune, "cercle", "Yélimané", "Kayes")
    kokry = _place(commune, "Ségou/Macina/Kokry", ("commune",))
    with commune.database.reading() as session:
        kokry = session.get(Place, kokry.id)
        assert layout.timbre_lines(kokry) == (
            "RÉGION DE SÉGOU", "CERCLE DE MACINA", "COMMUNE DE KOKRY",
            "COMITÉ CONSULTATIF DE SÉCURITÉ")
        assert layout.town_of(kokry) == "Kokry"
        assert layout.registration_suffix(kokry) == "CCS-KOK"
        ouatta = session.scalar(select(Place).where(Place.name == "Ouattagouna"))
        assert layout.timbre_lines(ouatta)[:3] == (
            "RÉGION DE GAO", "CERCLE D’ANSONGO", "COMMUNE D’OUATTAGOUNA")
        yelimane = session.scalar(select(Place).where(Place.name == "Yélimané"))
        assert layout.timbre_lines(yelimane)[1] == "CERCLE DE YÉLIMANÉ"
        segou = session.scalar(select(Place).where(Place.name == "Ségou",
                                                   Place.kind == "region"))
        assert layout.timbre_lines(segou) == ("RÉGION DE SÉGOU",
                                              "COMITÉ CONSULTATIF DE SÉCURITÉ")
        assert layout.town_of(segou) == "Ségou"


def test_region_committee_letterhead(folder: DataFolder) -> None:
    committee.initialize(folder, level="region", name="CCS régional de Ségou", place="Ségou",
                         chair_title="Gouverneur", passphrase=PASSPHRASE)
    head = layout.letterhead(folder)
    assert head.timbre == ("RÉGION DE SÉGOU", "COMITÉ CONSULTATIF DE SÉCURITÉ")
    assert head.town == "Ségou"


def test_no_committee_no_letterhead(folder: DataFolder) -> None:
    with pytest.raises(StateError, match="ccsdesk init"):
        layout.letterhead(folder)


def test_page_header_reads_like_a_malian_document(commune: DataFolder, tmp_path: Path) -> None:
    data, identity = _sample(commune)
    pdf = tmp_path / "pv.pdf"
    pdf.write_bytes(data)
    text = pdftools.text(pdf)
    for expected in ("DISTRICT DE BAMAKO", "COMMUNE IV", "COMITÉ CONSULTATIF DE SÉCURITÉ",
                     "RÉPUBLIQUE DU MALI", "Un Peuple \u2013 Un But \u2013 Une Foi",
                     "Bamako, le 7 décembre 2026", "/CCS-CIV", "PROCÈS-VERBAL",
                     "Objet : Réunion mensuelle statutaire", "page 1 sur 1",
                     f"Réf. {identity.reference}", "Ɲɛlɛni DIARRA", "Ŋàna", "Sɔgɔ KƐITA",
                     "l’association"):
        assert expected in text, expected
    assert "DOCUMENTDETEST" not in "".join(pdftools.text(pdf, mode="-raw").split())
    assert text.index("DISTRICT DE BAMAKO") < text.index("PROCÈS-VERBAL")
    pdftools.qpdf_check(pdf)
    rows = pdftools.fonts(pdf)
    assert rows, "no font listed"
    assert all(row[-5] == "yes" for row in rows), rows  # the "emb" column
    assert {row[0].split("+")[-1] for row in rows} <= {
        "NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic"}
    meta = pdftools.info(pdf)
    assert meta["Pages"] == "1"
    assert meta["Page size"].startswith("595.276 x 841.89")
    assert meta["Keywords"] == identity.payload


def test_long_tables_break_with_their_heading_repeated(commune: DataFolder,
                                                      tmp_path: Path) -> None:
    data, _identity = _sample(commune, rows=120)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(data)
    pages = pdftools.page_texts(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number} sur {len(pages)}" in page
        assert "Nom et prénom(s)" in page
    assert "TRAORÉ Aminata 120" in pages[-1]
    images = pdftools.render(pdf, tmp_path / "png")
    assert len(images) == len(pages)
    assert all(image.stat().st_size > 5000 for image in images)


def test_demo_folder_prints_the_test_watermark(folder: DataFolder, tmp_path: Path) -> None:
    committee.initialize(folder, level="commune", name="CCS de démonstration",
                         place="Commune II", passphrase=PASSPHRASE, demo=True)
    data, _identity = _sample(folder)
    pdf = tmp_path / "demo.pdf"
    pdf.write_bytes(data)
    # The diagonal watermark comes out one letter per line.
    assert "DOCUMENTDETEST" in "".join(pdftools.text(pdf, mode="-raw").split())


def test_identity_hash_and_payload() -> None:
    one = layout.identify("roster", {"a": [1, "Sɔgɔ"]})
    again = layout.identify("roster", {"a": [1, "Sɔgɔ"]})
    other = layout.identify("roster", {"a": [1, "Sogo"]})
    assert one.content_hash == again.content_hash != other.content_hash
    assert one.id != again.id
    assert len(one.content_hash) == 64
    assert one.reference == "LM-" + one.content_hash[:4].upper() + "-" + \
        one.content_hash[4:8].upper()
    assert one.payload == (f"CCSDESK-DOC:1:ROSTER:{one.id.upper()}:"
                           f"{one.content_hash.upper()}")
    assert layout.parse_payload(one.payload) == one
    fixed = layout.identify("minutes", {}, doc_id="0F0E-AB")
    assert fixed.id == "0f0eab"
    for junk in ("", "HELLO", "CCSDESK-DOC:2:ROSTER:AB:" + "0" * 64,
                 "CCSDESK-DOC:1:ROSTER:AB:XYZ"):
        with pytest.raises(ValueError):
            layout.parse_payload(junk)


def test_qr_code_decodes_to_the_identity(commune: DataFolder, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    data, identity = _sample(commune)
    pdf = tmp_path / "qr.pdf"
    pdf.write_bytes(data)
    (image,) = pdftools.render(pdf, tmp_path / "png", dpi=200)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(image))
             if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert found == [identity.payload]
    assert layout.parse_payload(found[0]).content_hash == identity.content_hash


def test_qr_modules_encode_the_payload() -> None:
    identity = layout.identify("roster", {"x": 1})
    modules = layout.qr_modules(identity.payload)
    size = len(modules)
    assert size >= 21 and (size - 17) % 4 == 0
    assert all(len(row) == size for row in modules)
    # The three finder patterns: dark 7×7 squares with a light ring, in three corners.
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(modules[top][left + i] for i in range(7))
        assert not modules[top + 1][left + 1]
        assert modules[top + 3][left + 3]
    assert modules != layout.qr_modules(layout.identify("roster", {"x": 2}).payload)


def test_shipped_fonts_cover_french_and_bambara() -> None:
    from fontTools.ttLib import TTFont

    from ccsdesk.core.documents import fonts, stamp_font

    letters = "ɛɔɲŋƐƆƝŊéèêëàâçîïôûùÉÈÀÇ–’«»°№\u202f\u00a0"
    for face in (fonts.REGULAR, fonts.BOLD, fonts.ITALIC):
        cmap = TTFont(str(fonts.font_file(face))).getBestCmap()
        assert all(ord(c) in cmap for c in letters), face
    stamp = TTFont(str(stamp_font.stamp_font_path()))
    assert all(ord(c) in stamp.getBestCmap() for c in letters)
    assert not {"GSUB", "GPOS", "GDEF"} & set(stamp.keys())
    assert stamp["name"].getDebugName(1) == "CCS Desk Stamp Sans"
    assert (stamp_font.stamp_font_path().parent / "OFL.txt").exists()


def test_stamp_font_can_be_regenerated(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    from ccsdesk.core.documents import fonts, stamp_font

    target = tmp_path / "stamp.ttf"
    stamp_font.make(fonts.font_file(fonts.REGULAR), target)
    made, shipped = TTFont(str(target)), TTFont(str(stamp_font.stamp_font_path()))
    assert made.getBestCmap() == shipped.getBestCmap()
    assert made["hmtx"].metrics == shipped["hmtx"].metrics


def test_long_committee_name_never_runs_into_the_page_number(folder: DataFolder,
                                                             tmp_path: Path) -> None:
    # As long and as wide as a certificate's name allows (its common name is capped).
    name = "COMITÉ CONSULTATIF DE SÉCURITÉ DE MWAMWAMWAMWAMWAMWAMWAMWAMW"
    committee.initialize(folder, level="commune", name=name, place="Commune IV",
                         passphrase=PASSPHRASE)
    data, identity = _sample(folder)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(data)
    line = next(line for line in pdftools.text(pdf).splitlines() if "page 1 sur 1" in line)
    assert line.startswith(f"Réf. {identity.reference} · COMITÉ CONSULTATIF")
    assert "…" in line and "AMWAMW " not in line
    # The words of the footer line stop before "page" starts.
    bbox = pdftools.run("pdftotext", "-bbox", pdf, "-").stdout
    words = [(float(x0), float(x1), word) for x0, x1, word in re.findall(
        r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', bbox)]
    page_x = next(x0 for x0, _x1, word in words if word == "page")
    footer = [x1 for x0, x1, word in words if word.endswith("…")]
    assert footer and footer[0] < page_x - 5
    assert layout.footer_left("court", 500) == "court"
    assert layout.footer_left("un nom bien trop long pour la place", 60).endswith("…")
