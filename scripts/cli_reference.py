"""Regenerate the command reference in ``docs/cli.md`` from the real parser and real runs.

The part between ``<!-- generated:commands -->`` and ``<!-- /generated:commands -->`` is
written here: one section per command of ``ccsdesk.cli.main.build_parser()`` (usage, what it
does, each argument and option with its help), followed by the JSON document that command
printed with ``--json`` in a real run. The runs use a demo commune (``ccsdesk demo``,
passphrase ``demo-ccsdesk``), a District enrolled above it, and a small SMTP server on
127.0.0.1 for ``mail test`` and ``send --mail``; lists are cut to their first item and long
texts shortened, temporary paths replaced by ``~/ccs``. Hand-written text stays outside the
markers, so a new command or option only needs this script run again:

    .venv/bin/python scripts/cli_reference.py           # rewrite the generated part
    .venv/bin/python scripts/cli_reference.py --check   # exit 1 if a command is missing

``tests/cli/test_cli_reference.py`` fails when a command or option of the parser is missing
from ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
DOC = ROOT / "docs" / "cli.md"
BEGIN, END = "<!-- generated:commands -->", "<!-- /generated:commands -->"
PASSPHRASE = "demo-ccsdesk"

# What an argument means when the parser gives it no help: by (command, name), else by name.
NOTES = {
    "MEETING": "a session's id, as « meetings list » prints it",
    "REC": "a recommendation's id, as « recommendations list » prints it",
    "MEMBER": "a member's id, as « members list » prints it",
    ("restore", "FILE"): "the backup file (.ccsbak)",
    ("members import", "FILE"): "a CSV (`,` or `;`; UTF-8 or Windows-1252) or XLSX roster",
    ("members export", "FILE"): "the file to write: XLSX or CSV, by its extension",
    ("verify", "FILE"): "a signed PDF or an exchange archive (.ccsa)",
    ("scans attach", "FILE"): "the scanned original: PDF, JPEG or PNG, up to 25 MB",
    ("identity export", "FILE"): "the identity file to write",
    ("identity enrol", "FILE"): "the other committee's identity file",
    ("identity export-age-key", "FILE"): "the file to write (age's passphrase format)",
    ("receive", "FILE"): "the archive (.ccsa) to verify and import",
    ("places list", "--kind"): "only the units of this kind",
    ("places add", "--code"): "the unit's official code, if any",
    ("places rename", "PLACE_ID"): "the place's id, as « places list » prints it",
    ("places rename", "NAME"): "its new name",
    "--time": "the time, e.g. 09:30",
    "--venue": "where the session is held",
    ("agenda add", "TITLE"): "the item's title",
    ("agenda add", "--presenter"): "who presents the item",
    ("agenda move", "ITEM"): "the item's current position (1, 2, …)",
    ("agenda move", "POSITION"): "its new position",
    ("agenda remove", "ITEM"): "the item's position (1, 2, …)",
    ("attendance set", "STATUS"): "the member's attendance",
    ("minutes set", "--opening-file"): "a UTF-8 text file: the opening of the session",
    ("minutes set", "--divers-file"): "a UTF-8 text file: any other business (« divers »)",
    ("minutes set", "--closing-time"): "when the session closed",
    ("minutes show", "--version"): "this version of the minutes (default: the current one)",
    ("recommendations add", "--theme"): "the theme, from the list of themes",
    ("recommendations add", "--follow-up-by"): "who follows it up",
    ("recommendations add", "--place"): "the place it concerns",
    ("recommendations list", "--status"): "only those with this status",
    ("recommendations list", "--addressee"): "only those whose addressee contains these "
                                             "words (case and accents ignored)",
    ("recommendations list", "--theme"): "only those of this theme",
    ("recommendations list", "--meeting"): "only those of this session (its id)",
    ("recommendations status", "STATUS"): "the new follow-up status",
    ("recommendations status", "--note"): "a note kept with this step",
    ("search", "TEXT"): "the words to find (case and accents ignored)",
}


def note(command: str, action: argparse.Action) -> str:
    """The parser's help for ``action``, else the note above, else nothing."""
    if action.help:
        return action.help
    name = action.option_strings[0] if action.option_strings else (
        action.metavar or action.dest.upper())
    return NOTES.get((command, name)) or NOTES.get(name) or ""  # type: ignore[return-value]


