"""The first screens: Welcome on a fresh computer, and the unlock screen after "Open a backup…"."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from safediary.core import Vault
from tests.acceptance.checks import layout_problems, quick_exit_problems, typing_problems
from tests.acceptance.conftest import PASSPHRASE, unlock
from tests.acceptance.desktop import App

pytestmark = pytest.mark.acceptance


def test_welcome_at_1024x768(data_dir: Path, start_app: Callable[[], App]) -> None:
    app = start_app()
    window = app.wait_window("Welcome to SafeDiary")
    problems = layout_problems(app, window)
    problems += typing_problems(app, window, app.windows())
    if app.alive():
        app.click("Set up my diary", window=window)
        page = app.wait_node("Passphrase", window=window, role="text")
        if not page.focused:
            problems.append("the passphrase page opens without the cursor in the passphrase")
    problems += quick_exit_problems(app, "Welcome")
    assert not problems, "\n".join(problems)
    assert not (data_dir / "vault").exists()  # nothing was created behind the person's back


def test_unlock_after_open_a_backup_takes_a_passphrase_with_spaces(
    data_dir: Path, make_vault: Callable[[], Vault], start_app: Callable[[], App]
) -> None:
    make_vault().lock()
    app = start_app()
    app.wait_node("Passphrase")
    unlock_window = app.wait_window("")  # titled "Notes" before unlock: the disguise fails safe
    problems = layout_problems(app, unlock_window)
    app.click("Open a backup", window=unlock_window)
    dialog = app.wait_window("Open a backup")
    time.sleep(0.3)
    problems += layout_problems(app, dialog)
    problems += typing_problems(app, dialog, app.windows())
    for _ in range(3):  # close whatever the typing opened, then the dialog
        if all(w.title == unlock_window.title for w in app.windows()):
            break
        app.key("Escape")
        time.sleep(0.4)
    app.wait_no_window("Open a backup")
    # every space of the passphrase is a key press: none may press a button
    app.type(PASSPHRASE)
    time.sleep(0.3)
    others = [w.title for w in app.windows() if w.title != unlock_window.title]
    if others:
        problems.append(f"typing the passphrase opened {others}")
    app.key("Return")
    try:
        app.wait_node("New incident", window="SafeDiary", timeout=15)
    except AssertionError:
        problems.append("the passphrase typed after closing “Open a backup” did not unlock")
    problems += quick_exit_problems(app, "the diary")
    assert not problems, "\n".join(problems)



def test_recovery_key_page_at_1024x768(
    data_dir: Path, make_vault: Callable[[], Vault], start_app: Callable[[], App]
) -> None:
    """The key shown at set-up and not yet confirmed comes back at the next unlock."""
    vault, key = Vault.create(data_dir / "vault", PASSPHRASE)
    (data_dir / "settings.ini").write_text("[General]\ndisguise_title=false\n")
    vault.hold_recovery_key(key)
    vault.lock()
    app = start_app()
    unlock(app)
    window = app.wait_window("Your recovery key")
    time.sleep(0.3)
    problems = layout_problems(app, window)
    problems += typing_problems(app, window, app.windows())
    problems += quick_exit_problems(app, "Your recovery key")
    assert not problems, "\n".join(problems)
