"""Backups: a verified, encrypted copy of an open vault, and restoring one.

A backup is an ordinary vault folder (same passphrase, same recovery key):
both key-file copies, the database copied with SQLCipher's online backup
(keyed with the same raw key, so pages are never in the clear), and every
evidence blob the copied database refers to. It is written into a hidden
``.partial-…`` folder beside its final place, fsynced, checked, and only then
renamed into place, so a half-written backup never looks complete.

Restoring copies a backup folder into a place that holds no vault yet; it
needs no passphrase (nothing is decrypted) and refuses to replace a vault.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import sqlcipher3

from safediary.core import ledger
from safediary.core.backup.source import BackupSource
from safediary.core.diary.incidents import verify_chain
from safediary.core.errors import (
    InvalidInput,
    NotAVault,
    StorageError,
    VaultCorrupted,
    VaultError,
    VaultExists,
)
from safediary.core.evidence.evidence import EVIDENCE_DIR, EvidenceStore
from safediary.core.fsutil import (
    COPY_CHUNK,
    copy_file,
    drop_cache,
    fsync_dir,
    make_private_dir,
    storage_error,
    write_new,
)
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.timeutil import from_text, now, to_text
from safediary.core.vault import keys as keymod
from safediary.core.vault.db import DB_FILE
from safediary.core.wording import plural


class _HasSettings(Protocol):
    """A vault, as the reminders see it: its encrypted settings."""

    @property
    def kv(self) -> Any: ...

__all__ = [
    "LAST_BACKUP_KEY",
    "BackupReport",
    "RestoreReport",
    "backup",
    "backup_due",
    "find_backups",
    "last_backup_at",
    "restore",
]


LAST_BACKUP_KEY = "last_backup_at"
LAST_BACKUP_FOLDER_KEY = "last_backup_folder"
_WAL = DB_FILE + "-wal"
_PARTIAL_RE = re.compile(r"^\.(partial|restore)-[0-9a-f]{16}$")
_SHARD_RE = re.compile(r"^[0-9a-f]{2}$")
_SEGMENT_RE = re.compile(r"^[0-9a-f]{32}\.\d+$")


class BackupCancelled(StorageError):
    """The backup or restore was stopped by the user; nothing was left behind."""


@dataclass
class BackupReport:
    """What a backup wrote and what checking it found. ``ok`` when nothing is wrong."""

    folder: Path
    created_at: datetime
    incidents: int = 0
    revisions: int = 0
    evidence_files: int = 0
    bytes_written: int = 0
    fingerprint: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        """The result in plain words, for the person who asked for the backup."""
        entries = plural(self.incidents, "entry", "entries")
        files = plural(self.evidence_files, "evidence file", "evidence files")
        if self.ok:
            return (
                f"Your backup is complete and checked: {entries} and {files} were copied "
                f"to {self.folder}. It opens with the same passphrase and recovery key "
                "as your diary."
            )
        return (
            f"A backup was written to {self.folder}, but checking it found problems:\n- "
            + "\n- ".join(self.problems)
            + "\nYour diary itself has not been changed. Please try again, ideally to a "
            "different disk or stick."
        )


@dataclass
class RestoreReport:
    """Where a backup was restored to and what was copied."""

    folder: Path
    vault_id: str
    files: int = 0
    bytes_copied: int = 0

    def summary(self) -> str:
        return (
            f"The backup was restored to {self.folder} ({plural(self.files, 'file', 'files')} "
            "copied and checked). Unlock it with the passphrase or recovery key it had "
            "when the backup was made."
        )


# ----------------------------------------------------------------------------- helpers


class _Progress:
    """Byte-based progress across phases (and threads); also checks for cancellation."""

    def __init__(self, progress: ProgressFn | None, cancel: CancelFn | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self._lock = threading.Lock()
        self.done = 0
        self.total = 0

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise BackupCancelled("The backup was stopped. Nothing was left half-written.")

    def finish(self) -> None:
        """Everything is done: say so, whatever the estimates were."""
        self.total = max(self.total, self.done, 1)
        self.add(self.total - self.done)

    def add(self, n: int) -> None:
        with self._lock:
            self.done += n
        self.check()
        if self._progress is not None:
            self._progress(min(self.done, self.total), max(self.total, 1))


def _is_vault_folder(folder: Path) -> bool:
    return any((folder / n).exists() for n in (keymod.KEYS_FILE, keymod.KEYS_COPY, DB_FILE))


def _inside(child: Path, parent: Path) -> bool:
    try:
        return child.resolve().is_relative_to(parent.resolve())
    except OSError:
        return False


def _sweep_partials(folder: Path) -> None:
    """Remove leftovers of backups or restores that were interrupted (encrypted files only)."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if _PARTIAL_RE.match(entry.name) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def _all_or_nothing(folder: Path, what: str) -> Iterator[None]:
    """Remove the half-made ``folder`` if the block fails, and say plainly why."""
    try:
        yield
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise storage_error(exc, what) from exc
        if isinstance(exc, sqlcipher3.Error):
            raise StorageError(f"Could not {what}: {exc}.") from exc
        raise


