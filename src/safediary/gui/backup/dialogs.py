"""Backups in the app: "Back up now…", "Check my diary", "Open a backup…" and the reminder.

Long work (copying, checking) runs in a worker with a progress bar and a Stop
button; results are shown in plain words. Folders are chosen with Qt's own
dialog, which leaves no trace in the desktop's recent-files lists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from safediary.core import InvalidInput, Vault, WrongPassphrase
from safediary.core.backup import backup as core_backup
from safediary.core.backup.backup import BackupReport, RestoreReport, find_backups
from safediary.core.vault.keys import parse_recovery_key
from safediary.gui.dialog import SafeDialog
from safediary.gui.widgets import (
    PassphraseField,
    PlainLabel,
    button,
    choose_folder,
    error_text,
    heading,
)
from safediary.gui.workers import Task, runner

DEFAULT_REMINDER_DAYS = 14


def backup_due(vault: Vault, days: int = DEFAULT_REMINDER_DAYS) -> bool:
    """True when the last checked backup is ``days`` old or there is none (0 = never remind)."""
    return core_backup.backup_due(vault, days)


def reminder_text(vault: Vault) -> str:
    """A calm one-line nudge about backups."""
    last = core_backup.last_backup_at(vault)
    if last is None:
        return (
            "Your diary has not been backed up yet. A backup on a second stick or disk "
            "keeps your entries safe if this one is lost or breaks."
        )
    return (
        f"Your last backup was on {last:%d %B %Y}. It is a good time to make a fresh one, "
        "ideally on a second stick or disk."
    )


class _WorkDialog(SafeDialog):
    """A dialog that runs one task at a time, with progress, Stop and a result label."""

    def __init__(self, parent: QWidget | None, title: str, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(600, 320)
        self.task: Task | None = None
        self.progress = QProgressBar()
        self.progress.setObjectName(f"{name}Progress")
        self.progress.setAccessibleName("Progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.result_label = PlainLabel("")
        self.result_label.setObjectName(f"{name}Result")
        self.result_label.setAccessibleName("Result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stop_button = button("Stop", f"{name}StopButton", "Stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self.close_button = button("Close", f"{name}CloseButton", "Close")
        self.close_button.clicked.connect(self.close)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def run(self, fn: Any, *args: Any) -> Task:
        task = Task(fn, *args).connect(
            progress=self._on_progress,
            finished=self._finished,
            failed=self._failed,
            cancelled=self._cancelled,
        )
        self.task = task
        self.progress.setValue(0)
        self.progress.show()
        self.stop_button.show()
        self._set_busy(True)
        runner().start(task)
        return task

    def _set_busy(self, busy: bool) -> None:
        """Subclasses enable or disable their own controls."""

    def _end(self) -> None:
        self.task = None
        self.progress.hide()
        self.stop_button.hide()
        self._set_busy(False)

    def _on_progress(self, done: int, total: int) -> None:
        # bytes: a backup past 2 GiB would overflow the bar's int range, so show per mille
        self.progress.setMaximum(1000)
        self.progress.setValue(min(1000, int(1000 * done / total)) if total > 0 else 0)

    def _finished(self, result: Any) -> None:
        self._end()
        self.show_result(result)

    def _failed(self, exc: BaseException) -> None:
        self._end()
        self.result_label.setText(self.failure_text(exc))

    def _cancelled(self) -> None:
        self._end()
        self.result_label.setText("Stopped. Nothing was left half-done.")

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def failure_text(self, exc: BaseException) -> str:
        return error_text(exc)

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.result_label.setText("Stopping…")

    def force_close(self) -> None:
        """Used when the diary locks: stop the work and close at once."""
        if self.task is not None:
            self.task.cancel()
        self.close()


class BackupDialog(_WorkDialog):
    """ "Back up now…": choose a folder, copy, check, and say how it went."""

    backed_up = Signal(object)

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Back up your diary", "backupDialog")
        self.vault = vault
        self.report: BackupReport | None = None
        intro = PlainLabel(
            "A backup is a complete copy of your diary, locked with the same passphrase and "
            "recovery key. Keep it somewhere else than the diary itself, for example on a "
            "second USB stick, and somewhere the other person cannot get to."
        )
        last = core_backup.last_backup_at(vault)
        self.last_label = PlainLabel(
            f"Last backup: {last:%d %B %Y, %H:%M}." if last else "No backup has been made yet."
        )
        self.last_label.setObjectName("lastBackupLabel")
        self.folder = QLineEdit()
        self.folder.setObjectName("backupFolderField")
        self.folder.setAccessibleName("Folder for the backup")
        self.folder.setPlaceholderText("Choose where to put the backup")
        remembered = vault.kv.get(core_backup.LAST_BACKUP_FOLDER_KEY)
        if isinstance(remembered, str):
            self.folder.setText(remembered)
        self.choose_button = button("Choose…", "backupChooseButton", "Choose a folder")
        self.choose_button.clicked.connect(self.choose)
        self.start_button = button("Back up now", "backupStartButton", "Back up now")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(lambda: self.start())
        self.check_button = button(
            "Check my diary…",
            "checkDiaryButton",
            "Check my diary",
            "Check that every entry, its history and every evidence file are complete",
        )
        self.check_button.clicked.connect(self.open_check)

        pick = QHBoxLayout()
        pick.addWidget(self.folder, 1)
        pick.addWidget(self.choose_button)
        row = QHBoxLayout()
        row.addWidget(self.check_button)
        row.addStretch(1)
        row.addWidget(self.stop_button)
        row.addWidget(self.start_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(heading("Back up your diary"))
        layout.addWidget(intro)
        layout.addWidget(self.last_label)
        layout.addLayout(pick)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label, 1)
        layout.addLayout(row)

    def choose(self) -> None:
        current = Path(self.folder.text()) if self.folder.text().strip() else None
        chosen = choose_folder(self, "Where should the backup go?", current)
        if chosen is not None:
            self.folder.setText(str(chosen))

    def start(self, folder: Path | None = None) -> Task | None:
        """Start the backup into ``folder`` (or the folder typed or chosen)."""
        if self.busy:
            return None
        if folder is None:
            text = self.folder.text().strip()
            if not text:
                self.result_label.setText("Please choose a folder for the backup first.")
                return None
            folder = Path(text)
        self.folder.setText(str(folder))
        self.result_label.setText("Copying and checking your diary…")
        return self.run(self.vault.backup, folder)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.start_button, self.choose_button, self.folder, self.check_button):
            w.setEnabled(not busy)

    def show_result(self, result: Any) -> None:
        self.report = result
        self.result_label.setText(result.summary())
        if result.ok:
            self.last_label.setText(f"Last backup: {result.created_at:%d %B %Y, %H:%M}.")
        self.backed_up.emit(result)

    def failure_text(self, exc: BaseException) -> str:
        return (
            f"The backup could not be made. {error_text(exc)}\n"
            "Your diary itself has not been changed. Nothing half-written was left in the folder."
        )

    def open_check(self) -> VerifyDialog:
        dialog = VerifyDialog(self.vault, self.parentWidget() or self)
        parent = self.parentWidget()
        track = getattr(parent, "track", None)
        if callable(track):
            track(dialog)
        dialog.show()
        dialog.start()
        return dialog


def verify_text(report: Any) -> str:
    """``vault.verify()``'s report in plain words (problems first, then what is worth knowing)."""
    entries = f"{report.incidents:,} {'entry' if report.incidents == 1 else 'entries'}"
    versions = f"{report.revisions:,} saved {'version' if report.revisions == 1 else 'versions'}"
    files = (
        f"{report.evidence_checked:,} evidence "
        f"{'file' if report.evidence_checked == 1 else 'files'}"
    )
    warnings = list(getattr(report, "warnings", []) or [])
    notes = ("\n\nWorth knowing:\n- " + "\n- ".join(warnings)) if warnings else ""
    if report.ok:
        return (
            f"Everything checked out. Your {entries}, their full history ({versions}) and "
            f"{files} are complete and unchanged.\n\n"
            f"Fingerprint of your diary: {report.fingerprint}\n"
            "This long number is a check number worked out from everything in the diary; "
            "reports print it on every page, so a reader can see a report matches it. It "
            "covers every entry and its versions, the people, the evidence records with "
            "their descriptions and links, court orders, checklist answers and imported "
            "messages: it changes if any of them changes. The times it records come from "
            "this computer's clock." + notes
        )
    return (
        "Some parts of your diary could not be confirmed:\n- "
        + "\n- ".join(report.problems)
        + "\n\nNothing has been changed or deleted. If you have a backup, you can open it "
        "from the unlock screen with “Open a backup…”. Please keep this diary as it is too." + notes
    )


