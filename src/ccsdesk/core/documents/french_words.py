"""Numbers and dates written out in French words, as a procès-verbal opens.

A Malian PV begins "L'an deux mille vingt-six et le sept décembre…": the year and the day in
words, so that nobody can turn a 1 into a 7 on the paper copy. Babel has no French spell-out
rules, so the (small, well known) rules are here: traditional spelling with hyphens below one
hundred, "et" in 21, 31… 71, "quatre-vingts" and "cents" plural only at the end, "mille"
invariable, and "premier" for the first of the month. These words are French language data,
not interface messages: the PV is an administrative document issued in French.
"""

from __future__ import annotations

from datetime import date

_UNITS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
          "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept",
          "dix-huit", "dix-neuf")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


def _below_hundred(n: int, *, final: bool) -> str:
    """0 < n < 100; ``final``: nothing follows, so "quatre-vingts" keeps its s."""
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix…, quatre-vingt-dix…: the teens after 60 or 80
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = 10 + unit
        joiner = " et " if (tens == 7 and unit == 1) else "-"
        return base + joiner + _UNITS[rest]
    if tens == 8:
        if unit == 0:
            return "quatre-vingts" if final else "quatre-vingt"
        return "quatre-vingt-" + _UNITS[unit]
    word = _TENS[tens]
    if unit == 0:
        return word
    if unit == 1:
        return word + " et un"
    return word + "-" + _UNITS[unit]


def _below_thousand(n: int, *, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts: list[str] = []
    if hundreds:
        if hundreds == 1:
            parts.append("cent")
        else:
            plural = rest == 0 and final
            parts.append(_UNITS[hundreds] + (" cents" if plural else " cent"))
    if rest:
        parts.append(_below_hundred(rest, final=final))
    return " ".join(parts)


def cardinal(n: int) -> str:
    """``2026`` → ``deux mille vingt-six``; 0 ≤ n < 1 000 000."""
    if not 0 <= n < 1_000_000:
        raise ValueError("out of range")
    if n == 0:
        return _UNITS[0]
    thousands, rest = divmod(n, 1000)
    parts: list[str] = []
    if thousands:
        # "mille" is invariable; the thousands count never takes the final s of 80/…00.
        parts.append("mille" if thousands == 1
                     else _below_thousand(thousands, final=False) + " mille")
    if rest:
        parts.append(_below_thousand(rest, final=True))
    return " ".join(parts)


def ordinal_feminine(n: int) -> str:
    """``1`` → ``première``, ``2`` → ``deuxième``, ``21`` → ``vingt et unième``."""
    if n == 1:
        return "première"
    word = cardinal(n)
    if word.endswith("cinq"):
        return word + "uième"
    if word.endswith("neuf"):
        return word[:-1] + "vième"
    if word.endswith("s") and (word.endswith("cents") or word.endswith("vingts")):
        word = word[:-1]
    if word.endswith("e"):
        word = word[:-1]
    return word + "ième"


def day_in_words(day: date) -> str:
    """``le sept décembre``; ``le premier décembre`` for the first of the month."""
    number = "premier" if day.day == 1 else cardinal(day.day)
    return f"le {number} {MONTHS[day.month - 1]}"


def pv_opening_date(day: date) -> str:
    """``L’an deux mille vingt-six et le sept décembre``, the PV's first words."""
    return f"L’an {cardinal(day.year)} et {day_in_words(day)}"


def hour_in_words(value: str) -> str:
    """``09:30`` → ``9 h 30``, ``12:00`` → ``12 h``: how a PV writes the hour."""
    hours, _sep, minutes = value.partition(":")
    if not hours.isdigit():
        return value
    text = f"{int(hours)} h"
    if minutes and minutes != "00":
        text += f" {minutes}"
    return text


_FEMININE_PLACES = ("salle", "mairie", "maison", "prefecture", "sous-prefecture", "chambre",
                    "place", "cour", "ecole", "residence", "direction", "gendarmerie")
_MASCULINE_PLACES = ("centre", "siege", "bureau", "gouvernorat", "hotel", "palais",
                     "conseil", "camp", "commissariat", "foyer", "stade", "lycee")


def at_venue(venue: str) -> str:
    """``Salle de la Mairie`` → ``à la salle de la Mairie``: the venue after "s’est tenue".

    A venue typed with its article (``la mairie``) or a bare town name is left as typed.
    """
    from ccsdesk.core.text import fold

    venue = " ".join(venue.split())
    first = fold(venue.split(" ", 1)[0]) if venue else ""
    lowered = venue[:1].lower() + venue[1:]
    if first in _FEMININE_PLACES:
        return "à la " + lowered
    if first in _MASCULINE_PLACES:
        return ("à l’" if first[:1] in "aeiouh" else "au ") + lowered
    return "à " + venue
