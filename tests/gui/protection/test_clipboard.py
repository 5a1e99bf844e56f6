"""The clipboard: diary text is marked secret, expires, and only our own text is cleared."""

from __future__ import annotations

from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication

from safediary.gui.protection.clipboard import SecretClipboard, clear_clipboard_if_ours, copy_secret


def test_copied_text_is_marked_secret(qapp: QApplication) -> None:
    guard = SecretClipboard()
    guard.copy("he sent 14 messages")
    mime = QApplication.clipboard().mimeData(QClipboard.Mode.Clipboard)
    assert mime.text() == "he sent 14 messages"
    assert bytes(mime.data("x-kde-passwordManagerHint")) == b"secret"
    assert guard.holds_ours()


def test_expires_after_its_time(qtbot, qapp: QApplication) -> None:
    guard = SecretClipboard(expiry_ms=100)
    with qtbot.waitSignal(guard.cleared, timeout=5000):
        guard.copy("the car was parked outside")
    assert QApplication.clipboard().text() == ""
    assert not guard.holds_ours()


def test_someone_elses_text_is_left_alone(qtbot, qapp: QApplication) -> None:
    guard = SecretClipboard(expiry_ms=100)
    guard.copy("private words")
    QApplication.clipboard().setText("recipe for soup")
    assert not guard.holds_ours()
    with qtbot.assertNotEmitted(guard.cleared, wait=300):
        pass
    assert QApplication.clipboard().text() == "recipe for soup"
    assert guard.clear_if_ours() is False
    assert QApplication.clipboard().text() == "recipe for soup"


def test_clear_on_lock_or_exit(qapp: QApplication) -> None:
    copy_secret("entry number 12")
    assert clear_clipboard_if_ours() is True
    assert QApplication.clipboard().text() == ""
    assert clear_clipboard_if_ours() is False  # nothing of ours any more


def test_a_new_copy_replaces_the_old_one(qapp: QApplication) -> None:
    guard = SecretClipboard()
    guard.copy("first")
    guard.copy("second")
    QApplication.clipboard().setText("first")  # the old text, put back by someone else
    assert guard.clear_if_ours() is False
    assert QApplication.clipboard().text() == "first"
