"""A list of records (people, court orders) with Add, Change and Close, and a form for one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault, VaultError
from safediary.gui.dialog import SafeDialog
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, error_text, heading


class RecordForm(SafeDialog):
    """Add (``record_id`` None) or change one record; emits ``saved(record)``.

    Subclasses add their fields to :attr:`form`, call :meth:`finish`, and say in
    :meth:`store` how the record is added or changed (raising VaultError if it cannot be).
    """

    saved = Signal(object)

    def __init__(
        self,
        vault: Vault,
        record_id: int | None,
        parent: QWidget | None,
        *,
        name: str,
        title: str,
        intro: str,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.record_id = record_id
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.body = QVBoxLayout(self)
        self.add_quick_exit(self.body)
        self.body.addWidget(PlainLabel(intro))
        self.form = QFormLayout()
        self.body.addLayout(self.form)
        self.message = PlainLabel("")
        set_role(self.message, "problem")

    def finish(self) -> None:
        """Add the message line and Save / Cancel below what the subclass added."""
        self.body.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.body.addWidget(buttons)

    def store(self) -> object:
        """Add or change the record from the fields; return it."""
        raise NotImplementedError

    def save(self) -> None:
        try:
            record = self.store()
        except VaultError as exc:
            self.message.setText(error_text(exc))
            return
        self.saved.emit(record)
        self.accept()


class RecordListDialog(SafeDialog):
    """Subclasses say how a record reads in the list (:meth:`items`) and which form edits it
    (:meth:`make_form`, a dialog with a ``saved`` signal)."""

    changed = Signal()

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None,
        *,
        name: str,
        title: str,
        intro: str,
        list_name: str,
        add: tuple[str, str, str],
        edit: tuple[str, str, str],
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.form: QDialog | None = None
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(heading(title))
        layout.addWidget(PlainLabel(intro))
        self.list = QListWidget()
        self.list.setObjectName(list_name)
        self.list.setAccessibleName(title)
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda *_: self.edit_selected())
        layout.addWidget(self.list, 1)
        self.add_button = button(*add)
        self.add_button.clicked.connect(self.add)
        self.edit_button = button(*edit)
        self.edit_button.clicked.connect(self.edit_selected)
        self.close_button = button("Close", "closeButton", "Close")
        self.close_button.clicked.connect(self.close)
        self.button_row = QHBoxLayout()
        self.button_row.addWidget(self.add_button)
        self.button_row.addWidget(self.edit_button)
        self.button_row.addStretch(1)
        self.button_row.addWidget(self.close_button)
        layout.addLayout(self.button_row)

    def add_action(self, action: QPushButton) -> None:
        """Another button beside Add and Change."""
        self.button_row.insertWidget(2, action)

    def items(self) -> list[tuple[str, int]]:
        """(text, record id) for each line of the list."""
        raise NotImplementedError

    def make_form(self, record_id: int | None) -> QDialog:
        """The form that adds (None) or changes one record."""
        raise NotImplementedError

    def refresh(self) -> None:
        self.list.clear()
        for text, record_id in self.items():
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            self.list.addItem(item)

    def selected(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def add(self) -> Any:
        return self._open_form(None)

    def edit_selected(self) -> Any:
        record_id = self.selected()
        return self._open_form(record_id) if record_id is not None else None

    def _open_form(self, record_id: int | None) -> Any:
        form = self.make_form(record_id)
        form.saved.connect(self._saved)  # type: ignore[attr-defined]
        self.form = form
        form.open()
        return form

    def _saved(self, _record: object) -> None:
        self.refresh()
        self.changed.emit()
