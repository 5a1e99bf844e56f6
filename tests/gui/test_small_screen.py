"""Every window can shrink to a 1024×768 laptop with a panel: its minimum size leaves room."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from safediary.core import Vault
from safediary.gui.main_window import MainWindow

# 1024×768 less a 40 px panel and the window manager's frame (title bar and borders)
ROOM_W, ROOM_H = 1024 - 10, 768 - 40 - 32

OPENERS = [
    "open_editor",
    "open_people",
    "open_help",
    "open_settings",
    "open_report",
    "open_checklist",
    "open_pattern",
    "open_backup",
    "open_messages",
]


def fits(window: QWidget) -> bool:
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    return hint.width() <= ROOM_W and hint.height() <= ROOM_H


@pytest.fixture
def main(qtbot, vault: Vault) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(vault)
    qtbot.addWidget(window)
    window.show()
    return window


def test_main_window_fits(main: MainWindow) -> None:
    assert fits(main), main.minimumSizeHint()


@pytest.mark.parametrize("opener", OPENERS, ids=lambda name: name[5:])
def test_every_window_fits(qtbot, main: MainWindow, opener: str) -> None:  # type: ignore[no-untyped-def]
    open_it = getattr(main, opener)
    window = open_it(None) if opener == "open_editor" else open_it()
    qtbot.waitExposed(window)
    try:
        assert fits(window), (opener, window.minimumSizeHint())
    finally:
        (getattr(window, "force_close", None) or window.close)()
