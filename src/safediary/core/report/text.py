"""Fonts, paragraph styles and exact, safe rendering of user text for the PDF report.

Everything the user typed goes through :func:`paragraphs` (or :func:`cell`):
reportlab's Paragraph markup is escaped, line breaks are kept, odd characters
that a PDF font cannot hold are replaced by a visible mark, and text of any
length becomes a list of moderate paragraphs that flow across pages.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, unescape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer
from reportlab.platypus import Paragraph as _RLParagraph

from safediary.core.report import fonts as report_fonts
from safediary.core.report.fonts import MONO, SANS, SANS_BOLD, register_fonts
from safediary.core.report.shaping import ShapedParagraph, base_direction, is_ignorable

#: Where values start beside their labels in an entry's list of facts (points).
FACT_INDENT = 128

#: Characters per paragraph before user text is cut into another paragraph.
CHUNK_CHARS = 1500

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eef1f4")
ACCENT = colors.HexColor("#1f3a5f")

# C0/C1 control characters (except tab and newline) and lone surrogates cannot be
# encoded in a PDF string; they are shown as U+FFFD so nothing vanishes silently.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class Styles:
    """The paragraph styles of the report (built after the fonts are registered)."""

    def __init__(self) -> None:
        register_fonts()
        base = ParagraphStyle(
            "body",
            fontName=SANS,
            bulletFontName=SANS,
            fontSize=9.5,
            leading=13,
            textColor=INK,
            alignment=TA_LEFT,
            splitLongWords=1,
            allowWidows=1,
            allowOrphans=1,
        )
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=8, leading=10.5)
        self.muted = ParagraphStyle("muted", self.small, textColor=MUTED)
        self.cell = ParagraphStyle("cell", base, fontSize=7.8, leading=9.8)
        self.cell_bold = ParagraphStyle("cellBold", self.cell, fontName=SANS_BOLD)
        self.cell_head = ParagraphStyle(
            "cellHead", self.cell, fontName=SANS_BOLD, textColor=colors.white
        )
        self.mono = ParagraphStyle("mono", self.cell, fontName=MONO, fontSize=7.2, leading=9.2)
        self.fact = ParagraphStyle(
            "fact",
            base,
            leftIndent=FACT_INDENT,
            bulletIndent=0,
            bulletFontName=SANS_BOLD,
            bulletFontSize=8.5,
            bulletColor=MUTED,
            spaceAfter=2.5,
        )
        self.label = ParagraphStyle(
            "label", base, fontName=SANS_BOLD, fontSize=8.5, leading=11, textColor=MUTED
        )
        self.title = ParagraphStyle(
            "title", base, fontName=SANS_BOLD, fontSize=26, leading=32, textColor=ACCENT
        )
        self.subtitle = ParagraphStyle("subtitle", base, fontSize=12, leading=16, textColor=MUTED)
        self.h1 = ParagraphStyle(
            "h1",
            base,
            fontName=SANS_BOLD,
            fontSize=15,
            leading=19,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=8,
        )
        self.h2 = ParagraphStyle(
            "h2", base, fontName=SANS_BOLD, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=4
        )
        # a dark band across the frame: the indents and the border padding cancel out
        self.entry_head = ParagraphStyle(
            "entryHead",
            base,
            fontName=SANS_BOLD,
            fontSize=10.5,
            leading=14,
            textColor=colors.white,
            backColor=ACCENT,
            leftIndent=5,
            rightIndent=5,
            borderPadding=(3, 5, 4, 5),
            spaceBefore=4,
        )


# Characters reportlab's own Paragraph draws right: left-to-right, one glyph each.
_SIMPLE = re.compile(
    r"[\x20-\x7e\xa0-\u036f\u0370-\u03ff\u0400-\u052f\u1e00-\u1fff"
    r"\u2010-\u205e\u20a0-\u20bf\u2100-\u2bff]*"
)
_TAGS = re.compile(r"<[^>]*>")


def Paragraph(
    text: str,
    style: ParagraphStyle,
    bulletText: str | None = None,
    *,
    cached: bool = False,
    direction: str | None = None,
) -> Flowable:
    """A paragraph of report markup that prints in any script.

    Text that reportlab draws correctly by itself (Latin, Greek, Cyrillic and
    common symbols, all in the style's font) stays a reportlab Paragraph; anything
    else (right-to-left, complex scripts, CJK, emoji, characters from fallback
    fonts or none) becomes a :class:`ShapedParagraph`. ``cached`` (for table
    cells, which tables measure twice) remembers the last layout; ``direction``
    ("rtl" or "ltr") sets the first line's direction instead of its first letter.
    """
    plain = _TAGS.sub("", text)
    if direction != "rtl" and _SIMPLE.fullmatch(plain) and _covered(plain, style.fontName):
        kind = _CachedParagraph if cached else _RLParagraph
        return kind(text, style, bulletText=bulletText)
    return ShapedParagraph(text, style, bulletText=bulletText, direction=direction)


class _CachedParagraph(_RLParagraph):
    """reportlab's Paragraph remembering its last layout (tables measure cells twice)."""

    _last: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._last is not None and self._last[0] == availWidth:
            return self._last[1]
        size = super().wrap(availWidth, availHeight)
        self._last = (availWidth, size)
        return size


def draw_line(
    canvas: Any, text: str, x: float, y: float, width: float, style: ParagraphStyle
) -> None:
    """Draw one line of (user) text in any script, its first baseline at ``y``."""
    para = Paragraph(markup(text), style)
    _, height = para.wrap(width, 1_000)
    para.drawOn(canvas, x, y - height + style.fontSize)


def _covered(plain: str, font: str) -> bool:
    bold = report_fonts.SANS_BOLD if font == report_fonts.SANS else font
    return all(
        report_fonts.covers(font, cp) and report_fonts.covers(bold, cp)
        for cp in set(map(ord, unescape(plain)))
    )


def clean(text: str) -> str:
    """Normalise line ends and replace characters a PDF cannot hold by U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _UNPRINTABLE.sub("\ufffd", text)


def markup(text: str) -> str:
    """Escape ``text`` for Paragraph markup, keeping its line breaks as ``<br/>``."""
    return escape(clean(text)).replace("\n", "<br/>")


def _pieces(line: str, size: int) -> list[str]:
    """Cut one long line into pieces of about ``size`` characters, at spaces when possible."""
    out: list[str] = []
    while len(line) > size:
        cut = line.rfind(" ", size // 2, size)
        cut = size if cut < 0 else cut + 1
        out.append(line[:cut])
        line = line[cut:]
    out.append(line)
    return out


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Split text into blocks of at most ``size`` characters.

    Blank lines separate blocks (they become paragraph spacing); line breaks
    inside a block are kept; a single very long line is cut at spaces.
    """
    return [block for block, _ in _blocks(text, size)]


def _blocks(text: str, size: int = CHUNK_CHARS) -> list[tuple[str, str | None]]:
    """:func:`chunks`, each with the direction its first line continues (None: its own).

    A long line cut into pieces keeps the direction of the whole line: the
    piece that starts a block may begin with a word of another script.
    """
    blocks: list[tuple[str, str | None]] = []
    current: list[str] = []
    length = 0
    carried: str | None = None

    def flush() -> None:
        nonlocal current, length, carried
        if current:
            blocks.append(("\n".join(current), carried))
        current, length, carried = [], 0, None

    for line in clean(text).split("\n"):
        if not line.strip():
            flush()
            continue
        pieces = _pieces(line, size)
        direction = base_direction(line) if len(pieces) > 1 else None
        for index, piece in enumerate(pieces):
            if length and length + len(piece) > size:
                flush()
            if index and not current:
                carried = direction
            current.append(piece)
            length += len(piece) + 1
    flush()
    return blocks


def paragraphs(text: str, style: ParagraphStyle, *, gap: float = 4) -> list[Flowable]:
    """User text as a list of flowables that keep every character and can split anywhere."""
    out: list[Flowable] = []
    for index, (block, direction) in enumerate(_blocks(text)):
        if index:
            out.append(Spacer(1, gap))
        out.append(Paragraph(escape(block).replace("\n", "<br/>"), style, direction=direction))
    return out


def _fitting(text: str, limit: int) -> int | None:
    """How many characters of ``text`` print within ``limit`` characters, or None for all.

    A character no font can draw prints as a marker ("[U+1D573 MATHEMATICAL …]"),
    which takes the marker's length: table cells stay as small as their callers meant.
    """
    shown = 0
    for index, char in enumerate(text):
        drawable = report_fonts.font_for(ord(char)) is not None or is_ignorable(char)
        shown += 1 if drawable else len(report_fonts.marker(char))
        if shown > limit:
            return max(index, 1)
    return None


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """The first ``limit`` characters of ``text`` (cut at a space) and whether it was cut."""
    text = clean(text).strip()
    fit = _fitting(text, limit)
    if fit is None:
        return text, False
    cut = text.rfind(" ", fit * 2 // 3, fit)
    return text[: cut if cut > 0 else fit].rstrip() + " …", True


def cell(text: str, style: ParagraphStyle) -> Flowable:
    """A table-cell paragraph for short user text (callers bound its length)."""
    return Paragraph(markup(text), style)


def is_short(text: str, *, chars: int = 400, lines: int = 8) -> bool:
    """True when ``text`` fits comfortably in a table cell."""
    return _fitting(text, chars) is None and text.count("\n") < lines
