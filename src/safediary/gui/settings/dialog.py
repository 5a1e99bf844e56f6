"""Settings: auto-lock, disguise, paper size and default report options."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.gui.dialog import SafeDialog
from safediary.gui.protection.quick_exit import AfterExit
from safediary.gui.settings.preferences import DISGUISE_TITLE, Preferences
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, fit_to_screen, heading
from safediary.host.paths import DataLocation


def count_box(name: str, accessible: str, maximum: int, never: str, unit: str) -> QSpinBox:
    """A number of minutes or days, 0 meaning ``never``; the unit follows the number."""
    box = QSpinBox()
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    box.setRange(0, maximum)
    box.setSpecialValueText(never)
    box.valueChanged.connect(lambda n: box.setSuffix(f" {unit}" if n == 1 else f" {unit}s"))
    box.setSuffix(f" {unit}s")
    return box


class SettingsDialog(SafeDialog):
    """Edits a copy of the preferences; read them with ``preferences()`` after ``accepted``."""

    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        vault: Vault | None = None,
        location: DataLocation | None = None,
    ) -> None:
        super().__init__(parent)
        self._prefs = replace(prefs)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        outer = QVBoxLayout(self)
        self.add_quick_exit(outer)
        outer.addWidget(heading("Settings"))
        # The groups scroll inside the dialog: on a small screen they keep their natural
        # height instead of being squashed until fields clip their own text.
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 6, 0)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        safety = QGroupBox("Safety")
        form = QFormLayout(safety)
        self.auto_lock = count_box(
            "autoLockMinutes", "Lock after this many minutes without use", 240, "Never", "minute"
        )
        self.auto_lock.setValue(prefs.auto_lock_minutes)
        form.addRow("Lock when not used for:", self.auto_lock)
        self.lock_on_minimise = QCheckBox("Lock when the window is minimised")
        self.lock_on_minimise.setObjectName("lockOnMinimiseBox")
        self.lock_on_minimise.setAccessibleName("Lock when the window is minimised")
        self.lock_on_minimise.setChecked(prefs.lock_on_minimise)
        form.addRow("", self.lock_on_minimise)
        self.disguise = QCheckBox(
            f"Disguise the window: call it “{DISGUISE_TITLE}” with a plain icon"
        )
        self.disguise.setObjectName("disguiseBox")
        self.disguise.setAccessibleName("Disguise the window title and icon")
        self.disguise.setChecked(prefs.disguise_title)
        form.addRow("", self.disguise)
        form.addRow(
            "",
            PlainLabel(
                "A disguise only helps against a quick glance. It does not hide that "
                "SafeDiary is installed."
            ),
        )
        self.after_exit = QComboBox()
        self.after_exit.setObjectName("afterExitBox")
        self.after_exit.setAccessibleName("After quick exit, open")
        self.after_exit.addItem("Nothing", "nothing")
        self.after_exit.addItem("A web page", "web")
        self.after_exit.addItem("A program", "program")
        self.after_exit.setCurrentIndex(max(0, self.after_exit.findData(prefs.after_exit_kind)))
        form.addRow("After quick exit, open:", self.after_exit)
        self.after_exit_target = QLineEdit(prefs.after_exit_target)
        self.after_exit_target.setObjectName("afterExitTarget")
        self.after_exit_target.setAccessibleName("Web page or program to open after quick exit")
        self.after_exit_target.setPlaceholderText("For example https://www.bbc.co.uk/weather")
        form.addRow("", self.after_exit_target)
        self.after_exit_problem = PlainLabel("")
        self.after_exit_problem.setObjectName("afterExitProblem")
        set_role(self.after_exit_problem, "problem")
        self.after_exit_problem.hide()
        form.addRow("", self.after_exit_problem)
        self.after_exit.currentIndexChanged.connect(self._after_exit_changed)
        self._after_exit_changed()
        layout.addWidget(safety)

        backups = QGroupBox("Backups")
        form = QFormLayout(backups)
        self.backup_days = count_box(
            "backupReminderDays",
            "Remind me to back up after this many days",
            365,
            "Never remind me",
            "day",
        )
        self.backup_days.setValue(prefs.backup_reminder_days)
        form.addRow("Remind me to back up after:", self.backup_days)
        layout.addWidget(backups)

        report = QGroupBox("Reports")
        form = QFormLayout(report)
        self.paper = QComboBox()
        self.paper.setObjectName("paperSizeBox")
        self.paper.setAccessibleName("Paper size")
        self.paper.addItem("A4 (UK and most countries)", "A4")
        self.paper.addItem("Letter (USA and Canada)", "Letter")
        self.paper.setCurrentIndex(0 if prefs.paper_size == "A4" else 1)
        form.addRow("Paper size:", self.paper)
        self.include_feelings = QCheckBox("Include how it made me feel")
        self.include_feelings.setObjectName("includeFeelingsBox")
        self.include_feelings.setAccessibleName("Include feelings in reports")
        self.include_feelings.setChecked(prefs.report_include_feelings)
        self.include_private = QCheckBox("Include entries marked private")
        self.include_private.setObjectName("includePrivateBox")
        self.include_private.setAccessibleName("Include private entries in reports")
        self.include_private.setChecked(prefs.report_include_private)
        self.thumbnails = QCheckBox("Show small pictures of photo evidence")
        self.thumbnails.setObjectName("thumbnailsBox")
        self.thumbnails.setAccessibleName("Show thumbnails of photo evidence in reports")
        self.thumbnails.setChecked(prefs.report_thumbnails)
        for box in (self.include_feelings, self.include_private, self.thumbnails):
            form.addRow("", box)
        layout.addWidget(report)

        self.keys = None
        if vault is not None:  # change the passphrase, make a new recovery key
            from safediary.gui.settings.keys import KeysSection

            keys_box = QGroupBox("Passphrase and recovery key")
            self.keys = KeysSection()
            QVBoxLayout(keys_box).addWidget(self.keys)
            layout.addWidget(keys_box)

        self.remember = None
        if vault is not None and location is not None:  # "Remember on this computer"
            from safediary.gui.start.keychain import RememberSection

            computer = QGroupBox("This computer")
            self.remember = RememberSection(vault, location)
            QVBoxLayout(computer).addWidget(self.remember)
            layout.addWidget(computer)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addStretch(1)
        outer.addWidget(buttons)
        fit_to_screen(self, 720, body.sizeHint().height() + 170)

    def _after_exit_changed(self) -> None:
        kind = self.after_exit.currentData()
        self.after_exit_target.setEnabled(kind != "nothing")
        self.after_exit_target.setPlaceholderText(
            "For example /usr/bin/gnome-calculator"
            if kind == "program"
            else "For example https://www.bbc.co.uk/weather"
        )

    def accept(self) -> None:
        """Refuse an after-exit choice that could not work, with a plain reason."""
        choice = AfterExit.from_setting(
            self.after_exit.currentData(), self.after_exit_target.text()
        )
        problem = choice.problem() if self.after_exit.currentData() != "nothing" else None
        if self.after_exit.currentData() != "nothing" and not self.after_exit_target.text().strip():
            problem = "Please type the web page or program to open, or choose “Nothing”."
        if problem:
            self.after_exit_problem.setText(problem)
            self.after_exit_problem.show()
            self.after_exit_target.setFocus()
            return
        super().accept()

    def preferences(self) -> Preferences:
        return replace(
            self._prefs,
            auto_lock_minutes=self.auto_lock.value(),
            lock_on_minimise=self.lock_on_minimise.isChecked(),
            disguise_title=self.disguise.isChecked(),
            paper_size=self.paper.currentData(),
            report_include_feelings=self.include_feelings.isChecked(),
            report_include_private=self.include_private.isChecked(),
            report_thumbnails=self.thumbnails.isChecked(),
            backup_reminder_days=self.backup_days.value(),
            after_exit_kind=self.after_exit.currentData(),
            after_exit_target=self.after_exit_target.text().strip(),
        )
