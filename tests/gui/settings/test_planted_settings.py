"""A planted settings.ini cannot turn protections off or make Quick exit run a program."""

from __future__ import annotations

from pathlib import Path

import pytest

from safediary.core import Vault
from safediary.gui.protection.quick_exit import AfterExitKind
from safediary.gui.settings.safety import SAFETY_KEY, disguise_before_unlock
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui

PLANTED = (
    "[General]\n"
    "after_exit_kind=program\n"
    "after_exit_target=/usr/bin/xmessage\n"
    "auto_lock_minutes=0\n"
    "lock_on_minimise=false\n"
    "disguise_title=false\n"
)


def _controller(location):  # type: ignore[no-untyped-def]
    from safediary.gui.application import AppController, keep_qt_settings_inside

    keep_qt_settings_inside(location)
    return AppController(location)


def _close(controller) -> None:  # type: ignore[no-untyped-def]
    if controller.main_window is not None:
        controller.main_window.close_dialogs()
    controller._drop_vault()
    for window in (controller.main_window, controller.start_window):
        if window is not None:
            window.close()


def test_a_planted_ini_changes_nothing_once_the_vault_has_its_settings(qtbot, location) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    vault.kv.set(
        SAFETY_KEY,
        {
            "auto_lock_minutes": 3,
            "lock_on_minimise": True,
            "disguise_title": True,
            "after_exit_kind": "web",
            "after_exit_target": "https://www.bbc.co.uk/weather",
        },
    )
    vault.lock()
    Path(location.settings_file).write_text(PLANTED)
    controller = _controller(location)
    try:
        # before unlock: no program from the INI
        assert controller.protection.quick_exit.after_exit.kind is AfterExitKind.NOTHING
        controller.on_opened(Vault.unlock(location.vault_dir, PASSPHRASE))
        prefs = controller.prefs
        assert prefs.auto_lock_minutes == 3 and prefs.lock_on_minimise and prefs.disguise_title
        after = controller.protection.quick_exit.after_exit
        assert after.kind is AfterExitKind.WEB_PAGE
        assert controller.protection.idle.minutes == 3
        assert "after_exit_kind=web" in Path(location.settings_file).read_text()  # repaired
    finally:
        _close(controller)


def test_a_vault_from_before_adopts_the_ini_once_but_never_a_program(qtbot, location) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    vault.lock()
    Path(location.settings_file).write_text(PLANTED)
    controller = _controller(location)
    try:
        vault = Vault.unlock(location.vault_dir, PASSPHRASE)
        controller.on_opened(vault)
        assert controller.prefs.after_exit_kind == "nothing"
        assert controller.protection.quick_exit.after_exit.kind is AfterExitKind.NOTHING
        assert vault.kv.get(SAFETY_KEY)["after_exit_kind"] == "nothing"
    finally:
        _close(controller)


@pytest.mark.parametrize(
    ("raw", "exists", "disguised"),
    [
        ("false", True, False),
        ("true", True, True),
        (None, True, True),  # the INI was deleted: disguised until unlock
        (None, False, False),  # no diary yet: nothing to hide
        ("fals\x00e", True, True),
        ("@Variant(\\0\\0\\0\\x7f)", True, True),
        ("", True, True),
    ],
)
def test_the_disguise_read_before_unlock_fails_safe(raw, exists, disguised) -> None:  # type: ignore[no-untyped-def]
    assert disguise_before_unlock(raw, exists) is disguised


@pytest.mark.parametrize("kind", ["fifo", "link", "folder"])
def test_a_settings_file_that_is_not_a_file_does_not_stop_the_app(
    qtbot, location, tmp_path, kind
) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    path = Path(location.settings_file)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link":
        elsewhere = tmp_path / "elsewhere.ini"
        elsewhere.write_text("[General]\nauto_lock_minutes=0\n")
        path.symlink_to(elsewhere)
    else:
        path.mkdir()
    start = time.monotonic()
    controller = _controller(location)
    try:
        controller.start()
        assert time.monotonic() - start < 2
        assert controller.start_window is not None
        assert path.is_file() or not path.exists()
    finally:
        _close(controller)


def test_a_vault_from_before_keeps_its_disguise_choice(qtbot, location) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    vault.lock()
    controller = _controller(location)  # no settings.ini yet: disguised until unlock
    try:
        assert controller.prefs.disguise_title
        controller.on_opened(Vault.unlock(location.vault_dir, PASSPHRASE))
        assert not controller.prefs.disguise_title  # the choice made (none): not disguised
    finally:
        _close(controller)


def test_the_installed_app_starts_with_a_fifo_for_a_key_file(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 item 8: in installed mode a FIFO in place of vault.keys stopped the start."""
    import os
    import time

    from safediary.host.paths import DataLocation

    root = tmp_path / "installed"
    root.mkdir()
    location = DataLocation(root, portable=False)
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    vault.lock()
    for name in ("vault.keys", "vault.keys.b"):
        (location.vault_dir / name).unlink()
        os.mkfifo(location.vault_dir / name)
    start = time.monotonic()
    controller = _controller(location)
    try:
        window = controller.start()
        assert window is not None and time.monotonic() - start < 2
    finally:
        _close(controller)
