"""The identity file (``ccsdesk-identity/1``) two committees swap to enrol each other.

It carries what another committee must know of this one — uid, name, level, place, signing
certificate, age recipient, fingerprint — and a signature over all of it by the committee's
own key, so a file edited on the way (a changed age recipient would hand the archives to
someone else) is refused. The signature proves the file is whole, not who sent it: that is
what the fingerprint read over the phone is for. Documented in ``docs/formats/identity.md``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import certificates, keys
from ccsdesk.core.i18n import _

FORMAT = "ccsdesk-identity/1"
MAX_SIZE = 64 * 1024
LEVELS = ("commune", "cercle", "district", "region", "national")
_FIELDS = ("uid", "name", "level", "place", "signing_certificate", "age_recipient",
           "fingerprint", "created")


@dataclass(frozen=True)
class Identity:
    """Another committee as its identity file describes it (already checked)."""

    uid: str
    name: str
    level: str
    place: str
    signing_certificate: str
    age_recipient: str
    fingerprint: str
    created: str


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def sign_bytes(signing_key_der: bytes, data: bytes) -> bytes:
    """An ECDSA P-256 / SHA-256 signature (DER) of ``data`` with a PKCS#8 key."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = serialization.load_der_private_key(signing_key_der, password=None)
    return key.sign(data, ec.ECDSA(hashes.SHA256()))  # type: ignore[union-attr, call-arg]


def signature_valid(certificate_pem: str, data: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = certificates.load(certificate_pem).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def signature_valid_safe(certificate_pem: str, data: bytes, signature_b64: str) -> bool:
    """Like :func:`signature_valid`, but a malformed certificate or signature is just False."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        return signature_valid(certificate_pem, data, signature)
    except (ValueError, InputError, TypeError):
        return False


def build(identity: Identity, signing_key_der: bytes) -> bytes:
    """The identity file's bytes, signed with this committee's key."""
    fields = {name: getattr(identity, name) for name in _FIELDS}
    signature = sign_bytes(signing_key_der, _canonical(fields))
    document = {"format": FORMAT, **fields,
                "signature": base64.b64encode(signature).decode("ascii")}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _damaged(reason: str) -> InputError:
    return InputError(_("This identity file is damaged or was changed ({reason}); ask the "
                        "committee for a new one.").format(reason=reason))


def parse(data: bytes) -> Identity:
    """Read and check an identity file: format, fields, signature and fingerprint."""
    if len(data) > MAX_SIZE:
        raise InputError(_("This file is too large to be an identity file (more than {size} "
                           "KB).").format(size=MAX_SIZE // 1024))
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError(_("This file is not a CCS Desk identity file.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(_("This file is not a CCS Desk identity file."))
    fields = {name: document.get(name) for name in _FIELDS}
    if not all(isinstance(value, str) and (value or name == "place")
               for name, value in fields.items()):
        raise _damaged(_("missing fields"))
    if fields["level"] not in LEVELS:
        raise _damaged(_("unknown level"))
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        spki = certificates.public_key_der(fields["signing_certificate"])
    except (ValueError, InputError):
        raise _damaged(_("unreadable certificate or signature")) from None
    if not signature_valid(fields["signing_certificate"], _canonical(fields), signature):
        raise _damaged(_("the signature does not match"))
    if keys.fingerprint(spki, fields["age_recipient"]) != fields["fingerprint"]:
        raise _damaged(_("the fingerprint does not match the keys"))
    try:
        from pyrage import x25519

        x25519.Recipient.from_str(fields["age_recipient"])
    except Exception:  # pyrage raises its own RecipientError, not an Exception subclass we know
        raise _damaged(_("unreadable age recipient")) from None
    return Identity(**fields)  # type: ignore[arg-type]


def normalise_fingerprint(text: str) -> str:
    """Digits only, so that "1234-5678…" and "1234 5678…" as typed both compare."""
    return "".join(ch for ch in text if ch.isdigit())


def now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
