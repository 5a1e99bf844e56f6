"""Paragraphs in any script: font fallback, bidi order, HarfBuzz shaping, line breaking.

reportlab's own Paragraph draws one character per glyph from one font, left to
right; that boxes CJK, breaks Arabic joining and Indic clusters and reverses
Arabic. :class:`ShapedParagraph` is a drop-in flowable for paragraphs that need
more (the factory in :mod:`report_text` picks it). It reuses reportlab's markup
parser, then for each line of text:

1. replaces any character no bundled font can draw by a visible marker
   ("[U+1F52A HOCHO]");
2. picks a font per character (:func:`fonts.font_for`), keeping marks,
   joiners and shared punctuation in the run they belong to;
3. resolves bidi levels (python-bidi's reference algorithm; explicit override
   and isolate controls are not obeyed, so text cannot disguise itself);
4. shapes each run of one font, direction and style with HarfBuzz (uharfbuzz);
5. breaks lines at spaces, between CJK characters, and inside an over-long word
   at cluster boundaries; reorders each line's runs visually (UAX #9 L2) and
   aligns right-to-left lines to the right.

Each run is drawn inside a marked-content span whose ``/ActualText`` is the
run's logical text, so copying or searching the PDF gives back what the person
wrote, in the order they wrote it. Glyphs without a character of their own
(ligatures, contextual forms) get private code points whose ToUnicode entry is
the text they stand for.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import uharfbuzz as hb
from bidi import algorithm as _bidi
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.geomutils import normalizeTRBL
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable
from reportlab.platypus.paraparser import ParaParser

from safediary.core.report import fonts

_RTL_HINT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200f\u202b\u202e\u2067\U00010800-\U00010fff"
    "\U0001e800-\U0001efff]"
)
# Explicit embeddings, overrides and isolates: neutralised (never obeyed).
_EXPLICIT = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), "\u200b"
)
_SPACES = frozenset(" \u3000\u00a0\u2002\u2003\u2009")


def _is_cjk(cp: int) -> bool:
    return (
        0x2E80 <= cp <= 0x9FFF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


@cache
def is_ignorable(ch: str) -> bool:
    """Joiners, variation selectors, tags and other characters drawn as nothing."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "Cf"
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF
    )


@cache
def _joins_run(ch: str) -> bool:
    """Marks, digits, spaces and punctuation stay in the current run when its font has them."""
    cat = unicodedata.category(ch)
    return cat[0] in "MZPN" or cat in ("Sm", "Sc", "Sk")


# --- ToUnicode: a fixed CMap writer and private code points for shaped glyphs -------------

