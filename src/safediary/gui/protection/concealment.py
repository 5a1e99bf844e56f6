"""Concealment: a neutral disguise for the app's windows, and no screen capture where possible.

One application event filter sees every window as it is shown (and again when
its native window is recreated) and applies:

- **Screen-capture blocking**, where the operating system allows it:
  Windows 10 2004+ ``SetWindowDisplayAffinity(WDA_EXCLUDEFROMCAPTURE)`` (older
  Windows: ``WDA_MONITOR``, which shows black instead); macOS
  ``NSWindow.sharingType = NSWindowSharingNone``. Linux (X11 and Wayland) has no
  such switch for ordinary programs: there it is a documented no-op.
- **Disguise** (an option): every window is titled with a neutral name
  ("Notes" by default) and carries a plain document icon, and the application's
  display name (shown in task bars) is the same neutral name.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

DEFAULT_DISGUISE_TITLE = "Notes"
_REAL_TITLE = "safediary_real_title"

_WDA_MONITOR = 0x01
_WDA_EXCLUDEFROMCAPTURE = 0x11
_NS_WINDOW_SHARING_NONE = 0


def capture_blocking_supported() -> bool:
    """True on systems where windows can be kept out of screenshots and screen sharing."""
    return sys.platform in ("win32", "darwin")


def block_capture(widget: QWidget) -> bool:
    """Keep ``widget``'s window out of screen captures; False where the OS cannot."""
    if not widget.isWindow():
        return False
    try:
        if sys.platform == "win32":
            return _block_capture_windows(int(widget.winId()))
        if sys.platform == "darwin":
            return _block_capture_macos(int(widget.winId()))
    except (OSError, AttributeError, ValueError, TypeError):
        return False
    return False  # Linux/BSD: X11 and Wayland offer ordinary programs no such switch


def _block_capture_windows(hwnd: int) -> bool:
    from ctypes import wintypes

    user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
    set_affinity = user32.SetWindowDisplayAffinity
    set_affinity.argtypes = [wintypes.HWND, wintypes.DWORD]
    set_affinity.restype = wintypes.BOOL
    if set_affinity(wintypes.HWND(hwnd), _WDA_EXCLUDEFROMCAPTURE):
        return True
    # Before Windows 10 2004 only WDA_MONITOR exists: captures show a black window.
    return bool(set_affinity(wintypes.HWND(hwnd), _WDA_MONITOR))


def _block_capture_macos(view: int) -> bool:
    """winId() is an NSView*; set its NSWindow's sharingType to NSWindowSharingNone."""
    path = ctypes.util.find_library("objc")
    if not path:
        return False
    objc = ctypes.cdll.LoadLibrary(path)
    objc.sel_registerName.restype = ctypes.c_void_p
    objc.sel_registerName.argtypes = [ctypes.c_char_p]
    send = objc.objc_msgSend
    send.restype = ctypes.c_void_p
    send.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    window = send(ctypes.c_void_p(view), objc.sel_registerName(b"window"))
    if not window:
        return False
    address = ctypes.cast(send, ctypes.c_void_p).value
    if address is None:
        return False
    set_sharing = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong)(address)
    set_sharing(window, objc.sel_registerName(b"setSharingType:"), _NS_WINDOW_SHARING_NONE)
    return True


def neutral_icon() -> QIcon:
    """A plain grey notepad drawn in code, so the disguise needs no file on disk."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128):
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = max(1, size // 8)
        painter.setPen(QPen(QColor("#6b6b6b"), max(1, size // 24)))
        painter.setBrush(QColor("#f4f1e8"))
        painter.drawRoundedRect(margin, margin // 2, size - 2 * margin, size - margin, 2, 2)
        painter.setPen(QPen(QColor("#9a9a9a"), max(1, size // 32)))
        for i in range(1, 5):
            y = margin + i * (size - 2 * margin) // 5
            painter.drawLine(margin * 2, y, size - margin * 2, y)
        painter.end()
        icon.addPixmap(pix)
    return icon


class Concealment(QObject):
    """App-wide filter: capture blocking and the disguise for every window shown."""

    def __init__(
        self,
        app: QApplication,
        *,
        block_capture: bool = True,
        disguise: bool = False,
        disguise_title: str = DEFAULT_DISGUISE_TITLE,
        icon: QIcon | None = None,
    ) -> None:
        super().__init__(app)
        self._app = app
        self.block_capture_enabled = block_capture
        self._disguise = False
        self._disguise_title = disguise_title.strip() or DEFAULT_DISGUISE_TITLE
        self._real_display_name = app.applicationDisplayName()
        self._real_icon = app.windowIcon()
        self._icon: QIcon | None = icon if icon is not None and not icon.isNull() else None
        self._busy = False
        self.blocked: int = 0  # windows the OS agreed to keep out of captures
        app.installEventFilter(self)
        self.set_disguise(disguise, disguise_title)

    @property
    def disguised(self) -> bool:
        return self._disguise

    @property
    def disguise_title(self) -> str:
        return self._disguise_title

    def set_disguise(self, enabled: bool, title: str | None = None) -> None:
        """Turn the disguise on or off (and change its title) for all windows, now and later."""
        if title is not None and title.strip():
            self._disguise_title = title.strip()
        self._disguise = enabled
        if enabled:
            self._icon = self._icon or neutral_icon()
            self._app.setApplicationDisplayName(self._disguise_title)
            self._app.setWindowIcon(self._icon)
        else:
            self._app.setApplicationDisplayName(self._real_display_name)
            self._app.setWindowIcon(self._real_icon)
        for widget in QApplication.topLevelWidgets():
            self._apply_title(widget)

    def apply(self, widget: QWidget) -> None:
        """Apply capture blocking and the disguise to one window."""
        if self.block_capture_enabled and block_capture(widget):
            self.blocked += 1
        self._apply_title(widget)

    def _apply_title(self, widget: QWidget) -> None:
        if self._busy or not widget.isWindow():
            return
        self._busy = True
        try:
            current = widget.windowTitle()
            if self._disguise:
                if current != self._disguise_title:
                    widget.setProperty(_REAL_TITLE, current)
                    widget.setWindowTitle(self._disguise_title)
                if self._icon is not None:
                    widget.setWindowIcon(self._icon)
            else:
                real = widget.property(_REAL_TITLE)
                if isinstance(real, str):
                    widget.setWindowTitle(real)
                    widget.setProperty(_REAL_TITLE, None)
                    widget.setWindowIcon(self._real_icon)
        finally:
            self._busy = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.Show, QEvent.Type.WinIdChange):
            if isinstance(obj, QWidget) and obj.isWindow():
                self.apply(obj)
        elif (
            kind == QEvent.Type.WindowTitleChange
            and self._disguise
            and isinstance(obj, QWidget)
            and obj.isWindow()
        ):
            with contextlib.suppress(RuntimeError):
                self._apply_title(obj)
        return False


def file_dialog_options() -> QFileDialog.Option:
    """Options for file dialogs that leave no entry in the desktop's recent-files list.

    Native GTK/portal dialogs add chosen files to ``recently-used.xbel``; Qt's own
    dialog does not, and it keeps no history of its own when none is set.
    """
    return QFileDialog.Option.DontUseNativeDialog
