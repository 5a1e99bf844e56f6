"""The unlock screen: nothing about the diary is visible until the passphrase fits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault, WrongPassphrase
from safediary.core.errors import InvalidRecoveryKey
from safediary.gui import widgets
from safediary.gui.protection.quick_exit import QuickExitButton
from safediary.gui.style import set_role
from safediary.gui.widgets import PassphraseField, PlainLabel, button, heading, show_toggle
from safediary.gui.workers import runner

WRONG_PASSPHRASE = (
    "That passphrase did not open the diary. Please check it (and whether Caps Lock is on) "
    "and try again. Nothing has been changed."
)


class UnlockWindow(QWidget):
    """Asks for the passphrase (or the recovery key). Emits ``opened(vault)``."""

    opened = Signal(object)
    opened_with_recovery_key = Signal(object)
    quick_exit_requested = Signal()

    def __init__(self, vault_dir: Path, title: str = "SafeDiary", parent: QWidget | None = None):
        super().__init__(parent)
        self.vault_dir = Path(vault_dir)
        self.setObjectName("unlockWindow")
        self.setWindowTitle(title)
        self.resize(560, 340)
        self._recovery_mode = False
        self._busy = False

        top = QHBoxLayout()
        top.addWidget(heading(title))
        top.addStretch(1)
        self.quick_exit_button = QuickExitButton(self, on_click=self.quick_exit_requested.emit)
        top.addWidget(self.quick_exit_button)

        self.prompt = PlainLabel("Type your passphrase to open your diary.")
        self.passphrase = PassphraseField("Passphrase")
        self.passphrase.setObjectName("passphraseField")
        self.recovery = QLineEdit()
        self.recovery.setObjectName("recoveryKeyField")
        self.recovery.setAccessibleName("Recovery key")
        self.recovery.setPlaceholderText("XXXXX-XXXXX-…")
        self.recovery.setVisible(False)
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        self.show_box = show_toggle(self.passphrase)
        form.addRow("", self.show_box)
        form.addRow("&Recovery key:", self.recovery)
        self._form = form
        form.setRowVisible(2, False)

        self.message = PlainLabel("")
        self.message.setObjectName("unlockMessage")
        self.message.setAccessibleName("Message")
        set_role(self.message, "problem")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.busy.setAccessibleName("Opening your diary")
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)

        self.unlock_button = button("Unlock", "unlockButton", "Unlock the diary")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.mode_button: QPushButton = button(
            "Use recovery key instead", "recoveryModeButton", "Use the recovery key instead"
        )
        self.mode_button.setFlat(True)
        self.mode_button.clicked.connect(lambda: self.set_recovery_mode(not self._recovery_mode))
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.recovery.returnPressed.connect(self.try_unlock)

        self.backup_button = button("Open a backup…", "openBackupButton", "Open a backup")
        self.backup_button.setFlat(True)
        self.backup_button.clicked.connect(self.open_backup)

        row = QHBoxLayout()
        row.addWidget(self.mode_button)
        row.addWidget(self.backup_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(row)
        self.passphrase.setFocus()

    def set_recovery_mode(self, on: bool) -> None:
        self._recovery_mode = on
        self._form.setRowVisible(0, not on)
        self._form.setRowVisible(1, not on)
        self._form.setRowVisible(2, on)
        self.message.setText("")
        if on:
            self.prompt.setText(
                "Type the recovery key you wrote down when you set up the diary. "
                "Capital or small letters, spaces and dashes are all fine."
            )
            self.mode_button.setText("Use passphrase instead")
            self.mode_button.setAccessibleName("Use the passphrase instead")
            self.recovery.setFocus()
        else:
            self.prompt.setText("Type your passphrase to open your diary.")
            self.mode_button.setText("Use recovery key instead")
            self.mode_button.setAccessibleName("Use the recovery key instead")
            self.passphrase.setFocus()

    def try_unlock(self) -> None:
        if self._busy:
            return
        fn: Callable[[Path, str], Vault]
        if self._recovery_mode:
            secret = self.recovery.text()
            fn = Vault.unlock_with_recovery_key
        else:
            secret = self.passphrase.text()
            fn = Vault.unlock
        if not secret.strip():
            self.message.setText(
                "Please type your recovery key first."
                if self._recovery_mode
                else "Please type your passphrase first."
            )
            return
        self._set_busy(True)
        self.message.setText("")
        recovery = self._recovery_mode
        runner().run(
            _open_and_decode,
            fn,
            self.vault_dir,
            secret,
            on_done=lambda vault: self._opened(vault, recovery),
            on_error=self._failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for w in (self.passphrase, self.recovery, self.unlock_button, self.mode_button):
            w.setEnabled(not busy)

    def _opened(self, vault: Vault, recovery: bool) -> None:
        self._set_busy(False)
        self.show_box.setChecked(False)
        self.passphrase.clear()
        self.recovery.clear()
        self.message.setText("")
        if recovery:
            self.opened_with_recovery_key.emit(vault)
        self.opened.emit(vault)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, InvalidRecoveryKey):
            text = str(exc)
        elif isinstance(exc, WrongPassphrase):
            text = str(exc) if self._recovery_mode else WRONG_PASSPHRASE
        else:
            text = widgets.error_text(exc)
        self.message.setText(text)
        field = self.recovery if self._recovery_mode else self.passphrase
        field.selectAll()
        field.setFocus()

    def open_backup(self) -> QWidget:
        """ "Open a backup…": a backup opened there is handled like a normal unlock."""
        from safediary.gui.backup.dialogs import OpenBackupDialog

        dialog = OpenBackupDialog(self.vault_dir, self)
        dialog.unlocked.connect(lambda vault: self._opened(vault, False))
        dialog.show()
        return dialog

    def reset(self) -> None:
        """Clear everything typed (used when the diary locks again)."""
        self.passphrase.clear()
        self.recovery.clear()
        self.show_box.setChecked(False)
        self.message.setText("")
        self.set_recovery_mode(False)


def _open_and_decode(opener: Callable[[Path, str], Vault], folder: Path, secret: str) -> Vault:
    """Unlock, then decode the entry list once in the worker so the first view is instant."""
    vault = opener(folder, secret)
    vault.incidents.list()
    return vault
