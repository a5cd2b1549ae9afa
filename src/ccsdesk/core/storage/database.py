"""The engine, its safety settings and the unit of work.

SQLite is opened in WAL mode with ``synchronous=FULL`` and foreign keys on, so a power cut
leaves the last committed transaction on disk. Write transactions start with
``BEGIN IMMEDIATE`` so that two writers (two windows, or the window and a script) queue
instead of one failing half-way through reading the journal's last link.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 15000


def _is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file_url(path: Path) -> URL:
    """The URL of an SQLite file, built as an object: a folder named ``Réunions ?%20``
    must not be read as a query string or a percent escape, as a text URL would be."""
    return URL.create("sqlite", database=str(path))


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url`` with the pragmas and transaction mode CCS Desk relies on."""
    if not _is_sqlite(url):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get("readonly"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """An engine plus the two ways to use it: a write unit of work and a read session."""

    def __init__(self, url: str | URL) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._write = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._read = sessionmaker(
            bind=self.engine.execution_options(readonly=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return _is_sqlite(self.url)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        session = self._write()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot for listing and showing; never commits."""
        session = self._read()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