def _drop_from_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        drop_cache(fd)
    finally:
        os.close(fd)


def _same_bytes(a: Path, b: Path) -> bool:
    """True when two files hold the same bytes."""
    with open(a, "rb", buffering=0) as fa, open(b, "rb", buffering=0) as fb:
        while True:
            block = fa.read(COPY_CHUNK)
            if block != fb.read(COPY_CHUNK):
                return False
            if not block:
                return True


def _segments(evidence_root: Path, blob_id: str) -> list[Path]:
    """The stored segment files of one blob, in order (``<xx>/<id>.0``, ``.1`` …)."""
    folder = evidence_root / blob_id[:2]
    found: list[Path] = []
    index = 0
    while (path := folder / f"{blob_id}.{index}").is_file():
        found.append(path)
        index += 1
    return found


def _unique_name(parent: Path, stamp: datetime) -> Path:
    base = f"backup-{stamp:%Y-%m-%d-%H%M%S}"
    candidate = parent / base
    n = 2
    while candidate.exists():
        candidate = parent / f"{base}-{n}"
        n += 1
    return candidate


class _ReadOnlyDatabase:
    """Just enough of :class:`~safediary.core.vault.db.Database` to check a copy unchanged."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.lock = threading.RLock()
        uri = path.resolve().as_uri() + "?mode=ro"
        self._conn = sqlcipher3.connect(uri, uri=True, check_same_thread=False)
        self._conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        self._conn.execute("PRAGMA temp_store = MEMORY")

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        with self.lock:
            return self._conn.execute(sql, params).fetchall()

    def has_table(self, name: str) -> bool:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return bool(self.query(sql, (name,)))

    def close(self) -> None:
        with contextlib.suppress(sqlcipher3.Error):
            self._conn.close()


# ----------------------------------------------------------------------------- backup


def backup(
    vault: BackupSource,
    dest_folder: Path | str,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> BackupReport:
    """Write a checked, encrypted copy of an open vault into a new folder inside ``dest_folder``.

    ``vault`` is what ``Vault.backup_source()`` gives. The vault stays open and usable.
    Returns a :class:`BackupReport` whose ``folder`` is the new backup; raises StorageError
    (disk full, removed, refused) or BackupCancelled, in which case nothing is left in
    ``dest_folder``. Every file is fsynced and dropped from the page cache before the
    check reads it back, so the check reads what reached the disk.
    """
    dest_folder = Path(dest_folder)
    if _inside(dest_folder, vault.folder):
        raise InvalidInput(
            "A backup cannot go inside the diary's own folder. "
            "Please choose another place, ideally another disk or USB stick."
        )
    if _is_vault_folder(dest_folder):
        raise InvalidInput(
            "That folder holds a diary. Please choose an empty folder or another place."
        )
    make_private_dir(dest_folder)
    _sweep_partials(dest_folder)
    meter = _Progress(progress, cancel)
    meter.check()
    stamp = now()
    partial = dest_folder / f".partial-{secrets.token_hex(8)}"
    try:
        partial.mkdir(mode=0o700)
    except OSError as exc:
        raise storage_error(exc, "start the backup") from exc
    with _all_or_nothing(partial, "write the backup"):
        report = _write_and_check(vault, partial, meter, stamp)
        meter.finish()
        final = _unique_name(dest_folder, stamp)
        os.rename(partial, final)
        fsync_dir(dest_folder)
    report.folder = final
    if report.ok:
        with contextlib.suppress(Exception):  # the backup is good even if this note fails
            vault.settings.set(LAST_BACKUP_KEY, to_text(stamp))
            vault.settings.set(LAST_BACKUP_FOLDER_KEY, str(dest_folder))
    return report


def _write_and_check(
    vault: BackupSource, partial: Path, meter: _Progress, stamp: datetime
) -> BackupReport:
    src_root = vault.folder / EVIDENCE_DIR
    dst_root = partial / EVIDENCE_DIR

    # Key file: the in-memory copy is the good one even if a disk copy is damaged.
    for name in (keymod.KEYS_FILE, keymod.KEYS_COPY):
        write_new(partial / name, vault.key_file)

    # Database: SQLCipher's online backup into a copy keyed with the same raw key.
    copied = 0

    def step(done: int, total: int) -> None:
        nonlocal copied
        meter.total = max(meter.total, total * 2)  # copied, then checked
        meter.add(done - copied)
        copied = done

    vault.copy_database(partial / DB_FILE, step)
    _drop_from_cache(partial / DB_FILE)

    # Evidence: every live blob the copied database refers to.
    copy = _ReadOnlyDatabase(partial / DB_FILE, vault.db_key)
    try:
        blob_ids: list[str] = []
        if copy.has_table("evidence_blobs"):
            rows = copy.query("SELECT blob_id FROM evidence_blobs WHERE deleted_at IS NULL")
            blob_ids = [str(r[0]) for r in rows]
        segments = {b: _segments(src_root, b) for b in blob_ids}
        blob_bytes = sum(p.stat().st_size for paths in segments.values() for p in paths)
        meter.total += blob_bytes * 2
        if blob_ids:
            make_private_dir(dst_root)
        store = EvidenceStore(copy, partial, vault.subkey, vault.is_locked)  # type: ignore[arg-type]
        shards: set[Path] = set()
        # Each blob is checked (read back from the disk, every chunk authenticated) on one
        # of two checker threads while the next one is copied: the disk reads while it
        # writes, and one checker reads while the other decrypts.
        checks: list[Future[list[str]]] = []
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="backup-check") as checker:
            try:
                for blob_id, paths in segments.items():
                    shard = dst_root / blob_id[:2]
                    if shard not in shards:
                        make_private_dir(shard)
                        shards.add(shard)
                    for src in paths:
                        copy_file(src, shard / src.name, meter.add)
                    size = sum(p.stat().st_size for p in paths)
                    checks.append(checker.submit(_check_blob, store, blob_id, size, meter))
                for shard in shards:
                    fsync_dir(shard)
                if blob_ids:
                    fsync_dir(dst_root)
                fsync_dir(partial)
                evidence_problems = [p for check in checks for p in check.result()]
            finally:
                for check in checks:
                    check.cancel()
        report = _check_copy(vault, partial, copy, meter)
        report.problems.extend(f"In the backup: {p}" for p in evidence_problems)
        if copy.has_table("evidence_blobs"):
            report.evidence_files = len(store.list())
    finally:
        copy.close()
    report.created_at = stamp
    report.bytes_written = sum(p.stat().st_size for p in partial.rglob("*") if p.is_file())
    return report


def _check_copy(
    vault: BackupSource, folder: Path, copy: _ReadOnlyDatabase, meter: _Progress
) -> BackupReport:
    """Open the written copy with the vault's keys and check everything in it."""
    report = BackupReport(folder=folder, created_at=now())
    # key files: both copies readable, same vault, untouched (MAC under the master key)
    try:
        copies = keymod.load_slot_files(folder)
    except (NotAVault, VaultCorrupted) as exc:
        report.problems.append(f"The backup's key file could not be read back ({exc}).")
        copies = []
    if len(copies) != 2 and copies:
        report.problems.append("One of the backup's two key-file copies could not be read back.")
    for slots in copies:
        if not vault.key_file_matches(slots):
            report.problems.append("The backup's key file does not match this diary.")
            break
    # database: SQLCipher's page check, SQLite's structure check, then the history chain
    try:
        for sql in ("PRAGMA cipher_integrity_check", "PRAGMA quick_check"):
            bad = [r[0] for r in copy.query(sql) if r and r[0] not in ("ok", None)]
            if bad:
                report.problems.append(
                    "The backup's database is damaged (" + "; ".join(map(str, bad[:3])) + ")."
                )
        chain = verify_chain(copy)  # type: ignore[arg-type]
        chained = ledger.verify(copy)
        report.revisions = chain.length
        report.fingerprint = chained.head
        report.problems.extend(f"In the backup: {p}" for p in chain.problems)
        report.problems.extend(f"In the backup: {p}" for p in chained.problems)
        report.incidents = int(copy.query("SELECT count(*) FROM incidents")[0][0])
    except (sqlcipher3.Error, sqlite3.Error) as exc:
        report.problems.append(f"The backup's database could not be read back ({exc}).")
        return report
    meter.add((folder / DB_FILE).stat().st_size)
    return report


