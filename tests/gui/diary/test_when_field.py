"""The editor asks when it happened, reads typed dates day first, warns about the future
(issue 13 item 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from safediary.core import Vault
from safediary.core.timeutil import now
from safediary.gui.diary.editor import IncidentEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(qtbot, vault: Vault) -> IncidentEditor:
    ed = IncidentEditor(vault)
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    return ed


def test_typed_uk_date_is_the_28th_of_november(qtbot, editor: IncidentEditor, vault) -> None:
    editor.description.setPlainText("He was at the gate")
    assert not editor.save()  # no time given: it asks instead of using "now"
    assert "When did it happen" in editor.banner.text()
    assert vault.incidents.count() == 0
    field = editor.occurred_at
    qtbot.keyClicks(field.edit, "28/11/2026 21:40")
    when = editor.values()["occurred_at"]
    assert (when.year, when.month, when.day, when.hour, when.minute) == (2026, 11, 28, 21, 40)
    assert "28 November 2026 at 21:40" in field.reading.text()
    assert editor.save()
    saved = vault.incidents.list()[0].occurred_at.astimezone()
    assert (saved.month, saved.day, saved.hour) == (11, 28, 21)


def test_month_first_is_refused_with_a_reason(qtbot, editor: IncidentEditor) -> None:
    qtbot.keyClicks(editor.occurred_at.edit, "11/28/2026 21:40")
    assert editor.occurred_at.when() is None
    assert "no month 28" in editor.occurred_at.reading.text()


def test_now_earlier_today_and_yesterday(qtbot, editor: IncidentEditor) -> None:
    field = editor.occurred_at
    qtbot.mouseClick(field.quick[0], Qt.MouseButton.LeftButton)  # Now
    assert abs(field.when() - now()) < timedelta(minutes=2)
    qtbot.mouseClick(field.quick[2], Qt.MouseButton.LeftButton)  # Yesterday
    assert field.when() is None and "type the time" in field.reading.text()
    assert field.edit.hasFocus()
    qtbot.keyClicks(field.edit, "9.15pm")
    yesterday = (now() - timedelta(days=1)).date()
    assert field.when().date() == yesterday and field.when().hour == 21
    field.edit.clear()
    qtbot.mouseClick(field.quick[1], Qt.MouseButton.LeftButton)  # Earlier today
    qtbot.keyClicks(field.edit, "07:30")
    assert field.when().date() == now().date() and field.when().hour == 7


def test_a_future_time_is_warned_about_but_saved(qtbot, editor: IncidentEditor, vault) -> None:
    future = now() + timedelta(days=3)
    editor.description.setPlainText("Planned court date he mentioned")
    editor.occurred_at.set_when(future)
    assert editor.occurred_at.in_future()
    assert "in the future" in editor.occurred_at.reading.text()
    assert editor.save()
    assert vault.incidents.count() == 1


def test_every_kind_is_visible_at_1024_pixels(qtbot, editor: IncidentEditor) -> None:
    """Issue 13 item 12: the third column of behaviour kinds was cut off."""
    editor.resize(1000, 700)
    qtbot.wait(50)
    area = editor.tabs.widget(0)
    viewport = area.viewport()
    for kind, box in editor.kind_boxes.items():
        right = box.mapTo(viewport, box.rect().topRight()).x()
        assert right <= viewport.width(), kind
