"""PDF signatures with the committee's key: PAdES baseline B with a visible stamp, and checks.

The signed packet is what travels up to the District, and any PDF reader (or poppler's
``pdfsig``) must be able to say who issued it and that not one byte changed since. pyHanko
does the PDF work; it is imported only inside these functions (through ``pades.py``) because
its import alone costs a quarter to half a second, which ``ccsdesk status`` and the window's
start must not pay.

The stamp is drawn with ReportLab in a Latin cut of the shipped Noto Sans
(``stamp_appearance.py``, ``documents/stamp_font.py``): pyHanko's default font draws "–"
wrongly, DejaVu Sans comes out stretched (``stack-notes.md``), and pyHanko's own OpenType
engine would import fontTools and subset the font anew at every signature.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ccsdesk.core import formats
from ccsdesk.core.documents import layout
from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.exchange import certificates, keys
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Committee

if TYPE_CHECKING:
    from ccsdesk.core.exchange.sign_request import SignRequest

DEFAULT_FIELD = "SignatureComite"
_MM = 72 / 25.4
# Bottom right of the body, just above the footer rule: where a chair's stamp goes on paper.
# Documents built here place it precisely with ``layout.stamp_spot()``.
DEFAULT_BOX = (
    layout.PAGE_WIDTH - layout.MARGIN_RIGHT - layout.STAMP_WIDTH,
    layout.MARGIN_BOTTOM + 1 * _MM,
    layout.PAGE_WIDTH - layout.MARGIN_RIGHT,
    layout.MARGIN_BOTTOM + 1 * _MM + layout.STAMP_HEIGHT,
)


@dataclass(frozen=True)
class Verification:
    """What ``verify`` says about a PDF: who signed, when, and whether it is intact."""

    signed: bool
    intact: bool
    signer: str = ""
    committee: str = ""
    subject: str = ""
    organisation: str = ""
    signed_at: datetime | None = None
    known_signer: bool = False
    relation: str | None = None
    fingerprint: str = ""
    signatures: int = 0
    # For a signer known through its certificate chain: the known committee that certified it.
    certified_by: str = ""
    problems: list[str] = field(default_factory=list)
    document: layout.DocumentIdentity | None = None


def _read_source(source: bytes | Path) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(_("The file {file} does not exist.").format(file=path)) from None
    except OSError as error:
        raise InputError(_("The file {file} cannot be read: {reason}.").format(
            file=path, reason=error.strerror or error)) from None


def _own_certificate_pem(folder: DataFolder) -> str:
    with folder.database.reading() as session:
        row = session.scalar(select(Committee).where(Committee.relation == "self"))
        if row is None:
            raise StateError(
                _("This data folder has no committee yet: set it up first (ccsdesk init).")
            )
        pem = row.signing_certificate
    if not pem:
        certificate_file = folder.keys_dir / keys.CERTIFICATE_FILE
        pem = certificate_file.read_text("ascii") if certificate_file.exists() else ""
    if not pem:
        raise StateError(_("This committee has no signing certificate."))
    return pem


def stamp_lines(head: layout.Letterhead, moment: datetime) -> list[str]:
    """The visible stamp's text: committee, signer's title, date, key fingerprint."""
    title = head.chair_title or _("The President of the Committee")
    return [
        _("Electronically signed by"),
        head.committee_name,
        _("For the committee: {title}").format(title=title),
        _("On {date} at {time}").format(date=formats.long_date(moment.date()),
                                        time=formats.time_of_day(moment)),
        _("Key: {fingerprint}").format(fingerprint=head.fingerprint),
    ]


def sign_pdf(
    folder: DataFolder,
    source: bytes | Path,
    passphrase: str,
    *,
    stamp_text: list[str] | None = None,
    field_name: str = DEFAULT_FIELD,
    on_page: int = 0,
    box: tuple[float, float, float, float] | None = DEFAULT_BOX,
    reason: str | None = None,
    via: Callable[[SignRequest], bytes] | None = None,
) -> bytes:
    """Sign the PDF ``source`` with this committee's key; returns the signed bytes.

    ``stamp_text`` replaces the default stamp lines (see :func:`stamp_lines`); ``box`` (in
    points, from the page's bottom left) places the stamp on page ``on_page``, or ``None``
    signs without a visible stamp. A wrong passphrase raises ``WrongPassphraseError`` before
    anything is read from the PDF.

    ``via`` unlocks the key and makes the pyHanko part somewhere else (the command line's
    ``SigningWorker.sign``, which may have unlocked the key ahead); a wrong passphrase then
    comes back from it. By default both happen here, with ``pades.sign``.
    """
    if via is not None:
        return via(prepare(folder, _read_source(source), stamp_text=stamp_text,
                           field_name=field_name, on_page=on_page, box=box, reason=reason,
                           passphrase=passphrase))
    secrets = keys.unlock(folder.keys_dir, passphrase)
    request = prepare(folder, _read_source(source), stamp_text=stamp_text,
                      field_name=field_name, on_page=on_page, box=box, reason=reason,
                      signing_key_der=secrets.signing_key_der)
    from ccsdesk.core.exchange import pades

    return pades.sign(request)


def prepare(
    folder: DataFolder,
    data: bytes,
    *,
    stamp_text: list[str] | None = None,
    field_name: str = DEFAULT_FIELD,
    on_page: int = 0,
    box: tuple[float, float, float, float] | None = DEFAULT_BOX,
    reason: str | None = None,
    signing_key_der: bytes | None = None,
    passphrase: str = "",
) -> SignRequest:
    """Everything ``pades.sign`` needs from this data folder, the stamp already drawn.

    Give the unlocked key (``signing_key_der``), or the ``passphrase`` for whoever signs to
    unlock this folder's key with.

    Split from :func:`sign_pdf` so that the command line can hand the pyHanko part to a
    process that imported pyHanko meanwhile (``signing_worker.py``); this half reads the
    database and draws with ReportLab, and never imports pyHanko.
    """
    from ccsdesk.core import i18n
    from ccsdesk.core.exchange import stamp_appearance
    from ccsdesk.core.exchange.sign_request import SignRequest

    head = layout.letterhead(folder)
    # Leaf first, then the certificates of the committees that issued it (exchange issue).
    chain_pems = certificates.own_chain(folder.keys_dir, _own_certificate_pem(folder))
    rect = None
    drawing = None
    if box is not None:
        # pyHanko lays out with fractions: whole points only.
        rect = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
        moment = datetime.now().astimezone()
        lines = stamp_text if stamp_text is not None else stamp_lines(head, moment)
        drawing = stamp_appearance.draw(lines, rect[2] - rect[0], rect[3] - rect[1])
    return SignRequest(
        data=data, chain_pems=tuple(chain_pems),
        field_name=field_name, reason=reason or _("Issued by the committee"),
        location=head.town, name=head.committee_name, on_page=on_page, box=rect,
        stamp_pdf=drawing, language=i18n.current_language(),
        signing_key_der=signing_key_der, keys_dir=str(folder.keys_dir),
        passphrase=passphrase if signing_key_der is None else "",
    )


def _quiet_library_logs() -> None:
    """Keep pyHanko's expected-failure tracebacks off stderr.

    pyHanko logs a self-issued certificate it cannot chain (any committee we do not know) as
    an error with a traceback; with logging not set up, Python prints that on stderr, where
    the command line's one-line verdict belongs. A ``NullHandler`` silences it unless the
    application configures logging itself.
    """
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _known_committees(folder: DataFolder) -> list[tuple[bytes, str, str, str]]:
    """(certificate DER, relation, name, fingerprint) of every committee this one knows."""
    from asn1crypto import pem as asn1_pem

    known = []
    with folder.database.reading() as session:
        for row in session.scalars(select(Committee)):
            if not row.signing_certificate:
                continue
            _type, _headers, der = asn1_pem.unarmor(row.signing_certificate.encode("ascii"))
            known.append((der, row.relation, row.name, row.fingerprint))
    return known


def _document_identity(reader: Any) -> layout.DocumentIdentity | None:
    try:
        info = reader.trailer["/Info"]
        return layout.parse_payload(str(info["/Keywords"]))
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def verify_pdf(folder: DataFolder, source: bytes | Path) -> Verification:
    """Check every signature of a PDF and whether the last one covers the whole file.

    Not a PDF raises :class:`InputError`; a PDF without signature gives ``signed=False``.
    A signer is *known* when its certificate is one of the committees in this data folder
    (for now this committee itself; the parent and children come with the exchange issue).
    """
    data = _read_source(source)
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise InputError(_("This file is not a signed PDF."))

    _quiet_library_logs()
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        return Verification(signed=True, intact=False, problems=[
            _("The file is damaged: it can no longer be read as a PDF ({reason}).").format(
                reason=error)])
    document = _document_identity(reader)
    if not embedded:
        return Verification(signed=False, intact=False, document=document,
                            problems=[_("This PDF carries no signature.")])

    from asn1crypto import x509 as asn1_x509

    known = _known_committees(folder)
    roots = [asn1_x509.Certificate.load(der) for der, *_rest in known]
    problems: list[str] = []
    last = embedded[-1]
    status = None
    for signature in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                    revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(signature, context)
        except (PdfError, ValueError, KeyError, TypeError) as error:
            problems.append(_("A signature cannot be checked: {reason}.").format(reason=error))
            continue
        if not status.intact:
            problems.append(_("The signed content was changed after signing."))
        elif not status.valid:
            problems.append(_("The signature does not match the signer's certificate."))
    covered = _covers_whole_file(last, data)
    if not covered:
        problems.append(_("Bytes were added or changed after the last signature."))

    certificate = last.signer_cert
    der = certificate.dump()
    match = next((entry for entry in known if entry[0] == der), None)
    certified_by = ""
    if match is None:
        match, certified_by = _match_by_key_or_chain(known, last)
    subject = certificate.subject.native
    signed_at = last.self_reported_timestamp
    return Verification(
        signed=True,
        intact=not problems,
        signer=str(subject.get("common_name", "")) or certificate.subject.human_friendly,
        committee=match[2] if match else "",
        subject=certificate.subject.human_friendly,
        organisation=str(subject.get("organization_name", "")),
        signed_at=signed_at,
        known_signer=match is not None,
        relation=match[1] if match else None,
        fingerprint=match[3] if match else "",
        certified_by=certified_by,
        signatures=len(embedded),
        problems=problems,
        document=document,
    )


def _spki(der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_der_x509_certificate(der).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _match_by_key_or_chain(known: list[tuple[bytes, str, str, str]], signature: Any
                           ) -> tuple[tuple[bytes, str, str, str] | None, str]:
    """A known committee for a signer certificate that is not byte-for-byte one we hold.

    After a parent issued a committee its certificate the committee signs with it: its
    public key is still the enrolled one (a known signer). A level further up, where that
    committee is not enrolled, the certificates embedded in the signature chain it to a
    committee we know: the signer is then named from its own certificate, and the second
    value names the known committee that certified it.
    """
    from asn1crypto import pem as asn1_pem

    leaf = signature.signer_cert
    key = _spki(leaf.dump())
    for entry in known:
        if _spki(entry[0]) == key:
            return entry, ""
    embedded = [choice.chosen for choice in signature.signed_data["certificates"]]
    chain, current = [leaf], leaf
    while len(chain) < certificates.MAX_CHAIN:
        issuer = next((c for c in embedded if c.subject == current.issuer
                       and c.dump() != current.dump()), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    pems = [asn1_pem.armor("CERTIFICATE", c.dump()).decode("ascii") for c in chain]
    found = certificates.anchor(pems, [(_spki(der), relation, name, fingerprint)
                                       for der, relation, name, fingerprint in known])
    if found is None:
        return None, ""
    subject = leaf.subject.native
    name = str(subject.get("common_name", "")) or leaf.subject.human_friendly
    # anchor() carries (uid, name, relation) slots; here they hold relation, name, fingerprint.
    return (leaf.dump(), "certified", name, ""), found.name


def _covers_whole_file(signature: Any, data: bytes) -> bool:
    """Whether the signed byte range ends where the file ends (nothing appended)."""
    byte_range = list(signature.sig_object["/ByteRange"])
    return int(byte_range[2]) + int(byte_range[3]) == len(data)
