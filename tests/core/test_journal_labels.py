"""Every action the program journals has a label, so the Journal tab never shows a raw code."""

from __future__ import annotations

import re
from pathlib import Path

from ccsdesk.core.services import journal, label_lists, scans

SOURCE = Path(journal.__file__).resolve().parents[2]
RECORDED = re.compile(r'journal\.record\(\s*\w+,\s*"([a-z_.]+)"')


def test_every_recorded_action_has_a_label() -> None:
    actions = {match for path in SOURCE.rglob("*.py")
               for match in RECORDED.findall(path.read_text(encoding="utf-8"))}
    assert len(actions) > 30  # the pattern still finds the program's calls
    actions.add(scans.ACTION)
    actions |= {f"{kind.subject}.{verb}" for kind in (label_lists.CATEGORIES, label_lists.THEMES)
                for verb in ("add", "rename")}
    assert sorted(a for a in actions if a not in journal.ACTION_LABELS) == []
