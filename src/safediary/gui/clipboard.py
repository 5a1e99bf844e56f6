"""Copy diary text to the clipboard for a short while, and take it back.

Text the user copies from an entry is marked as secret where the desktop
understands it (KDE Klipper, Windows clipboard history), cleared after 30
seconds, and cleared on lock and quick exit, but only if the clipboard still
holds our text: if the user copied something else since, it is left alone.

Only a SHA-256 digest of the copied text is kept here, never the text itself.
"""

from __future__ import annotations

import contextlib
import hashlib

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

DEFAULT_EXPIRY_MS = 30_000

# Clipboard managers that honour these hints do not keep the text in their history.
_SECRET_HINTS: dict[str, bytes] = {
    # KDE Klipper and other Linux managers that follow KeePassXC's convention.
    "x-kde-passwordManagerHint": b"secret",
    # Windows: keep it out of clipboard history and cloud clipboard.
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': b"\0",
    'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': b"\0\0\0\0",
    'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': b"\0\0\0\0",
}


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class SecretClipboard(QObject):
    """Puts text on the clipboard with an expiry and clears it only while it is ours."""

    copied = Signal()
    cleared = Signal()

    def __init__(self, parent: QObject | None = None, *, expiry_ms: int = DEFAULT_EXPIRY_MS):
        super().__init__(parent)
        self.expiry_ms = expiry_ms
        self._ours: bytes | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_if_ours)

    @staticmethod
    def _clipboard() -> QClipboard | None:
        app = QGuiApplication.instance()
        return QGuiApplication.clipboard() if app is not None else None

    def copy(self, text: str, expiry_ms: int | None = None) -> None:
        """Copy ``text``, mark it as secret and clear it after ``expiry_ms`` (default 30 s)."""
        board = self._clipboard()
        if board is None:
            return
        mime = QMimeData()
        mime.setText(text)
        for fmt, value in _SECRET_HINTS.items():
            mime.setData(fmt, QByteArray(value))
        board.setMimeData(mime, QClipboard.Mode.Clipboard)
        self._ours = _digest(text)
        self._timer.start(self.expiry_ms if expiry_ms is None else expiry_ms)
        self.copied.emit()

    def holds_ours(self) -> bool:
        """True while the clipboard (or the X11 selection) still holds the text we put there."""
        board = self._clipboard()
        if board is None or self._ours is None:
            return False
        return any(_digest(board.text(mode)) == self._ours for mode in self._modes(board))

    def clear_if_ours(self) -> bool:
        """Empty the clipboard if it still holds our text; return True if it did."""
        self._timer.stop()
        board = self._clipboard()
        if board is None or self._ours is None:
            return False
        cleared = False
        for mode in self._modes(board):
            with contextlib.suppress(RuntimeError):
                if _digest(board.text(mode)) == self._ours:
                    board.clear(mode)
                    cleared = True
        self._ours = None
        if cleared:
            self.cleared.emit()
        return cleared

    @staticmethod
    def _modes(board: QClipboard) -> list[QClipboard.Mode]:
        modes = [QClipboard.Mode.Clipboard]
        if board.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        return modes


_guard: SecretClipboard | None = None


def secret_clipboard() -> SecretClipboard:
    """The application's one clipboard guard (created on first use)."""
    global _guard
    if _guard is None:
        _guard = SecretClipboard()
    return _guard


def copy_secret(text: str, expiry_ms: int | None = None) -> None:
    """Copy diary text with the standard 30-second expiry."""
    secret_clipboard().copy(text, expiry_ms)


def clear_clipboard_if_ours() -> bool:
    """Clear the clipboard on lock or exit, only if it holds our text. Never raises."""
    if _guard is None:
        return False
    try:
        return _guard.clear_if_ours()
    except RuntimeError:  # the guard's C++ side is already gone at shutdown
        return False
