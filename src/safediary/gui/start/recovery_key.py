"""The recovery key page: shown once, printed only on a real printer, confirmed by one group.

The key stays on screen until the person types one group of it back. Until then the
vault keeps it encrypted as "not yet written down", so a quick exit, an idle lock or a
crash before that moment shows this page again at the next unlock. Locking closes the
page and blanks the key like every other window.
"""

from __future__ import annotations

import secrets

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QShowEvent, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.vault.recovery import groups
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, heading

KEY_WARNING = (
    "Do not keep it on this computer, on your phone, in your e-mail or anywhere the person "
    "you are afraid of could find it. Write it on paper and keep it somewhere safe, for "
    "example with someone you trust."
)

NO_PRINTER = (
    "There is no printer set up on this computer, so SafeDiary will not print the key. "
    "(Without a printer, “printing” would only save the key in a file on this computer, "
    "which is exactly what must not happen.) Please copy it onto paper by hand."
)

PRINT_WARNING = (
    "Printing sends your recovery key through this computer's printing system, which may "
    "keep a copy of it (in the print queue or its history). Only print on a printer you "
    "trust, where nobody else will pick up the paper, and take the page at once.\n\n"
    "Copying the key by hand is the safest way."
)

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth")  # fmt: skip


def printers_available() -> bool:
    """True when the computer has at least one real printer set up."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return bool(QPrinterInfo.availablePrinters())


def print_recovery_key(parent: QWidget | None, key: str) -> bool:
    """Print the key on a real printer only, after a plain warning. Never writes a file."""
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

    if not printers_available():
        widgets.inform(parent, "No printer", NO_PRINTER, warning=True)
        return False
    choice = widgets.ask(parent, "Print the recovery key?", PRINT_WARNING, ["Print", "Cancel"])
    if choice != "Print":
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the recovery key")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat or printer.outputFileName():
        widgets.inform(parent, "Not printed", NO_PRINTER, warning=True)
        return False  # a "print to file" choice slipped through: refuse
    document = QTextDocument()
    document.setPlainText(
        "SafeDiary recovery key\n\n"
        f"{key}\n\n"
        "This key opens your diary if you forget your passphrase.\n"
        "Keep this paper somewhere safe, away from the computer."
    )
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(14)
    document.setDefaultFont(font)
    from safediary.host import spool

    with spool.printing():  # Qt's print file: in <data>/spool, removed at once, never /tmp
        document.print_(printer)
    return True


class RecoveryKeyDialog(SafeDialog):
    """Shows a recovery key until one of its groups is typed back (or "Later")."""

    def __init__(
        self, vault: Vault, key: str, parent: QWidget | None = None, *, replaced: bool = False
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.key = key
        self.confirmed = False
        self.group_number = secrets.randbelow(len(groups(key))) + 1
        self.setObjectName("recoveryKeyDialog")
        self.setWindowTitle("Your recovery key")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(heading("Your new recovery key" if replaced else "Your recovery key"))
        intro = (
            "Your old recovery key no longer opens the diary. This new one does. "
            if replaced
            else ""
        ) + (
            "If you ever forget your passphrase, this key is the only other way into your "
            "diary. Please write it down on paper now."
        )
        layout.addWidget(PlainLabel(intro))
        layout.addWidget(self._key_grid(key))
        warning = PlainLabel(KEY_WARNING)
        warning.setObjectName("keyWarning")
        set_role(warning, "warning")
        layout.addWidget(warning)
        row = QHBoxLayout()
        self.print_button = button(
            "Print on paper…",
            "printKeyButton",
            "Print the recovery key on a printer",
            "Only on a real printer; the key is never saved as a file",
        )
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(lambda: print_recovery_key(self, self.key))
        row.addWidget(self.print_button)
        row.addStretch(1)
        layout.addLayout(row)

        ordinal = ORDINALS[self.group_number - 1]
        self.check_label = PlainLabel(
            f"To check you have it, type group {self.group_number} (the {ordinal} group of "
            "five letters and digits) as you wrote it:"
        )
        self.check_label.setObjectName("keyCheckLabel")
        layout.addWidget(self.check_label)
        self.group_field = QLineEdit()
        self.group_field.setObjectName("keyGroupField")
        self.group_field.setAccessibleName(f"The {ordinal} group of the recovery key")
        self.group_field.setMaxLength(12)
        self.group_field.setFixedWidth(160)
        self.group_field.returnPressed.connect(self.check)
        layout.addWidget(self.group_field)
        self.problem = PlainLabel("")
        self.problem.setObjectName("keyCheckProblem")
        set_role(self.problem, "problem")
        layout.addWidget(self.problem)
        layout.addStretch(1)
        row = QHBoxLayout()
        self.later_button = button(
            "Later",
            "keyLaterButton",
            "Show the key again next time",
            "The key will be shown again the next time you open the diary",
        )
        self.later_button.setAutoDefault(False)
        self.later_button.clicked.connect(self.reject)
        row.addWidget(self.later_button)
        row.addStretch(1)
        self.done_button = button("I have written it down", "confirmKeyButton")
        self.done_button.setAutoDefault(False)
        self.done_button.clicked.connect(self.check)
        row.addWidget(self.done_button)
        layout.addLayout(row)
        self.resize(680, 480)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.group_field.setFocus()

    def check(self) -> bool:
        """Accept when the typed group is right; otherwise say so and keep the page."""
        if self.vault.is_locked:
            return False
        if self.vault.confirm_recovery_key(self.group_number, self.group_field.text()):
            self.confirmed = True
            self.accept()
            return True
        self.problem.setText(
            f"That is not group {self.group_number}. Please compare what you wrote with the "
            "key above, letter by letter, and correct your paper if they differ."
        )
        self.group_field.selectAll()
        self.group_field.setFocus()
        return False

    def _key_grid(self, key: str) -> QFrame:
        """The key's groups in two rows, each with its number underneath."""
        frame = QFrame()
        frame.setObjectName("recoveryKeyFrame")
        frame.setAccessibleName("Recovery key")
        grid = QGridLayout(frame)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setHorizontalSpacing(18)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(15)
        font.setWeight(QFont.Weight.DemiBold)
        self.group_labels: list[QLabel] = []
        for n, group in enumerate(groups(key)):
            row, column = divmod(n, 6)
            label = QLabel(group)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setFont(font)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setAccessibleName(f"Group {n + 1}")
            number = QLabel(str(n + 1))
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            set_role(number, "small")
            grid.addWidget(label, row * 2, column)
            grid.addWidget(number, row * 2 + 1, column)
            self.group_labels.append(label)
        return frame

    def shown_key(self) -> str:
        """The key as it is on screen now ('' once blanked)."""
        return "-".join(label.text() for label in self.group_labels if label.text())

    def _blank(self) -> None:
        self.key = ""
        for label in self.group_labels:
            label.setText("")
        self.group_field.clear()

    def force_close(self) -> None:
        """Locking: blank the key and close (the vault still holds it unconfirmed)."""
        self._blank()
        self.done(QDialog.DialogCode.Rejected)

    def done(self, result: int) -> None:
        self._blank()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._blank()
        super().closeEvent(event)


__all__ = ["RecoveryKeyDialog", "print_recovery_key", "printers_available"]
