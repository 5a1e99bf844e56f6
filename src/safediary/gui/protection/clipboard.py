"""Copy diary text to the clipboard for a short while, and take it back.

Text the user copies from an entry is marked as secret where the desktop
understands it (KDE Klipper, Windows clipboard history), cleared after 30
seconds, and cleared on lock and quick exit, but only if the clipboard still
holds our text: if the user copied something else since, it is left alone.

Copies made by the widgets themselves (Ctrl+C in a text field, a context
menu's Copy) are caught by :class:`CopyGuard` and put back through the same path.
Only a SHA-256 digest of the copied text is kept here, never the text itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import time

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication, QKeyEvent, QKeySequence

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

    @staticmethod
    def _clear_selection(board: QClipboard) -> bool:
        """X11's selection holds whatever was last selected in our windows: drop it."""
        with contextlib.suppress(RuntimeError):
            if board.supportsSelection() and board.ownsSelection():
                board.clear(QClipboard.Mode.Selection)
                return True
        return False

    def clear_if_ours(self) -> bool:
        """Empty the clipboard if it still holds our text; return True if it did."""
        self._timer.stop()
        board = self._clipboard()
        if board is None:
            return False
        if self._ours is None:
            return self._clear_selection(board)
        cleared = False
        for mode in self._modes(board):
            with contextlib.suppress(RuntimeError):
                if _digest(board.text(mode)) == self._ours:
                    board.clear(mode)
                    cleared = True
        self._ours = None
        cleared = self._clear_selection(board) or cleared
        if cleared:
            self.cleared.emit()
        return cleared

    @staticmethod
    def _modes(board: QClipboard) -> list[QClipboard.Mode]:
        modes = [QClipboard.Mode.Clipboard]
        if board.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        return modes


_SECRET_MARK = "x-kde-passwordManagerHint"


class CopyGuard(QObject):
    """Every copy from our widgets (Ctrl+C, Cut, a context menu's Copy) becomes a secret copy.

    Widgets copy by themselves; rather than patch each, this watches the clipboard and
    re-puts any text we own without the secret mark through :func:`copy_secret`, so it is
    marked, expires and is cleared on lock and quick exit like every other copy. "We own
    it" is the platform's answer (X11, Windows, macOS); where the platform cannot say
    (offscreen), a change just after a copy key or a context menu in our windows counts.
    """

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self._expect_until = 0.0
        app.installEventFilter(self)
        app.clipboard().dataChanged.connect(self._changed)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Copy) or event.matches(
                QKeySequence.StandardKey.Cut
            ):
                self._expect_until = time.monotonic() + 2
        elif kind == QEvent.Type.ContextMenu:
            self._expect_until = time.monotonic() + 120  # the menu stays open while she reads
        return False

    def _changed(self) -> None:
        board = SecretClipboard._clipboard()
        if board is None:
            return
        with contextlib.suppress(RuntimeError):
            mime = board.mimeData(QClipboard.Mode.Clipboard)
            if mime is None or mime.hasFormat(_SECRET_MARK) or not mime.hasText():
                return
            text = mime.text()
            ours = board.ownsClipboard() or time.monotonic() < self._expect_until
            self._expect_until = 0.0
            if text and ours:
                copy_secret(text)


_copy_guard: CopyGuard | None = None


def guard_every_copy() -> None:
    """Start routing every copy of our text through the secret clipboard (once per app)."""
    global _copy_guard
    app = QGuiApplication.instance()
    if _copy_guard is None and isinstance(app, QGuiApplication):
        _copy_guard = CopyGuard(app)


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
    try:
        return secret_clipboard().clear_if_ours()
    except RuntimeError:  # the guard's C++ side is already gone at shutdown
        return False
