"""How the documents speak of people in correct French: number and gender.

A PV that reads « Excusés (1) : COULIBALY Ɲɛlɛni » or a list that says « SIDIBÉ Fatoumata —
présent » looks careless to the District clerk who reads it. French agrees the word with the
count (« Absent (1) », « Absents (2) ») and with the person (« présente », « représentée
par … »); a group takes the feminine only when it holds women only.

Feminine forms have message ids of their own (« present (of a woman) »). In a language that
does not translate them (English, where the ids are the text), the ordinary form is used, so
nobody reads the id itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services.member_fields import ROLES

# status → (masculine or neutral, feminine): one member's attendance, for a table cell.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "present": (N_("present"), N_("present (of a woman)")),
    "absent": (N_("absent"), N_("absent (of a woman)")),
    "excused": (N_("excused"), N_("excused (of a woman)")),
    "represented": (N_("represented"), N_("represented (of a woman)")),
}
REPRESENTED_BY = (N_("represented by {name}"), N_("represented by {name} (of a woman)"))


def gendered(forms: tuple[str, str], sex: str) -> str:
    """The translation of ``forms[1]`` for a woman when the language has one, else ``forms[0]``."""
    if sex == "F":
        text = _(forms[1])
        if text != forms[1]:
            return text
    return _(forms[0])


# The bureau roles said of a woman (« Présidente », « Vice-présidente »).
FEMININE_ROLES: dict[str, str] = {
    "president": N_("President (of a woman)"),
    "vice_president": N_("Vice-president (of a woman)"),
    "secretary": N_("Secretary / rapporteur (of a woman)"),
}


def role_text(role: str, sex: str = "") -> str:
    """A member's role as the roster and the lists print it, agreed with the person."""
    if role in FEMININE_ROLES:
        return gendered((ROLES[role], FEMININE_ROLES[role]), sex)
    return _(ROLES.get(role, role))


def status_text(status: str | None, sex: str = "", proxy: str = "") -> str:
    """``présente``, ``excusé``, ``représentée par DIARRA Mariam``, ``non enregistré``."""
    if status is None:
        return _("not recorded")
    if status == "represented" and proxy:
        return gendered(REPRESENTED_BY, sex).format(name=proxy)
    forms = STATUS_WORDS.get(status)
    return gendered(forms, sex) if forms else status


def _has_feminine() -> bool:
    """Whether the interface language has feminine forms (French does, English does not)."""
    marker = STATUS_WORDS["present"][1]
    return _(marker) != marker


def _lines(count: int) -> dict[str, tuple[str, str]]:
    """status → (line for a mixed or male group, line for women only), agreed with count."""
    return {
        "present": (
            ngettext("Present ({count}): {names}.", "Present ({count}): {names}.", count),
            ngettext("Present, of a woman ({count}): {names}.",
                     "Present, of women ({count}): {names}.", count)),
        "represented": (
            ngettext("Represented ({count}): {names}.", "Represented ({count}): {names}.",
                     count),
            ngettext("Represented, of a woman ({count}): {names}.",
                     "Represented, of women ({count}): {names}.", count)),
        "excused": (
            ngettext("Excused ({count}): {names}.", "Excused ({count}): {names}.", count),
            ngettext("Excused, of a woman ({count}): {names}.",
                     "Excused, of women ({count}): {names}.", count)),
        "absent": (
            ngettext("Absent ({count}): {names}.", "Absent ({count}): {names}.", count),
            ngettext("Absent, of a woman ({count}): {names}.",
                     "Absent, of women ({count}): {names}.", count)),
    }


def group_line(status: str, names: Sequence[str], sexes: Sequence[str]) -> str:
    """« Présents (6) : … », « Excusée (1) : … », « Absentes (2) : … » for the PV."""
    neutral, feminine = _lines(len(names))[status]
    women = bool(sexes) and all(sex == "F" for sex in sexes) and _has_feminine()
    return (feminine if women else neutral).format(count=len(names), names=", ".join(names))