_pua_text: dict[int, str] = {}
_pua_next = [fonts.PRIVATE_BASE]  # plane 15 private use: never in a bundled font's cmap
_pua_of: dict[tuple[str, int, str], int] = {}
_pua_lock = threading.Lock()


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's CMap, with characters above U+FFFF written as UTF-16 (it wrote 5 hex digits)."""
    entries = [
        f"<{i:02X}> <{_utf16_hex(_pua_text.get(v) or chr(v))}>" for i, v in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo\n<< /Registry ({fontname})\n/Ordering ({fontname})",
            "/Supplement 0\n>> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # reportlab looks the writer up at embed time


def _char_for_glyph(font: TTFont, gid: int, text: str) -> str:
    """A character reportlab can encode that maps to glyph ``gid`` of ``font``."""
    face = font.face
    if len(text) == 1 and face.charToGlyph.get(ord(text)) == gid:
        return text  # the glyph is the character's own
    if not text:  # a further glyph of a cluster whose first glyph carries its text
        natural = [c for c in face.glyphToChar.get(gid, ()) if not _PRESENTATION(c)]
        if natural:
            return chr(natural[0])
    key = (font.fontName, gid, text)
    with _pua_lock:
        cp = _pua_of.get(key)
        if cp is None:
            cp = _pua_next[0]
            _pua_next[0] += 1
            _pua_of[key] = cp
            _pua_text[cp] = text or "\u200b"
            face.charToGlyph[cp] = gid
            face.glyphToChar.setdefault(gid, []).append(cp)
            face.charWidths[cp] = face.hmetrics[gid][0] * 1000.0 / face.unitsPerEm
    return chr(cp)


def _PRESENTATION(cp: int) -> bool:
    """Arabic and Hebrew presentation forms: glyphs that stand for a base letter."""
    return 0xFB1D <= cp <= 0xFEFF or cp >= 0xF0000


_hb_fonts: dict[str, hb.Font] = {}


def _hb_font(font: TTFont) -> hb.Font:
    hbf = _hb_fonts.get(font.fontName)
    if hbf is None:
        hbf = _hb_fonts[font.fontName] = hb.Font(hb.Face(hb.Blob(font.face._ttf_data)))
    return hbf


# --- preparing a line of text -------------------------------------------------------------


@dataclass
class _Run:
    start: int
    end: int
    font: str
    size: float
    level: int
    frag: Any
    glyphs: list[tuple[int, int, float, float, float]] = field(default_factory=list)
    """(gid, cluster, x_advance, x_offset, y_offset) in points, visual order."""


@dataclass
class _Line:
    """One hard line (a bidi paragraph): its text, runs and per-character widths."""

    text: str
    base_level: int
    levels: list[int]
    runs: list[_Run]
    widths: list[float]
    cluster_start: list[bool]
    breaks: list[bool]


def base_direction(text: str) -> str:
    """ "rtl" or "ltr": the direction of a paragraph, from its first strong letter."""
    if not _RTL_HINT.search(text):
        return "ltr"
    return "rtl" if _bidi.get_base_level(text.translate(_EXPLICIT)) else "ltr"


def _levels(text: str, forced: int | None = None) -> tuple[int, list[int]]:
    if forced != 1 and not _RTL_HINT.search(text):
        return 0, [0] * len(text)
    neutral = text.translate(_EXPLICIT)
    # unassigned code points have no bidi class, which the reference code rejects
    neutral = "".join(c if unicodedata.bidirectional(c) else "\ufffd" for c in neutral)
    storage = _bidi.get_empty_storage()
    base = _bidi.get_base_level(neutral) if forced is None else forced
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    _bidi.get_embedding_levels(neutral, storage)
    chars = list(storage["chars"])
    _bidi.explicit_embed_and_overrides(storage)
    _bidi.resolve_weak_types(storage)
    _bidi.resolve_neutral_types(storage, False)
    _bidi.resolve_implicit_levels(storage, False)
    levels: list[int] = []
    for ch in chars:  # characters X9 removed (joiners) take their neighbour's level
        levels.append(
            ch["level"] if ch["type"] not in _bidi.X9_REMOVED or not levels else levels[-1]
        )
    return base, levels


def _with_markers(pieces: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Replace characters no font can draw by visible markers."""
    out: list[tuple[str, Any]] = []
    for text, frag in pieces:
        bold = fonts.is_bold(frag.fontName)
        if all(is_ignorable(c) or fonts.font_for(ord(c), bold) for c in text):
            out.append((text, frag))
            continue
        parts = [
            c if is_ignorable(c) or fonts.font_for(ord(c), bold) else fonts.marker(c) for c in text
        ]
        out.append(("".join(parts), frag))
    return out


_font_memo: dict[tuple[str, str, str | None], str] = {}


def _font_of(ch: str, frag: Any, current: str | None) -> str:
    key = (ch, frag.fontName, current)
    found = _font_memo.get(key)
    if found is None:
        found = _font_memo[key] = _choose_font(ch, frag.fontName, current)
    return found


def _choose_font(ch: str, base: str, current: str | None) -> str:
    cp = ord(ch)
    if current and (
        is_ignorable(ch)
        or (_joins_run(ch) and current != fonts.EMOJI.name and fonts.covers(current, cp))
    ):
        return current
    if is_ignorable(ch):
        return base
    if not fonts.has_script_face(cp) and fonts.covers(base, cp):
        return base
    return fonts.font_for(cp, fonts.is_bold(base)) or base


_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
# Common characters written only in Traditional Chinese (Taiwan, Hong Kong).
_TRADITIONAL = re.compile("[們這個來會說時門後對還過學國話裡見長點開問間關電車愛聽從]")


def cjk_language(text: str) -> str:
    """The language whose glyph shapes the CJK face should use for ``text``."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _TRADITIONAL.search(text):
        return "zh-tw"
    return "zh-cn"


def _shape(run: _Run, text: str, language: str | None = None) -> None:
    font = fonts.load(run.font)
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in text[run.start : run.end]])
    buf.direction = "rtl" if run.level % 2 else "ltr"
    buf.guess_segment_properties()
    if language:
        buf.language = language
    hb.shape(_hb_font(font), buf, {"kern": True, "liga": True})
    scale = run.size / font.face.unitsPerEm
    glyphs = run.glyphs
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        cluster = info.cluster + run.start
        if info.codepoint == 0:  # only joiners and stray marks reach here: draw nothing
            continue
        glyphs.append(
            (
                info.codepoint,
                cluster,
                pos.x_advance * scale,
                pos.x_offset * scale,
                pos.y_offset * scale,
            )
        )


