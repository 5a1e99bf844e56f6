"""Backup, check and open-a-backup in the app (pytest-qt, offscreen, real vaults)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from safediary.core import Vault
from safediary.core.evidence.blobs import segment_path
from safediary.gui.backup.dialogs import (
    BackupDialog,
    OpenBackupDialog,
    VerifyDialog,
    backup_due,
)
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui
WHEN = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def diary(vault: Vault, tmp_path: Path) -> Vault:
    vault.incidents.add(WHEN, description="He left a note on the car.")
    src = tmp_path / "note photo.jpg"
    src.write_bytes(os.urandom(3 * 1024 * 1024))
    vault.evidence.add_file(src, incident_id=1)
    return vault


def _finish(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)


def test_back_up_now_shows_a_checked_result(qtbot, diary: Vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = BackupDialog(diary)
    qtbot.addWidget(dialog)
    assert "No backup" in dialog.last_label.text()
    assert backup_due(diary, 14)
    with qtbot.waitSignal(dialog.backed_up, timeout=30_000) as blocker:
        dialog.start(tmp_path / "stick")
    report = blocker.args[0]
    _finish(qtbot, dialog)
    assert report.ok
    assert "complete and checked" in dialog.result_label.text()
    assert "Last backup:" in dialog.last_label.text()
    assert not backup_due(diary, 14)
    with Vault.unlock(report.folder, PASSPHRASE) as copy:
        assert copy.incidents.count() == 1
    # the folder is remembered (inside the encrypted diary) for next time
    again = BackupDialog(diary)
    qtbot.addWidget(again)
    assert again.folder.text() == str(tmp_path / "stick")


def test_back_up_needs_a_folder(qtbot, diary: Vault) -> None:  # type: ignore[no-untyped-def]
    dialog = BackupDialog(diary)
    qtbot.addWidget(dialog)
    dialog.folder.setText("")
    assert dialog.start() is None
    assert "choose a folder" in dialog.result_label.text()


def test_stopping_a_backup_leaves_nothing(qtbot, diary: Vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = BackupDialog(diary)
    qtbot.addWidget(dialog)
    dest = tmp_path / "stick"
    task = dialog.start(dest)
    assert task is not None
    task.cancel()
    _finish(qtbot, dialog)
    assert "Stopped" in dialog.result_label.text()
    assert list(dest.iterdir()) == []
    assert dialog.start_button.isEnabled()


def test_a_refused_place_is_explained(qtbot, diary: Vault) -> None:  # type: ignore[no-untyped-def]
    dialog = BackupDialog(diary)
    qtbot.addWidget(dialog)
    dialog.start(diary.folder / "inside")
    _finish(qtbot, dialog)
    assert "could not be made" in dialog.result_label.text()
    assert "not been changed" in dialog.result_label.text()


def test_check_my_diary_all_good_and_damaged(qtbot, diary: Vault) -> None:  # type: ignore[no-untyped-def]
    dialog = VerifyDialog(diary)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.checked, timeout=30_000):
        dialog.start()
    _finish(qtbot, dialog)
    assert "Everything checked out" in dialog.result_label.text()
    assert diary.fingerprint in dialog.result_label.text()

    blob = diary._db.query("SELECT blob_id FROM evidence")[0][0]
    path = segment_path(diary.folder / "evidence", blob, 0)
    data = bytearray(path.read_bytes())
    data[100_000] ^= 1
    path.write_bytes(bytes(data))
    with qtbot.waitSignal(dialog.checked, timeout=30_000):
        dialog.again_button.click()
    _finish(qtbot, dialog)
    text = dialog.result_label.text()
    assert "E-1" in text and "note photo.jpg" in text
    assert "Open a backup" in text and "Nothing has been changed" in text


def test_main_window_reminds_and_opens_backup(qtbot, diary: Vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from safediary.gui.main_window import MainWindow

    window = MainWindow(diary)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: getattr(window, "backup_reminder", None) is not None)
    assert "not been backed up" in window.backup_reminder.label.text()
    window.backup_reminder.backup_button.click()
    dialogs = [d for d in window.dialogs if isinstance(d, BackupDialog)]
    assert len(dialogs) == 1
    assert not window.backup_reminder.isHidden()  # nothing is backed up yet
    dialogs[0].close()
    window.backup_button.click()  # the toolbar's Backup… (issue 13 item 12: banner stayed)
    dialogs = [d for d in window.dialogs if isinstance(d, BackupDialog) and d.isVisible()]
    with qtbot.waitSignal(dialogs[-1].backed_up, timeout=30_000):
        dialogs[-1].start(tmp_path / "b")
    assert window.backup_reminder.isHidden()  # gone once the backup succeeded
    dialogs = dialogs[-1:]
    _finish(qtbot, dialogs[0])
    check = window.open_check()
    qtbot.waitUntil(lambda: check.report is not None, timeout=30_000)
    assert check.report.ok
    window.close_dialogs()

    quiet = MainWindow(diary)  # a fresh backup: no reminder
    qtbot.addWidget(quiet)
    qtbot.waitUntil(lambda: hasattr(quiet, "backup_reminder"))
    assert quiet.backup_reminder is None
    assert quiet.findChild(type(window.backup_button), "backupButton") is not None


def test_restore_a_backup_then_open_it(qtbot, diary: Vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    diary.backup(tmp_path / "backups")
    target = tmp_path / "new laptop" / "vault"
    dialog = OpenBackupDialog(target)
    qtbot.addWidget(dialog)
    assert not dialog.set_backup(tmp_path / "nothing here")
    assert not dialog.restore_button.isEnabled()
    assert dialog.set_backup(tmp_path / "backups")  # the folder of backups: newest is used
    assert dialog.restore_button.isEnabled()
    with qtbot.waitSignal(dialog.restored, timeout=30_000):
        dialog.restore_button.click()
    _finish(qtbot, dialog)
    assert Vault.exists(target)
    assert dialog.unlock_row.isVisibleTo(dialog)

    dialog.secret.setText("not the passphrase")
    dialog.unlock_button.click()
    _finish(qtbot, dialog)
    assert "did not open" in dialog.result_label.text()
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked, timeout=30_000) as blocker:
        dialog.unlock_button.click()
    opened = blocker.args[0]
    try:
        assert opened.folder == target and opened.incidents.count() == 1
    finally:
        opened.lock()


def test_open_a_backup_in_place_with_the_recovery_key(  # type: ignore[no-untyped-def]
    qtbot, new_vault: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, recovery = new_vault
    report = vault.backup(tmp_path / "b")
    dialog = OpenBackupDialog(vault.folder)  # a diary exists here: never restored over
    qtbot.addWidget(dialog)
    assert dialog.set_backup(report.folder)
    assert not dialog.restore_button.isEnabled()
    assert "never replaces" in dialog.result_label.text()
    with qtbot.waitSignal(dialog.open_in_place):
        dialog.in_place_button.click()
    dialog.secret.setText(recovery.lower())
    with qtbot.waitSignal(dialog.unlocked, timeout=30_000) as blocker:
        dialog.unlock()
    opened = blocker.args[0]
    try:
        assert opened.folder == report.folder
    finally:
        opened.lock()


def test_start_screens_offer_a_backup(qtbot, diary: Vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from safediary.gui.start.first_run import FirstRunWindow
    from safediary.gui.start.unlock import UnlockWindow

    report = diary.backup(tmp_path / "b")
    unlock = UnlockWindow(diary.folder)
    qtbot.addWidget(unlock)
    assert unlock.backup_button.objectName() == "openBackupButton"
    first = FirstRunWindow(tmp_path / "fresh" / "vault")
    qtbot.addWidget(first)
    dialog = first.open_backup()
    assert isinstance(dialog, OpenBackupDialog)
    dialog.set_backup(report.folder)
    with qtbot.waitSignal(dialog.restored, timeout=30_000):
        dialog.restore()
    _finish(qtbot, dialog)
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(first.opened, timeout=30_000) as blocker:
        dialog.unlock()
    blocker.args[0].lock()
