"""Court orders in the GUI: record one, name it in an entry as broken (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate

from safediary.core import Vault
from safediary.gui.diary.editor import IncidentEditor
from safediary.gui.diary.history import revision_text
from safediary.gui.diary.orders import OrderForm, OrdersDialog
from safediary.gui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_record_an_order_and_name_it_in_an_entry(qtbot, vault: Vault) -> None:
    window = MainWindow(vault)
    qtbot.addWidget(window)
    window.show()
    editor = window.open_editor(None)
    assert isinstance(editor, IncidentEditor)
    orders = editor.breached_order.open_orders()
    assert isinstance(orders, OrdersDialog)
    form = orders.add()
    assert isinstance(form, OrderForm)
    form.kind.setCurrentIndex(form.kind.findData("non_molestation_order"))
    form.court.setText("Leeds Family Court")
    form.reference.setText("LS24P00123")
    form.made_on.known.setChecked(True)
    form.made_on.edit.setDate(QDate(2026, 2, 1))
    form.conditions.setPlainText("Not to contact me directly or indirectly.")
    form.save()
    [order] = vault.orders.list()
    assert order.made_on == date(2026, 2, 1) and order.expires_on is None
    assert orders.list.count() == 1 and "in force" in orders.list.item(0).text()
    # the editor's box now offers it; choosing it ticks "broke a court order"
    box = editor.breached_order.box
    assert box.count() == 2
    box.setCurrentIndex(box.findData(order.id))
    assert editor.order_breached.isChecked()
    editor.location.setText("Outside my flat")
    editor.description.setPlainText("He rang the bell for ten minutes.")
    editor.occurred_at.set_now()  # a new entry asks when it happened (issue 13 item 9)
    editor.save()
    [incident] = vault.incidents.list()
    assert incident.breached_order == order.id and incident.order_breached
    assert "Leeds Family Court" in revision_text(vault, incident)
    orders.refresh()
    assert "broken 1 time" in orders.list.item(0).text()
    # changing the order keeps its earlier version
    orders.list.setCurrentRow(0)
    again = orders.edit_selected()
    assert again is not None
    again.expires_on.known.setChecked(True)
    again.expires_on.edit.setDate(QDate(2027, 2, 1))
    again.save()
    assert [v.order.expires_on for v in vault.orders.history(order.id)] == [
        None,
        date(2027, 2, 1),
    ]
    assert vault.verify().ok
    orders.close()
    window.close_dialogs()