def _check_blob(store: EvidenceStore, blob_id: str, size: int, meter: _Progress) -> list[str]:
    """Problems of one copied blob (it was dropped from the cache: this reads the disk)."""
    meter.check()
    problems = store.verify_blob(blob_id, rehash=False)
    meter.add(size)
    return problems


# ----------------------------------------------------------------------------- restore


def _vault_files(folder: Path) -> Iterator[Path]:
    """Relative paths of the files that make up a vault (never temp files or leftovers).

    Raises InvalidInput if any of them is a link: a planted link could make a restore
    copy (and "check") a file from anywhere on the computer.
    """
    for name in (keymod.KEYS_FILE, keymod.KEYS_COPY, DB_FILE, _WAL):
        _refuse_link(folder, Path(name))
        if (folder / name).is_file():
            yield Path(name)
    _refuse_link(folder, Path(EVIDENCE_DIR))
    root = folder / EVIDENCE_DIR
    if root.is_dir():
        for shard in sorted(root.iterdir()):
            if _SHARD_RE.match(shard.name):
                _refuse_link(folder, Path(EVIDENCE_DIR, shard.name))
            if shard.is_dir() and _SHARD_RE.match(shard.name):
                for seg in sorted(shard.iterdir()):
                    if _SEGMENT_RE.match(seg.name):
                        _refuse_link(folder, Path(EVIDENCE_DIR, shard.name, seg.name))
                    if seg.is_file() and _SEGMENT_RE.match(seg.name):
                        yield Path(EVIDENCE_DIR, shard.name, seg.name)


