"""Small layout pieces shared by the report's sections: bookmarked headings, anchors, links."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from PIL import Image as PILImage
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from safediary.core.report.text import Paragraph, markup


def heading(text: str, style: ParagraphStyle, key: str, level: int = 0) -> Flowable:
    """A heading that gets a PDF bookmark (``text`` is plain, not markup)."""
    para = Paragraph(f'<a name="{key}"/>' + markup(text), style)
    para.outline = (text, key, level)  # read by the document
    para.keepWithNext = 1
    return para


class Lazy(Flowable):
    """A placeholder the document replaces by ``make()``'s flowables when layout reaches it.

    A long section (the log, the entries) is made a page or a few entries at a time, so
    the flowables of 10,000 entries never all exist at once; laid-out ones are let go.
    """

    def __init__(self, make: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self.make = make

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:  # never drawn: the document expands it first
        pass


def link(text_markup: str, key: str) -> str:
    """Markup for a link to an anchor in the same report."""
    return f'<a href="#{key}" color="#1f3a5f">{text_markup}</a>'


def entry_key(incident_id: int) -> str:
    return f"entry-{incident_id}"


class _JpegReader(ImageReader):
    """An ImageReader for JPEG bytes that never decodes them: reportlab names an image by
    its decoded pixels (megabytes held per picture); a hash of the file does as well, and
    the JPEG itself goes into the PDF as it is."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._key = hashlib.sha256(data).digest()
        self._dataA = None

    def getRGBData(self) -> bytes:
        return self._key


class JpegImage(Flowable):
    """A JPEG drawn at ``width`` × ``height`` points, decoded by the PDF reader, not by us."""

    def __init__(self, data: bytes, width: float, height: float) -> None:
        super().__init__()
        self.data = data
        self.drawWidth = width
        self.drawHeight = height

    @staticmethod
    def pixels(data: bytes) -> tuple[int, int]:
        """The picture's size in pixels (read from its header only); ValueError if the
        bytes are not a JPEG."""
        with PILImage.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise ValueError("not a JPEG")
            return image.size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        self.canv.drawImage(_JpegReader(self.data), 0, 0, self.drawWidth, self.drawHeight)