def prepare(pieces: list[tuple[str, Any]], forced: int | None = None) -> _Line:
    """Fonts, levels, shaped runs and break opportunities of one hard line."""
    pieces = _with_markers(pieces)
    text = "".join(t for t, _ in pieces)
    frag_of: list[Any] = [f for t, f in pieces for _ in t]
    base_level, levels = _levels(text, forced)
    runs: list[_Run] = []
    current: str | None = None
    for i, ch in enumerate(text):
        frag = frag_of[i]
        font = _font_of(ch, frag, current if runs and runs[-1].frag is frag else None)
        current = font
        last = runs[-1] if runs else None
        if last and last.font == font and last.level == levels[i] and last.frag is frag:
            last.end = i + 1
        else:
            runs.append(_Run(i, i + 1, font, frag.fontSize, levels[i], frag))
    widths = [0.0] * len(text)
    starts = [False] * len(text)
    language = cjk_language(text) if any(r.font == fonts.CJK.name for r in runs) else None
    for run in runs:
        _shape(run, text, language if run.font == fonts.CJK.name else None)
        for _gid, cluster, adv, _xo, _yo in run.glyphs:
            widths[cluster] += adv
            starts[cluster] = True
    breaks = [False] * (len(text) + 1)
    for i in range(1, len(text)):
        prev, ch = text[i - 1], text[i]
        if ch in _SPACES:
            continue
        if prev in _SPACES or (starts[i] and (_is_cjk(ord(ch)) or _is_cjk(ord(prev)))):
            breaks[i] = True
    return _Line(text, base_level, levels, runs, widths, starts, breaks)


def _parse(
    markup: str, style: ParagraphStyle, direction: str | None = None
) -> tuple[list[_Line], list[str]]:
    """The paragraph's hard lines, prepared, and the names of its anchors (``<a name>``)."""
    parsed = ParaParser().parse(markup, style)
    frags = parsed[1]
    if frags is None:
        raise ValueError("markup could not be parsed")
    lines: list[list[tuple[str, Any]]] = [[]]
    anchors: list[str] = []
    for frag in frags:
        special = getattr(frag, "cbDefn", None)
        if special is not None and getattr(special, "kind", "") == "anchor":
            anchors.append(special.name)
            continue
        if getattr(frag, "lineBreak", False):
            lines.append([])
            continue
        text = frag.text.replace("\n", " ")
        if text:
            lines[-1].append((text, frag))
    forced = {"rtl": 1, "ltr": 0}.get(direction or "")
    prepared = [prepare(pieces, forced if n == 0 else None) for n, pieces in enumerate(lines)]
    return prepared, anchors


# --- breaking and drawing -----------------------------------------------------------------


@dataclass
class _Laid:
    line: _Line
    start: int
    end: int
    width: float


def _break(line: _Line, start: int, widths: list[float]) -> list[_Laid]:
    """Greedy line filling of ``line`` from ``start``; ``widths[k]`` is the room for line k."""
    text, w = line.text, line.widths
    n = len(text)
    out: list[_Laid] = []
    i = start
    if n == 0:
        return [_Laid(line, 0, 0, 0.0)]
    while i < n:
        room = widths[min(len(out), len(widths) - 1)]
        used = 0.0
        last_break = -1
        j = i
        while j < n:
            if j > i and line.breaks[j]:
                last_break = j
            if used + w[j] > room and text[j] not in _SPACES and j > i:
                break
            used += w[j]
            j += 1
        if j < n:
            if last_break > i:
                j = last_break
            else:  # one word wider than the line: cut it at a cluster boundary
                while j > i + 1 and (
                    not line.cluster_start[j] or unicodedata.category(text[j])[0] == "M"
                ):
                    j -= 1
        end = j
        while end > i and text[end - 1] in _SPACES:
            end -= 1
        out.append(_Laid(line, i, j, sum(w[i:end])))
        i = j
        while i < n and text[i] in _SPACES and not line.breaks[i]:
            i += 1
    return out


