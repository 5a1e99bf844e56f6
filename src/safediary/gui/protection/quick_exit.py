"""Quick exit: make SafeDiary vanish at once, by a button or by pressing Shift three times.

The keyboard shortcut follows GOV.UK's "Exit this page": Shift pressed and
released three times, each press within 5 seconds of the one before. A Shift
pressed together with another key (Shift+A, Ctrl+Shift) or any other key in
between starts the count again; key auto-repeat never counts. The shortcut
works from every window of the app, including an open modal dialog, because it
is an application-wide event filter.

:meth:`QuickExit.trigger` does, in this order:

1. hide every window and popup of the app (before any other work); the hide
   reaches the window system synchronously (see :func:`hide_all_windows`), and no
   pending events are run, so no queued slot can open a dialog and stall the exit;
2. clear the clipboard if it still holds text the app put there;
3. call the lock callback (keys dropped, database closed) without waiting for
   worker threads; it runs on a helper thread with a deadline, because a worker
   may hold the database for a moment;
4. run the "after exit" action the user chose (nothing by default);
5. end the process with status 0 through ``os._exit(0)``.

Why ``os._exit`` is safe here: every entry the user saved is already committed
to the SQLite write-ahead log with ``synchronous=FULL``, so it is on disk before
the save returned. An import or report still running is abandoned on purpose;
its transaction (if any) was never committed and SQLite rolls it back at the
next open, and its partial evidence files have no database row, so the core
sweeps them at the next unlock. Keys live only in this process's memory and
vanish with it. Waiting for worker threads instead (``sys.exit``) could take
seconds in the middle of a 1 GiB import, which is exactly when speed matters.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QEvent, QObject, QProcess, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget
from shiboken6 import isValid

from safediary.gui.icons import app_icon
from safediary.gui.protection.clipboard import clear_clipboard_if_ours
from safediary.host import spool
from safediary.host.sandbox import kill_all as kill_decoders

WINDOW_MS = 5000
PRESSES = 3
LOCK_DEADLINE_S = 0.6
HELD_KEY_S = 0.7  # a key unseen for longer than this is not held (keyboards repeat at 0.5 s)

QUICK_EXIT_DESCRIPTION = (
    "Hides every window, locks the diary and closes the app at once. It never takes the "
    "keyboard focus, so typing cannot press it: press Shift three times, or click it."
)
TOOLTIP = "Leave this app at once (or press Shift three times)"
_POINTER_EVENTS = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel,
)

_OTHER_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def hard_exit(status: int = 0) -> None:
    """Flush our own output and end the process now, without running Python's shutdown."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(status)


class AfterExitKind(StrEnum):
    NOTHING = "nothing"
    PROGRAM = "program"
    WEB_PAGE = "web"


@dataclass(frozen=True)
class AfterExit:
    """What to show once SafeDiary is gone: nothing, a harmless program or a web page."""

    kind: AfterExitKind = AfterExitKind.NOTHING
    target: str = ""

    @classmethod
    def from_setting(cls, kind: str | None, target: str | None) -> AfterExit:
        """Build from stored settings; anything unknown or empty means "nothing"."""
        try:
            parsed = AfterExitKind(kind or "nothing")
        except ValueError:
            parsed = AfterExitKind.NOTHING
        target = (target or "").strip()
        if not target:
            parsed = AfterExitKind.NOTHING
        return cls(parsed, target)

    def problem(self) -> str | None:
        """A plain message if the choice cannot work, else None (for the settings dialog)."""
        if self.kind is AfterExitKind.WEB_PAGE:
            url = QUrl.fromUserInput(self.target)
            if not url.isValid() or url.scheme() not in ("http", "https"):
                return "Please enter a web address that starts with http:// or https://."
        elif self.kind is AfterExitKind.PROGRAM and not shutil.which(self.target):
            return "That program could not be found on this computer."
        return None

    def run(self) -> bool:
        """Start the chosen program or page, detached so it outlives SafeDiary."""
        if self.kind is AfterExitKind.NOTHING or self.problem() is not None:
            return False
        if self.kind is AfterExitKind.PROGRAM:
            return bool(QProcess.startDetached(self.target, []))
        url = QUrl.fromUserInput(self.target)
        opener = shutil.which("xdg-open") if sys.platform.startswith(("linux", "freebsd")) else None
        if opener:  # a detached process survives os._exit; a D-Bus portal call may not
            return bool(QProcess.startDetached(opener, [url.toString()]))
        return QDesktopServices.openUrl(url)


