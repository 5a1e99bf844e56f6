"""Lock the diary when it is left alone, and close every dialog before locking.

:class:`IdleLock` watches all input to the application through one event
filter: any key, mouse, wheel, touch or tablet input restarts the idle time.
After N minutes without input (5 by default; 0 turns it off) it closes every
open dialog and calls ``on_lock``. It can also lock when the main window is
minimised.

:func:`close_all_dialogs` is what every lock path calls first: an open dialog
must never keep the diary unlocked (KeePassXC once left a database open behind
an About box).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget

DEFAULT_MINUTES = 5.0

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
        QEvent.Type.NativeGesture,
    }
)


def close_all_dialogs(app: QApplication | None = None) -> int:
    """Close every popup, menu and dialog (modal ones first); return how many were closed.

    A dialog may define ``about_to_lock()`` or ``keep_draft()`` to keep its unsaved
    work as an encrypted draft, and ``force_close()`` to close without questions;
    they are called before the dialog is closed. Dialogs are ended
    with the base ``QDialog.done(Rejected)`` so a subclass cannot stop the lock by
    asking "discard changes?".
    """
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return 0
    closed = 0
    for _ in range(100):  # popups and menus: close the innermost until none is left
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()
        if popup.isVisible():
            popup.hide()
        closed += 1
    for _ in range(100):  # the modal stack, top first
        modal = QApplication.activeModalWidget()
        if modal is None or not modal.isVisible():
            break
        _end(modal)
        closed += 1
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and isinstance(widget, (QDialog, QMenu)):
            _end(widget)
            closed += 1
    return closed


def _end(widget: QWidget) -> None:
    for name in ("about_to_lock", "keep_draft"):
        hook = getattr(widget, name, None)
        if callable(hook):
            with contextlib.suppress(Exception):  # keeping a draft must never stop the lock
                hook()
    force = getattr(widget, "force_close", None)
    if callable(force):
        with contextlib.suppress(Exception):
            force()
    if isinstance(widget, QDialog):
        if widget.isVisible():
            QDialog.done(widget, QDialog.DialogCode.Rejected)
    else:
        widget.close()
    if widget.isVisible():
        widget.hide()


class IdleLock(QObject):
    """Calls ``on_lock`` after ``minutes`` without input (dialogs closed first).

    ``should_lock`` (optional) is asked before locking, so nothing happens while the
    unlock screen is showing. ``main_window`` plus ``lock_on_minimise`` locks as soon
    as that window is minimised.
    """

    def __init__(
        self,
        app: QApplication,
        minutes: float = DEFAULT_MINUTES,
        on_lock: Callable[[], None] | None = None,
        *,
        should_lock: Callable[[], bool] | None = None,
        lock_on_minimise: bool = False,
        main_window: QWidget | None = None,
    ) -> None:
        super().__init__(app)
        self._app = app
        self._on_lock = on_lock
        self._should_lock = should_lock
        self.lock_on_minimise = lock_on_minimise
        self.main_window = main_window
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._minutes = 0.0
        self.set_minutes(minutes)
        app.installEventFilter(self)

    # -- options -------------------------------------------------------------------
    @property
    def minutes(self) -> float:
        return self._minutes

    def set_minutes(self, minutes: float) -> None:
        """Idle minutes before locking; 0 (or less) turns idle locking off."""
        self._minutes = max(0.0, float(minutes))
        self._timer.stop()  # a running timer may be set for the old limit
        self.restart()

    def set_main_window(self, window: QWidget | None) -> None:
        self.main_window = window

    def set_lock_on_minimise(self, enabled: bool) -> None:
        self.lock_on_minimise = enabled

    def stop(self) -> None:
        """Stop watching for good (the filter is removed)."""
        self._timer.stop()
        self._app.removeEventFilter(self)

    # -- timing ----------------------------------------------------------------------
    @property
    def _limit(self) -> float:
        return self._minutes * 60.0

    def restart(self) -> None:
        """Count idle time from now (any input does this)."""
        self._last_input = time.monotonic()
        if self._minutes <= 0:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start(max(1, round(self._limit * 1000)))

    def _check(self) -> None:
        if self._minutes <= 0:
            return
        idle = time.monotonic() - self._last_input
        if idle + 0.001 < self._limit:  # input came meanwhile: wait for the rest
            self._timer.start(max(1, round((self._limit - idle) * 1000)))
            return
        self.lock_now()
        self.restart()

    def lock_now(self) -> None:
        """Close every dialog and lock (when ``should_lock`` agrees)."""
        if self._should_lock is not None and not self._should_lock():
            return
        close_all_dialogs(self._app)
        if self._on_lock is not None:
            self._on_lock()

    # -- events ----------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS:
            self._last_input = time.monotonic()
            if self._minutes > 0 and not self._timer.isActive():
                self.restart()
        elif (
            kind == QEvent.Type.WindowStateChange
            and self.lock_on_minimise
            and obj is self.main_window
            and self.main_window is not None
            and self.main_window.windowState() & Qt.WindowState.WindowMinimized
        ):
            QTimer.singleShot(0, self.lock_now)  # after Qt has finished minimising
        return False
