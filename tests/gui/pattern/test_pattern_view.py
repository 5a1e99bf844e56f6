"""The pattern view: the figures for known data, the private tick box, and the chart."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from safediary.core import Vault
from safediary.core.diary import taxonomy
from safediary.core.pattern.pattern import summarize
from safediary.gui.pattern.view import PatternView

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 20)  # recent window 21 Feb – 20 Mar; previous 24 Jan – 20 Feb


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def filled(vault: Vault) -> Vault:
    """Five entries: #5 is private. Person A is in #1-#3, person B in #4 and #5."""
    a = vault.people.add("Jordan <b>Smith</b>")
    b = vault.people.add("Unknown man")
    vault.people.add("Nobody yet")
    add = vault.incidents.add
    add(_at(5, 1, 10), kinds={"text_message"}, people=(a.id,))  # Mon
    add(_at(10, 2, 21, 30), kinds={"threat"}, people=(a.id,))  # Tue
    add(_at(3, 3, 21, 15), kinds={"at_home", "text_message"}, people=(a.id,))  # Tue
    add(_at(10, 3, 21, 45), kinds={"property_damage"}, people=(b.id,))  # Tue
    add(_at(17, 3, 9), kinds={"text_message"}, people=(b.id,), private=True)  # Tue
    return vault


