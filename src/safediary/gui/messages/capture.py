"""Capture screen: a screenshot kept straight into the vault, never written to disk.

The usual screenshot key saves a plain PNG in the Pictures folder, where the
person the user fears may find it. Here SafeDiary's own windows are hidden for
a moment, the screen is grabbed into memory as PNG bytes, the windows come back,
and the bytes go to ``vault.evidence.add_bytes`` (encrypted).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

#: How long SafeDiary's windows stay hidden before the grab (the compositor needs a moment).
HIDE_MS = 600

UNAVAILABLE = (
    "This computer does not let apps take screenshots. Use the computer's own screenshot key, "
    "add the picture with “Add files…”, then delete the picture from your Pictures folder."
)


def capture_name(stamp: str) -> str:
    return f"Screen capture {stamp}.png"


def capture_screen(
    on_done: Callable[[bytes | None], None],
    still_open: Callable[[], bool],
    *,
    hide_ms: int = HIDE_MS,
) -> None:
    """Hide SafeDiary, grab the screen into PNG bytes, show SafeDiary again, call ``on_done``.

    ``on_done(None)`` when the platform refuses (for example Wayland without a portal).
    If the diary locked meanwhile (``still_open()`` is False) nothing is grabbed or shown
    again and ``on_done`` is not called.
    """
    app = QApplication.instance()
    shown: list[QWidget] = []
    if isinstance(app, QApplication):
        shown = [w for w in app.topLevelWidgets() if w.isVisible()]
    for widget in shown:
        widget.hide()

    def grab() -> None:
        if not still_open():
            return
        data: bytes | None = None
        try:
            screen = QGuiApplication.primaryScreen()
            pixmap = screen.grabWindow(0) if screen is not None else None
            if pixmap is not None and not pixmap.isNull():
                buffer = QBuffer()
                buffer.open(QIODevice.OpenModeFlag.WriteOnly)
                pixmap.save(buffer, "PNG")
                data = bytes(QByteArray(buffer.data()).data())
                buffer.close()
        finally:
            from shiboken6 import isValid

            for widget in shown:
                if isValid(widget):
                    widget.show()
        on_done(data)

    QTimer.singleShot(hide_ms, grab)
