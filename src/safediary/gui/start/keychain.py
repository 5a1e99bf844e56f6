""" "Remember on this computer" in the GUI: a settings section and one-click unlock.

:class:`RememberSection` goes into the settings dialog: a check box, an honest
explanation of the trade-off, and a status line. It is disabled, with the
reason, in portable mode or when the computer has no usable keychain. The
change takes effect at once (a key is saved or deleted), off the GUI thread,
because the keychain may take a moment or ask for its own password.

:func:`install_keychain_unlock` adds an "Open with the saved key" button to the
unlock screen when this diary was remembered on this computer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QCheckBox, QPushButton, QVBoxLayout, QWidget

from safediary.core import Vault
from safediary.core.vault import keychain
from safediary.gui.widgets import PlainLabel, button, error_text
from safediary.gui.workers import runner
from safediary.host.paths import DataLocation

EXPLANATION = (
    "When this is on, this computer's keychain (where it keeps saved passwords) holds a key "
    "to your diary, and the diary "
    "opens with one click, without your passphrase. That also means anyone who can use "
    "this computer account can open your diary. Leave it off if someone else uses this "
    "account, knows its password, or could make you unlock it."
)
TURNED_ON = "Done. On this computer, the diary now opens with one click."
TURNED_OFF = "Done. The saved key is gone; the diary needs your passphrase again."


class RememberSection(QWidget):
    """The settings section for "Remember on this computer". Changes apply at once."""

    changed = Signal(bool)

    def __init__(self, vault: Vault, location: DataLocation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rememberSection")
        self.vault = vault
        self.location = location
        self.busy = False

        self.checkbox = QCheckBox("&Remember on this computer")
        self.checkbox.setObjectName("rememberCheckBox")
        self.checkbox.setAccessibleName("Remember on this computer")
        self.checkbox.setAccessibleDescription(EXPLANATION)
        self.explanation = PlainLabel(EXPLANATION)
        self.explanation.setObjectName("rememberExplanation")
        self.status = PlainLabel("")
        self.status.setObjectName("rememberStatus")
        self.status.setAccessibleName("Remember on this computer: status")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.checkbox)
        layout.addWidget(self.explanation)
        layout.addWidget(self.status)

        self.checkbox.setChecked(keychain.is_remembered(vault))
        reason = keychain.unavailable_reason(location)
        if reason is not None:
            self.checkbox.setEnabled(False)
            self.status.setText(reason)
            if not location.keychain_allowed:
                self.checkbox.setChecked(False)
        self.checkbox.toggled.connect(self._toggled)

    def _toggled(self, on: bool) -> None:
        if self.busy:
            return
        self.busy = True
        self.checkbox.setEnabled(False)
        self.status.setText("Saving the key in this computer's keychain…" if on else "Removing…")
        if on:
            runner().run(
                keychain.remember,
                self.vault,
                self.location,
                on_done=lambda _r: self._done(True, TURNED_ON),
                on_error=lambda exc: self._failed(on, exc),
            )
        else:
            runner().run(
                keychain.forget,
                self.vault,
                self.location,
                on_done=lambda note: self._done(False, note or TURNED_OFF),
                on_error=lambda exc: self._failed(on, exc),
            )

    def _done(self, on: bool, text: str) -> None:
        self.busy = False
        self.checkbox.setEnabled(True)
        self.status.setText(text)
        self.changed.emit(on)

    def _failed(self, wanted: bool, exc: BaseException) -> None:
        self.busy = False
        self.checkbox.blockSignals(True)
        del wanted
        self.checkbox.setChecked(keychain.is_remembered(self.vault))  # the real state
        self.checkbox.blockSignals(False)
        self.checkbox.setEnabled(True)
        self.status.setText(error_text(exc))


def install_keychain_unlock(window: QWidget, location: DataLocation) -> QPushButton | None:
    """Add one-click unlock to the unlock screen when a key is saved on this computer.

    ``window`` is the unlock screen: it needs an ``opened`` signal, a ``message``
    label and a vertical layout. Returns the button, or None when there is no
    saved key (portable mode, or never remembered).
    """
    if not keychain.has_saved_key(location):
        return None
    saved = button(
        "Open with the key saved on this computer",
        "keychainUnlockButton",
        tip="Opens the diary without your passphrase, using this computer's keychain.",
    )
    layout = window.layout()
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(max(0, layout.count() - 1), saved, 0, Qt.AlignmentFlag.AlignLeft)
    message = getattr(window, "message", None)

    def opened(result: keychain.KeychainUnlock) -> None:
        saved.setEnabled(True)
        if result.vault is not None:
            if message is not None:
                message.setText("")
            window.opened.emit(result.vault)  # type: ignore[attr-defined]
            return
        saved.setVisible(False)  # it did not work: the passphrase is the way in now
        if message is not None:
            message.setText(result.reason or "Please type your passphrase.")

    def failed(exc: BaseException) -> None:
        saved.setEnabled(True)
        if message is not None:
            message.setText(error_text(exc))

    def clicked() -> None:
        saved.setEnabled(False)
        runner().run(keychain.unlock_attempt, location, on_done=opened, on_error=failed)

    saved.clicked.connect(clicked)
    return saved
