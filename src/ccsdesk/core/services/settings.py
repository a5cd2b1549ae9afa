"""Preferences stored in the data folder (interface language and, later, the rules).

Values are JSON so that a rule (quorum, notice period) can be more than a string.
"""

from __future__ import annotations

import json
from typing import Any

from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Setting

LANGUAGE = "language"


def get(folder: DataFolder, key: str, default: Any = None) -> Any:
    with folder.database.reading() as session:
        row = session.get(Setting, key)
        return default if row is None else json.loads(row.value)


def put(folder: DataFolder, key: str, value: Any) -> None:
    with folder.database.unit_of_work() as session:
        row = session.get(Setting, key)
        text = json.dumps(value, ensure_ascii=False)
        if row is None:
            session.add(Setting(key=key, value=text))
        else:
            row.value = text
