"""The evidence list of one incident: add files (drag and drop or a dialog), view, export.

Imports run in a worker with a progress bar and a Cancel button; the source
files are only read, never moved or changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.fsutil import file_size
from safediary.core.wording import plural, size_text, visible_name
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.widgets import PlainLabel, button
from safediary.gui.workers import Cancelled, Task, runner

MB = 1024 * 1024


def time_left_text(seconds: float) -> str:
    """ "about 40 seconds left", "about 3 minutes left", "about 1 hour 5 minutes left"."""
    if seconds < 60:
        n = max(5, round(seconds / 5.0) * 5)
        return f"about {n} seconds left"
    minutes = round(seconds / 60.0)
    if minutes < 60:
        return "about 1 minute left" if minutes == 1 else f"about {minutes} minutes left"
    hours, minutes = divmod(minutes, 60)
    text = "about 1 hour" if hours == 1 else f"about {hours} hours"
    return f"{text} {minutes} minutes left" if minutes else f"{text} left"


class CopyMeter:
    """Honest progress of a long copy: megabytes done and a time-left estimate."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started = clock()

    def text(self, done: int, total: int) -> str:
        copied = f"{done / MB:,.0f} MB of {total / MB:,.0f} MB copied"
        elapsed = self._clock() - self.started
        if done <= 0 or elapsed < 1.0 or done >= total:
            return copied
        left = (total - done) * elapsed / done
        return f"{copied}, {time_left_text(left)}"


def import_files(
    vault: Vault,
    paths: list[Path],
    incident_id: int,
    progress: Callable[[int, int], None],
    cancel: Callable[[], bool],
) -> tuple[list[Any], list[str], list[str]]:
    """Import files one by one (run in a worker). Returns (records, problems, notes).

    A note says a file was kept but is the same as one kept before.
    """
    sizes = [max(1, file_size(p) or 1) for p in paths]
    total = sum(sizes)
    done_before = 0
    added: list[Any] = []
    problems: list[str] = []
    notes: list[str] = []
    from safediary.core.evidence.evidence import ImportCancelled

    for path, size in zip(paths, sizes, strict=True):
        if cancel():
            break

        def file_progress(
            done: int, _total: int | None, base: int = done_before, size: int = size
        ) -> None:
            progress(base + min(done, size), total)

        try:
            record = vault.evidence.add_file(
                path, incident_id=incident_id, progress=file_progress, cancel=cancel
            )
            added.append(record)
            same = _same_file_as(vault, record)
            if same:
                notes.append(
                    f"{visible_name(path.name)} is the same file as {same} you added before "
                    "(their check numbers match). It is kept again here; you can remove one."
                )
        except (ImportCancelled, Cancelled):
            break
        except Exception as exc:  # reported per file; the others still import
            problems.append(f"{visible_name(path.name)}: {widgets.error_text(exc)}")
        done_before += size
        progress(done_before, total)
    return added, problems, notes


def _same_file_as(vault: Vault, record: Any) -> str:
    """'E3 (photo.jpg)' when another live item has exactly the same bytes, else ''."""
    for other in vault.evidence.list():
        if other.id != record.id and other.sha256 == record.sha256:
            return f"{other.ref} ({visible_name(other.original_name)})"
    return ""


class RemovalDialog(SafeDialog):
    """Asks why an evidence item is removed, in words that wrap on a small screen."""

    def __init__(self, parent: QWidget | None, name: str) -> None:
        super().__init__(parent)
        self.setObjectName("removeEvidenceDialog")
        self.setWindowTitle("Remove evidence")
        layout = QVBoxLayout(self)
        self.add_quick_exit(layout)
        layout.addWidget(
            PlainLabel(
                f"Why are you removing “{name}”? It will no longer be shown or go into "
                "reports, but the diary's history keeps a note that it was removed, when, "
                "and your reason (a court may ask)."
            )
        )
        self.reason = QLineEdit()
        self.reason.setObjectName("removalReasonField")
        self.reason.setAccessibleName("Why it is removed")
        self.reason.setPlaceholderText("For example: added to the wrong entry")
        layout.addWidget(self.reason)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = button("Cancel", "cancelRemoveButton")
        cancel.clicked.connect(self.reject)
        self.remove_button = button("Remove", "confirmRemoveButton")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.accept)
        self.reason.textChanged.connect(lambda t: self.remove_button.setEnabled(bool(t.strip())))
        self.reason.returnPressed.connect(self.remove_button.click)
        row.addWidget(cancel)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.resize(520, self.sizeHint().height())


