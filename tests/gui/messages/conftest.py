"""The main window over a fresh vault, for the Messages window and Capture screen tests."""

from __future__ import annotations

import pytest

from safediary.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, vault):  # type: ignore[no-untyped-def]
    win = MainWindow(vault)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_dialogs()