def _refuse_link(folder: Path, rel: Path) -> None:
    if (folder / rel).is_symlink():
        raise InvalidInput(
            f"In {folder}, “{rel}” is a link to somewhere else instead of a real file or "
            "folder. A backup never contains links, so someone may have tampered with this "
            "one. SafeDiary does not follow links; nothing was copied."
        )


def restore(
    backup_folder: Path | str,
    target_folder: Path | str,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> RestoreReport:
    """Copy the backup in ``backup_folder`` to ``target_folder`` (which must hold no vault).

    No passphrase is needed: the files stay encrypted. Every copied file is
    read back and compared with the backup, and the key file is parsed.
    Raises NotAVault, VaultCorrupted, VaultExists, InvalidInput or StorageError.
    """
    source, target = Path(backup_folder), Path(target_folder)
    slots = keymod.load_slot_files(source)  # NotAVault / VaultCorrupted
    if not (source / DB_FILE).is_file():
        raise VaultCorrupted(
            "This backup has no diary database in it, so it cannot be restored. "
            "Nothing has been changed."
        )
    if _is_vault_folder(target):
        raise VaultExists(
            f"There is already a diary in {target}. It has not been touched. "
            "Open the backup in place instead, or restore it to another folder."
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(
            f"{target} is not empty. Please choose an empty or new folder to restore into."
        )
    if _inside(target, source) or _inside(source, target):
        raise InvalidInput("Please restore the backup to a folder outside the backup itself.")
    meter = _Progress(progress, cancel)
    files = list(_vault_files(source))
    meter.total = sum((source / f).stat().st_size for f in files) * 2
    parent = target.parent
    make_private_dir(parent)
    _sweep_partials(parent)
    staging = parent / f".restore-{secrets.token_hex(8)}"
    with _all_or_nothing(staging, "restore the backup"):
        make_private_dir(staging)
        for rel in files:
            make_private_dir((staging / rel).parent)
            copy_file(source / rel, staging / rel, meter.add)
        for folder in {(staging / rel).parent for rel in files}:
            fsync_dir(folder)
        for rel in files:  # read back what landed on the disk (not the page cache)
            if not _same_bytes(source / rel, staging / rel):
                raise StorageError(
                    f"The restored copy of {rel} does not match the backup; "
                    "the disk may be failing. Nothing was restored."
                )
            meter.add((staging / rel).stat().st_size)
        restored = keymod.load_slot_files(staging)
        if restored[0].vault_id != slots[0].vault_id:
            raise StorageError("The restored key file does not match the backup.")
        if target.exists():
            target.rmdir()  # empty, checked above
        os.rename(staging, target)
        fsync_dir(parent)
    return RestoreReport(
        folder=target,
        vault_id=slots[0].vault_id,
        files=len(files),
        bytes_copied=meter.total // 2,
    )


# ----------------------------------------------------------------------------- reminders


def last_backup_at(vault: _HasSettings) -> datetime | None:
    """When the last checked backup of this vault was made, or None."""
    value = vault.kv.get(LAST_BACKUP_KEY)
    if not isinstance(value, str):
        return None
    try:
        return from_text(value)
    except ValueError:
        return None


def backup_due(vault: _HasSettings, days: int, *, at: datetime | None = None) -> bool:
    """True when the last backup is ``days`` days old or there is none; never when days <= 0."""
    if days <= 0:
        return False
    last = last_backup_at(vault)
    if last is None:
        return True
    return (at or now()) - last >= timedelta(days=days)


def find_backups(folder: Path | str) -> list[Path]:
    """Backups in ``folder`` (or ``folder`` itself if it is one), newest first."""
    folder = Path(folder)
    if (folder / keymod.KEYS_FILE).exists() or (folder / keymod.KEYS_COPY).exists():
        return [folder]
    found: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if (
                not entry.is_symlink()
                and entry.is_dir()
                and not entry.name.startswith(".")
                and ((entry / keymod.KEYS_FILE).exists() or (entry / keymod.KEYS_COPY).exists())
            ):
                found.append(entry)
    # Newest by what is inside, never by the name (a planted "backup-9999-…" once won):
    # the diary's length recorded in the key file, then when its database was written.
    found.sort(key=_recency, reverse=True)
    return found


def _recency(folder: Path) -> tuple[int, int, float]:
    """How new the backup in ``folder`` is, from its contents; unreadable ones sort last."""
    try:
        newest = keymod.load_slot_files(folder)[0]
        db = folder / DB_FILE
        written = db.lstat().st_mtime if not db.is_symlink() else 0.0
    except (VaultError, OSError):
        return (-1, -1, 0.0)
    record = getattr(newest, "db", None) or {}
    count = record.get("count", 0) if isinstance(record, dict) else 0
    return (count if isinstance(count, int) else 0, newest.generation, written)
