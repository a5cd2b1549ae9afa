"""A helper process that imports pyHanko while the command line reads the session and builds.

Why: ``ccsdesk documents MEETING --only packet`` is a new process each time, and about a
third of its CPU time is the import of pyHanko, which is needed only at the very end, for
the signature (0.3 s, of which aiohttp for a time-stamping client we never use, imported
unconditionally by ``pyhanko.sign``; see ``docs/decisions.md``). Nothing in pyHanko's import
depends on the session, so a second process does it on another core while this one imports
SQLAlchemy, reads the session and lays the PDF out with ReportLab. Once the passphrase is
known it also opens the key (scrypt, about 0.1 s), then receives a :class:`SignRequest`
(plain bytes and strings; the passphrase crosses only an anonymous pipe between the two
processes of this one command) and sends back the signed bytes. The window keeps signing
in its own process: it has imported pyHanko once.

The process is started with ``fork`` on Linux when no other thread runs (the child then
holds what was already imported, and starts in a millisecond) and with ``spawn`` elsewhere
(Windows, and the frozen bundle through ``multiprocessing.freeze_support`` in
``cli/main.py``). Anything going wrong with the helper itself (it cannot start, it dies)
falls back to signing in this process, so a refusal or a signature never depends on it.
The environment variable ``CCSDESK_SIGNING_HELPER`` set to ``off`` signs in this process
from the start (a system where a second process is unwelcome, and the benchmark's
comparison); ``fork`` or ``spawn`` imposes that start method (the bundle's tests).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ccsdesk.core.exchange.sign_request import SignRequest

HELPER_ENV = "CCSDESK_SIGNING_HELPER"
# How long ``close`` waits for the helper to finish on its own before stopping it.
_JOIN_SECONDS = 2.0


def start_method() -> str:
    """``fork`` on Linux in a single-threaded process, ``spawn`` anywhere else.

    ``CCSDESK_SIGNING_HELPER=fork`` or ``spawn`` imposes one (fork only where it exists).
    """
    chosen = os.environ.get(HELPER_ENV, "")
    if chosen == "spawn" or (chosen == "fork" and hasattr(os, "fork")):
        return chosen
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def serve(connection: Connection) -> None:
    """The helper's life: import pyHanko, then unlock and sign as asked until told to stop.

    An ``("unlock", keys_dir, passphrase, language)`` message opens the key ahead (scrypt,
    0.1 s, while the caller still builds) and answers nothing; a request without a key then
    uses it, and a wrong passphrase is refused at that point. A refusal (``CcsError``:
    wrong passphrase, not a readable PDF, no such page, already signed) goes back as its
    message, in the request's language; any other failure goes back as "failed" and the
    caller signs in its own process, where the error surfaces with its full traceback.
    """
    import signal
    from dataclasses import replace

    # Ctrl-C reaches the whole console: the main process says « interrompu » and stops this
    # one; a traceback from here would only clutter the terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ccsdesk.core import i18n
    from ccsdesk.core.errors import CcsError
    from ccsdesk.core.exchange import keys, pades  # pades: the slow import this process is for

    unlocked: dict[tuple[str, str], bytes | CcsError] = {}
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the caller went away
        if message is None:
            return
        if isinstance(message, tuple) and message[0] == "unlock":
            _kind, keys_dir, passphrase, language = message
            try:
                i18n.set_language(language)
                unlocked[keys_dir, passphrase] = keys.unlock(
                    Path(keys_dir), passphrase).signing_key_der
            except CcsError as error:
                unlocked[keys_dir, passphrase] = error
            continue
        request = message
        try:
            i18n.set_language(request.language)
            if request.signing_key_der is None:
                found = unlocked.get((request.keys_dir, request.passphrase))
                if isinstance(found, CcsError):
                    raise found
                if found is not None:
                    request = replace(request, signing_key_der=found, passphrase="")
            reply: tuple[Any, ...] = ("signed", pades.sign(request))
        except CcsError as error:
            reply = ("refused", type(error).__name__, error.message, list(error.details))
        except Exception as error:  # reported to the caller, who then signs itself
            reply = ("failed", repr(error))
        try:
            connection.send(reply)
        except (OSError, ValueError):
            return


class SigningWorker:
    """One helper process; :meth:`sign` is a drop-in for ``pades.sign``.

    Use it as a context manager, or call :meth:`close`: the process is stopped either way
    when this one exits (it is a daemon).
    """

    def __init__(self, method: str | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context(method or start_method())
        self.method = context.get_start_method()
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=serve, args=(child_end,),
                                        name="ccsdesk-signing", daemon=True)
        self._process.start()
        child_end.close()
        self.signed_here = 0  # signatures the helper could not make (fallbacks)
        self._answered = False  # whether a signature came back: then it waits idle

    @classmethod
    def start(cls, method: str | None = None) -> SigningWorker | None:
        """A running helper, or None when this system cannot start one or
        ``CCSDESK_SIGNING_HELPER`` is ``off`` (then sign here)."""
        if os.environ.get(HELPER_ENV) == "off":
            return None
        try:
            return cls(method)
        except (OSError, ValueError, RuntimeError):
            return None

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def unlock_ahead(self, keys_dir: Path, passphrase: str) -> None:
        """Have the helper open the key now, while this process goes on building.

        Nothing comes back: a wrong passphrase is refused by :meth:`sign`, which is also
        where an unlock that did not happen (the helper died) is done here instead.
        """
        from ccsdesk.core import i18n

        with contextlib.suppress(OSError, ValueError):
            self._connection.send(("unlock", str(keys_dir), passphrase,
                                   i18n.current_language()))

    def sign(self, request: SignRequest) -> bytes:
        """The signed PDF, made by the helper; refusals are raised here as they were there."""
        from ccsdesk.core import errors

        try:
            self._connection.send(request)
            reply = self._connection.recv()
            self._answered = True
        except (EOFError, OSError, ValueError):
            reply = ("failed", "the signing process ended")
        if reply[0] == "signed":
            return bytes(reply[1])
        if reply[0] == "refused":
            kind = getattr(errors, reply[1], None)
            if not (isinstance(kind, type) and issubclass(kind, errors.CcsError)):
                kind = errors.InputError
            raise kind(reply[2], reply[3] or None)
        # The helper failed: sign here, so that the real error (if any) shows as usual.
        self.signed_here += 1
        from ccsdesk.core.exchange import pades

        return pades.sign(request)

    def close(self) -> None:
        """Tell the helper to stop; stop it if it does not (it may still be importing).

        A helper that never signed (the command failed first, or found nothing to sign) is
        stopped at once rather than waited for, so an error is not delayed by its import or
        its unlocking.
        """
        if not self._answered:
            self.cancel()
            return
        with contextlib.suppress(OSError, ValueError):
            self._connection.send(None)
        self._connection.close()
        self._process.join(_JOIN_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def cancel(self) -> None:
        """Stop the helper now: the command found nothing to sign (or failed first)."""
        self._connection.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def __enter__(self) -> SigningWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process.is_alive() or not self._connection.closed:
            self.close()
