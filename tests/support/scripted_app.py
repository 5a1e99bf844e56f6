"""Scripted runs of the real app for tests and benchmarks (never shipped).

``python tests/support/scripted_app.py SCRIPT --data-dir DIR --passphrase P
[--import-file FILE]`` starts the app exactly as the ``safediary`` command does
(``safediary.app.main``) and drives it through the public ``on_started`` seam.
Used by ``tests/test_quickexit_process.py`` and ``benchmarks/bench_quickexit.py``.
Scripts:

- ``quickexit-idle``: open (or create) the vault, save one incident, click the
  quick exit button;
- ``quickexit-during-import``: the same, but first start importing ``--import-file``
  and click once the import has made progress.

The process prints only event names and CLOCK_MONOTONIC times in nanoseconds
(``clicked 123``, ``hidden 456``), never diary content.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton

from safediary.app import main
from safediary.core import Vault
from safediary.core.vault import keys
from safediary.gui.application import AppController
from safediary.gui.protection.quick_exit import Protection
from safediary.gui.workers import runner

INCIDENT_TEXT = "Saved before the quick exit."
IMPORT_CLICK_AT = 8 * 1024 * 1024  # bytes imported before the click


def say(event: str, *values: object) -> None:
    print(event, *values, flush=True)


def now_ns() -> int:
    return time.monotonic_ns()  # CLOCK_MONOTONIC: comparable with the parent process


def _open(controller: AppController, passphrase: str) -> Vault:
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


def _watch_hidden(protection: Protection) -> None:
    protection.quick_exit.triggered.connect(lambda: say("hidden", now_ns()))


def _click(controller: AppController) -> None:
    button = controller.main_window.findChild(QPushButton, "quickExitButton")
    say("clicked", now_ns())
    button.click()
    say("still-running")  # only reached if the quick exit did not end the process


def _quickexit_idle(controller: AppController, args: argparse.Namespace) -> None:
    _open(controller, args.passphrase)
    _watch_hidden(controller.protection)
    QTimer.singleShot(50, lambda: _click(controller))


def _quickexit_during_import(controller: AppController, args: argparse.Namespace) -> None:
    vault = _open(controller, args.passphrase)
    _watch_hidden(controller.protection)
    source = Path(args.import_file)
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


SCRIPTS: dict[str, Callable[[AppController, argparse.Namespace], None]] = {
    "quickexit-idle": _quickexit_idle,
    "quickexit-during-import": _quickexit_during_import,
}


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", choices=sorted(SCRIPTS))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--passphrase", required=True)
    parser.add_argument("--import-file")
    args = parser.parse_args(argv)
    script = SCRIPTS[args.script]
    return main(["--data-dir", args.data_dir], on_started=lambda c: script(c, args))


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