class VerifyDialog(_WorkDialog):
    """ "Check my diary": runs ``vault.verify()`` and says what it found."""

    checked = Signal(object)

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Check my diary", "verifyDialog")
        self.vault = vault
        self.report: Any = None
        intro = PlainLabel(
            "This reads your whole diary and every evidence file, and checks that nothing is "
            "missing, damaged or changed since it was saved. It changes nothing."
        )
        self.again_button = button("Check again", "verifyAgainButton", "Check again")
        self.again_button.clicked.connect(lambda: self.start())
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.stop_button)
        row.addWidget(self.again_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(heading("Check my diary"))
        layout.addWidget(intro)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label, 1)
        layout.addLayout(row)

    def start(self) -> Task | None:
        if self.busy:
            return None
        self.result_label.setText("Checking…")
        return self.run(self.vault.verify)

    def _set_busy(self, busy: bool) -> None:
        self.again_button.setEnabled(not busy)

    def show_result(self, result: Any) -> None:
        self.report = result
        self.result_label.setText(verify_text(result))
        self.checked.emit(result)

    def failure_text(self, exc: BaseException) -> str:
        return f"The check could not be finished. {error_text(exc)}"


def _unlock_any(folder: Path, secret: str) -> Vault:
    """Open with a recovery key if that is what was typed, else with a passphrase."""
    try:
        parse_recovery_key(secret)
    except InvalidInput:
        return Vault.unlock(folder, secret)
    return Vault.unlock_with_recovery_key(folder, secret)


