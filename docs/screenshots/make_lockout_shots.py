"""Screenshots for issue 14: Settings' "Lock out …" row and dialog, evidence description,
court orders and a person's saved versions.

Run: PYTHONPATH=src QT_QPA_PLATFORM=offscreen .venv/bin/python \
     docs/screenshots/make_lockout_shots.py docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from safediary.core import Vault
from safediary.core.vault import keys


def main(out: Path) -> None:
    keys.DEFAULT_KDF = keys.KdfParams.fast()
    app = QApplication(sys.argv[:1])
    from safediary.gui.evidence.viewer import EvidenceViewer
    from safediary.gui.main_window import MainWindow
    from safediary.gui.settings.lockout import LockOutDialog

    tmp = Path(tempfile.mkdtemp())
    vault, _ = Vault.create(tmp / "vault", "a passphrase for screenshots")
    window = MainWindow(vault)
    window.resize(1000, 700)
    window.show()
    settings = window.open_settings()
    app.processEvents()
    settings.keys.parentWidget().grab().save(str(out / "settings-lock-out.png"))
    settings.keys.lock_out_button.click()
    app.processEvents()
    dialog = window.findChild(LockOutDialog)
    dialog.first.setText("correct horse battery staple 42")
    dialog.second.setText("correct horse battery staple 42")
    dialog.adjustSize()
    app.processEvents()
    dialog.grab().save(str(out / "lock-out-dialog.png"))
    window.close_dialogs()

    source = tmp / "texts-3-may.txt"
    source.write_text("You can't hide from me. I know where you park.\n")
    ev = vault.evidence.add_file(source)
    vault.evidence.describe(ev.id, description="Texts from his new number on 3 May")
    viewer = EvidenceViewer(vault, ev.id, window)
    viewer.resize(1000, 640)
    viewer.show()
    while viewer.fields["ref"].text() != ev.ref:
        app.processEvents()
    viewer.location_field.setText("On my phone; shown to PC Shah on 5 May")
    viewer.save_description_button.click()
    app.processEvents()
    viewer.grab().save(str(out / "evidence-description.png"))
    viewer.close()

    from datetime import date

    from safediary.gui.diary.orders import OrdersDialog
    from safediary.gui.diary.people import PersonForm

    order = vault.orders.add(
        "non_molestation_order",
        court="Leeds Family Court",
        reference="LS24P00123",
        made_on=date(2026, 2, 1),
        expires_on=date(2027, 2, 1),
        conditions="Not to contact me directly or indirectly.",
    )
    person = vault.people.add("Unknown man", description="grey hoodie, white van")
    vault.incidents.add(
        vault.orders.get(order.id).created_at,
        location="Outside my flat",
        description="He rang the bell for ten minutes.",
        people=[person.id],
        breached_order=order.id,
    )
    vault.people.update(person.id, name="Daniel O'Brien", relationship="ex-partner's brother")
    orders = OrdersDialog(vault, window)
    orders.show()
    form = orders.add()
    form.kind.setCurrentIndex(form.kind.findData("bail_conditions"))
    form.court.setText("West Yorkshire Police")
    form.conditions.setPlainText("Not to enter Acacia Road.")
    app.processEvents()
    orders.grab().save(str(out / "court-orders.png"))
    form.adjustSize()
    app.processEvents()
    form.grab().save(str(out / "court-order-form.png"))
    form.reject()
    orders.close()
    person_form = PersonForm(vault, person.id, window)
    person_form.show()
    person_form.adjustSize()
    app.processEvents()
    person_form.grab().save(str(out / "person-versions.png"))
    person_form.close()
    window.close()
    vault.lock()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
