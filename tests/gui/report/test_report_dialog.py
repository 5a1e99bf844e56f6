"""The report dialog: make in a worker, preview from memory, save, print, export, stop."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QDir, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from safediary.core import Vault
from safediary.gui import widgets
from safediary.gui.report.dialog import ReportDialog
from safediary.gui.workers import runner
from safediary.host import spool

T0 = datetime(2026, 3, 2, 21, 40, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def diary(vault: Vault) -> Vault:
    him = vault.people.add("Daniel Reeve")
    for n in range(6):
        vault.incidents.add(
            occurred_at=T0 + timedelta(days=n),
            kinds={"following"} if n % 2 else {"text_message"},
            description=f"ENTRY-{n} <b>typed</b>",
            police_reference=f"REF-{n}",
            people=[him.id],
        )
    vault.incidents.add(
        occurred_at=T0, kinds={"following"}, description="PRIVATE-ONE", private=True
    )
    return vault


def _open(qtbot: QtBot, vault: Vault) -> ReportDialog:
    dialog = ReportDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _make(qtbot: QtBot, dialog: ReportDialog) -> None:
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.save_button.isEnabled(), timeout=30000)


def _text(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_make_report_shows_a_preview_from_memory(
    qtbot: QtBot, diary: Vault, tmp_path: Path
) -> None:
    dialog = _open(qtbot, diary)
    assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled()
    _make(qtbot, dialog)
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() >= 4
    assert "ready" in dialog.status.text()
    assert dialog.progress.isHidden()
    text = _text(dialog.pdf)
    assert "ENTRY-5 <b>typed</b>" in text and "PRIVATE-ONE" not in text


def test_options_reach_the_report(qtbot: QtBot, diary: Vault) -> None:
    dialog = _open(qtbot, diary)
    dialog.private_check.setChecked(True)
    dialog.name_field.setText("Anna <i>Nowak</i>")
    dialog.statement_field.setPlainText("MY-STATEMENT")
    following = next(
        dialog.kinds_list.item(r)
        for r in range(dialog.kinds_list.count())
        if dialog.kinds_list.item(r).data(Qt.ItemDataRole.UserRole) == "text_message"
    )
    following.setCheckState(Qt.CheckState.Unchecked)
    dialog.paper_combo.setCurrentIndex(1)
    options = dialog.options()
    assert options.include_private and options.paper == "Letter"
    assert options.kinds is not None and "text_message" not in options.kinds
    _make(qtbot, dialog)
    text = _text(dialog.pdf)
    assert "PRIVATE-ONE" in text and "MY-STATEMENT" in text and "Anna <i>Nowak</i>" in text
    assert "ENTRY-1" in text and "ENTRY-0" not in text


def test_changing_options_marks_the_preview_out_of_date(qtbot: QtBot, diary: Vault) -> None:
    dialog = _open(qtbot, diary)
    _make(qtbot, dialog)
    dialog.feelings_check.setChecked(False)
    assert not dialog.save_button.isEnabled()
    assert "again" in dialog.status.text()


def test_save_as_writes_the_previewed_pdf(qtbot: QtBot, diary: Vault, tmp_path: Path) -> None:
    dialog = _open(qtbot, diary)
    _make(qtbot, dialog)
    target = tmp_path / "out" / "my report"
    target.parent.mkdir()
    dialog.choose_path = lambda *a: target  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = target.with_name("my report.pdf")
    qtbot.waitUntil(lambda: "Saved" in dialog.status.text(), timeout=10000)
    assert saved.read_bytes() == dialog.pdf
    assert [p.name for p in saved.parent.iterdir()] == ["my report.pdf"]


def test_export_csv_and_json(qtbot: QtBot, diary: Vault, tmp_path: Path) -> None:
    dialog = _open(qtbot, diary)
    dialog.choose_path = lambda *a: tmp_path / "data"  # type: ignore[method-assign]
    dialog.export_data("json")
    qtbot.waitUntil(lambda: "Exported" in dialog.status.text(), timeout=10000)
    doc = json.loads((tmp_path / "data.json").read_text("utf-8"))
    assert len(doc["incidents"]) == 6
    dialog.status.setText("")
    dialog.export_data("csv")
    qtbot.waitUntil(lambda: "Exported" in dialog.status.text(), timeout=10000)
    assert "ENTRY-3" in (tmp_path / "data.csv").read_text("utf-8-sig")


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The person reads the print warning and chooses Print; the spool is under tmp_path."""
    seen: list[str] = []

    def answer(_parent: object, title: str, text: str, choices: list[str]) -> str:
        seen.append(text)
        return "Print"

    monkeypatch.setattr(widgets, "ask", answer)
    spool.configure(tmp_path / "data")
    return seen


