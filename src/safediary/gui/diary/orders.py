"""Court orders and bail conditions: a list, and a form to add or change one (``vault.orders``).

Every save is kept as a version in the diary's history; entries name the order
they broke (the editor's "Which order" box), and the report lists each breach.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault, VaultError
from safediary.core.diary.incidents import Incident
from safediary.core.diary.orders import ORDER_KINDS, CourtOrder
from safediary.gui import widgets
from safediary.gui.protection.quick_exit import QuickExitButton
from safediary.gui.scripts import PlainTextField
from safediary.gui.widgets import PlainLabel, button, heading


def order_text(order: CourtOrder) -> str:
    """One line for lists and boxes: kind, court, reference and dates."""
    parts = [order.label]
    if order.court:
        parts.append(order.court)
    if order.reference:
        parts.append(order.reference)
    if order.made_on:
        parts.append(f"made {order.made_on:%d %b %Y}")
    if order.expires_on:
        parts.append(f"until {order.expires_on:%d %b %Y}")
    return ", ".join(parts)


class _DateField(QWidget):
    """A date with a "known" tick box (an order may have no end date)."""

    def __init__(self, label: str, name: str) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.known = QCheckBox(label)
        self.known.setObjectName(f"{name}Known")
        self.edit = QDateEdit()
        self.edit.setObjectName(name)
        self.edit.setAccessibleName(label)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.known.toggled.connect(self.edit.setEnabled)
        row.addWidget(self.known)
        row.addWidget(self.edit, 1)

    def value(self) -> date | None:
        return self.edit.date().toPython() if self.known.isChecked() else None  # type: ignore[return-value]  # PySide returns datetime.date

    def set_value(self, value: date | None) -> None:
        self.known.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class OrderForm(QDialog):
    """Add or change one court order. Emits ``saved(order)``."""

    saved = Signal(object)

    def __init__(self, vault: Vault, order_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.vault = vault
        self.order_id = order_id
        self.setObjectName("orderForm")
        self.setWindowTitle("Add a court order" if order_id is None else "Change a court order")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(QuickExitButton(self), 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(
            PlainLabel(
                "Copy these from the order or bail sheet if you have it. Leave out what you "
                "do not know."
            )
        )
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("orderKindBox")
        self.kind.setAccessibleName("Kind of order")
        for kind_id, label in ORDER_KINDS.items():
            self.kind.addItem(label, kind_id)
        self.court = QLineEdit()
        self.court.setObjectName("orderCourtField")
        self.court.setAccessibleName("Court")
        self.court.setPlaceholderText("For example: Leeds Magistrates' Court, or the police")
        self.reference = QLineEdit()
        self.reference.setObjectName("orderReferenceField")
        self.reference.setAccessibleName("Case number or reference")
        self.made_on = _DateField("Made on", "orderMadeOn")
        self.expires_on = _DateField("Ends on", "orderExpiresOn")
        self.conditions = PlainTextField()
        self.conditions.setObjectName("orderConditionsField")
        self.conditions.setAccessibleName("What the order says")
        self.conditions.setPlaceholderText(
            "For example: not to contact me directly or indirectly; not to come within "
            "100 metres of 12 Acacia Road"
        )
        self.conditions.setTabChangesFocus(True)
        self.conditions.setMaximumHeight(110)
        form.addRow("&Kind:", self.kind)
        form.addRow("&Court:", self.court)
        form.addRow("&Reference:", self.reference)
        form.addRow("", self.made_on)
        form.addRow("", self.expires_on)
        form.addRow("What it &says:", self.conditions)
        layout.addLayout(form)
        self.message = PlainLabel("")
        self.message.setObjectName("orderMessage")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if order_id is not None:
            order = vault.orders.get(order_id)
            self.kind.setCurrentIndex(max(0, self.kind.findData(order.kind)))
            self.court.setText(order.court)
            self.reference.setText(order.reference)
            self.made_on.set_value(order.made_on)
            self.expires_on.set_value(order.expires_on)
            self.conditions.setPlainText(order.conditions)
            versions = len(vault.orders.history(order_id))
            if versions > 1:
                self.message.setText(f"Saved {versions} times; every version is kept.")

    def save(self) -> None:
        values = {
            "kind": self.kind.currentData(),
            "court": self.court.text(),
            "reference": self.reference.text(),
            "made_on": self.made_on.value(),
            "expires_on": self.expires_on.value(),
            "conditions": self.conditions.toPlainText(),
        }
        try:
            if self.order_id is None:
                kind = values.pop("kind")
                order = self.vault.orders.add(kind, **values)
            else:
                order = self.vault.orders.update(self.order_id, **values)
        except VaultError as exc:
            self.message.setText(widgets.error_text(exc))
            return
        self.saved.emit(order)
        self.accept()


class OrdersDialog(QDialog):
    """The court orders and bail conditions the user has recorded."""

    changed = Signal()

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.form: OrderForm | None = None
        self.setObjectName("ordersDialog")
        self.setWindowTitle("Court orders and bail conditions")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QuickExitButton(self), 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(heading("Court orders and bail conditions"))
        layout.addWidget(
            PlainLabel(
                "Record each order here once; then, in an entry, say which order was broken. "
                "The report lists the orders in force and every breach."
            )
        )
        self.list = QListWidget()
        self.list.setObjectName("ordersList")
        self.list.setAccessibleName("Court orders")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda *_: self.edit_selected())
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = button("&Add an order…", "addOrderButton", "Add a court order")
        self.add_button.clicked.connect(self.add)
        self.edit_button = button("&Change…", "editOrderButton", "Change the selected order")
        self.edit_button.clicked.connect(self.edit_selected)
        self.close_button = button("Close", "closeButton", "Close")
        self.close_button.clicked.connect(self.close)
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        today = date.today()
        for order in self.vault.orders.list():
            breaches = len(self.vault.orders.breaches(order.id))
            text = order.label
            text += " — in force" if order.in_force(today) else " — not in force today"
            if breaches:
                text += f" — broken {breaches} time{'s' if breaches != 1 else ''}"
            details = order_text(order).removeprefix(order.label).lstrip(", ")
            if details:
                text += "\n    " + details
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, order.id)
            self.list.addItem(item)

    def add(self) -> OrderForm:
        return self._open_form(None)

    def edit_selected(self) -> OrderForm | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self._open_form(int(item.data(Qt.ItemDataRole.UserRole)))

    def _saved(self, _order: object) -> None:
        self.refresh()
        self.changed.emit()

    def _open_form(self, order_id: int | None) -> OrderForm:
        form = OrderForm(self.vault, order_id, self)
        form.saved.connect(self._saved)
        self.form = form
        form.open()
        return form


class OrderPicker(QWidget):
    """For the editor: which recorded order was broken, and a button to record orders."""

    chosen = Signal()

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.box = QComboBox()
        self.box.setObjectName("breachedOrderBox")
        self.box.setAccessibleName("Which court order was broken")
        self.box.currentIndexChanged.connect(self._changed)
        self.button = button("Court orders…", "courtOrdersButton", "Record or change court orders")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.open_orders)
        row.addWidget(self.box, 1)
        row.addWidget(self.button)
        self.set_value(None)

    def _changed(self, _index: int) -> None:
        if self.box.currentData() is not None:
            self.chosen.emit()

    def value(self) -> int | None:
        data = self.box.currentData()
        return int(data) if data is not None else None

    def set_value(self, order_id: int | None) -> None:
        self.box.blockSignals(True)
        self.box.clear()
        self.box.addItem("— not said which —", None)
        if not self.vault.is_locked:
            for order in self.vault.orders.list():
                self.box.addItem(order_text(order), order.id)
        index = self.box.findData(order_id) if order_id is not None else 0
        self.box.setCurrentIndex(max(0, index))
        self.box.blockSignals(False)

    def open_orders(self) -> OrdersDialog:
        dialog = OrdersDialog(self.vault, self.window())
        dialog.changed.connect(lambda: self.set_value(self.value()))
        dialog.show()
        return dialog


def order_broken_text(vault: Vault, incident: Incident) -> str:
    """What an entry says about a broken order: the order itself, "yes", or nothing."""
    if incident.breached_order is not None:
        try:
            return order_text(vault.orders.get(incident.breached_order))
        except VaultError:
            pass
    return "yes" if incident.order_breached else ""
