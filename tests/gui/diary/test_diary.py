"""The diary itself: add, amend, search, filter, evidence, drafts, people, help, settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from safediary.core.timeutil import now
from safediary.gui import widgets
from safediary.gui.diary.editor import IncidentEditor
from safediary.gui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def window(qtbot, vault):
    win = MainWindow(vault)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_dialogs()


def _editor(window) -> IncidentEditor:
    return next(d for d in window.dialogs if isinstance(d, IncidentEditor))


def _write(editor: IncidentEditor, where: str, what: str, kinds=("text_message",)) -> None:
    editor.location.setText(where)
    editor.description.setPlainText(what)
    for kind in kinds:
        editor.kind_boxes[kind].setChecked(True)
    if editor.occurred_at.when() is None:
        editor.occurred_at.set_now()


def test_add_incident_shows_in_table(qtbot, window, vault):
    assert window.model.rowCount() == 0
    qtbot.mouseClick(window.findChild(object, "newIncidentButton"), Qt.MouseButton.LeftButton)
    editor = _editor(window)
    assert editor.values()["occurred_at"] is None  # asked, never silently "now"
    _write(editor, "Outside work", "He waited by my car.\nSecond line.", ("at_work", "threat"))
    editor.approximate.setChecked(True)
    editor.witnesses.setPlainText("Sam from the office")
    editor.police_reference.setText("CR/1/24")
    editor.reported_to.setText("Police 101")
    editor.tags.setText("car park, work")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "Saved as entry 1" in editor.banner.text()

    [incident] = vault.incidents.list()
    assert incident.kinds == {"at_work", "threat"}
    assert incident.approximate and incident.tags == ("car park", "work")
    assert window.model.rowCount() == 1
    row = [window.model.index(0, c).data() for c in range(7)]
    assert row[0] == "1" and row[2] == "Outside work"
    assert row[4] == "He waited by my car."
    assert row[6] == "Police 101 · CR/1/24"
    assert row[1].startswith("about ")


def test_amend_keeps_history_and_says_so(qtbot, window, vault):
    inc = vault.incidents.add(occurred_at=now(), location="Bus stop", description="First words")
    window.refresh()
    window.table.selectRow(0)
    window._open_index(window.model.index(0, 0))
    editor = _editor(window)
    assert editor.incident_id == inc.id
    assert editor.description.toPlainText() == "First words"
    editor.save()
    assert "Nothing has changed" in editor.banner.text()
    editor.description.setPlainText("First words, corrected")
    editor.save()
    assert "version 2" in editor.banner.text() and "earlier version is kept" in editor.banner.text()
    history = vault.incidents.history(inc.id)
    assert [r.incident.description for r in history] == ["First words", "First words, corrected"]
    assert history[0].incident.occurred_at == inc.occurred_at  # untouched fields stay exact
    assert editor.history_list.count() == 2
    editor.history_list.setCurrentRow(1)  # the oldest
    assert "First words" in editor.history_view.toPlainText()
    assert "corrected" not in editor.history_view.toPlainText()


def test_close_with_unsaved_changes_asks(qtbot, window, vault, monkeypatch):
    answers = ["Keep editing", "Discard changes"]
    asked = []

    def fake_ask(parent, title, text, choices):
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(widgets, "ask", fake_ask)
    editor = window.open_editor(None)
    _write(editor, "Home", "Knocking at the door")
    editor.close()
    assert editor.isVisible() and asked == ["Unsaved changes"]
    editor.close()
    assert not editor.isVisible()
    assert vault.incidents.count() == 0


def test_lock_keeps_unsaved_text_as_draft_and_offers_it_again(qtbot, controller, location):
    from safediary.core import Vault
    from tests.conftest import PASSPHRASE

    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    controller.on_opened(vault)
    editor = controller.main_window.open_editor(None)
    _write(editor, "Park", "He followed me round the park")
    unlock = controller.lock()
    assert vault.is_locked and not editor.isVisible()

    unlock.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(unlock.opened, timeout=10000):
        unlock.try_unlock()
    main = controller.main_window
    qtbot.waitUntil(lambda: any(isinstance(d, IncidentEditor) for d in main.dialogs))
    restored = _editor(main)
    assert restored.description.toPlainText() == "He followed me round the park"
    assert "has not been saved" in restored.banner.text()
    restored.save()
    assert controller.vault.incidents.count() == 1
    assert controller.vault.drafts.keys() == []


def test_search_and_filters(qtbot, window, vault):
    base = now().replace(hour=12)
    vault.incidents.add(
        occurred_at=base - timedelta(days=40),
        location="Old",
        kinds={"letter"},
        description="An old letter arrived",
    )
    vault.incidents.add(
        occurred_at=base - timedelta(days=2),
        location="Phone",
        kinds={"text_message"},
        description="Texts about the party",
    )
    vault.incidents.add(
        occurred_at=base,
        location="Street",
        kinds={"following"},
        description="Followed me home from the party",
    )
    window.refresh()
    assert window.model.rowCount() == 3
    assert window.model.index(0, 2).data() == "Street"  # newest first by default
    window.order_box.setCurrentIndex(1)
    assert window.model.index(0, 2).data() == "Old"

    qtbot.keyClicks(window.search_field, "party")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert "Showing 2 of 3" in window.status_label.text()

    window.kind_box.setCurrentIndex(window.kind_box.findData("following"))
    assert window.model.rowCount() == 1
    window.clear_filters()
    assert window.model.rowCount() == 3

    today = QDate.currentDate()
    window.from_date.setDate(today.addDays(-10))
    window.to_date.setDate(today)
    window.date_box.setChecked(True)
    assert window.model.rowCount() == 2
    window.from_date.setDate(today.addDays(-60))
    window.to_date.setDate(today.addDays(-30))
    assert [window.model.index(r, 2).data() for r in range(window.model.rowCount())] == ["Old"]


def test_user_text_is_plain_in_the_table_tooltip(qtbot, window, vault):
    vault.incidents.add(occurred_at=now(), description="<b>bold</b> <img src='x'>")
    window.refresh()
    tip = window.model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip and "&lt;b&gt;" in tip


def test_add_evidence_view_verify_export(qtbot, window, vault, tmp_path, monkeypatch):
    photo = tmp_path / "screenshot.png"
    photo.write_bytes(PNG)
    note = tmp_path / "message.txt"
    note.write_text("You can't hide from me\n", encoding="utf-8")
    editor = window.open_editor(None)
    _write(editor, "Phone", "Threatening message")
    panel = editor.evidence_panel
    monkeypatch.setattr(widgets, "choose_files", lambda *a, **k: [photo, note])
    with qtbot.waitSignal(panel.import_finished, timeout=20000):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert vault.incidents.count() == 1  # the new entry was saved first
    assert panel.tree.topLevelItemCount() == 2
    assert "Added 2 files" in panel.message.text()
    assert photo.read_bytes() == PNG  # the original is untouched
    assert window.model.index(0, 5).data() == "2"

    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    viewer = panel.view_selected()
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        pass
    assert viewer.image_label.pixmap() is not None and not viewer.image_label.pixmap().isNull()
    assert viewer.fields["name"].text() == "screenshot.png"
    assert viewer.fields["sha256"].text().replace("\n", "") == viewer.record.sha256
    viewer.zoom(2.0)
    with qtbot.waitSignal(viewer.verified, timeout=10000) as blocker:
        qtbot.mouseClick(viewer.verify_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True] and "OK" in viewer.verify_label.text()

    dest = tmp_path / "out" / "copy.png"
    dest.parent.mkdir()
    monkeypatch.setattr(widgets, "ask", lambda *a: "Export a copy")
    monkeypatch.setattr(widgets, "choose_save_path", lambda *a, **k: dest)
    with qtbot.waitSignal(viewer.exported, timeout=10000):
        viewer.export()
    assert dest.read_bytes() == PNG
    viewer.close()

    text_viewer = panel.view(int(panel.evidence_ids()[1]))
    with qtbot.waitSignal(text_viewer.loaded, timeout=10000):
        pass
    assert text_viewer.text_view.toPlainText() == "You can't hide from me\n"


def test_pdf_evidence_is_shown_from_memory(qtbot, window, vault, tmp_path):
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "letter.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(100, 750, "Letter")
    c.save()
    inc = vault.incidents.add(occurred_at=now(), description="Letter")
    ev = vault.evidence.add_file(pdf, incident_id=inc.id)
    pdf.unlink()  # shown from the vault, not from the original
    editor = window.open_editor(inc.id)
    viewer = editor.evidence_panel.view(ev.id)
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        pass
    assert viewer.stack.currentWidget().objectName() == "evidencePdf"
    assert viewer.pages.page_count == 1
    assert viewer.pages_label.text() == "1 page."


def test_cancel_import_leaves_nothing(qtbot, window, vault, tmp_path):
    big = tmp_path / "video.bin"
    big.write_bytes(b"\0" * (8 << 20))
    inc = vault.incidents.add(occurred_at=now(), description="Video")
    editor = window.open_editor(inc.id)
    panel = editor.evidence_panel
    task = panel.add_paths([big])
    task.cancel()
    with qtbot.waitSignal(panel.import_finished, timeout=20000):
        pass
    assert "Stopped" in panel.message.text() or panel.tree.topLevelItemCount() == 1
    assert vault.evidence.count() == panel.tree.topLevelItemCount()


def test_people_dialog_and_picker(qtbot, window, vault):
    dialog = window.open_people()
    form = dialog.add()
    form.name.setText("")
    form.save()
    assert "name" in form.message.text().lower()
    form.name.setText("Unknown man")
    form.save()
    form = dialog.add()
    form.name.setText("Mark")
    form.relationship.setText("ex-partner")
    form.save()
    assert dialog.list.count() == 2
    dialog.list.setCurrentRow(1)
    dialog.put_first()
    assert vault.people.list()[0].name == "Mark"

    editor = window.open_editor(None)
    assert editor.people_list.count() == 2
    editor.people_list.item(0).setCheckState(Qt.CheckState.Checked)
    _write(editor, "Home", "Mark at the door", ("at_home",))
    editor.save()
    assert vault.incidents.list()[0].people == (vault.people.list()[0].id,)


def test_help_pages_and_contacts_saved_in_vault(qtbot, window, vault):
    help_window = window.open_help()
    assert help_window.index.count() >= 5
    page = help_window.contacts_page
    assert any(
        page.table.item(r, 1).text() == "0808 802 0300" for r in range(page.table.rowCount())
    )
    page.add_row()
    row = page.table.rowCount() - 1
    page.table.item(row, 0).setText("Local support")
    page.table.item(row, 1).setText("letters")
    assert not page.save()
    assert "Not saved" in page.message.text()
    page.table.item(row, 1).setText("+353 1 234 5678")
    assert page.save()
    assert "Local support" in vault.kv.get("contacts")


def test_settings_saved_in_ini(qtbot, controller, location, vault):
    controller.on_opened(vault)
    main = controller.main_window
    dialog = main.open_settings()
    dialog.auto_lock.setValue(9)
    dialog.disguise.setChecked(True)
    dialog.paper.setCurrentIndex(1)
    dialog.accept()
    assert main.windowTitle() == "Notes"
    text = location.settings_file.read_text()
    assert "auto_lock_minutes=9" in text and "paper_size=Letter" in text


def test_report_button_without_report_module_says_so(qtbot, window, monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert window.open_report() is None


def test_every_control_has_an_accessible_name(qtbot, window, vault):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

    editor = window.open_editor(None)
    missing = [
        w.objectName() or w.metaObject().className()
        for root in (window, editor)
        for kind in (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox)
        for w in root.findChildren(kind)
        if w.isVisibleTo(root)
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and not isinstance(w.parentWidget(), (QComboBox,))
        and w.metaObject().className() not in ("QLineEdit", "QToolButton")
    ]
    assert missing == []
