"""Quick exit: the button and Shift pressed three times hide every window and end the app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from safediary.core import Vault
from safediary.gui.protection import clipboard as clip
from safediary.gui.protection import quick_exit as quick_exit_module
from safediary.gui.protection.quick_exit import (
    AfterExit,
    AfterExitKind,
    QuickExit,
    QuickExitButton,
    QuickExitIndicator,
)
from tests.conftest import PASSPHRASE


class ExitRecorder:
    """Stands in for os._exit and the vault lock; remembers what the windows looked like."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.locked = 0
        self.visible_at_lock: list[str] = []
        self.visible_at_exit: list[str] = []

    def lock(self) -> None:
        self.locked += 1
        self.visible_at_lock = _visible()

    def exit(self, status: int) -> None:
        self.statuses.append(status)
        self.visible_at_exit = _visible()


def _visible() -> list[str]:
    return [
        w.objectName() or type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()
    ]


@pytest.fixture
def recorder() -> ExitRecorder:
    return ExitRecorder()


@pytest.fixture
def quick(qapp: QApplication, recorder: ExitRecorder) -> Iterator[QuickExit]:
    qe = QuickExit(qapp, recorder.lock, exit_func=recorder.exit, window_ms=5000)
    yield qe
    qe.uninstall()
    qe.deleteLater()


@pytest.fixture
def window(qtbot) -> QMainWindow:  # type: ignore[no-untyped-def]
    win = QMainWindow()
    win.setObjectName("mainWindow")
    central = QWidget()
    layout = QVBoxLayout(central)
    win.field = QLineEdit()  # type: ignore[attr-defined]
    win.field.setObjectName("field")  # type: ignore[attr-defined]
    layout.addWidget(win.field)  # type: ignore[attr-defined]
    win.button = QuickExitButton()  # type: ignore[attr-defined]
    layout.addWidget(win.button)  # type: ignore[attr-defined]
    win.setCentralWidget(central)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.field.setFocus()  # type: ignore[attr-defined]
    return win


