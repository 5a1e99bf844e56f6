"""Rules every window of the app follows, in one application-wide event filter.

A frightened person opens a window and starts typing at once, often on an old
1024×768 laptop. So, for every top-level window (dialogs, message boxes and file
choosers included):

- **It fits the screen.** When it is shown, a window larger than the screen's
  available area (the panel left out) is shrunk to it and moved wholly onto it;
  its content scrolls or wraps inside (each window's own layout sees to that).
- **It opens with the cursor in its first field**: the first enabled, editable
  text field in tab order. A window with no such field takes the focus itself, so
  typed letters and spaces do nothing at all instead of pressing a button or
  ticking a box. A window that already put the cursor in a field keeps it.
- **Typing never presses a button.** Push buttons take the focus only by Tab, not
  by a click, so after a click (say on "Open a backup…") the keys go back to the
  field the person was typing in; a button never becomes a dialog's silent
  "auto default". Quick exit never takes the focus at all (it is reached by
  pressing Shift three times, or by a click).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

from safediary.gui.protection.quick_exit import QUICK_EXIT_DESCRIPTION

# Room for the window manager's title bar and borders, until the real frame is known.
FRAME_GUESS_W = 8
FRAME_GUESS_H = 32


def is_text_field(widget: QWidget) -> bool:
    """An enabled, visible, editable place to type a sentence."""
    if not (widget.isVisible() and widget.isEnabled()):
        return False
    if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
        return False
    if isinstance(widget, QLineEdit):
        # a spin box's or date field's inner line edit is not a place for a sentence
        return not widget.isReadOnly() and not _inside_spin_box(widget)
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return False


def _inside_spin_box(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

    parent = widget.parentWidget()
    return isinstance(parent, (QAbstractSpinBox, QComboBox))


def first_field(window: QWidget) -> QWidget | None:
    """The first text field of ``window`` in tab order (None if it has none)."""
    start = window
    widget = window.nextInFocusChain()
    seen = 0
    while widget is not None and widget is not start and seen < 2000:
        seen += 1
        if widget.window() is window and is_text_field(widget):
            return widget
        widget = widget.nextInFocusChain()
    return None


def focus_first_field(window: QWidget) -> QWidget:
    """Put the cursor in the window's first field, or give the window itself the focus."""
    current = window.focusWidget()
    if current is not None and current.window() is window and is_text_field(current):
        return current  # the window chose its field already
    target = first_field(window) or window
    target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
    return target


def available_area(window: QWidget) -> QRect:
    """The part of the window's screen not taken by panels and docks."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)


def fit_to_screen(window: QWidget) -> None:
    """Shrink ``window`` to the available screen area (frame included) and move it onto it."""
    area = available_area(window)
    frame = window.frameGeometry()
    inner = window.geometry()
    extra_w = frame.width() - inner.width() or FRAME_GUESS_W
    extra_h = frame.height() - inner.height() or FRAME_GUESS_H
    max_w = max(200, area.width() - extra_w)
    max_h = max(150, area.height() - extra_h)
    width = min(window.width(), max_w)
    height = min(window.height(), max_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), area.left()), area.right() + 1 - frame.width())
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, area.left()), max(y, area.top()))


def keep_buttons_off_the_keyboard(button: QAbstractButton) -> None:
    """Buttons are reached by Tab, never left holding the focus by a click; Quick exit never."""
    if button.objectName() == "quickExitButton":
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAccessibleDescription(QUICK_EXIT_DESCRIPTION)
    elif button.focusPolicy() in (Qt.FocusPolicy.StrongFocus, Qt.FocusPolicy.ClickFocus):
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    if isinstance(button, QPushButton) and not button.isDefault():
        button.setAutoDefault(False)


def _is_window(obj: QObject) -> bool:
    return (
        isinstance(obj, QWidget)
        and obj.isWindow()
        and obj.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)
    )


class WindowRules(QObject):
    """The application-wide filter that applies the rules above to every window."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        app.installEventFilter(self)
        for widget in app.allWidgets():  # widgets made before the filter was installed
            if isinstance(widget, QAbstractButton):
                keep_buttons_off_the_keyboard(widget)

    def uninstall(self) -> None:
        global _rules
        self._app.removeEventFilter(self)
        if _rules is self:
            _rules = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(obj, QAbstractButton):
            keep_buttons_off_the_keyboard(obj)
        elif kind == QEvent.Type.Show and _is_window(obj):
            fit_to_screen(obj)  # type: ignore[arg-type]
            focus_first_field(obj)  # type: ignore[arg-type]
            QTimer.singleShot(0, lambda w=obj: self._settle(w))
        return False

    @staticmethod
    def _settle(window: QWidget) -> None:
        """Once the window manager framed the window: fit again with the real frame."""
        if isValid(window) and window.isVisible():
            fit_to_screen(window)
            focus_first_field(window)  # after the window's own showEvent had its say


_rules: WindowRules | None = None


def install(app: QApplication | None = None) -> WindowRules:
    """Apply the window rules to the whole application (once)."""
    global _rules
    app = app or QApplication.instance()  # type: ignore[assignment]
    assert isinstance(app, QApplication)
    if _rules is None or not isValid(_rules):
        _rules = WindowRules(app)
    return _rules
