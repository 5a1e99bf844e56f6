"""Court orders and bail conditions: a list, and a form to add or change one (``vault.orders``).

Every save is kept as a version in the diary's history; entries name the order
they broke (the editor's "Which order" box), and the report lists each breach.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from safediary.core import Vault, VaultError
from safediary.core.diary.incidents import Incident
from safediary.core.diary.orders import ORDER_KINDS, CourtOrder
from safediary.core.wording import plural
from safediary.gui.diary.record_list import RecordForm, RecordListDialog
from safediary.gui.scripts import PlainTextField
from safediary.gui.widgets import button


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


class OrderForm(RecordForm):
    """Add or change one court order. Emits ``saved(order)``."""

    def __init__(self, vault: Vault, order_id: int | None, parent: QWidget | None = None):
        super().__init__(
            vault,
            order_id,
            parent,
            name="orderForm",
            title="Add a court order" if order_id is None else "Change a court order",
            intro=(
                "Copy these from the order or bail sheet if you have it. Leave out what you "
                "do not know."
            ),
        )
        self.order_id = order_id
        form = self.form
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
        self.message.setObjectName("orderMessage")
        self.finish()
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

    def store(self) -> object:
        court, reference = self.court.text(), self.reference.text()
        made_on, expires_on = self.made_on.value(), self.expires_on.value()
        conditions = self.conditions.toPlainText()
        if self.order_id is None:
            return self.vault.orders.add(
                self.kind.currentData(), court=court, reference=reference, made_on=made_on,
                expires_on=expires_on, conditions=conditions,
            )
        return self.vault.orders.update(
            self.order_id, kind=self.kind.currentData(), court=court, reference=reference,
            made_on=made_on, expires_on=expires_on, conditions=conditions,
        )


class OrdersDialog(RecordListDialog):
    """The court orders and bail conditions the user has recorded."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(
            vault,
            parent,
            name="ordersDialog",
            title="Court orders and bail conditions",
            intro=(
                "Record each order here once; then, in an entry, say which order was broken. "
                "The report lists the orders in force and every breach."
            ),
            list_name="ordersList",
            add=("&Add an order…", "addOrderButton", "Add a court order"),
            edit=("&Change…", "editOrderButton", "Change the selected order"),
        )
        self.resize(640, 420)
        self.refresh()

    def items(self) -> list[tuple[str, int]]:
        today = date.today()
        lines = []
        for order in self.vault.orders.list():
            breaches = len(self.vault.orders.breaches(order.id))
            text = order.label
            text += " — in force" if order.in_force(today) else " — not in force today"
            if breaches:
                text += f" — broken {plural(breaches, 'time')}"
            details = order_text(order).removeprefix(order.label).lstrip(", ")
            if details:
                text += "\n    " + details
            lines.append((text, order.id))
        return lines

    def make_form(self, record_id: int | None) -> OrderForm:
        return OrderForm(self.vault, record_id, self)


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
