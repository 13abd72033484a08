"""The sandbox's state: a small document store on SQLite (file or memory).

Records are JSON objects grouped by kind (``trade``, ``auth``, ``transaction``,
``batch_key``, ``vbank``, ``notification``; shapes in :mod:`homeport.sandbox.records`) and
keyed by KCP's own identifiers (approvalKey, enc_data, tno, batch_key, account, noti_id).
An emulator holds little data, so filtering happens in Python; what matters is that state
survives a restart and that read-modify-write sequences are atomic.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: ``id`` (an alias of SQLite's rowid, so stable) orders records oldest first: SQLite numbers a
#: new row after the highest id through the index, where a ``MAX(seq)`` column scanned the table.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (kind, key)
);
"""


class DuplicateRecord(Exception):
    """A record with this kind and key exists already."""


class Ledger:
    """Thread-safe access to the records; one connection, one lock."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self._create_table()
        self._lock = threading.RLock()
        self._depth = 0

    def _create_table(self) -> None:
        """Create the table; a file from before ``id`` (with ``seq``) moves over in ``seq`` order."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
        if "seq" not in columns:
            self._db.execute(_SCHEMA)
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("ALTER TABLE records RENAME TO records_seq")
        self._db.execute(_SCHEMA)
        self._db.execute(
            "INSERT INTO records (kind, key, data) SELECT kind, key, data FROM records_seq ORDER BY seq"
        )
        self._db.execute("DROP TABLE records_seq")
        self._db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """Group reads and writes atomically (re-entrant)."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        """Store a new record; DuplicateRecord if the key is taken."""
        with self.transaction():
            try:
                self._db.execute(
                    "INSERT INTO records (kind, key, data) VALUES (?, ?, ?)",
                    (kind, key, json.dumps(data, ensure_ascii=False)),
                )
            except sqlite3.IntegrityError:
                raise DuplicateRecord(f"{kind} {key}") from None

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The record, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def update(self, kind: str, key: str, data: dict[str, Any]) -> None:
        """Replace an existing record."""
        with self.transaction():
            changed = self._db.execute(
                "UPDATE records SET data = ? WHERE kind = ? AND key = ?",
                (json.dumps(data, ensure_ascii=False), kind, key),
            ).rowcount
            if changed != 1:
                raise KeyError(f"{kind} {key}")

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every record of a kind, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT data FROM records WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def find(self, kind: str, **match: Any) -> list[dict[str, Any]]:
        """Records of a kind whose fields equal every ``match`` value, oldest first."""
        return [r for r in self.all(kind) if all(r.get(k) == v for k, v in match.items())]

    def reset(self) -> None:
        """Forget everything."""
        with self.transaction():
            self._db.execute("DELETE FROM records")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
