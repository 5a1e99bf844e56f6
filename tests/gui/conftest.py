"""GUI test set-up: a data folder under tmp_path and an app controller over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from safediary.host.paths import DataLocation


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder needs Qt: mark it gui (``-m "not gui"`` runs without Qt)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def location(tmp_path: Path) -> DataLocation:
    """A throwaway data folder (vault, settings.ini) for one test."""
    root = tmp_path / "data"
    root.mkdir()
    return DataLocation(root, portable=True)


@pytest.fixture
def controller(qtbot, location: DataLocation) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """An AppController whose quit does not end the test run."""
    from safediary.gui.application import AppController, keep_qt_settings_inside

    keep_qt_settings_inside(location)
    ctl = AppController(location)
    yield ctl
    if ctl.main_window is not None:
        ctl.main_window.close_dialogs()  # type: ignore[attr-defined]
    ctl._drop_vault()
    for window in (ctl.main_window, ctl.start_window):
        if window is not None:
            window.close()
