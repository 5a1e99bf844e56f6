"""View one piece of evidence, decrypted in memory only (never a temporary file).

Images (zoom, fit), text and e-mail, and PDFs (QtPdf reading from a QBuffer)
are shown inside the app; for audio, video and other files the details are
shown with "Export a copy…". Every item shows its SHA-256 and can be verified.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault, VaultError
from safediary.core.wording import exact_size_text, visible_name, without_controls
from safediary.gui import widgets
from safediary.gui.dialog import SafeDialog
from safediary.gui.evidence.preview import (
    NOT_SHOWN,
    NOT_SHOWN_HINT,
    PAGES_PER_BATCH,
    PageList,
    Preview,
    decode_text,
    load_preview,
    to_image,
)
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, heading
from safediary.gui.workers import runner
from safediary.host.sandbox import DEFAULT_TIMEOUT_S, DecodeJob

__all__ = ["EvidenceViewer", "decode_text"]

EXPORT_WARNING = (
    "The exported copy is NOT encrypted. Anyone who can use the place you save it to "
    "could open it. Save it only where you need it, for example on a USB stick you will "
    "give to the police, and delete it when you are done."
)

SHOWN_IN_APP = ("image", "text", "email", "pdf")


class EvidenceViewer(SafeDialog):
    """A window showing one evidence item and its details."""

    loaded = Signal()
    verified = Signal(bool)
    exported = Signal(object)

    def __init__(self, vault: Vault, evidence_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.evidence_id = evidence_id
        self.record: Any = None
        self._pixmap: QPixmap | None = None
        self._scale = 1.0
        self._fit = True
        self.pages: PageList | None = None
        self._jobs: list[DecodeJob] = []
        self._closed = False
        self._details_shown = False
        self.setObjectName("evidenceViewer")
        self.setWindowTitle("Evidence")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1000, 700)
        self._build()
        # the details first (a moment), then the content (may take the decoder a while)
        runner().run(vault.evidence.get, evidence_id, on_done=self._show_record)
        self._start_load(0)

    decode_timeout = DEFAULT_TIMEOUT_S  # seconds before a hanging decoder is killed

    def _start_load(self, first_page: int) -> None:
        job = DecodeJob()
        self._jobs.append(job)
        self.busy.setVisible(True)
        runner().run(
            load_preview,
            self.vault,
            self.evidence_id,
            job,
            self.decode_timeout,
            first_page,
            on_done=self._show_loaded,
            on_error=self._load_failed,
        )

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.title_label = heading("Evidence")
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(self.quick_exit_button)

        self.stack = QStackedWidget()
        self.stack.setObjectName("evidenceContent")
        self.message_page = PlainLabel("Opening…")
        self.message_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.message_page)

        # image page
        image_page = QWidget()
        image_layout = QVBoxLayout(image_page)
        zoom_row = QHBoxLayout()
        self.zoom_out_button = button("−", "zoomOutButton", "Zoom out")
        self.zoom_in_button = button("+", "zoomInButton", "Zoom in")
        self.fit_button = button("Fit to window", "fitButton", "Fit the picture to the window")
        self.actual_button = button("Actual size", "actualSizeButton", "Show the picture full size")
        self.zoom_out_button.clicked.connect(lambda: self.zoom(1 / 1.25))
        self.zoom_in_button.clicked.connect(lambda: self.zoom(1.25))
        self.fit_button.clicked.connect(self.fit)
        self.actual_button.clicked.connect(lambda: self.set_scale(1.0))
        for b in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.actual_button):
            zoom_row.addWidget(b)
        zoom_row.addStretch(1)
        self.image_label = QLabel()
        self.image_label.setObjectName("evidenceImage")
        self.image_label.setAccessibleName("The picture")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_scroll = QScrollArea()
        self.image_scroll.setWidget(self.image_label)
        self.image_scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        image_layout.addLayout(zoom_row)
        image_layout.addWidget(self.image_scroll, 1)
        self.stack.addWidget(image_page)

        # text page
        self.text_view = QPlainTextEdit()
        self.text_view.setObjectName("evidenceText")
        self.text_view.setAccessibleName("The text of the file")
        self.text_view.setReadOnly(True)
        self.stack.addWidget(self.text_view)

        # details
        form = QFormLayout()
        self.fields: dict[str, PlainLabel] = {}
        for key, title in (
            ("ref", "Number"),
            ("name", "Original name"),
            ("type", "Type"),
            ("size", "Size"),
            ("mtime", "File date"),
            ("imported", "Added to diary"),
            ("taken", "Photo taken"),
            ("camera", "Camera"),
            ("sha256", "Check number"),
        ):
            label = PlainLabel("")
            label.setAccessibleName(title)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
            self.fields[key] = label
            form.addRow(f"{title}:", label)
        set_role(self.fields["sha256"], "mono")
        self.fields["sha256"].setToolTip(
            "A check number (its SHA-256) worked out from every byte of the file. Any change, "
            "even one dot, gives a different number, so it proves a copy is exact."
        )
        form.addRow(
            "",
            PlainLabel(
                "The check number proves a copy is exact: any change to the file gives "
                "a different number."
            ),
        )
        self.verify_button = button(
            "Verify", "verifyButton", "Verify", "Check that the stored copy is exactly the original"
        )
        self.verify_button.clicked.connect(self.verify)
        self.verify_label = PlainLabel("")
        self.verify_label.setObjectName("verifyLabel")
        self.verify_label.setAccessibleName("Verification result")
        self.export_button = button("Export a copy…", "exportButton", "Export a copy")
        self.export_button.clicked.connect(self.export)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        details_layout = QVBoxLayout()
        details_layout.addLayout(form)
        details_layout.addWidget(self._description_box())
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        details_layout.addLayout(row)
        details_layout.addWidget(self.verify_label)
        details_layout.addWidget(self.busy)
        details_layout.addStretch(1)
        holder = QWidget()
        holder.setObjectName("evidenceDetails")
        holder.setLayout(details_layout)
        details_scroll = QScrollArea()
        details_scroll.setWidgetResizable(True)
        details_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details_scroll.setWidget(holder)

        splitter = QSplitter()
        splitter.addWidget(self.stack)
        splitter.addWidget(details_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 380])

        close_row = QHBoxLayout()
        close_row.addStretch(1)
        self.close_button = button("Close", "closeButton", "Close the evidence")
        self.close_button.clicked.connect(self.close)
        close_row.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(close_row)

    # -- loading --------------------------------------------------------------------
    def _show_loaded(self, preview: Preview) -> None:
        if self._closed or self.vault.is_locked:
            return
        self.busy.setVisible(False)
        ev = preview.record
        if self.pages is not None:  # the next batch of PDF pages
            self._more_pages(preview)
            return
        self._show_record(ev)  # unless the quick look at the record already did
        self.record = ev
        if ev.removed:
            self._message(f"This evidence was removed on {ev.removed_at:%d %B %Y}.")
        elif preview.message is not None:
            self._message(f"{preview.message}\n\n{NOT_SHOWN_HINT}")
        elif ev.kind == "image" and preview.pictures:
            self._pixmap = QPixmap.fromImage(to_image(preview.pictures[0]))
            self.stack.setCurrentIndex(1)
            self.fit()
        elif preview.text is not None:
            self.text_view.setPlainText(preview.text)
            if preview.truncated:
                self.text_view.appendPlainText(
                    "\n[… This file is long: only its beginning is shown here. "
                    "“Export a copy…” saves the whole file.]"
                )
            self.text_view.moveCursor(self.text_view.textCursor().MoveOperation.Start)
            self.stack.setCurrentIndex(2)
        elif ev.kind == "pdf":
            self._show_pages(preview)
        elif ev.kind == "image":
            self._message(f"{NOT_SHOWN}\n\n{NOT_SHOWN_HINT}")
        else:
            self._message(
                "This kind of file cannot be shown inside SafeDiary. Its details are on the "
                "right. To play or open it, use “Export a copy…” (please read the warning)."
            )
        self.loaded.emit()

    def _show_record(self, ev: Any) -> None:
        if self._closed or self._details_shown or self.vault.is_locked:
            return
        self._details_shown = True
        self.setWindowTitle(f"Evidence {ev.ref}")
        self.title_label.setText(f"Evidence {ev.ref}")
        self._fill_details(ev)

    def _message(self, text: str) -> None:
        self.message_page.setText(text)
        self.stack.setCurrentIndex(0)

    def _show_pages(self, preview: Preview) -> None:
        self.pages = PageList(self)
        self.more_button = button(
            "Show more pages", "morePagesButton", "Show the next pages of the PDF"
        )
        self.more_button.clicked.connect(self._load_more)
        self.pages_label = PlainLabel("")
        self.pages_label.setObjectName("pagesLabel")
        self.pages_label.setWordWrap(False)
        self.pages.add_pages(preview.pictures)
        footer = QWidget()
        row = QHBoxLayout(footer)
        row.addWidget(self.pages_label)
        row.addWidget(self.more_button)
        row.addStretch(1)
        self.pages.add_footer(footer)
        self.total_pages = preview.total_pages
        self._update_pages_label()
        self.stack.addWidget(self.pages)
        self.stack.setCurrentWidget(self.pages)

    def _load_more(self) -> None:
        assert self.pages is not None
        self.more_button.setEnabled(False)
        self._start_load(self.pages.page_count)

    def _more_pages(self, preview: Preview) -> None:
        assert self.pages is not None
        self.more_button.setEnabled(True)
        if preview.message is not None:
            self.pages_label.setText(preview.message)
            return
        self.pages.add_pages(preview.pictures)
        self._update_pages_label()

    def _update_pages_label(self) -> None:
        assert self.pages is not None
        shown, total = self.pages.page_count, self.total_pages
        if shown >= total:
            self.pages_label.setText(f"{total} page{'s' if total != 1 else ''}.")
            self.more_button.setVisible(False)
        else:
            self.pages_label.setText(f"Showing pages 1–{shown} of {total}.")
            self.more_button.setText(f"Show {min(PAGES_PER_BATCH, total - shown)} more pages")

    def _load_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self.busy.setVisible(False)
        self._message("This evidence could not be opened.\n\n" + widgets.error_text(exc))
        self.loaded.emit()

    def _description_box(self) -> QWidget:
        """What the file shows and where the original is kept (each save is kept)."""
        box = QGroupBox("For the report")
        form = QFormLayout(box)
        self.description_field = QPlainTextEdit()
        self.description_field.setObjectName("evidenceDescriptionField")
        self.description_field.setAccessibleName("What this file shows")
        self.description_field.setPlaceholderText(
            "For example: texts from his number on 3 May, threatening to come round"
        )
        self.description_field.setTabChangesFocus(True)
        self.description_field.setMaximumHeight(90)
        self.location_field = QLineEdit()
        self.location_field.setObjectName("originalLocationField")
        self.location_field.setAccessibleName("Where the original is kept")
        self.location_field.setPlaceholderText("For example: on my phone; given to PC Shah")
        self.save_description_button = button(
            "Save", "saveDescriptionButton", "Save what this file shows and where the original is"
        )
        self.save_description_button.clicked.connect(self.save_description)
        self.description_note = PlainLabel("")
        self.description_note.setObjectName("descriptionNote")
        form.addRow("What it shows:", self.description_field)
        form.addRow("Original kept:", self.location_field)
        form.addRow("", self.save_description_button)
        form.addRow("", self.description_note)
        return box

    def save_description(self) -> None:
        """Save the two fields as a new version (earlier ones stay in the diary's history)."""
        try:
            ev = self.vault.evidence.describe(
                self.evidence_id,
                description=self.description_field.toPlainText(),
                original_location=self.location_field.text(),
            )
        except VaultError as exc:
            self.description_note.setText(widgets.error_text(exc))
            return
        self._fill_description(ev)
        self.description_note.setText(("Saved. " + self.description_note.text()).strip())

    def _fill_description(self, ev: Any) -> None:
        self.description_field.setPlainText(ev.description)
        self.location_field.setText(ev.original_location)
        versions = len(self.vault.evidence.description_history(ev.id)) - 1
        self.description_note.setText(
            f"Changed {versions} time{'s' if versions != 1 else ''}; earlier wording is kept."
            if versions > 0
            else ""
        )

    def _fill_details(self, ev: Any) -> None:
        meta = ev.metadata or {}
        self.fields["ref"].setText(ev.ref)
        self.fields["name"].setText(visible_name(ev.original_name))
        self.fields["type"].setText(f"{ev.kind} ({ev.media_type})")
        self.fields["size"].setText(exact_size_text(ev.size))
        self.fields["mtime"].setText(_when(ev.mtime))
        self.fields["imported"].setText(_when(ev.imported_at))
        self.fields["taken"].setText(visible_name(str(meta.get("capture_time") or "—")))
        camera = " ".join(str(meta[k]) for k in ("camera_make", "camera_model") if meta.get(k))
        self.fields["camera"].setText(visible_name(camera or str(meta.get("camera") or "—")))
        self.fields["sha256"].setText(ev.sha256[:32] + "\n" + ev.sha256[32:])
        self._fill_description(ev)

    # -- image zoom -------------------------------------------------------------------
    def set_scale(self, scale: float) -> None:
        if self._pixmap is None:
            return
        self._fit = False
        self._scale = max(0.05, min(8.0, scale))
        self._render()

    def zoom(self, factor: float) -> None:
        self.set_scale(self._scale * factor)

    def fit(self) -> None:
        if self._pixmap is None or self._pixmap.width() == 0:
            return
        self._fit = True
        area = self.image_scroll.viewport().size()
        self._scale = min(
            area.width() / self._pixmap.width(), area.height() / self._pixmap.height(), 1.0
        )
        self._render()

    def _render(self) -> None:
        if self._pixmap is None:
            return
        size = self._pixmap.size() * self._scale
        scaled = self._pixmap.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.image_label.setPixmap(scaled)
        self.image_label.resize(scaled.size())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    # -- verify and export -------------------------------------------------------------
    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_label.setText("Checking…")
        self.busy.setVisible(True)
        runner().run(
            self.vault.evidence.verify,
            self.evidence_id,
            on_done=self._verified,
            on_error=lambda exc: self._verified(False, exc),
        )

    def _verified(self, ok: bool, exc: BaseException | None = None) -> None:
        self.busy.setVisible(False)
        self.verify_button.setEnabled(True)
        if ok:
            self.verify_label.setText(
                "OK: the stored copy is exactly the file you added (its check number matches)."
            )
        else:
            text = "Problem: the stored copy does not match what was added."
            if exc is not None:
                text += " " + widgets.error_text(exc)
            self.verify_label.setText(text)
        set_role(self.verify_label, "ok" if ok else "problem")
        self.verified.emit(bool(ok))

    def export(self) -> None:
        if self.record is None:
            return
        answer = widgets.ask(self, "Export a copy", EXPORT_WARNING, ["Export a copy", "Cancel"])
        if answer != "Export a copy":
            return
        dest = widgets.choose_save_path(
            self, "Save a copy of the evidence", without_controls(self.record.original_name)
        )
        if dest is None:
            return
        self.busy.setVisible(True)
        self.export_button.setEnabled(False)
        runner().run(
            self.vault.evidence.export,
            self.evidence_id,
            dest,
            on_done=self._exported,
            on_error=self._export_failed,
        )

    def _exported(self, path: Any) -> None:
        self.busy.setVisible(False)
        self.export_button.setEnabled(True)
        self.verify_label.setText(f"A copy was saved as {path}.")
        self.exported.emit(path)

    def _export_failed(self, exc: BaseException) -> None:
        self.busy.setVisible(False)
        self.export_button.setEnabled(True)
        self.verify_label.setText("The copy was not saved. " + widgets.error_text(exc))

    def _drop(self) -> None:
        """Stop any decoder still working and drop the decrypted content with the window."""
        self._closed = True
        for job in self._jobs:
            job.kill()
        self._pixmap = None
        self.image_label.clear()
        self.text_view.clear()
        if self.pages is not None:
            self.pages.clear()

    def closeEvent(self, event: Any) -> None:
        self._drop()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        """Escape, reject and the lock's closing of dialogs end here, not in closeEvent."""
        self._drop()
        super().done(result)


def _when(value: Any) -> str:
    if value is None:
        return "—"
    local = value.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M:%S}"
