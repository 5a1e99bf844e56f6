"""First run: a kind welcome and choosing a passphrase (the diary then shows the recovery key)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.gui import widgets
from safediary.gui.protection.quick_exit import QuickExitButton
from safediary.gui.start.strength import assess
from safediary.gui.style import set_role
from safediary.gui.widgets import PassphraseField, PlainLabel, button, heading, show_toggle
from safediary.gui.workers import runner

WELCOME = [
    (
        "What this is",
        "SafeDiary is a private diary for writing down what someone is doing to you: "
        "calls, messages, following, turning up, threats. It keeps copies of your evidence "
        "and can print a clear report for the police, a solicitor or a support worker.",
    ),
    (
        "It stays with you",
        "Everything stays on this computer (or on your USB stick), locked with a passphrase "
        "only you know. Nothing is sent over the internet.",
    ),
    (
        "Quick exit",
        "The red Quick exit button, or pressing Shift three times, hides SafeDiary at once "
        "and locks it. It cannot hide that SafeDiary is installed on this computer, or that "
        "your USB stick exists.",
    ),
    (
        "Who may read it",
        "If it goes to court, what you write may be read by the police and by the other "
        "side's lawyer. Write what happened in your own words, as soon as you can. You can "
        "correct an entry later; the earlier version is kept too, which shows you were honest.",
    ),
]


class FirstRunWindow(QWidget):
    """The three first-run pages. Emits ``opened(vault)`` when the diary is ready."""

    opened = Signal(object)
    quick_exit_requested = Signal()

    def __init__(self, vault_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault_dir = Path(vault_dir)
        self.vault: Vault | None = None
        self.setObjectName("firstRunWindow")
        self.setWindowTitle("Welcome to SafeDiary")
        self.resize(720, 620)

        top = QHBoxLayout()
        top.addStretch(1)
        self.quick_exit_button = QuickExitButton(self, on_click=self.quick_exit_requested.emit)
        top.addWidget(self.quick_exit_button)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._welcome_page())
        self.pages.addWidget(self._passphrase_page())
        # This is a window, not a dialog: its "default" button does not answer Enter.
        # Only on the welcome page: later pages' fields handle Enter themselves.
        self._enter_keys = []
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(self._enter_pressed)
            self._enter_keys.append(shortcut)
        self.pages.currentChanged.connect(self._enter_on_welcome_only)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    # -- page 1 -----------------------------------------------------------------
    def _welcome_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Welcome to SafeDiary"))
        body = QWidget()
        body_layout = QVBoxLayout(body)
        for title, text in WELCOME:
            body_layout.addWidget(heading(title, size=12))
            label = PlainLabel(text)
            label.setAccessibleName(title)
            body_layout.addWidget(label)
        body_layout.addWidget(
            PlainLabel("If you are in danger now, call 999 (or your local emergency number).")
        )
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.restore_button = button(
            "I have a backup…", "restoreBackupStartButton", "Open or restore a backup"
        )
        self.restore_button.setFlat(True)
        self.restore_button.clicked.connect(self.open_backup)
        self.start_button = button("Set up my diary", "startButton")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._go_passphrase)
        layout.addLayout(widgets.ends_row(self.restore_button, self.start_button))
        return page

    def open_backup(self) -> QWidget:
        """Restore a backup as the diary (or open it where it is) instead of starting anew."""
        from safediary.gui.backup.dialogs import OpenBackupDialog

        dialog = OpenBackupDialog(self.vault_dir, self)
        dialog.unlocked.connect(self.opened.emit)
        dialog.show()
        return dialog

    def _enter_on_welcome_only(self, index: int) -> None:
        for shortcut in self._enter_keys:
            shortcut.setEnabled(index == 0)

    def _enter_pressed(self) -> None:
        """Enter on the welcome page sets up the diary (or opens the focused backup button)."""
        if self.pages.currentIndex() != 0:
            return
        if self.restore_button.hasFocus():
            self.open_backup()
        else:
            self._go_passphrase()

    def _go_passphrase(self) -> None:
        self.pages.setCurrentIndex(1)
        self.passphrase.setFocus()

    # -- page 2 -----------------------------------------------------------------
    def _passphrase_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Choose a passphrase"))
        layout.addWidget(
            PlainLabel(
                "Your passphrase locks the diary. Pick something you can remember but that the "
                "person you are afraid of could not guess: three or four unrelated words work "
                "well. Avoid birthdays, names and pets."
            )
        )
        form = QFormLayout()
        self.passphrase = PassphraseField("Passphrase")
        self.passphrase.setObjectName("newPassphraseField")
        self.repeat = PassphraseField("Passphrase again")
        self.repeat.setObjectName("repeatPassphraseField")
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("Type it &again:", self.repeat)
        form.addRow("", show_toggle(self.passphrase, self.repeat))
        layout.addLayout(form)
        self.strength_label = PlainLabel("")
        self.strength_label.setObjectName("strengthLabel")
        self.strength_label.setAccessibleName("Passphrase strength")
        layout.addWidget(self.strength_label)
        self.problem_label = PlainLabel("")
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setAccessibleName("Problem")
        set_role(self.problem_label, "problem")
        layout.addWidget(self.problem_label)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.busy.setAccessibleName("Creating your diary")
        layout.addWidget(self.busy)
        layout.addStretch(1)
        back = button("Back", "backButton")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.create_button = button("Create my diary", "createButton")
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self.create_vault)
        layout.addLayout(widgets.ends_row(back, self.create_button))
        self.passphrase.textChanged.connect(self._check)
        self.repeat.textChanged.connect(self._check)
        self.repeat.returnPressed.connect(self.create_vault)
        self.passphrase.returnPressed.connect(self._first_entered)
        return page

    def _why_not(self) -> tuple[str, QWidget]:
        """Why the diary cannot be made yet (Enter says so), and which field to fix."""
        first, second = self.passphrase.text(), self.repeat.text()
        strength = assess(first)
        if not first:
            return "Please type a passphrase first.", self.passphrase
        if not strength.acceptable:
            return (
                "This passphrase is too easy to guess, so the diary is not made with it yet. "
                + strength.text,
                self.passphrase,
            )
        if not second:
            return "Now type the same passphrase again in the second box.", self.repeat
        if first != second:
            return "The two passphrases are not the same yet.", self.repeat
        return "", self.repeat

    def _first_entered(self) -> None:
        reason, field = self._why_not()
        if field is self.passphrase:
            self.problem_label.setText(reason)
        field.setFocus()

    def _check(self) -> bool:
        first, second = self.passphrase.text(), self.repeat.text()
        strength = assess(first)
        self.strength_label.setText(strength.text)
        problem = ""
        if second and first != second:
            problem = "The two passphrases are not the same yet."
        self.problem_label.setText(problem)
        ok = strength.acceptable and first == second
        self.create_button.setEnabled(ok)
        return ok

    def create_vault(self) -> None:
        if self.busy.isVisible():
            return
        if not self._check():  # Enter on a weak or unmatched passphrase: say why
            reason, field = self._why_not()
            self.problem_label.setText(reason)
            field.setFocus()
            return
        self._set_busy(True)
        passphrase = self.passphrase.text()
        runner().run(
            create_and_hold_key,
            self.vault_dir,
            passphrase,
            on_done=self._created,
            on_error=self._failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for w in (self.passphrase, self.repeat, self.create_button):
            w.setEnabled(not busy)
        if not busy:
            self._check()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.problem_label.setText(widgets.error_text(exc))

    def _created(self, vault: Vault) -> None:
        """Open the diary; it shows the recovery key (kept until confirmed) on top."""
        self.passphrase.clear()
        self.repeat.clear()
        self._set_busy(False)
        self.vault = vault
        self.opened.emit(vault)
        self.vault = None

    def discard(self) -> None:
        """Lock a vault created but not yet handed over (quick exit during first run)."""
        if self.vault is not None:
            self.vault.lock()
            self.vault = None


def create_and_hold_key(folder: Path, passphrase: str) -> Vault:
    """Make the vault and keep its recovery key (encrypted) until it is confirmed.

    Runs in a worker. If the person quick-exits or the app stops before writing the
    key down, the next unlock shows it again.
    """
    vault, key = Vault.create(folder, passphrase)
    try:
        vault.hold_recovery_key(key)
    except BaseException:
        vault.lock()
        raise
    return vault
