"""Dates and numbers as Malian administrative French writes them, through Babel ``fr_ML``.

Documents and the window must agree on "7 décembre 2026", "1 500" and "8,7 %", so every
surface formats through here. Babel is imported inside the functions: loading its locale data
costs time that commands which print no date should not pay.

Babel separates thousands with U+202F (narrow no-break space) and puts U+00A0 before "%";
they are kept, because they stop a figure from breaking across two lines in a PDF cell.
"""

from __future__ import annotations

from datetime import date, datetime

LOCALE = "fr_ML"


def long_date(day: date) -> str:
    """``7 décembre 2026``; the first of the month is written ``1er``, as French letters do."""
    from babel.dates import format_date

    text = format_date(day, format="long", locale=LOCALE)
    if day.day == 1 and text.startswith("1 "):
        text = "1er " + text[2:]
    return text


def full_date(day: date) -> str:
    """``lundi 7 décembre 2026`` (with the weekday), for convocations."""
    from babel.dates import format_date

    return format_date(day, format="full", locale=LOCALE)


def short_date(day: date) -> str:
    """``07/12/2026``: table cells, where a long date would wrap."""
    from babel.dates import format_date

    return format_date(day, format="short", locale=LOCALE)


def time_of_day(moment: datetime) -> str:
    """``14:05``, the 24-hour clock used in Mali."""
    from babel.dates import format_time

    return format_time(moment, format="short", locale=LOCALE)


def moment(when: datetime | None) -> str:
    """``7 décembre 2026 à 14:05`` in local time; a missing moment is said to be unknown."""
    from ccsdesk.core.i18n import _

    if when is None:
        return _("unknown date")
    local = when.astimezone() if when.tzinfo else when
    return _("{date} at {time}").format(date=long_date(local.date()),
                                        time=time_of_day(local))


def number(value: int | float) -> str:
    """``1 500`` or ``12,5``: decimal comma and narrow no-break space between thousands."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=LOCALE)


def kilobytes(size: int) -> str:
    """A file's size in whole kilobytes, at least 1, written as :func:`number` writes it
    (« 3 072 » for 3 MB): the unit is in the message."""
    return number(max(1, size // 1024))


def percent(share: float, digits: int = 1) -> str:
    """``8,7 %`` for ``0.087``; ``digits`` decimals at most, trailing zeros dropped."""
    from babel.numbers import format_percent

    pattern = "#,##0" + ("." + "#" * digits if digits else "") + "\u00a0%"
    return format_percent(share, format=pattern, locale=LOCALE)
