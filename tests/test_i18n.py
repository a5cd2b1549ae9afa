"""Every user-visible string has a French translation and the shipped catalog is current."""

from __future__ import annotations

import importlib.util
import io
import sys

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