def test_print_paints_every_page(
    qtbot: QtBot, diary: Vault, tmp_path: Path, warned: list[str]
) -> None:
    dialog = _open(qtbot, diary)
    _make(qtbot, dialog)
    out = tmp_path / "printed.pdf"
    temp_before = QDir.tempPath()

    def fake_dialog(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(72)
        return True

    dialog.print_dialog = fake_dialog  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert "print queue" in warned[0]
    assert dialog.printing and dialog.stop_button.isVisible()
    # while it prints, Qt's temporary print file would be made in <data>/spool, not /tmp
    assert Path(QDir.tempPath()) == tmp_path / "data" / "spool"
    qtbot.waitUntil(lambda: not dialog.printing, timeout=30000)
    assert QDir.tempPath() == temp_before
    assert list((tmp_path / "data" / "spool").iterdir()) == []
    assert "sent to the printer" in dialog.status.text()
    assert len(pypdf.PdfReader(out).pages) == dialog.document.pageCount()
    assert dialog.save_button.isEnabled()


def test_nothing_is_printed_without_the_warning(
    qtbot: QtBot, diary: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = _open(qtbot, diary)
    _make(qtbot, dialog)
    monkeypatch.setattr(widgets, "ask", lambda *_a: "Cancel")
    asked: list[QPrinter] = []
    dialog.print_dialog = lambda printer: asked.append(printer) or True  # type: ignore[method-assign]
    dialog.print_report()
    assert asked == [] and not dialog.printing


def test_print_leftovers_go_on_the_next_start_and_on_quick_exit(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "spool"
    folder.mkdir(parents=True)
    (folder / "qt_temp.abc123").write_bytes(b"%PDF- the whole report")
    spool.configure(tmp_path / "data")  # what the app does when it starts
    assert list(folder.iterdir()) == []
    with spool.printing():
        (folder / "qt_temp.def456").write_bytes(b"%PDF- half a report")
        assert spool.clear() == 1  # what quick exit does, mid-print
    assert list(folder.iterdir()) == []


def test_printing_can_be_stopped(
    qtbot: QtBot, diary: Vault, tmp_path: Path, warned: list[str]
) -> None:
    dialog = _open(qtbot, diary)
    _make(qtbot, dialog)

    def fake_dialog(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        return True

    dialog.print_dialog = fake_dialog  # type: ignore[method-assign]
    dialog.print_report()
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.printing, timeout=30000)
    assert "stopped" in dialog.status.text()
    assert dialog.make_button.isVisible()


def test_stop_cancels_the_worker(qtbot: QtBot, vault: Vault) -> None:
    for n in range(150):
        vault.incidents.add(occurred_at=T0 + timedelta(hours=n), description="word " * 400)
    dialog = _open(qtbot, vault)
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.stop_button.isVisible()
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    assert "stopped" in dialog.status.text()
    assert not dialog.pdf and not dialog.save_button.isEnabled()
    assert dialog.make_button.isVisible()


def test_force_close_while_working_stops_the_worker(qtbot: QtBot, vault: Vault) -> None:
    for n in range(100):
        vault.incidents.add(occurred_at=T0 + timedelta(hours=n), description="word " * 400)
    dialog = _open(qtbot, vault)
    dialog.make_report()
    dialog.force_close()
    assert not dialog.isVisible()
    assert runner().wait(30000)


def test_saving_or_exporting_warns_first_that_it_is_not_encrypted(
    qtbot: QtBot, diary: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 11: a plain warning before any unencrypted file is written."""
    from safediary.gui import widgets
    from safediary.gui.report import dialog as dialogmod

    asked: list[str] = []
    answer = ["Cancel"]
    monkeypatch.setattr(widgets, "ask", lambda p, t, text, choices: asked.append(text) or answer[0])
    chosen: list[str] = []
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(dialogmod, "choose_save_path", lambda *a: chosen.append(a[2]) or out / "x")
    dialog = _open(qtbot, diary)
    _make(qtbot, dialog)
    dialog.save_report()
    assert "NOT be encrypted" in asked[0] and "USB stick" in asked[0]
    assert chosen == [] and list(out.iterdir()) == []  # cancelled: nothing written
    answer[0] = "Choose where to save"
    dialog.export_data("csv")
    assert asked[1].startswith("The exported data") and chosen and chosen[0].endswith(".csv")
