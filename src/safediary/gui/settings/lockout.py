"""Settings: "Lock out anyone who knew my old passphrase" (``vault.rekey``), in a worker.

Unlike "Change my passphrase", this replaces the diary's master key: the database
is re-encrypted and every evidence file's key re-wrapped, so an old copy of the key
file with the old passphrase opens nothing written from now on. The dialog says
plainly what it cannot do: copies and backups made before keep opening with the
old passphrase, for what they already hold.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from safediary.core import Vault
from safediary.gui.start.change_passphrase import ChangePassphraseDialog
from safediary.gui.workers import runner

LOCK_OUT_NOTE = (
    "This gives your diary a new master key and a new recovery key. Anyone who knew your "
    "old passphrase, or has an old copy of the diary's key file, can no longer open "
    "anything you write from now on.\n\n"
    "What it cannot do: copies and backups made before today still open with the old "
    "passphrase, for what they already hold. Delete old backups you no longer control, "
    "and make a new backup afterwards.\n\n"
    "Your old recovery key stops working (you will write down the new one), and "
    "“Remember on this computer” is switched off. With many files this takes a little "
    "while; the evidence files themselves are not copied."
)


class LockOutDialog(ChangePassphraseDialog):
    """New passphrase twice, then ``vault.rekey`` with progress; emits the new recovery key."""

    rekeyed = Signal(str)

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(vault, parent)
        self.setObjectName("lockOutDialog")
        self.setWindowTitle("Lock out anyone who knew my old passphrase")
        self.title.setText("Lock out anyone who knew my old passphrase")
        self.intro.setText(LOCK_OUT_NOTE)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("Lock them out")
        save.setAccessibleName("Make a new master key and lock out the old passphrase")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel")

    def save(self) -> None:
        if not self._check():
            return
        self.busy.setRange(0, 0)
        self.busy.setVisible(True)
        self.buttons.setEnabled(False)
        self.first.setEnabled(False)
        self.second.setEnabled(False)
        self.hint.setText("Re-encrypting your diary… Please keep SafeDiary open.")
        task = runner().run(
            self.vault.rekey,
            self.first.text(),
            on_done=self._rekeyed,
            on_error=self._failed,
        )
        task.signals.progress.connect(self._progress)

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.busy.setRange(0, total)
            self.busy.setValue(done)

    def _rekeyed(self, recovery_key: str) -> None:
        self.first.clear()
        self.second.clear()
        self.accept()
        self.rekeyed.emit(recovery_key)

    def _failed(self, exc: BaseException) -> None:
        self.first.setEnabled(True)
        self.second.setEnabled(True)
        super()._failed(exc)
