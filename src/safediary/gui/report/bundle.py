"""'Bundle for the police': the report plus exact exhibit copies in a new folder.

The core (``write_bundle``) does all the file work in a worker thread; this
window says plainly that the copies are not encrypted and may reach the
defence, lets the user choose where, and shows progress with a Cancel button.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from safediary.core.report import ReportOptions, write_bundle
from safediary.gui.dialog import SafeDialog
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, choose_folder, error_text, heading
from safediary.gui.workers import Task, runner

UNENCRYPTED = (
    "This writes your report and an exact copy of each evidence file in it into a new "
    "folder, without encryption. Anyone who gets that folder, or the stick it is on, can "
    "read all of it. Put it only somewhere you trust, such as a USB stick you hand over, "
    "and delete any copy on this computer when you are done."
)

DISCLOSURE = (
    "What you give to the police may be shown to the defence (the other person's lawyer) "
    "if the case goes to court."
)


def _write(
    vault: Any, dest: Path, options: ReportOptions, make_zip: bool, progress: Any, cancel: Any
) -> Path:
    """Worker body: the task runner passes ``progress`` and ``cancel``."""
    return write_bundle(
        vault, dest, options, progress=progress, cancel=cancel, make_zip=make_zip
    )


class BundleDialog(SafeDialog):
    """Choose a folder, then write the bundle there with progress and Cancel."""

    def __init__(self, vault: Any, options: ReportOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.report_options = options
        self.folder: Path | None = None
        self.result_folder: Path | None = None
        self._task: Task | None = None
        self._closing = False
        self.setObjectName("bundleDialog")
        self.setWindowTitle("Bundle for the police")
        self.setAccessibleName("Make a bundle for the police")
        self.resize(560, 420)

        warning = PlainLabel(UNENCRYPTED, self)
        warning.setObjectName("bundleWarning")
        set_role(warning, "strong")
        disclosure = PlainLabel(
            DISCLOSURE + " The bundle holds what you chose in the report window.", self
        )
        disclosure.setObjectName("bundleDisclosure")
        contents = PlainLabel(
            "The folder will hold: the report (PDF); each evidence file named by its exhibit "
            "mark, for example “RW-1 screenshot.png”; a list of the files with their check "
            "numbers, which prove each copy is exact (SHA-256 fingerprints, in manifest.csv "
            "and manifest.json); and HOW-TO-VERIFY.txt, which tells the officer how to check "
            "every file.",
            self,
        )

        self.folder_field = QLineEdit(self)
        self.folder_field.setObjectName("bundleFolderField")
        self.folder_field.setAccessibleName("Folder for the bundle")
        self.folder_field.setPlaceholderText("Choose where to put the new folder")
        self.folder_field.setReadOnly(True)
        self.choose_button = button("Choose…", "bundleChooseButton", "Choose a folder")
        self.choose_button.clicked.connect(self.choose)
        pick = QHBoxLayout()
        pick.addWidget(self.folder_field, 1)
        pick.addWidget(self.choose_button)

        self.zip_check = QCheckBox("Also make one ZIP file of it (easier to copy or send)", self)
        self.zip_check.setObjectName("bundleZipCheck")
        self.zip_check.setAccessibleName("Also make a ZIP file")

        self.progress = QProgressBar(self)
        self.progress.setObjectName("bundleProgress")
        self.progress.setAccessibleName("Progress of the bundle")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = PlainLabel("", self)
        self.status.setObjectName("bundleStatus")

        self.start_button = button(
            "&Make the bundle", "bundleStartButton", "Make the bundle", "Write the new folder"
        )
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(lambda: self.start())
        self.cancel_button = button("Cancel", "bundleCancelButton", "Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.quick_exit = self.quick_exit_button
        buttons = QHBoxLayout()
        buttons.addWidget(self.quick_exit)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Bundle for the police", self))
        layout.addWidget(warning)
        layout.addWidget(disclosure)
        layout.addWidget(contents)
        layout.addLayout(pick)
        layout.addWidget(self.zip_check)
        layout.addWidget(self.progress)
        layout.addWidget(self.status, 1)
        layout.addLayout(buttons)

    # -- seams tests can replace ------------------------------------------------------
    def choose_folder(self) -> Path | None:
        """Ask for a folder (Qt's own dialog, no recent-files trace). Tests replace this."""
        return choose_folder(self, "Where to put the bundle")

    # -- actions ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def choose(self) -> None:
        folder = self.choose_folder()
        if folder is None:
            return
        self.folder = folder
        self.folder_field.setText(str(folder))
        self.start_button.setEnabled(True)
        self.status.setText(
            "A new folder named “Diary report and exhibits” with today's date will be made "
            "inside it. Nothing there is replaced."
        )

    def start(self) -> Task | None:
        if self._task is not None or self.folder is None:
            return None
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Making the bundle…")
        self.start_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.zip_check.setEnabled(False)
        task = Task(
            _write, self.vault, self.folder, self.report_options, self.zip_check.isChecked()
        )
        task.connect(
            progress=self._on_progress,
            finished=self._on_done,
            failed=self._on_failed,
            cancelled=self._on_cancelled,
        )
        self._task = task
        runner().start(task)
        return task

    def cancel(self) -> None:
        """Stop the work if it is running (nothing is left behind), else close."""
        if self._task is not None:
            self._task.cancel()
            self.status.setText("Stopping…")
            return
        self.reject()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    def _finish(self) -> None:
        self._task = None
        self.progress.hide()
        self.choose_button.setEnabled(True)
        self.zip_check.setEnabled(True)
        self.start_button.setEnabled(self.folder is not None)

    def _on_done(self, folder: Path) -> None:
        self._finish()
        self.result_folder = folder
        if self._closing:
            return
        zipped = " and a ZIP of it beside it" if self.zip_check.isChecked() else ""
        self.status.setText(
            f"Done. The bundle is in the folder “{folder.name}”{zipped}, in {folder.parent}. "
            "Every copy was checked against its SHA-256. Remember that these copies are not "
            "encrypted."
        )
        self.cancel_button.setText("Close")

    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        if not self._closing:
            self.status.setText("The bundle could not be made. " + error_text(exc))

    def _on_cancelled(self) -> None:
        self._finish()
        if not self._closing:
            self.status.setText("You stopped it. Nothing was written.")

    def done(self, result: int) -> None:
        """Every way of closing (Cancel, Escape, the window's X, locking) ends here."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
        super().done(result)


__all__ = ["DISCLOSURE", "UNENCRYPTED", "BundleDialog"]
