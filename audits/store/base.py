"""The connection under every part of the store: opening, migrating, transactions and
the interned URLs that pages and links refer to."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from audits.core.errors import SiteauditError
from audits.store.schema import MIGRATIONS, SCHEMA_VERSION


class StoreError(SiteauditError):
    """The store file cannot be used (not SQLite, newer schema, unwritable)."""


def now() -> str:
    """The current UTC time as ISO 8601, seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class StoreBase:
    """The connection every part of the store shares.

    With `read_only`, SQLite refuses every write on this connection (`PRAGMA
    query_only`), after bringing the schema up to date: what reads a store can prove it
    never writes.
    """

    def __init__(self, path: str, *, read_only: bool = False) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            if read_only:
                self.db.execute("PRAGMA query_only=ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable siteaudit store ({exc})") from exc
        self._url_ids: dict[str, int] = {}

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer siteaudit (schema {version}); upgrade siteaudit"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def in_transaction(self) -> bool:
        """Whether a `transaction()` is open on this connection."""
        return self.db.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a batch of writes as one transaction (much faster than one per row)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def url_id(self, url: str) -> int:
        """The id of a URL, interning it on first sight."""
        known = self._url_ids.get(url)
        if known is not None:
            return known
        row = self.db.execute(
            "INSERT INTO urls(url) VALUES (?) ON CONFLICT(url) DO UPDATE SET url = url RETURNING id",
            (url,),
        ).fetchone()
        self._url_ids[url] = row[0]
        return int(row[0])
