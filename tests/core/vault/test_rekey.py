"""Issue 14 items 6 and 7: rekey locks out old key files; no downgrade; no silent deletion."""

from __future__ import annotations

import os
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from safediary.core import InvalidInput, Vault, VaultCorrupted, WrongPassphrase, ledger
from safediary.core.evidence import blobs as bs
from safediary.core.evidence.evidence import EVIDENCE_DIR
from safediary.core.vault import tidy
from safediary.core.vault.db import DB_FILE
from safediary.core.vault.keys import KEYS_COPY, KEYS_FILE, load_slot_files
from safediary.core.vault.rekey import PREVIOUS_SLOT, REKEY_FILE
from tests.conftest import PASSPHRASE
from tests.support.fault_harness import run_loop

WHEN = datetime(2026, 5, 3, 19, 0, tzinfo=UTC)
NEW = "a brand new passphrase nobody else knows"


def _evidence(vault: Vault, tmp_path: Path, data: bytes, name: str = "photo.bin") -> int:
    src = tmp_path / name
    src.write_bytes(data)
    return vault.evidence.add_file(src).id


def _keys(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in (KEYS_FILE, KEYS_COPY)}


# ----------------------------------------------------------------------------- rekey


def test_rekey_locks_out_old_passphrase_key_files_and_recovery_key(
    new_vault: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, old_recovery = new_vault
    folder = vault.folder
    inc = vault.incidents.add(WHEN, description="before the lockout")
    data = os.urandom(300_000)
    ev = _evidence(vault, tmp_path, data)
    old_db_bytes = (folder / DB_FILE).read_bytes()
    old_keys = _keys(folder)
    before = vault.fingerprint

    recovery = vault.rekey(NEW)

    assert recovery != old_recovery
    assert vault.fingerprint != before  # the rekey is itself in the chain
    assert vault.evidence.read(ev) == data
    assert vault.incidents.get(inc.id).description == "before the lockout"
    vault.incidents.add(WHEN, description="written after the lockout")
    assert vault.verify().ok
    assert not (folder / REKEY_FILE).exists()
    assert PREVIOUS_SLOT not in load_slot_files(folder)[0].slots
    vault.lock()
    assert (folder / DB_FILE).read_bytes() != old_db_bytes

    with pytest.raises(WrongPassphrase):
        Vault.unlock(folder, PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_recovery_key(folder, old_recovery)
    # old copies of the key file with the old passphrase: they no longer open anything
    saved = _keys(folder)
    for name, content in old_keys.items():
        (folder / name).write_bytes(content)
    with pytest.raises(VaultCorrupted, match="old copy"):
        Vault.unlock(folder, PASSPHRASE)
    for name, content in saved.items():
        (folder / name).write_bytes(content)

    with Vault.unlock_with_recovery_key(folder, recovery) as again:
        assert again.unconfirmed_recovery_key() == recovery  # shown until written down
        assert again.incidents.count() == 2
        assert again.evidence.read(ev) == data
    with Vault.unlock(folder, NEW) as again:
        assert again.verify().ok


def test_rekey_drops_remembered_secret_slots(vault: Vault) -> None:
    vault.add_secret_slot("keychain")
    vault.rekey(NEW)
    assert not vault.has_slot("keychain")
    assert vault.has_slot("passphrase") and vault.has_slot("recovery")


def test_rekey_refused_when_opened_through_an_older_key_file(vault: Vault) -> None:
    folder = vault.folder
    old_b = (folder / KEYS_COPY).read_bytes()
    vault.change_passphrase(NEW)
    vault.lock()
    (folder / KEYS_COPY).write_bytes(old_b)  # a planted older copy
    with Vault.unlock(folder, PASSPHRASE) as stale, pytest.raises(InvalidInput, match="older"):
        stale.rekey("something else entirely")


@pytest.mark.parametrize("stage", ["keys written", "database swapped"])
def test_interrupted_rekey_is_finished_at_the_next_unlock(
    vault: Vault, tmp_path: Path, stage: str
) -> None:
    """Replays the states a crash can leave after the commit point, step by step."""
    from safediary.core.vault import rekey as rk

    folder = vault.folder
    data = os.urandom(70_000)
    ev = _evidence(vault, tmp_path, data)
    vault.incidents.add(WHEN, description="kept")
    master = bytes(vault._require_master())
    vault.lock()
    new_master = bytearray(os.urandom(32))
    slots = load_slot_files(folder)[0]
    slots.slots = {}
    slots.set_passphrase_slot(new_master, NEW, rk.keymod.DEFAULT_KDF)
    slots.set_secret_slot(PREVIOUS_SLOT, master, bytes(new_master))
    recovery_text, recovery_raw = rk.keymod.new_recovery_key()
    slots.set_secret_slot("recovery", new_master, recovery_raw)
    slots.set_secret_slot(rk.RECOVERY_SLOT, recovery_text.encode(), bytes(new_master))
    rk.export(folder / DB_FILE, master, new_master, folder / REKEY_FILE, None, recovery_text)
    slots.save(folder, new_master)  # commit point
    if stage == "database swapped":
        rk.swap(folder)
    else:  # the old database is still in place: it is written to through a stale copy
        assert (folder / REKEY_FILE).exists()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(folder, PASSPHRASE)
    with Vault.unlock(folder, NEW) as done:
        assert done.evidence.read(ev) == data
        assert [i.description for i in done.incidents.list()] == ["kept"]
        assert done.unconfirmed_recovery_key() == recovery_text
        assert done.verify().ok
    assert not (folder / REKEY_FILE).exists()
    assert PREVIOUS_SLOT not in load_slot_files(folder)[0].slots
    assert rk.RECOVERY_SLOT not in load_slot_files(folder)[0].slots


def test_stray_rekey_copy_before_the_commit_point_is_removed(vault: Vault) -> None:
    folder = vault.folder
    vault.lock()
    (folder / REKEY_FILE).write_bytes(os.urandom(4096))
    with Vault.unlock(folder, PASSPHRASE) as again:
        assert again.verify().ok
    assert not (folder / REKEY_FILE).exists()


@pytest.mark.slow
def test_kill9_during_rekeys_leaves_a_vault_that_opens(tmp_path: Path) -> None:
    seed = int(os.environ.get("SAFEDIARY_FAULT_SEED", random.randrange(1 << 32)))
    iterations = int(os.environ.get("SAFEDIARY_FAULT_ITERATIONS", "12"))
    result = run_loop(tmp_path, iterations, seed=seed, rekey_share=0.5, max_delay=0.6)
    assert not result.failures, f"seed {seed}: " + "; ".join(result.failures[:5])
    assert result.acknowledged["rekey"] + result.in_flight["rekey"] > 0


# ----------------------------------------------------------------------------- no downgrade


def test_planted_older_key_file_is_never_adopted(vault: Vault) -> None:
    folder = vault.folder
    old_b = (folder / KEYS_COPY).read_bytes()
    vault.change_passphrase(NEW)
    vault.lock()
    newest = (folder / KEYS_FILE).read_bytes()
    (folder / KEYS_COPY).write_bytes(old_b)  # planted: the old passphrase opens it

    with Vault.unlock(folder, PASSPHRASE) as stale:  # the old passphrase: read-only keys
        assert any("older copy of its key file" in w for w in stale.open_warnings)
        with pytest.raises(InvalidInput):
            stale.change_passphrase("taking over")
    assert (folder / KEYS_FILE).read_bytes() == newest  # not "repaired" over
    with Vault.unlock(folder, NEW) as owner:  # the owner's passphrase still works
        assert owner.open_warnings == []
    assert load_slot_files(folder)[-1].generation == load_slot_files(folder)[0].generation


def test_planted_older_key_file_after_rekey_does_not_open(vault: Vault) -> None:
    folder = vault.folder
    old_b = (folder / KEYS_COPY).read_bytes()
    vault.rekey(NEW)
    vault.lock()
    (folder / KEYS_COPY).write_bytes(old_b)
    with pytest.raises(WrongPassphrase, match="replaced"):
        Vault.unlock(folder, PASSPHRASE)
    with Vault.unlock(folder, NEW) as owner:
        assert owner.verify().ok


# ----------------------------------------------------------------------------- swapped database


def test_older_database_is_reported_and_newer_evidence_quarantined(
    vault: Vault, tmp_path: Path
) -> None:
    folder = vault.folder
    vault.incidents.add(WHEN, description="first")
    vault.lock()
    older = tmp_path / "older.db"
    shutil.copy2(folder / DB_FILE, older)  # the copy someone kept

    with Vault.unlock(folder, PASSPHRASE) as v:
        v.incidents.add(WHEN, description="second: he came to the house")
        data = os.urandom(50_000)
        ev = _evidence(v, tmp_path, data)
        blob = v._db.query("SELECT blob_id FROM evidence WHERE id = ?", (ev,))[0][0]
    shutil.copy2(older, folder / DB_FILE)  # swapped back, no passphrase needed

    with Vault.unlock(folder, PASSPHRASE) as v:
        assert v.incidents.count() == 1
        assert any("older copy" in w for w in v.open_warnings)
        assert any("quarantine" in w for w in v.open_warnings)
        report = v.verify()
        assert not report.ok
        assert any("older copy" in p for p in report.problems)
        assert any("quarantine" in w for w in report.warnings)
    # the evidence added after the copy is kept, still encrypted, never deleted
    held = tidy.quarantined(folder)
    assert held and all(name.startswith(blob) for name in held)
    assert data not in b"".join((folder / "quarantine" / n).read_bytes() for n in held)
    # and it stays reported at the next unlock (the record is not lowered) …
    with Vault.unlock(folder, PASSPHRASE) as v:
        assert not v.verify().ok
        v.accept_database_as_it_is()  # … until the person decides to carry on with it
        assert v.verify().ok and v.open_warnings == [w for w in v.open_warnings if "older" not in w]
        last = ledger.entries(v._db)[-1]
        assert last.key == ("database_replaced",) and last.row is not None
    with Vault.unlock(folder, PASSPHRASE) as v:
        assert v.verify().ok


def test_interrupted_import_leftovers_deleted_unknown_files_quarantined(
    vault: Vault, tmp_path: Path
) -> None:
    folder = vault.folder
    root = folder / EVIDENCE_DIR
    # an import killed after writing its blob, before its row: the journal shows it
    leftover = bs.new_blob_id()
    tidy.journal_start(root, leftover)
    src = tmp_path / "x.bin"
    src.write_bytes(os.urandom(10_000))
    with src.open("rb") as fh:
        bs.write_blob(root, bs.new_file_key(), fh, blob_id=leftover)
    # a blob nobody knows about (no journal, no row)
    stranger = bs.new_blob_id()
    with src.open("rb") as fh:
        bs.write_blob(root, bs.new_file_key(), fh, blob_id=stranger)
    vault.lock()
    with Vault.unlock(folder, PASSPHRASE) as v:
        assert any("quarantine" in w for w in v.open_warnings)
    assert not bs.blob_exists(root, leftover)
    assert not bs.blob_exists(root, stranger)
    assert [n.split(".")[0] for n in tidy.quarantined(folder)] == [stranger]
    assert not list((root / tidy.JOURNAL_DIR).iterdir())


def test_normal_use_leaves_no_journal_and_no_quarantine(vault: Vault, tmp_path: Path) -> None:
    folder = vault.folder
    _evidence(vault, tmp_path, b"one")
    ev = _evidence(vault, tmp_path, b"one", "same.bin")  # shares the blob
    vault.evidence.remove(ev, "duplicate")
    vault.evidence.add_bytes("capture.png", b"\x89PNG not really")
    vault.lock()
    with Vault.unlock(folder, PASSPHRASE) as v:
        assert v.open_warnings == []
        assert v.verify().ok
    assert tidy.quarantined(folder) == []
    assert not list((folder / EVIDENCE_DIR / tidy.JOURNAL_DIR).iterdir())


def test_key_file_records_the_database_chain(vault: Vault) -> None:
    vault.incidents.add(WHEN, description="one")
    folder = vault.folder
    vault.lock()
    recorded = load_slot_files(folder)[0].db
    assert recorded is not None and recorded["count"] > 0
    with Vault.unlock(folder, PASSPHRASE) as v:
        assert recorded == {
            "count": len(v._db.query("SELECT seq FROM ledger")),
            "head": v.fingerprint,
        }


def test_import_overtaken_by_a_rekey_is_refused_not_kept_unreadable(
    vault: Vault, tmp_path: Path
) -> None:
    from safediary.core.evidence.evidence import ImportCancelled

    src = tmp_path / "clip.bin"
    src.write_bytes(os.urandom(20_000))
    staged = vault.evidence.stage_file(src)  # copied under the old master key …
    vault.rekey(NEW)  # … which is replaced before the record is committed
    with pytest.raises(ImportCancelled, match="replaced"), vault._db.transaction() as tx:
        vault.evidence.commit_staged(tx, staged)
    vault.evidence.discard_staged(staged)
    assert vault.evidence.list() == []
    ev = vault.evidence.add_file(src)  # adding it again works
    assert vault.evidence.read(ev.id) == src.read_bytes()
    assert vault.verify().ok
