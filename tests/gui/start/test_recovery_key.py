"""The recovery key page: printing never writes a file, one group confirms it, and it
comes back after a lock or quick exit until confirmed (issue 13 items 7 and 8)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from safediary.core import Vault, WrongPassphrase
from safediary.gui import widgets
from safediary.gui.main_window import MainWindow
from safediary.gui.settings.dialog import SettingsDialog
from safediary.gui.settings.preferences import Preferences
from safediary.gui.start import recovery_key as rk
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui


def _main(qtbot, vault: Vault) -> MainWindow:
    window = MainWindow(vault)
    qtbot.addWidget(window)
    window.show()
    return window


def _key_page(qtbot, window: MainWindow) -> rk.RecoveryKeyDialog:
    qtbot.waitUntil(lambda: window.findChild(rk.RecoveryKeyDialog) is not None)
    page = window.findChild(rk.RecoveryKeyDialog)
    assert isinstance(page, rk.RecoveryKeyDialog)
    return page


def test_print_with_no_printer_writes_no_file(qtbot, new_vault, tmp_path, monkeypatch) -> None:
    """Qt's dialog with no printer offered "print to file" and wrote ~/print.pdf."""
    vault, key = new_vault
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path / "home")
    told: list[str] = []
    monkeypatch.setattr(widgets, "inform", lambda p, t, text, warning=False: told.append(text))
    monkeypatch.setattr(rk, "printers_available", lambda: False)
    page = rk.RecoveryKeyDialog(vault, key)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert told and "no printer" in told[0].lower()
    assert list((tmp_path / "home").iterdir()) == []


def test_print_asks_first_and_offers_no_file(qtbot, new_vault, monkeypatch) -> None:
    _vault, key = new_vault
    asked: list[str] = []
    monkeypatch.setattr(rk, "printers_available", lambda: True)
    monkeypatch.setattr(widgets, "ask", lambda p, t, text, choices: asked.append(text) or "Cancel")
    assert rk.print_recovery_key(None, key) is False
    assert "may keep a copy" in asked[0]


def test_one_group_confirms_and_a_wrong_one_is_explained(qtbot, new_vault) -> None:
    vault, key = new_vault
    vault.hold_recovery_key(key)
    window = _main(qtbot, vault)
    page = _key_page(qtbot, window)
    assert page.shown_key() == key
    qtbot.waitUntil(page.group_field.hasFocus)  # typing goes into the check, not a button
    wrong = key.split("-")[page.group_number % 11]
    qtbot.keyClicks(page.group_field, wrong)
    qtbot.keyClick(page.group_field, Qt.Key.Key_Return)
    assert page.isVisible() and "not group" in page.problem.text()
    page.group_field.setText(key.split("-")[page.group_number - 1].lower())
    qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
    assert page.confirmed and vault.unconfirmed_recovery_key() is None


def test_unconfirmed_key_comes_back_and_blanks_on_lock(qtbot, new_vault, vault_dir) -> None:
    vault, key = new_vault
    vault.hold_recovery_key(key)
    window = _main(qtbot, vault)
    page = _key_page(qtbot, window)
    labels = page.group_labels
    window.close_dialogs()  # what the idle lock and quick exit do first
    assert all(label.text() == "" for label in labels) and page.key == ""
    window.close()
    vault.lock()

    again = Vault.unlock(vault_dir, PASSPHRASE)
    try:
        window = _main(qtbot, again)
        assert _key_page(qtbot, window).shown_key() == key
        window.close_dialogs()
    finally:
        again.lock()


def test_settings_change_passphrase_and_make_a_new_recovery_key(
    qtbot, new_vault, vault_dir, monkeypatch
) -> None:
    vault, old_key = new_vault
    window = _main(qtbot, vault)
    settings = window.open_settings()
    assert isinstance(settings, SettingsDialog) and settings.keys is not None
    settings.keys.change_button.click()
    change = window.findChild(object, "changePassphraseDialog")
    assert change is not None and change.isVisible()
    change.close()

    monkeypatch.setattr(widgets, "ask", lambda *a: "Make a new key")
    settings.keys.recovery_button.click()
    page = _key_page(qtbot, window)
    new_key = page.shown_key()
    assert new_key != old_key
    page.group_field.setText(new_key.split("-")[page.group_number - 1])
    assert page.check()
    window.close_dialogs()
    vault.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_recovery_key(vault_dir, old_key)
    Vault.unlock_with_recovery_key(vault_dir, new_key).lock()


def test_settings_without_a_vault_has_no_key_buttons(qtbot) -> None:
    dialog = SettingsDialog(Preferences())
    qtbot.addWidget(dialog)
    assert dialog.keys is None