def _visual_pieces(laid: _Laid) -> list[tuple[_Run, int, int]]:
    """The runs of a laid line cut to its range, in visual order (UAX #9 rule L2)."""
    a, b = laid.start, laid.end
    while b > a and laid.line.text[b - 1] in _SPACES:
        b -= 1
    pieces = [
        (r, max(a, r.start), min(b, r.end)) for r in laid.line.runs if r.start < b and r.end > a
    ]
    if not pieces:
        return []
    levels = [p[0].level for p in pieces]
    top = max(levels)
    lowest_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        k = 0
        while k < len(pieces):
            if levels[k] >= level:
                m = k
                while m < len(pieces) and levels[m] >= level:
                    m += 1
                pieces[k:m] = pieces[k:m][::-1]
                levels[k:m] = levels[k:m][::-1]
                k = m
            else:
                k += 1
    return pieces


def _draw_piece(canv: Any, run: _Run, a: int, b: int, line: _Line, x: float, y: float) -> float:
    """Draw the glyphs of ``run`` whose clusters fall in [a, b) at (x, y); return the new x."""
    text, starts = line.text, line.cluster_start
    rtl = run.level % 2 == 1
    glyphs = [g for g in run.glyphs if a <= g[1] < b]
    if not glyphs:
        return x
    font = fonts.load(run.font)
    doc = canv._doc
    size = run.size
    # Each cluster's text goes with one glyph, its carrier (the widest: the letter, not
    # its marks). In right-to-left runs the other glyphs are drawn as "silent" (an
    # empty ActualText), since extractors would otherwise place vowel marks as
    # separate letters, and a carrier's text is stored reversed, as extractors read
    # right-to-left glyphs in visual order and reverse them.
    carrier: dict[int, int] = {}
    for index, (_gid, cluster, adv, _xo, _yo) in enumerate(glyphs):
        best = carrier.get(cluster)
        if best is None or adv > glyphs[best][2]:
            carrier[cluster] = index
    chars = []
    silent = []
    for index, (gid, cluster, _adv, _xo, _yo) in enumerate(glyphs):
        end = cluster + 1
        while end < b and not starts[end]:
            end += 1
        piece = text[cluster:end] if carrier[cluster] == index else ""
        silent.append(rtl and not piece)
        chars.append(_char_for_glyph(font, gid, piece[::-1] if rtl else piece))
    encoded = font.splitString("".join(chars), doc)
    codes: list[tuple[int, bytes]] = [(s, bytes([c])) for s, chunk in encoded for c in chunk]
    widths = font.face.charWidths
    # Left-to-right runs carry their logical text; right-to-left runs are drawn in
    # visual order with each glyph mapped to its letters, which is what extractors
    # (poppler, Acrobat, pdf.js) expect and reverse back into reading order.
    ops = ["BT"] if rtl else [f"/Span <</ActualText <FEFF{_utf16_hex(text[a:b])}>>> BDC BT"]
    color = getattr(run.frag, "textColor", None)
    if color is not None:
        ops.append(_fill(color))
    # bold asked for, but the face has no bold (CJK, emoji): thicken by stroking the outline
    fake_bold = fonts.is_bold(run.frag.fontName) and not fonts.is_bold(run.font)
    if fake_bold:
        ops.insert(0, "q")
        stroke = _fill(color).upper() if color is not None else "0 0 0 RG"
        ops.append(f"{stroke} {fp_str(size * 0.035)} w 2 Tr")
    ops.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
    x0 = x
    subset_now = -1
    tj: list[str] = []
    rise = 0.0

    def flush() -> None:
        if tj:
            ops.append(f"[{' '.join(tj)}] TJ")
            tj.clear()

    for (_gid, _cluster, adv, xo, yo), ch, (subset, code), quiet in zip(
        glyphs, chars, codes, silent, strict=True
    ):
        if quiet:
            flush()
            ops.append("/Span <</ActualText <FEFF>>> BDC")
        if subset != subset_now:
            flush()
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
            subset_now = subset
        if yo != rise:
            flush()
            ops.append(f"{fp_str(yo)} Ts")
            rise = yo
        pdf_adv = widths.get(ord(ch), 0) * size / 1000.0
        if xo:
            tj.append(fp_str(-xo * 1000.0 / size))
        tj.append("<" + code.hex() + ">")
        adjust = (pdf_adv - adv + xo) * 1000.0 / size
        if abs(adjust) > 0.01:
            tj.append(fp_str(adjust))
        x += adv
        if quiet:
            flush()
            ops.append("EMC")
    flush()
    if rise:
        ops.append("0 Ts")
    ops.append("ET" if rtl else "ET EMC")
    if fake_bold:
        ops.append("0 Tr Q")
    canv._code.append(" ".join(ops))
    for _kind, target in getattr(run.frag, "link", None) or ():
        rect = (x0, y - 0.25 * size, x, y + 0.85 * size)
        if str(target).startswith("#"):
            canv.linkRect("", str(target)[1:], rect, relative=1)
        else:
            canv.linkURL(str(target), rect, relative=1)
    return x


