"""The evidence list in an entry: Remove with a reason, the same file twice, one viewer per
double-click, a chooser that starts where photos are (issue 13 item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from safediary.core import Vault
from safediary.core.timeutil import now
from safediary.gui import widgets
from safediary.gui.evidence import panel as panelmod
from safediary.gui.evidence.panel import EvidencePanel

pytestmark = pytest.mark.gui


@pytest.fixture
def filled(qtbot, vault: Vault, tmp_path: Path) -> tuple[EvidencePanel, int]:
    inc = vault.incidents.add(occurred_at=now(), description="x")
    panel = EvidencePanel(vault)
    qtbot.addWidget(panel)
    panel.set_incident(inc.id)
    panel.show()
    return panel, inc.id


def _import(qtbot, panel: EvidencePanel, paths: list[Path]) -> tuple[list, list[str], list[str]]:
    with qtbot.waitSignal(panel.import_finished, timeout=20000) as blocker:
        panel.add_paths(paths)
    return blocker.args[0]


def test_the_same_file_twice_is_pointed_out(qtbot, filled, tmp_path: Path) -> None:
    panel, _ = filled
    first = tmp_path / "texts.png"
    first.write_bytes(b"the same bytes")
    again = tmp_path / "copy of texts.png"
    again.write_bytes(b"the same bytes")
    added, problems, notes = _import(qtbot, panel, [first])
    assert len(added) == 1 and problems == [] and notes == []
    added, problems, notes = _import(qtbot, panel, [again])
    assert len(added) == 1 and problems == []
    assert "same file as E-1 (texts.png)" in notes[0]
    assert "could not be added" not in panel.message.text()
    assert "same file as E-1" in panel.message.text()


def test_remove_keeps_a_note_with_the_reason(qtbot, filled, tmp_path: Path, monkeypatch) -> None:
    panel, _ = filled
    src = tmp_path / "wrong.jpg"
    src.write_bytes(b"not this one")
    (ev,), _, _ = _import(qtbot, panel, [src])
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    monkeypatch.setattr(panelmod, "ask_removal_reason", lambda *a: None)
    assert not panel.remove_selected()  # changed their mind: nothing happens
    assert panel.tree.topLevelItemCount() == 1
    monkeypatch.setattr(panelmod, "ask_removal_reason", lambda *a: "Added to the wrong entry")
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.tree.topLevelItemCount() == 0
    record = panel.vault.evidence.get(ev.id)
    assert record.removed and record.removed_reason == "Added to the wrong entry"
    assert any(
        "Added to the wrong entry" in detail for _, _, detail in panel.vault.evidence.history(ev.id)
    )


def test_one_viewer_per_double_click(qtbot, filled, tmp_path: Path) -> None:
    panel, _ = filled
    src = tmp_path / "note.txt"
    src.write_text("he was there")
    _import(qtbot, panel, [src])
    item = panel.tree.topLevelItem(0)
    rect = panel.tree.visualItemRect(item)

    def double_click() -> None:  # as a mouse does it: press, release, double-click
        qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    double_click()
    qtbot.waitUntil(
        lambda: len(panel._open_viewers(int(item.data(0, Qt.ItemDataRole.UserRole)))) == 1
    )
    double_click()
    qtbot.wait(50)
    assert len(panel.viewers) == 1
    for viewer in panel.viewers:
        viewer.close()


def test_chooser_starts_in_pictures_and_lists_removable_drives(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for folder in ("Pictures", "Downloads"):
        (home / folder).mkdir(parents=True)
    places = widgets.evidence_places(home, "nobody-here")
    assert places[:3] == [home / "Pictures", home / "Downloads", home]
    (home / "Pictures").rmdir()
    assert widgets.evidence_places(home, "nobody-here")[0] == home / "Downloads"
    if Path("/mnt").is_dir():
        assert Path("/mnt") in places


def test_the_check_number_is_explained_in_words(qtbot, vault: Vault, tmp_path: Path) -> None:
    """Issue 13 item 12: "SHA-256" and a 64-character number shown without a word."""
    from PySide6.QtWidgets import QLabel

    from safediary.gui.evidence.viewer import EvidenceViewer

    src = tmp_path / "note.txt"
    src.write_text("he was there")
    viewer = EvidenceViewer(vault, vault.evidence.add_file(src).id)
    qtbot.addWidget(viewer)
    texts = [label.text() for label in viewer.findChildren(QLabel)]
    assert "SHA-256:" not in texts and "Check number:" in texts
    assert any("proves a copy is exact" in t for t in texts)


def test_the_reason_question_fits_a_small_screen(qtbot) -> None:
    from safediary.gui.evidence.panel import RemovalDialog

    dialog = RemovalDialog(None, "E-2 " + "a very long file name " * 8)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() <= 1024
    assert not dialog.remove_button.isEnabled()  # a reason is needed
    qtbot.keyClicks(dialog.reason, "Added to the wrong entry")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
