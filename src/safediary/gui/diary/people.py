"""The people involved: the person the user fears first, then anyone else."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLineEdit,
    QWidget,
)

from safediary.core import Vault
from safediary.core.wording import plural
from safediary.gui.diary.record_list import RecordForm, RecordListDialog
from safediary.gui.scripts import PlainTextField
from safediary.gui.widgets import PlainLabel, button


class PersonForm(RecordForm):
    """Add or change one person. Open with ``open()``; emits ``saved(person)``."""

    def __init__(self, vault: Vault, person_id: int | None, parent: QWidget | None = None):
        super().__init__(
            vault,
            person_id,
            parent,
            name="personForm",
            title="Add a person" if person_id is None else "Change details",
            intro=(
                "A name is enough. If you do not know it, describe them (for example "
                "“man in a red van”)."
            ),
        )
        self.person_id = person_id
        form = self.form
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
        self.history = PlainLabel("")
        self.history.setObjectName("personHistory")
        self.history.setAccessibleName("Earlier versions of this person's details")
        self.history.setVisible(False)
        self.body.addWidget(self.history)
        self.finish()
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

    def store(self) -> object:
        values = self.values()
        if self.person_id is None:
            return self.vault.people.add(**values)
        return self.vault.people.update(self.person_id, **values)


class PeopleDialog(RecordListDialog):
    """The list of people; the first is the one the user fears most."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(
            vault,
            parent,
            name="peopleDialog",
            title="People involved",
            intro=(
                "The person you are most afraid of should be first: they appear first in the "
                "report. Select someone and press “Put first” to move them to the top."
            ),
            list_name="peopleList",
            add=("&Add a person…", "addPersonButton", "Add a person"),
            edit=("&Change details…", "editPersonButton", "Change details"),
        )
        self.resize(620, 460)
        self.first_button = button("Put &first", "putFirstButton", "Put this person first")
        self.first_button.clicked.connect(self.put_first)
        self.add_action(self.first_button)
        self.refresh()

    def items(self) -> list[tuple[str, int]]:
        counts = self.vault.people.incident_counts()
        lines = []
        for position, person in enumerate(self.vault.people.list()):
            parts = [person.name]
            if person.relationship:
                parts.append(f"({person.relationship})")
            parts.append("— " + plural(counts.get(person.id, 0), "entry", "entries"))
            if position == 0:
                parts.append("— listed first")
            lines.append((" ".join(parts), person.id))
        return lines

    def make_form(self, record_id: int | None) -> PersonForm:
        return PersonForm(self.vault, record_id, self)

    def put_first(self) -> None:
        person_id = self.selected()
        if person_id is not None:
            self.vault.people.move_first(person_id)
            self.refresh()
            self.list.setCurrentRow(0)
            self.changed.emit()