def shift(target: QWidget) -> None:
    QTest.keyPress(target, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyRelease(target, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)


def test_button_hides_every_window_then_locks_and_exits(
    qtbot, quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    other = QWidget()
    other.setObjectName("second")
    qtbot.addWidget(other)
    other.show()
    button = window.findChild(QuickExitButton, "quickExitButton")
    assert button is not None
    assert button.accessibleName() == "Quick exit"
    assert "Shift three times" in button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert recorder.statuses == [0]
    assert recorder.locked == 1
    assert recorder.visible_at_lock == []  # hidden before the lock began
    assert not window.isVisible() and not other.isVisible()


def test_shift_three_times_from_main_window(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    seen: list[int] = []
    quick.progress.connect(seen.append)
    field = window.field  # type: ignore[attr-defined]
    shift(field)
    shift(field)
    assert recorder.statuses == []
    shift(field)
    assert seen == [1, 2, 3]
    assert recorder.statuses == [0] and recorder.locked == 1
    assert recorder.visible_at_lock == []
    assert not window.isVisible()


def test_shift_three_times_from_open_modal_dialog(
    qtbot, quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    dialog = QDialog(window)
    dialog.setObjectName("editor")
    edit = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(edit)
    dialog.layout().addWidget(QuickExitButton(dialog))

    def press_inside() -> None:
        assert QApplication.activeModalWidget() is dialog
        edit.setFocus()
        for _ in range(3):
            shift(edit)

    QTimer.singleShot(0, press_inside)
    dialog.exec()  # the quick exit ended the modal loop by hiding the dialog
    assert recorder.statuses == [0]
    assert recorder.visible_at_lock == []
    assert not dialog.isVisible() and not window.isVisible()


def test_button_inside_a_dialog(
    qtbot, quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    dialog = QDialog(window)
    button = QuickExitButton(dialog)
    QVBoxLayout(dialog).addWidget(button)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert recorder.statuses == [0]
    assert not dialog.isVisible() and not window.isVisible()


def test_shift_with_another_key_does_not_count(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    field = window.field  # type: ignore[attr-defined]
    for _ in range(3):  # Shift+A typed three times: a capital A, not a quick exit
        QTest.keyPress(field, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyRelease(field, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
    assert quick.count == 0
    assert recorder.statuses == []
    assert window.isVisible()
    assert field.text().lower() == "aaa"  # the keys still reached the field


def test_enter_that_closed_a_window_does_not_block_shift_after_another_activates(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    field = window.field  # type: ignore[attr-defined]
    # Enter unlocks the diary on its press; its release goes to the window that closed
    QTest.keyPress(field, Qt.Key.Key_Return)
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))  # the diary opens
    for _ in range(3):  # at once, within the moment a held key would still count
        shift(field)
    assert recorder.statuses == [0]


def test_shift_click_does_not_count(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    field = window.field  # type: ignore[attr-defined]
    for _ in range(3):  # Shift+click three times (choosing several rows): no quick exit
        QTest.keyPress(field, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
        QTest.mouseClick(field, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyRelease(field, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
    assert quick.count == 0
    assert recorder.statuses == []
    assert window.isVisible()


def test_other_key_between_presses_starts_again(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    field = window.field  # type: ignore[attr-defined]
    shift(field)
    shift(field)
    QTest.keyClick(field, Qt.Key.Key_B)
    shift(field)
    assert quick.count == 1
    assert recorder.statuses == []
    shift(field)
    shift(field)
    assert recorder.statuses == [0]


def test_a_key_whose_release_never_arrived_does_not_block_shift(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow, monkeypatch
) -> None:
    """Enter in a file chooser closes it on the press: its release goes to no widget."""
    field = window.field  # type: ignore[attr-defined]
    QTest.keyPress(field, Qt.Key.Key_Return)  # the release is lost with the closed dialog
    clock = [quick_exit_module.time.monotonic() + 2.0]  # a moment later: not held any more
    monkeypatch.setattr(quick_exit_module.time, "monotonic", lambda: clock[0])
    for _ in range(3):
        shift(field)
    assert recorder.statuses == [0]


def test_ctrl_shift_does_not_count(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    field = window.field  # type: ignore[attr-defined]
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    for _ in range(3):
        QTest.keyPress(field, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
        QTest.keyPress(field, Qt.Key.Key_Shift, ctrl_shift)
        QTest.keyRelease(field, Qt.Key.Key_Shift, Qt.KeyboardModifier.ControlModifier)
        QTest.keyRelease(field, Qt.Key.Key_Control, Qt.KeyboardModifier.NoModifier)
    assert recorder.statuses == []


def test_auto_repeat_does_not_count(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    field = window.field  # type: ignore[attr-defined]
    shifted = Qt.KeyboardModifier.ShiftModifier
    QTest.keyPress(field, Qt.Key.Key_Shift, shifted)
    for _ in range(4):  # holding Shift down: the system repeats the key
        for kind in (QEvent.Type.KeyRelease, QEvent.Type.KeyPress):
            QApplication.sendEvent(field, QKeyEvent(kind, Qt.Key.Key_Shift, shifted, "", True))
    assert recorder.statuses == []
    assert quick.count == 0
    QTest.keyRelease(field, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
    assert quick.count == 1  # one long press is one press


def test_pause_longer_than_the_window_starts_again(
    qtbot, qapp: QApplication, recorder: ExitRecorder, window: QMainWindow
) -> None:
    quick = QuickExit(qapp, recorder.lock, exit_func=recorder.exit, window_ms=150)
    try:
        field = window.field  # type: ignore[attr-defined]
        seen: list[int] = []
        quick.progress.connect(seen.append)
        shift(field)
        shift(field)
        assert seen[:2] == [1, 2]
        qtbot.waitUntil(lambda: 0 in seen, timeout=5000)  # the window passed, no third press
        assert quick.count == 0
        shift(field)
        assert quick.count == 1
        assert recorder.statuses == []
        assert window.isVisible()
    finally:
        quick.uninstall()


def test_progress_shows_discreetly(
    qtbot, quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    indicator = QuickExitIndicator(window.centralWidget(), quick)
    window.centralWidget().layout().addWidget(indicator)
    button = window.button  # type: ignore[attr-defined]
    assert indicator.isHidden()
    shift(window.field)  # type: ignore[attr-defined]
    assert indicator.isVisible()
    assert "2 more times" in indicator.label.text()
    assert "●○○" in button.text()
    quick.reset()
    assert indicator.isHidden()
    assert button.text() == "Quick exit"


def test_clipboard_holding_our_text_is_cleared(
    qapp: QApplication, quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    clip.copy_secret("he was outside the house at 9pm")
    quick.trigger()
    assert QApplication.clipboard().text() == ""
    assert recorder.statuses == [0]


def test_clipboard_holding_someone_elses_text_is_kept(
    qapp: QApplication, quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    clip.copy_secret("entry text")
    QApplication.clipboard().setText("shopping list")
    quick.trigger()
    assert QApplication.clipboard().text() == "shopping list"


def test_queued_work_cannot_stall_the_exit(
    quick: QuickExit, recorder: ExitRecorder, window: QMainWindow
) -> None:
    ran: list[str] = []
    # e.g. a worker's result arriving, whose slot would open a modal message box
    QTimer.singleShot(0, lambda: ran.append("slot"))
    quick.trigger()
    assert recorder.statuses == [0]
    assert ran == []  # the exit did not run pending events before ending


def test_slow_lock_does_not_hold_up_the_exit(qapp: QApplication, window: QMainWindow) -> None:
    import threading

    release = threading.Event()
    statuses: list[int] = []
    quick = QuickExit(qapp, lambda: release.wait(30), exit_func=statuses.append, lock_deadline=0.05)
    try:
        quick.trigger()  # a worker holds the database: the exit goes ahead without it
        assert statuses == [0]
    finally:
        release.set()
        quick.uninstall()


def test_after_exit_setting() -> None:
    assert AfterExit.from_setting(None, None).kind is AfterExitKind.NOTHING
    assert AfterExit.from_setting("web", "").kind is AfterExitKind.NOTHING
    assert AfterExit.from_setting("bogus", "x").kind is AfterExitKind.NOTHING
    page = AfterExit.from_setting("web", "https://www.bbc.co.uk/weather")
    assert page.kind is AfterExitKind.WEB_PAGE and page.problem() is None
    assert AfterExit.from_setting("web", "file:///etc/passwd").problem() is not None
    assert AfterExit.from_setting("program", "no-such-program-xyz").problem() is not None
    assert AfterExit().run() is False


# -- wired into the real app controller --------------------------------------------------
@pytest.fixture
def opened(qtbot, controller, location, monkeypatch):  # type: ignore[no-untyped-def]
    """The real controller with a vault open; QApplication.exit recorded, not run."""
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    vault.incidents.add(
        occurred_at=datetime.now(UTC), location="Bus stop", kinds={"watching"}, description="x"
    )
    controller.on_opened(vault)
    qtbot.waitExposed(controller.main_window)
    return controller, vault, exits


def test_shift_three_times_in_the_app_with_an_editor_open(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, vault, exits = opened
    main = controller.main_window
    editor = main.open_editor(None)
    qtbot.waitExposed(editor)
    assert editor.findChild(QPushButton, "quickExitButton") is not None
    editor.description.setFocus()
    for _ in range(3):
        shift(editor.description)
    assert exits == [0] and controller.exit_code == 0
    assert vault.is_locked and controller.vault is None
    assert not main.isVisible() and not editor.isVisible()
    with Vault.unlock(vault.folder, PASSPHRASE) as again:  # what was saved is still there
        assert again.incidents.count() == 1


def test_quick_exit_keeps_unsaved_writing_as_a_draft(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, vault, exits = opened
    editor = controller.main_window.open_editor(None)
    qtbot.waitExposed(editor)
    editor.description.setPlainText("He was outside the school gate again.")
    for _ in range(3):
        shift(editor.description)
    assert exits == [0] and vault.is_locked
    quick = controller.protection.quick_exit
    assert quick.timings["drafts"] - quick.timings["hidden"] < 0.05  # read, not yet written
    with Vault.unlock(vault.folder, PASSPHRASE) as again:  # kept, encrypted, for next time
        drafts = [again.drafts.load(key) for key in again.drafts.keys()]  # noqa: SIM118
    assert any("outside the school gate" in str(d) for d in drafts)


@pytest.mark.parametrize(
    "open_dialog", ["open_settings", "open_people", "open_help"], ids=lambda n: n[5:]
)
def test_every_dialog_offers_the_button(qtbot, opened, open_dialog: str) -> None:  # type: ignore[no-untyped-def]
    controller, vault, exits = opened
    dialog = getattr(controller.main_window, open_dialog)()
    qtbot.waitExposed(dialog)
    button = dialog.findChild(QPushButton, "quickExitButton")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert exits == [0] and vault.is_locked
    assert not dialog.isVisible() and not controller.main_window.isVisible()


def test_screen_lock_locks_the_diary(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, vault, exits = opened
    dialog = controller.main_window.open_settings()
    qtbot.waitExposed(dialog)
    controller.protection.screen.lockRequested.emit("screen locked")
    assert vault.is_locked and controller.vault is None
    assert not dialog.isVisible()
    assert controller.start_window is not None and controller.start_window.isVisible()
    assert exits == []


def test_idle_lock_in_the_app(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, vault, exits = opened
    editor = controller.main_window.open_editor(None)
    editor.description.setPlainText("not saved yet")
    controller.protection.idle.set_minutes(0.2 / 60)
    qtbot.waitUntil(lambda: vault.is_locked, timeout=5000)
    assert not isValid(editor) or not editor.isVisible()
    assert controller.start_window is not None
    with Vault.unlock(vault.folder, PASSPHRASE) as again:
        assert again.drafts.keys()  # the unsaved words were kept as an encrypted draft
    assert exits == []  # locked, not ended


def test_main_window_shows_shift_presses_discreetly(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, _vault, exits = opened
    main = controller.main_window
    indicator = main.findChild(QuickExitIndicator, "quickExitIndicator")
    assert indicator is not None and indicator.isHidden()
    size, minimum = main.size(), main.minimumSizeHint()
    shift(main)
    assert indicator.isVisible() and "2 more times" in indicator.label.text()
    qtbot.wait(50)  # let a layout change (there must be none) reach the window
    assert main.size() == size  # no jump wider
    assert main.minimumSizeHint().width() == minimum.width()
    controller.protection.quick_exit.reset()
    assert indicator.isHidden() and exits == []


def test_disguise_titles_every_window(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    controller, _vault, _exits = opened
    main = controller.main_window
    controller.prefs.disguise_title = True
    controller._preferences_changed()
    dialog = main.open_people()
    qtbot.waitExposed(dialog)
    assert main.windowTitle() == "Notes" and dialog.windowTitle() == "Notes"
    assert QApplication.applicationDisplayName() == "Notes"
    controller.prefs.disguise_title = False
    controller._preferences_changed()
    assert dialog.windowTitle() == "People involved"
