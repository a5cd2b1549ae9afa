"""Reading member fields the way secretariats write them.

The same rules serve the member form and the CSV/XLSX import, so a value the form accepts
is also accepted from a file and vice versa. Every parser returns the clean value or raises
:class:`InputError` with a French reason naming the value.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.text import fold_key

ROLES: dict[str, str] = {
    "president": N_("President"),
    "vice_president": N_("Vice-president"),
    "secretary": N_("Secretary / rapporteur"),
    "member": N_("Member"),
    "guest": N_("Guest (no vote)"),
}
SEXES: dict[str, str] = {"F": N_("Woman"), "M": N_("Man")}

_SEX_WORDS = {
    "f": "F", "femme": "F", "feminin": "F", "female": "F", "w": "F", "woman": "F",
    "m": "M", "h": "M", "homme": "M", "masculin": "M", "male": "M", "man": "M",
    # a "Civilité" column on imported lists
    "mme": "F", "madame": "F", "mlle": "F", "mademoiselle": "F",
    "mr": "M", "monsieur": "M",
}
_ROLE_WORDS = {
    "president": "president", "presidente": "president", "pdt": "president",
    "vice president": "vice_president", "vice presidente": "vice_president",
    "vp": "vice_president", "secretaire": "secretary", "rapporteur": "secretary",
    "secretaire rapporteur": "secretary", "rapporteuse": "secretary",
    "secretary": "secretary", "membre": "member", "member": "member",
    "invite": "guest", "invitee": "guest", "guest": "guest", "observateur": "guest",
}
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[0-9+ ./()\-]+$")


def parse_sex(value: str) -> str:
    key = fold_key(value)
    if key in _SEX_WORDS:
        return _SEX_WORDS[key]
    raise InputError(_("unknown sex « {value} » (write F or M)").format(value=value))


def parse_role(value: str) -> str:
    key = fold_key(value)
    if not key:
        return "member"
    if key in ROLES:
        return key
    for words, role in _ROLE_WORDS.items():
        if key == words or key.replace(" ", "") == words.replace(" ", ""):
            return role
    raise InputError(
        _("unknown bureau role « {value} » (président, vice-président, secrétaire, membre, "
          "invité)").format(value=value)
    )


def parse_date(value: str | date | datetime | None) -> date | None:
    """A date from ``dd/mm/yyyy``, ``yyyy-mm-dd`` (and a few variants) or a spreadsheet cell."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise InputError(
        _("impossible date « {value} » (write it as dd/mm/yyyy)").format(value=value)
    )


def clean_phone(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if not _PHONE_CHARS.match(text) or len(digits) < 8 or len(digits) > 15:
        raise InputError(_("invalid phone number « {value} »").format(value=value))
    return text


def clean_email(value: str) -> str:
    text = value.strip()
    if text and not _EMAIL.match(text):
        raise InputError(_("invalid e-mail address « {value} »").format(value=value))
    return text


def check_mandate(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InputError(_("the mandate ends before it starts"))
