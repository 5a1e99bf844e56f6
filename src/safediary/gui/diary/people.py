"""The people involved: the person the user fears first, then anyone else."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.scripts import PlainTextField
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, heading


class PersonForm(SafeDialog):
    """Add or change one person. Open with ``open()``; emits ``saved(person)``."""

    saved = Signal(object)

    def __init__(self, vault: Vault, person_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.vault = vault
        self.person_id = person_id
        self.setObjectName("personForm")
        self.setWindowTitle("Add a person" if person_id is None else "Change details")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(
            PlainLabel(
                "A name is enough. If you do not know it, describe them (for example "
                "“man in a red van”)."
            )
        )
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("personNameField")
        self.name.setAccessibleName("Name")
        self.relationship = QLineEdit()
        self.relationship.setObjectName("personRelationshipField")
        self.relationship.setAccessibleName("Relationship to you")
        self.relationship.setPlaceholderText("For example: ex-partner, neighbour, stranger")
        self.description = PlainTextField()
        self.description.setObjectName("personDescriptionField")
        self.description.setAccessibleName("What they look like")
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(80)
        self.vehicle = QLineEdit()
        self.vehicle.setObjectName("personVehicleField")
        self.vehicle.setAccessibleName("Vehicle")
        self.vehicle.setPlaceholderText("Make, colour, number plate")
        self.notes = PlainTextField()
        self.notes.setObjectName("personNotesField")
        self.notes.setAccessibleName("Other notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(80)
        form.addRow("&Name:", self.name)
        form.addRow("&Relationship:", self.relationship)
        form.addRow("&Description:", self.description)
        form.addRow("&Vehicle:", self.vehicle)
        form.addRow("N&otes:", self.notes)
        layout.addLayout(form)
        self.history = PlainLabel("")
        self.history.setObjectName("personHistory")
        self.history.setAccessibleName("Earlier versions of this person's details")
        self.history.setVisible(False)
        layout.addWidget(self.history)
        self.message = PlainLabel("")
        set_role(self.message, "problem")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if person_id is not None:
            person = vault.people.get(person_id)
            self.name.setText(person.name)
            self.relationship.setText(person.relationship)
            self.description.setPlainText(person.description)
            self.vehicle.setText(person.vehicle)
            self.notes.setPlainText(person.notes)
            self._show_history(person_id)

    def _show_history(self, person_id: int) -> None:
        """Earlier versions, so a change never hides what an entry said when it was written."""
        versions = self.vault.people.history(person_id)
        if len(versions) < 2:
            return
        lines = [
            "Saved versions (entries written before a change still show the person as they "
            "were then, with “later identified as …” in the report):"
        ]
        for version in versions:
            person = version.person
            details = ", ".join(
                p
                for p in (person.name, person.relationship, person.description, person.vehicle)
                if p
            )
            when = f"{version.saved_at.astimezone():%d %b %Y %H:%M}"
            lines.append(f"• {when}: {details}")
        self.history.setText("\n".join(lines))
        self.history.setVisible(True)

    def values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "relationship": self.relationship.text(),
            "description": self.description.toPlainText(),
            "vehicle": self.vehicle.text(),
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> None:
        values = self.values()
        try:
            if self.person_id is None:
                person = self.vault.people.add(**values)
            else:
                person = self.vault.people.update(self.person_id, **values)
        except Exception as exc:
            self.message.setText(widgets.error_text(exc))
            return
        self.saved.emit(person)
        self.accept()


class PeopleDialog(SafeDialog):
    """The list of people; the first is the one the user fears most."""

    changed = Signal()

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.form: PersonForm | None = None
        self.setObjectName("peopleDialog")
        self.setWindowTitle("People involved")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 460)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(heading("People involved"))
        layout.addWidget(
            PlainLabel(
                "The person you are most afraid of should be first: they appear first in the "
                "report. Select someone and press “Put first” to move them to the top."
            )
        )
        self.list = QListWidget()
        self.list.setObjectName("peopleList")
        self.list.setAccessibleName("People")
        self.list.itemActivated.connect(lambda *_: self.edit_selected())
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = button("&Add a person…", "addPersonButton", "Add a person")
        self.add_button.clicked.connect(self.add)
        self.edit_button = button("&Change details…", "editPersonButton", "Change details")
        self.edit_button.clicked.connect(self.edit_selected)
        self.first_button = button("Put &first", "putFirstButton", "Put this person first")
        self.first_button.clicked.connect(self.put_first)
        self.close_button = button("Close", "closeButton", "Close")
        self.close_button.clicked.connect(self.close)
        for b in (self.add_button, self.edit_button, self.first_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        counts = self.vault.people.incident_counts()
        for position, person in enumerate(self.vault.people.list()):
            parts = [person.name]
            if person.relationship:
                parts.append(f"({person.relationship})")
            n = counts.get(person.id, 0)
            parts.append(f"— {n} entr{'y' if n == 1 else 'ies'}")
            if position == 0:
                parts.append("— listed first")
            item = QListWidgetItem(" ".join(parts))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.list.addItem(item)

    def _selected(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def add(self) -> PersonForm:
        return self._open_form(None)

    def edit_selected(self) -> PersonForm | None:
        person_id = self._selected()
        return self._open_form(person_id) if person_id is not None else None

    def _open_form(self, person_id: int | None) -> PersonForm:
        form = PersonForm(self.vault, person_id, self)
        form.saved.connect(self._saved)
        self.form = form
        form.open()
        return form

    def _saved(self, _person: Any) -> None:
        self.refresh()
        self.changed.emit()

    def put_first(self) -> None:
        person_id = self._selected()
        if person_id is not None:
            self.vault.people.move_first(person_id)
            self.refresh()
            self.list.setCurrentRow(0)
            self.changed.emit()
