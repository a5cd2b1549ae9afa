"""The one translation function every user-visible string goes through.

Message ids are English; the French catalog is the default interface language and English is
the untranslated source. Catalogs are kept as several ``.po`` files per language under
``resources/locale/<lang>/`` (one per area, so parallel work does not collide) and compiled
into a single ``LC_MESSAGES/ccsdesk.mo`` by ``scripts/i18n.py``.
"""

from __future__ import annotations

import gettext as _gettext

from ccsdesk.core.resources import resources_dir

DOMAIN = "ccsdesk"
DEFAULT_LANGUAGE = "fr"
LANGUAGES: dict[str, str] = {"fr": "Français", "en": "English"}

_state: dict[str, object] = {"language": None, "translations": None}


def set_language(language: str) -> None:
    """Switch the interface language; unknown languages fall back to French."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    if language == "en":
        translations: _gettext.NullTranslations = _gettext.NullTranslations()
    else:
        translations = _gettext.translation(
            DOMAIN, localedir=str(resources_dir() / "locale"), languages=[language]
        )
    _state["language"] = language
    _state["translations"] = translations


def current_language() -> str:
    if _state["language"] is None:
        set_language(DEFAULT_LANGUAGE)
    return str(_state["language"])


def _translations() -> _gettext.NullTranslations:
    if _state["translations"] is None:
        set_language(DEFAULT_LANGUAGE)
    return _state["translations"]  # type: ignore[return-value]


def _(message: str) -> str:
    """Translate ``message`` into the interface language."""
    return _translations().gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (module-level tables)."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translations().ngettext(singular, plural, count)
