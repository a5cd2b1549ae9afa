"""The pyHanko half of a signature: a PDF, a key and a chain in, the PAdES-signed PDF out.

This module imports pyHanko at its top and nothing of the data folder, the key store or
SQLAlchemy, for two reasons. ``signing.py`` imports it only when a signature is made, so
the rest of the program never pays pyHanko's import (a quarter to half a second); and the
command line can import it in a helper process while the main one is still building the PDF
(``signing_worker.py``): everything needed crosses as a ``SignRequest`` of bytes and strings.

The stamp arrives already drawn (``stamp_appearance.py``) and is set as the widget's static
appearance, which keeps pyHanko's OpenType engine and fontTools unloaded.
"""

from __future__ import annotations

import binascii
import io
import uuid
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import keys
from ccsdesk.core.exchange.sign_request import SignRequest
from ccsdesk.core.i18n import _


class _PageAppearance(content.PdfContent):
    """The first page of an in-memory PDF, drawn as a form XObject (pyHanko's
    ``ImportedPdfPage`` does the same from a file name; the stamp never touches the disk)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)))
        name = b"/Stamp" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


def _style(stamp_pdf: bytes) -> StaticStampStyle:
    # The drawing has its own border and white card: pyHanko adds neither, and places it
    # at the box's corner at full opacity.
    return StaticStampStyle(
        background=_PageAppearance(stamp_pdf),
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MIN,
            margins=Margins.uniform(0),
        ),
        background_opacity=1.0,
        border_width=0,
    )


def sign(request: SignRequest) -> bytes:
    """The signed bytes of ``request.data`` (an incremental update: the original stays first).

    Refuses (``InputError``) a file that is not a readable PDF, a stamp page it does not
    have, and a field that already holds a signature; a request carrying the passphrase
    instead of the key is unlocked first (``WrongPassphraseError``).
    """
    key_der = request.signing_key_der
    if key_der is None:
        key_der = keys.unlock(Path(request.keys_dir), request.passphrase).signing_key_der
    chain = [asn1_x509.Certificate.load(asn1_pem.unarmor(pem.encode("ascii"))[2])
             for pem in request.chain_pems]
    signer = signers.SimpleSigner(
        signing_cert=chain[0],
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=request.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason,
        location=request.location,
        name=request.name,
    )
    box = request.box
    style = _style(request.stamp_pdf) if box is not None and request.stamp_pdf else None
    spec = None if box is None else fields.SigFieldSpec(
        sig_field_name=request.field_name, on_page=request.on_page, box=box)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(request.data), strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
        on_page = request.on_page
        if box is not None and not -pages <= on_page < pages:
            raise InputError(
                _("This PDF has {count} pages: there is no page {page} for the stamp.").format(
                    count=pages, page=on_page + 1 if on_page >= 0 else on_page))
        existing = {name: value for name, value, _ref in fields.enumerate_sig_fields(writer)}
        if existing.get(request.field_name) is not None:
            raise InputError(
                _("This PDF is already signed in the field « {field} ».").format(
                    field=request.field_name))
        pdf_signer = signers.PdfSigner(
            metadata, signer=signer, stamp_style=style,
            new_field_spec=None if request.field_name in existing else spec,
        )
        output = pdf_signer.sign_pdf(writer)
    except (PdfError, ValueError, KeyError, IndexError) as error:
        raise InputError(
            _("This file cannot be signed: it is not a readable PDF ({reason}).").format(
                reason=error)
        ) from None
    return output.getvalue()