class OpenBackupDialog(_WorkDialog):
    """ "Open a backup…": restore it as the diary (if there is none) or open it where it is.

    Then it asks for the backup's passphrase (or recovery key) and emits
    ``unlocked(vault)``, which the start screens treat like a normal unlock.
    """

    restored = Signal(object)  # the vault folder it was restored into
    open_in_place = Signal(object)  # the backup folder, to be unlocked where it is
    unlocked = Signal(object)  # the opened Vault

    def __init__(self, vault_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Open a backup", "openBackupDialog")
        self.vault_dir = Path(vault_dir)
        self.backup: Path | None = None
        self.target: Path | None = None
        intro = PlainLabel(
            "Choose the folder that holds your backup (or the folder you keep backups in; "
            "the newest one is used). You will need the passphrase or recovery key the "
            "diary had when the backup was made."
        )
        self.folder_label = PlainLabel("No backup chosen yet.")
        self.folder_label.setObjectName("backupFolderLabel")
        self.choose_button = button("Choose backup…", "chooseBackupButton", "Choose a backup")
        self.choose_button.clicked.connect(self.choose)
        self.restore_button = button(
            "Restore as my diary", "restoreBackupButton", "Restore the backup as my diary"
        )
        self.restore_button.clicked.connect(lambda: self.restore())
        self.in_place_button = button(
            "Open it where it is", "openInPlaceButton", "Open the backup where it is"
        )
        self.in_place_button.clicked.connect(self.use_in_place)
        self.secret = PassphraseField("Passphrase or recovery key of the backup")
        self.secret.setObjectName("backupPassphraseField")
        self.secret.returnPressed.connect(lambda: self.unlock())
        self.unlock_button = button("Open", "openBackupUnlockButton", "Open the backup")
        self.unlock_button.clicked.connect(lambda: self.unlock())
        self.unlock_row = QWidget()
        unlock_layout = QHBoxLayout(self.unlock_row)
        unlock_layout.setContentsMargins(0, 0, 0, 0)
        unlock_layout.addWidget(PlainLabel("Passphrase or recovery key:", wrap=False))
        unlock_layout.addWidget(self.secret, 1)
        unlock_layout.addWidget(self.unlock_button)
        self.unlock_row.hide()
        self._set_busy(False)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addStretch(1)
        row.addWidget(self.stop_button)
        row.addWidget(self.in_place_button)
        row.addWidget(self.restore_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(heading("Open a backup"))
        layout.addWidget(intro)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label, 1)
        layout.addWidget(self.unlock_row)
        layout.addLayout(row)

    def choose(self) -> None:
        chosen = choose_folder(self, "Choose your backup")
        if chosen is not None:
            self.set_backup(chosen)

    def set_backup(self, folder: Path) -> bool:
        """Use the backup in ``folder`` (or the newest backup inside it)."""
        found = find_backups(folder)
        self.target = None
        self.unlock_row.hide()
        if not found:
            self.backup = None
            self.folder_label.setText(f"No SafeDiary backup was found in {folder}.")
            self._set_busy(False)
            return False
        self.backup = found[0]
        self.folder_label.setText(f"Backup: {self.backup}")
        if Vault.exists(self.vault_dir):
            self.result_label.setText(
                "There is already a diary here, so the backup will not be copied over it "
                "(SafeDiary never replaces a diary). You can open the backup where it is."
            )
        else:
            self.result_label.setText(
                "“Restore as my diary” copies the backup into place so SafeDiary opens it "
                "from now on. “Open it where it is” leaves it where it is."
            )
        self._set_busy(False)
        return True

    def _set_busy(self, busy: bool) -> None:
        ready = self.backup is not None and not busy and self.target is None
        self.choose_button.setEnabled(not busy)
        self.in_place_button.setEnabled(ready)
        self.restore_button.setEnabled(ready and not Vault.exists(self.vault_dir))
        self.secret.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)

    def restore(self) -> Task | None:
        if self.busy or self.backup is None:
            return None
        self.result_label.setText("Copying and checking the backup…")
        return self.run(Vault.restore, self.backup, self.vault_dir)

    def use_in_place(self) -> None:
        if self.backup is not None:
            self.open_in_place.emit(self.backup)
            self._ask_secret(self.backup, "The backup will be opened where it is.")

    def _ask_secret(self, folder: Path, text: str) -> None:
        self.target = folder
        self._set_busy(False)
        self.result_label.setText(text + " Type its passphrase or recovery key to open it.")
        self.unlock_row.show()
        self.secret.setFocus()

    def unlock(self) -> None:
        if self.busy or self.target is None:
            return
        secret = self.secret.text()
        if not secret.strip():
            self.result_label.setText("Please type the backup's passphrase or recovery key first.")
            return
        self.secret.clear()
        self.result_label.setText("Opening…")
        self.run(_unlock_any, self.target, secret)

    def show_result(self, result: Any) -> None:
        if isinstance(result, RestoreReport):
            self.restored.emit(result.folder)
            self._ask_secret(result.folder, result.summary())
            return
        self.unlocked.emit(result)
        self.close()

    def failure_text(self, exc: BaseException) -> str:
        if self.target is not None:
            if isinstance(exc, WrongPassphrase):
                return "That did not open the backup. Please check it and try again."
            return f"The backup could not be opened. {error_text(exc)}"
        return f"The backup could not be restored. {error_text(exc)}"


class BackupReminder(QWidget):
    """A quiet banner in the main window when a backup is due (never a pop-up)."""

    def __init__(self, vault: Vault, on_backup: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupReminder")
        self.label = PlainLabel(reminder_text(vault))
        self.label.setAccessibleName("Backup reminder")
        self.backup_button = button("Back up now…", "reminderBackupButton", "Back up now")
        self.backup_button.clicked.connect(on_backup)  # hidden once a backup succeeds
        self.later_button = button("Not now", "reminderLaterButton", "Remind me later")
        self.later_button.setFlat(True)
        self.later_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.backup_button)
        row.addWidget(self.later_button)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)


def install_reminder(window: Any, days: int) -> BackupReminder | None:
    """Show the reminder banner under the actions of ``window`` (a MainWindow) if one is due."""
    vault = window.vault
    if vault.is_locked or not backup_due(vault, days):
        return None
    banner = BackupReminder(vault, window.open_backup)
    layout = window.centralWidget().layout()
    layout.insertWidget(1, banner)  # below the actions: Quick exit stays in the top-right corner
    return banner
