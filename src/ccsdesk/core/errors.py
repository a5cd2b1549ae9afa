"""Typed refusals raised by the core.

Each carries a message already translated for the person at the keyboard; the CLI prints it
on one line and exits 1, the GUI shows it in a dialog. Anything else that escapes is a bug.
"""

from __future__ import annotations


class CcsError(Exception):
    """A refusal the user must read; the data is left as it was."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        return self.message


class InputError(CcsError):
    """The user gave something the program cannot accept (bad file, bad value)."""


class NotFoundError(CcsError):
    """A referenced thing (member, place, committee) does not exist."""


class StateError(CcsError):
    """The operation does not fit the current state (not set up, already set up…)."""


class WrongPassphraseError(CcsError):
    """The passphrase does not open the keys."""


class StorageError(CcsError):
    """The data folder or database cannot be used (read-only, newer schema, damaged)."""
