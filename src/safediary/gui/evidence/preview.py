"""What the evidence viewer shows, prepared off the GUI thread and never on disk.

PDFs and pictures are decoded by the sandboxed decoder process
(:mod:`safediary.host.sandbox`), so a hostile file can hang or balloon only that
process, which is killed on timeout, on close, on lock and on quick exit. Text is
read in-process but only its first :data:`TEXT_SHOWN_BYTES` bytes, with very long
lines folded, so even a 300 MB file costs a moment and a megabyte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from safediary.core import Vault
from safediary.host.sandbox import DecodeFailed, DecodeJob, Picture

TEXT_SHOWN_BYTES = 1 << 20
TEXT_MAX_LINES = 50_000
TEXT_FOLD = 1000  # Qt lays out one line at a time: a 2 MB line would freeze it
MAX_DECODED_BYTES = 200 << 20
PAGES_PER_BATCH = 10
PAGE_WIDTH = 1100
NOT_SHOWN = "This file could not be shown."
NOT_SHOWN_HINT = (
    "Its details are on the right, and the stored copy is untouched. "
    "“Export a copy…” saves it so another program can open it (please read the warning)."
)


@dataclass
class Preview:
    """One of: ``pictures`` (an image or PDF pages), ``text``, or a ``message``."""

    record: Any
    pictures: list[Picture] = field(default_factory=list)
    text: str | None = None
    message: str | None = None
    total_pages: int = 0
    truncated: bool = False


def decode_text(data: bytes) -> str:
    """Text of a file: UTF-16 when it has that mark, else UTF-8, else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason.startswith("unexpected end"):
            return data[: exc.start].decode("utf-8-sig")  # a character cut by our limit
        return data.decode("cp1252", errors="replace")


_LONG_LINE = re.compile(r"[^\n]{" + str(TEXT_FOLD) + r"}(?!\n|$)")


def shown_text(data: bytes, truncated: bool) -> tuple[str, bool]:
    """The text to show: long lines folded, at most :data:`TEXT_MAX_LINES` lines."""
    text = _LONG_LINE.sub(lambda m: m.group(0) + "\n", decode_text(data))
    lines = text.split("\n", TEXT_MAX_LINES)
    if len(lines) > TEXT_MAX_LINES:
        text = "\n".join(lines[:TEXT_MAX_LINES])
        truncated = True
    return text, truncated


def load_preview(
    vault: Vault,
    evidence_id: int,
    job: DecodeJob,
    timeout: float,
    first_page: int = 0,
) -> Preview:
    """Worker: the record and what to show for it."""
    ev = vault.evidence.get(evidence_id)
    preview = Preview(ev)
    if ev.removed or ev.kind not in ("image", "text", "email", "pdf"):
        return preview
    if ev.kind in ("text", "email"):
        with vault.evidence.open_stream(evidence_id) as stream:
            data = stream.read(TEXT_SHOWN_BYTES)
        preview.text, preview.truncated = shown_text(data, ev.size > len(data))
        return preview
    if ev.size > MAX_DECODED_BYTES:
        preview.message = "This file is too large to show inside SafeDiary."
        return preview
    data = vault.evidence.read(evidence_id)
    if ev.kind == "pdf":
        request = {"job": "pdf", "first": first_page, "count": PAGES_PER_BATCH, "width": PAGE_WIDTH}
    else:
        request = {"job": "image"}
    try:
        decoded = job.run(request, data, timeout)
    except DecodeFailed as exc:
        preview.message = f"{NOT_SHOWN} {exc}"
        return preview
    finally:
        del data
    preview.pictures = decoded.pictures
    total = decoded.info.get("pages", 0)
    preview.total_pages = total if isinstance(total, int) else 0
    return preview


def to_image(picture: Picture) -> QImage:
    """A QImage owning its own copy of the decoder's pixels (already size-checked)."""
    fmt = QImage.Format.Format_RGB888 if picture.fmt == "RGB888" else QImage.Format.Format_RGBA8888
    return QImage(picture.pixels, picture.width, picture.height, picture.stride, fmt).copy()


class PageList(QScrollArea):
    """PDF pages as pictures, one under the other, fitted to the width of the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidencePdf")
        self.setAccessibleName("The pages of the PDF")
        self.setWidgetResizable(True)
        self._holder = QWidget()
        self._layout = QVBoxLayout(self._holder)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._holder)
        self._pages: list[tuple[QPixmap, QLabel]] = []
        self._width = 0

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def add_pages(self, pictures: list[Picture]) -> None:
        for picture in pictures:
            label = QLabel()
            label.setAccessibleName(f"Page {len(self._pages) + 1}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._layout.insertWidget(len(self._pages), label)  # before the footer
            self._pages.append((QPixmap.fromImage(to_image(picture)), label))
        self._width = 0
        self._fit()

    def add_footer(self, widget: QWidget) -> None:
        self._layout.addWidget(widget)

    def _fit(self) -> None:
        width = max(200, self.viewport().width() - 30)
        if width == self._width:
            return
        self._width = width
        for pixmap, label in self._pages:
            w = min(width, pixmap.width())
            label.setPixmap(pixmap.scaledToWidth(w, Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def clear(self) -> None:
        for _pixmap, label in self._pages:
            label.clear()
        self._pages.clear()
