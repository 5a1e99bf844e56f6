"""The "Remember on this computer" settings section and one-click unlock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from safediary.core import Vault
from safediary.core.vault import keychain
from safediary.core.vault.vault import KEYCHAIN_SLOT
from safediary.gui.start.keychain import (
    TURNED_OFF,
    TURNED_ON,
    RememberSection,
    install_keychain_unlock,
)
from safediary.gui.start.unlock import UnlockWindow
from safediary.host.paths import DataLocation
from tests.conftest import PASSPHRASE
from tests.core.vault.test_keychain import MemoryKeyring


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def installed(tmp_path: Path) -> DataLocation:
    return DataLocation(tmp_path / "installed", portable=False)


@pytest.fixture
def opened(installed: DataLocation) -> Iterator[Vault]:
    vault, _ = Vault.create(installed.vault_dir, PASSPHRASE)
    yield vault
    vault.lock()


def test_turn_on_then_unlock_with_one_click(
    qtbot, installed: DataLocation, opened: Vault, memory_keyring: MemoryKeyring
) -> None:
    section = RememberSection(opened, installed)
    qtbot.addWidget(section)
    assert section.checkbox.isEnabled() and not section.checkbox.isChecked()
    assert "anyone who can use this computer account" in section.explanation.text()
    section.checkbox.click()
    qtbot.waitUntil(lambda: section.status.text() == TURNED_ON)
    assert opened.has_slot(KEYCHAIN_SLOT) and section.checkbox.isChecked()
    opened.lock()

    window = UnlockWindow(installed.vault_dir)
    qtbot.addWidget(window)
    one_click = install_keychain_unlock(window, installed)
    assert one_click is not None
    window.show()
    with qtbot.waitSignal(window.opened) as blocker:
        one_click.click()
    vault = blocker.args[0]
    try:
        assert not vault.is_locked
    finally:
        vault.lock()


def test_turn_off_removes_the_saved_key(
    qtbot, installed: DataLocation, opened: Vault, memory_keyring: MemoryKeyring
) -> None:
    keychain.remember(opened, installed)
    section = RememberSection(opened, installed)
    qtbot.addWidget(section)
    assert section.checkbox.isChecked()
    section.checkbox.click()
    qtbot.waitUntil(lambda: section.status.text() == TURNED_OFF)
    assert not opened.has_slot(KEYCHAIN_SLOT)
    assert memory_keyring.items == {}


def test_locked_keychain_is_explained_and_nothing_changes(
    qtbot, installed: DataLocation, opened: Vault, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.locked = True
    section = RememberSection(opened, installed)
    qtbot.addWidget(section)
    section.checkbox.click()
    qtbot.waitUntil(lambda: "locked" in section.status.text())
    assert not section.checkbox.isChecked()
    assert section.checkbox.isEnabled()
    assert not opened.has_slot(KEYCHAIN_SLOT)


def test_portable_mode_explains_why_it_is_off(
    qtbot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    stick = DataLocation(tmp_path / "stick", portable=True)
    vault, _ = Vault.create(stick.vault_dir, PASSPHRASE)
    try:
        section = RememberSection(vault, stick)
        qtbot.addWidget(section)
        assert not section.checkbox.isEnabled()
        assert not section.checkbox.isChecked()
        assert section.status.text() == keychain.PORTABLE_REASON
    finally:
        vault.lock()
    window = UnlockWindow(stick.vault_dir)
    qtbot.addWidget(window)
    assert install_keychain_unlock(window, stick) is None


def test_one_click_unlock_failure_falls_back_to_the_passphrase(
    qtbot, installed: DataLocation, opened: Vault, memory_keyring: MemoryKeyring
) -> None:
    keychain.remember(opened, installed)
    opened.lock()
    memory_keyring.locked = True
    window = UnlockWindow(installed.vault_dir)
    qtbot.addWidget(window)
    one_click = install_keychain_unlock(window, installed)
    assert one_click is not None
    window.show()
    one_click.click()
    qtbot.waitUntil(lambda: "locked" in window.message.text())
    assert not one_click.isVisible()
    assert window.passphrase.isEnabled()


def test_settings_dialog_carries_the_section(
    qtbot, installed: DataLocation, opened: Vault, memory_keyring: MemoryKeyring
) -> None:
    from safediary.gui.settings.dialog import SettingsDialog
    from safediary.gui.settings.preferences import Preferences

    dialog = SettingsDialog(Preferences(), vault=opened, location=installed)
    qtbot.addWidget(dialog)
    section = dialog.findChild(RememberSection, "rememberSection")
    assert section is not None and section.checkbox.isEnabled()


def test_settings_from_the_main_window_in_portable_mode(qtbot, controller, location) -> None:
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    dialog = controller.main_window.open_settings()
    section = dialog.findChild(RememberSection, "rememberSection")
    assert section is not None
    assert not section.checkbox.isEnabled()
    assert section.status.text() == keychain.PORTABLE_REASON
    dialog.reject()
