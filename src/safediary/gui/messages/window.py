"""The Messages window: imported chats, texts, calls and e-mails, and picking what matters.

Left, the conversations; right, the chosen one's messages (search, several may be
chosen) with the whole text of the current one below. "Make an entry from these"
opens a new entry filled in from the chosen messages and links them when it is
saved; "Link to an entry…" links them to an entry already written.
"""

from __future__ import annotations

import zoneinfo
from datetime import tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.messages import AmbiguousDateOrder, Conversation, Message
from safediary.core.wording import visible_name
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.messages.model import MessageTableModel, sender_text, when_text
from safediary.gui.scripts import PlainTextField
from safediary.gui.widgets import PlainLabel, button, heading
from safediary.gui.workers import Task, runner

SOURCE_NAMES = {
    "whatsapp": "WhatsApp",
    "sms": "Text messages",
    "calls": "Calls",
    "email": "E-mail",
}
#: The kind of behaviour an entry made from messages starts with.
SOURCE_KINDS = {
    "whatsapp": "text_message",
    "sms": "text_message",
    "calls": "phone_call",
    "email": "email",
}
COMPUTER_ZONE = "The computer's time zone"
#: Where the chosen zone is remembered (inside the encrypted vault).
ZONE_SETTING = "messages.zone"

INTRO = (
    "Bring in the messages you were sent, exactly as your phone or e-mail saved them: a "
    "WhatsApp chat export (.txt or .zip), an SMS Backup & Restore file of texts or calls "
    "(.xml), or e-mails (.eml, .mbox). They are kept encrypted; the file itself is kept too."
)


def transcript(messages: list[Message]) -> str:
    """The chosen messages as plain lines: when, who, the exact words."""
    lines = []
    for m in messages:
        names = [visible_name(n) for n in m.attachment_names if n]
        extra = f" [attached: {', '.join(names)}]" if names else ""
        lines.append(f"[{when_text(m)}] {sender_text(m)}: {m.text}{extra}")
    return "\n".join(lines)


