"""Settings: "Change my passphrase", "Make a new recovery key" and "Lock out anyone who
knew my old passphrase", in plain words."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from safediary.gui.widgets import PlainLabel, button


class KeysSection(QWidget):
    """Three buttons with a sentence each; the main window opens the dialogs they ask for."""

    change_passphrase_requested = Signal()
    new_recovery_key_requested = Signal()
    lock_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keysSection")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        self.grid = grid
        self._rows = 0
        self.change_button = self._row(
            ("Change my passphrase…", "changePassphraseButton", "Change my passphrase",
             "Choose a new passphrase to open the diary with"),
            "From now on the diary opens with the new passphrase. Nothing you wrote is "
            "changed, and your recovery key keeps working.",
        )
        self.change_button.clicked.connect(self.change_passphrase_requested)
        self.recovery_button = self._row(
            ("Make a new recovery key…", "newRecoveryKeyButton", "Make a new recovery key",
             "Replace the recovery key, for example if the paper is lost or someone saw it"),
            "If you lost the paper with your recovery key, or someone else may have seen "
            "it: the old key stops working and you write down a new one.",
        )
        self.recovery_button.clicked.connect(self.new_recovery_key_requested)
        self.lock_out_button = self._row(
            ("Lock out anyone who knew my old passphrase…", "lockOutButton",
             "Lock out anyone who knew my old passphrase",
             "Give the diary a new master key, so old passphrases and old key files stop "
             "working for anything written from now on"),
            "If someone knew your passphrase or may have copied the diary: a new master "
            "key, a new passphrase and a new recovery key, so they cannot open anything "
            "you write from now on. Copies and backups made before still open with the "
            "old passphrase for what they already hold.",
        )
        self.lock_out_button.clicked.connect(self.lock_out_requested)

    def _row(self, spec: tuple[str, str, str, str], explanation: str) -> QPushButton:
        """One action: its button on the left, what it does on the right."""
        row = self._rows
        self._rows += 1
        action = button(*spec)
        action.setAutoDefault(False)
        self.grid.addWidget(action, row, 0)
        self.grid.addWidget(PlainLabel(explanation), row, 1)
        return action