def _open(qtbot: QtBot, vault: Vault) -> PatternView:
    view = PatternView(vault, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_figures_for_known_data(qtbot: QtBot, filled: Vault) -> None:
    view = _open(qtbot, filled)
    assert not view.private_box.isChecked()
    assert view.summary == summarize(filled.incidents.list(), today=TODAY, include_private=False)

    overview = view.overview_label.text()
    assert "4 entries from 5 Jan 2026 to 10 Mar 2026" in overview
    assert "1 private entry is left out" in overview

    escalation = view.escalation_label.text()
    assert escalation.startswith("It is happening more often.")
    assert "2 entries in the last 28 days (21 Feb 2026 to 20 Mar 2026)" in escalation
    assert "compared with 1 in the 28 days before (24 Jan 2026 to 20 Feb 2026)" in escalation

    assert view.first_label.text().splitlines() == [
        "Threat: first on 10 Feb 2026 (entry No. 2)",
        "Turning up at home: first on 3 Mar 2026 (entry No. 3)",
        "Damage to property: first on 10 Mar 2026 (entry No. 4)",
    ]
    busiest = view.busiest_label.text()
    assert "Most often on Tuesday (3 entries)" in busiest
    assert "Most often between 21:00–22:00 (3 entries)" in busiest

    kinds = view.kinds_label.text()
    assert kinds.startswith("4 different kinds of behaviour")
    assert "Text or instant message (2)" in kinds

    people = view.people_label.text().splitlines()
    assert people[0] == (
        "Jordan <b>Smith</b>: 3 occasions. That is two or more, which can be a course of conduct."
    )
    assert people[1] == "Unknown man: 1 occasion so far."
    assert people[2] == "Nobody yet: not linked to any entry shown here."
    assert "at least two" in view.people_label.text()


def test_including_private_entries(qtbot: QtBot, filled: Vault) -> None:
    view = _open(qtbot, filled)
    view.private_box.click()
    assert view.include_private
    assert view.summary is not None and view.summary.total == 5
    assert "left out" not in view.overview_label.text()
    assert "3 entries in the last 28 days" in view.escalation_label.text()
    assert view.people_label.text().splitlines()[1].startswith("Unknown man: 2 occasions.")
    assert "Most often on Tuesday (4 entries)" in view.busiest_label.text()
    view.private_box.click()
    assert view.summary.total == 4


def test_labels_are_plain_text(qtbot: QtBot, filled: Vault) -> None:
    from PySide6.QtCore import Qt

    view = _open(qtbot, filled)
    for label in (view.people_label, view.kinds_label, view.escalation_label):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_chart_and_legend(qtbot: QtBot, filled: Vault) -> None:
    view = _open(qtbot, filled)
    chart = view.chart
    assert view.summary is not None and view.summary.granularity == "week"
    assert "per week" in view.chart_title.text()
    expected = {taxonomy.label(k) for k in ("text_message", "threat", "at_home", "property_damage")}
    assert {label for label, _ in chart.legend()} == expected
    assert set(view.legend.labels()) == expected
    colours = [colour.name() for _, colour in chart.legend()]
    assert len(set(colours)) == len(colours)  # every kind has its own colour
    # Each bar stacks its kinds; an entry with two kinds counts in both.
    for bucket in view.summary.buckets:
        assert sum(n for _, n in chart.stack(bucket)) == sum(bucket.counts.values())
    week = next(b for b in view.summary.buckets if b.start == date(2026, 3, 2))
    assert dict(chart.stack(week)) == {"text_message": 1, "at_home": 1}
    assert "week of 2 Mar 2026: 1 entry" in chart.bucket_tip(week)
    assert "week of 2 Mar 2026: 1" in chart.accessibleDescription()

    image = view.grab()
    assert not image.isNull()
    chart_image = chart.grab()
    assert chart_image.width() > 100 and chart_image.height() > 100
    assert chart.bucket_at(chart._bars[0].center().x()) == view.summary.buckets[0]


def test_an_empty_diary(qtbot: QtBot, vault: Vault) -> None:
    view = _open(qtbot, vault)
    assert view.overview_label.text() == "No entries to show yet."
    assert "Nothing was written down" in view.escalation_label.text()
    assert "None of these" in view.first_label.text()
    assert "No people added yet" in view.people_label.text()
    assert view.legend.labels() == []
    assert not view.grab().isNull()


def test_long_spans_are_shown_by_month(qtbot: QtBot, vault: Vault) -> None:
    vault.incidents.add(datetime(2025, 1, 10, 12, tzinfo=LONDON), kinds={"phone_call"})
    vault.incidents.add(datetime(2025, 11, 3, 12, tzinfo=LONDON), kinds={"following"})
    view = _open(qtbot, vault)
    assert view.summary is not None and view.summary.granularity == "month"
    assert "per month" in view.chart_title.text()
    assert len(view.summary.buckets) == 11
    assert not view.chart.grab().isNull()


def test_opened_from_the_main_window(qtbot: QtBot, filled: Vault) -> None:
    from PySide6.QtWidgets import QPushButton

    from safediary.gui.checklist.dialog import ChecklistDialog
    from safediary.gui.main_window import MainWindow

    window = MainWindow(filled)
    qtbot.addWidget(window)
    window.show()
    for name, kind in (("patternButton", PatternView), ("checklistButton", ChecklistDialog)):
        widget = window.findChild(QPushButton, name)
        assert widget is not None and widget.accessibleName()
        widget.click()
        qtbot.waitUntil(lambda kind=kind: any(isinstance(d, kind) for d in window.dialogs))
    window.close_dialogs()
    assert window.dialogs == []


def test_hovering_a_bar_shows_its_tip(qtbot: QtBot, filled: Vault) -> None:
    """Issue 13 item 13: a real tooltip event raised AttributeError (QHelpEvent.position)."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    view = _open(qtbot, filled)
    chart = view.chart
    chart.grab()  # paint once, so the bars have their places
    centre = chart._bars[0].center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, chart.mapToGlobal(centre))
    assert QApplication.sendEvent(chart, event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=1000)
    assert "entr" in QToolTip.text()
    outside = QPoint(1, 1)
    far = QHelpEvent(QEvent.Type.ToolTip, outside, chart.mapToGlobal(outside))
    assert QApplication.sendEvent(chart, far)


def test_entries_without_kinds_are_described_in_words(qtbot: QtBot, vault: Vault) -> None:
    """Issue 13 item 12: "0 different kinds of behaviour: ." for entries with no kind ticked."""
    from safediary.gui.pattern.view import kinds_text

    vault.incidents.add(_at(5, 1, 10), description="no kind ticked")
    text = kinds_text(summarize(vault.incidents.list(), today=TODAY))
    assert "0 different" not in text and "ticked" in text
