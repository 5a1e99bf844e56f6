"""Screenshots of every window as a person sees it on a 1024×768 screen, into docs/screenshots/.

Each picture is the whole 1024×768 screen of a real X display with a window manager
(openbox), so it shows what fits, what wraps and where Quick exit sits. Without a
display of that size the script starts its own (Xvfb + openbox, as the acceptance
tests do). It uses a throwaway vault in a temporary folder with made-up entries; a
cheap KDF keeps it quick. Usage: ``python docs/screenshots/make_screenshots.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from safediary.core import Vault
from safediary.core.timeutil import now
from safediary.core.vault import keys
from safediary.gui.style import apply_style
from safediary.host.paths import DataLocation

OUT = Path(__file__).resolve().parent
PASSPHRASE = "violet tractor umbrella pancake"


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


SCREEN = (1024, 768)


def own_display() -> list[subprocess.Popen[bytes]]:
    """Start Xvfb at 1024×768 and openbox on a free display; point Qt at it."""
    missing = [tool for tool in ("Xvfb", "openbox") if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"needs {' and '.join(missing)} (apt-get install xvfb openbox)")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        os.environ["DISPLAY"] = f":{pipe.readline().strip()}"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    wm = subprocess.Popen(["openbox", "--sm-disable"], stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # the window manager takes over the screen
    return [wm, xvfb]


def shot(app: QApplication, widget: QWidget, name: str) -> None:
    """Show ``widget`` on top and save the whole screen, as a person sees it."""
    widget.show()
    widget.raise_()
    widget.activateWindow()
    end = time.monotonic() + 0.8  # the window manager frames and places the window
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    screen = app.primaryScreen()
    picture = screen.grabWindow(0)
    picture.save(str(OUT / f"{name}.png"))
    print("saved", name, f"({widget.frameGeometry().width()}×{widget.frameGeometry().height()})")


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


def sample_image(folder: Path) -> Path:
    """A made-up 'screenshot' of a threatening message."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (540, 960), (236, 239, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 540, 90), fill=(61, 90, 128))
    draw.text((24, 34), "Unknown number", fill=(255, 255, 255))
    for i, text in enumerate(
        ["Why are you ignoring me", "I saw you at the bus stop", "You will regret this"]
    ):
        top = 140 + i * 110
        draw.rounded_rectangle((24, top, 420, top + 70), radius=18, fill=(255, 255, 255))
        draw.text((44, top + 26), text, fill=(20, 20, 20))
    path = folder / "screenshot-2026-11-12.png"
    image.save(path)
    return path


def more_screens(app: QApplication, window, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from safediary.gui.diary.editor import IncidentEditor

    vault = window.vault
    newest = vault.incidents.list(newest_first=True)[2]
    vault.evidence.add_file(sample_image(folder), incident_id=newest.id)
    window.refresh()
    shot(app, window, "05-main-window")
    editor = window.open_editor(newest.id)
    assert isinstance(editor, IncidentEditor)
    shot(app, editor, "06-incident-editor")
    editor.tabs.setCurrentIndex(3)
    shot(app, editor, "07-evidence-tab")
    viewer = editor.evidence_panel.view(editor.evidence_panel.evidence_ids()[0])
    wait_until(app, lambda: viewer.record is not None)
    viewer.verify()
    wait_until(app, lambda: "OK" in viewer.verify_label.text())
    shot(app, viewer, "08-evidence-viewer")
    viewer.close()
    editor.tabs.setCurrentIndex(4)
    shot(app, editor, "09-history")
    editor.force_close()
    new = window.open_editor(None)
    shot(app, new, "10-new-entry")
    new.force_close()
    people = window.open_people()
    shot(app, people, "11-people")
    people.close()
    help_window = window.open_help()
    shot(app, help_window, "12-help")
    help_window.show_page("contacts")
    shot(app, help_window, "13-contacts")
    help_window.close()
    settings = window.open_settings()
    shot(app, settings, "14-settings")
    settings.close()
    for name, opener in (
        ("15-report", window.open_report),
        ("16-checklist", window.open_checklist),
        ("17-pattern", window.open_pattern),
        ("18-backup", window.open_backup),
        ("19-messages", window.open_messages),
    ):
        dialog = opener()
        shot(app, dialog, name)
        force = getattr(dialog, "force_close", None)
        (force or dialog.close)()


def _top_dialog(window: QWidget, name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


def main() -> int:
    keys.DEFAULT_KDF = keys.KdfParams.fast()
    helpers = own_display()
    try:
        return take_all()
    finally:
        for proc in helpers:
            proc.terminate()


def take_all() -> int:
    from safediary.gui import window_rules

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("SafeDiary")
    app.setApplicationDisplayName("")  # as the app: no program name after the titles
    apply_style(app)
    app.setStyle("Fusion")
    window_rules.install(app)  # as in the app: fitted to the screen, cursor in the first field
    from safediary.gui.application import AppController, keep_qt_settings_inside

    with tempfile.TemporaryDirectory() as tmp:
        location = DataLocation(Path(tmp), portable=True)
        keep_qt_settings_inside(location)
        ctl = AppController(location)
        first = ctl.start()
        shot(app, first, "01-welcome")
        first.start_button.click()
        first.passphrase.setText("sunshine1")
        first.repeat.setText("sunshine1")
        shot(app, first, "02-choose-passphrase")
        first.passphrase.setText(PASSPHRASE)
        first.repeat.setText(PASSPHRASE)
        first.create_vault()
        wait_until(app, lambda: ctl.main_window is not None)
        main_window = ctl.main_window
        wait_until(app, lambda: _top_dialog(main_window, "recoveryKeyDialog") is not None)
        key_page = _top_dialog(main_window, "recoveryKeyDialog")
        shot(app, key_page, "03-recovery-key")
        key_page.force_close()
        vault = ctl.vault
        assert vault is not None
        sample_entries(vault)
        main_window.refresh()
        more_screens(app, main_window, Path(tmp))
        unlock = ctl.lock()
        unlock.passphrase.setText("wrong guess")
        unlock.try_unlock()
        wait_until(app, lambda: bool(unlock.message.text()))
        shot(app, unlock, "04-unlock")
        from safediary.gui.backup.dialogs import OpenBackupDialog

        backup_dialog = OpenBackupDialog(location.vault_dir, unlock)
        shot(app, backup_dialog, "20-open-a-backup")
        backup_dialog.close()
        unlock.close()
        QTimer.singleShot(0, app.quit)
        ctl._drop_vault()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
