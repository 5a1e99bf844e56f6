"""Files and states a stalker can plant or send: the window stays responsive, nothing leaks."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from safediary.core import Vault
from safediary.gui.evidence.viewer import EvidenceViewer
from safediary.gui.main_window import MainWindow
from safediary.host import sandbox
from tests.conftest import PASSPHRASE
from tests.support.hostile import loop_pdf

pytestmark = pytest.mark.gui


class Heartbeat:
    """A 20 ms timer on the GUI thread: the longest gap between beats is the worst stall."""

    def __init__(self) -> None:
        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.timeout.connect(lambda: self.beats.append(time.monotonic()))
        self.timer.start(20)

    def worst_gap(self) -> float:
        self.timer.stop()
        gaps = [b - a for a, b in zip(self.beats, self.beats[1:], strict=False)]
        return max(gaps, default=0.0)


def _add(vault: Vault, tmp_path: Path, name: str, data: bytes) -> int:
    path = tmp_path / name
    path.write_bytes(data)
    inc = vault.incidents.add(occurred_at=datetime.now(UTC), description="sent to me")
    return vault.evidence.add_file(path, incident_id=inc.id).id


def _wait_for_decoder(qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: sandbox.running() == 1, timeout=10000)


def test_a_pdf_whose_page_tree_lists_itself_never_freezes_the_window(
    qtbot, vault, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(EvidenceViewer, "decode_timeout", 3.0)
    evidence_id = _add(vault, tmp_path, "letter.pdf", loop_pdf())
    window = MainWindow(vault)
    qtbot.addWidget(window)
    window.show()
    beat = Heartbeat()
    viewer = EvidenceViewer(vault, evidence_id, window)
    viewer.show()
    with qtbot.waitSignal(viewer.loaded, timeout=15000):
        pass
    worst = beat.worst_gap()
    assert worst < 1.0, f"the window stalled for {worst:.2f} s"
    assert "This file could not be shown" in viewer.message_page.text()
    assert "untouched" in viewer.message_page.text()
    assert vault.evidence.verify(evidence_id)  # the evidence itself is unharmed
    assert sandbox.running() == 0
    viewer.close()
    window.close_dialogs()


def test_closing_the_viewer_kills_its_decoder(qtbot, vault, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(EvidenceViewer, "decode_timeout", 60.0)
    evidence_id = _add(vault, tmp_path, "letter.pdf", loop_pdf())
    viewer = EvidenceViewer(vault, evidence_id)
    viewer.show()
    _wait_for_decoder(qtbot)
    viewer.close()
    qtbot.waitUntil(lambda: sandbox.running() == 0, timeout=2000)


@pytest.fixture
def opened(qtbot, controller, location, monkeypatch):  # type: ignore[no-untyped-def]
    """The real controller with a vault open; QApplication.exit recorded, not run."""
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    qtbot.waitExposed(controller.main_window)
    return controller, vault, exits


@pytest.mark.parametrize("how", ["lock", "quick_exit"])
def test_lock_and_quick_exit_kill_a_running_decoder(
    qtbot, opened, tmp_path, monkeypatch, how
) -> None:  # type: ignore[no-untyped-def]
    controller, vault, exits = opened
    monkeypatch.setattr(EvidenceViewer, "decode_timeout", 60.0)
    evidence_id = _add(vault, tmp_path, "letter.pdf", loop_pdf())
    viewer = EvidenceViewer(vault, evidence_id, controller.main_window)
    viewer.show()
    _wait_for_decoder(qtbot)
    start = time.monotonic()
    getattr(controller, how)()
    qtbot.waitUntil(lambda: sandbox.running() == 0, timeout=2000)
    assert time.monotonic() - start < 1.0
    if how == "quick_exit":
        assert exits == [0]


# -- item 3: every copy of diary text goes through the secret clipboard --------------------
def test_ctrl_c_in_an_entry_is_marked_secret_and_cleared_on_lock(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QClipboard

    controller, _vault, _exits = opened
    editor = controller.main_window.open_editor(None)
    qtbot.waitExposed(editor)
    editor.description.setPlainText("He said he would burn the flat down")
    editor.description.setFocus()
    editor.description.selectAll()
    qtbot.keyClick(editor.description, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    board = QApplication.clipboard()
    qtbot.waitUntil(lambda: board.mimeData().hasFormat("x-kde-passwordManagerHint"))
    assert board.text() == "He said he would burn the flat down"
    controller.lock()
    assert board.text(QClipboard.Mode.Clipboard) == ""


def test_text_copied_from_another_program_is_left_alone(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, _vault, _exits = opened
    QApplication.clipboard().setText("shopping list")
    controller.lock()
    assert QApplication.clipboard().text() == "shopping list"


# -- item 4: the file dialog remembers no folder ---------------------------------------------
@pytest.mark.parametrize("chooser", ["choose_files", "choose_folder", "choose_save_path"])
def test_file_dialogs_leave_no_folder_in_qt_settings(
    qtbot, controller, location, tmp_path, chooser
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    from safediary.gui import widgets

    secret = tmp_path / "Refuge flat Leeds"
    secret.mkdir()
    (secret / "photo.txt").write_text("x")

    def answer() -> None:
        dialogs = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QFileDialog) and w.isVisible()
        ]
        if not dialogs:
            QTimer.singleShot(50, answer)
            return
        dialogs[0].setDirectory(str(secret))
        dialogs[0].selectFile("photo.txt")
        dialogs[0].done(QFileDialog.DialogCode.Accepted)

    QTimer.singleShot(50, answer)
    fn = getattr(widgets, chooser)
    if chooser == "choose_save_path":
        fn(None, "Save", "report.pdf")
    else:
        fn(None, "Choose")
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # any late destructor
    conf = location.root / "qt" / "QtProject.conf"
    text = conf.read_text("latin-1") if conf.exists() else ""
    assert "Refuge" not in text and str(tmp_path) not in text


def test_folders_remembered_by_an_older_version_are_forgotten_at_start(qtbot, location) -> None:  # type: ignore[no-untyped-def]
    from safediary.gui.application import AppController, keep_qt_settings_inside

    conf = location.root / "qt" / "QtProject.conf"
    conf.parent.mkdir()
    conf.write_text("[FileDialog]\nlastVisited=file:///home/me/Refuge\nhistory=file:///x\n")
    keep_qt_settings_inside(location)
    AppController(location)
    assert "Refuge" not in conf.read_text()


# -- item 10: a name cannot disguise its extension on screen ---------------------------------
def test_the_evidence_list_and_viewer_show_bidi_controls(qtbot, vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    evidence_id = _add(vault, tmp_path, "invoice-\u202efdp.exe", b"MZ\x90\x00 not a pdf")
    incident_id = vault.evidence.get(evidence_id).incident_ids[0]
    window = MainWindow(vault)
    qtbot.addWidget(window)
    editor = window.open_editor(incident_id)
    panel = editor.evidence_panel
    shown = panel.tree.topLevelItem(0).text(1)
    assert shown == "invoice-[U+202E RIGHT-TO-LEFT OVERRIDE]fdp.exe"
    viewer = panel.view(evidence_id)
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        pass
    assert "\u202e" not in viewer.fields["name"].text()
    assert "[U+202E" in viewer.fields["name"].text()
    viewer.close()
    window.close_dialogs()


# -- item 6: huge text evidence -------------------------------------------------------------
def test_huge_text_evidence_shows_its_beginning_without_stalling(qtbot, vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from safediary.gui.evidence.preview import TEXT_SHOWN_BYTES

    path = tmp_path / "messages.txt"
    line = "you can't hide from me, I see everything you do " * 400 + "\n"  # 20 KB lines
    with path.open("w") as out:
        for _ in range((40 << 20) // len(line)):  # 40 MB
            out.write(line)
    inc = vault.incidents.add(occurred_at=datetime.now(UTC), description="texts")
    evidence_id = vault.evidence.add_file(path, incident_id=inc.id).id
    path.unlink()
    beat = Heartbeat()
    viewer = EvidenceViewer(vault, evidence_id)
    viewer.show()
    with qtbot.waitSignal(viewer.loaded, timeout=15000):
        pass
    QApplication.processEvents()
    worst = beat.worst_gap()
    text = viewer.text_view.toPlainText()
    assert worst < 1.0, f"the window stalled for {worst:.2f} s"
    assert TEXT_SHOWN_BYTES // 2 < len(text) < TEXT_SHOWN_BYTES + 2000
    assert text.rstrip().endswith("saves the whole file.]")
    assert max(len(row) for row in text.splitlines()) <= 1000  # long lines folded
    viewer.close()


def test_more_pages_come_after_the_first_and_before_the_footer(qtbot, vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    for n in range(12):
        page.drawString(72, 720, f"page {n + 1}")
        page.showPage()
    page.save()
    evidence_id = _add(vault, tmp_path, "twelve.pdf", out.getvalue())
    viewer = EvidenceViewer(vault, evidence_id)
    viewer.show()
    with qtbot.waitSignal(viewer.loaded, timeout=15000):
        pass
    assert viewer.pages.page_count == 10
    assert viewer.pages_label.text() == "Showing pages 1–10 of 12."
    viewer.more_button.click()
    qtbot.waitUntil(lambda: viewer.pages.page_count == 12, timeout=15000)
    layout = viewer.pages._layout
    names = [layout.itemAt(i).widget().accessibleName() for i in range(layout.count() - 1)]
    assert names == [f"Page {n}" for n in range(1, 13)]  # the footer stays last
    assert viewer.pages_label.text() == "12 pages."
    viewer.close()
