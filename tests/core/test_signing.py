"""PAdES signatures with the committee's key, checked by pyHanko and by poppler's pdfsig."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ccsdesk.core.documents import roster as roster_pdf
from ccsdesk.core.errors import InputError, NotFoundError, WrongPassphraseError
from ccsdesk.core.exchange import keys, signing
from ccsdesk.core.services import committee
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.test_roster_pdf import populate

TODAY = date(2026, 12, 7)


@pytest.fixture
def roster_bytes(commune: DataFolder) -> bytes:
    populate(commune, 8)
    return roster_pdf.render(commune, today=TODAY)


def _signed_range(data: bytes) -> list[int]:
    start = data.rindex(b"/ByteRange")
    numbers = data[start:start + 120].split(b"[", 1)[1].split(b"]", 1)[0].split()
    return [int(n) for n in numbers]


def test_signature_is_valid_for_pdfsig_and_pyhanko(commune: DataFolder, roster_bytes: bytes,
                                                   tmp_path: Path) -> None:
    signed = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, on_page=-1)
    path = tmp_path / "signe.pdf"
    path.write_bytes(signed)
    report = pdftools.run("pdfsig", path).stdout
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES
    assert "CCS de la Commune IV" in report
    pdftools.qpdf_check(path)
    assert all(row[-5] == "yes" for row in pdftools.fonts(path))
    # The stamp is drawn by ReportLab in the stamp font, embedded as a subset.
    assert any("CCSDeskStampSans" in row[0] and row[-4] == "yes"
               for row in pdftools.fonts(path))

    result = signing.verify_pdf(commune, path)
    assert result.signed and result.intact, result.problems
    assert result.signer == "CCS de la Commune IV"
    assert result.organisation == "Comité consultatif de sécurité"
    assert result.known_signer and result.relation == "self"
    assert result.committee == "CCS de la Commune IV"
    assert result.fingerprint == committee.require_profile(commune).fingerprint
    assert result.signatures == 1
    assert result.signed_at is not None
    assert abs(result.signed_at - datetime.now().astimezone()) < timedelta(minutes=5)
    assert result.document is not None and result.document.kind == "roster"
    # The signature adds a revision: the original bytes are untouched at the front.
    assert signed.startswith(roster_bytes)


def test_visible_stamp_names_committee_title_and_date(commune: DataFolder,
                                                      roster_bytes: bytes,
                                                      tmp_path: Path) -> None:
    signed = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, on_page=-1)
    path = tmp_path / "signe.pdf"
    path.write_bytes(signed)
    last = pdftools.page_texts(path)[-1]
    today = datetime.now()
    from ccsdesk.core import formats

    for expected in ("Signé électroniquement par", "CCS de la Commune IV",
                     "Pour le comité : Maire", f"Le {formats.long_date(today.date())} à",
                     "Clé : " + committee.require_profile(commune).fingerprint):
        assert expected in last, expected
    images = pdftools.render(path, tmp_path / "png", dpi=50)
    assert len(images) == len(pdftools.page_texts(path))


def test_invisible_signature_and_custom_stamp(commune: DataFolder, roster_bytes: bytes,
                                              tmp_path: Path) -> None:
    invisible = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, box=None)
    assert signing.verify_pdf(commune, invisible).intact
    custom = signing.sign_pdf(commune, roster_bytes, PASSPHRASE,
                              stamp_text=["Visé – 100 % conforme"], field_name="Visa")
    path = tmp_path / "vise.pdf"
    path.write_bytes(custom)
    assert "Visé – 100 % conforme" in pdftools.page_texts(path)[0]
    assert "Signature Field Name: Visa" in pdftools.run("pdfsig", path).stdout


def test_a_flipped_byte_is_caught(commune: DataFolder, roster_bytes: bytes,
                                  tmp_path: Path) -> None:
    signed = bytearray(signing.sign_pdf(commune, roster_bytes, PASSPHRASE))
    first_start, first_length, _second_start, _second_length = _signed_range(bytes(signed))
    # A byte inside the first signed range, in the middle of the page content.
    position = first_start + first_length // 2
    signed[position] ^= 0x01
    path = tmp_path / "altere.pdf"
    path.write_bytes(bytes(signed))
    report = pdftools.run("pdfsig", path).stdout
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report
    result = signing.verify_pdf(commune, path)
    assert result.signed and not result.intact
    assert result.problems == ["Le contenu signé a été modifié après la signature."]


def test_bytes_added_after_the_signature_are_caught(commune: DataFolder,
                                                    roster_bytes: bytes) -> None:
    signed = signing.sign_pdf(commune, roster_bytes, PASSPHRASE)
    result = signing.verify_pdf(commune, signed + b"\n% ajout\n")
    assert not result.intact
    assert "Des données ont été ajoutées ou modifiées après la dernière signature." in \
        result.problems


def test_wrong_passphrase_is_refused(commune: DataFolder, roster_bytes: bytes) -> None:
    with pytest.raises(WrongPassphraseError):
        signing.sign_pdf(commune, roster_bytes, "pas la bonne phrase")


def test_stamp_on_a_page_that_does_not_exist(commune: DataFolder, roster_bytes: bytes) -> None:
    with pytest.raises(InputError, match="pas de page 9"):
        signing.sign_pdf(commune, roster_bytes, PASSPHRASE, on_page=8)


def test_not_a_pdf_and_unsigned_pdf(commune: DataFolder, roster_bytes: bytes,
                                    tmp_path: Path) -> None:
    text_file = tmp_path / "note.txt"
    text_file.write_text("bonjour", encoding="utf-8")
    with pytest.raises(InputError, match="n’est pas un PDF signé"):
        signing.verify_pdf(commune, text_file)
    with pytest.raises(NotFoundError):
        signing.verify_pdf(commune, tmp_path / "absent.pdf")
    with pytest.raises(InputError, match="pas un PDF lisible"):
        signing.sign_pdf(commune, b"%PDF-1.4\nnot really a pdf", PASSPHRASE)
    unsigned = signing.verify_pdf(commune, roster_bytes)
    assert not unsigned.signed and not unsigned.intact
    assert unsigned.problems == ["Ce PDF ne porte aucune signature."]
    assert unsigned.document is not None


def test_another_committee_is_not_a_known_signer(commune: DataFolder, roster_bytes: bytes,
                                                 tmp_path: Path) -> None:
    other = DataFolder.open(tmp_path / "autre")
    try:
        committee.initialize(other, level="commune", name="CCS de la Commune V",
                             place="Commune V", passphrase=PASSPHRASE)
        foreign = signing.sign_pdf(other, roster_bytes, PASSPHRASE)
    finally:
        other.close()
    result = signing.verify_pdf(commune, foreign)
    assert result.intact
    assert result.signer == "CCS de la Commune V"
    assert not result.known_signer and result.relation is None and result.committee == ""


def test_pdfsig_trusts_the_certificate_once_imported(commune: DataFolder, roster_bytes: bytes,
                                                     tmp_path: Path) -> None:
    if subprocess.run(["which", "certutil"], capture_output=True).returncode:
        pytest.skip("certutil (libnss3-tools) is not installed")
    path = tmp_path / "signe.pdf"
    path.write_bytes(signing.sign_pdf(commune, roster_bytes, PASSPHRASE))
    nss = tmp_path / "nss"
    nss.mkdir()
    assert pdftools.run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password").returncode == 0
    certificate = commune.keys_dir / keys.CERTIFICATE_FILE
    added = pdftools.run("certutil", "-A", "-d", f"sql:{nss}", "-n", "ccs", "-t", "CT,C,C",
                         "-a", "-i", certificate)
    assert added.returncode == 0, added.stderr
    report = pdftools.run("pdfsig", "-nssdir", f"sql:{nss}", path).stdout
    assert "Signature is Valid." in report
    assert "Certificate is Trusted." in report


def test_countersignature_and_refilled_field(commune: DataFolder, roster_bytes: bytes) -> None:
    once = signing.sign_pdf(commune, roster_bytes, PASSPHRASE)
    twice = signing.sign_pdf(commune, once, PASSPHRASE, field_name="Visa", box=None)
    result = signing.verify_pdf(commune, twice)
    assert result.intact and result.signatures == 2
    with pytest.raises(InputError, match="déjà signé dans le champ « SignatureComite »"):
        signing.sign_pdf(commune, once, PASSPHRASE)


def test_stamp_lands_in_the_spot_the_layout_reserved(commune: DataFolder,
                                                     tmp_path: Path) -> None:
    import re

    from reportlab.platypus import Paragraph

    from ccsdesk.core.documents import layout

    head = layout.letterhead(commune)
    body = layout.styles()["body"]
    spot = layout.stamp_spot()
    story = layout.header(head, day=TODAY, title="PROCÈS-VERBAL")
    story += [Paragraph(f"Point {n} : la situation sécuritaire a été examinée.", body)
              for n in range(1, 60)]
    story.append(layout.signature_block("Le Président", "Bakary DEMBÉLÉ", spot=spot))
    data = layout.build_pdf(head, layout.identify("minutes", {"n": 59}), story, title="PV")
    assert spot.page == 1 and spot.box is not None  # pushed to the second page
    path = tmp_path / "pv.pdf"
    path.write_bytes(signing.sign_pdf(commune, data, PASSPHRASE, on_page=spot.page,
                                      box=spot.box))
    assert "Signature is Valid." in pdftools.run("pdfsig", path).stdout
    html = pdftools.run("pdftotext", "-bbox", "-f", "2", "-l", "2", path, "-").stdout
    words = {m.group(5): tuple(float(m.group(i)) for i in range(1, 5)) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
        html)}
    x1, y1, x2, y2 = spot.box
    top, bottom = layout.PAGE_HEIGHT - y2, layout.PAGE_HEIGHT - y1  # pdftotext: from the top
    # The stamp's first and last lines lie inside the reserved box.
    for word in ("Signé", "électroniquement", "Clé"):
        left, upper, right, lower = words[word]
        assert x1 <= left < right <= x2 and top <= upper < lower <= bottom, word
    assert words["Président"][3] <= top + 1  # the title sits above the stamp…
    assert words["DEMBÉLÉ"][1] >= bottom - 1  # …and the name below it
