"""Take screenshots of every screen into docs/screenshots/ (run under Xvfb or offscreen).

Uses a throwaway vault in a temporary folder with made-up entries; a cheap KDF
keeps it quick. Usage: ``python docs/screenshots/make_screenshots.py``.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from safediary.core import Vault, keys
from safediary.core.paths import DataLocation
from safediary.core.timeutil import now

OUT = Path(__file__).resolve().parent
PASSPHRASE = "violet tractor umbrella pancake"


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def shot(app: QApplication, widget: QWidget, name: str) -> None:
    widget.show()
    widget.raise_()
    settle(app)
    widget.grab().save(str(OUT / f"{name}.png"))
    print("saved", name)


def wait_until(app: QApplication, condition, limit: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    import time

    end = time.monotonic() + limit
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("screen did not get ready")
        app.processEvents()
        time.sleep(0.01)


def sample_entries(vault: Vault) -> None:
    person = vault.people.add(
        "Mark (ex-partner)",
        relationship="Former partner",
        description="Tall, short dark hair, often wears a grey hoodie",
        vehicle="Blue Ford Focus, partial plate KX19",
    )
    start = now().replace(hour=21, minute=14, second=0, microsecond=0)
    rows = [
        (
            40,
            "Outside my flat, Park Road",
            {"loitering", "watching"},
            "He was standing across the road from my front door for about an hour.",
            False,
        ),
        (
            33,
            "Work car park",
            {"at_work", "approaching"},
            "He was waiting by my car when I finished my shift and asked why I blocked him.",
            False,
        ),
        (
            21,
            "Phone",
            {"text_message", "threat"},
            "14 text messages between 9pm and midnight. One said I would regret ignoring him.",
            False,
        ),
        (
            14,
            "Instagram",
            {"social_media", "impersonation"},
            "A new account using my photos sent messages to my friends.",
            False,
        ),
        (
            9,
            "Bus stop, High Street",
            {"following"},
            "He got on the same bus and got off at my stop, then walked behind me.",
            False,
        ),
        (
            3,
            "Home",
            {"gift_or_item", "at_home"},
            "Flowers left on my doorstep with a card: 'I'm not going anywhere'.",
            False,
        ),
        (
            1,
            "Phone",
            {"phone_call"},
            "Seven missed calls from a withheld number between 1am and 3am.",
            True,
        ),
    ]
    for days, where, kinds, text, private in rows:
        inc = vault.incidents.add(
            occurred_at=start - timedelta(days=days),
            location=where,
            kinds=kinds,
            description=text,
            people=[person.id],
            private=private,
            reported_to="Police (101)" if days in (21, 9) else "",
            police_reference="CR/0412/24" if days == 21 else "",
        )
    vault.incidents.amend(inc.id, description=text + "\nI did not answer any of them.")


def main() -> int:
    keys.DEFAULT_KDF = keys.KdfParams.fast()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    from safediary.gui.application import AppController, keep_qt_settings_inside

    with tempfile.TemporaryDirectory() as tmp:
        location = DataLocation(Path(tmp), portable=True)
        keep_qt_settings_inside(location)
        ctl = AppController(location)
        first = ctl.start()
        first.resize(760, 620)
        shot(app, first, "01-welcome")
        first.start_button.click()
        first.passphrase.setText("sunshine1")
        first.repeat.setText("sunshine1")
        shot(app, first, "02-choose-passphrase")
        first.passphrase.setText(PASSPHRASE)
        first.repeat.setText(PASSPHRASE)
        first.create_vault()
        wait_until(app, lambda: first.pages.currentIndex() == 2)
        shot(app, first, "03-recovery-key")
        first.written_box.setChecked(True)
        first.finish()
        vault = ctl.vault
        assert vault is not None
        sample_entries(vault)
        main_window = ctl.main_window
        main_window.refresh()
        shot(app, main_window, "05-main-window")
        extra = sys.modules[__name__].__dict__.get("more_screens")
        if extra:
            extra(app, ctl, main_window)
        unlock = ctl.lock()
        unlock.passphrase.setText("wrong guess")
        unlock.try_unlock()
        wait_until(app, lambda: bool(unlock.message.text()))
        shot(app, unlock, "04-unlock")
        unlock.close()
        QTimer.singleShot(0, app.quit)
        ctl._drop_vault()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
