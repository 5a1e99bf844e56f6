"""SafeDialog: the one base class for SafeDiary's dialogs.

Every dialog carries the Quick exit button and closes when the diary locks
(idle, screen lock, the Lock button): :func:`safediary.gui.protection.idle_lock.close_all_dialogs`
calls :meth:`SafeDialog.keep_draft` then :meth:`SafeDialog.force_close` on each one, so unsaved
work is kept as an encrypted draft and no "discard changes?" question can stop the lock.

    class MyDialog(SafeDialog):
        def __init__(self, parent=None):
            super().__init__(parent)
            layout = QVBoxLayout(self)
            self.add_quick_exit(layout)      # top right, same place in every dialog
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QDialog, QWidget

from safediary.gui.protection.quick_exit import QuickExitButton


class SafeDialog(QDialog):
    """A dialog with a Quick exit button that closes (keeping drafts) when the diary locks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quick_exit_button = QuickExitButton(self)

    def add_quick_exit(self, layout: QBoxLayout) -> QuickExitButton:
        """Put the Quick exit button at the top right of ``layout`` (call it first)."""
        layout.addWidget(self.quick_exit_button, 0, Qt.AlignmentFlag.AlignRight)
        return self.quick_exit_button

    def keep_draft(self) -> object:
        """Keep unsaved work before a lock closes the dialog (override; nothing by default)."""
        return None

    def force_close(self) -> None:
        """Close at once, without questions: the diary is locking (override to stop work)."""
        QDialog.done(self, QDialog.DialogCode.Rejected)
