"""First run, unlock (wrong then right), recovery key, lock and quick exit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from safediary.core import Vault
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui

NEW_PASSPHRASE = "violet tractor umbrella 19 pancake"


def test_first_run_creates_vault_and_shows_the_recovery_key_once(qtbot, controller, location):
    window = controller.start()
    assert window.objectName() == "firstRunWindow"
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    assert not window.create_button.isEnabled()
    window.passphrase.setText("abc")
    assert "Too short" in window.strength_label.text()
    window.passphrase.setText(NEW_PASSPHRASE)
    window.repeat.setText(NEW_PASSPHRASE + "x")
    assert "not the same" in window.problem_label.text()
    assert not window.create_button.isEnabled()
    window.repeat.setText(NEW_PASSPHRASE)
    assert window.create_button.isEnabled()
    qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10000)
    main = controller.main_window
    assert main.isVisible() and main.findChild(object, "incidentTable") is not None
    assert Vault.exists(location.vault_dir)
    # The diary opens with the recovery key on top, kept until one group is typed back.
    qtbot.waitUntil(lambda: main.findChild(object, "recoveryKeyDialog") is not None)
    page = main.findChild(object, "recoveryKeyDialog")
    key = page.shown_key()
    assert len(key.replace("-", "")) == 55
    group = key.split("-")[page.group_number - 1]
    qtbot.keyClicks(page.group_field, group)
    qtbot.keyClick(page.group_field, Qt.Key.Key_Return)
    assert page.confirmed
    assert controller.vault.unconfirmed_recovery_key() is None
    # the recovery key really opens the vault (once ours is locked)
    controller.lock()
    Vault.unlock_with_recovery_key(location.vault_dir, key).lock()


def test_unlock_wrong_then_right(qtbot, controller, location):
    Vault.create(location.vault_dir, PASSPHRASE)[0].lock()
    window = controller.start()
    assert window.objectName() == "unlockWindow"
    window.passphrase.setText("not my passphrase")
    qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not open" in window.message.text(), timeout=10000)
    assert controller.vault is None
    assert window.passphrase.isEnabled()

    window.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(window.opened, timeout=10000):
        qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)
    assert controller.vault is not None and not controller.vault.is_locked
    assert controller.main_window.isVisible()


def test_unlock_with_recovery_key_then_offers_a_new_passphrase(qtbot, controller, location):
    vault, key = Vault.create(location.vault_dir, PASSPHRASE)
    vault.lock()
    window = controller.start()
    qtbot.mouseClick(window.mode_button, Qt.MouseButton.LeftButton)
    window.recovery.setText("ABC")
    qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "55" in window.message.text(), timeout=10000)
    window.recovery.setText(key.lower().replace("-", " "))
    with qtbot.waitSignal(window.opened, timeout=10000):
        qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    from safediary.gui.start.change_passphrase import ChangePassphraseDialog

    main = controller.main_window
    qtbot.waitUntil(lambda: any(isinstance(d, ChangePassphraseDialog) for d in main.dialogs))
    dialog = next(d for d in main.dialogs if isinstance(d, ChangePassphraseDialog))
    dialog.first.setText(NEW_PASSPHRASE)
    dialog.second.setText(NEW_PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.save()
    controller.lock()
    Vault.unlock(location.vault_dir, NEW_PASSPHRASE).lock()


def test_lock_shows_unlock_screen_and_drops_the_vault(qtbot, controller, location):
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    main = controller.main_window
    qtbot.mouseClick(main.lock_button, Qt.MouseButton.LeftButton)
    assert vault.is_locked
    assert controller.vault is None
    assert controller.start_window.objectName() == "unlockWindow"
    assert controller.start_window.isVisible()


def test_quick_exit_hides_everything_and_locks(qtbot, controller, location, monkeypatch):
    from PySide6.QtWidgets import QApplication

    exits = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    main = controller.main_window
    qtbot.mouseClick(main.quick_exit_button, Qt.MouseButton.LeftButton)
    assert not main.isVisible()
    assert vault.is_locked
    assert exits == [0]


def test_enter_works_on_welcome_and_explains_a_weak_passphrase(qtbot, controller, location):
    """Issue 13 item 12: Enter did nothing on Welcome and on the weak-passphrase page."""
    window = controller.start()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.start_button.setFocus()
    qtbot.keyClick(window.start_button, Qt.Key.Key_Return)
    assert window.pages.currentIndex() == 1
    qtbot.waitUntil(window.passphrase.hasFocus)
    qtbot.keyClicks(window.passphrase, "password1")
    qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)
    assert "too easy to guess" in window.problem_label.text()
    assert window.passphrase.hasFocus()
    window.passphrase.setText(NEW_PASSPHRASE)
    qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)
    assert window.repeat.hasFocus()
    qtbot.keyClicks(window.repeat, NEW_PASSPHRASE + "x")
    qtbot.keyClick(window.repeat, Qt.Key.Key_Return)
    assert "not the same" in window.problem_label.text()
    window.repeat.setText(NEW_PASSPHRASE)
    qtbot.keyClick(window.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10000)
    assert Vault.exists(location.vault_dir)
