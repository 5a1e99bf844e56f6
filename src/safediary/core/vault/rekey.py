"""Rekey: a new master key, so old key files and the old passphrase stop opening new data.

``Vault.change_passphrase`` re-wraps the same master key, so anyone holding an
old copy of ``vault.keys`` and the old passphrase can still read everything.
``Vault.rekey`` replaces the master key itself:

1. the database is exported, with SQLCipher, into ``diary.db.rekey`` keyed with
   the new key, and every evidence file's key is re-wrapped in that copy (the
   evidence files themselves do not change: their own keys are random);
2. the key file is written with the new slots plus a ``rekey-previous`` slot
   (the old master key, wrapped under the new one) — **this is the commit point**;
3. the new database file replaces the old one (one rename);
4. the key file is written again without the ``rekey-previous`` slot.

A crash before 2 leaves the old vault (the stray ``.rekey`` file is removed at
the next unlock). After 2 only the new passphrase (or new recovery key) opens
it, and the next unlock finishes the job with :func:`finish_pending`: if the
rename had not happened it exports again from the old database (so nothing
written in between is lost), then drops the ``rekey-previous`` slot.

What it cannot do: copies and backups made before keep opening with the old
passphrase, for what they already hold.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from safediary.core import ledger
from safediary.core.errors import InvalidInput, StorageError, VaultCorrupted, VaultLocked
from safediary.core.evidence import blobs as blobstore
from safediary.core.evidence.evidence import KEY_PURPOSE
from safediary.core.fsutil import fsync_dir, fsync_file
from safediary.core.progress import ProgressFn
from safediary.core.timeutil import now, to_text
from safediary.core.vault import keys as keymod
from safediary.core.vault.db import DB_FILE
from safediary.core.vault.keys import KdfParams, SlotFile

if TYPE_CHECKING:
    from safediary.core.vault.vault import Vault

REKEY_FILE = DB_FILE + ".rekey"
PREVIOUS_SLOT = "rekey-previous"
#: The new recovery key, wrapped under the new master key, until the rekey is finished,
#: so a rekey finished at the next unlock can still show it ("not yet written down").
RECOVERY_SLOT = "rekey-recovery"
DB_KEY_INFO = b"safediary/db/v1"
EVIDENCE_KEY_INFO = b"safediary/" + KEY_PURPOSE  # as Vault.subkey derives it
_UNCONFIRMED_RECOVERY = "recovery_key_unconfirmed"



def db_key(master: bytes | bytearray) -> bytes:
    """The raw SQLCipher key for a master key."""
    return keymod.hkdf(master, DB_KEY_INFO)


def _raw_key(key: bytes) -> str:
    return f"\"x'{key.hex()}'\""


def opens_with(path: Path, key: bytes) -> bool:
    """True when the database at ``path`` decrypts with ``key``."""
    if not path.exists():
        return False
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        with contextlib.suppress(sqlcipher3.Error):  # a wrong key is expected here: no log
            conn.execute("PRAGMA cipher_log_level = NONE").fetchall()
        conn.execute(f"PRAGMA key = {_raw_key(key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


def export(
    source: Path,
    old_master: bytes | bytearray,
    new_master: bytes | bytearray,
    dest: Path,
    progress: ProgressFn | None = None,
    recovery_text: str | None = None,
) -> None:
    """Write ``dest``: the database at ``source`` under the new key, evidence keys re-wrapped.

    ``source`` must not be open elsewhere (the vault closes its connection first).
    """
    _remove(dest)
    old_wrap = keymod.hkdf(old_master, EVIDENCE_KEY_INFO)
    new_wrap = keymod.hkdf(new_master, EVIDENCE_KEY_INFO)
    conn = sqlcipher3.connect(str(source), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = {_raw_key(db_key(old_master))}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute(
            f"ATTACH DATABASE ? AS rekeyed KEY {_raw_key(db_key(new_master))}", (str(dest),)
        )
        # a scratch file until the commit point, fsynced below: no journal, no syncs
        conn.execute("PRAGMA rekeyed.journal_mode = OFF").fetchall()
        conn.execute("PRAGMA rekeyed.synchronous = OFF")
        conn.execute("SELECT sqlcipher_export('rekeyed')").fetchall()
        conn.execute(f"PRAGMA rekeyed.user_version = {version}")
        conn.execute("DETACH DATABASE rekeyed")
    except sqlcipher3.Error as exc:
        conn.close()
        _remove(dest)
        raise StorageError(
            f"The diary could not be re-encrypted ({exc}). Nothing changed."
        ) from exc
    conn.close()
    conn = sqlcipher3.connect(str(dest), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = {_raw_key(db_key(new_master))}")
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        rows = conn.execute(
            "SELECT blob_id, wrapped_key FROM evidence_blobs"
            " WHERE deleted_at IS NULL AND length(wrapped_key) > 0"
        ).fetchall()
        for done, (blob_id, wrapped) in enumerate(rows, start=1):
            file_key = blobstore.unwrap_key(old_wrap, bytes(wrapped), blob_id)
            conn.execute(
                "UPDATE evidence_blobs SET wrapped_key = ? WHERE blob_id = ?",
                (blobstore.wrap_key(new_wrap, file_key, blob_id), blob_id),
            )
            if progress is not None:
                progress(done, len(rows))
        conn.execute("DELETE FROM kv WHERE key = ?", (_UNCONFIRMED_RECOVERY,))
        if recovery_text is not None:  # shown at the next unlock until written down
            conn.execute(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)",
                (_UNCONFIRMED_RECOVERY, json.dumps(recovery_text), to_text(now())),
            )
        ledger.append(
            conn,  # a plain connection inside BEGIN works as a _Tx
            "meta",
            ["rekey"],
            {"note": "new master key: old key files and passphrases no longer open it"},
        )
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        conn.close()
        _remove(dest)
        raise
    conn.close()
    fsync_file(dest)
    fsync_dir(dest.parent)


def swap(folder: Path) -> None:
    """Put the re-encrypted database in place of the old one (one atomic rename)."""
    db = folder / DB_FILE
    wal = Path(str(db) + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise StorageError("The diary database is still in use; it was not replaced.")
    for leftover in (wal, Path(str(db) + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    os.replace(folder / REKEY_FILE, db)
    fsync_dir(folder)


def finish_pending(folder: Path, master: bytearray, slots: SlotFile) -> SlotFile:
    """At unlock: complete a rekey that a crash interrupted; tidy a stray ``.rekey`` file.

    Returns the key file to use (without the ``rekey-previous`` slot).
    """
    if PREVIOUS_SLOT not in slots.slots:
        _remove(folder / REKEY_FILE)
        return slots
    damaged = VaultCorrupted("The vault's key file is damaged.")
    previous = slots.open_secret(PREVIOUS_SLOT, bytes(master), damaged)
    recovery_text = None
    if RECOVERY_SLOT in slots.slots:
        recovery_text = slots.open_secret(RECOVERY_SLOT, bytes(master), damaged).decode()
    try:
        db = folder / DB_FILE
        if not opens_with(db, db_key(master)):
            if not opens_with(db, db_key(previous)):
                raise VaultCorrupted(
                    "The diary database does not open with this diary's keys. Nothing has "
                    "been changed. Please restore from a backup."
                )
            export(db, previous, master, folder / REKEY_FILE, recovery_text=recovery_text)
            swap(folder)
        else:
            _remove(folder / REKEY_FILE)
    finally:
        keymod.wipe(previous)
    done = copy.deepcopy(slots)
    done.slots.pop(PREVIOUS_SLOT)
    done.slots.pop(RECOVERY_SLOT, None)
    done.save(folder, master)
    return done


def rekey(
    vault: Vault,
    new_passphrase: str,
    *,
    kdf: KdfParams | None = None,
    progress: ProgressFn | None = None,
) -> str:
    """Replace the master key (see the module text); return the new recovery key."""
    keymod.normalize_passphrase(new_passphrase)
    db = vault._db
    folder = vault.folder
    if vault._stale_keys:
        raise InvalidInput(
            "This diary was opened with an older copy of its key file. Unlock it with "
            "your newest passphrase or the recovery key first."
        )
    # the slow key derivation first, while the diary stays usable
    new_master = bytearray(secrets.token_bytes(keymod.KEY_BYTES))
    recovery_text, recovery_raw = keymod.new_recovery_key()
    pending = copy.deepcopy(vault._slots)
    pending.slots = {}
    pending.set_passphrase_slot(new_master, new_passphrase, kdf or keymod.DEFAULT_KDF)
    pending.set_secret_slot("recovery", new_master, recovery_raw)
    pending.set_secret_slot(RECOVERY_SLOT, recovery_text.encode(), bytes(new_master))
    with db.lock:
        master = vault._require_master()
        # the key file may have been saved meanwhile: continue from its generation
        pending.generation, pending.db = vault._slots.generation, vault._slots.db
        pending.set_secret_slot(PREVIOUS_SLOT, master, bytes(new_master))
        db.close()
        try:
            export(
                folder / DB_FILE, master, new_master, folder / REKEY_FILE, progress, recovery_text
            )
            pending.save(folder, new_master)  # the commit point
        except BaseException:
            _remove(folder / REKEY_FILE)
            db.reopen(db_key(master))
            raise
        try:
            swap(folder)
            done = copy.deepcopy(pending)
            done.slots.pop(PREVIOUS_SLOT)
            done.slots.pop(RECOVERY_SLOT)
            db.reopen(db_key(new_master))
            count, head = ledger.head(db)
            done.db = {"count": count, "head": head}
            done.save(folder, new_master)
        except BaseException as exc:
            vault.lock()
            raise StorageError(
                "Your new passphrase is in place, but the change could not be finished "
                f"({exc}). Unlock the diary with the NEW passphrase to finish it."
            ) from exc
        keymod.wipe(master)
        vault._master = new_master
        vault._slots = done
    if vault.is_locked:
        raise VaultLocked("The diary is locked.")
    return recovery_text
