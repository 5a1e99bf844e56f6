"""Test-only scripted runs of the real app, chosen by the SAFEDIARY_TEST_SCRIPT variable.

Used by ``tests/test_quickexit_process.py`` and ``benchmarks/bench_quickexit.py`` to
drive a real ``python -m safediary`` process. Nothing happens unless both
SAFEDIARY_TEST_SCRIPT and SAFEDIARY_TEST_PASSPHRASE are set. Scripts:

- ``quickexit-idle``: open (or create) the vault, save one incident, click the
  quick exit button;
- ``quickexit-during-import``: the same, but first start importing the file named
  by SAFEDIARY_TEST_IMPORT_FILE and click once the import has made progress.

The process prints only event names and CLOCK_MONOTONIC times in nanoseconds
(``clicked 123``, ``hidden 456``), never diary content.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton

from safediary.core import Vault, keys

INCIDENT_TEXT = "Saved before the quick exit."
IMPORT_CLICK_AT = 8 * 1024 * 1024  # bytes imported before the click


def say(event: str, *values: object) -> None:
    print(event, *values, flush=True)


def now_ns() -> int:
    return time.monotonic_ns()  # CLOCK_MONOTONIC: comparable with the parent process


def run_script(name: str, controller: Any, protection: Any) -> None:
    """Schedule the named script to run once the event loop is going."""
    passphrase = os.environ.get("SAFEDIARY_TEST_PASSPHRASE")
    scripts: dict[str, Callable[[Any, Any, str], None]] = {
        "quickexit-idle": _quickexit_idle,
        "quickexit-during-import": _quickexit_during_import,
    }
    script = scripts.get(name)
    if script is None or not passphrase:
        say("script-unknown", name)
        return
    QTimer.singleShot(0, lambda: script(controller, protection, passphrase))


def _open(controller: Any, passphrase: str) -> Vault:
    folder = Path(controller.location.vault_dir)
    if Vault.exists(folder):
        vault = Vault.unlock(folder, passphrase)
    else:
        vault, _recovery = Vault.create(folder, passphrase, kdf=keys.KdfParams.fast())
    controller.on_opened(vault)
    vault.incidents.add(
        occurred_at=datetime.now(UTC),
        location="Home",
        kinds={"text_message"},
        description=INCIDENT_TEXT,
    )
    say("opened")
    return vault


def _watch_hidden(protection: Any) -> None:
    protection.quick_exit.triggered.connect(lambda: say("hidden", now_ns()))


def _click(controller: Any) -> None:
    button = controller.main_window.findChild(QPushButton, "quickExitButton")
    say("clicked", now_ns())
    button.click()
    say("still-running")  # only reached if the quick exit did not end the process


def _quickexit_idle(controller: Any, protection: Any, passphrase: str) -> None:
    _open(controller, passphrase)
    _watch_hidden(protection)
    QTimer.singleShot(50, lambda: _click(controller))


def _quickexit_during_import(controller: Any, protection: Any, passphrase: str) -> None:
    from safediary.gui.workers import runner

    vault = _open(controller, passphrase)
    _watch_hidden(protection)
    source = Path(os.environ["SAFEDIARY_TEST_IMPORT_FILE"])
    incident_id = vault.incidents.list()[0].id
    clicked = False

    def on_progress(done: int, total: int) -> None:
        nonlocal clicked
        if not clicked and done >= min(IMPORT_CLICK_AT, total // 4):
            clicked = True
            say("import-progress", done, total)
            _click(controller)

    def imported(_evidence: object) -> None:
        say("import-finished")

    def import_file(progress: Callable[[int, int], None]) -> object:
        return vault.evidence.add_file(source, incident_id=incident_id, progress=progress)

    task = runner().run(import_file, on_done=imported, on_error=lambda e: say("import-failed"))
    task.signals.progress.connect(on_progress)
    say("import-started")
    sys.stdout.flush()
