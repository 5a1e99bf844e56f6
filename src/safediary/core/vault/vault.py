"""The vault: one folder holding the whole diary, and the one owner of its keys.

``Vault.create`` makes a vault, ``Vault.unlock`` opens one; ``lock`` drops the
keys and closes everything. Every collection (``incidents``, ``people`` …) is
reached through an unlocked vault.
"""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from safediary.core import ledger
from safediary.core.backup import backup as backupmod
from safediary.core.backup.source import BackupSource
from safediary.core.diary.incidents import Incidents, verify_chain
from safediary.core.diary.orders import Orders
from safediary.core.diary.people import People
from safediary.core.errors import (
    InvalidInput,
    VaultCorrupted,
    VaultExists,
    VaultLocked,
    WrongPassphrase,
)
from safediary.core.evidence import evidence as evidence_mod
from safediary.core.evidence.evidence import EvidenceStore
from safediary.core.fsutil import fsync_dir, make_private_dir, remove_stale_temps, storage_error
from safediary.core.messages import Messages
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.vault import integrity, tidy
from safediary.core.vault import keys as keymod
from safediary.core.vault import recovery as recoverymod
from safediary.core.vault import rekey as rekeymod
from safediary.core.vault.db import DB_FILE, Database, DatabaseError
from safediary.core.vault.keys import KdfParams, SlotFile
from safediary.core.vault.store import ChecklistStore, Drafts, KeyValue

KEYCHAIN_SLOT = "keychain"
DB_KEY_INFO = rekeymod.DB_KEY_INFO


