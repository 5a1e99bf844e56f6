"""Settings: "Change my passphrase", "Make a new recovery key" and "Lock out anyone who
knew my old passphrase", in plain words."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

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
        self.change_button = button(
            "Change my passphrase…",
            "changePassphraseButton",
            "Change my passphrase",
            "Choose a new passphrase to open the diary with",
        )
        self.change_button.setAutoDefault(False)
        self.change_button.clicked.connect(self.change_passphrase_requested)
        grid.addWidget(self.change_button, 0, 0)
        grid.addWidget(
            PlainLabel(
                "From now on the diary opens with the new passphrase. Nothing you wrote is "
                "changed, and your recovery key keeps working."
            ),
            0,
            1,
        )
        self.recovery_button = button(
            "Make a new recovery key…",
            "newRecoveryKeyButton",
            "Make a new recovery key",
            "Replace the recovery key, for example if the paper is lost or someone saw it",
        )
        self.recovery_button.setAutoDefault(False)
        self.recovery_button.clicked.connect(self.new_recovery_key_requested)
        grid.addWidget(self.recovery_button, 1, 0)
        grid.addWidget(
            PlainLabel(
                "If you lost the paper with your recovery key, or someone else may have seen "
                "it: the old key stops working and you write down a new one."
            ),
            1,
            1,
        )
        self.lock_out_button = button(
            "Lock out anyone who knew my old passphrase…",
            "lockOutButton",
            "Lock out anyone who knew my old passphrase",
            "Give the diary a new master key, so old passphrases and old key files stop "
            "working for anything written from now on",
        )
        self.lock_out_button.setAutoDefault(False)
        self.lock_out_button.clicked.connect(self.lock_out_requested)
        grid.addWidget(self.lock_out_button, 2, 0)
        grid.addWidget(
            PlainLabel(
                "If someone knew your passphrase or may have copied the diary: a new master "
                "key, a new passphrase and a new recovery key, so they cannot open anything "
                "you write from now on. Copies and backups made before still open with the "
                "old passphrase for what they already hold."
            ),
            2,
            1,
        )
        self.grid = grid