_current: QuickExit | None = None


class QuickExit(QObject):
    """The app-wide quick exit: Shift×3 detector and the exit path.

    ``on_exit`` locks the vault. It runs on a helper thread (so it must not touch
    widgets) and is given ``lock_deadline`` seconds before the process ends anyway.
    ``exit_func`` ends the process (tests pass their own); ``window_ms`` is the time
    allowed between Shift presses.
    """

    progress = Signal(int)
    triggered = Signal()

    def __init__(
        self,
        app: QApplication,
        on_exit: Callable[[], None] | None = None,
        *,
        exit_func: Callable[[int], None] = hard_exit,
        window_ms: int = WINDOW_MS,
        after_exit: AfterExit | None = None,
        lock_deadline: float = LOCK_DEADLINE_S,
    ) -> None:
        super().__init__(app)
        global _current
        self._app = app
        self.on_exit = on_exit
        self.exit_func = exit_func
        self.window_ms = window_ms
        self.after_exit = after_exit or AfterExit()
        self.lock_deadline = lock_deadline
        self.count = 0
        self._last_press = 0.0
        self._shift_down = False
        self._shift_clean = False
        # other keys held down, with when they were last seen (press or auto-repeat)
        self._others_down: dict[int, float] = {}
        self._running = False
        self.timings: dict[str, float] = {}
        self.drafts: list[tuple[str, dict[str, object]]] = []
        self._reset_timer = QTimer(self)
        self._reset_timer.setSingleShot(True)
        self._reset_timer.timeout.connect(self.reset)
        previous = QuickExit.current()
        if previous is not None:  # one app, one quick exit: the newest wins
            previous.uninstall()
        app.installEventFilter(self)
        _current = self

    @staticmethod
    def current() -> QuickExit | None:
        """The quick exit installed in this application, if any."""
        return _current if _current is not None and isValid(_current) else None

    def uninstall(self) -> None:
        """Stop listening for Shift (a newer quick exit or a test takes over)."""
        global _current
        self._reset_timer.stop()
        self._app.removeEventFilter(self)
        if _current is self:
            _current = None

    # -- Shift × 3 -------------------------------------------------------------------
    def reset(self) -> None:
        self._reset_timer.stop()
        if self.count:
            self.count = 0
            self.progress.emit(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            return self._key_press(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.KeyRelease:
            return self._key_release(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.ApplicationDeactivate:
            self._shift_down = False  # the release may happen in another program
            self._others_down.clear()
        elif kind == QEvent.Type.WindowActivate:
            # A key that closed a window on its press (Enter unlocking the diary) has its
            # release sent to a window that is gone: forget it when another one takes the
            # keyboard, or Shift×3 would not count for a moment after unlocking.
            self._others_down.clear()
        elif kind in _POINTER_EVENTS and self._shift_down:
            # Shift held for a Shift+click (choosing several messages or rows) is not a
            # quick-exit press: three such clicks must not close the app.
            self._shift_clean = False
        return False

    # One key event is seen several times (window, focus widget, its parents): the
    # state changes below are idempotent, so repeats of the same event change nothing.
    def _key_press(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            if event.key() in self._others_down:  # still held: the system repeats it
                self._others_down[event.key()] = time.monotonic()
            return False
        if event.key() == Qt.Key.Key_Shift:
            if not self._shift_down:
                self._shift_down = True
                self._shift_clean = not self._other_key_held() and not (
                    event.modifiers() & _OTHER_MODIFIERS
                )
        else:
            self._others_down[event.key()] = time.monotonic()
            self._shift_clean = False
            self.reset()
        return False

    def _other_key_held(self) -> bool:
        """Another key is down, going by its press or repeat in the last moment.

        A key whose release never reached the app (Enter closing a file chooser on the
        press) would otherwise count as held for ever and Shift×3 would never work again.
        A key really held down repeats (after ~0.5 s) or was pressed just now.
        """
        now = time.monotonic()
        for key, seen in list(self._others_down.items()):
            if now - seen > HELD_KEY_S:
                del self._others_down[key]
        return bool(self._others_down)

    def _key_release(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            return False
        if event.key() != Qt.Key.Key_Shift:
            self._others_down.pop(event.key(), None)
            return False
        if not self._shift_down:
            return False
        self._shift_down = False
        if not self._shift_clean:
            self.reset()
            return False
        now = time.monotonic()
        if self.count and (now - self._last_press) * 1000 > self.window_ms:
            self.count = 0
        self._last_press = now
        self.count += 1
        self.progress.emit(self.count)
        if self.count >= PRESSES:
            self.count = 0
            self.trigger()
            return True
        self._reset_timer.start(self.window_ms)
        return False

    # -- the exit path ---------------------------------------------------------------
    def trigger(self) -> None:
        """Hide everything, clear our clipboard, lock, run the after-exit action, end."""
        if self._running:
            return
        self._running = True
        start = time.perf_counter()
        hide_all_windows(self._app)
        self.timings["hidden"] = time.perf_counter() - start
        self.drafts = collect_drafts(self._app)  # read from the hidden windows, not yet written
        self.timings["drafts"] = time.perf_counter() - start
        self._reset_timer.stop()
        with contextlib.suppress(Exception):
            self.triggered.emit()
        with contextlib.suppress(Exception):
            clear_clipboard_if_ours()
        with contextlib.suppress(Exception):
            kill_decoders()  # a decoder holds plaintext: it goes first, it cannot wait
        with contextlib.suppress(Exception):
            spool.clear()  # a report half-written for the printer
        self._lock_with_deadline()
        self.timings["locked"] = time.perf_counter() - start
        with contextlib.suppress(Exception):
            self.after_exit.run()
        self.timings["ended"] = time.perf_counter() - start
        try:
            self.exit_func(0)
        finally:
            self._running = False

    def _lock_with_deadline(self) -> None:
        if self.on_exit is None:
            return
        done = threading.Event()

        def lock() -> None:
            try:
                self.on_exit()  # type: ignore[misc]
            except Exception:  # nothing useful to show: we are leaving
                pass
            finally:
                done.set()

        worker = threading.Thread(target=lock, name="quick-exit-lock", daemon=True)
        worker.start()
        done.wait(self.lock_deadline)


def hide_all_windows(app: QApplication | None = None) -> None:
    """Close popups and hide every window at once, then push the hide to the window system."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return
    for _ in range(50):
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.hide()
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()
    for window in QGuiApplication.topLevelWindows():
        if window.isVisible():
            window.hide()
    # No processEvents() here on purpose: the hide above already reached the window
    # system (X11 unmaps and flushes in QXcbWindow::hide; Windows' ShowWindow and
    # macOS' orderOut are synchronous), while running pending events could call a
    # queued slot that opens a modal dialog and stalls the exit in a nested loop.


def collect_drafts(app: QApplication | None = None) -> list[tuple[str, dict[str, object]]]:
    """Unsaved writing of every window, as (draft key, data), read on the GUI thread.

    A window offers it through ``unsaved_draft()``. Nothing is written here: the lock
    thread stores the drafts, encrypted, just before it drops the keys, within the
    quick exit's deadline. A window whose draft cannot be read is left out (we leave).
    """
    found: list[tuple[str, dict[str, object]]] = []
    for widget in QApplication.topLevelWidgets():
        offer = getattr(widget, "unsaved_draft", None)
        if not callable(offer):
            continue
        with contextlib.suppress(Exception):
            draft = offer()
            if draft is not None:
                found.append(draft)
    return found


def trigger_quick_exit() -> None:
    """Run the installed quick exit; without one, hide everything and end the process."""
    current = QuickExit.current()
    if current is not None:
        current.trigger()
        return
    hide_all_windows()
    clear_clipboard_if_ours()
    kill_decoders()
    spool.clear()
    hard_exit(0)


# -- widgets -----------------------------------------------------------------------------
class QuickExitButton(QPushButton):
    """The one red "Quick exit" button every window and dialog embeds.

    A click runs the installed quick exit; a window that reports it to its owner
    instead (``MainWindow.quick_exit_requested``) passes ``on_click``. The look is in
    the app's stylesheet (``QPushButton#quickExitButton``).
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        text: str = "Quick exit",
        on_click: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(text, parent)
        self._label = text
        self.setObjectName("quickExitButton")
        self.setAccessibleName("Quick exit")
        self.setAccessibleDescription(QUICK_EXIT_DESCRIPTION)
        self.setToolTip(TOOLTIP)
        self.setAutoDefault(False)
        self.setDefault(False)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # Never the keyboard focus: a space typed into a window that had just opened
        # once pressed it and threw away what the person was writing.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        click = on_click or trigger_quick_exit
        self.clicked.connect(lambda: click())
        self._fit_width()
        self._source: QuickExit | None = None
        self._follow_progress()

    def _follow_progress(self) -> None:
        current = QuickExit.current()
        if current is not None and current is not self._source:
            self._source = current
            current.progress.connect(self._show_progress)

    def _fit_width(self) -> None:
        """Wide enough for the Shift dots from the start, so showing them moves nothing."""
        self.ensurePolished()  # the stylesheet's padding counts
        shown = self.text()
        self.setText(f"{self._label} {'●' * PRESSES}")
        self.setMinimumWidth(self.sizeHint().width())
        self.setText(shown)

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_width()
        self._follow_progress()  # the quick exit may have been installed after this button
        super().showEvent(event)

    def _show_progress(self, count: int) -> None:
        """A discreet hint on the button itself: filled dots for Shift presses so far."""
        with contextlib.suppress(RuntimeError):  # the button may already be deleted
            if count <= 0:
                self.setText(self._label)
            else:
                dots = "●" * count + "○" * (PRESSES - count)
                self.setText(f"{self._label} {dots}")


class QuickExitIndicator(QWidget):
    """A small, quiet line that appears while Shift is being pressed: "Shift: 2 of 3"."""

    def __init__(self, parent: QWidget | None = None, quick_exit: QuickExit | None = None):
        super().__init__(parent)
        self.setObjectName("quickExitIndicator")
        self.setAccessibleName("Quick exit progress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label)
        self.hide()
        source = quick_exit or QuickExit.current()
        if source is not None:
            source.progress.connect(self.show_progress)

    def show_progress(self, count: int) -> None:
        with contextlib.suppress(RuntimeError):
            if count <= 0:
                self.label.clear()
                self.hide()
                return
            left = PRESSES - count
            more = "1 more time" if left == 1 else f"{left} more times"
            self.label.setText(f"{'●' * count}{'○' * left}  Press Shift {more} to leave")
            self.label.setAccessibleName(self.label.text())
            self.show()


# -- wiring into the app controller ----------------------------------------------------
AFTER_EXIT_KIND_KEY = "after_exit_kind"
AFTER_EXIT_TARGET_KEY = "after_exit_target"


_protection: Protection | None = None


class Protection(QObject):
    """Quick exit, idle lock, screen-lock watcher and concealment for one app controller.

    The controller (``safediary.gui.application.AppController``) makes one;
    :meth:`trigger` is its quick exit and :meth:`apply_preferences` follows the
    Settings dialog. By default the quick exit ends with ``QApplication.exit(0)``
    (so tests that build a controller keep running); ``run_gui`` sets
    :attr:`end_process` so the real app ends at once.
    """

    def __init__(self, controller: object, app: QApplication) -> None:
        # Owned by the controller: when it goes, every filter below goes with it.
        super().__init__(controller if isinstance(controller, QObject) else app)
        from safediary.gui.protection.concealment import Concealment
        from safediary.gui.protection.idle_lock import IdleLock
        from safediary.gui.protection.screen_lock import ScreenLockWatcher

        self.controller = controller
        self._app = app
        self.end_process = False
        prefs = getattr(controller, "prefs", None)
        self.quick_exit = QuickExit(
            app, self._drop_keys, exit_func=self._finish, after_exit=self._after_exit()
        )
        self.idle = IdleLock(
            app,
            float(getattr(prefs, "auto_lock_minutes", 5)),
            self._lock,
            should_lock=self._is_open,
        )
        self.screen = ScreenLockWatcher(app, self)
        self.screen.lockRequested.connect(self._screen_locked)
        disguised = bool(getattr(prefs, "disguise_title", False))
        self.concealment = Concealment(app, disguise=disguised, icon=self._disguise_icon())
        for part in (self.quick_exit, self.idle, self.screen, self.concealment):
            part.setParent(self)
        global _protection
        if _protection is not None and isValid(_protection):
            _protection.uninstall()  # a controller made earlier (tests) stops watching
        _protection = self

    def uninstall(self) -> None:
        """Remove every filter and timer of this controller's protection."""
        self.quick_exit.uninstall()
        self.idle.stop()
        self._app.removeEventFilter(self.concealment)
        with contextlib.suppress(RuntimeError, TypeError):
            self.screen.lockRequested.disconnect(self._screen_locked)

    # the controller's own names, read defensively so both sides can evolve
    def _is_open(self) -> bool:
        c = self.controller
        return getattr(c, "vault", None) is not None and getattr(c, "main_window", None) is not None

    def _lock(self) -> None:
        lock = getattr(self.controller, "lock", None)
        if callable(lock) and self._is_open():
            lock()

    def _screen_locked(self, _reason: str) -> None:
        from safediary.gui.protection.idle_lock import close_all_dialogs

        if self._is_open():
            close_all_dialogs()
            self._lock()

    def _after_exit(self) -> AfterExit:
        """From the controller's preferences, which take it from the vault (never the INI)."""
        prefs = getattr(self.controller, "prefs", None)
        return AfterExit.from_setting(
            getattr(prefs, AFTER_EXIT_KIND_KEY, ""), getattr(prefs, AFTER_EXIT_TARGET_KEY, "")
        )

    @staticmethod
    def _disguise_icon() -> QIcon:
        return app_icon(True)

    def apply_preferences(self, prefs: object) -> None:
        """Follow changed settings: idle minutes, disguise, the after-exit action."""
        self.idle.set_minutes(float(getattr(prefs, "auto_lock_minutes", 5)))
        self.concealment.set_disguise(bool(getattr(prefs, "disguise_title", False)))
        self.quick_exit.after_exit = self._after_exit()

    def trigger(self) -> None:
        self.quick_exit.trigger()

    def _drop_keys(self) -> None:
        """Runs on the quick exit's helper thread: flags and locks only, no widgets."""
        from safediary.gui.workers import runner

        with contextlib.suppress(Exception):
            runner().cancel_all()  # only sets flags; nobody waits for the workers
        c = self.controller
        vault = getattr(c, "vault", None)
        with contextlib.suppress(AttributeError):
            c.vault = None  # type: ignore[attr-defined]
        if vault is not None:
            for key, data in self.quick_exit.drafts:  # unsaved writing, kept encrypted
                with contextlib.suppress(Exception):
                    vault.drafts.save(key, data)
            with contextlib.suppress(Exception):
                vault.lock()
        discard = getattr(getattr(c, "start_window", None), "discard", None)
        if callable(discard):
            with contextlib.suppress(Exception):
                discard()  # a vault made during first run and not yet handed over

    def _finish(self, status: int) -> None:
        with contextlib.suppress(AttributeError):
            self.controller.exit_code = status  # type: ignore[attr-defined]
        if self.end_process:
            hard_exit(status)
        QApplication.exit(status)
