"""The roster PDF: every member in office, Bambara letters intact, composition figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.documents import layout
from ccsdesk.core.documents import roster as roster_pdf
from ccsdesk.core.errors import StateError
from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DataFolder
from tests.core import pdftools

TODAY = date(2026, 12, 7)
NBSP = "\u00a0"
PEOPLE = [("KƐITA", "Sɔgɔ", "M"), ("TRAORÉ", "Aminata", "F"), ("DIARRA", "Ɲɛlɛni", "F"),
          ("COULIBALY", "Moussa", "M"), ("SANGARÉ", "Oumou", "F"), ("TOURÉ", "Ibrahim", "M")]


def populate(folder: DataFolder, count: int) -> None:
    """``count`` members: the bureau first, Bambara and accented names, women and men."""
    categories = roster.list_categories(folder)
    for index in range(count):
        last, first, sex = PEOPLE[index % len(PEOPLE)]
        roster.add_member(folder, roster.MemberData(
            last_name=last if index < len(PEOPLE) else f"{last} {index:02d}",
            first_names=first, sex=sex,
            category_id=categories[index % len(categories)].id,
            organisation="Association Ŋàna des jeunes" if index % 5 == 0 else "Mairie",
            role=("president", "vice_president", "secretary")[index] if index < 3 else "member",
            phone=f"+223 76 12 34 {index % 100:02d}",
            mandate_start=date(2024, 1, 1),
            mandate_end=date(2026, 12, 20) if index == 4 else date(2028, 1, 15),
        ))


def test_roster_pdf_of_sixty_members(commune: DataFolder, tmp_path: Path) -> None:
    populate(commune, 60)
    guest = roster.add_member(commune, roster.MemberData(
        last_name="Observateur", first_names="Paul", sex="M", role="guest"))
    gone = roster.add_member(commune, roster.MemberData(
        last_name="Ancien", first_names="Membre", sex="M"))
    roster.set_active(commune, gone, False)
    path = tmp_path / "sortie" / "liste.pdf"
    roster_pdf.write(commune, path, today=TODAY)

    assert path.exists() and not path.with_name("liste.pdf.partial").exists()
    pdftools.qpdf_check(path)
    assert all(row[-5] == "yes" for row in pdftools.fonts(path))
    pages = pdftools.page_texts(path)
    assert len(pages) >= 3
    everything = "\n".join(pages)
    for number, page in enumerate(pages, start=1):
        assert f"page {number} sur {len(pages)}" in page
    # The table heading is repeated on every page the table spans.
    with_rows = [p for p in pages if "+223 76" in p]
    assert len(with_rows) >= 2
    assert all("Nom et prénom(s)" in p and "Téléphone" in p for p in with_rows)
    first = pages[0]
    for expected in ("RÉPUBLIQUE DU MALI", "Un Peuple \u2013 Un But \u2013 Une Foi",
                     "DISTRICT DE BAMAKO", "COMMUNE IV", "LISTE DES MEMBRES",
                     "CCS de la Commune IV", "Bamako, le 7 décembre 2026",
                     "le comité compte 61 membres en fonction"):
        assert expected in first, expected
    # The bureau comes first, in order, then the others by name.
    assert first.index("KƐITA Sɔgɔ") < first.index("TRAORÉ Aminata") < \
        first.index("DIARRA Ɲɛlɛni")
    assert "Président" in first and "Vice-président" in first
    for expected in ("Ŋàna", "SANGARÉ Oumou", "OBSERVATEUR Paul", "Invité",
                     "01/01/2024 –", "COULIBALY 57 Moussa"):
        assert expected in everything, expected
    assert "ANCIEN" not in everything
    # The figures: 60 voting members (the guest is not counted), 30 women = 50 %.
    assert "Composition du comité" in everything
    assert "Membres en fonction ayant voix délibérative" in everything
    assert f"30 (50{NBSP}%)" in everything or "30 (50 %)" in everything
    assert "Répartition par catégorie" in everything
    assert "Élus" in everything
    assert "SANGARÉ Oumou : mandat prenant fin le 20 décembre 2026" in everything
    meta = pdftools.info(path)
    assert meta["Title"] == "Liste des membres"
    assert meta["Keywords"].startswith("CCSDESK-DOC:1:ROSTER:")
    images = pdftools.render(path, tmp_path / "png")
    assert len(images) == len(pages)
    assert guest


def test_small_roster_fits_one_page_and_says_no_mandate_ends(commune: DataFolder,
                                                              tmp_path: Path) -> None:
    roster.add_member(commune, roster.MemberData(last_name="Diallo", first_names="Fanta",
                                                 sex="F"))
    path = tmp_path / "liste.pdf"
    path.write_bytes(b"ancien contenu")
    roster_pdf.write(commune, path, today=TODAY)
    text = pdftools.text(path)
    assert "page 1 sur 1" in text
    assert "le comité compte 1 membre en fonction" in text
    assert "Aucun mandat ne prend fin dans les 90 prochains jours." in text
    assert "DIALLO Fanta" in text
    assert path.read_bytes().startswith(b"%PDF-")


def test_same_roster_same_content_hash(commune: DataFolder, tmp_path: Path) -> None:
    """The identity (QR and keywords) hangs on what the roster shows, not on when it was
    built: the two builds may fall on different seconds, so the PDFs' creation dates are
    left out and the payloads themselves compared."""
    def payload(name: str) -> str:
        pdf = tmp_path / name
        pdf.write_bytes(roster_pdf.render(commune, today=TODAY, doc_id="a" * 32))
        return pdftools.info(pdf)["Keywords"]

    populate(commune, 4)
    one, two = payload("un.pdf"), payload("deux.pdf")
    assert one == two
    assert layout.parse_payload(one).content_hash == layout.parse_payload(two).content_hash
    roster.add_member(commune, roster.MemberData(last_name="Nouveau", sex="F"))
    three = payload("trois.pdf")
    assert layout.parse_payload(three).content_hash != layout.parse_payload(one).content_hash
    assert layout.parse_payload(three).id == layout.parse_payload(one).id


def test_roster_needs_a_committee(folder: DataFolder, tmp_path: Path) -> None:
    with pytest.raises(StateError):
        roster_pdf.write(folder, tmp_path / "liste.pdf")
    assert not (tmp_path / "liste.pdf").exists()
