"""Capture screen: SafeDiary hides, the screen becomes encrypted evidence, nothing on disk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from safediary.gui.messages import capture

pytestmark = pytest.mark.gui


def test_capture_keeps_a_png_linked_to_the_entry_and_hides_us_meanwhile(
    qtbot, window, vault, tmp_path, monkeypatch
):
    monkeypatch.setattr(capture, "HIDE_MS", 50)
    editor = window.open_editor(None)
    editor.location.setText("Facebook")
    editor.description.setPlainText("He posted my address.")
    editor.kind_boxes["social_media"].setChecked(True)
    editor.occurred_at.set_now()
    panel = editor.evidence_panel
    seen_hidden = []

    real = capture.capture_screen

    def spy(on_done, still_open, *, hide_ms=50):
        real(on_done, still_open, hide_ms=hide_ms)
        seen_hidden.append(editor.isVisible())

    monkeypatch.setattr(capture, "capture_screen", spy)
    before = set(p for p in tmp_path.rglob("*"))
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.capture_button, Qt.MouseButton.LeftButton)
    assert seen_hidden == [False]  # our windows were out of the picture
    assert editor.isVisible() and window.isVisible()  # and came back
    [inc] = vault.incidents.list()
    [ev] = vault.evidence.list(incident_id=inc.id)
    assert ev.original_name.startswith("Screen capture") and ev.original_name.endswith(".png")
    assert vault.evidence.read(ev.id)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "kept as evidence" in panel.message.text()
    new_files = [p for p in tmp_path.rglob("*") if p not in before and p.is_file()]
    assert all("vault" in p.parts for p in new_files), new_files  # nothing outside the vault


def test_capture_after_lock_grabs_nothing_and_shows_nothing(qtbot, window, vault):
    done = []
    window.hide()
    capture.capture_screen(done.append, lambda: False, hide_ms=10)
    qtbot.wait(100)
    assert done == [] and not window.isVisible()
