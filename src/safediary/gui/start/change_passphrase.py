"""Choose a new passphrase (offered after opening the diary with the recovery key)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.start.strength import assess
from safediary.gui.widgets import PassphraseField, PlainLabel, heading, show_toggle
from safediary.gui.workers import runner


class ChangePassphraseDialog(SafeDialog):
    """Two passphrase fields and a strength hint; the KDF runs in a worker."""

    def __init__(self, vault: Vault, parent: QWidget | None = None, *, after_recovery=False):
        super().__init__(parent)
        self.vault = vault
        self.setObjectName("changePassphraseDialog")
        self.setWindowTitle("Choose a new passphrase")
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        self.title = heading("Choose a new passphrase")
        layout.addWidget(self.title)
        intro = (
            "You opened the diary with your recovery key. Please choose a new passphrase now, "
            "so you can open it normally next time. Your recovery key keeps working."
            if after_recovery
            else "Your diary will open with the new passphrase from now on."
        )
        self.intro = PlainLabel(intro)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.first = PassphraseField("New passphrase")
        self.first.setObjectName("newPassphraseField")
        self.second = PassphraseField("New passphrase again")
        self.second.setObjectName("repeatPassphraseField")
        form.addRow("&New passphrase:", self.first)
        form.addRow("Type it &again:", self.second)
        form.addRow("", show_toggle(self.first, self.second))
        layout.addLayout(form)
        self.hint = PlainLabel("")
        self.hint.setObjectName("strengthLabel")
        layout.addWidget(self.hint)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        layout.addWidget(self.busy)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Change passphrase")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Not now")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.first.textChanged.connect(self._check)
        self.second.textChanged.connect(self._check)
        self._check()

    def _check(self) -> bool:
        strength = assess(self.first.text())
        text = strength.text
        if self.second.text() and self.second.text() != self.first.text():
            text += "\nThe two passphrases are not the same yet."
        self.hint.setText(text.strip())
        ok = strength.acceptable and self.first.text() == self.second.text()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        return ok

    def save(self) -> None:
        if not self._check():
            return
        self.busy.setVisible(True)
        self.buttons.setEnabled(False)
        runner().run(
            self.vault.change_passphrase,
            self.first.text(),
            on_done=lambda _r: self._done(),
            on_error=self._failed,
        )

    def _done(self) -> None:
        self.first.clear()
        self.second.clear()
        self.accept()
        widgets.inform(self.parentWidget(), "Passphrase changed", "Your new passphrase is set.")

    def _failed(self, exc: BaseException) -> None:
        self.busy.setVisible(False)
        self.buttons.setEnabled(True)
        self.hint.setText(widgets.error_text(exc))
