"""Settings: the after-exit choice and the backup reminder reach the app and the INI file."""

from __future__ import annotations

import pytest

from safediary.gui.protection.quick_exit import AfterExitKind

pytestmark = pytest.mark.gui


def _protection(controller):  # type: ignore[no-untyped-def]
    from safediary.gui.protection import quick_exit as quickexit

    return quickexit._protection


def test_after_exit_web_page_is_saved_and_used(qtbot, controller, location, vault):
    controller.on_opened(vault)
    dialog = controller.main_window.open_settings()
    dialog.after_exit.setCurrentIndex(dialog.after_exit.findData("web"))
    dialog.after_exit_target.setText("https://www.bbc.co.uk/weather")
    dialog.backup_days.setValue(30)
    dialog.accept()
    text = location.settings_file.read_text()
    assert "after_exit_kind=web" in text and "backup_reminder_days=30" in text
    after = _protection(controller).quick_exit.after_exit
    assert after.kind is AfterExitKind.WEB_PAGE
    assert after.target == "https://www.bbc.co.uk/weather"


@pytest.mark.parametrize(
    ("kind", "target"),
    [("web", "not a web address"), ("web", ""), ("program", "no-such-program-here-xyz")],
)
def test_after_exit_choice_that_cannot_work_is_refused(qtbot, controller, vault, kind, target):
    controller.on_opened(vault)
    dialog = controller.main_window.open_settings()
    dialog.after_exit.setCurrentIndex(dialog.after_exit.findData(kind))
    dialog.after_exit_target.setText(target)
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.after_exit_problem.isVisible() and dialog.after_exit_problem.text()
    dialog.after_exit.setCurrentIndex(dialog.after_exit.findData("nothing"))
    dialog.accept()
    assert not dialog.isVisible()
    assert _protection(controller).quick_exit.after_exit.kind is AfterExitKind.NOTHING


def test_fields_keep_their_height_and_words_their_plural(qtbot, vault) -> None:
    """Issue 13 item 12: the Safety group was squashed until fields clipped ("1 minutes")."""
    from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox

    from safediary.gui.main_window import MainWindow
    from safediary.gui.settings.preferences import Preferences

    window = MainWindow(vault, prefs=Preferences(auto_lock_minutes=1, backup_reminder_days=1))
    qtbot.addWidget(window)
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    free = dialog.screen().availableGeometry()
    assert dialog.frameGeometry().height() <= free.height()
    assert dialog.auto_lock.text() == "1 minute" and dialog.backup_days.text() == "1 day"
    dialog.auto_lock.setValue(5)
    assert dialog.auto_lock.text() == "5 minutes"
    dialog.auto_lock.setValue(0)
    assert dialog.auto_lock.text() == "Never"
    for field in (
        dialog.findChildren(QSpinBox)
        + dialog.findChildren(QComboBox)
        + dialog.findChildren(QLineEdit)
    ):
        if field.isVisible() and not field.objectName().startswith("qt_"):
            assert field.height() >= field.sizeHint().height(), field.objectName()
