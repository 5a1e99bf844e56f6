"""The Messages window: import with progress, pick messages, make or link an entry."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from safediary.gui import widgets
from safediary.gui.diary.editor import IncidentEditor
from safediary.gui.messages.window import MessagesWindow
from tests.core.messages import samples

pytestmark = pytest.mark.gui


def _import(qtbot, messages: MessagesWindow, path) -> None:
    task = messages.import_path(path)
    assert task is not None
    with qtbot.waitSignal(task.signals.done, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: messages.task is None)


def test_import_pick_and_make_an_entry(qtbot, window, vault, tmp_path):
    qtbot.mouseClick(window.findChild(object, "messagesButton"), Qt.MouseButton.LeftButton)
    messages = next(d for d in window.dialogs if isinstance(d, MessagesWindow))
    assert messages.search_field.hasFocus() or not messages.isActiveWindow()
    messages.zone_box.setCurrentIndex(messages.zone_box.findData("Europe/London"))
    _import(qtbot, messages, samples.write(tmp_path / "chat.txt", samples.ANDROID_UK))
    assert messages.conversation_list.count() == 1
    qtbot.waitUntil(lambda: messages.model.rowCount() == 7)
    assert "Imported 7" in messages.selection_label.text()
    messages.select_rows([1, 2])
    assert messages.make_entry_button.isEnabled()
    qtbot.mouseClick(messages.make_entry_button, Qt.MouseButton.LeftButton)
    editor = next(d for d in window.dialogs if isinstance(d, IncidentEditor))
    values = editor.values()
    assert values["occurred_at"].astimezone(ZoneInfo("Europe/London")).hour == 21
    assert "text_message" in values["kinds"]
    assert "I saw you at the bus stop" in values["exact_words"]
    assert "[28 Nov 2026 21:41] Daniel: You can't ignore me forever" in values["exact_words"]
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    [inc] = vault.incidents.list()
    linked = vault.messages.for_incident(inc.id)
    assert linked[0].text == "You can't ignore me forever"
    assert len(linked) == 2


def test_search_and_link_to_existing_entry(qtbot, window, vault, tmp_path):
    from datetime import UTC, datetime

    inc = vault.incidents.add(occurred_at=datetime(2026, 11, 28, 22, tzinfo=UTC),
                              kinds={"text_message"}, description="Texts all evening")
    messages = window.open_messages()
    _import(qtbot, messages, samples.write(tmp_path / "sms.xml", samples.SMS_XML))
    messages.search_field.setText("regret")
    qtbot.waitUntil(lambda: messages.model.rowCount() == 1)
    messages.select_rows([0])
    messages.choose_and_link()
    chooser = messages.chooser
    assert chooser.entries.count() == 1
    chooser.accept()
    assert [m.text for m in vault.messages.for_incident(inc.id)] == ["You will regret this"]
    assert "Linked 1 to entry No. 1" in messages.selection_label.text()


def test_ambiguous_dates_ask_which_way(qtbot, window, vault, tmp_path, monkeypatch):
    asked = []

    def fake_ask(parent, title, text, choices):
        asked.append(text)
        return choices[1]  # month first

    monkeypatch.setattr(widgets, "ask", fake_ask)
    messages = window.open_messages()
    path = samples.write(tmp_path / "chat.txt", samples.AMBIGUOUS)
    messages.import_path(path)
    qtbot.waitUntil(lambda: messages.conversation_list.count() == 1, timeout=20_000)
    assert asked and "could be read two ways" in asked[0]
    qtbot.waitUntil(lambda: messages.model.rowCount() == 2)
    first = messages.model.message(0)
    assert (first.sent_at.month, first.sent_at.day) == (1, 2)


def test_unknown_file_is_explained(qtbot, window, vault, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "inform", lambda p, t, text, warning=False: shown.append(text))
    messages = window.open_messages()
    path = tmp_path / "notes.txt"
    path.write_text("a shopping list\neggs\n")
    _import(qtbot, messages, path)
    assert shown and "does not recognise" in shown[0]
    assert vault.messages.conversations() == []


def test_a_list_arriving_after_lock_is_dropped(qtbot, window, vault, tmp_path):
    vault.messages.import_export(samples.write(tmp_path / "chat.txt", samples.ANDROID_UK))
    messages = window.open_messages()
    messages.show_conversation()  # a read is under way …
    window.close_dialogs()  # … when the diary locks
    with qtbot.waitSignal(messages.loading.signals.done, timeout=10_000):
        pass
    qtbot.wait(50)
    assert messages.model.rowCount() == 0


def test_lock_forgets_every_message(qtbot, window, vault, tmp_path):
    messages = window.open_messages()
    _import(qtbot, messages, samples.write(tmp_path / "chat.txt", samples.ANDROID_UK))
    qtbot.waitUntil(lambda: messages.model.rowCount() == 7)
    window.close_dialogs()
    assert messages.model.rowCount() == 0 and messages.detail.toPlainText() == ""


def test_diary_search_says_when_messages_match(qtbot, window, vault, tmp_path):
    vault.messages.import_export(samples.write(tmp_path / "chat.txt", samples.ANDROID_UK))
    window.search_field.setText("bus stop")
    window.refresh()
    assert "1 imported message also matches" in window.status_label.text()
    messages = window.open_messages()
    assert messages.search_field.text() == "bus stop"
    qtbot.waitUntil(lambda: messages.model.rowCount() == 1)


def test_search_with_no_match_here_points_elsewhere(qtbot, window, vault, tmp_path):
    vault.messages.import_export(samples.write(tmp_path / "sms.xml", samples.SMS_XML))
    vault.messages.import_export(samples.write(tmp_path / "chat.txt", samples.ANDROID_UK))
    messages = window.open_messages()
    messages.conversation_list.setCurrentRow(0)  # the texts
    messages.search_field.setText("bus stop")
    qtbot.waitUntil(lambda: "other conversations" in messages.selection_label.text())
    assert messages.model.rowCount() == 0
    assert "No messages here match “bus stop”. 1 in other" in messages.selection_label.text()


def test_attached_picture_shows_and_zone_is_remembered(qtbot, window, vault, tmp_path):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(out, format="JPEG")
    path = tmp_path / "chat.zip"
    path.write_bytes(samples.zip_bytes({
        "_chat.txt": b"[28/11/2026, 21:42:30] Daniel: <attached: 00000012-PHOTO.jpg>\n",
        "00000012-PHOTO.jpg": out.getvalue(),
    }))
    messages = window.open_messages()
    messages.zone_box.setCurrentIndex(messages.zone_box.findData("Europe/London"))
    _import(qtbot, messages, path)
    qtbot.waitUntil(lambda: messages.model.rowCount() == 1)
    messages.table.setCurrentIndex(messages.model.index(0, 0))
    assert messages.thumbs.isVisibleTo(messages)
    assert messages.thumbs.findChildren(QLabel)
    window.close_dialogs()
    again = window.open_messages()
    assert again.zone_box.currentData() == "Europe/London"  # kept in the vault


def test_hidden_characters_in_names_are_shown_as_markers() -> None:
    from datetime import UTC, datetime

    from safediary.core.messages import Message
    from safediary.gui.messages.model import sender_text
    from safediary.gui.messages.window import transcript

    m = Message(1, 1, 1, "Dan\u202eleinad", datetime(2026, 11, 28, tzinfo=UTC), "hi", "message",
                "in", (), ("photo\u202egpj.exe",), {}, (), "0" * 64)
    assert "[U+202E" in sender_text(m) and "\u202e" not in sender_text(m)
    assert "\u202e" not in transcript([m]) and "[U+202E" in transcript([m])
