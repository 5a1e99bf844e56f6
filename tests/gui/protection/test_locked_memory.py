"""After lock, no diary text is left in the app's Python objects (models, caches, options)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from safediary.core import Vault
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.gui

MARK = "".join(["zq", "xw", "-", "7731", "-canary"])  # never appears whole in this file


def holders_of(mark: str) -> list[str]:
    """Every gc-tracked container (list, dict, tuple, set, object) holding text with ``mark``."""
    found = []
    for obj in gc.get_objects():
        try:
            if isinstance(obj, dict):
                values: Any = obj.values()
            elif isinstance(obj, list | tuple | set | frozenset):
                values = obj
            else:
                continue
            for value in values:
                if isinstance(value, str) and mark in value and value != mark:
                    found.append(f"{type(obj).__name__}: {value[:80]!r}")
                    break
        except Exception:
            continue
    return found


def shown_by_qt(mark: str) -> list[str]:
    """Text with ``mark`` still held by any live widget or item model (C++ side too)."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QPlainTextEdit, QTextEdit

    found = []
    for widget in QApplication.allWidgets():
        texts: list[str] = []
        if isinstance(widget, QLineEdit | QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # list models keep columnCount private
                columns = 1
            for row in range(min(model.rowCount(QModelIndex()), 500)):
                for col in range(columns):
                    value = model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)
                    texts.append(str(value))
        found += [f"{type(widget).__name__}: {t[:60]!r}" for t in texts if mark in t]
    return found


def test_a_locked_app_holds_no_diary_text(qtbot, controller, location, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from safediary.gui.evidence.viewer import EvidenceViewer

    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    letter = tmp_path / "letter.txt"
    letter.write_text(f"I know where you are {MARK}\n" * 50)
    for n in range(30):
        vault.incidents.add(
            occurred_at=datetime.now(UTC),
            location=f"outside {MARK} house {n}",
            kinds={"watching"},
            description=f"He stood there {MARK} for {n} hours",
            feelings=f"scared {MARK}",
        )
    controller.on_opened(vault)
    window = controller.main_window
    qtbot.waitExposed(window)
    first = vault.incidents.list()[0].id
    evidence = vault.evidence.add_file(letter, incident_id=first)
    letter.unlink()
    editor = window.open_editor(first)
    qtbot.waitExposed(editor)
    viewer = EvidenceViewer(vault, evidence.id, window)
    viewer.show()
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        pass
    report = window.open_report()
    if report is not None:
        qtbot.waitExposed(report)
        report.make_button.click()
        qtbot.waitUntil(lambda r=report: bool(r.pdf), timeout=30000)
    QApplication.processEvents()
    assert holders_of(MARK) and shown_by_qt(MARK)  # the probes work while it is open
    del window, editor, report, vault, viewer
    controller.lock()
    for _ in range(3):
        QApplication.processEvents()
        gc.collect()
    assert holders_of(MARK) == []
    assert shown_by_qt(MARK) == []
