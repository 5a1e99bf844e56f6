"""Small encrypted stores inside the database: settings, drafts, checklist answers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from safediary.core import ledger
from safediary.core.errors import InvalidInput
from safediary.core.timeutil import from_text, now, require_aware, to_text

if TYPE_CHECKING:
    from safediary.core.vault.db import Database


class KeyValue:
    """JSON values by key, kept in the encrypted database (``vault.kv``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: Any = None) -> Any:
        rows = self._db.query("SELECT value FROM kv WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set(self, key: str, value: Any) -> None:
        try:
            text = json.dumps(value, ensure_ascii=True)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"That value cannot be stored: {exc}") from exc
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, text, to_text(now())),
            )

    def delete(self, key: str) -> None:
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM kv WHERE key = ?", (key,))


class Drafts:
    """Unsaved editor contents, kept encrypted so locking never loses them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, key: str, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=True)
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO drafts (key, data, saved_at) VALUES (?, ?, ?) ON CONFLICT(key)"
                " DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at",
                (key, text, to_text(now())),
            )

    def load(self, key: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT data FROM drafts WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else None

    def keys(self) -> list[str]:
        return [r[0] for r in self._db.query("SELECT key FROM drafts ORDER BY saved_at")]

    def discard(self, key: str) -> None:
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM drafts WHERE key = ?", (key,))


class ChecklistStore:
    """Dated sets of screening-checklist answers, oldest first (JSON from core.checklist)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, answered_at: datetime, data: str) -> int:
        require_aware(answered_at, "answered_at")
        json.loads(data)
        with self._db.transaction() as tx:
            cur = tx.execute(
                "INSERT INTO checklist_answers (answered_at, data) VALUES (?, ?)",
                (to_text(answered_at), data),
            )
            ledger.record(tx, "checklist_answers", int(cur.lastrowid))
            return int(cur.lastrowid)

    def list(self) -> list[tuple[int, datetime, str]]:
        rows = self._db.query("SELECT id, answered_at, data FROM checklist_answers ORDER BY id")
        return [(i, from_text(a), d) for i, a, d in rows]
