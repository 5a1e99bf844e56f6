"""Linking, removing and describing evidence: recorded actions, never deletions of records.

:class:`EvidenceCuration` is a part of :class:`~safediary.core.evidence.evidence.EvidenceStore`
(kept in its own module for size); it needs the store's database, folder and ``get``.
"""

from __future__ import annotations

import builtins
import contextlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from safediary.core import ledger
from safediary.core.errors import InvalidInput, NotFound, StorageError
from safediary.core.evidence import blobs as blobstore
from safediary.core.timeutil import now, to_text

if TYPE_CHECKING:
    from safediary.core.evidence.evidence import Evidence
    from safediary.core.vault.db import Database, _Tx

MAX_REASON = 10_000
MAX_DESCRIPTION = 100_000


class EvidenceCuration:
    """Links to incidents, removal with a reason, descriptions (mixed into EvidenceStore)."""

    _db: Database
    root: Path

    if TYPE_CHECKING:  # provided by EvidenceStore

        def get(self, evidence_id: int) -> Evidence: ...

    # -- links and removal -------------------------------------------------------
    def _require_incident(self, incident_id: int, tx: _Tx | None = None) -> None:
        sql, params = "SELECT 1 FROM incidents WHERE id = ?", (incident_id,)
        found = tx.execute(sql, params).fetchone() if tx else self._db.query(sql, params)
        if not found:
            raise NotFound(f"There is no incident with id {incident_id}.")

    @staticmethod
    def _log(tx: _Tx, evidence_id: int, action: str, detail: str) -> None:
        stamp = now()
        cur = tx.execute(
            "INSERT INTO evidence_log (evidence_id, at, action, detail) VALUES (?, ?, ?, ?)",
            (evidence_id, to_text(stamp), action, detail),
        )
        ledger.record(tx, "evidence_log", int(cur.lastrowid), at=stamp)

    def _record(self, evidence_id: int, action: str, detail: str) -> None:
        with self._db.transaction() as tx:
            self._log(tx, evidence_id, action, detail)

    def _link(self, tx: _Tx, evidence_id: int, incident_id: int, stamp: datetime) -> None:
        tx.execute(
            "INSERT OR IGNORE INTO incident_evidence (incident_id, evidence_id, linked_at)"
            " VALUES (?, ?, ?)",
            (incident_id, evidence_id, to_text(stamp)),
        )
        ledger.record(tx, "incident_evidence", incident_id, evidence_id, at=stamp)
        self._log(tx, evidence_id, "link", f"incident {incident_id}")

    def _live(self, tx: _Tx, evidence_id: int) -> tuple[str, str | None]:
        row = tx.execute(
            "SELECT blob_id, removed_at FROM evidence WHERE id = ?", (evidence_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no evidence with id {evidence_id}.")
        return row[0], row[1]

    def link(self, evidence_id: int, incident_id: int) -> Evidence:
        """Link a record to an incident (doing it twice is harmless)."""
        with self._db.transaction() as tx:
            _, removed = self._live(tx, evidence_id)
            if removed:
                raise InvalidInput("Removed evidence cannot be linked to an incident.")
            self._require_incident(incident_id, tx)
            exists = tx.execute(
                "SELECT 1 FROM incident_evidence WHERE incident_id = ? AND evidence_id = ?",
                (incident_id, evidence_id),
            ).fetchone()
            if not exists:
                self._link(tx, evidence_id, incident_id, now())
        return self.get(evidence_id)

    def unlink(self, evidence_id: int, incident_id: int) -> Evidence:
        """Remove the link between a record and an incident (the record stays)."""
        with self._db.transaction() as tx:
            self._live(tx, evidence_id)
            cur = tx.execute(
                "DELETE FROM incident_evidence WHERE incident_id = ? AND evidence_id = ?",
                (incident_id, evidence_id),
            )
            if cur.rowcount:
                ledger.record(tx, "incident_evidence", incident_id, evidence_id)
                self._log(tx, evidence_id, "unlink", f"incident {incident_id}")
        return self.get(evidence_id)

    def remove(self, evidence_id: int, reason: str) -> Evidence:
        """Remove evidence as a recorded action: the record stays with when and why.

        The stored copy is deleted only when no other live record shares it.
        """
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput("Please say why this evidence is being removed.")
        if len(reason) > MAX_REASON:
            raise InvalidInput("The reason is too long.")
        try:  # stored as plain text: a lone surrogate (half an emoji) cannot be
            reason.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                "The reason contains a broken character (perhaps half of an emoji). "
                "Please type it again."
            ) from None
        delete: str | None = None
        with self._db.transaction() as tx:
            blob_id, removed = self._live(tx, evidence_id)
            if removed:
                raise InvalidInput("This evidence has already been removed.")
            stamp = to_text(now())
            tx.execute(
                "UPDATE evidence SET removed_at = ?, removed_reason = ? WHERE id = ?",
                (stamp, reason, evidence_id),
            )
            ledger.record(tx, "evidence", evidence_id)
            self._log(tx, evidence_id, "remove", reason)
            others = tx.execute(
                "SELECT count(*) FROM evidence WHERE blob_id = ? AND removed_at IS NULL",
                (blob_id,),
            ).fetchone()[0]
            if not others:
                tx.execute(
                    "UPDATE evidence_blobs SET deleted_at = ?, wrapped_key = zeroblob(0)"
                    " WHERE blob_id = ?",
                    (stamp, blob_id),
                )
                ledger.record(tx, "evidence_blobs", blob_id)
                delete = blob_id
        if delete is not None:  # after the commit; a crash here is tidied by the next sweep
            with contextlib.suppress(StorageError):
                blobstore.delete_blob(self.root, delete)
        return self.get(evidence_id)

    # -- description -------------------------------------------------------------
    def describe(
        self,
        evidence_id: int,
        *,
        description: str | None = None,
        original_location: str | None = None,
    ) -> Evidence:
        """Say what a file shows and where its original is kept (a new, chained version).

        Arguments left as None keep their current value. Earlier versions stay in
        :meth:`description_history`.
        """
        changes: dict[str, str] = {}
        for name, value in (("description", description), ("original_location", original_location)):
            if value is None:
                continue
            if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
                raise InvalidInput(
                    f"The {name.replace('_', ' ')} must be text (up to 100,000 characters)."
                )
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput(
                    f"The {name.replace('_', ' ')} contains a broken character (perhaps half of "
                    "an emoji). Please type it again."
                ) from None
            changes[name] = value
        with self._db.transaction() as tx:
            self._live(tx, evidence_id)
            if changes:
                sets = ", ".join(f"{k} = ?" for k in changes)
                tx.execute(
                    f"UPDATE evidence SET {sets} WHERE id = ?", (*changes.values(), evidence_id)
                )
                if ledger.record(tx, "evidence", evidence_id) is not None:
                    self._log(tx, evidence_id, "describe", ", ".join(sorted(changes)))
        return self.get(evidence_id)

    def description_history(self, evidence_id: int) -> builtins.list[tuple[datetime, str, str]]:
        """Every recorded (saved at, description, original location), oldest first."""
        self.get(evidence_id)
        result: builtins.list[tuple[datetime, str, str]] = []
        for entry in ledger.versions(self._db, "evidence", evidence_id):
            row = entry.row or {}
            pair = (row.get("description", ""), row.get("original_location", ""))
            if not result or (result[-1][1], result[-1][2]) != pair:
                result.append((entry.at, *pair))
        return result
