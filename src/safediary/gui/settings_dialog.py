"""Settings: auto-lock, disguise, paper size and default report options."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from safediary.gui.quickexit import QuickExitButton
from safediary.gui.settings import DISGUISE_TITLE, Preferences
from safediary.gui.widgets import PlainLabel, heading


class SettingsDialog(QDialog):
    """Edits a copy of the preferences; read them with ``preferences()`` after ``accepted``."""

    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        vault: object | None = None,
        location: object | None = None,
    ) -> None:
        super().__init__(parent)
        self._prefs = replace(prefs)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(680)
        layout = QVBoxLayout(self)
        layout.addWidget(QuickExitButton(self), 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(heading("Settings"))

        safety = QGroupBox("Safety")
        form = QFormLayout(safety)
        self.auto_lock = QSpinBox()
        self.auto_lock.setObjectName("autoLockMinutes")
        self.auto_lock.setAccessibleName("Lock after this many minutes without use")
        self.auto_lock.setRange(0, 240)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.setSpecialValueText("Never")
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
        layout.addWidget(safety)

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

        self.remember = None
        if vault is not None and location is not None:  # "Remember on this computer"
            from safediary.gui.keychain_ui import RememberSection

            computer = QGroupBox("This computer")
            self.remember = RememberSection(vault, location)  # type: ignore[arg-type]
            QVBoxLayout(computer).addWidget(self.remember)
            layout.addWidget(computer)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

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
        )
