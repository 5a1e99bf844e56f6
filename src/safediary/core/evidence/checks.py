"""Checking stored evidence: decrypt every chunk (AES-GCM tags) and, by default, re-hash.

:class:`EvidenceChecks` is a part of :class:`~safediary.core.evidence.evidence.EvidenceStore`
(kept in its own module for size); it needs the store's database, folder, keys and ``get``.
"""

from __future__ import annotations

import builtins
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from safediary.core.errors import StorageError, VaultCorrupted
from safediary.core.evidence.blobs import BlobReader
from safediary.core.progress import ProgressFn

if TYPE_CHECKING:
    from safediary.core.evidence.evidence import Evidence
    from safediary.core.vault.db import Database


class EvidenceChecks:
    """verify, verify_all and verify_blob (mixed into EvidenceStore)."""

    _db: Database
    root: Path

    if TYPE_CHECKING:  # provided by EvidenceStore

        def get(self, evidence_id: int) -> Evidence: ...

        def list(
            self, incident_id: int | None = None, include_removed: bool = False
        ) -> builtins.list[Evidence]: ...

        def _blob_key(self, blob_id: str, wrapped: bytes) -> bytes: ...

    # -- verification ------------------------------------------------------------
    def _check(
        self, ev: Evidence, blob_id: str, wrapped: bytes, *, rehash: bool = True
    ) -> str | None:
        """None when the stored copy decrypts and matches; else what is wrong with it.

        ``rehash=False`` trusts AES-GCM alone: every chunk's tag, the chunk order and the
        last-chunk flag prove the stored bytes are exactly the ones written at import,
        when the SHA-256 was checked (a backup's check of its copy uses this).
        """
        try:
            key = self._blob_key(blob_id, wrapped)
            with BlobReader(self.root, blob_id, key) as reader:
                digest = hashlib.sha256() if rehash else None
                size = 0
                for chunk in reader:
                    if digest is not None:
                        digest.update(chunk)
                    size += len(chunk)
        except VaultCorrupted as exc:
            return (
                "the stored copy is missing"
                if "missing" in str(exc)
                else ("the stored copy is damaged")
            )
        except StorageError as exc:
            return f"the stored copy could not be read ({exc})"
        if size != ev.size or (digest is not None and digest.hexdigest() != ev.sha256):
            return "the stored copy does not match its recorded SHA-256"
        return None

    def verify_blob(self, blob_id: str, *, rehash: bool = True) -> builtins.list[str]:
        """Check one stored blob for every live record that uses it ([] when all good)."""
        rows = self._db.query(
            "SELECT e.id, b.wrapped_key FROM evidence e"
            " JOIN evidence_blobs b ON b.blob_id = e.blob_id"
            " WHERE e.removed_at IS NULL AND b.blob_id = ? ORDER BY e.number",
            (blob_id,),
        )
        problems: builtins.list[str] = []
        problem: str | None = None
        for index, (evidence_id, wrapped) in enumerate(rows):
            ev = self.get(evidence_id)
            if index == 0:
                problem = self._check(ev, blob_id, wrapped, rehash=rehash)
            if problem is not None:
                problems.append(f"Evidence {ev.ref} (“{ev.shown_name}”): {problem}.")
        return problems

    def verify(self, evidence_id: int) -> bool:
        """Re-read, decrypt and re-hash the stored copy; False if missing or damaged."""
        ev = self.get(evidence_id)
        if ev.removed:
            return False
        rows = self._db.query(
            "SELECT b.blob_id, b.wrapped_key FROM evidence e"
            " JOIN evidence_blobs b ON b.blob_id = e.blob_id WHERE e.id = ?",
            (evidence_id,),
        )
        return bool(rows) and self._check(ev, rows[0][0], rows[0][1]) is None

    def verify_all(self, progress: ProgressFn | None = None) -> builtins.list[str]:
        """Check every live record; return plain descriptions of problems (empty = all good).

        ``progress(done_bytes, total_bytes)`` is called as records are checked.
        """
        rows = self._db.query(
            "SELECT e.id, b.blob_id, b.wrapped_key FROM evidence e"
            " LEFT JOIN evidence_blobs b ON b.blob_id = e.blob_id"
            " WHERE e.removed_at IS NULL ORDER BY e.number"
        )
        records = {ev.id: ev for ev in self.list()}
        total = sum(ev.size for ev in records.values())
        done = 0
        problems: list[str] = []
        seen: dict[str, str | None] = {}
        for evidence_id, blob_id, wrapped in rows:
            ev = records[evidence_id]
            if blob_id is None:
                problem: str | None = "its record is incomplete"
            else:
                if blob_id not in seen:
                    seen[blob_id] = self._check(ev, blob_id, wrapped)
                problem = seen[blob_id]
            if problem is not None:
                problems.append(f"Evidence {ev.ref} (“{ev.shown_name}”): {problem}.")
            done += ev.size
            if progress is not None:
                progress(done, total)
        return problems
