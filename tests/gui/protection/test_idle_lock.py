"""Idle lock: input keeps the diary open, idleness locks it, and dialogs never keep it open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
)

from safediary.gui.protection.idle_lock import IdleLock, close_all_dialogs

SHORT = 0.2 / 60  # 200 ms, in minutes


class Locks:
    def __init__(self) -> None:
        self.count = 0
        self.open_dialogs_at_lock: list[str] = []

    def __call__(self) -> None:
        self.count += 1
        self.open_dialogs_at_lock = [
            w.objectName()
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible()
        ]


@pytest.fixture
def window(qtbot) -> QMainWindow:  # type: ignore[no-untyped-def]
    win = QMainWindow()
    win.setCentralWidget(QLineEdit())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def locks() -> Locks:
    return Locks()


@pytest.fixture
def idle(qapp: QApplication, locks: Locks) -> Iterator[IdleLock]:
    lock = IdleLock(qapp, SHORT, locks)
    yield lock
    lock.stop()


class Editor(QDialog):
    """A dialog that would ask "discard changes?" and keeps a draft when locking."""

    def __init__(self, parent: QMainWindow) -> None:
        super().__init__(parent)
        self.setObjectName("editor")
        self.text = QLineEdit(self)
        QVBoxLayout(self).addWidget(self.text)
        self.drafts: list[str] = []

    def about_to_lock(self) -> None:
        self.drafts.append(self.text.text())

    def reject(self) -> None:  # pragma: no cover - must not be reached by locking
        QMessageBox.question(self, "Discard?", "Discard your changes?")


def test_idle_lock_closes_an_open_modal_dialog_first(
    qtbot, idle: IdleLock, locks: Locks, window: QMainWindow
) -> None:
    editor = Editor(window)
    editor.text.setText("unsaved words")
    result: list[int] = []
    QTimer.singleShot(0, lambda: result.append(-1))  # the dialog's loop is running
    result.append(editor.exec())
    assert locks.count == 1
    assert locks.open_dialogs_at_lock == []
    assert result[-1] == QDialog.DialogCode.Rejected
    assert editor.drafts == ["unsaved words"]


def test_idle_lock_closes_message_box_and_menu(
    qtbot, qapp: QApplication, locks: Locks, window: QMainWindow
) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "About", "About SafeDiary", parent=window)
    box.setObjectName("about")
    box.setStandardButtons(QMessageBox.StandardButton.NoButton)  # no escape button at all
    box.show()
    menu = QMenu(window)
    menu.addAction("Something")
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible)
    lock = IdleLock(qapp, SHORT, locks)
    try:
        qtbot.waitUntil(lambda: locks.count == 1, timeout=5000)
        assert locks.open_dialogs_at_lock == []
        assert not box.isVisible() and not menu.isVisible()
    finally:
        lock.stop()


def test_input_restarts_the_timer(qtbot, qapp: QApplication, locks: Locks, window) -> None:
    lock = IdleLock(qapp, 0.6 / 60, locks)
    field = window.centralWidget()
    try:
        typed = 0

        def type_a_key() -> None:
            nonlocal typed
            QTest.keyClick(field, Qt.Key.Key_X)
            typed += 1

        ticker = QTimer()
        ticker.timeout.connect(type_a_key)
        ticker.start(100)  # typing every 100 ms, well inside the 600 ms limit
        qtbot.waitUntil(lambda: typed >= 12, timeout=10_000)
        ticker.stop()
        assert locks.count == 0  # 1.2 s of typing: never idle for 600 ms
        qtbot.waitUntil(lambda: locks.count == 1, timeout=5000)
    finally:
        lock.stop()


def test_zero_minutes_turns_it_off(qtbot, qapp: QApplication, locks: Locks) -> None:
    lock = IdleLock(qapp, 0, locks)
    try:
        assert lock.minutes == 0
        assert not lock._timer.isActive()
        lock.set_minutes(SHORT)
        qtbot.waitUntil(lambda: locks.count == 1, timeout=5000)
    finally:
        lock.stop()


def test_should_lock_is_asked(qtbot, qapp: QApplication, locks: Locks) -> None:
    asked: list[bool] = []

    def unlocked() -> bool:
        asked.append(True)
        return False  # the unlock screen is showing: nothing to lock

    lock = IdleLock(qapp, SHORT, locks, should_lock=unlocked)
    try:
        qtbot.waitUntil(lambda: len(asked) >= 1, timeout=5000)
        assert locks.count == 0
    finally:
        lock.stop()


def test_lock_on_minimise(qtbot, qapp: QApplication, locks: Locks, window) -> None:
    lock = IdleLock(qapp, 0, locks, lock_on_minimise=True, main_window=window)
    try:
        window.setWindowState(Qt.WindowState.WindowMinimized)
        qtbot.waitUntil(lambda: locks.count == 1, timeout=5000)
        lock.set_lock_on_minimise(False)
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.setWindowState(Qt.WindowState.WindowMinimized)
        QApplication.processEvents()  # a lock would have been queued by now
        assert locks.count == 1
    finally:
        lock.stop()


def test_close_all_dialogs_with_nothing_open(qapp: QApplication, window) -> None:
    assert close_all_dialogs(qapp) == 0
    assert window.isVisible()  # the main window itself is never closed


def test_shorter_limit_takes_effect_at_once(qtbot, qapp: QApplication, locks: Locks) -> None:
    lock = IdleLock(qapp, 5, locks)
    try:
        lock.set_minutes(SHORT)
        qtbot.waitUntil(lambda: locks.count == 1, timeout=5000)
    finally:
        lock.stop()
