"""Portable mode in the GUI: after locking, the user is told when the stick can come out."""

from __future__ import annotations

import pytest

from safediary.core import Vault
from safediary.host.isolation import SAFE_TO_REMOVE
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui


def test_locking_in_portable_mode_says_the_stick_can_be_removed(qtbot, controller, location):
    assert location.portable
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    unlock = controller.lock()
    assert vault.is_locked
    assert unlock.prompt.text() == SAFE_TO_REMOVE
    assert unlock.findChild(object, "keychainUnlockButton") is None  # never in portable mode


def test_the_lock_screen_keeps_the_disguise(qtbot, controller, location):
    """Issue 13 item 12: "SafeDiary … stick" on the lock screen undid the disguise."""
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    controller.prefs.disguise_title = True  # as the Settings dialog leaves it
    unlock = controller.lock()
    from PySide6.QtWidgets import QAbstractButton, QLabel

    widgets = unlock.findChildren(QLabel) + unlock.findChildren(QAbstractButton)
    shown = [unlock.windowTitle()] + [w.text() for w in widgets] + [w.toolTip() for w in widgets]
    assert not [text for text in shown if "SafeDiary" in text]
