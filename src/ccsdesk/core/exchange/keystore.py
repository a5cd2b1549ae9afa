"""The committee's private keys, encrypted at rest with the passphrase.

File format ``ccsdesk-keystore/1`` (JSON, documented in ``docs/formats/keystore.md``): scrypt
derives a 256-bit key from the passphrase, AES-256-GCM encrypts a JSON payload holding the
PKCS#8 signing key and the *age* X25519 identity. age's own passphrase mode would be a
standard alternative but costs 1.3–2.4 s per unlock on this class of machine; scrypt with
the parameters below costs about 0.1 s and they are stored in the file so they can be raised.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from ccsdesk.core.errors import InputError, StorageError, WrongPassphraseError
from ccsdesk.core.i18n import _

FORMAT = "ccsdesk-keystore/1"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class Secrets:
    """The decrypted private material: PKCS#8 DER signing key and the age identity string."""

    signing_key_der: bytes
    age_identity: str


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            _("The passphrase must have at least {count} characters.").format(
                count=MIN_PASSPHRASE
            )
        )


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(secrets: Secrets, passphrase: str) -> bytes:
    """The keystore file's bytes for ``secrets`` under ``passphrase``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    payload = json.dumps(
        {
            "signing_key_pkcs8": base64.b64encode(secrets.signing_key_der).decode("ascii"),
            "age_identity": secrets.age_identity,
        }
    ).encode("utf-8")
    document = {
        "format": FORMAT,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                "salt": base64.b64encode(salt).decode("ascii")},
        "cipher": {"name": "aes-256-gcm", "nonce": base64.b64encode(nonce).decode("ascii")},
        "ciphertext": base64.b64encode(
            AESGCM(key).encrypt(nonce, payload, FORMAT.encode("ascii"))
        ).decode("ascii"),
    }
    return json.dumps(document, indent=2).encode("utf-8")


def unseal(data: bytes, passphrase: str) -> Secrets:
    """The secrets in a keystore file; refuses a wrong passphrase or a damaged file."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(document.get("format"))
        kdf, cipher = document["kdf"], document["cipher"]
        salt = base64.b64decode(kdf["salt"])
        nonce = base64.b64decode(cipher["nonce"])
        ciphertext = base64.b64decode(document["ciphertext"])
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise StorageError(_("The key file is damaged or of an unknown format.")) from error
    try:
        payload = AESGCM(_derive(passphrase, salt, n, r, p)).decrypt(
            nonce, ciphertext, FORMAT.encode("ascii")
        )
    except InvalidTag as error:
        raise WrongPassphraseError(_("Wrong passphrase: the keys were not opened.")) from error
    content = json.loads(payload)
    return Secrets(base64.b64decode(content["signing_key_pkcs8"]), content["age_identity"])

