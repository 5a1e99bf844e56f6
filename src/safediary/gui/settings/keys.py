"""Settings: "Change my passphrase" and "Make a new recovery key", in plain words."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from safediary.gui.widgets import PlainLabel, button


class KeysSection(QWidget):
    """Two buttons with a sentence each; the main window opens the dialogs they ask for."""

    change_passphrase_requested = Signal()
    new_recovery_key_requested = Signal()

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
        # Row 2 is kept for "Lock out anyone who knew my old passphrase" (vault.rekey,
        # being built in core): a new master key, so old copies of the key file stop
        # opening new entries. Add its button and sentence here when it lands.
        self.grid = grid
