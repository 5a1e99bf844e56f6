"""The report dialog: choose what to include, make the PDF, preview it, print or save it.

The report is made in a worker thread (with a progress bar and a Stop button)
into memory, shown with QtPdf from a QBuffer, and leaves the app only where the
user prints or saves it. "Export data" writes CSV or JSON for advocates and
solicitors. All file work goes through the core (``save_pdf``, ``export_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, QSize, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from safediary.core.diary import taxonomy
from safediary.core.report import ReportOptions, render_report, save_pdf
from safediary.core.report.export import export_csv, export_json
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.report.bundle import DISCLOSURE, BundleDialog
from safediary.gui.scripts import PlainTextField
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, choose_save_path, error_text, heading
from safediary.gui.workers import Task, runner
from safediary.host import spool

HINT = "Choose what to include, then press “Make the report”. You will see it here first."
STALE = "You changed the options. Press “Make the report” again to update the preview."


def _render(vault: Any, options: ReportOptions, progress: Any, cancel: Any) -> bytes:
    """Worker body: the task runner passes ``progress`` and ``cancel``."""
    return render_report(vault, options, progress=progress, cancel=cancel)


PRINT_WARNING = (
    "Printing sends the whole report through this computer's printing system. It may keep a "
    "readable copy of the pages in its print queue or history, where someone else using this "
    "computer could find them, and a shared or office printer may keep one too. SafeDiary "
    "removes its own temporary file, but it cannot remove the printer's copy.\n\n"
    "If that is a risk, choose Cancel and use “Save as…” to put the report on a USB stick "
    "instead."
)


@dataclass
class _PrintJob:
    """A print run in progress: pages (0-based) still to paint, and how many are done."""

    printer: QPrinter
    painter: QPainter
    pages: list[int]
    done: int = 0


def _day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in this computer's time zone (aware)."""
    return datetime.combine(day, time()).astimezone()


