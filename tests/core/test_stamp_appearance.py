"""The signature stamp drawn by ReportLab: size, embedded font, Bambara letters, long names."""

from __future__ import annotations

import re
from pathlib import Path

from ccsdesk.core.exchange import signing, stamp_appearance
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import pdftools

LINES = ["Signé électroniquement par", "CCS de la Commune IV", "Pour le comité : Maire",
         "Le 7 décembre 2026 à 10:05", "Clé : 9253 5992 5049 3591 6639"]


def _words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    html = pdftools.run("pdftotext", "-bbox", pdf, "-").stdout
    return [(float(m[1]), float(m[2]), float(m[3]), float(m[4]), m[5]) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
        html)]


def test_one_page_the_size_of_the_box_with_the_font_embedded(tmp_path: Path) -> None:
    path = tmp_path / "tampon.pdf"
    path.write_bytes(stamp_appearance.draw(LINES, 232, 73))
    info = pdftools.info(path)
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("232 x 73 pts")
    fonts = pdftools.fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts)  # nothing left unembedded
    assert any("CCSDeskStampSans" in row[0] for row in fonts)
    text = pdftools.page_texts(path)[0]
    for line in LINES:
        assert line in text
    words = _words(path)
    assert all(0 < x1 < x2 < 232 and 0 < y1 < y2 < 73 for x1, y1, x2, y2, _w in words)
    tops = [y1 for _x1, y1, _x2, _y2, _w in words]
    bottoms = [y2 for _x1, _y1, _x2, y2, _w in words]
    # Centred vertically: about as much room above the first line as below the last.
    assert abs(min(tops) - (73 - max(bottoms))) < 4


def test_bambara_letters_and_a_long_name_stay_inside(tmp_path: Path) -> None:
    long_name = "CCS de la Commune rurale de Kɔnɔbugu-Ɲɛnɛ-Ŋanakoro-Sikoro"
    path = tmp_path / "tampon.pdf"
    path.write_bytes(stamp_appearance.draw(["Signé par", long_name], 232, 73))
    from reportlab.pdfbase import pdfmetrics

    assert pdfmetrics.stringWidth(long_name, "CCSDeskStampSans-Regular", 9) > 232 - 14
    assert long_name in pdftools.page_texts(path)[0]
    # Shrunk to fit: the long line ends inside the card's right margin.
    assert max(x2 for _x1, _y1, x2, _y2, _w in _words(path)) <= 232 - 6


def test_signed_page_shows_the_drawn_stamp(commune: DataFolder, tmp_path: Path) -> None:
    from datetime import date

    from ccsdesk.core.documents import roster as roster_pdf

    data = roster_pdf.render(commune, today=date(2026, 12, 7))
    signed = signing.sign_pdf(commune, data, PASSPHRASE,
                              stamp_text=["Visé par le maire de Kɔnɔbugu", "ɛ ɔ ɲ ŋ – « ok »"])
    path = tmp_path / "signe.pdf"
    path.write_bytes(signed)
    assert "Signature is Valid." in pdftools.run("pdfsig", path).stdout
    first = pdftools.page_texts(path)[0]
    assert "Visé par le maire de Kɔnɔbugu" in first and "ɛ ɔ ɲ ŋ – « ok »" in first
    assert all(row[-5] == "yes" for row in pdftools.fonts(path))
    assert pdftools.render(path, tmp_path / "png", dpi=40)
