"""What the pyHanko half of a signature needs, as plain data that can cross to another process.

Kept apart from ``pades.py`` (which imports pyHanko at its top) so that the side that reads
the data folder and unlocks the key can describe a signature without importing pyHanko, and
so that the description can be pickled to the command line's signing process
(``signing_worker.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SignRequest:
    """One signature to make, the stamp already drawn.

    The key comes either unlocked (``signing_key_der``, PKCS#8 DER) or as the key folder and
    passphrase to unlock it with, which lets the command line's helper process run scrypt
    while this one builds. Neither secret shows in the request's ``repr``.

    ``box`` is the stamp's rectangle in whole points (pyHanko lays out with fractions) on
    page ``on_page``, with ``stamp_pdf`` its drawing (``stamp_appearance.draw``); ``box``
    None signs without a visible stamp. ``language`` is the interface language the refusals
    are worded in, since a helper process does not share this one's setting.
    """

    data: bytes = field(repr=False)
    chain_pems: tuple[str, ...]
    field_name: str
    reason: str
    location: str
    name: str
    on_page: int = 0
    box: tuple[int, int, int, int] | None = None
    stamp_pdf: bytes | None = field(default=None, repr=False)
    language: str = "fr"
    signing_key_der: bytes | None = field(default=None, repr=False)
    keys_dir: str = ""
    passphrase: str = field(default="", repr=False)