def leaf_commands(parser: argparse.ArgumentParser | None = None,
                  path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                                 argparse.ArgumentParser, str]]:
    """(command path, its parser, its one-line help) for every runnable command."""
    if parser is None:
        from ccsdesk.cli.main import build_parser

        parser = build_parser()
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser, ""
        return
    helps = {choice.dest: choice.help or "" for choice in subs[0]._choices_actions}
    for name, child in subs[0].choices.items():
        for found_path, found, help_text in leaf_commands(child, (*path, name)):
            yield found_path, found, help_text or helps.get(name, "")


def options_of(parser: argparse.ArgumentParser, command: str) -> list[tuple[str, str]]:
    """(how it is written, help) for each argument and option, help flag left out."""
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                if action.choices:
                    name += " {" + ",".join(map(str, action.choices)) + "}"
                else:
                    name += " " + (action.metavar or action.dest.upper())
        else:
            name = action.metavar or action.dest.upper()
            if action.choices:
                name += " {" + ",".join(map(str, action.choices)) + "}"
        help_text = note(command, action).replace("%(default)s", str(action.default))
        if action.required and action.option_strings:
            help_text = ("**Required.** " + help_text).strip()
        if action.option_strings and action.default not in (None, False, [], "",
                                                            argparse.SUPPRESS):
            help_text = f"{help_text} (default: {action.default})".strip()
        rows.append((name, help_text))
    return rows


# --- real runs ----------------------------------------------------------------------------


