"""Windows fit the screen and open with the cursor in their first field; typing presses nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from safediary.gui import window_rules
from safediary.gui.protection.quick_exit import QuickExitButton


@pytest.fixture
def rules(qapp: QApplication) -> Iterator[window_rules.WindowRules]:
    installed = window_rules.install(qapp)
    yield installed
    installed.uninstall()  # the other GUI tests run without it, as they always did


def make_dialog(qtbot, *widgets) -> QDialog:  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    for widget in widgets:
        layout.addWidget(widget)
    return dialog


def test_cursor_in_the_first_field_and_quick_exit_never_focused(qtbot, rules) -> None:  # type: ignore[no-untyped-def]
    quick, ok, field = QuickExitButton(), QPushButton("OK"), QLineEdit()
    dialog = make_dialog(qtbot, quick, ok, field)
    pressed: list[str] = []
    quick.clicked.disconnect()
    quick.clicked.connect(lambda: pressed.append("quick exit"))
    ok.clicked.connect(lambda: pressed.append("ok"))
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: field.hasFocus() or QApplication.focusWidget() is field)
    QTest.keyClicks(QApplication.focusWidget(), "He followed me")
    assert field.text() == "He followed me" and pressed == []
    assert quick.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert "Shift three times" in quick.accessibleDescription()
    assert ok.focusPolicy() == Qt.FocusPolicy.TabFocus and not ok.autoDefault()


def test_a_window_without_fields_takes_typing_itself(qtbot, rules) -> None:  # type: ignore[no-untyped-def]
    box, ok = QCheckBox("Private"), QPushButton("OK")
    dialog = make_dialog(qtbot, box, ok)
    pressed: list[bool] = []
    ok.clicked.connect(lambda: pressed.append(True))
    dialog.show()
    qtbot.waitExposed(dialog)
    target = QApplication.focusWidget() or dialog
    QTest.keyClicks(target, "he followed me")
    assert not box.isChecked() and pressed == [] and dialog.isVisible()


def test_a_window_larger_than_the_screen_is_fitted(qtbot, rules) -> None:  # type: ignore[no-untyped-def]
    dialog = make_dialog(qtbot, QLineEdit())
    dialog.resize(4000, 3000)
    dialog.show()
    qtbot.waitExposed(dialog)
    area = window_rules.available_area(dialog)
    frame = dialog.frameGeometry()
    assert area.contains(frame), (area, frame)