def _fill(color: Any) -> str:
    r, g, b = color.rgb()
    return f"{fp_str(r)} {fp_str(g)} {fp_str(b)} rg"


class ShapedParagraph(Flowable):
    """A Paragraph look-alike that lays out text in any script (see the module docstring)."""

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        bulletText: str | None = None,
        *,
        direction: str | None = None,
        _lines: list[_Line] | None = None,
        _start: tuple[int, int] = (0, 0),
        _limit: int | None = None,
    ) -> None:
        super().__init__()
        self.style = style
        self.text = text
        self.bulletText = bulletText
        self._anchors: list[str] = []
        if _lines is None:
            _lines, self._anchors = _parse(text, style, direction)
        self._lines = _lines
        self._start = _start
        self._limit = _limit
        self._laid: list[_Laid] = []
        self._width = 0.0
        self.height = 0.0

    def _room(self, avail: float, first: bool) -> list[float]:
        st = self.style
        inner = avail - st.leftIndent - st.rightIndent
        head = inner - (st.firstLineIndent if first else 0)
        return [max(head, 1.0), max(inner, 1.0)]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._width = availWidth
        laid: list[_Laid] = []
        h0, c0 = self._start
        for index in range(h0, len(self._lines)):
            first = not laid and self._start == (0, 0)
            room = self._room(availWidth, first)
            laid += _break(
                self._lines[index], c0 if index == h0 else 0, room if first else room[1:]
            )
        self._laid = laid[: self._limit] if self._limit is not None else laid
        self.height = len(self._laid) * self.style.leading
        return availWidth, self.height

    def minWidth(self) -> float:
        widest = 0.0
        for line in self._lines:
            run = 0.0
            for i, w in enumerate(line.widths):
                if line.breaks[i]:
                    run = 0.0
                run += w
                widest = max(widest, run)
        return widest + self.style.leftIndent + self.style.rightIndent

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit >= len(self._laid):
            return [self]
        if fit < 1:
            return []
        rest = self._laid[fit]
        head_line = self._lines.index(rest.line)
        first = ShapedParagraph(
            self.text,
            self.style,
            self.bulletText,
            _lines=self._lines,
            _start=self._start,
            _limit=fit,
        )
        first._anchors = self._anchors
        tail = ShapedParagraph(
            self.text, self.style, None, _lines=self._lines, _start=(head_line, rest.start)
        )
        return [first, tail]

    def draw(self) -> None:
        st = self.style
        canv = self.canv
        if getattr(st, "backColor", None):
            top, right, bottom, left = normalizeTRBL(st.borderPadding)
            canv.saveState()
            canv.setFillColor(st.backColor)
            canv.rect(
                st.leftIndent - left,
                -bottom,
                self._width - st.leftIndent - st.rightIndent + left + right,
                self.height + top + bottom,
                stroke=0,
                fill=1,
            )
            canv.restoreState()
        for name in self._anchors:
            canv.bookmarkHorizontal(name, 0, self.height + st.leading)
        if self.bulletText and self._start == (0, 0):
            canv.saveState()
            canv.setFont(st.bulletFontName, st.bulletFontSize)
            canv.setFillColor(getattr(st, "bulletColor", None) or st.textColor)
            canv.drawString(
                st.bulletIndent, self.height - st.bulletFontSize, _plain(self.bulletText)
            )
            canv.restoreState()
        inner = self._width - st.leftIndent - st.rightIndent
        for k, laid in enumerate(self._laid):
            y = self.height - st.fontSize - k * st.leading
            indent = st.firstLineIndent if k == 0 and self._start == (0, 0) else 0
            rtl = laid.line.base_level % 2 == 1
            align = st.alignment
            if align == TA_JUSTIFY:
                align = TA_LEFT
            if rtl and align in (TA_LEFT, TA_RIGHT):
                align = TA_RIGHT if align == TA_LEFT else TA_LEFT
            slack = inner - indent - laid.width
            if align == TA_RIGHT:
                x = st.leftIndent + slack
            elif align == TA_CENTER:
                x = st.leftIndent + indent + slack / 2
            else:
                x = st.leftIndent + indent
            for run, a, b in _visual_pieces(laid):
                x = _draw_piece(canv, run, a, b, laid.line, x, y)


def _plain(markup: str) -> str:
    text = re.sub(r"<[^>]*>", "", markup)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
