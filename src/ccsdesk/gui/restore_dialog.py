"""What a checked backup holds, and where to restore it: a new folder, or in place.

The dialog is only shown for a backup that :func:`backup.verify` accepted, so what it says
(committee, date, schema, files, size) comes from a file known to be whole. Restoring into
a new folder is the default: it cannot lose anything. Replacing the current data is a
second, explicit choice, confirmed again by the caller.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core import formats
from ccsdesk.core.i18n import _
from ccsdesk.core.services import backup

NEW_FOLDER = "new"
REPLACE = "replace"


def created_text(info: backup.BackupInfo) -> str:
    """The backup's date as a French reader expects it: « 21 novembre 2026 à 17:05 »."""
    try:
        moment = datetime.fromisoformat(info.created_at)
    except ValueError:
        return info.created_at
    return _("{date} at {time}").format(date=formats.long_date(moment.date()),
                                        time=formats.time_of_day(moment))


def size_text(size: int) -> str:
    return _("{size} MB").format(size=formats.number(round(max(size / 1024**2, 0.1), 1)))


# The tables whose rows the dialog counts in the backup's database.
COUNTED = ("member", "meeting", "recommendation")


def record_counts(path: Path) -> dict[str, int]:
    """Members, sessions and recommendations in a backup :func:`backup.verify` accepted.

    The database entry is copied to a temporary file (its size was checked by the
    verification) and read there; tables an older version did not have count nothing.
    """
    import shutil
    import sqlite3
    import tempfile
    import zipfile
    from contextlib import closing

    from ccsdesk.core.storage.folder import DB_FILE

    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ccsdesk-apercu-") as work:
        copy = Path(work) / DB_FILE
        with zipfile.ZipFile(path) as archive, archive.open(DB_FILE) as entry, \
                copy.open("wb") as out:
            shutil.copyfileobj(entry, out, 1024 * 1024)
        with closing(sqlite3.connect(copy.as_uri() + "?mode=ro", uri=True)) as connection:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            for table in COUNTED:
                if table in tables:
                    counts[table] = int(connection.execute(
                        f"SELECT count(*) FROM {table}").fetchone()[0])  # names from COUNTED
    return counts


def counts_text(counts: dict[str, int]) -> str:
    """« 23 membres, 2 sessions, 5 recommandations »."""
    from ccsdesk.core.i18n import ngettext

    words = {
        "member": lambda n: ngettext("{count} member", "{count} members", n),
        "meeting": lambda n: ngettext("{count} session", "{count} sessions", n),
        "recommendation": lambda n: ngettext("{count} recommendation",
                                             "{count} recommendations", n),
    }
    return ", ".join(words[table](n).format(count=formats.number(n))
                     for table, n in counts.items())


def default_target(data_path: Path, now: datetime | None = None) -> Path:
    """A new folder beside the data folder: ``<data>-restauree-AAAAMMJJ-HHMMSS``."""
    moment = now or datetime.now()
    base = data_path.parent / f"{data_path.name}-restauree-{moment:%Y%m%d-%H%M%S}"
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{number}")
        number += 1
    return candidate


class RestoreDialog(QDialog):
    """Shows ``info`` and asks where to restore. After ``exec()``: ``choice`` (NEW_FOLDER or
    REPLACE) and ``target`` (the new folder). Attributes: ``into_new``, ``replace``,
    ``target_field``, ``facts`` (label → value label)."""

    def __init__(self, info: backup.BackupInfo, data_path: Path,
                 parent: QWidget | None = None, counts: dict[str, int] | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(_("Restore a backup"))
        title = QLabel(_("The backup {file} is intact.").format(file=info.path.name))
        title.setWordWrap(True)
        facts = QFormLayout()
        self.facts: dict[str, QLabel] = {}
        for label, value in (
            (_("Committee:"), info.committee_name or _("(not set up)")),
            (_("Made on:"), created_text(info)),
            (_("By:"), _("CCS Desk {version}").format(version=info.program_version)),
            (_("Database version:"), info.schema_revision or "?"),
            (_("Record:"), counts_text(counts) if counts else "—"),
            (_("Contents:"), _("{count} files, {size}").format(
                count=formats.number(info.entries), size=size_text(info.total_size))),
        ):
            shown = QLabel(value)
            shown.setWordWrap(True)
            self.facts[label] = shown
            facts.addRow(label, shown)
        self.into_new = QRadioButton(_("Restore into a new folder (recommended: the current "
                                       "data is not touched)"))
        self.replace = QRadioButton(_("Replace the current data with this backup"))
        group = QButtonGroup(self)
        group.addButton(self.into_new)
        group.addButton(self.replace)
        self.into_new.setChecked(True)
        self.target_field = QLineEdit(str(default_target(data_path)))
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._browse)
        target_row = QHBoxLayout()
        target_row.setContentsMargins(24, 0, 0, 0)
        target_row.addWidget(self.target_field, 1)
        target_row.addWidget(browse)
        self.replace_note = QLabel(_("A copy of the current data is kept beside it. CCS Desk "
                                     "then closes; open it again to work on the restored "
                                     "data."))
        self.replace_note.setObjectName("warning")
        self.replace_note.setWordWrap(True)
        self.replace_note.setContentsMargins(24, 0, 0, 0)
        self.into_new.toggled.connect(self._update)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Restore"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(facts)
        layout.addSpacing(8)
        layout.addWidget(self.into_new)
        layout.addLayout(target_row)
        layout.addWidget(self.replace)
        layout.addWidget(self.replace_note)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self._update()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Restore into"),
                                                  str(Path(self.target_field.text()).parent))
        if chosen:
            self.target_field.setText(str(Path(chosen) / Path(self.target_field.text()).name))

    def _update(self) -> None:
        self.target_field.setEnabled(self.into_new.isChecked())
        self.replace_note.setEnabled(self.replace.isChecked())

    @property
    def choice(self) -> str:
        return NEW_FOLDER if self.into_new.isChecked() else REPLACE

    @property
    def target(self) -> Path:
        return Path(self.target_field.text().strip()).expanduser()
