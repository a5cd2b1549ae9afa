"""Text normalisation used to match names typed by people.

Secretariats write "Ségou", "SEGOU" or "segou " for the same place, and "Traoré" or "TRAORE"
for the same member, so matching ignores case, accents and extra spaces.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_key(text: str) -> str:
    """Like :func:`fold` but also drops punctuation, for column headings and categories."""
    return _SPACES.sub(" ", re.sub(r"[^0-9a-z]+", " ", fold(text))).strip()
