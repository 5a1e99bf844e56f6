"""A table model over one conversation's messages (tens of thousands of rows)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from safediary.core.messages import Message
from safediary.core.wording import visible_name

COLUMNS = ("When", "From", "Message")
_Index = QModelIndex | QPersistentModelIndex


def when_text(message: Message) -> str:
    return message.sent_at.strftime("%d %b %Y %H:%M")


def sender_text(message: Message) -> str:
    """The sender, with hidden and reordering characters shown (a name is a stranger's text)."""
    return visible_name(message.sender) if message.sender else "(notice from the app)"


def first_line(message: Message) -> str:
    text = message.text.replace("\n", " ⏎ ")
    if message.attachments:
        text = f"📎 {text}"
    if message.incidents:
        text = f"● {text}"
    return text if len(text) <= 300 else text[:300] + "…"


class MessageTableModel(QAbstractTableModel):
    """Rows are messages; the full text is shown beside the table for the chosen one."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._messages: list[Message] = []

    def set_messages(self, messages: list[Message]) -> None:
        self.beginResetModel()
        self._messages = list(messages)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every message (called when the diary locks)."""
        self.set_messages([])

    def message(self, row: int) -> Message:
        return self._messages[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._messages)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        message = self._messages[index.row()]
        column = index.column()
        if column == 0:
            return when_text(message)
        if column == 1:
            return sender_text(message)
        return first_line(message)
