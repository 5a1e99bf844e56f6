"""View one piece of evidence, decrypted in memory only (never a temporary file).

Images (zoom, fit), text and e-mail, and PDFs (QtPdf reading from a QBuffer)
are shown inside the app; for audio, video and other files the details are
shown with "Export a copy…". Every item shows its SHA-256 and can be verified.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.gui import widgets
from safediary.gui.evidence_panel import size_text
from safediary.gui.first_run import quick_exit_button
from safediary.gui.widgets import PlainLabel, button, heading
from safediary.gui.workers import runner

EXPORT_WARNING = (
    "The exported copy is NOT encrypted. Anyone who can use the place you save it to "
    "could open it. Save it only where you need it, for example on a USB stick you will "
    "give to the police, and delete it when you are done."
)

SHOWN_IN_APP = ("image", "text", "email", "pdf")


def _load(vault: Vault, evidence_id: int) -> tuple[Any, bytes | None, QImage | None]:
    """Worker: the record, its bytes (if shown in the app) and a decoded image."""
    ev = vault.evidence.get(evidence_id)
    if ev.removed or ev.kind not in SHOWN_IN_APP:
        return ev, None, None
    data = vault.evidence.read(evidence_id)
    image = None
    if ev.kind == "image":
        image = QImage.fromData(data)
        if image.isNull():
            image = None
    return ev, data, image


class EvidenceViewer(QDialog):
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
        self._pdf_buffer: QBuffer | None = None
        self._pdf_document: Any = None
        self.setObjectName("evidenceViewer")
        self.setWindowTitle("Evidence")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1000, 700)
        self._build()
        self.busy.setVisible(True)
        runner().run(
            _load, vault, evidence_id, on_done=self._show_loaded, on_error=self._load_failed
        )

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.title_label = heading("Evidence")
        top.addWidget(self.title_label)
        top.addStretch(1)
        self.quick_exit_button = quick_exit_button()
        self.quick_exit_button.clicked.connect(self._quick_exit)
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
            ("sha256", "SHA-256"),
        ):
            label = PlainLabel("")
            label.setAccessibleName(title)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
            self.fields[key] = label
            form.addRow(f"{title}:", label)
        self.fields["sha256"].setStyleSheet("font-family: monospace;")
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
    def _show_loaded(self, result: tuple[Any, bytes | None, QImage | None]) -> None:
        self.busy.setVisible(False)
        ev, data, image = result
        self.record = ev
        self.setWindowTitle(f"Evidence {ev.ref}")
        self.title_label.setText(f"Evidence {ev.ref}")
        self._fill_details(ev)
        if ev.removed:
            self._message(f"This evidence was removed on {ev.removed_at:%d %B %Y}.")
        elif ev.kind == "image" and image is not None:
            self._pixmap = QPixmap.fromImage(image)
            self.stack.setCurrentIndex(1)
            self.fit()
        elif ev.kind == "image":
            self._message(
                "This picture could not be shown; it may be in an unusual format. Its details "
                "are on the right, and “Export a copy…” saves it so another program can open it."
            )
        elif ev.kind in ("text", "email") and data is not None:
            self.text_view.setPlainText(decode_text(data))
            self.stack.setCurrentIndex(2)
        elif ev.kind == "pdf" and data is not None:
            self._show_pdf(data)
        else:
            self._message(
                "This kind of file cannot be shown inside SafeDiary. Its details are on the "
                "right. To play or open it, use “Export a copy…” (please read the warning)."
            )
        self.loaded.emit()

    def _message(self, text: str) -> None:
        self.message_page.setText(text)
        self.stack.setCurrentIndex(0)

    def _show_pdf(self, data: bytes) -> None:
        from PySide6.QtPdf import QPdfDocument  # loaded only when a PDF is shown
        from PySide6.QtPdfWidgets import QPdfView

        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument(self)
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready:
            self._message("This PDF could not be opened. It may be damaged or password-protected.")
            return
        view = QPdfView(self)
        view.setObjectName("evidencePdf")
        view.setAccessibleName("The PDF document")
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        view.setDocument(document)
        self._pdf_buffer, self._pdf_document = buffer, document
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)

    def _load_failed(self, exc: BaseException) -> None:
        self.busy.setVisible(False)
        self._message("This evidence could not be opened.\n\n" + widgets.error_text(exc))
        self.loaded.emit()

    def _fill_details(self, ev: Any) -> None:
        meta = ev.metadata or {}
        self.fields["ref"].setText(ev.ref)
        self.fields["name"].setText(ev.original_name)
        self.fields["type"].setText(f"{ev.kind} ({ev.media_type})")
        self.fields["size"].setText(f"{size_text(ev.size)} ({ev.size:,} bytes)")
        self.fields["mtime"].setText(_when(ev.mtime))
        self.fields["imported"].setText(_when(ev.imported_at))
        self.fields["taken"].setText(str(meta.get("capture_time") or "—"))
        camera = " ".join(str(meta[k]) for k in ("camera_make", "camera_model") if meta.get(k))
        self.fields["camera"].setText(camera or str(meta.get("camera") or "—"))
        self.fields["sha256"].setText(ev.sha256[:32] + "\n" + ev.sha256[32:])

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
                "OK: the stored copy is exactly the file you added (its SHA-256 matches)."
            )
        else:
            text = "Problem: the stored copy does not match what was added."
            if exc is not None:
                text += " " + widgets.error_text(exc)
            self.verify_label.setText(text)
        self.verify_label.setStyleSheet("color: #1b5e20;" if ok else "color: #a12622;")
        self.verified.emit(bool(ok))

    def export(self) -> None:
        if self.record is None:
            return
        answer = widgets.ask(self, "Export a copy", EXPORT_WARNING, ["Export a copy", "Cancel"])
        if answer != "Export a copy":
            return
        dest = widgets.choose_save_path(
            self, "Save a copy of the evidence", self.record.original_name
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

    def _quick_exit(self) -> None:
        widget: QWidget | None = self.parentWidget()
        while widget is not None:
            signal = getattr(widget, "quick_exit_requested", None)
            if signal is not None:
                signal.emit()
                return
            widget = widget.parentWidget()

    def closeEvent(self, event: Any) -> None:
        # drop the decrypted bytes with the window
        self._pixmap = None
        self.image_label.clear()
        self.text_view.clear()
        if self._pdf_document is not None:
            self._pdf_document.close()
        if self._pdf_buffer is not None:
            self._pdf_buffer.close()
            self._pdf_buffer.setData(QByteArray())
        super().closeEvent(event)


def decode_text(data: bytes) -> str:
    """Text of a file: UTF-16 when it has that mark, else UTF-8, else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _when(value: Any) -> str:
    if value is None:
        return "—"
    local = value.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M:%S}"
