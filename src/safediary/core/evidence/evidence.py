"""The evidence store (``vault.evidence``): exact, encrypted, verifiable copies of files.

Import is one pass over the source (read → SHA-256 → encrypt → write → fsync,
see :mod:`safediary.core.evidence.blobs`), then one database transaction that inserts
the record: that transaction is the commit point. A crash before it leaves only
a blob with no row (and an import-journal marker), which
:meth:`EvidenceStore.sweep_orphans` removes at the
next unlock. Records are never deleted: ``remove`` is a recorded action that
keeps the row (with when and why) and deletes the stored copy only when no
other live record shares it. Identical files may share one blob but are always
separate records.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import hashlib
import io
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from safediary.core import ledger
from safediary.core.errors import (
    InvalidInput,
    NotFound,
    StorageError,
    VaultCorrupted,
    VaultLocked,
)
from safediary.core.evidence import blobs as blobstore
from safediary.core.evidence import media
from safediary.core.evidence.blobs import BlobFile, BlobReader, ImportCancelled
from safediary.core.evidence.checks import EvidenceChecks
from safediary.core.evidence.curation import EvidenceCuration
from safediary.core.evidence.sources import Source, open_source, safe_filename, source_error
from safediary.core.fsutil import create_new, drop_cache, fsync_dir, storage_error, write_all
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.timeutil import from_text, now, to_text
from safediary.core.vault import tidy
from safediary.core.wording import visible_name

if TYPE_CHECKING:
    from safediary.core.vault.db import Database, _Tx

__all__ = ["EVIDENCE_DIR", "Evidence", "EvidenceStore", "ImportCancelled", "StagedEvidence"]

EVIDENCE_DIR = "evidence"
KEY_PURPOSE = b"evidence-keys/v1"



@dataclass(frozen=True)
class Evidence:
    """One evidence record. ``ref`` ("E-12") is sequential and never reused."""

    id: int
    number: int
    sha256: str
    original_name: str
    size: int
    media_type: str
    kind: str
    mtime: datetime | None
    imported_at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    has_thumbnail: bool = False
    incident_ids: tuple[int, ...] = ()
    removed_at: datetime | None = None
    removed_reason: str | None = None
    description: str = ""
    original_location: str = ""

    @property
    def shown_name(self) -> str:
        """The original name with hidden and reordering characters shown as markers."""
        return visible_name(self.original_name)

    @property
    def ref(self) -> str:
        """The evidence number as shown to people, e.g. ``E-12``."""
        return f"E-{self.number}"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


@dataclass
class StagedEvidence:
    """An encrypted blob written but not yet recorded (see ``stage_stream``)."""

    source: Source
    info: blobstore.BlobInfo
    wrapped: bytes
    detected: media.MediaType
    metadata: dict[str, Any]
    thumb: bytes | None
    shared: str | None = None


class EvidenceStore(EvidenceChecks, EvidenceCuration):
    """``vault.evidence``: add, read, verify, export, link and remove evidence files.

    Thread-safe: imports may run in worker threads; database access goes through
    the vault's database lock, and the long blob write happens outside it.
    """

    #: Segment size for new blobs (≤ 1 GiB so FAT32 sticks work); tests may lower it.
    segment_size: int = blobstore.SEGMENT_SIZE

    def __init__(
        self,
        db: Database,
        folder: Path,
        subkey: Callable[[bytes], bytes],
        is_locked: Callable[[], bool],
    ) -> None:
        self._db = db
        self.root = Path(folder) / EVIDENCE_DIR
        self._vault_folder = Path(folder)
        self._subkey = subkey
        self._is_locked = is_locked

    # -- keys -------------------------------------------------------------------
    def _wrapping_key(self) -> bytes:
        if self._is_locked():
            raise VaultLocked("The diary is locked.")
        return self._subkey(KEY_PURPOSE)

    def _blob_key(self, blob_id: str, wrapped: bytes) -> bytes:
        return blobstore.unwrap_key(self._wrapping_key(), bytes(wrapped), blob_id)

    # -- import -----------------------------------------------------------------
    def add_file(
        self,
        path: Path | str,
        incident_id: int | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> Evidence:
        """Copy ``path`` into the vault, encrypted, and return the new record.

        The source is read once and never changed. Raises InvalidInput (folder,
        not a file, vanished, changed during the copy), StorageError (unreadable,
        disk full, read-only), ImportCancelled (``cancel()`` returned True or the
        vault was locked); in every case nothing is left in the vault.
        """
        path = Path(path)
        if incident_id is not None:
            self._require_incident(incident_id)
        wrapping = self._wrapping_key()
        source = open_source(path)
        blob_id = blobstore.new_blob_id()
        file_key = blobstore.new_file_key()
        wrapped = blobstore.wrap_key(wrapping, file_key, blob_id)

        def stop() -> bool:
            return self._is_locked() or (cancel is not None and bool(cancel()))

        try:
            tidy.journal_start(self.root, blob_id)
        except BaseException:
            os.close(source.fd)
            raise
        try:
            with os.fdopen(source.fd, "rb", buffering=0, closefd=True) as fh:
                info = blobstore.write_blob(
                    self.root,
                    file_key,
                    fh,
                    total=source.size,
                    progress=progress,
                    cancel=stop,
                    segment_size=self.segment_size,
                    blob_id=blob_id,
                )
                after = os.fstat(fh.fileno())
        except OSError as exc:  # closing the source failed after a good write
            blobstore.delete_blob(self.root, blob_id)
            tidy.journal_end(self.root, blob_id)
            raise source_error(exc, source.name) from exc
        except BaseException:
            tidy.journal_end(self.root, blob_id)  # write_blob removed its own files
            raise
        try:
            if after.st_size != info.size or after.st_mtime_ns != source.mtime_ns:
                raise InvalidInput(
                    f"The file “{source.name}” changed while it was being copied. "
                    "Nothing was imported; please try again when it is finished."
                )
            detected, metadata, thumb = self._describe(blob_id, file_key, info.size)
            if source.is_link:
                metadata["imported_through_link"] = True
            staged = StagedEvidence(source, info, wrapped, detected, metadata, thumb)
            committed = self._commit(staged, incident_id)
        except BaseException:
            with contextlib.suppress(Exception):
                blobstore.delete_blob(self.root, blob_id)
            tidy.journal_end(self.root, blob_id)
            raise
        tidy.journal_end(self.root, blob_id)
        return committed

    def _describe(
        self, blob_id: str, key: bytes, size: int
    ) -> tuple[media.MediaType, dict[str, Any], bytes | None]:
        """Type, metadata and thumbnail, read back from the stored (encrypted) copy."""
        with BlobReader(self.root, blob_id, key) as reader:
            detected = media.detect_type(reader.read_range(0, media.SNIFF_SIZE))
            metadata: dict[str, Any] = {}
            thumb: bytes | None = None
            if detected.kind == "image" and size > 0:
                with contextlib.suppress(VaultCorrupted, StorageError):
                    metadata.update(media.image_metadata(io.BufferedReader(_Unclosing(reader))))
                    thumb = media.make_thumbnail(io.BufferedReader(_Unclosing(reader)))
            elif detected.kind in ("audio", "video") and size > 0:
                with contextlib.suppress(VaultCorrupted, StorageError):
                    metadata.update(media.av_metadata(io.BufferedReader(_Unclosing(reader))))
        return detected, metadata, thumb

    def _commit(self, staged: StagedEvidence, incident_id: int | None) -> Evidence:
        with self._db.transaction() as tx:
            evidence_id, shared = self._insert(tx, staged, incident_id, now())
        if shared is not None:  # the new copy is redundant; an identical one is kept
            with contextlib.suppress(Exception):
                blobstore.delete_blob(self.root, staged.info.blob_id)
        return self.get(evidence_id)

    def _insert(
        self, tx: _Tx, staged: StagedEvidence, incident_id: int | None, stamp: datetime
    ) -> tuple[int, str | None]:
        """Insert one record inside ``tx``; returns its id and the shared blob used, if any."""
        source, info, wrapped = staged.source, staged.info, staged.wrapped
        detected, metadata, thumb = staged.detected, staged.metadata, staged.thumb
        if self._is_locked():
            raise VaultLocked("The diary is locked.")
        try:  # the master key may have been replaced (vault.rekey) since the copy began
            blobstore.unwrap_key(self._wrapping_key(), bytes(wrapped), info.blob_id)
        except VaultCorrupted:
            raise ImportCancelled(
                "The diary's keys were replaced while this file was being added, so it was "
                "not kept. Please add it again."
            ) from None
        if incident_id is not None:
            self._require_incident(incident_id, tx)
        shared = self._shareable_blob(tx, info)
        blob_id = shared or info.blob_id
        if shared is None:
            tx.execute(
                "INSERT INTO evidence_blobs (blob_id, wrapped_key, sha256, size, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (info.blob_id, wrapped, info.sha256, info.size, to_text(stamp)),
            )
            ledger.record(tx, "evidence_blobs", info.blob_id, at=stamp)
        number = tx.execute("SELECT coalesce(max(number), 0) + 1 FROM evidence").fetchone()[0]
        cur = tx.execute(
            "INSERT INTO evidence (number, blob_id, sha256, size, original_name, media_type,"
            " kind, mtime, imported_at, metadata, thumbnail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                blob_id,
                info.sha256,
                info.size,
                source.name,
                detected.mime,
                detected.kind,
                to_text(source.mtime),
                to_text(stamp),
                json.dumps(metadata, ensure_ascii=False, sort_keys=True),
                thumb,
            ),
        )
        evidence_id = int(cur.lastrowid)
        ledger.record(tx, "evidence", evidence_id, at=stamp)
        self._log(tx, evidence_id, "import", f"sha256 {info.sha256}")
        if incident_id is not None:
            self._link(tx, evidence_id, incident_id, stamp)
        return evidence_id, shared

    # -- staged imports (several files committed in one transaction) ----------------
    def stage_stream(
        self,
        name: str,
        stream: IO[bytes],
        *,
        mtime: datetime | None = None,
        size: int | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> StagedEvidence:
        """Encrypt ``stream`` into a blob that no record uses yet.

        Used when many files must appear together or not at all (a chat export and
        its photos): stage each, then :meth:`commit_staged` them inside one
        transaction, or :meth:`discard_staged` on failure. A crash in between leaves
        blobs that the next unlock's sweep tidies. Nothing is written in plaintext.
        """
        wrapping = self._wrapping_key()
        blob_id = blobstore.new_blob_id()
        file_key = blobstore.new_file_key()
        wrapped = blobstore.wrap_key(wrapping, file_key, blob_id)

        def stop() -> bool:
            return self._is_locked() or (cancel is not None and bool(cancel()))

        tidy.journal_start(self.root, blob_id)  # until finish_staged or discard_staged
        try:
            info = blobstore.write_blob(
                self.root,
                file_key,
                stream,
                total=size,
                progress=progress,
                cancel=stop,
                segment_size=self.segment_size,
                blob_id=blob_id,
            )
            detected, metadata, thumb = self._describe(blob_id, file_key, info.size)
        except BaseException:
            with contextlib.suppress(Exception):
                blobstore.delete_blob(self.root, blob_id)
            tidy.journal_end(self.root, blob_id)
            raise
        when = mtime or now()
        source = Source(-1, name, info.size, when, 0, False)
        return StagedEvidence(source, info, wrapped, detected, metadata, thumb)

    def stage_file(
        self, path: Path, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None
    ) -> StagedEvidence:
        """Like :meth:`stage_stream` for a file on disk (read once, never changed)."""
        source = open_source(Path(path))
        with os.fdopen(source.fd, "rb", buffering=0, closefd=True) as fh:
            staged = self.stage_stream(
                source.name,
                fh,
                mtime=source.mtime,
                size=source.size,
                progress=progress,
                cancel=cancel,
            )
        return staged

    def add_bytes(self, name: str, data: bytes, incident_id: int | None = None) -> Evidence:
        """Keep bytes made in memory (a screen capture) as evidence, never touching disk."""
        if incident_id is not None:
            self._require_incident(incident_id)
        staged = self.stage_stream(name, io.BytesIO(data), size=len(data))
        try:
            with self._db.transaction() as tx:
                evidence_id = self.commit_staged(tx, staged, incident_id)
        except BaseException:
            self.discard_staged(staged)
            raise
        self.finish_staged(staged)
        return self.get(evidence_id)

    def commit_staged(self, tx: _Tx, staged: StagedEvidence, incident_id: int | None = None) -> int:
        """Record a staged blob inside the caller's transaction; returns the evidence id."""
        evidence_id, shared = self._insert(tx, staged, incident_id, now())
        staged.shared = shared
        return evidence_id

    def discard_staged(self, staged: StagedEvidence) -> None:
        """Delete a staged blob that will not be committed (or was a duplicate)."""
        with contextlib.suppress(Exception):
            blobstore.delete_blob(self.root, staged.info.blob_id)
        tidy.journal_end(self.root, staged.info.blob_id)

    def finish_staged(self, staged: StagedEvidence) -> None:
        """After the transaction that committed ``staged`` (deletes it if it was a duplicate).

        Until this is called the import journal says the blob may be a leftover.
        """
        if staged.shared is not None:
            with contextlib.suppress(Exception):
                blobstore.delete_blob(self.root, staged.info.blob_id)
        tidy.journal_end(self.root, staged.info.blob_id)

    def _shareable_blob(self, tx: _Tx, info: blobstore.BlobInfo) -> str | None:
        """A live blob with the same SHA-256 and size that still looks intact, if any."""
        rows = tx.execute(
            "SELECT blob_id, wrapped_key FROM evidence_blobs"
            " WHERE sha256 = ? AND size = ? AND deleted_at IS NULL",
            (info.sha256, info.size),
        ).fetchall()
        for blob_id, wrapped in rows:
            try:
                with BlobReader(self.root, blob_id, self._blob_key(blob_id, wrapped)) as reader:
                    if reader.size == info.size:
                        return str(blob_id)
            except (VaultCorrupted, StorageError):
                continue
        return None

    # -- reading ---------------------------------------------------------------
    _SELECT = (
        "SELECT e.id, e.number, e.sha256, e.original_name, e.size, e.media_type, e.kind,"
        " e.mtime, e.imported_at, e.metadata, e.thumbnail IS NOT NULL,"
        " (SELECT group_concat(incident_id) FROM incident_evidence ie"
        "  WHERE ie.evidence_id = e.id), e.removed_at, e.removed_reason,"
        " e.description, e.original_location FROM evidence e"
    )

    @staticmethod
    def _row(row: Any) -> Evidence:
        links = tuple(sorted(int(x) for x in row[11].split(","))) if row[11] else ()
        return Evidence(
            id=row[0],
            number=row[1],
            sha256=row[2],
            original_name=row[3],
            size=row[4],
            media_type=row[5],
            kind=row[6],
            mtime=from_text(row[7]) if row[7] else None,
            imported_at=from_text(row[8]),
            metadata=json.loads(row[9] or "{}"),
            has_thumbnail=bool(row[10]),
            incident_ids=links,
            removed_at=from_text(row[12]) if row[12] else None,
            removed_reason=row[13],
            description=row[14],
            original_location=row[15],
        )

    def get(self, evidence_id: int) -> Evidence:
        """The record with this id (removed records included)."""
        rows = self._db.query(f"{self._SELECT} WHERE e.id = ?", (evidence_id,))
        if not rows:
            raise NotFound(f"There is no evidence with id {evidence_id}.")
        return self._row(rows[0])

    def by_ref(self, ref: str | int) -> Evidence:
        """The record with this number (``12`` or ``"E-12"``)."""
        text = str(ref).strip().upper().removeprefix("E-")
        if not text.isdigit():
            raise InvalidInput(f"“{ref}” is not an evidence number.")
        rows = self._db.query(f"{self._SELECT} WHERE e.number = ?", (int(text),))
        if not rows:
            raise NotFound(f"There is no evidence E-{int(text)}.")
        return self._row(rows[0])

    def list(self, incident_id: int | None = None, include_removed: bool = False) -> list[Evidence]:
        """Records in import order, optionally only those linked to ``incident_id``."""
        where, params = [], []
        if incident_id is not None:
            where.append(
                "e.id IN (SELECT evidence_id FROM incident_evidence WHERE incident_id = ?)"
            )
            params.append(incident_id)
        if not include_removed:
            where.append("e.removed_at IS NULL")
        sql = (
            self._SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.number"
        )
        return [self._row(r) for r in self._db.query(sql, params)]

    def for_incident(self, incident_id: int) -> builtins.list[Evidence]:
        """Live records linked to ``incident_id``."""
        self._require_incident(incident_id)
        return self.list(incident_id=incident_id)

    def count(self, include_removed: bool = False) -> int:
        sql = "SELECT count(*) FROM evidence" + (
            "" if include_removed else " WHERE removed_at IS NULL"
        )
        return int(self._db.query(sql)[0][0])

    def history(self, evidence_id: int) -> builtins.list[tuple[datetime, str, str]]:
        """Every recorded action on a record, oldest first: (when, action, detail)."""
        self.get(evidence_id)
        rows = self._db.query(
            "SELECT at, action, detail FROM evidence_log WHERE evidence_id = ? ORDER BY seq",
            (evidence_id,),
        )
        return [(from_text(r[0]), r[1], r[2]) for r in rows]

    def _blob_of(self, evidence_id: int) -> tuple[Evidence, str, bytes]:
        rows = self._db.query(
            "SELECT b.blob_id, b.wrapped_key, b.deleted_at FROM evidence e"
            " JOIN evidence_blobs b ON b.blob_id = e.blob_id WHERE e.id = ?",
            (evidence_id,),
        )
        ev = self.get(evidence_id)
        if not rows:
            raise VaultCorrupted(f"The record of evidence {ev.ref} is incomplete.")
        if ev.removed or rows[0][2] is not None:
            raise InvalidInput(
                f"Evidence {ev.ref} was removed on {ev.removed_at:%d %B %Y}; its copy is gone."
                if ev.removed_at
                else f"The stored copy of evidence {ev.ref} was deleted."
            )
        return ev, rows[0][0], self._blob_key(rows[0][0], rows[0][1])

    def _named(self, ev: Evidence, exc: VaultCorrupted) -> VaultCorrupted:
        return VaultCorrupted(f"Evidence {ev.ref} (“{ev.shown_name}”): {exc}")

    def open_stream(self, evidence_id: int) -> BlobFile:
        """A read-only, seekable file object decrypting on demand (close it after use)."""
        ev, blob_id, key = self._blob_of(evidence_id)
        try:
            return BlobFile(BlobReader(self.root, blob_id, key))
        except VaultCorrupted as exc:
            raise self._named(ev, exc) from exc

    def iter_chunks(self, evidence_id: int) -> Iterator[bytes]:
        """Decrypted chunks in order (each authenticated), without holding the whole file."""
        ev, blob_id, key = self._blob_of(evidence_id)
        try:
            with BlobReader(self.root, blob_id, key) as reader:
                yield from reader
        except VaultCorrupted as exc:
            raise self._named(ev, exc) from exc

    def read(self, evidence_id: int) -> bytes:
        """The exact original bytes, decrypted into memory and checked against SHA-256."""
        ev = self.get(evidence_id)
        digest = hashlib.sha256()
        parts = []
        for chunk in self.iter_chunks(evidence_id):
            digest.update(chunk)
            parts.append(chunk)
        data = b"".join(parts)
        if digest.hexdigest() != ev.sha256 or len(data) != ev.size:
            raise VaultCorrupted(
                f"Evidence {ev.ref} (“{ev.shown_name}”) does not match its recorded SHA-256."
            )
        return data

    def thumbnail(self, evidence_id: int) -> bytes | None:
        """The small JPEG thumbnail of an image (kept in the encrypted database), or None."""
        rows = self._db.query("SELECT thumbnail FROM evidence WHERE id = ?", (evidence_id,))
        if not rows:
            raise NotFound(f"There is no evidence with id {evidence_id}.")
        return bytes(rows[0][0]) if rows[0][0] is not None else None

    # -- export ----------------------------------------------------------------
    def export(self, evidence_id: int, dest_path: Path | str, *, overwrite: bool = False) -> Path:
        """Write an exact copy to ``dest_path`` (a file, or a folder to put it in).

        The copy is written to a temporary name beside the destination, checked
        against the recorded SHA-256, fsynced and only then renamed into place.
        An existing file is never replaced unless ``overwrite`` is True.
        """
        ev = self.get(evidence_id)
        dest = Path(dest_path)
        if dest.is_dir():
            dest = dest / safe_filename(ev.original_name)
        with contextlib.suppress(OSError):
            if dest.parent.resolve().is_relative_to(self._vault_folder.resolve()):
                raise InvalidInput("Choose a place outside the diary's own folder for the copy.")
        if dest.exists() and not overwrite:
            raise InvalidInput(f"“{dest.name}” already exists there. Choose another name.")
        tmp = dest.with_name(f".{dest.name[:100]}.{secrets.token_hex(4)}.part")
        digest = hashlib.sha256()
        size = 0
        try:
            fd = create_new(tmp)
            try:
                for chunk in self.iter_chunks(evidence_id):
                    digest.update(chunk)
                    size += len(chunk)
                    write_all(fd, chunk)
                os.fsync(fd)
                drop_cache(fd)  # a read-back (the bundle's check) then reads the disk
            finally:
                os.close(fd)
            if digest.hexdigest() != ev.sha256 or size != ev.size:
                raise VaultCorrupted(
                    f"Evidence {ev.ref} (“{ev.shown_name}”) does not match its recorded "
                    "SHA-256; no copy was written."
                )
            self._place(tmp, dest, overwrite)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if exc.errno == errno.EEXIST:
                raise InvalidInput(
                    f"“{dest.name}” already exists there. Choose another name."
                ) from exc
            raise storage_error(exc, f"save “{dest.name}”") from exc
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        self._record(evidence_id, "export", "")
        return dest

    @staticmethod
    def _place(tmp: Path, dest: Path, overwrite: bool) -> None:
        if overwrite:
            os.replace(tmp, dest)
        else:
            try:
                os.link(tmp, dest)  # atomic and refuses to replace an existing file
                tmp.unlink()
            except OSError as exc:
                if exc.errno == errno.EEXIST:
                    raise
                if dest.exists():  # file systems without hard links (FAT32, exFAT)
                    raise FileExistsError(errno.EEXIST, "exists") from exc
                os.rename(tmp, dest)
        with contextlib.suppress(OSError):
            fsync_dir(dest.parent)

    # -- housekeeping ----------------------------------------------------------------
    def sweep_orphans(self) -> tidy.SweepResult:
        """Tidy the evidence folder at unlock (see :mod:`safediary.core.vault.tidy`).

        Leftovers of interrupted imports (the journal shows them) and files of removed
        records are deleted; any other file the database does not know is moved,
        still encrypted, to the quarantine folder and listed in the result. Run at
        unlock, before any import can start. A read-only medium is not an error here.
        """
        rows = self._db.query("SELECT blob_id, deleted_at FROM evidence_blobs")
        live = {r[0] for r in rows if r[1] is None}
        known = {r[0] for r in rows}
        try:
            return tidy.sweep(self.root, self._vault_folder, live, known)
        except StorageError:
            return tidy.SweepResult()


class _Unclosing(BlobFile):
    """A BlobFile over a reader someone else owns (closing it leaves the reader open)."""

    def close(self) -> None:
        if not self.closed:
            self._reader._cache = None  # drop plaintext of the last chunk read
        super(BlobFile, self).close()