def _to_date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class ReportDialog(SafeDialog):
    """Make, preview, print and save the diary report; export the data."""

    def __init__(self, vault: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.setObjectName("reportDialog")
        self.setWindowTitle("Report")
        self.setAccessibleName("Make a report")
        self.resize(1150, 780)
        self._pdf: bytes = b""
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None
        self._task: Task | None = None
        self._printing: _PrintJob | None = None
        self._stop_printing = False
        self._closing = False
        self._bundle: BundleDialog | None = None

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("reportPreview")
        self.view.setAccessibleName("Preview of the report")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        options = self._build_options()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(options)
        scroll.setMinimumWidth(360)

        preview = QWidget(self)
        right = QVBoxLayout(preview)
        right.setContentsMargins(0, 0, 0, 0)
        self.status = PlainLabel(HINT, preview)
        self.status.setObjectName("reportStatus")
        self.progress = QProgressBar(preview)
        self.progress.setObjectName("reportProgress")
        self.progress.setAccessibleName("Progress of the report")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.hide()
        right.addWidget(self.status)
        right.addWidget(self.progress)
        right.addWidget(self.view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(scroll)
        splitter.addWidget(preview)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 770])

        self.make_button = button(
            "&Make the report", "makeReportButton", "Make the report", "Make the PDF and preview it"
        )
        self.make_button.setDefault(True)
        self.stop_button = button("&Stop", "stopReportButton", "Stop making the report")
        self.stop_button.hide()
        self.print_button = button("&Print…", "printReportButton", "Print the report")
        self.save_button = button("&Save as…", "saveReportButton", "Save the report as a PDF")
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("exportDataButton")
        self.export_button.setText("&Export data…")
        self.export_button.setAccessibleName("Export the data as CSV or JSON")
        self.export_button.setToolTip(
            "Save the entries chosen here as a spreadsheet (CSV), or as JSON (a form "
            "that computer programs read), for an advocate or a solicitor"
        )
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("As a spreadsheet (CSV)…", lambda: self.export_data("csv"))
        menu.addAction("For computer programs (JSON)…", lambda: self.export_data("json"))
        self.export_button.setMenu(menu)
        self.bundle_button = button(
            "&Bundle for the police…",
            "bundleButton",
            "Make a bundle for the police",
            "The report and exact copies of its evidence files in a new folder, with a list "
            "of their fingerprints and how to check them",
        )
        self.bundle_button.clicked.connect(self.open_bundle)
        self.close_button = button("Close", "closeReportButton", "Close the report window")
        self.quick_exit = self.quick_exit_button

        self.make_button.clicked.connect(self.make_report)
        self.stop_button.clicked.connect(self.stop)
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_report)
        self.close_button.clicked.connect(self.close)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for widget in (
            self.make_button,
            self.stop_button,
            self.print_button,
            self.save_button,
            self.bundle_button,
            self.export_button,
            self.close_button,
        ):
            buttons.addWidget(widget)

        top = QHBoxLayout()  # Quick exit in the top-right corner, as in every window
        top.addWidget(heading("Report"), 1)
        top.addWidget(self.quick_exit, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._set_ready(False)

    # -- options ---------------------------------------------------------------------
    def _build_options(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.addWidget(heading("What to include", box))

        period = QGroupBox("Dates", box)
        form = QFormLayout(period)
        self.all_dates = QCheckBox("Every date", period)
        self.all_dates.setObjectName("allDatesCheck")
        self.all_dates.setChecked(True)
        today = QDate.currentDate()
        self.from_date = QDateEdit(today.addMonths(-3), period)
        self.to_date = QDateEdit(today, period)
        for edit, name in ((self.from_date, "From"), (self.to_date, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"{name} date")
            edit.setEnabled(False)
        self.all_dates.toggled.connect(lambda on: self.from_date.setEnabled(not on))
        self.all_dates.toggled.connect(lambda on: self.to_date.setEnabled(not on))
        form.addRow(self.all_dates)
        form.addRow("From", self.from_date)
        form.addRow("To (including)", self.to_date)
        layout.addWidget(period)

        self.kinds_list = self._check_list(
            [(taxonomy.label(k), k) for k in taxonomy.KIND_IDS], "kindsList", "Kinds of behaviour"
        )
        kinds_box = QGroupBox("Kinds of behaviour", box)
        QVBoxLayout(kinds_box).addWidget(self.kinds_list)
        layout.addWidget(kinds_box)

        people = self.vault.people.list()
        self.people_list = self._check_list(
            [(p.name, p.id) for p in people], "peopleList", "People"
        )
        people_box = QGroupBox("People", box)
        QVBoxLayout(people_box).addWidget(self.people_list)
        people_box.setVisible(bool(people))
        layout.addWidget(people_box)

        extras = QGroupBox("Also include", box)
        extra_layout = QVBoxLayout(extras)
        self.feelings_check = self._check("How each incident made me feel", True, "feelingsCheck")
        self.impact_check = self._check("The effect on my daily life", True, "impactCheck")
        self.impact_check.setToolTip(
            "How it changed your life (work, sleep, going out). This is evidence the police "
            "use for stalking that causes serious alarm or distress."
        )
        self.private_check = self._check("Entries I marked private", False, "privateCheck")
        self.thumbs_check = self._check("Small pictures of photos", True, "thumbnailsCheck")
        self.revisions_check = self._check(
            "Earlier versions of changed entries", False, "revisionsCheck"
        )
        self.checklist_check = self._check(
            "My latest safety checklist answers", False, "checklistCheck"
        )
        has_checklist = bool(self.vault.checklists.list())
        self.checklist_check.setEnabled(has_checklist)
        if not has_checklist:
            self.checklist_check.setToolTip("You have not answered the safety checklist yet.")
        for check in (
            self.feelings_check,
            self.impact_check,
            self.private_check,
            self.thumbs_check,
            self.revisions_check,
            self.checklist_check,
        ):
            extra_layout.addWidget(check)
        layout.addWidget(extras)

        about = QGroupBox("About you", box)
        about_form = QFormLayout(about)
        self.name_field = QLineEdit(about)
        self.name_field.setObjectName("nameField")
        self.name_field.setAccessibleName("Your name (optional)")
        self.name_field.setPlaceholderText("optional")
        self.statement_field = PlainTextField(about)
        self.statement_field.setObjectName("statementField")
        self.statement_field.setAccessibleName("Your statement (optional)")
        self.statement_field.setPlaceholderText(
            "Optional: anything you want the reader to know, in your own words."
        )
        self.statement_field.setMinimumHeight(90)
        self.prefix_field = QLineEdit(about)
        self.prefix_field.setObjectName("exhibitPrefixField")
        self.prefix_field.setAccessibleName("Letters for exhibit marks (optional)")
        self.prefix_field.setPlaceholderText("your initials, e.g. RW")
        self.prefix_field.setMaxLength(8)
        self.prefix_field.setToolTip(
            "Each evidence file gets a mark such as RW/1, RW/2, as in a witness statement. "
            "Left empty, the initials of your name are used."
        )
        about_form.addRow("Your name", self.name_field)
        about_form.addRow("Exhibit marks", self.prefix_field)
        about_form.addRow("Your statement", self.statement_field)
        layout.addWidget(about)

        paper_row = QFormLayout()
        self.paper_combo = QComboBox(box)
        self.paper_combo.setObjectName("paperCombo")
        self.paper_combo.setAccessibleName("Paper size")
        self.paper_combo.addItem("A4", "A4")
        self.paper_combo.addItem("US Letter", "Letter")
        paper_row.addRow("Paper size", self.paper_combo)
        layout.addLayout(paper_row)

        note = PlainLabel(
            "The report stays inside SafeDiary until you print it or save it. Entries you "
            "marked private are left out unless you tick the box above.",
            box,
        )
        set_role(note, "quiet")
        layout.addWidget(note)
        disclosure = PlainLabel(
            DISCLOSURE + " Leave out anything you do not want them to read, using the "
            "choices above.",
            box,
        )
        disclosure.setObjectName("disclosureNote")
        set_role(disclosure, "strong")
        layout.addWidget(disclosure)
        layout.addStretch(1)

        for signal in (
            self.all_dates.toggled,
            self.from_date.dateChanged,
            self.to_date.dateChanged,
            self.kinds_list.itemChanged,
            self.people_list.itemChanged,
            self.name_field.textChanged,
            self.prefix_field.textChanged,
            self.statement_field.textChanged,
            self.paper_combo.currentIndexChanged,
        ):
            signal.connect(self._options_changed)
        return box

    def _check(self, text: str, on: bool, name: str) -> QCheckBox:
        check = QCheckBox(text, self)
        check.setObjectName(name)
        check.setAccessibleName(text)
        check.setChecked(on)
        check.toggled.connect(self._options_changed)
        return check

    def _check_list(self, items: list[tuple[str, Any]], name: str, accessible: str) -> QListWidget:
        widget = QListWidget(self)
        widget.setObjectName(name)
        widget.setAccessibleName(accessible)
        for text, value in items:
            item = QListWidgetItem(text, widget)  # list items show plain text
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        rows = widget.sizeHintForRow(0) if items else 20
        widget.setFixedHeight(min(190, rows * max(1, len(items)) + 2 * widget.frameWidth() + 4))
        return widget

    @staticmethod
    def _checked(widget: QListWidget) -> frozenset[Any] | None:
        """The ticked values, or None when every item is ticked (meaning "all")."""
        values = []
        for row in range(widget.count()):
            item = widget.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                values.append(item.data(Qt.ItemDataRole.UserRole))
        return None if len(values) == widget.count() else frozenset(values)

    def options(self) -> ReportOptions:
        """The options as chosen in the dialog (InvalidInput if they do not make sense)."""
        start = end = None
        if not self.all_dates.isChecked():
            start = _day_start(_to_date(self.from_date.date()))
            end = _day_start(_to_date(self.to_date.date()) + timedelta(days=1))
        return ReportOptions(
            start=start,
            end=end,
            kinds=self._checked(self.kinds_list),
            people=self._checked(self.people_list),
            include_feelings=self.feelings_check.isChecked(),
            include_impact=self.impact_check.isChecked(),
            include_private=self.private_check.isChecked(),
            include_thumbnails=self.thumbs_check.isChecked(),
            include_revisions=self.revisions_check.isChecked(),
            include_checklist=self.checklist_check.isChecked(),
            statement=self.statement_field.toPlainText(),
            user_name=self.name_field.text(),
            exhibit_prefix=self.prefix_field.text().strip() or None,
            paper=self.paper_combo.currentData(),
        )

    def _options_changed(self, *_: object) -> None:
        if self._pdf and self._task is None:
            self._set_ready(False)
            self.status.setText(STALE)

    # -- making the report -------------------------------------------------------------
    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _set_busy(self, busy: bool) -> None:
        self.make_button.setVisible(not busy)
        self.stop_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.export_button.setEnabled(not busy)
        self.bundle_button.setEnabled(not busy)
        if busy:
            self._set_ready(False)

    @property
    def busy(self) -> bool:
        return self._task is not None or self._printing is not None

    def make_report(self) -> None:
        """Start making the report in a worker thread."""
        if self._task is not None:
            return
        try:
            options = self.options()
        except ValueError as exc:
            self.status.setText(error_text(exc))
            return
        self.progress.setValue(0)
        self.status.setText("Making the report…")
        self._set_busy(True)
        task = Task(_render, self.vault, options).connect(
            progress=self._on_progress,
            finished=self._on_made,
            failed=self._on_failed,
            cancelled=self._on_cancelled,
        )
        self._task = task
        runner().start(task)

    def stop(self) -> None:
        """Ask the worker (or the printing) to stop at its next step."""
        if self._printing is not None:
            self._stop_printing = True
            self.status.setText("Stopping…")
        if self._task is not None:
            self._task.cancel()
            self.status.setText("Stopping…")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    def _finish_task(self) -> None:
        self._task = None
        self._set_busy(False)

    def _on_made(self, pdf: bytes) -> None:
        self._finish_task()
        if self._closing:
            return
        self._show_pdf(pdf)
        pages = self.document.pageCount()
        self.status.setText(
            f"Your report is ready: {pages} page{'s' if pages != 1 else ''}. "
            "Check it here, then print it or save it."
        )
        self._set_ready(True)

    def _on_failed(self, exc: BaseException) -> None:
        self._finish_task()
        self.status.setText("The report could not be made. " + error_text(exc))

    def _on_cancelled(self) -> None:
        self._finish_task()
        self.status.setText("You stopped the report. Nothing was saved.")

    def _show_pdf(self, pdf: bytes) -> None:
        """Load the PDF into the preview from memory (no file is written)."""
        self._drop_pdf()
        self._pdf = pdf
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)

    def _drop_pdf(self) -> None:
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self._bytes = QByteArray()
        self._pdf = b""

    @property
    def pdf(self) -> bytes:
        """The PDF shown in the preview (empty until one is made)."""
        return self._pdf

    # -- print, save, export -------------------------------------------------------------
    def choose_path(self, title: str, suggested: str, name_filter: str) -> Path | None:
        """Warn that the file is not encrypted, then ask where to save it (Qt's own dialog,
        no recent-files trace). Tests replace this."""
        what = "The report" if suggested.lower().endswith(".pdf") else "The exported data"
        if not widgets.confirm_unencrypted(self, what):
            return None
        return choose_save_path(self, title, suggested, name_filter)

    def confirm_printing(self) -> bool:
        """Say plainly what printing leaves behind; True to go ahead."""
        answer = widgets.ask(self, "Before you print", PRINT_WARNING, ["Print", "Cancel"])
        return answer == "Print"

    def print_dialog(self, printer: QPrinter) -> bool:
        """Show the print dialog; True if the user chose to print. Tests replace this."""
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the report")
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _run_side_task(self, fn: Any, *args: Any, done: str) -> None:
        """Save or export in a worker; the result is shown in the status line."""

        def finished(_result: object) -> None:
            if not self._closing:
                self.status.setText(done)

        def failed(exc: BaseException) -> None:
            if not self._closing:
                self.status.setText("That did not work. " + error_text(exc))

        runner().run(fn, *args, on_done=finished, on_error=failed)

    def save_report(self) -> None:
        if not self._pdf:
            return
        suggested = f"Incident diary {date.today():%Y-%m-%d}.pdf"
        path = self.choose_path("Save the report", suggested, "PDF files (*.pdf)")
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.status.setText("Saving…")
        self._run_side_task(save_pdf, self._pdf, path, done=f"Saved the report as {path.name}.")

    def export_data(self, kind: str) -> None:
        try:
            options = self.options()
        except ValueError as exc:
            self.status.setText(error_text(exc))
            return
        suffix, label, fn = (
            (".csv", "Spreadsheet files (*.csv)", export_csv)
            if kind == "csv"
            else (".json", "JSON files (*.json)", export_json)
        )
        suggested = f"Incident diary {date.today():%Y-%m-%d}{suffix}"
        path = self.choose_path("Export the data", suggested, label)
        if path is None:
            return
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.status.setText("Exporting…")
        self._run_side_task(
            fn, self.vault, path, options, done=f"Exported the data as {path.name}."
        )

    def open_bundle(self) -> BundleDialog | None:
        """Open 'Bundle for the police' with the options chosen here."""
        try:
            options = self.options()
        except ValueError as exc:
            self.status.setText(error_text(exc))
            return None
        dialog = BundleDialog(self.vault, options, self)
        dialog.setModal(True)
        dialog.show()
        self._bundle = dialog
        return dialog

    def print_report(self) -> None:
        """Print the previewed report (rendered from memory by QtPdf), one page per tick.

        Pages are painted from timer ticks so the window stays responsive and
        quick exit keeps working while a long report prints.
        """
        if not self._pdf or self.document.pageCount() == 0 or self._printing is not None:
            return
        if not self.confirm_printing():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName("Incident diary")
        printer.setFromTo(1, self.document.pageCount())
        if not self.print_dialog(printer):
            return
        count = self.document.pageCount()
        first = max(1, printer.fromPage() or 1)
        last = min(count, printer.toPage() or count)
        painter = QPainter()
        spool.begin_printing()  # Qt's whole-report print file goes to <data>/spool, not /tmp
        if not painter.begin(printer):
            spool.end_printing()
            self.status.setText("The printer could not be started. Please check it and try again.")
            return
        self._printing = _PrintJob(printer, painter, list(range(first - 1, last)))
        self._stop_printing = False
        self._set_busy(True)
        self.progress.setMaximum(len(self._printing.pages))
        self.progress.setValue(0)
        self.status.setText("Printing…")
        QTimer.singleShot(0, self._print_next)

    @property
    def printing(self) -> bool:
        return self._printing is not None

    def _print_next(self) -> None:
        job = self._printing
        if job is None:
            return
        if self._stop_printing or self._closing or not self._pdf:
            job.printer.abort()
            self._end_printing("Printing was stopped.")
            return
        if job.done >= len(job.pages):
            self._end_printing("The report was sent to the printer.")
            return
        if job.done:
            job.printer.newPage()
        self._paint_page(job, job.pages[job.done])
        job.done += 1
        self.progress.setValue(job.done)
        QTimer.singleShot(0, self._print_next)

    def _end_printing(self, message: str) -> None:
        job, self._printing = self._printing, None
        if job is not None and job.painter.isActive():
            job.painter.end()
        if job is not None:
            spool.end_printing()  # the print system has its copy; ours is removed
        self._set_busy(False)
        self._set_ready(bool(self._pdf))
        if not self._closing:
            self.status.setText(message)

    def _paint_page(self, job: _PrintJob, number: int) -> None:
        dpi = min(300, job.printer.resolution())
        points = self.document.pagePointSize(number)
        size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
        image = self.document.render(number, size)
        painter = job.painter
        target = painter.viewport()
        scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
        painter.setViewport(target.x(), target.y(), scaled.width(), scaled.height())
        painter.setWindow(image.rect())
        painter.drawImage(0, 0, image)
        painter.setViewport(target)
        painter.setWindow(target)

    # -- closing -------------------------------------------------------------------------
    def force_close(self) -> None:
        """Stop any work and close at once (the diary is locking)."""
        self._closing = True
        self.close()

    def done(self, result: int) -> None:
        """Every way of closing (Close, Escape, the window's X, locking) ends here."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
        if self._printing is not None:
            self._printing.printer.abort()
            self._end_printing("")
        if self._bundle is not None and self._bundle.isVisible():
            self._bundle.done(0)
        self._drop_pdf()
        super().done(result)


__all__ = ["ReportDialog"]
