"""Lock the diary when the screen locks, the computer goes to sleep or the session ends.

Sources, each used where the platform offers it:

- Linux session bus: ``org.freedesktop.ScreenSaver`` and ``org.gnome.ScreenSaver``
  ``ActiveChanged(true)`` (KDE, GNOME, Cinnamon, MATE, Xfce with a compatible locker);
- Linux system bus: logind ``Session.Lock`` for our own session and
  ``Manager.PrepareForSleep(true)``;
- Qt: ``QGuiApplication.commitDataRequest`` (the session manager is ending the
  session) and ``applicationStateChanged`` to ``ApplicationSuspended``;
- Windows: ``WM_WTSSESSION_CHANGE`` with ``WTS_SESSION_LOCK`` (Windows+L) through a
  native event filter once a window is registered with :meth:`watch_window`.

macOS has no Qt-visible screen-lock signal (it needs a distributed notification
centre observer); there only the Qt sources apply. Every source emits
:attr:`ScreenLockWatcher.lockRequested` with a short reason; the controller locks.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtDBus import QDBusConnection

_SCREENSAVERS = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("/org/mate/ScreenSaver", "org.mate.ScreenSaver"),
    ("/org/cinnamon/ScreenSaver", "org.cinnamon.ScreenSaver"),
)
_LOGIN1 = "org.freedesktop.login1"

_WM_WTSSESSION_CHANGE = 0x02B1
_WTS_SESSION_LOCK = 0x7
_NOTIFY_FOR_THIS_SESSION = 0


def _connect(
    bus: QDBusConnection,
    service: str,
    path: str,
    interface: str,
    name: str,
    receiver: QObject,
    slot: str,
) -> bool:
    """Connect a D-Bus signal to a Qt slot named by ``SLOT()``."""
    # PySide6's stub types the slot as bytes, but the binding refuses bytes and takes
    # only the str that SLOT() returns (checked with PySide6 6.11).
    return bool(bus.connect(service, path, interface, name, receiver, slot))  # type: ignore[call-overload]


class _WindowsSessionFilter(QAbstractNativeEventFilter):
    def __init__(self, watcher: ScreenLockWatcher) -> None:
        super().__init__()
        self._watcher = watcher

    def nativeEventFilter(
        self, event_type: QByteArray | bytes | bytearray | memoryview, message: int
    ) -> object:
        with contextlib.suppress(Exception):
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == _WM_WTSSESSION_CHANGE and msg.wParam == _WTS_SESSION_LOCK:
                self._watcher.lockRequested.emit("session locked")
        return False, 0


class ScreenLockWatcher(QObject):
    """Emits ``lockRequested(reason)`` when the desktop says the user has stepped away."""

    lockRequested = Signal(str)

    def __init__(self, app: QGuiApplication, parent: QObject | None = None) -> None:
        super().__init__(parent or app)
        self._app = app
        self.sources: list[str] = []
        self._native: _WindowsSessionFilter | None = None
        app.commitDataRequest.connect(self._on_commit_data)
        app.applicationStateChanged.connect(self._on_app_state)
        self.sources.append("qt-session")
        if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            self._connect_dbus()

    # -- Linux: D-Bus ------------------------------------------------------------------
    def _connect_dbus(self) -> None:
        try:
            from PySide6.QtCore import SLOT
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        # Without an address libdbus would "autolaunch" a bus and leave files behind.
        address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        session = QDBusConnection.sessionBus() if address and address != "disabled:" else None
        if session is not None and session.isConnected():
            # Any sender: a locker may start after us, and a false "locked" only locks.
            for path, iface in _SCREENSAVERS:
                if _connect(
                    session, "", path, iface, "ActiveChanged", self,
                    SLOT("_on_active_changed(bool)"),
                ):
                    self.sources.append(f"{iface}{path}")
        system = QDBusConnection.systemBus()
        if system.isConnected():
            if _connect(
                system,
                _LOGIN1,
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                self,
                SLOT("_on_prepare_for_sleep(bool)"),
            ):
                self.sources.append("login1.PrepareForSleep")
            session_path = self._own_session_path(system)
            if session_path and _connect(
                system,
                _LOGIN1,
                session_path,
                "org.freedesktop.login1.Session",
                "Lock",
                self,
                SLOT("_on_session_lock()"),
            ):
                self.sources.append("login1.Session.Lock")

    @staticmethod
    def _own_session_path(system: QDBusConnection) -> str | None:
        """Ask logind which session object is ours (quick, local; None if unknown)."""
        from PySide6.QtDBus import QDBusInterface, QDBusMessage

        manager = QDBusInterface(
            _LOGIN1, "/org/freedesktop/login1", "org.freedesktop.login1.Manager", system
        )
        if not manager.isValid():
            return None
        manager.setTimeout(500)
        session_id = os.environ.get("XDG_SESSION_ID")
        if session_id:
            reply = manager.call("GetSession", session_id)
        else:
            reply = manager.call("GetSessionByPID", ctypes.c_uint32(os.getpid()).value)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            return None
        value = reply.arguments()[0]
        path = getattr(value, "path", None)
        return str(path() if callable(path) else value) or None

    @Slot(bool)
    def _on_active_changed(self, active: bool) -> None:
        if active:
            self.lockRequested.emit("screen locked")

    @Slot(bool)
    def _on_prepare_for_sleep(self, sleeping: bool) -> None:
        if sleeping:
            self.lockRequested.emit("going to sleep")

    @Slot()
    def _on_session_lock(self) -> None:
        self.lockRequested.emit("session locked")

    # -- Qt ------------------------------------------------------------------------------
    def _on_commit_data(self, *_args: object) -> None:
        self.lockRequested.emit("session ending")

    def _on_app_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lockRequested.emit("suspended")

    # -- Windows -------------------------------------------------------------------------
    def watch_window(self, window: QWidget) -> bool:
        """On Windows, ask for session-lock messages for this window (call once it exists)."""
        if sys.platform != "win32":
            return False
        try:
            wtsapi = ctypes.WinDLL("wtsapi32")
            ok = bool(
                wtsapi.WTSRegisterSessionNotification(
                    ctypes.c_void_p(int(window.winId())), _NOTIFY_FOR_THIS_SESSION
                )
            )
        except (OSError, AttributeError):
            return False
        if ok and self._native is None:
            self._native = _WindowsSessionFilter(self)
            self._app.installNativeEventFilter(self._native)
            self.sources.append("wts-session")
        return ok