def _shorten(value: Any, replace: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _shorten(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        if len(value) > 1:
            return [_shorten(value[0], replace), f"… {len(value) - 1} more"]
        return [_shorten(item, replace) for item in value]
    if isinstance(value, str):
        for old, new in replace.items():
            value = value.replace(old, new)
        return value if len(value) <= 72 else value[:70] + "…"
    return value


class Runner:
    """Runs ``ccsdesk`` in-process on the scenario's folders and keeps each JSON document."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.documents: dict[tuple[str, ...], Any] = {}
        self.failures: list[str] = []

    def __call__(self, folder: str, *args: str, key: tuple[str, ...] | None = None,
                 env: dict[str, str] | None = None) -> dict[str, Any]:
        from ccsdesk.cli.main import main

        saved = {name: os.environ.get(name) for name in (env or {})}
        os.environ.update(env or {})
        out, err = io.StringIO(), io.StringIO()
        try:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = main(["--data-dir", str(self.root / folder), "--json", *args])
                except SystemExit as exit_:
                    code = int(exit_.code or 0)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        if code != 0:
            self.failures.append(f"{' '.join(args)}: exit {code}: {err.getvalue().strip()}")
            return {}
        document = json.loads(out.getvalue())
        command = key or tuple(a for a in args if not a.startswith("-"))[:2]
        self.documents.setdefault(command, document)
        return document


def scenario(root: Path) -> Runner:
    """Every command once, on a demo commune and a District above it."""
    import datetime

    from tests.core.smtp_server import MailServer

    os.environ["CCSDESK_PASSPHRASE"] = PASSPHRASE
    os.environ["CCSDESK_LANG"] = "fr"
    out = root / "sorties"
    out.mkdir()
    run = Runner(root)
    c, d = "commune", "district"
    run(c, "demo", key=("demo",))
    run(d, "init", "--level", "district", "--name", "CCS du District de Bamako", "--place",
        "Bamako", key=("init",))
    run(c, "status", key=("status",))
    run(c, "places", "list", "--kind", "region")
    place = run(c, "places", "add", "--kind", "commune", "--name", "Commune VII", "--parent",
                "Bamako")
    run(c, "places", "rename", str(place.get("id", 0)), "Commune 7")
    members = run(c, "members", "list")
    run(c, "members", "import", str(ROOT / "tests/data/roster/membres_excel_fr.csv"),
        "--dry-run")
    run(c, "members", "export", str(out / "membres.xlsx"))
    meeting = str(run(c, "meetings", "create", "--date", "2027-01-14", "--time", "09:30",
                      "--venue", "Mairie de la Commune IV").get("id", 0))
    run(c, "meetings", "list")
    run(c, "meetings", "show", meeting)
    run(c, "agenda", "add", meeting, "Sécurité du marché de Médine")
    run(c, "agenda", "add", meeting, "Divers")
    run(c, "agenda", "move", meeting, "2", "1")
    run(c, "agenda", "remove", meeting, "1")
    run(c, "agenda", "list", meeting)
    run(c, "meetings", "convocations", meeting, "--sent-on", "2027-01-04", "--channel", "hand")
    voting = [m for m in members.get("members", []) if m["active"] and m["role"] != "guest"]
    for member in voting[:2]:
        run(c, "attendance", "set", meeting, str(member["id"]), "present")
    for member in voting[2:]:
        run(c, "attendance", "set", meeting, str(member["id"]), "absent")
    run(c, "attendance", "list", meeting)
    run(c, "meetings", "second-convocation", meeting, "--date", "2027-01-21")
    text = out / "texte.txt"
    text.write_text("Trois vols signalés au marché de Médine.", encoding="utf-8")
    run(c, "minutes", "write", meeting, "1", "--file", str(text))
    run(c, "minutes", "set", meeting, "--opening-file", str(text), "--closing-time", "12:00")
    run(c, "minutes", "show", meeting)
    run(c, "minutes", "adopt", meeting)
    run(c, "minutes", "sign", meeting)
    rec = str(run(c, "recommendations", "add", meeting, "--problem", "Vols au marché",
                  "--text", "Renforcer les patrouilles", "--addressee",
                  "Commissariat du 2e arrondissement", "--priority", "high",
                  "--deadline", str(datetime.date(2027, 3, 31)),
                  "--theme", "Criminalité").get("id", 0))
    run(c, "recommendations", "list")
    run(c, "recommendations", "show", rec)
    run(c, "recommendations", "status", rec, "transmitted", "--note", "Remise au commissaire")
    run(c, "minutes", "correct", meeting, "--reason", "Heure de clôture erronée")
    run(c, "search", "marché", key=("search",))
    run(c, "documents", "1", "--out", str(out / "documents"), key=("documents",))
    pdfs = sorted((out / "documents").rglob("*.pdf"))
    signed = next((p for p in pdfs if "sign" in p.name), pdfs[0] if pdfs else out)
    run(c, "verify", str(signed), key=("verify",))
    run(c, "scans", "attach", "1", str(pdfs[0] if pdfs else text))
    run(c, "scans", "list", "1")
    prints = {}
    for name in (c, d):
        prints[name] = run(name, "identity", "export", str(out / f"{name}.json")).get(
            "fingerprint", "")
    run(d, "identity", "enrol", str(out / f"{c}.json"), "--as", "child", "--fingerprint",
        prints[c])
    run(c, "identity", "enrol", str(out / f"{d}.json"), "--as", "parent", "--fingerprint",
        prints[d])
    run(c, "identity", "export-age-key", str(out / "cle-age.age"),
        env={"CCSDESK_AGE_KEY_PASSPHRASE": "phrase-de-la-cle-age"})
    run(c, "committees", "list")
    run(c, "send", "--to", "parent", "--out", str(out / "archive.ccsa"), "--email-draft",
        str(out / "archive.eml"), key=("send",))
    run(d, "receive", str(out / "archive.ccsa"), key=("receive",))
    run(d, "journal", "received")
    with MailServer(user="ccs.commune4", password="mot-de-passe-smtp") as server:
        run(c, "mail", "set", "--server", "127.0.0.1", "--port", str(server.port),
            "--security", "none", "--user", "ccs.commune4", "--from",
            "ccs.commune4@exemple.ml", "--password", "--address",
            "parent=ccs.district@exemple.ml",
            env={"CCSDESK_SMTP_PASSWORD": "mot-de-passe-smtp"})
        run(c, "mail", "show")
        run(c, "mail", "test")
        run(c, "send", "--to", "parent", "--mail", key=("send --mail",))
    run(c, "journal", "verify")
    run(c, "journal", "list", "--limit", "2")
    run(c, "backup", "--out", str(out / "sauvegarde.ccsbak"), key=("backup",))
    run(c, "restore", str(out / "sauvegarde.ccsbak"), "--check", key=("restore --check",))
    run(c, "restore", str(out / "sauvegarde.ccsbak"), "--into", str(out / "restauree"),
        key=("restore",))
    (out / "cle").mkdir()
    run(c, "keys", "backup", "--out", str(out / "cle"))
    run(c, "passphrase", "change", env={"CCSDESK_NEW_PASSPHRASE": "nouvelle-phrase-demo"})
    return run


# --- writing ------------------------------------------------------------------------------


def render(documents: dict[tuple[str, ...], Any], replace: dict[str, str]) -> str:
    from ccsdesk.core import i18n

    i18n.set_language("en")  # the reference is in English, like the message ids
    lines = [BEGIN, "",
             "<!-- Written by scripts/cli_reference.py from the parser and real runs; "
             "edit the script or the parser, not this part. -->", "",
             "| command | what it does |", "| --- | --- |"]
    for path, _parser, help_text in leaf_commands():
        name = " ".join(path)
        anchor = "ccsdesk-" + "-".join(path)
        lines.append(f"| [`{name}`](#{anchor}) | {help_text.replace('|', '/')} |")
    lines.append("")
    for path, parser, help_text in leaf_commands():
        name = " ".join(path)
        lines.append(f"### `ccsdesk {name}`")
        lines.append("")
        if help_text:
            lines.append(help_text[0].upper() + help_text[1:] + ".")
            lines.append("")
        usage = " ".join(parser.format_usage().split())
        usage = usage.removeprefix("usage: ").replace(" [-h]", "")
        lines.append(f"    {usage}")
        lines.append("")
        options = options_of(parser, name)
        if options:
            lines.append("| argument / option | meaning |")
            lines.append("| --- | --- |")
            for written, meaning in options:
                cell = meaning.replace("|", "\\|") or "—"
                lines.append(f"| `{written}` | {cell} |")
            lines.append("")
        keys = [key for key in documents
                if " ".join(key) == name or " ".join(key).startswith(name + " --")]
        for key in keys:
            label = " ".join(key)
            lines.append(f"`--json` ({'`ccsdesk ' + label + '`'}):" if label != name
                         else "`--json`:")
            lines.append("")
            lines.append("```json")
            lines.append(json.dumps(_shorten(documents[key], replace), ensure_ascii=False,
                                    indent=2))
            lines.append("```")
            lines.append("")
    lines.append(END)
    i18n.set_language("fr")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only say whether every command is in docs/cli.md")
    args = parser.parse_args()
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        missing = [" ".join(path) for path, _p, _h in leaf_commands()
                   if f"### `ccsdesk {' '.join(path)}`" not in text]
        print("\n".join(missing) or "every command is documented")
        return 1 if missing else 0
    root = Path(tempfile.mkdtemp(prefix="ccsdesk-cli-ref-"))
    try:
        runner = scenario(root)
        generated = render(runner.documents, {str(root): "~/ccs"})
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for failure in runner.failures:
        print("failed:", failure, file=sys.stderr)
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: generated, text,
                      flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + generated
    DOC.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    documented = {" ".join(path) for path, _p, _h in leaf_commands()}
    without = sorted(name for name in documented
                     if not any(" ".join(key).split(" --")[0] == name
                                for key in runner.documents))
    print(f"{len(documented)} commands, {len(runner.documents)} JSON documents; "
          f"no JSON example for: {', '.join(without) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
