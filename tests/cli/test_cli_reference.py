"""``docs/cli.md`` documents every command and option of the real parser, with its JSON.

The commands are read from ``build_parser()`` itself (not from the script that writes the
reference), so a command or an option added without running ``scripts/cli_reference.py``
fails here.
"""

from __future__ import annotations

import argparse
import re

from ccsdesk.cli.main import build_parser
from tests.conftest import ROOT

DOC = ROOT / "docs" / "cli.md"


def _commands(parser: argparse.ArgumentParser,
              path: tuple[str, ...] = ()) -> list[tuple[str, argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(" ".join(path), parser)]
    return [found for name, child in subs[0].choices.items()
            for found in _commands(child, (*path, name))]


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### `ccsdesk ([^`]+)`$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _gaps(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """What of ``parser`` the reference ``text`` does not show."""
    sections = _sections(text)
    gaps = []
    for name, command in _commands(parser):
        section = sections.get(name)
        if section is None:
            gaps.append(f"command « {name} »")
            continue
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for written in action.option_strings or [action.metavar or action.dest.upper()]:
                if f"`{written}" not in section:
                    gaps.append(f"« {name} » {written}")
        if "```json" not in section:
            gaps.append(f"« {name} » has no JSON example")
    return gaps


def test_every_command_and_option_is_in_the_reference() -> None:
    parser = build_parser()
    text = DOC.read_text(encoding="utf-8")
    assert len(_commands(parser)) >= 50
    assert _gaps(parser, text) == []
    # The required surface of ../shared/cli.md is all there.
    for name in ("init", "status", "members import", "meetings create", "minutes sign",
                 "recommendations status", "documents", "verify", "identity enrol",
                 "committees list", "send", "receive", "backup", "restore",
                 "journal verify", "demo", "mail set"):
        assert f"### `ccsdesk {name}`" in text


def test_a_command_or_option_added_to_the_parser_is_noticed() -> None:
    parser = build_parser()
    text = DOC.read_text(encoding="utf-8")
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    subparsers.add_parser("nouvelle")
    status = subparsers.choices["status"]
    status.add_argument("--detail")
    assert sorted(_gaps(parser, text)) == ["command « nouvelle »", "« status » --detail"]
