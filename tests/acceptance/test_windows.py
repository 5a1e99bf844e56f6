"""Every window as a frightened person meets it: on a 1024×768 screen, typing at once, Shift×3.

For each window: it lies wholly on the screen with its buttons; its Quick exit sits in
the top-right corner and does not hold the keyboard focus; a sentence typed straight
after it opens lands in a text field (or, where it has none, does nothing at all) and
the app is still there; Shift pressed three times ends the process within 1 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.acceptance.checks import layout_problems, quick_exit_problems, typing_problems
from tests.acceptance.conftest import PLACE, unlock
from tests.acceptance.desktop import App, Window

pytestmark = pytest.mark.acceptance


@dataclass(frozen=True)
class Case:
    title: str  # window title (X) and accessible window name, as a person reads it
    open: Callable[[App], None]


def from_main(button: str) -> Callable[[App], None]:
    def open_it(app: App) -> None:
        unlock(app)
        app.click(button, window="SafeDiary")

    return open_it


def main_window(app: App) -> None:
    unlock(app)


def saved_entry(app: App) -> None:
    unlock(app)
    app.click(PLACE, window="SafeDiary", role=None, double=True)


def evidence_viewer(app: App) -> None:
    saved_entry(app)
    app.wait_window("Entry 1")
    app.click("Evidence", window="Entry 1", role="page tab")
    app.click("photo.png", window="Entry 1", role=None, double=True)


CASES = [
    Case("SafeDiary", main_window),
    Case("New entry", from_main("New incident")),
    Case("Entry 1", saved_entry),
    Case("Evidence", evidence_viewer),
    Case("People involved", from_main("People involved")),
    Case("Report", from_main("Report")),
    Case("Safety checklist", from_main("Safety checklist")),
    Case("Pattern", from_main("Pattern of behaviour")),
    Case("Help", from_main("Help and contacts")),
    Case("Settings", from_main("Settings")),
    Case("Back up your diary", from_main("Backup")),
]


def topmost(app: App, title: str) -> Window:
    app.wait_window(title)
    time.sleep(0.3)  # let the window manager finish placing it
    return app.wait_window(title)


@pytest.mark.parametrize("case", CASES, ids=[c.title for c in CASES])
def test_window_at_1024x768(case: Case, diary: Path, start_app: Callable[[], App]) -> None:
    app = start_app()
    case.open(app)
    window = topmost(app, case.title)
    problems = layout_problems(app, window)
    problems += typing_problems(app, window, app.windows())
    problems += quick_exit_problems(app, case.title)
    assert not problems, "\n".join(problems)
