"""The incident editor: every field of an entry, its evidence and its history.

Saving an existing entry adds a revision (the earlier one is kept). Unsaved
changes are never lost silently: closing asks, and locking keeps them as an
encrypted draft in the vault (``vault.drafts``), offered again after unlock.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.diary.incidents import Incident
from safediary.core.diary.taxonomy import GROUPS, KINDS
from safediary.core.timeutil import from_text, now, to_text
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.diary.history import revision_text, when_text_of
from safediary.gui.diary.orders import OrderPicker
from safediary.gui.diary.when_field import WhenField
from safediary.gui.scripts import PlainTextField
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, heading

if TYPE_CHECKING:
    from safediary.gui.evidence.panel import EvidencePanel

PROMPTS = [
    (
        "When and where",
        "The date and time, and exactly where you were. If you are not sure "
        "of the time, tick “approximate”.",
    ),
    (
        "What happened",
        "Write it in order, in your own words. Stick to what you saw, heard and "
        "did. Write down their exact words if you can remember them, even if they are rude.",
    ),
    (
        "How it affected you",
        "How it made you feel, and whether it changed what you do: your "
        "route, your sleep, work, going out. This matters to the police and the courts.",
    ),
    (
        "Who saw it",
        "Anyone who saw or heard it, and how to reach them. Children or others who were there.",
    ),
    (
        "Evidence",
        "Screenshots, photos, call logs, letters, CCTV. Add copies here and note "
        "where the originals are kept. Do not delete the originals.",
    ),
    (
        "Reporting",
        "If you told the police: when, the officer's name or number, and the crime "
        "reference number.",
    ),
]

TEXT_FIELDS = (
    "location",
    "contact_method",
    "description",
    "exact_words",
    "feelings",
    "impact",
    "witnesses",
    "others_present",
    "reported_to",
    "officer",
    "police_reference",
    "evidence_location",
)


class IncidentEditor(SafeDialog):
    """Write a new entry or amend one. Non-modal; open with ``show()``."""

    saved = Signal(object)
    evidence_changed = Signal()

    def __init__(
        self,
        vault: Vault,
        incident_id: int | None = None,
        parent: QWidget | None = None,
        *,
        draft_key: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.incident_id = incident_id
        self.incident: Incident | None = (
            vault.incidents.get(incident_id) if incident_id is not None else None
        )
        self._force = False
        self.setObjectName("incidentEditor")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1100, 760)
        self._build()
        self._load(self.incident)
        self._baseline = self.values()
        key = draft_key or self.draft_key
        draft = vault.drafts.load(key)
        self.restored_draft = False
        if draft is not None:
            self._apply(_decode_draft(draft))
            self.restored_draft = True
            self.banner.setText(
                "This is what you were writing when the diary locked. It has not been saved "
                "yet: press Save to keep it, or Close and choose Discard to throw it away."
            )
        self._update_title()
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.title_label = heading("New entry")
        self.title_label.setObjectName("editorTitle")
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(self.quick_exit_button)

        self.info_label = PlainLabel("")
        self.info_label.setObjectName("recordedLabel")
        self.banner = PlainLabel("")
        self.banner.setObjectName("editorBanner")
        # no fixed accessible name: a screen reader reads the message itself
        set_role(self.banner, "banner")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("editorTabs")
        self.tabs.addTab(self._scroll(self._happened_tab()), "What &happened")
        self.tabs.addTab(self._people_tab(), "&People and witnesses")
        self.tabs.addTab(self._police_tab(), "Police and &court")
        self.evidence_panel = self._evidence_panel()
        self.tabs.addTab(self.evidence_panel, "&Evidence")
        self.history_tab = self._history_tab()
        self.tabs.addTab(self.history_tab, "Histor&y")

        splitter = QSplitter()
        splitter.addWidget(self.tabs)
        splitter.addWidget(self._prompts())
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 260])

        bottom = QHBoxLayout()
        self.tags = QLineEdit()
        self.tags.setObjectName("tagsField")
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("Tags, separated by commas (optional)")
        bottom.addWidget(PlainLabel("Tags:", wrap=False))
        bottom.addWidget(self.tags, 1)
        self.private = QCheckBox("Private: leave out of reports")
        self.private.setObjectName("privateBox")
        self.private.setAccessibleName("Private, leave this entry out of reports")
        bottom.addWidget(self.private)
        bottom.addSpacing(20)
        self.save_button = button("&Save", "saveButton", "Save the entry")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button = button("Close", "closeButton", "Close the entry")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    @staticmethod
    def _scroll(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        # as needed, never off: a form wider than a small screen scrolls, it is not cut off
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        area.setWidget(widget)
        return area

    def _text(self, name: str, accessible: str, placeholder: str = "") -> PlainTextField:
        edit = PlainTextField()
        edit.setObjectName(name + "Field")
        edit.setAccessibleName(accessible)
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(placeholder)
        edit.setMinimumHeight(70)
        return edit

    def _line(self, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name + "Field")
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    def _happened_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        # A new entry asks when it happened: nothing defaults silently to "now".
        self.occurred_at = WhenField("When it happened")
        self.occurred_at.setObjectName("occurredAtField")
        form.addRow("&When did it happen?", self.occurred_at)
        self.approximate = QCheckBox("Approximate (I am not sure of the exact time)")
        self.approximate.setObjectName("approximateBox")
        self.approximate.setAccessibleName("The time is approximate")
        form.addRow("", self.approximate)
        self.has_until = QCheckBox("It went on until:")
        self.has_until.setObjectName("hasUntilBox")
        self.has_until.setAccessibleName("It went on until a later time")
        self.occurred_until = WhenField("When it ended", quick_buttons=False)
        self.occurred_until.setObjectName("occurredUntilField")
        self.occurred_until.setEnabled(False)
        self.has_until.toggled.connect(self.occurred_until.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.has_until, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.occurred_until, 1)
        form.addRow("", row)
        self.location = self._line("location", "Where", "For example: outside my home, on the bus")
        form.addRow("Whe&re:", self.location)
        self.contact_method = self._line(
            "contactMethod", "How they made contact", "For example: in person, by text, on Facebook"
        )
        form.addRow("Ho&w:", self.contact_method)
        form.addRow("Kinds:", self._kinds_box())
        self.description = self._text(
            "description", "What happened", "What happened, in your own words, in order."
        )
        self.description.setMinimumHeight(140)
        form.addRow("Wha&t happened:", self.description)
        self.exact_words = self._text(
            "exactWords", "Their exact words", "Anything they said or wrote, word for word."
        )
        form.addRow("E&xact words:", self.exact_words)
        self.feelings = self._text("feelings", "How it made you feel")
        form.addRow("How it made you &feel:", self.feelings)
        self.impact = self._text(
            "impact", "Effect on your daily life", "For example: changed my route, could not sleep"
        )
        form.addRow("Effect on daily &life:", self.impact)
        return page

    def _kinds_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.kind_boxes: dict[str, QCheckBox] = {}
        for group_id, group_label in GROUPS.items():
            group = QGroupBox(group_label)
            group.setAccessibleName(group_label)
            grid = QGridLayout(group)
            grid.setVerticalSpacing(2)
            kinds = [k for k in KINDS.values() if k.group == group_id]
            per_column = (len(kinds) + 1) // 2  # two columns: a third was cut off at 1024 px
            for i, kind in enumerate(kinds):
                check = QCheckBox(kind.label)
                check.setObjectName(f"kind_{kind.id}")
                check.setAccessibleName(kind.label)
                self.kind_boxes[kind.id] = check
                grid.addWidget(check, i % per_column, i // per_column)
            column.addWidget(group)
        return box

    def _people_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.people_list = QListWidget()
        self.people_list.setObjectName("peopleList")
        self.people_list.setAccessibleName("Who did it (tick everyone involved)")
        self.people_list.setMaximumHeight(160)
        self.add_person_button = button("Add a person…", "addPersonButton", "Add a person")
        self.add_person_button.clicked.connect(self.add_person)
        column = QVBoxLayout()
        column.addWidget(self.people_list)
        row = QHBoxLayout()
        row.addWidget(self.add_person_button)
        row.addStretch(1)
        column.addLayout(row)
        form.addRow("Who did it:", column)
        self._fill_people(())
        self.witnesses = self._text(
            "witnesses", "Witnesses", "Names of anyone who saw or heard it, and how to reach them."
        )
        form.addRow("&Witnesses:", self.witnesses)
        self.others_present = self._text(
            "othersPresent", "Children or others present", "Children or anyone else who was there."
        )
        form.addRow("&Others present:", self.others_present)
        return page

    def _police_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.order_breached = QCheckBox("This broke a court order or bail condition")
        self.order_breached.setObjectName("orderBreachedBox")
        self.order_breached.setAccessibleName("A court order or bail condition was broken")
        form.addRow("", self.order_breached)
        self.breached_order = OrderPicker(self.vault)
        self.breached_order.chosen.connect(lambda: self.order_breached.setChecked(True))
        form.addRow("Which order:", self.breached_order)
        self.reported_to = self._line(
            "reportedTo", "Reported to", "For example: police on 101, my landlord, the school"
        )
        form.addRow("&Reported to:", self.reported_to)
        self.officer = self._line("officer", "Officer's name or number")
        form.addRow("&Officer:", self.officer)
        self.police_reference = self._line("policeReference", "Crime reference number")
        form.addRow("Crime re&ference:", self.police_reference)
        self.evidence_location = self._line(
            "evidenceLocation",
            "Where the originals are kept",
            "For example: still on my phone, letters in a box at my sister's",
        )
        form.addRow("Originals &kept:", self.evidence_location)
        return page

    def _evidence_panel(self) -> EvidencePanel:
        from safediary.gui.evidence.panel import EvidencePanel

        panel = EvidencePanel(self.vault, self)
        panel.changed.connect(self.evidence_changed)
        return panel

    def _history_tab(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        self.history_list = QListWidget()
        self.history_list.setObjectName("historyList")
        self.history_list.setAccessibleName("Saved versions")
        self.history_list.setMinimumWidth(330)
        self.history_list.setMaximumWidth(360)
        self.history_view = PlainTextField()
        self.history_view.setObjectName("historyView")
        self.history_view.setAccessibleName("The saved version")
        self.history_view.setReadOnly(True)
        self.history_list.currentRowChanged.connect(self._show_revision)
        layout.addWidget(self.history_list)
        layout.addWidget(self.history_view, 1)
        self._revisions: list[Any] = []
        return page

    def _prompts(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("promptsPanel")
        panel.setAccessibleName("What to write")
        layout = QVBoxLayout(panel)
        layout.addWidget(heading("What to write", size=12))
        for title, text in PROMPTS:
            t = PlainLabel(title)
            font = t.font()
            font.setBold(True)
            t.setFont(font)
            layout.addWidget(t)
            body = PlainLabel(text)
            set_role(body, "body")
            layout.addWidget(body)
        layout.addStretch(1)
        return self._scroll(panel)

    # -- values ------------------------------------------------------------------
    @property
    def draft_key(self) -> str:
        return f"incident:{self.incident_id if self.incident_id is not None else 'new'}"

    def _fill_people(self, selected: tuple[int, ...] | list[int]) -> None:
        self.people_list.clear()
        for person in self.vault.people.list():
            text = person.name + (f" ({person.relationship})" if person.relationship else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = person.id in selected
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.people_list.addItem(item)
        if not self.people_list.count():
            item = QListWidgetItem("No one added yet. Use “Add a person…”.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.people_list.addItem(item)

    def selected_people(self) -> list[int]:
        result = []
        for row in range(self.people_list.count()):
            item = self.people_list.item(row)
            pid = item.data(Qt.ItemDataRole.UserRole)
            if pid is not None and item.checkState() == Qt.CheckState.Checked:
                result.append(int(pid))
        return result

    def values(self) -> dict[str, Any]:
        """The form as incident fields (what ``add``/``amend`` take)."""
        data: dict[str, Any] = {
            name: getattr(self, name).toPlainText()
            if isinstance(getattr(self, name), PlainTextField)
            else getattr(self, name).text()
            for name in TEXT_FIELDS
        }
        data["occurred_at"] = self.occurred_at.when()
        data["occurred_until"] = self.occurred_until.when() if self.has_until.isChecked() else None
        data["approximate"] = self.approximate.isChecked()
        data["kinds"] = frozenset(k for k, box in self.kind_boxes.items() if box.isChecked())
        data["people"] = tuple(self.selected_people())
        data["breached_order"] = self.breached_order.value()
        data["order_breached"] = (
            self.order_breached.isChecked() or data["breached_order"] is not None
        )
        data["private"] = self.private.isChecked()
        data["tags"] = tuple(t.strip() for t in self.tags.text().split(",") if t.strip())
        return data

    def _load(self, incident: Incident | None) -> None:
        if incident is None:
            return
        self._apply(
            {
                name: getattr(incident, name)
                for name in (
                    *TEXT_FIELDS,
                    "occurred_at",
                    "occurred_until",
                    "approximate",
                    "kinds",
                    "people",
                    "order_breached",
                    "breached_order",
                    "private",
                    "tags",
                )
            }
        )
        self.info_label.setText(self._recorded_text(incident))
        self.evidence_panel.set_incident(incident.id)
        self._load_history()

    def prefill(self, values: dict[str, Any]) -> None:
        """Start a new entry from given values (for example chosen messages); not yet saved."""
        self._apply(values)

    def _apply(self, data: dict[str, Any]) -> None:
        for name in TEXT_FIELDS:
            if name in data:
                widget = getattr(self, name)
                if isinstance(widget, PlainTextField):
                    widget.setPlainText(data[name] or "")
                else:
                    widget.setText(data[name] or "")
        if data.get("occurred_at") is not None:
            self.occurred_at.set_when(data["occurred_at"])
        until = data.get("occurred_until")
        self.has_until.setChecked(until is not None)
        if until is not None:
            self.occurred_until.set_when(until)
        self.approximate.setChecked(bool(data.get("approximate")))
        kinds = set(data.get("kinds") or ())
        for kind_id, box in self.kind_boxes.items():
            box.setChecked(kind_id in kinds)
        self._fill_people(tuple(data.get("people") or ()))
        self.order_breached.setChecked(bool(data.get("order_breached")))
        self.breached_order.set_value(data.get("breached_order"))
        self.private.setChecked(bool(data.get("private")))
        self.tags.setText(", ".join(data.get("tags") or ()))

    @staticmethod
    def _recorded_text(incident: Incident) -> str:
        text = f"Written down on {when_text_of(incident.recorded_at)}."
        if incident.amended:
            text += (
                f" Changed {incident.revision - 1} time(s); last saved "
                f"{when_text_of(incident.saved_at)}. Earlier versions are under History."
            )
        return text

    def _update_title(self) -> None:
        if self.incident is None:
            self.setWindowTitle("New entry")
            self.title_label.setText("New entry")
        else:
            self.setWindowTitle(f"Entry {self.incident.number}")
            self.title_label.setText(f"Entry {self.incident.number}")

    def is_dirty(self) -> bool:
        values = self.values()
        if self.incident is None and not _has_content(values):
            return False  # only a time chosen: nothing written worth asking about
        return values != self._baseline

    # -- saving ------------------------------------------------------------------
    def save(self) -> bool:
        """Save the form (new entry or a new revision). Returns True when saved."""
        values = self.values()
        if self.incident is not None and values == self._baseline and not self.restored_draft:
            self.banner.setText("Nothing has changed since the last save.")
            return True
        if self.incident is None and not _has_content(values):
            self.banner.setText("Please write something first: at least where or what happened.")
            return False
        until_given = self.has_until.isChecked()
        for field, given in ((self.occurred_at, True), (self.occurred_until, until_given)):
            if given and field.when() is None:  # ask; never guess the time it happened
                self.tabs.setCurrentIndex(0)
                self.banner.setText(field.problem() + " Nothing has been saved yet.")
                field.edit.setFocus()
                return False
        try:
            if self.incident is None:
                incident = self.vault.incidents.add(**values)
                message = f"Saved as entry {incident.number}."
            else:
                changes = {k: v for k, v in values.items() if v != self._baseline.get(k)}
                incident = self.vault.incidents.amend(self.incident.id, **changes)
                message = (
                    f"Saved. This is now version {incident.revision}; the earlier version is "
                    "kept and shown under History."
                )
        except Exception as exc:  # the core says what is wrong; nothing is lost
            self.banner.setText(widgets.error_text(exc) + " Your text is still here.")
            return False
        old_key = self.draft_key
        self.incident = incident
        self.incident_id = incident.id
        with contextlib.suppress(Exception):
            self.vault.drafts.discard(old_key)
            self.vault.drafts.discard(self.draft_key)
        self.restored_draft = False
        self._baseline = self.values()
        self.info_label.setText(self._recorded_text(incident))
        self.banner.setText(message)
        self.evidence_panel.set_incident(incident.id)
        self._load_history()
        self._update_title()
        self.saved.emit(incident)
        return True

    def ensure_saved(self) -> int | None:
        """Save a new entry (so evidence can be attached); return its id."""
        if self.incident is None and not self.save():
            return None
        return self.incident_id

    # -- history -------------------------------------------------------------------
    def _load_history(self) -> None:
        if self.incident is None:
            return
        self._revisions = self.vault.incidents.history(self.incident.id)
        self.history_list.clear()
        for rev in reversed(self._revisions):
            label = f"Version {rev.revision}: {when_text_of(rev.saved_at)}"
            if rev.revision == len(self._revisions):
                label += " (current)"
            self.history_list.addItem(label)
        if self._revisions:
            self.history_list.setCurrentRow(0)

    def _show_revision(self, row: int) -> None:
        if row < 0 or row >= len(self._revisions):
            self.history_view.clear()
            return
        rev = list(reversed(self._revisions))[row]
        self.history_view.setPlainText(revision_text(self.vault, rev.incident))

    # -- drafts, closing, locking ---------------------------------------------------
    def unsaved_draft(self) -> tuple[str, dict[str, Any]] | None:
        """The unsaved changes as (draft key, data), without writing anything (quick exit)."""
        if self.vault.is_locked or not self.is_dirty():
            return None
        return self.draft_key, _encode_draft(self.values())

    def keep_draft(self) -> bool:
        """Store unsaved changes as an encrypted draft (called before locking)."""
        draft = self.unsaved_draft()
        if draft is None:
            return False
        self.vault.drafts.save(*draft)
        return True

    about_to_lock = keep_draft

    def force_close(self) -> None:
        self._force = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._force or self.vault.is_locked or not self.is_dirty():
            self.evidence_panel.cancel_import()
            event.accept()
            if not self._force and not self.vault.is_locked:
                with contextlib.suppress(Exception):
                    self.vault.drafts.discard(self.draft_key)
            return
        answer = widgets.ask(
            self,
            "Unsaved changes",
            "You have changes in this entry that are not saved yet.",
            ["Save", "Discard changes", "Keep editing"],
        )
        if answer == "Save" and self.save():
            self.evidence_panel.cancel_import()
            event.accept()
        elif answer == "Discard changes":
            with contextlib.suppress(Exception):
                self.vault.drafts.discard(self.draft_key)
            self.evidence_panel.cancel_import()
            event.accept()
        else:
            event.ignore()

    def reject(self) -> None:  # Escape goes through closeEvent's question
        self.close()

    # -- people ---------------------------------------------------------------------
    def add_person(self) -> None:
        from safediary.gui.diary.people import PersonForm

        form = PersonForm(self.vault, None, self)
        form.saved.connect(self._person_added)
        form.open()
        self._person_form = form

    def _person_added(self, person: Any) -> None:
        selected = [*self.selected_people(), person.id]
        self._fill_people(tuple(selected))
        QTimer.singleShot(0, self.people_list.setFocus)


def _has_content(values: dict[str, Any]) -> bool:
    return any(str(values[n]).strip() for n in TEXT_FIELDS) or bool(values["kinds"])


def _encode_draft(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, datetime):
            out[key] = to_text(value)
        elif isinstance(value, (frozenset, set, tuple)):
            out[key] = sorted(value) if isinstance(value, (frozenset, set)) else list(value)
        else:
            out[key] = value
    out["_saved"] = to_text(now())
    return out


def _decode_draft(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if not k.startswith("_")}
    for key in ("occurred_at", "occurred_until"):
        if values.get(key):
            with contextlib.suppress(ValueError, TypeError):
                values[key] = from_text(values[key])
    return values
