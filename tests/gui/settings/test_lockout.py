"""Settings: "Lock out anyone who knew my old passphrase" runs vault.rekey in a worker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from safediary.core import Vault, WrongPassphrase
from safediary.gui.main_window import MainWindow
from safediary.gui.settings.dialog import SettingsDialog
from safediary.gui.settings.lockout import LockOutDialog
from safediary.gui.start import recovery_key as rk
from safediary.gui.widgets import PlainLabel
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui

WHEN = datetime(2026, 5, 3, 19, 0, tzinfo=UTC)
NEW = "a long new passphrase for the lockout test 42!"


def test_lock_out_button_rekeys_and_shows_the_new_recovery_key(
    qtbot, new_vault, vault_dir, tmp_path
) -> None:
    vault, old_key = new_vault
    src = tmp_path / "photo.bin"
    src.write_bytes(b"evidence kept across the rekey")
    ev = vault.evidence.add_file(src)
    window = MainWindow(vault)
    qtbot.addWidget(window)
    window.show()
    settings = window.open_settings()
    assert isinstance(settings, SettingsDialog) and settings.keys is not None
    texts = [label.text() for label in settings.keys.findChildren(PlainLabel)]
    assert any("still open with the old passphrase" in t for t in texts)
    settings.keys.lock_out_button.click()
    dialog = window.findChild(LockOutDialog)
    assert dialog is not None and dialog.isVisible()
    assert "copies and backups made before" in dialog.intro.text()
    dialog.first.setText(NEW)
    dialog.second.setText(NEW)
    with qtbot.waitSignal(dialog.rekeyed, timeout=30_000) as signal:
        dialog.save()
    new_key = signal.args[0]
    qtbot.waitUntil(lambda: window.findChild(rk.RecoveryKeyDialog) is not None)
    page = window.findChild(rk.RecoveryKeyDialog)
    assert page.shown_key() == new_key != old_key
    assert vault.evidence.read(ev.id) == b"evidence kept across the rekey"
    # kept until written down (a quick exit now shows it again), and it can be confirmed
    assert vault.unconfirmed_recovery_key() == new_key
    page.group_field.setText(new_key.split("-")[page.group_number - 1])
    assert page.check() and vault.unconfirmed_recovery_key() is None
    window.close_dialogs()
    window.close()
    vault.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_dir, PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_recovery_key(vault_dir, old_key)
    with Vault.unlock(vault_dir, NEW) as again:
        assert again.verify().ok


def test_what_the_vault_noticed_at_unlock_is_shown(qtbot, vault, vault_dir, tmp_path) -> None:
    from safediary.core.evidence import blobs

    src = tmp_path / "x.bin"
    src.write_bytes(b"an evidence file the database does not know")
    with src.open("rb") as fh:  # e.g. added after the copy of diary.db that was put back
        blobs.write_blob(vault_dir / "evidence", blobs.new_file_key(), fh)
    vault.lock()
    again = Vault.unlock(vault_dir, PASSPHRASE)
    try:
        window = MainWindow(again)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.findChild(object, "openWarningsBox") is not None)
        box = window.findChild(object, "openWarningsBox")
        assert "quarantine" in box.text() and "Nothing was deleted" in box.text()
        window.close_dialogs()
    finally:
        again.lock()


def test_an_older_diary_file_is_reported_and_can_be_accepted(
    qtbot, vault, vault_dir, tmp_path
) -> None:
    import shutil

    vault.incidents.add(WHEN, description="first")
    vault.lock()
    shutil.copy2(vault_dir / "diary.db", tmp_path / "older.db")
    with Vault.unlock(vault_dir, PASSPHRASE) as v:
        v.incidents.add(WHEN, description="second")
    shutil.copy2(tmp_path / "older.db", vault_dir / "diary.db")
    again = Vault.unlock(vault_dir, PASSPHRASE)
    try:
        window = MainWindow(again)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.findChild(object, "openWarningsBox") is not None)
        box = window.findChild(object, "openWarningsBox")
        assert "older copy" in box.text()
        box.findChild(object, "carryOnButton").click()
        assert again.database_replaced is None and again.verify().ok
        window.close_dialogs()
    finally:
        again.lock()