def ask_removal_reason(parent: QWidget, name: str) -> str | None:
    """Ask why an item is removed; None if the person changes their mind."""
    dialog = RemovalDialog(parent, name)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.text().strip() or None
    finally:
        dialog.deleteLater()


class EvidencePanel(QWidget):
    """Evidence linked to an incident. ``set_incident`` enables it."""

    changed = Signal()
    import_finished = Signal(object)

    def __init__(self, vault: Vault, editor: Any = None) -> None:
        super().__init__()
        self.vault = vault
        self.editor = editor
        self.incident_id: int | None = None
        self.task: Task | None = None
        self._adding = ""
        self._meter = CopyMeter()
        self._shown_at = 0.0
        self.viewers: list[QWidget] = []
        self.setObjectName("evidencePanel")
        self.setAcceptDrops(True)

        self.hint = PlainLabel(
            "Drag files here, or press “Add files…”. SafeDiary keeps an encrypted copy; the "
            "original file is not moved or changed, so keep it too if you can."
        )
        self.tree = QTreeWidget()
        self.tree.setObjectName("evidenceList")
        self.tree.setAccessibleName("Evidence for this entry")
        self.tree.setHeaderLabels(["No.", "File", "Type", "Size", "Added"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setColumnWidth(0, 60)
        self.tree.setColumnWidth(1, 300)
        # itemActivated already covers a double-click (and Enter): connecting
        # itemDoubleClicked too opened two viewers per double-click.
        self.tree.itemActivated.connect(lambda *_: self.view_selected())

        self.add_button = button("Add files…", "addEvidenceButton", "Add evidence files")
        self.add_button.clicked.connect(self.choose_and_add)
        self.capture_button = button(
            "Capture screen",
            "captureScreenButton",
            "Capture the screen as evidence",
            "SafeDiary hides for a moment and keeps a picture of the screen, encrypted. "
            "Unlike the usual screenshot key, no picture is left in your Pictures folder.",
        )
        self.capture_button.clicked.connect(self.capture)
        self.view_button = button("View", "viewEvidenceButton", "View the selected evidence")
        self.view_button.clicked.connect(self.view_selected)
        self.remove_button = button(
            "Remove…",
            "removeEvidenceButton",
            "Remove the selected evidence",
            "Take it out of this entry and of reports; the history keeps a note of it",
        )
        self.remove_button.clicked.connect(self.remove_selected)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setAccessibleName("Import progress")
        self.progress.setVisible(False)
        self.cancel_button = button("Cancel", "cancelImportButton", "Cancel the import")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.message = PlainLabel("")
        self.message.setObjectName("evidenceMessage")
        # no fixed accessible name: a screen reader reads the message itself (progress too)

        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.capture_button)
        row.addWidget(self.view_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(self.progress, 2)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)

    # -- contents --------------------------------------------------------------------
    def set_incident(self, incident_id: int) -> None:
        self.incident_id = incident_id
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        if self.incident_id is None or self.vault.is_locked:
            return
        for ev in self.vault.evidence.list(incident_id=self.incident_id):
            local = ev.imported_at.astimezone()
            item = QTreeWidgetItem(
                [
                    ev.ref,
                    visible_name(ev.original_name),
                    ev.kind,
                    size_text(ev.size),
                    f"{local:%d %b %Y %H:%M}",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, ev.id)
            self.tree.addTopLevelItem(item)

    def evidence_ids(self) -> list[int]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in items if item is not None]

    # -- adding ------------------------------------------------------------------------
    def choose_and_add(self) -> None:
        paths = widgets.choose_files(self, "Choose files to keep as evidence")
        if paths:
            self.add_paths(paths)

    def _entry_id(self, action: str) -> int | None:
        """The entry's id, saving a new entry first; None (and a message) if it is empty."""
        incident_id = self.incident_id
        if incident_id is None and self.editor is not None:
            incident_id = self.editor.ensure_saved()
            if incident_id is not None:
                self.set_incident(incident_id)
        if incident_id is None:
            self.message.setText(f"Please write something in the entry first, then {action}.")
        return incident_id

    def capture(self) -> None:
        """Keep a picture of the screen (SafeDiary hidden) as evidence of this entry."""
        from safediary.gui.messages.capture import UNAVAILABLE, capture_name, capture_screen

        incident_id = self._entry_id("capture")
        if incident_id is None:
            return

        def done(data: bytes | None) -> None:
            if data is None:
                self.message.setText(UNAVAILABLE)
                return
            stamp = time.strftime("%Y-%m-%d %H.%M.%S")
            try:
                ev = self.vault.evidence.add_bytes(capture_name(stamp), data, incident_id)
            except Exception as exc:  # shown calmly; the screen is simply not kept
                self.message.setText(widgets.error_text(exc))
                return
            self.message.setText(f"The screen was kept as evidence {ev.ref}.")
            self.refresh()
            self.changed.emit()

        capture_screen(done, lambda: not self.vault.is_locked)

    def add_paths(self, paths: list[Path]) -> Task | None:
        """Import files into this incident in a worker (saving a new entry first)."""
        if self.task is not None:
            self.message.setText("Please wait until the current files are added.")
            return None
        incident_id = self._entry_id("add files")
        if incident_id is None:
            return None
        files = [Path(p) for p in paths]
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.add_button.setEnabled(False)
        names = ", ".join(visible_name(p.name) for p in files[:3])
        names += " …" if len(files) > 3 else ""
        self._adding = f"Adding {names}"
        self.message.setText(self._adding)
        self._meter = CopyMeter()
        self._shown_at = 0.0
        task = Task(import_files, self.vault, files, incident_id).connect(
            progress=self._progress,
            finished=self._finished,
            failed=self._failed,
            cancelled=self._cancelled,
        )
        self.task = task
        runner().start(task)
        return task

    def _progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(1000 * done / total) if total else 0)
        now = time.monotonic()
        if now - self._shown_at >= 0.25 or done >= total:  # a calm label, not a flicker
            self._shown_at = now
            self.message.setText(f"{self._adding}: {self._meter.text(done, total)}.")

    def _end(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.add_button.setEnabled(True)

    def _finished(self, result: tuple[list[Any], list[str], list[str]]) -> None:
        self._end()
        added, problems, notes = result
        text = f"Added {plural(len(added), 'file')}." if added else "No files were added."
        if problems:
            text += " Some could not be added:\n" + "\n".join(problems)
        if notes:
            text += "\n" + "\n".join(notes)
        self.message.setText(text)
        self.refresh()
        self.changed.emit()
        self.import_finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._end()
        self.message.setText(widgets.error_text(exc))
        self.refresh()
        self.import_finished.emit(([], [str(exc)], []))

    def _cancelled(self) -> None:
        self._end()
        self.message.setText(
            "Stopped. Files that were already added are kept; nothing half-copied is left."
        )
        self.refresh()
        self.changed.emit()
        self.import_finished.emit(([], [], []))

    def cancel_import(self) -> None:
        if self.task is not None:
            self.task.cancel()

    # -- drag and drop -----------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        files = [p for p in paths if p.is_file()]
        if len(files) < len(paths):
            self.message.setText("Folders cannot be added; please drop the files themselves.")
        if files:
            event.acceptProposedAction()
            self.add_paths(files)

    # -- viewing -------------------------------------------------------------------------
    def view_selected(self) -> QWidget | None:
        only = self.tree.topLevelItem(0) if self.tree.topLevelItemCount() == 1 else None
        items = self.tree.selectedItems() or ([only] if only is not None else [])
        if not items:
            self.message.setText("Choose a file in the list first.")
            return None
        return self.view(int(items[0].data(0, Qt.ItemDataRole.UserRole)))

    def remove_selected(self) -> bool:
        """Remove the selected item, with a reason kept in the history."""
        items = self.tree.selectedItems()
        if not items:
            self.message.setText("Choose a file in the list first.")
            return False
        evidence_id = int(items[0].data(0, Qt.ItemDataRole.UserRole))
        name = f"{items[0].text(0)} {items[0].text(1)}"
        reason = ask_removal_reason(self, name)
        if reason is None:
            return False
        try:
            self.vault.evidence.remove(evidence_id, reason)
        except Exception as exc:  # the core says what is wrong; nothing is lost
            self.message.setText(widgets.error_text(exc))
            return False
        for viewer in self._open_viewers(evidence_id):
            viewer.close()
        self.message.setText(f"Removed {name}. The history keeps a note of it and why.")
        self.refresh()
        self.changed.emit()
        return True

    def _open_viewers(self, evidence_id: int) -> list[QWidget]:
        from shiboken6 import isValid

        self.viewers = [v for v in self.viewers if isValid(v) and v.isVisible()]
        return [v for v in self.viewers if getattr(v, "evidence_id", None) == evidence_id]

    def view(self, evidence_id: int) -> QWidget:
        from safediary.gui.evidence.viewer import EvidenceViewer

        for viewer in self._open_viewers(evidence_id):  # one window per item
            viewer.raise_()
            viewer.activateWindow()
            return viewer
        viewer = EvidenceViewer(self.vault, evidence_id, self.window())
        track = getattr(self.window().parentWidget(), "track", None)
        if callable(track):
            track(viewer)
        self.viewers.append(viewer)
        viewer.show()
        return viewer
