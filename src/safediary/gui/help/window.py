"""Offline help pages and the editable list of people to call (kept in the vault)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.help.help import (
    CONTACT_FIELDS,
    Contact,
    contacts_from_json,
    contacts_to_json,
    default_contacts,
    list_pages,
)
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.widgets import PlainLabel, button, heading

CONTACTS_KEY = "contacts"
HEADERS = ("Name", "Number", "When to call", "Notes")


def load_contacts(vault: Vault) -> list[Contact]:
    """The user's contacts from the vault, or the shipped UK defaults."""
    stored = vault.kv.get(CONTACTS_KEY)
    if isinstance(stored, str):
        with contextlib.suppress(Exception):
            return contacts_from_json(stored)
    return default_contacts()


class ContactsPage(QWidget):
    """An editable table of people to call; saved into the vault."""

    def __init__(self, vault: Vault) -> None:
        super().__init__()
        self.vault = vault
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Who to call", size=14))
        layout.addWidget(
            PlainLabel(
                "In an emergency call 999 (112 also works in the UK and Europe). These numbers "
                "are for England and Wales; if you live somewhere else, change them to your own. "
                "Double-click a cell to change it."
            )
        )
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("contactsTable")
        self.table.setAccessibleName("Contacts")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        for column, width in enumerate((190, 115, 230)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = button("Add a contact", "addContactButton")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = button("Remove", "removeContactButton", "Remove the selected contact")
        self.remove_button.clicked.connect(self.remove_row)
        self.reset_button = button("Put back the UK numbers", "resetContactsButton")
        self.reset_button.clicked.connect(lambda: self.fill(default_contacts()))
        self.save_button = button("Save contacts", "saveContactsButton")
        self.save_button.clicked.connect(self.save)
        for b in (self.add_button, self.remove_button, self.reset_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.message = PlainLabel("")
        self.message.setObjectName("contactsMessage")
        layout.addWidget(self.message)
        self.fill(load_contacts(vault))

    def fill(self, contacts: list[Contact]) -> None:
        self.table.setRowCount(0)
        for contact in contacts:
            self._append([getattr(contact, f) for f in CONTACT_FIELDS])
        self.table.resizeRowsToContents()

    def _append(self, values: list[str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip("")
            self.table.setItem(row, column, item)

    def add_row(self) -> None:
        self._append(["", "", "", ""])
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        item = self.table.item(self.table.rowCount() - 1, 0)
        if item is not None:  # _append has just made it
            self.table.editItem(item)

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def contacts(self) -> list[Contact]:
        result = []
        for row in range(self.table.rowCount()):
            values = []
            for column in range(len(CONTACT_FIELDS)):
                item = self.table.item(row, column)
                values.append(item.text().strip() if item is not None else "")
            if not any(values):
                continue
            try:
                result.append(Contact(*values))
            except Exception as exc:
                raise ValueError(f"Row {row + 1}: {widgets.error_text(exc)}") from exc
        return result

    def save(self) -> bool:
        try:
            contacts = self.contacts()
            self.vault.kv.set(CONTACTS_KEY, contacts_to_json(contacts))
        except ValueError as exc:
            self.message.setText(f"Not saved. {exc}")
            return False
        self.message.setText("Saved in your diary.")
        return True


class HelpWindow(SafeDialog):
    """Help pages on the left, the page on the right; contacts editable."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle("Help and contacts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1150, 720)
        self.pages = list_pages()
        self.index = QListWidget()
        self.index.setObjectName("helpIndex")
        self.index.setAccessibleName("Help pages")
        self.index.setMaximumWidth(230)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.index.addItem("Who to call" if page.id == "contacts" else page.title)
            if page.id == "contacts":
                self.contacts_page = ContactsPage(vault)
                self.stack.addWidget(self.contacts_page)
                continue
            browser = QTextBrowser()
            browser.setObjectName(f"help_{page.id}")
            browser.setAccessibleName(page.title)
            browser.setOpenLinks(False)  # offline: never open a web browser from here
            browser.setMarkdown(page.markdown)
            self.stack.addWidget(browser)
        self.index.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.index.setCurrentRow(0)
        splitter = QSplitter()
        splitter.addWidget(self.index)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        close = button("Close", "closeButton")
        close.clicked.connect(self.close)
        close_row.addWidget(close)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(splitter, 1)
        layout.addLayout(close_row)

    def show_page(self, page_id: str) -> None:
        for row, page in enumerate(self.pages):
            if page.id == page_id:
                self.index.setCurrentRow(row)