@dataclass
class VerifyReport:
    """What ``vault.verify()`` found. ``ok`` is True when nothing is wrong."""

    incidents: int = 0
    revisions: int = 0
    evidence_checked: int = 0
    fingerprint: str = ""
    changes: int = 0  # entries in the diary's hash chain
    problems: list[str] = field(default_factory=list)
    #: Not tampering, but worth knowing (e.g. the computer's clock looked wrong).
    warnings: list[str] = field(default_factory=list)
    clock: list[ledger.ClockOddity] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found (warnings do not count)."""
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok


class Vault:
    """An unlocked diary vault. Construct with :meth:`create` or :meth:`unlock`."""

    def __init__(
        self, folder: Path, master: bytearray, slots: SlotFile, *, stale: bool = False
    ) -> None:
        self.folder = folder
        self._master: bytearray | None = master
        self._slots = slots
        #: Opened through an older key-file copy than one on disk: never write key files.
        self._stale_keys = stale
        #: Plain sentences the person should see after unlocking (nothing is wrong if empty).
        self.open_warnings: list[str] = []
        db_key = keymod.hkdf(master, DB_KEY_INFO)
        self._db = Database(folder / DB_FILE, db_key)
        #: Why the database does not match what the key file recorded (older copy?), if so.
        self._db_mismatch = integrity.check_database(self._db, slots.db)
        self.incidents = Incidents(self._db)
        self.people = People(self._db, self.incidents)
        self.kv = KeyValue(self._db)
        self.drafts = Drafts(self._db)
        self.checklists = ChecklistStore(self._db)
        self.orders = Orders(self._db)
        remove_stale_temps(folder)
        # Evidence store (issue 3): owns <vault>/evidence/; at every open it sweeps
        # blobs that no database row uses (imports interrupted before their commit).
        self.evidence = EvidenceStore(self._db, folder, self.subkey, lambda: self.is_locked)
        swept = self.evidence.sweep_orphans()
        self.messages = Messages(self._db, self.evidence)
        if stale:
            self.open_warnings.append(integrity.STALE_KEYS)
        if self._db_mismatch:
            self.open_warnings.append(self._db_mismatch)
        if swept.quarantined:
            self.open_warnings.append(integrity.quarantine_note(len(swept.quarantined)))
        self.record_database_state()

    # -- creating and opening ------------------------------------------------
    @staticmethod
    def exists(folder: Path) -> bool:
        """True when ``folder`` holds a vault (or what is left of one)."""
        folder = Path(folder)
        return any((folder / n).exists() for n in (keymod.KEYS_FILE, keymod.KEYS_COPY, DB_FILE))

    @classmethod
    def create(
        cls, folder: Path, passphrase: str, *, kdf: KdfParams | None = None
    ) -> tuple[Vault, str]:
        """Make a new vault in ``folder``; return it and the recovery key (show it once)."""
        folder = Path(folder)
        keymod.normalize_passphrase(passphrase)
        if cls.exists(folder):
            raise VaultExists(
                f"There is already a diary in {folder}. It has not been touched; "
                "choose another folder or unlock it."
            )
        if folder.exists() and any(folder.iterdir()):
            raise VaultExists(
                f"The folder {folder} is not empty. A new diary needs an empty folder."
            )
        make_private_dir(folder.parent)
        # Build the vault in a hidden sibling and rename it into place, so an
        # interrupted creation never leaves a half-made vault behind.
        for stale in folder.parent.glob(f".{folder.name}.creating-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = folder.parent / f".{folder.name}.creating-{secrets.token_hex(4)}"
        make_private_dir(staging)
        master = bytearray(secrets.token_bytes(keymod.KEY_BYTES))
        recovery_text, recovery_raw = keymod.new_recovery_key()
        slots = SlotFile(vault_id=str(uuid.uuid4()), generation=0, slots={})
        try:
            slots.set_passphrase_slot(master, passphrase, kdf or keymod.DEFAULT_KDF)
            slots.set_secret_slot("recovery", master, recovery_raw)
            Database(staging / DB_FILE, keymod.hkdf(master, DB_KEY_INFO), create=True).close()
            slots.save(staging, master)
            if folder.exists():
                folder.rmdir()
            os.replace(staging, folder)
            fsync_dir(folder.parent)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise storage_error(exc, "create the diary") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls(folder, master, slots), recovery_text

    @classmethod
    def unlock(cls, folder: Path, passphrase: str) -> Vault:
        """Open a vault with its passphrase; WrongPassphrase if it does not fit."""
        folder = Path(folder)
        keymod.normalize_passphrase(passphrase)
        return cls._open(folder, lambda s: s.open_passphrase(passphrase))

    @classmethod
    def unlock_with_recovery_key(cls, folder: Path, recovery_key: str) -> Vault:
        """Open a vault with the recovery key shown when it was made."""
        raw = keymod.parse_recovery_key(recovery_key)
        wrong = WrongPassphrase("That recovery key does not belong to this diary.")
        return cls._open(Path(folder), lambda s: s.open_secret("recovery", raw, wrong))

    @classmethod
    def unlock_with_secret(cls, folder: Path, slot: str, secret: bytes) -> Vault:
        """Open a vault with a named secret slot (e.g. the keychain's)."""
        wrong = WrongPassphrase("The saved key no longer opens this diary.")
        return cls._open(Path(folder), lambda s: s.open_secret(slot, secret, wrong))

    @classmethod
    def _open(cls, folder: Path, opener: Callable[[SlotFile], bytearray]) -> Vault:
        copies = keymod.load_slot_files(folder)
        newest = copies[0].generation
        last_error: Exception | None = None
        for slots in copies:
            try:
                master = opener(slots)
            except (WrongPassphrase, VaultCorrupted) as exc:
                last_error = exc
                continue
            if not slots.check_mac(master):
                keymod.wipe(master)
                last_error = VaultCorrupted("The vault's key file has been altered.")
                continue
            stale = slots.generation < newest
            if stale and not rekeymod.opens_with(folder / DB_FILE, rekeymod.db_key(master)):
                # an old key-file copy (planted, or left from before a rekey): its
                # master key no longer opens the diary, so this passphrase is not right
                keymod.wipe(master)
                last_error = WrongPassphrase(
                    "That passphrase has been replaced: it no longer opens this diary."
                )
                continue
            if not stale:
                slots = rekeymod.finish_pending(folder, master, slots)
            try:
                vault = cls(folder, master, slots, stale=stale)
            except VaultCorrupted:
                db = folder / DB_FILE
                if db.exists() and not rekeymod.opens_with(db, rekeymod.db_key(master)):
                    raise VaultCorrupted(
                        "The diary database cannot be read with this key file: either the "
                        "database is damaged, or the key file is an old copy from before "
                        "“Lock out anyone who knew my old passphrase”. Nothing has been "
                        "changed. Please restore from a backup if you have one."
                    ) from None
                raise
            vault._repair_slot_copies(copies)
            return vault
        assert last_error is not None
        raise last_error

    def _repair_slot_copies(self, copies: list[SlotFile]) -> None:
        """If one key-file copy was damaged or older, rewrite both from the newest.

        A copy of a lower generation is never written over a higher one: when this
        vault was opened through an older copy, nothing is repaired.
        """
        if self._stale_keys:
            return
        with contextlib.suppress(Exception):
            copies = keymod.load_slot_files(self.folder)  # as now on disk
        generations = {c.generation for c in copies}
        if len(copies) == 2 and generations == {self._slots.generation}:
            return
        with contextlib.suppress(Exception):
            self._save_slots(lambda s: None)

    # -- keys ------------------------------------------------------------------
    def _require_master(self) -> bytearray:
        if self._master is None:
            raise VaultLocked("The diary is locked.")
        return self._master

    def subkey(self, purpose: bytes) -> bytes:
        """A key derived from the master key for one purpose (e.g. wrapping evidence keys)."""
        return keymod.hkdf(self._require_master(), b"safediary/" + purpose)

    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wrap the master key under a new passphrase; the data is not touched."""
        master = self._require_master()
        self._save_slots(
            lambda s: s.set_passphrase_slot(master, new_passphrase, kdf or keymod.DEFAULT_KDF)
        )

    # -- the recovery key (see safediary.core.recovery) -------------------------
    def new_recovery_key(self) -> str:
        """Replace the recovery key (the old one stops working); show the new one once.

        It is kept, encrypted, as "not yet written down" until ``confirm_recovery_key``.
        """
        return recoverymod.replace(self)

    def hold_recovery_key(self, key: str) -> None:
        """Keep a just-shown recovery key until the person confirms writing it down."""
        recoverymod.hold(self, key)

    def unconfirmed_recovery_key(self) -> str | None:
        """A recovery key shown but not yet confirmed as written down, else None."""
        return recoverymod.unconfirmed(self)

    def confirm_recovery_key(self, group_number: int, typed: str) -> bool:
        """Check one typed group (1-based) of the kept key; forget the key when it matches."""
        return recoverymod.confirm(self, group_number, typed)

    def _save_slots(self, change: Callable[[SlotFile], object]) -> None:
        """Change a copy of the key file and adopt it only once it is saved.

        If the disk refuses (full, stick removed), the vault keeps the key file
        that is on disk, so a later save can never write the refused change.
        """
        master = self._require_master()
        if self._stale_keys:
            raise InvalidInput(
                "This diary was opened with an older copy of its key file, so its keys "
                "cannot be changed now. Unlock it with your newest passphrase or the "
                "recovery key first."
            )
        slots = copy.deepcopy(self._slots)
        change(slots)
        slots.save(self.folder, master)
        self._slots = slots

    def add_secret_slot(self, name: str) -> bytes:
        """Create a slot opened by a new random secret and return the secret."""
        if name in ("passphrase", "recovery"):
            raise InvalidInput(f"The {name} slot cannot be replaced this way.")
        master = self._require_master()
        secret = secrets.token_bytes(keymod.KEY_BYTES)
        self._save_slots(lambda s: s.set_secret_slot(name, master, secret))
        return secret

    def remove_slot(self, name: str) -> None:
        """Delete a secret slot (never the passphrase or recovery slot)."""
        if name in ("passphrase", "recovery"):
            raise InvalidInput(f"The {name} slot cannot be removed.")
        self._require_master()
        if name in self._slots.slots:
            self._save_slots(lambda s: s.slots.pop(name))

    def has_slot(self, name: str) -> bool:
        return name in self._slots.slots

    @property
    def vault_id(self) -> str:
        return self._slots.vault_id

    # -- state -------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self._master is None

    @property
    def fingerprint(self) -> str:
        """The head of the diary's hash chain: changes with every change to anything in it."""
        return ledger.head(self._db)[1]

    def rekey(
        self,
        new_passphrase: str,
        *,
        kdf: KdfParams | None = None,
        progress: ProgressFn | None = None,
    ) -> str:
        """Replace the master key; return the new recovery key (show it once).

        The database is re-encrypted and every evidence file's key re-wrapped, so
        old copies of the key file, the old passphrase and the old recovery key no
        longer open anything written from now on. Copies and backups made before
        still open with the old passphrase, for what they already hold. "Remember
        on this computer" is switched off. Crash-safe: see :mod:`.rekey`.
        """
        return rekeymod.rekey(self, new_passphrase, kdf=kdf, progress=progress)

    def record_database_state(self) -> None:
        """Write the database's chain length and head into the key file, if they moved.

        An older ``diary.db`` put in place later is then noticed at unlock and by
        ``verify()``. Skipped when the key file must not be written (older copy in
        use) or the database already differs from the record.
        """
        if self._stale_keys or self._db_mismatch or self._master is None:
            return
        count, head = ledger.head(self._db)
        state = {"count": count, "head": head}
        if self._slots.db == state:
            return
        with contextlib.suppress(Exception):  # e.g. read-only stick: checked again next time
            self._save_slots(lambda s: setattr(s, "db", state))

    @property
    def database_replaced(self) -> str | None:
        """Why the diary file does not match what this vault last used (older copy?), or None."""
        return self._db_mismatch

    def accept_database_as_it_is(self) -> None:
        """After an older diary file was found (see ``open_warnings``): carry on with it.

        The finding is written into the diary's own history (what the key file had
        recorded, and when it was accepted), so reports and checks can still say so;
        from then on the key file records this database and it is no longer reported.
        """
        if self._db_mismatch is None:
            return
        recorded = dict(self._slots.db or {})
        with self._db.transaction() as tx:
            ledger.append(
                tx,
                "meta",
                ["database_replaced"],
                {
                    "note": "an older or different diary file was found and accepted",
                    "recorded_count": recorded.get("count"),
                    "recorded_head": recorded.get("head"),
                },
            )
        self.open_warnings = [w for w in self.open_warnings if w != self._db_mismatch]
        self._db_mismatch = None
        self.record_database_state()

    def lock(self) -> None:
        """Checkpoint and close the database and forget the keys. Safe to call twice."""
        with contextlib.suppress(Exception):
            self.record_database_state()
        self.incidents.clear_cache()
        with contextlib.suppress(Exception):
            self._db.close()
        keymod.wipe(self._master)
        self._master = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    # -- backups (see safediary.core.backup.backup) -------------------------------------------
    def backup_source(self) -> BackupSource:
        """What a backup needs from this open vault (and nothing of its private parts)."""
        master = self._require_master()
        slots = self._slots
        db_key = rekeymod.db_key(master)
        return BackupSource(
            folder=self.folder,
            vault_id=self.vault_id,
            key_file=slots.to_bytes(),
            db_key=db_key,
            subkey=self.subkey,
            is_locked=lambda: self.is_locked,
            copy_database=lambda dest, step: self._db.copy_to(dest, db_key, step),
            key_file_matches=lambda other: (
                other.vault_id == slots.vault_id and other.check_mac(master)
            ),
            settings=self.kv,
        )

    def backup(
        self,
        dest_folder: Path,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> backupmod.BackupReport:
        """Write a checked, encrypted copy into a new folder inside ``dest_folder``."""
        return backupmod.backup(
            self.backup_source(), dest_folder, progress=progress, cancel=cancel
        )

    @staticmethod
    def restore(
        backup_folder: Path,
        target_folder: Path,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> backupmod.RestoreReport:
        """Copy a backup into ``target_folder``; VaultExists if a vault is already there."""
        return backupmod.restore(
            backup_folder, target_folder, progress=progress, cancel=cancel
        )

    # -- checks --------------------------------------------------------------------
    def verify(self, progress: evidence_mod.ProgressFn | None = None) -> VerifyReport:
        """Check the database, the revision chain and (when present) the evidence."""
        self._require_master()
        report = VerifyReport()
        try:
            for sql in ("PRAGMA cipher_integrity_check", "PRAGMA quick_check"):
                rows = self._db.query(sql)
                bad = [r[0] for r in rows if r and r[0] not in ("ok", None)]
                if bad:
                    report.problems.append(
                        "The diary database is damaged (" + "; ".join(map(str, bad[:3])) + ")."
                    )
            chain = verify_chain(self._db)
            chained = ledger.verify(self._db)
        except (DatabaseError, VaultCorrupted) as exc:
            report.problems.append(f"The diary database could not be read completely: {exc}")
            return report
        report.revisions = chain.length
        report.changes = chained.length
        report.fingerprint = chained.head
        report.problems.extend(chain.problems)
        report.problems.extend(chained.problems)
        report.clock = chained.clock
        report.warnings.extend(_clock_warnings(chained.clock))
        if self._db_mismatch:
            report.problems.append(self._db_mismatch)
        if self._stale_keys:
            report.warnings.append(integrity.STALE_KEYS)
        held = tidy.quarantined(self.folder)
        if held:
            report.warnings.append(integrity.quarantine_note(len(held)))
        report.incidents = self.incidents.count()
        report.problems.extend(self.messages.verify())
        evidence = getattr(self, "evidence", None)
        if evidence is not None and hasattr(evidence, "verify_all"):
            problems = evidence.verify_all(progress=progress)
            report.evidence_checked = len(evidence.list(include_removed=False))
            report.problems.extend(problems)
        return report


def _clock_warnings(oddities: list[ledger.ClockOddity], limit: int = 10) -> list[str]:
    """Plain sentences for clock oddities (the first few, then a count)."""
    lines = [o.message for o in oddities[:limit]]
    if len(oddities) > limit:
        lines.append(f"… and {len(oddities) - limit} more times that look wrong in the same way.")
    return lines
