"""A committee's key material: the signing key with its certificate and the age identity.

The signing key is ECDSA P-256 (accepted by PDF readers and fast on old PCs); the
certificate is self-issued until the parent committee issues one (exchange issue). The
fingerprint is what two secretaries read to each other by phone to check an identity file,
so it is twenty digits in groups of four, derived from both public keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ccsdesk.core.errors import StateError, StorageError
from ccsdesk.core.exchange import keystore
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _

KEYSTORE_FILE = "cles.ccskeys"
CERTIFICATE_FILE = "certificat.pem"
RECIPIENT_FILE = "destinataire-age.txt"
CERTIFICATE_YEARS = 10


@dataclass(frozen=True)
class PublicKeys:
    """What other committees may know of this one."""

    certificate_pem: str
    age_recipient: str
    fingerprint: str


def fingerprint(public_key_der: bytes, age_recipient: str) -> str:
    digest = hashlib.sha256(public_key_der + b"\n" + age_recipient.encode("ascii")).digest()
    digits = str(int.from_bytes(digest[:16], "big")).zfill(39)[-20:]
    return " ".join(digits[i : i + 4] for i in range(0, 20, 4))


def committee_certificate(subject: Any, issuer: Any, public_key: Any, years: int) -> Any:
    """The unsigned certificate of a committee (an ``x509.CertificateBuilder``).

    Every committee certificate is a CA: a cercle or a région issues certificates to the
    committees below it in turn, so self-issued and parent-issued ones share these fields.
    """
    from cryptography import x509

    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def generate(common_name: str, place: str) -> tuple[keystore.Secrets, PublicKeys]:
    """Fresh keys and a self-issued certificate for a committee called ``common_name``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyrage import x25519

    private_key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ML"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, place[:128] or "Mali"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Comité consultatif de sécurité"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )
    certificate = committee_certificate(
        subject, subject, private_key.public_key(), CERTIFICATE_YEARS
    ).sign(private_key, hashes.SHA256())
    identity = x25519.Identity.generate()
    recipient = str(identity.to_public())
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    secrets = keystore.Secrets(
        signing_key_der=private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        age_identity=str(identity),
    )
    public = PublicKeys(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        age_recipient=recipient,
        fingerprint=fingerprint(public_der, recipient),
    )
    return secrets, public


def save(keys_dir: Path, secrets: keystore.Secrets, public: PublicKeys, passphrase: str) -> None:
    """Write the sealed private keys and the public files (certificate, age recipient)."""
    write_atomically(keys_dir / KEYSTORE_FILE, keystore.seal(secrets, passphrase))
    write_atomically(keys_dir / CERTIFICATE_FILE, public.certificate_pem.encode("ascii"))
    write_atomically(keys_dir / RECIPIENT_FILE, (public.age_recipient + "\n").encode("ascii"))


def unlock(keys_dir: Path, passphrase: str) -> keystore.Secrets:
    """The private keys, opened with ``passphrase`` (raises on a wrong one)."""
    path = keys_dir / KEYSTORE_FILE
    try:
        sealed = path.read_bytes()
    except FileNotFoundError as error:
        raise StateError(
            _("This data folder has no keys yet: set up the committee first (ccsdesk init).")
        ) from error
    except OSError as error:
        raise StorageError(
            _("The key file {file} cannot be read ({reason}).").format(
                file=path, reason=error.strerror or error
            )
        ) from error
    return keystore.unseal(sealed, passphrase)
