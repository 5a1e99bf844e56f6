"""'Bundle for the police': warnings, a folder, progress, Cancel, and the finished folder."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from safediary.core import Vault
from safediary.core.report import ReportOptions
from safediary.gui.report.bundle import BundleDialog
from safediary.gui.report.dialog import ReportDialog

T0 = datetime(2026, 3, 2, 21, 40, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def diary(vault: Vault, tmp_path: Path) -> Vault:
    entry = vault.incidents.add(occurred_at=T0, description="He sent this")
    shot = tmp_path / "screenshot.png"
    Image.new("RGB", (200, 400), (240, 240, 240)).save(shot, "PNG")
    vault.evidence.add_file(shot, incident_id=entry.id)
    return vault


def _open(qtbot: QtBot, vault: Vault, options: ReportOptions) -> BundleDialog:
    dialog = BundleDialog(vault, options)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_dialog_warns_before_anything_is_written(qtbot: QtBot, diary: Vault) -> None:
    dialog = _open(qtbot, diary, ReportOptions())
    warning = dialog.findChild(type(dialog.status), "bundleWarning")
    disclosure = dialog.findChild(type(dialog.status), "bundleDisclosure")
    assert warning is not None and "without encryption" in warning.text()
    assert disclosure is not None and "defence" in disclosure.text()
    assert not dialog.start_button.isEnabled()  # no folder chosen yet


def test_making_a_bundle_shows_progress_and_the_result(
    qtbot: QtBot, diary: Vault, tmp_path: Path
) -> None:
    dialog = _open(qtbot, diary, ReportOptions(user_name="Rita West"))
    out = tmp_path / "stick"
    out.mkdir()
    dialog.choose_folder = lambda: out  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.start_button.isEnabled()
    dialog.zip_check.setChecked(True)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.progress.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    folder = dialog.result_folder
    assert folder is not None and folder.parent == out
    assert "Done" in dialog.status.text() and folder.name in dialog.status.text()
    copy = folder / "RW-1 screenshot.png"
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == diary.evidence.list()[0].sha256
    assert folder.with_name(folder.name + ".zip").exists()


def test_cancel_stops_and_writes_nothing(qtbot: QtBot, vault: Vault, tmp_path: Path) -> None:
    for n in range(120):
        vault.incidents.add(occurred_at=T0 + timedelta(hours=n), description="word " * 300)
    dialog = _open(qtbot, vault, ReportOptions())
    out = tmp_path / "new folder"
    dialog.choose_folder = lambda: out  # type: ignore[method-assign]
    dialog.choose()
    dialog.start()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    assert "Nothing was written" in dialog.status.text()
    assert not out.exists() or not any(out.iterdir())


def test_the_report_window_opens_it_with_its_options_and_warns_of_disclosure(
    qtbot: QtBot, diary: Vault
) -> None:
    report = ReportDialog(diary)
    qtbot.addWidget(report)
    report.show()
    qtbot.waitExposed(report)
    note = report.findChild(type(report.status), "disclosureNote")
    assert note is not None and "defence" in note.text()
    report.prefix_field.setText("ab")
    report.impact_check.setChecked(False)
    dialog = report.open_bundle()
    assert dialog is not None
    assert dialog.report_options.exhibit_prefix == "AB"
    assert dialog.report_options.include_impact is False
    assert dialog.report_options.include_feelings is True
    report.force_close()
    assert not dialog.isVisible()
