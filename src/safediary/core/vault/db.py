"""The SQLCipher connection: raw key, durable settings, migrations, locking.

The database key is derived from the master key with HKDF and given to
SQLCipher as a raw key (``x'…'``), so there is no second slow KDF and no
quoting problem. One connection is shared by the GUI thread and workers and
guarded by a re-entrant lock.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from safediary.core.errors import StorageError, VaultCorrupted, VaultLocked, VaultTooNew
from safediary.core.fsutil import FILE_MODE, fsync_dir, fsync_file, storage_error
from safediary.core.vault.schema import MIGRATIONS, SCHEMA_VERSION

DB_FILE = "diary.db"
_PAGES_PER_STEP = 256  # pages copied between progress calls of copy_to
DatabaseError = sqlcipher3.DatabaseError


class Database:
    """An open, keyed SQLCipher database."""

    def __init__(self, path: Path, key: bytes, *, create: bool = False) -> None:
        self.path = path
        self.lock = threading.RLock()
        if not create and not path.exists():
            raise VaultCorrupted(
                "The diary database is missing from the vault folder. "
                "Nothing has been changed. Please restore from a backup."
            )
        if create and path.exists():
            raise VaultCorrupted("A diary database already exists here; it will not be replaced.")
        try:
            if create:  # SQLite gives the -wal/-shm files the database's mode
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
            with contextlib.suppress(OSError):
                os.chmod(path, FILE_MODE)
        except OSError as exc:
            raise storage_error(exc, "create the diary database") from exc
        try:
            self._conn: sqlcipher3.Connection | None = sqlcipher3.connect(
                str(path), check_same_thread=False, isolation_level=None
            )
        except sqlcipher3.Error as exc:
            raise StorageError(f"The diary database could not be opened: {exc}") from exc
        try:
            self._configure(key)
            self._migrate(create)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    def reopen(self, key: bytes) -> None:
        """Close and open the same file again with ``key`` (after a rekey swapped it)."""
        with self.lock:
            self.close()
            try:
                self._conn = sqlcipher3.connect(
                    str(self.path), check_same_thread=False, isolation_level=None
                )
            except sqlcipher3.Error as exc:
                raise StorageError(f"The diary database could not be opened: {exc}") from exc
            try:
                self._configure(key)
            except BaseException:
                self._conn.close()
                self._conn = None
                raise

    # -- set-up -----------------------------------------------------------
    def _configure(self, key: bytes) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise VaultCorrupted(
                "SQLCipher is not available: refusing to store the diary unencrypted."
            )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise VaultCorrupted(
                "The diary database is damaged and cannot be read. Nothing has been changed. "
                "Please restore from a backup."
            ) from exc
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")

    def _migrate(self, create: bool) -> None:
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise VaultTooNew(
                "This diary was written by a newer version of SafeDiary. Please update SafeDiary."
            )
        if version == SCHEMA_VERSION:
            return
        if version == 0 and not create:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise VaultCorrupted("The diary database has no schema version.")
        if version > 0:
            self._copy_before_migration(version)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            try:
                with self.transaction() as c:
                    step = MIGRATIONS[number - 1]
                    if isinstance(step, str):
                        c.executescript_in_tx(step)
                    else:
                        step(c)
                    c.execute(f"PRAGMA user_version = {number}")
            except sqlcipher3.Error as exc:
                raise VaultCorrupted(
                    f"This diary could not be upgraded to the new version ({exc}). "
                    "Nothing in it has been changed, and a copy was kept beside it. "
                    "Please restore from a backup or use the previous version of SafeDiary."
                ) from exc

    def _copy_before_migration(self, version: int) -> None:
        """Keep an (encrypted) copy of the database before changing its schema."""
        self.checkpoint()
        dest = self.path.with_name(f"{self.path.name}.v{version}.bak")
        if not dest.exists():
            try:
                shutil.copy2(self.path, dest)
                fsync_dir(dest.parent)
            except OSError as exc:
                raise StorageError(f"Could not keep a copy before upgrading: {exc}") from exc

    # -- use ----------------------------------------------------------------
    @property
    def conn(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise VaultLocked("The diary is locked.")
        return self._conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """An immediate write transaction, committed on success, rolled back on error."""
        with self.lock:
            conn = self.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc
            try:
                yield _Tx(conn)
            except BaseException as exc:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("ROLLBACK")
                mapped = self._translate(exc)
                if mapped is exc:
                    raise
                raise mapped from exc
            try:
                conn.execute("COMMIT")
            except sqlcipher3.Error as exc:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("ROLLBACK")
                raise self._translate(exc) from exc

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        """Run a read query and return all rows."""
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlcipher3.Error as exc:
                mapped = self._translate(exc)
                if mapped is exc:
                    raise
                raise mapped from exc

    def _translate(self, exc: BaseException) -> BaseException:
        """A plain error for a failed database call.

        When the database file itself can no longer be read (the stick was pulled
        out), say so: SQLCipher reports such read failures as a "malformed"
        database, and the user must not be told their diary is damaged.
        """
        if not isinstance(exc, (sqlcipher3.Error, StorageError, VaultCorrupted)):
            return exc
        try:
            with open(self.path, "rb") as fh:
                fh.read(1)
        except OSError:
            return StorageError(
                "The diary's disk cannot be reached (was a USB stick removed?). "
                "Nothing saved before has been lost; put it back and unlock the diary again."
            )
        return _storage(exc) if isinstance(exc, sqlcipher3.Error) else exc

    def copy_to(self, dest: Path, key: bytes, step: Callable[[int, int], None]) -> None:
        """SQLCipher's online backup into a new file ``dest`` keyed with the raw ``key``.

        ``step(done_bytes, total_bytes)`` is called as pages are copied (it may raise to
        stop). The copy is left in rollback-journal mode and fsynced.
        """
        with self.lock:
            page_size = int(self.conn.execute("PRAGMA page_size").fetchone()[0])
            pages = int(self.conn.execute("PRAGMA page_count").fetchone()[0])
        target = sqlcipher3.connect(str(dest), isolation_level=None)
        try:
            target.execute(f"PRAGMA key = \"x'{key.hex()}'\"")

            def progress(_status: int, remaining: int, total: int) -> None:
                step((total - remaining) * page_size, max(total, pages) * page_size)

            with self.lock:
                self.conn.backup(target, pages=_PAGES_PER_STEP, progress=progress)
            target.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            target.close()
        fsync_file(dest)

    def checkpoint(self) -> None:
        """Fold the WAL into the main file so the folder can be copied or unplugged."""
        with self.lock:
            if self._conn is not None:
                with contextlib.suppress(sqlcipher3.Error):
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self.checkpoint()
                with contextlib.suppress(sqlcipher3.Error):
                    self._conn.close()
                self._conn = None


class _Tx:
    """The connection inside a transaction (executescript would commit early)."""

    def __init__(self, conn: sqlcipher3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Any = ()) -> sqlcipher3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlcipher3.OperationalError as exc:
            raise _storage(exc) from exc

    def executemany(self, sql: str, rows: Any) -> sqlcipher3.Cursor:
        return self._conn.executemany(sql, rows)

    def executescript_in_tx(self, script: str) -> None:
        for statement in _split_sql(script):
            self._conn.execute(statement)


def _split_sql(script: str) -> list[str]:
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlcipher3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _storage(exc: sqlcipher3.Error) -> Exception:
    text = str(exc).lower()
    if "full" in text:
        return StorageError("The disk is full: the change was not saved. Earlier entries are safe.")
    if "readonly" in text or "read-only" in text:
        return StorageError("The disk is read-only: the change was not saved.")
    if "disk i/o" in text or "unable to open" in text:
        return StorageError(
            "The vault's disk could not be written (was a USB stick removed?). "
            "The change was not saved."
        )
    if "malformed" in text or "not a database" in text:
        return VaultCorrupted("The diary database is damaged. Please restore from a backup.")
    return exc