class LinkChooser(SafeDialog):
    """Choose the entry to link messages to (newest first)."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkChooser")
        self.setWindowTitle("Link to an entry")
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(PlainLabel("Which entry are these messages part of?"))
        self.entries = QListWidget()
        self.entries.setObjectName("linkChooserList")
        self.entries.setAccessibleName("Entries")
        for inc in vault.incidents.list(newest_first=True):
            when = inc.occurred_at.strftime("%d %b %Y %H:%M")
            item = QListWidgetItem(f"No. {inc.number}  ·  {when}  ·  {inc.summary}")
            item.setData(Qt.ItemDataRole.UserRole, inc.id)
            self.entries.addItem(item)
        if self.entries.count():
            self.entries.setCurrentRow(0)
        self.entries.itemDoubleClicked.connect(lambda _i: self.accept())
        layout.addWidget(self.entries, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Link")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.entries.setFocus()

    def chosen(self) -> int | None:
        item = self.entries.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))


class MessagesWindow(SafeDialog):
    """``MessagesWindow(vault, main_window)``; non-modal, closed when the diary locks."""

    changed = Signal()
    #: the message list has been filled in (it is read off the window's thread)
    listed = Signal()

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self._generation = 0
        self.loading: Task | None = None
        self.main = parent
        self.task: Task | None = None
        self.setObjectName("messagesWindow")
        self.setWindowTitle("Messages")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.model = MessageTableModel(self)

        top = QHBoxLayout()
        top.addWidget(heading("Messages"))
        top.addStretch(1)
        top.addWidget(self.quick_exit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(PlainLabel(INTRO))
        layout.addLayout(self._import_row())
        layout.addWidget(self._body(), 1)
        layout.addLayout(self._action_row())
        self.refresh_conversations()
        self.resize(980, 680)
        self.search_field.setFocus()

    # -- layout ---------------------------------------------------------------------
    def _import_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.import_button = button(
            "&Import messages…",
            "importMessagesButton",
            "Import messages",
            "Bring in a chat, text-message, call-log or e-mail export file",
        )
        self.import_button.clicked.connect(self.choose_and_import)
        self.zone_box = QComboBox()
        self.zone_box.setObjectName("messageZoneBox")
        self.zone_box.setAccessibleName("Time zone of times in chat exports")
        self.zone_box.setToolTip(
            "WhatsApp writes times without a time zone: choose where the phone was."
        )
        self.zone_box.addItem(COMPUTER_ZONE, None)
        for name in (
            "Europe/London",
            "Europe/Dublin",
            "Europe/Warsaw",
            "Europe/Bucharest",
            "Asia/Karachi",
            "Asia/Kolkata",
            "Asia/Dhaka",
            "America/New_York",
        ):
            self.zone_box.addItem(name, name)
        self.zone_box.setMaximumWidth(220)
        saved = self.vault.kv.get(ZONE_SETTING)
        if saved and self.zone_box.findData(saved) < 0:
            self.zone_box.addItem(str(saved), saved)
        if saved:
            self.zone_box.setCurrentIndex(self.zone_box.findData(saved))
        self.zone_box.currentIndexChanged.connect(self._zone_chosen)
        self.progress = QProgressBar()
        self.progress.setObjectName("messagesImportProgress")
        self.progress.setAccessibleName("Import progress")
        self.progress.setVisible(False)
        self.cancel_button = button("Cancel", "cancelMessagesImportButton", "Cancel the import")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        row.addWidget(self.import_button)
        row.addWidget(PlainLabel("Chat times are in:", wrap=False))
        row.addWidget(self.zone_box)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        row.addStretch(0)
        return row

    def _body(self) -> QSplitter:
        self.conversation_list = QListWidget()
        self.conversation_list.setObjectName("conversationList")
        self.conversation_list.setAccessibleName("Conversations")
        self.conversation_list.setSpacing(3)
        self.conversation_list.setAlternatingRowColors(True)
        self.conversation_list.currentItemChanged.connect(lambda *_: self.show_conversation())

        self.search_field = QLineEdit()
        self.search_field.setObjectName("messageSearchField")
        self.search_field.setAccessibleName("Search messages")
        self.search_field.setPlaceholderText("Search these messages…")
        self.search_field.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.show_conversation)
        self.search_field.textChanged.connect(lambda _t: self._search_timer.start())

        self.table = QTableView()
        self.table.setObjectName("messageTable")
        self.table.setAccessibleName("Messages")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        self.table.setColumnWidth(0, 140)
        self.table.setColumnWidth(1, 170)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_current())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

        self.detail = PlainTextField()
        self.detail.setObjectName("messageDetail")
        self.detail.setAccessibleName("The whole message")
        self.detail.setReadOnly(True)
        self.detail.setMaximumHeight(150)
        self.thumbs = QWidget()
        self.thumbs.setObjectName("messageThumbnails")
        self.thumbs.setAccessibleName("Pictures attached to the message")
        self._thumb_row = QHBoxLayout(self.thumbs)
        self._thumb_row.setContentsMargins(0, 0, 0, 0)
        self.thumbs.setVisible(False)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.search_field)
        right_layout.addWidget(self.table, 1)
        legend = PlainLabel(
            "● linked to an entry    📎 has a file attached    ⏎ a new line in the message",
            wrap=False,
        )
        legend.setObjectName("messageLegend")
        right_layout.addWidget(legend)
        right_layout.addWidget(self.detail)
        right_layout.addWidget(self.thumbs)
        splitter = QSplitter()
        splitter.addWidget(self.conversation_list)
        splitter.addWidget(right)
        splitter.setSizes([260, 700])
        return splitter

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.selection_label = PlainLabel("", wrap=False)
        self.make_entry_button = button(
            "Make an &entry from these",
            "makeEntryFromMessagesButton",
            "Make an entry from the chosen messages",
        )
        self.make_entry_button.clicked.connect(self.make_entry)
        self.link_button = button(
            "&Link to an entry…", "linkMessagesButton", "Link the chosen messages to an entry"
        )
        self.link_button.clicked.connect(self.choose_and_link)
        self.close_button = button("Close", "closeMessagesButton", "Close the messages")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        row.addWidget(self.selection_label, 1)
        row.addWidget(self.make_entry_button)
        row.addWidget(self.link_button)
        row.addWidget(self.close_button)
        self._selection_changed()
        return row

    # -- showing ----------------------------------------------------------------------
    def refresh_conversations(self, select: int | None = None) -> None:
        if self.vault.is_locked:
            return
        current = select if select is not None else self.current_conversation_id()
        self.conversation_list.blockSignals(True)
        self.conversation_list.clear()
        for conv in self.vault.messages.conversations():
            item = QListWidgetItem(_conversation_text(conv))
            item.setData(Qt.ItemDataRole.UserRole, conv.id)
            self.conversation_list.addItem(item)
            if conv.id == current:
                self.conversation_list.setCurrentItem(item)
        if self.conversation_list.currentItem() is None and self.conversation_list.count():
            self.conversation_list.setCurrentRow(0)
        self.conversation_list.blockSignals(False)
        self.show_conversation()

    def current_conversation_id(self) -> int | None:
        item = self.conversation_list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def show_conversation(self) -> None:
        """List the chosen conversation (or what matches the search) off the window's thread.

        A chat of 250,000 messages takes about a second to read; the window stays
        responsive meanwhile, and a result that arrives after the diary locked, or after
        another conversation was chosen, is dropped.
        """
        self._generation += 1
        generation = self._generation
        conv_id = self.current_conversation_id()
        self.model.clear()
        self.detail.clear()
        self._show_thumbnails(())
        self._selection_changed()
        if conv_id is None or self.vault.is_locked:
            return
        words = self.search_field.text().strip()
        store = self.vault.messages

        def load() -> list[Message]:
            if words:
                return store.search(words, conversation_id=conv_id)
            return store.list(conv_id)

        self.loading = runner().run(
            load,
            on_done=lambda found: self._listed(generation, words, found),
            on_error=lambda exc: self._list_failed(generation, exc),
        )

    def _listed(self, generation: int, words: str, messages: list[Message]) -> None:
        if generation != self._generation or self.vault.is_locked:
            return  # stale (another choice since) or the diary locked: keep nothing
        self.model.set_messages(messages)  # the selection is now empty: no button acts
        self.make_entry_button.setEnabled(False)
        self.link_button.setEnabled(False)
        if words and not messages:
            elsewhere = self.vault.messages.search_count(words)
            hint = f"No messages here match “{words}”."
            if elsewhere:
                hint += f" {elsewhere} in other conversations: choose one on the left."
            self.selection_label.setText(hint)
        self.listed.emit()

    def _list_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation and not self.vault.is_locked:
            self.selection_label.setText(widgets.error_text(exc))

    def _show_thumbnails(self, evidence_ids: tuple[int, ...]) -> None:
        """Small pictures of the attached images (SafeDiary's own thumbnails, made at import)."""
        while self._thumb_row.count():
            item = self._thumb_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        shown = 0
        for evidence_id in evidence_ids[:6]:
            data = self.vault.evidence.thumbnail(evidence_id)
            pixmap = QPixmap()
            if not data or not pixmap.loadFromData(data, "JPEG"):
                continue
            label = QLabel()
            label.setPixmap(pixmap.scaledToHeight(96, Qt.TransformationMode.SmoothTransformation))
            label.setToolTip(self.vault.evidence.get(evidence_id).ref)
            self._thumb_row.addWidget(label)
            shown += 1
        self._thumb_row.addStretch(1)
        self.thumbs.setVisible(shown > 0)

    def show_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.detail.clear()
            self._show_thumbnails(())
            return
        m = self.model.message(index.row())
        self._show_thumbnails(m.attachments)
        lines = [f"{when_text(m)} — {sender_text(m)}"]
        for key, label in (("subject", "Subject"), ("to", "To")):
            if m.details.get(key):
                lines.append(f"{label}: {m.details[key]}")
        lines += ["", m.text]
        if m.attachment_names:
            kept = len(m.attachments)
            names = ", ".join(visible_name(n) for n in m.attachment_names)
            lines += ["", f"Attached: {names} ({kept} kept as evidence)"]
        if m.incidents:
            numbers = [str(self.vault.incidents.get(i).number) for i in m.incidents]
            lines.append(f"Linked to entry No. {', '.join(numbers)}")
        self.detail.setPlainText("\n".join(lines))

    def selected_messages(self) -> list[Message]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.message(r) for r in rows]

    def select_rows(self, rows: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in rows:
            selection.select(self.model.index(row, 0), flags)

    def _selection_changed(self) -> None:
        count = len(self.table.selectionModel().selectedRows()) if self.table.model() else 0
        self.make_entry_button.setEnabled(count > 0)
        self.link_button.setEnabled(count > 0)
        self.selection_label.setText(
            "Choose the messages that matter (hold Ctrl or Shift to choose several)."
            if count == 0
            else f"{count} chosen."
        )

    # -- importing --------------------------------------------------------------------
    def _zone_chosen(self, _index: int) -> None:
        if not self.vault.is_locked:
            self.vault.kv.set(ZONE_SETTING, self.zone_box.currentData() or "")

    def zone(self) -> tzinfo | None:
        name = self.zone_box.currentData()
        return zoneinfo.ZoneInfo(name) if name else None

    def choose_and_import(self) -> None:
        paths = widgets.choose_files(self, "Choose a chat, text-message, call or e-mail export")
        if paths:
            self.import_path(paths[0])

    def import_path(self, path: Path, day_first: bool | None = None) -> Task | None:
        if self.task is not None:
            return None
        task = Task(
            self.vault.messages.import_export, Path(path), tz=self.zone(), day_first=day_first
        )
        task.connect(
            progress=self._progress,
            finished=self._imported,
            failed=lambda exc: self._import_failed(exc, Path(path)),
            cancelled=self._import_cancelled,
        )
        self.task = task
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.import_button.setEnabled(False)
        self.selection_label.setText(f"Reading {path.name}…")
        runner().start(task)
        return task

    def cancel_import(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progress(self, done: int, _total: int) -> None:
        self.selection_label.setText(f"Read {done / 1_000_000:.1f} MB so far…")

    def _end_import(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.import_button.setEnabled(True)

    def _imported(self, conv: Conversation) -> None:
        self._end_import()
        self.refresh_conversations(select=conv.id)
        self.selection_label.setText(
            f"Imported {conv.message_count} from “{conv.title}”. The file itself is kept as "
            "evidence too."
        )
        self.changed.emit()

    def _import_failed(self, exc: BaseException, path: Path) -> None:
        self._end_import()
        self._selection_changed()
        if isinstance(exc, AmbiguousDateOrder):
            example = exc.examples[0] if exc.examples else "01/02"
            answer = widgets.ask(
                self,
                "Which way are the dates written?",
                f"The dates in this chat (for example {example}) could be read two ways. "
                "On your phone, is the day or the month written first?",
                ["Day first (28/11)", "Month first (11/28)", "Cancel"],
            )
            if answer.startswith("Day"):
                self.import_path(path, day_first=True)
            elif answer.startswith("Month"):
                self.import_path(path, day_first=False)
            return
        widgets.inform(self, "Messages", widgets.error_text(exc), warning=True)

    def _import_cancelled(self) -> None:
        self._end_import()
        self.selection_label.setText("Stopped. Nothing from that file was kept.")

    # -- entries ----------------------------------------------------------------------
    def make_entry(self) -> QWidget | None:
        """Open a new entry filled in from the chosen messages; link them when it is saved."""
        chosen = self.selected_messages()
        conv_id = self.current_conversation_id()
        if not chosen or conv_id is None:
            return None
        conv = self.vault.messages.get(conv_id)
        values = entry_values(conv, chosen)
        ids = [m.id for m in chosen]
        open_editor = getattr(self.main, "open_editor", None)
        if callable(open_editor):
            editor = open_editor(None)
        else:
            from safediary.gui.diary.editor import IncidentEditor

            editor = IncidentEditor(self.vault, None, self)
            editor.show()
        editor.prefill(values)
        editor.saved.connect(lambda inc: self._link(ids, inc.id))
        return editor

    def choose_and_link(self) -> None:
        chosen = self.selected_messages()
        if not chosen:
            return
        ids = [m.id for m in chosen]
        chooser = LinkChooser(self.vault, self)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            target = chooser.chosen()
            if target is not None:
                self._link(ids, target)

        chooser.accepted.connect(accepted)
        self.chooser = chooser
        chooser.open()  # window-modal, without a nested event loop (quick exit stays instant)

    def _link(self, message_ids: list[int], incident_id: int) -> None:
        if self.vault.is_locked:
            return
        try:
            self.vault.messages.link(message_ids, incident_id)
        except Exception as exc:  # shown calmly; nothing is lost
            widgets.inform(self, "Messages", widgets.error_text(exc), warning=True)
            return
        number = self.vault.incidents.get(incident_id).number
        self.show_conversation()
        self.selection_label.setText(f"Linked {len(message_ids)} to entry No. {number}.")
        self.changed.emit()

    # -- locking ------------------------------------------------------------------------
    def force_close(self) -> None:
        """Close at once (the diary is locking): stop an import and forget every message."""
        if self.task is not None:
            self.task.cancel()
        self._generation += 1  # a list still being read is dropped when it arrives
        self.model.clear()
        self.detail.clear()
        self._show_thumbnails(())
        self.conversation_list.clear()
        self.close()


def entry_values(conv: Conversation, chosen: list[Message]) -> dict[str, Any]:
    """What a new entry starts with when made from messages."""
    first = chosen[0]
    senders = sorted({m.sender for m in chosen if m.sender and m.direction != "out"})
    who = ", ".join(senders) or "them"
    source = SOURCE_NAMES.get(conv.source, conv.source)
    count = f"{len(chosen)} message{'s' if len(chosen) != 1 else ''}"
    if conv.source == "calls":
        count = f"{len(chosen)} call{'s' if len(chosen) != 1 else ''}"
    return {
        "occurred_at": first.sent_at,
        "contact_method": source,
        "kinds": {SOURCE_KINDS.get(conv.source, "other")},
        "description": f"{count} from {who} ({source}, imported from “{conv.title}”). "
        "The messages are linked to this entry.",
        "exact_words": transcript(chosen),
    }


def _conversation_text(conv: Conversation) -> str:
    source = SOURCE_NAMES.get(conv.source, conv.source)
    span = ""
    if conv.first_at and conv.last_at:
        span = f"\n{conv.first_at:%d %b %Y} – {conv.last_at:%d %b %Y}"
    return f"{conv.title}\n{source} · {conv.message_count}{span}"
