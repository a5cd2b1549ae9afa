"""Every user-visible string has a French translation and the shipped catalog is current."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

from babel.messages.mofile import read_mo

from ccsdesk.core import i18n
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
assert spec and spec.loader
tool = importlib.util.module_from_spec(spec)
sys.modules["i18n_script"] = tool
spec.loader.exec_module(tool)


def test_every_message_has_a_french_translation() -> None:
    assert tool.check("fr") == []


def _entries(data: bytes) -> dict[object, object]:
    with io.BytesIO(data) as handle:
        return {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}


def _hashable(value: object) -> object:
    """Plural entries come back as lists; compare them as tuples."""
    return tuple(value) if isinstance(value, list) else value


def test_compiled_catalog_is_up_to_date() -> None:
    shipped = _entries(tool.mo_path("fr").read_bytes())
    assert shipped == _entries(tool.compiled_bytes("fr")), "run: python scripts/i18n.py compile"


def test_language_switch() -> None:
    i18n.set_language("en")
    assert i18n._("Woman") == "Woman"
    i18n.set_language("fr")
    assert i18n._("Woman") == "Femme"


_SOURCE = '''
from ccsdesk.core.i18n import N_, _, ngettext

KINDS = {"a": N_("From a table")}


def say(count: int) -> str:
    return _("Still used") + ngettext("{count} file", "{count} files", count)
'''

_CATALOG = '''
msgid "Still used"
msgstr "Toujours utilisé"

msgid "From a table"
msgstr "D’un tableau"

#, python-brace-format
msgid "{count} file"
msgid_plural "{count} files"
msgstr[0] "{count} fichier"
msgstr[1] "{count} fichiers"

#, python-brace-format
msgid "Recommendation {number}: {status}"
msgstr "Recommandation {number} : {status}"

#~ msgid "Long gone"
#~ msgstr "Disparu depuis longtemps"
'''


def _project(root: Path, catalog: str) -> tuple[Path, Path]:
    source = root / "src"
    source.mkdir()
    (source / "module.py").write_text(_SOURCE, encoding="utf-8")
    (root / "locale" / "fr").mkdir(parents=True)
    (root / "locale" / "fr" / "area.po").write_text(catalog, encoding="utf-8")
    return root / "locale", source


def test_check_reports_stale_entries(tmp_path: Path) -> None:
    """Ids of N_() tables and plural forms count as used; a reworded id and a #~ do not."""
    locale, source = _project(tmp_path, _CATALOG)
    problems = tool.check("fr", locale, source)
    assert problems == [
        "area.po: « Recommendation {number}: {status} » is no longer used in the source "
        "(stale entry: remove it)",
        "area.po: « Long gone » is an obsolete (#~) entry: remove it",
    ]


def test_check_is_clean_without_stale_entries(tmp_path: Path) -> None:
    current = _CATALOG.split("#, python-brace-format\nmsgid \"Recommendation")[0]
    locale, source = _project(tmp_path, current)
    assert tool.check("fr", locale, source) == []
    assert tool.stale("fr", locale, source) == []
