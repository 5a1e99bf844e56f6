"""Backup and restore: real vaults, real SQLCipher, real files under tmp_path."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safediary.core import Vault, VaultExists
from safediary.core.backup import backup as backupmod
from safediary.core.backup.backup import BackupCancelled, backup_due, find_backups, last_backup_at
from safediary.core.errors import InvalidInput, NotAVault, VaultCorrupted
from safediary.core.evidence.blobs import segment_path
from tests.conftest import PASSPHRASE

WHEN = datetime(2024, 3, 5, 21, 14, tzinfo=UTC)
MARKER = "PLAINTEXT-MARKER-7f3a9c"


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def filled(new_vault: tuple[Vault, str], tmp_path: Path) -> tuple[Vault, str]:
    """A vault with amended entries and two evidence files (one removed)."""
    vault, recovery = new_vault
    first = vault.incidents.add(WHEN, description=f"He waited by the gate. {MARKER}")
    vault.incidents.amend(first.id, location="Home, front gate")
    vault.incidents.add(WHEN + timedelta(days=1), description="Forty texts in one night.")
    src = tmp_path / "src"
    src.mkdir()
    (src / "photo of car.jpg").write_bytes(os.urandom(300_000))
    (src / "old.txt").write_bytes(b"something to remove later")
    vault.evidence.add_file(src / "photo of car.jpg", incident_id=first.id)
    gone = vault.evidence.add_file(src / "old.txt")
    vault.evidence.remove(gone.id, "added by mistake")
    return vault, recovery


def test_backup_is_a_checked_copy_that_opens_with_the_same_secrets(
    filled: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, recovery = filled
    dest = tmp_path / "stick"
    report = vault.backup(dest)

    assert report.ok, report.problems
    assert report.folder.parent == dest
    assert report.incidents == 2 and report.revisions == 3 and report.evidence_files == 1
    assert report.fingerprint == vault.fingerprint
    assert "complete and checked" in report.summary()
    assert [p.name for p in dest.iterdir()] == [report.folder.name]  # no partial left
    assert not any(p.name.endswith(("-wal", "-shm")) for p in report.folder.iterdir())

    expected = [(i.number, i.description, i.location) for i in vault.incidents.list()]
    photo = vault.evidence.list()[0]
    photo_bytes = vault.evidence.read(photo.id)
    with Vault.unlock(report.folder, PASSPHRASE) as copy:
        assert [(i.number, i.description, i.location) for i in copy.incidents.list()] == expected
        assert copy.fingerprint == vault.fingerprint
        assert copy.evidence.read(photo.id) == photo_bytes
        assert len(copy.evidence.list(include_removed=True)) == 2
        assert copy.verify().ok
    with Vault.unlock_with_recovery_key(report.folder, recovery) as copy:
        assert copy.incidents.count() == 2

    # the live vault is still open and usable
    vault.incidents.add(WHEN, description="after the backup")
    assert vault.verify().ok


def test_backup_holds_no_plaintext_and_no_removed_evidence(
    filled: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, _ = filled
    report = vault.backup(tmp_path / "stick")
    blobs = list((report.folder / "evidence").rglob("*.0"))
    assert len(blobs) == 1  # the removed file's blob is not carried along
    for path in report.folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert MARKER.encode() not in data
            assert MARKER.encode("utf-16-le") not in data


def test_last_backup_time_and_reminder(vault: Vault, tmp_path: Path) -> None:
    assert last_backup_at(vault) is None
    assert backup_due(vault, 7)
    assert not backup_due(vault, 0)  # reminders switched off
    vault.backup(tmp_path / "b")
    made = last_backup_at(vault)
    assert made is not None
    assert not backup_due(vault, 7)
    assert backup_due(vault, 7, at=made + timedelta(days=7, seconds=1))
    vault.kv.set(backupmod.LAST_BACKUP_KEY, "not a date")
    assert last_backup_at(vault) is None


def test_refuses_places_that_would_mix_with_a_vault(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        vault.backup(vault.folder / "backups")
    with pytest.raises(InvalidInput):
        vault.backup(vault.folder)
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    other.lock()
    with pytest.raises(InvalidInput):
        vault.backup(tmp_path / "other")


def test_two_backups_in_one_folder_get_their_own_names(vault: Vault, tmp_path: Path) -> None:
    first = vault.backup(tmp_path / "b")
    second = vault.backup(tmp_path / "b")
    assert first.folder != second.folder
    assert find_backups(tmp_path / "b")[0] in (first.folder, second.folder)
    assert set(find_backups(tmp_path / "b")) == {first.folder, second.folder}
    assert find_backups(first.folder) == [first.folder]


def test_cancel_leaves_nothing_behind(filled: tuple[Vault, str], tmp_path: Path) -> None:
    vault, _ = filled
    seen: list[tuple[int, int]] = []
    with pytest.raises(BackupCancelled):
        vault.backup(tmp_path / "b", progress=lambda d, t: seen.append((d, t)),
                     cancel=lambda: len(seen) >= 1)
    assert list((tmp_path / "b").iterdir()) == []
    assert last_backup_at(vault) is None


def test_progress_rises_to_the_total(filled: tuple[Vault, str], tmp_path: Path) -> None:
    vault, _ = filled
    seen: list[tuple[int, int]] = []
    vault.backup(tmp_path / "b", progress=lambda d, t: seen.append((d, t)))
    assert seen
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert all(0 <= d <= t for d, t in seen)
    assert seen[-1][0] == seen[-1][1]


def test_interrupted_backup_leftovers_are_swept(vault: Vault, tmp_path: Path) -> None:
    dest = tmp_path / "b"
    leftover = dest / ".partial-0123456789abcdef"
    leftover.mkdir(parents=True)
    (leftover / "diary.db").write_bytes(b"half")
    unrelated = dest / "my photos"
    unrelated.mkdir()
    report = vault.backup(dest)
    assert not leftover.exists()
    assert unrelated.exists()
    assert report.ok


def test_damaged_evidence_in_the_diary_is_named_by_the_backup_check(
    filled: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, _ = filled
    photo = vault.evidence.list()[0]
    blob_id = vault._db.query("SELECT blob_id FROM evidence WHERE id = ?", (photo.id,))[0][0]
    path = segment_path(vault.folder / "evidence", blob_id, 0)
    data = bytearray(path.read_bytes())
    data[5000] ^= 0x01
    path.write_bytes(bytes(data))
    report = vault.backup(tmp_path / "b")
    assert not report.ok
    assert any(photo.ref in p and "photo of car.jpg" in p for p in report.problems)
    assert "found problems" in report.summary()
    assert last_backup_at(vault) is None  # a failed check is not counted as a backup


def test_backup_while_another_thread_writes(vault: Vault, tmp_path: Path) -> None:
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        while not stop.is_set():
            written.append(vault.incidents.add(WHEN, description="busy").number)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        report = vault.backup(tmp_path / "b")
    finally:
        stop.set()
        thread.join()
    assert report.ok, report.problems
    with Vault.unlock(report.folder, PASSPHRASE) as copy:
        numbers = [i.number for i in copy.incidents.list()]
        assert numbers == written[: len(numbers)]  # a consistent prefix of what was written
        assert copy.verify().ok


def test_restore_into_a_new_folder(filled: tuple[Vault, str], tmp_path: Path) -> None:
    vault, _ = filled
    report = vault.backup(tmp_path / "b")
    before = _tree_hashes(report.folder)
    target = tmp_path / "data" / "vault"
    restored = Vault.restore(report.folder, target)
    assert restored.folder == target
    assert restored.vault_id == vault.vault_id
    assert restored.files == len(before)
    assert _tree_hashes(target) == before
    assert _tree_hashes(report.folder) == before  # the backup itself is not touched
    assert "restored" in restored.summary()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]
    with Vault.unlock(target, PASSPHRASE) as copy:
        assert copy.verify().ok
        assert copy.incidents.count() == 2


def test_restore_into_an_empty_existing_folder(vault: Vault, tmp_path: Path) -> None:
    report = vault.backup(tmp_path / "b")
    target = tmp_path / "empty"
    target.mkdir()
    Vault.restore(report.folder, target)
    with Vault.unlock(target, PASSPHRASE) as copy:
        assert copy.vault_id == vault.vault_id


def test_restore_never_replaces_a_vault(vault: Vault, tmp_path: Path) -> None:
    report = vault.backup(tmp_path / "b")
    vault.lock()
    before = _tree_hashes(vault.folder)
    with pytest.raises(VaultExists):
        Vault.restore(report.folder, vault.folder)
    assert _tree_hashes(vault.folder) == before


def test_restore_refuses_a_folder_with_other_things_in_it(vault: Vault, tmp_path: Path) -> None:
    report = vault.backup(tmp_path / "b")
    target = tmp_path / "busy"
    target.mkdir()
    (target / "letter.txt").write_text("keep me")
    with pytest.raises(InvalidInput):
        Vault.restore(report.folder, target)
    assert (target / "letter.txt").read_text() == "keep me"
    with pytest.raises(InvalidInput):
        Vault.restore(report.folder, report.folder / "inside")


def test_restore_of_something_that_is_not_a_backup(tmp_path: Path) -> None:
    (tmp_path / "random").mkdir()
    with pytest.raises(NotAVault):
        Vault.restore(tmp_path / "random", tmp_path / "target")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "vault.keys").write_bytes(b"{not json")
    with pytest.raises(VaultCorrupted):
        Vault.restore(broken, tmp_path / "target")
    assert not (tmp_path / "target").exists()


def test_restore_of_a_backup_without_its_database(vault: Vault, tmp_path: Path) -> None:
    report = vault.backup(tmp_path / "b")
    (report.folder / "diary.db").unlink()
    with pytest.raises(VaultCorrupted):
        Vault.restore(report.folder, tmp_path / "target")
    assert not (tmp_path / "target").exists()


def test_restore_cancel_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    report = vault.backup(tmp_path / "b")
    with pytest.raises(BackupCancelled):
        Vault.restore(report.folder, tmp_path / "data" / "vault", cancel=lambda: True)
    assert list((tmp_path / "data").iterdir()) == []


def test_backup_of_a_locked_vault_is_refused(vault: Vault, tmp_path: Path) -> None:
    from safediary.core import VaultLocked

    vault.lock()
    with pytest.raises(VaultLocked):
        vault.backup(tmp_path / "b")
