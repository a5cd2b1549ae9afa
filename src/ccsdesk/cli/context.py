"""What every command shares: the data folder, output for people or JSON, the passphrase.

Storage is imported when a command first asks for the folder, not before: ``--version``,
``--help`` and usage errors then answer without loading SQLAlchemy.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from ccsdesk.core import i18n
from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import _
from ccsdesk.core.paths import resolve_data_dir

if TYPE_CHECKING:
    from ccsdesk.core.storage.folder import DataFolder

JSON_FORMAT = "ccsdesk-cli/1"
PASSPHRASE_ENV = "CCSDESK_PASSPHRASE"


class Context:
    """Per-invocation state. Attributes: ``args``, ``json``, ``data_dir``, ``portable``."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json: bool = bool(args.json)
        self.data_dir, self.portable = resolve_data_dir(args.data_dir)
        self._folder: DataFolder | None = None

    def folder(self) -> DataFolder:
        """The opened (and migrated) data folder; the interface language follows its setting."""
        if self._folder is None:
            from ccsdesk.core.services import settings
            from ccsdesk.core.storage.folder import DataFolder

            self._folder = DataFolder.open(self.data_dir, portable=self.portable)
            if not os.environ.get("CCSDESK_LANG"):
                self.use_folder_language(settings.get(self._folder, settings.LANGUAGE, "fr"))
        return self._folder

    def use_folder_language(self, language: str | None) -> None:
        """Speak the folder's language setting, unless ``CCSDESK_LANG`` chose one."""
        if not os.environ.get("CCSDESK_LANG"):
            i18n.set_language(language or i18n.DEFAULT_LANGUAGE)

    def close(self) -> None:
        if self._folder is not None:
            self._folder.close()

    def emit(self, data: dict[str, Any], text: str) -> None:
        """Print ``text`` for people, or ``data`` as the one JSON document of this call."""
        if self.json:
            document = {"format": JSON_FORMAT, **data}
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str))
            sys.stdout.write("\n")
        elif text:
            sys.stdout.write(text.rstrip("\n") + "\n")

    def passphrase(self, *, confirm: bool = False) -> str:
        """From ``CCSDESK_PASSPHRASE``, else asked on the terminal; never from arguments."""
        value = os.environ.get(PASSPHRASE_ENV)
        if value is not None:
            return value
        if not sys.stdin.isatty():
            raise InputError(
                _("A passphrase is needed: set the environment variable {name}.").format(
                    name=PASSPHRASE_ENV
                )
            )
        value = getpass.getpass(_("Passphrase: "))
        if confirm and getpass.getpass(_("Passphrase again: ")) != value:
            raise InputError(_("The two passphrases differ; nothing changed."))
        return value
