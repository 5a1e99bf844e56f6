"""A long diary: the main window decodes only the rows it shows and keeps a bounded number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from safediary.core import Vault
from safediary.core.timeutil import now
from safediary.gui.diary.model import IncidentTableModel
from safediary.gui.main_window import MainWindow

N = 300


@pytest.fixture
def long_diary(vault: Vault) -> Vault:
    start = now() - timedelta(days=N)
    for n in range(N):
        vault.incidents.add(
            occurred_at=start + timedelta(days=n),
            location=f"Place {n}",
            kinds={"threat"} if n % 2 else {"text_message"},
            description=f"Entry {n}",
        )
    return vault


def test_first_paint_decodes_only_what_is_seen_and_memory_stays_bounded(
    qtbot, long_diary: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 14: opening built every row of the whole diary on the GUI thread."""
    monkeypatch.setattr(IncidentTableModel, "PAGE", 20)
    monkeypatch.setattr(IncidentTableModel, "MAX_PAGES", 3)
    decoded: list[int] = []
    real = long_diary.incidents.get_many

    def counting(ids):  # type: ignore[no-untyped-def]
        decoded.extend(ids)
        return real(ids)

    monkeypatch.setattr(long_diary.incidents, "get_many", counting)
    window = MainWindow(long_diary)
    qtbot.addWidget(window)
    # at first only the first screenful is listed (and the rest counted) ...
    assert window.model.rowCount() == N and window.model.incident_id(N - 1) == -1
    qtbot.waitUntil(lambda: window.model.incident_id(N - 1) != -1)  # ... the rest a moment later
    window.resize(1000, 600)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: bool(decoded))  # the first paint asks for the rows it shows
    assert window.model.rowCount() == N
    assert len(decoded) <= 80  # a page or two (listed twice at opening), not 300 entries
    assert window.status_label.text() == f"{N} entries."
    assert window.model.index(0, 2).data() == f"Place {N - 1}"  # newest first

    bar = window.table.verticalScrollBar()
    while bar.value() < bar.maximum():
        bar.setValue(bar.value() + bar.pageStep())
        window.table.grab()
    assert window.model.cached_pages() <= 3
    assert window.model.index(N - 1, 2).data() == "Place 0"
    assert window.model.index(N - 1, 0).data(Qt.ItemDataRole.UserRole) == window.model.incident_id(
        N - 1
    )
    window.table.selectRow(N - 1)
    assert window.selected_incident_id() == long_diary.incidents.by_number(1).id

    window.kind_box.setCurrentIndex(window.kind_box.findData("threat"))
    assert window.model.rowCount() == N // 2
    assert window.status_label.text() == f"Showing {N // 2} of {N} entries."
