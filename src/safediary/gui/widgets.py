"""Small shared widgets and the few modal questions the app asks.

Every modal question goes through a module-level function here (``ask``,
``choose_files``, ``choose_save_path`` …) so tests can replace it instead of
running a real modal loop. User text is always shown as plain text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)


class PlainLabel(QLabel):
    """A label that never interprets its text as rich text."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        self.setText(text)


def heading(text: str, parent: QWidget | None = None, size: int = 16) -> PlainLabel:
    """A larger, bold plain label for the top of a page."""
    label = PlainLabel(text, parent)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def button(text: str, name: str, accessible: str | None = None, tip: str = "") -> QPushButton:
    """A push button with an objectName, accessible name and optional tooltip."""
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setAccessibleName(accessible or text.replace("&", "").rstrip("…").strip())
    if tip:
        widget.setToolTip(tip)
        widget.setAccessibleDescription(tip)
    return widget


class PassphraseField(QLineEdit):
    """A hidden passphrase field; :func:`show_toggle` makes its 'Show' tick box."""

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAccessibleName(accessible)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setMinimumWidth(320)

    def set_visible_text(self, visible: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        self.setEchoMode(mode)


def ends_row(left: QWidget, right: QWidget) -> QHBoxLayout:
    """A row with ``left`` at the left edge and ``right`` at the right (Back … Next)."""
    row = QHBoxLayout()
    row.addWidget(left)
    row.addStretch(1)
    row.addWidget(right)
    return row


def show_toggle(*fields: PassphraseField, text: str = "Show what I type") -> QCheckBox:
    """A tick box that shows or hides the passphrase fields (hidden again when unticked)."""
    box = QCheckBox(text)
    box.setObjectName("showPassphraseBox")
    box.setAccessibleName("Show the passphrase")
    for field in fields:
        box.toggled.connect(field.set_visible_text)
    return box


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` x ``height``, but never larger than the screen's free area."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width = min(width, free.width() - 16)
        height = min(height, free.height() - 40)  # the window manager's title bar
    window.resize(width, height)


# -- modal questions (replaceable in tests) ---------------------------------------


def ask(parent: QWidget | None, title: str, text: str, choices: Sequence[str]) -> str:
    """Ask a question with the given button texts; return the chosen text ('' if closed).

    The last choice is treated as the safe 'cancel' answer.
    """
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setIcon(QMessageBox.Icon.Question)
    buttons: dict[QAbstractButton, str] = {}
    for i, choice in enumerate(choices):
        role = (
            QMessageBox.ButtonRole.RejectRole
            if i == len(choices) - 1
            else QMessageBox.ButtonRole.AcceptRole
        )
        buttons[box.addButton(choice, role)] = choice
    box.exec()
    clicked = box.clickedButton()
    return "" if clicked is None else buttons.get(clicked, "")


UNENCRYPTED = (
    "{what} you are about to save will NOT be encrypted: anyone who can open the place you "
    "save it to can read it, without your passphrase. Save it on a USB stick you keep with "
    "you (or will hand to the police or your solicitor), not on a computer someone else "
    "uses, and delete it when you no longer need it."
)


def confirm_unencrypted(parent: QWidget | None, what: str) -> bool:
    """Say plainly that a file about to be written is readable by anyone; True to go on."""
    answer = ask(
        parent,
        "This copy is not encrypted",
        UNENCRYPTED.format(what=what),
        ["Choose where to save", "Cancel"],
    )
    return answer == "Choose where to save"


def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> QMessageBox:
    """Show a message without blocking; returns the (open, window-modal) box."""
    box = QMessageBox(parent)
    box.setObjectName("messageBox")
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def forget_file_dialog_history() -> None:
    """Qt's own file dialog remembers folders in 'QtProject' settings; remove them all."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.remove("FileDialog")
    settings.sync()


def _file_dialog(parent: QWidget | None, title: str) -> QFileDialog:
    dialog = QFileDialog(parent, title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setHistory([])
    return dialog


def _run_file_dialog(dialog: QFileDialog) -> list[Path]:
    """Show a file dialog modally; return what was chosen, leaving no history behind."""
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return []
        return [Path(p) for p in dialog.selectedFiles()]
    finally:
        dialog.setHistory([])
        # The dialog saves its folder memory in its destructor: run that now, then wipe it.
        # (deleteLater ran it after the wipe, leaving the folders in QtProject.conf.)
        shiboken6.delete(dialog)
        with contextlib.suppress(Exception):
            forget_file_dialog_history()


def evidence_places(home: Path | None = None, user: str | None = None) -> list[Path]:
    """Where evidence usually is: Pictures, Downloads, then USB sticks and memory cards.

    Removable drives are mounted under /media/USER, /run/media/USER or /mnt (only the
    folders that exist are listed).
    """
    import getpass

    home = home or Path.home()
    try:
        user = user or getpass.getuser()
    except (KeyError, OSError):  # no name for this user id: keep the fixed places
        user = user or ""
    places = [home / "Pictures", home / "Downloads", home]
    if user:
        places += [Path("/media") / user, Path("/run/media") / user]
    places.append(Path("/mnt"))
    return [p for p in places if p.is_dir()]


def choose_files(parent: QWidget | None, title: str = "Choose files to keep") -> list[Path]:
    """Qt's own open-file dialog (never the desktop's, so no recent-files trace).

    It starts in Pictures (or Downloads) and its side bar lists removable drives.
    """
    from PySide6.QtCore import QUrl

    dialog = _file_dialog(parent, title)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    places = evidence_places()
    if places:
        dialog.setDirectory(str(places[0]))
        dialog.setSidebarUrls([QUrl.fromLocalFile(str(p)) for p in places])
    return _run_file_dialog(dialog)


def choose_save_path(
    parent: QWidget | None, title: str, suggested_name: str, name_filter: str = ""
) -> Path | None:
    """Qt's own save dialog; returns the chosen path or None."""
    dialog = _file_dialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(suggested_name)
    if name_filter:
        dialog.setNameFilter(name_filter)
    chosen = _run_file_dialog(dialog)
    return chosen[0] if chosen else None


def choose_folder(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    """Qt's own folder chooser (never the desktop's); returns the folder or None."""
    dialog = _file_dialog(parent, title)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    if start is not None and start.is_dir():
        dialog.setDirectory(str(start))
    chosen = _run_file_dialog(dialog)
    return chosen[0] if chosen else None


def error_text(exc: BaseException) -> str:
    """A message for an exception: the core's messages are written for users."""
    from safediary.core.errors import VaultError

    if isinstance(exc, VaultError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"The computer could not read or write a file ({exc.strerror or exc})."
    return f"Something went wrong ({type(exc).__name__}). Nothing you saved has been lost."
