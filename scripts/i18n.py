"""Message catalogs: find untranslated strings and compile the French catalog.

Catalog sources are several ``.po`` files per language in ``resources/locale/<lang>/``
(one per area: core, roster, gui…), merged into ``LC_MESSAGES/ccsdesk.mo`` at compile time.

    python scripts/i18n.py missing [--write resources/locale/fr/AREA.po]
    python scripts/i18n.py compile
    python scripts/i18n.py check      # what the test suite checks too: untranslated ids,
                                      # other fields, and stale entries no longer in the source
    python scripts/i18n.py fill resources/locale/fr/AREA.po TRANSLATIONS.py
        (TRANSLATIONS.py defines a dict T = {msgid: msgstr}; entries are added or replaced)
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "ccsdesk"
LOCALE = ROOT / "resources" / "locale"
LANGUAGES = ("fr",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
_FIELD = re.compile(r"\{[a-z_]*\}")


def extracted(source: Path = SOURCE) -> dict[str | tuple[str, ...], str]:
    """Every message id in the source, with one place it comes from.

    ``_()``, ``N_()`` (the module-level tables translated later with ``_(label)``) and both
    forms of ``ngettext``; the interface is built in Python only (no Designer ``.ui`` files),
    so this is every id the program can ask for.
    """
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(source), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    """The id a plural entry is looked up by: its singular form."""
    return message_id if isinstance(message_id, str) else message_id[0]


def merged(language: str, locale: Path = LOCALE) -> tuple[Catalog, list[str]]:
    """All area catalogs of ``language`` merged, plus the problems found while merging."""
    catalog = Catalog(locale=language, domain="ccsdesk", project="CCS Desk")
    problems: list[str] = []
    seen: dict[str, str] = {}
    for po in sorted((locale / language).glob("*.po")):
        with po.open("rb") as handle:
            area = read_po(handle, locale=language)
        for message in area:
            if not message.id:
                continue
            key = _key(message.id)
            if key in seen:
                problems.append(f"{po.name}: « {key} » is also in {seen[key]}")
                continue
            seen[key] = po.name
            catalog.add(message.id, message.string)
    return catalog, problems


def _fields(text: str | tuple[str, ...]) -> set[str]:
    parts = [text] if isinstance(text, str) else list(text)
    return {field for part in parts for field in _FIELD.findall(part)}


def stale(language: str, locale: Path = LOCALE, source: Path = SOURCE,
          used: set[str] | None = None) -> list[str]:
    """Catalog entries whose id the source no longer asks for (reworded or removed strings).

    They cost nothing at run time but mislead whoever reviews the translations, and a
    reworded message would quietly lose its French if its old id came back; ``check`` fails
    on them so they are removed with the change that made them stale.
    """
    if used is None:
        used = {_key(message) for message in extracted(source)}
    problems = []
    for po in sorted((locale / language).glob("*.po")):
        with po.open("rb") as handle:
            area = read_po(handle, locale=language)
        problems += [f"{po.name}: « {_key(message.id)} » is no longer used in the source "
                     f"(stale entry: remove it)"
                     for message in area if message.id and _key(message.id) not in used]
        problems += [f"{po.name}: « {_key(message_id)} » is an obsolete (#~) entry: remove it"
                     for message_id in area.obsolete]
    return problems


def check(language: str, locale: Path = LOCALE, source: Path = SOURCE) -> list[str]:
    """Untranslated, stale or inconsistent entries; empty when the catalog is complete."""
    catalog, problems = merged(language, locale)
    messages = extracted(source)
    problems += stale(language, locale, used={_key(message) for message in messages})
    for message, where in messages.items():
        key = _key(message)
        entry = catalog.get(key)
        strings = entry.string if entry else None
        if not entry or not strings or (not isinstance(strings, str) and not all(strings)):
            problems.append(f"{where}: no {language} translation for « {key} »")
        elif _fields(message) != _fields(strings):
            problems.append(f"{where}: the {language} translation of « {key} » has other fields")
    return problems


def compiled_bytes(language: str) -> bytes:
    catalog, _problems = merged(language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def mo_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "ccsdesk.mo"


def fill(po: Path, translations: Path) -> None:
    """Add or replace entries of ``po`` from the dict ``T`` defined in ``translations``."""
    namespace: dict[str, dict[str, str]] = {}
    exec(translations.read_text(encoding="utf-8"), namespace)
    target = Catalog(locale="fr")
    if po.exists():
        with po.open("rb") as handle:
            target = read_po(handle, locale="fr")
    for msgid, msgstr in namespace["T"].items():
        if msgid in target:  # Catalog.add keeps an existing translation; replace it
            del target[msgid]
        target.add(msgid, msgstr)
    with po.open("wb") as handle:
        write_po(handle, target, width=100, omit_header=True, no_location=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["missing", "compile", "check", "fill"])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--write", type=Path, help="append missing ids to this .po file")
    args = parser.parse_args()
    if args.action == "fill":
        fill(*args.files)
        return 0
    if args.action == "compile":
        for language in LANGUAGES:
            mo_path(language).parent.mkdir(parents=True, exist_ok=True)
            mo_path(language).write_bytes(compiled_bytes(language))
        return 0
    if args.action == "check":
        problems = [p for language in LANGUAGES for p in check(language)]
        print("\n".join(problems) or "catalogs complete")
        return 1 if problems else 0
    catalog, _problems = merged("fr")
    missing = {m: w for m, w in extracted().items()
               if (m if isinstance(m, str) else m[0]) not in catalog}
    if args.write:
        target = Catalog(locale="fr")
        if args.write.exists():
            with args.write.open("rb") as handle:
                target = read_po(handle, locale="fr")
        for message, where in missing.items():
            target.add(message, "" if isinstance(message, str) else ("", ""),
                       locations=[(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))])
        with args.write.open("wb") as handle:
            write_po(handle, target, width=100, omit_header=True)
    for message, where in missing.items():
        print(f"{where}: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
