"""Certificates down the hierarchy: issuing a child's, installing ours, walking a chain.

A committee starts with a self-issued certificate. When a parent enrols a child it issues the
child a certificate for the child's own public key, signed with the parent's key; once the
child installs it (with the parent's own chain) every signature the child makes carries the
chain, so a level that knows only the parent — or the parent's parent — can still tell which
committee signed. Checking a chain is done here with plain ``cryptography`` calls: each
certificate must be signed by the next one's key, up to a key this data folder knows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import keys
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _

CHAIN_FILE = "chaine.pem"
ISSUED_YEARS = 10
MAX_CHAIN = 6  # commune → cercle → région → national, with room to spare


def load(pem: str):  # type: ignore[no-untyped-def]
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise InputError(_("A certificate cannot be read: {reason}.").format(
            reason=error)) from None


def public_key_der(pem: str) -> bytes:
    """The SubjectPublicKeyInfo of a certificate: what stays the same when it is re-issued."""
    from cryptography.hazmat.primitives import serialization

    return load(pem).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def split_pems(text: str) -> list[str]:
    """The PEM blocks of a file holding several certificates, in order."""
    marker = "-----END CERTIFICATE-----"
    blocks = []
    for part in text.split(marker):
        start = part.find("-----BEGIN CERTIFICATE-----")
        if start >= 0:
            blocks.append(part[start:] + marker + "\n")
    return blocks


def issue(parent_key_der: bytes, parent_pem: str, child_pem: str) -> str:
    """A certificate for the child's public key and subject, issued by the parent."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    parent_key = serialization.load_der_private_key(parent_key_der, password=None)
    parent = load(parent_pem)
    child = load(child_pem)
    certificate = (
        keys.committee_certificate(child.subject, parent.subject, child.public_key(),
                                   ISSUED_YEARS)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            parent.public_key()), critical=False)  # type: ignore[arg-type]
        .sign(parent_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def signed_by(certificate_pem: str, issuer_pem: str) -> bool:
    """Whether ``certificate_pem`` carries a valid signature by ``issuer_pem``'s key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec

    certificate, issuer = load(certificate_pem), load(issuer_pem)
    key = issuer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or certificate.issuer != issuer.subject:
        return False
    try:
        key.verify(certificate.signature, certificate.tbs_certificate_bytes,
                   ec.ECDSA(certificate.signature_hash_algorithm))  # type: ignore[arg-type]
    except InvalidSignature:
        return False
    return True


def own_chain(keys_dir: Path, fallback_pem: str) -> list[str]:
    """This committee's signing certificate then the issuers' ones, leaf first.

    Before a parent issued us a certificate there is no chain file and the chain is just the
    self-issued certificate (``fallback_pem``, kept in the database).
    """
    chain_file = keys_dir / CHAIN_FILE
    certificate_file = keys_dir / keys.CERTIFICATE_FILE
    if chain_file.exists() and certificate_file.exists():
        return [certificate_file.read_text("ascii"), *split_pems(chain_file.read_text("ascii"))]
    return [fallback_pem]


def install(keys_dir: Path, issued_pem: str, issuer_chain: list[str]) -> None:
    """Keep the certificate a parent issued us and the parent's chain beside the keys."""
    write_atomically(keys_dir / CHAIN_FILE, "".join(issuer_chain).encode("ascii"))
    write_atomically(keys_dir / keys.CERTIFICATE_FILE, issued_pem.encode("ascii"))


@dataclass(frozen=True)
class Anchor:
    """Where a chain met a key this data folder knows: that committee and how many steps."""

    uid: str
    name: str
    relation: str
    depth: int


def anchor(chain: list[str], known: Iterable[tuple[bytes, str, str, str]]) -> Anchor | None:
    """Walk ``chain`` (leaf first) to the first key in ``known`` (SPKI DER, uid, name, relation).

    Every step must be signed by the next certificate; a broken step ends the walk without
    an anchor. The leaf itself may be the known one (depth 0).
    """
    by_key = {spki: (uid, name, relation) for spki, uid, name, relation in known}
    for depth, pem in enumerate(chain[:MAX_CHAIN]):
        found = by_key.get(public_key_der(pem))
        if found is not None:
            return Anchor(uid=found[0], name=found[1], relation=found[2], depth=depth)
        if depth + 1 >= len(chain) or not signed_by(pem, chain[depth + 1]):
            return None
    return None
