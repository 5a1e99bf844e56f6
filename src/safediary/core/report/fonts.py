"""The report's fonts: registration with reportlab and the choice of a font for each character.

DejaVu Sans is the base face (Latin, Greek, Cyrillic and many symbols). Noto
faces cover the scripts it lacks: Arabic (with Urdu's letters), Hebrew,
Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, Thai, Chinese/Japanese/Korean
(one subset face, see packaging/build_fonts.py) and emoji (monochrome). Fonts
are loaded on first use; the 16 MB CJK face only when a CJK character appears.

:func:`font_for` answers "which registered font draws this character?" and
``None`` when none can: the text layer then prints a visible marker instead.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from safediary.host.resources import resource_path

SANS = "SafeDiarySans"
SANS_BOLD = "SafeDiarySans-Bold"
MONO = "SafeDiaryMono"


@dataclass(frozen=True)
class Face:
    """One bundled font: its reportlab name, file, bold twin and the characters it is first for."""

    name: str
    filename: str
    bold: str | None = None
    bold_filename: str | None = None
    ranges: tuple[tuple[int, int], ...] = ()


_ARABIC = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_CJK = (
    (0x1100, 0x11FF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x33FF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


def _noto(script: str, ranges: tuple[tuple[int, int], ...]) -> Face:
    return Face(
        f"SafeDiary{script}",
        f"NotoSans{script}-Regular.ttf",
        f"SafeDiary{script}-Bold",
        f"NotoSans{script}-Bold.ttf",
        ranges,
    )


#: One face for Chinese, Japanese and Korean; HarfBuzz picks each language's glyph forms.
CJK = Face("SafeDiaryCJK", "NotoSansCJKsc-Regular-subset.ttf", ranges=_CJK)

#: Script faces, tried first for the characters in their ranges.
SCRIPT_FACES: tuple[Face, ...] = (
    _noto("Arabic", _ARABIC),
    _noto("Hebrew", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    _noto("Devanagari", ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF))),
    _noto("Bengali", ((0x0980, 0x09FF),)),
    _noto("Gurmukhi", ((0x0A00, 0x0A7F),)),
    _noto("Gujarati", ((0x0A80, 0x0AFF),)),
    _noto("Tamil", ((0x0B80, 0x0BFF), (0x11FC0, 0x11FFF))),
    _noto("Thai", ((0x0E00, 0x0E7F),)),
    CJK,
)
EMOJI = Face("SafeDiaryEmoji", "NotoEmoji-Regular.ttf", ranges=((0x1F000, 0x1FAFF),))
BASE_FACES: tuple[Face, ...] = (
    Face(SANS, "DejaVuSans.ttf", SANS_BOLD, "DejaVuSans-Bold.ttf"),
    Face(MONO, "DejaVuSansMono.ttf"),
)
ALL_FACES: tuple[Face, ...] = (*BASE_FACES, *SCRIPT_FACES, EMOJI)

#: Font files bundled under resources/fonts (used by the GUI and the self-test too).
FONT_FILES: tuple[str, ...] = tuple(
    name for face in ALL_FACES for name in (face.filename, face.bold_filename) if name
)

_lock = threading.RLock()
_loaded: dict[str, TTFont] = {}
_choice: dict[tuple[int, bool], str | None] = {}
_cmaps: dict[str, dict[int, int]] = {}

#: The shaper's private code points for glyphs without a character start here.
PRIVATE_BASE = 0xF0000
_BOLD_NAMES = {face.bold for face in ALL_FACES if face.bold} | {SANS_BOLD}


def _register(name: str, filename: str) -> TTFont:
    font = _loaded.get(name)
    if font is None:
        font = TTFont(name, str(resource_path("fonts", filename)))
        pdfmetrics.registerFont(font)
        _loaded[name] = font
    return font


def load(name: str) -> TTFont:
    """The registered reportlab font ``name``, loading its file on first use."""
    with _lock:
        if name in _loaded:
            return _loaded[name]
        for face in ALL_FACES:
            if name == face.name:
                return _register(name, face.filename)
            if name == face.bold and face.bold_filename:
                return _register(name, face.bold_filename)
    font = pdfmetrics.getFont(name)
    if not isinstance(font, TTFont):
        raise KeyError(f"{name} is not a TrueType font SafeDiary registered")
    return font


def register_fonts() -> None:
    """Register every bundled face's name with reportlab (files load lazily except the base)."""
    with _lock:
        for face in BASE_FACES:
            load(face.name)
            if face.bold:
                load(face.bold)
        pdfmetrics.registerFontFamily(
            SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD
        )
        pdfmetrics.registerFontFamily(MONO, normal=MONO, bold=MONO, italic=MONO, boldItalic=MONO)


def is_bold(font_name: str) -> bool:
    return font_name in _BOLD_NAMES


def covers(font_name: str, cp: int) -> bool:
    """True when the font ``font_name`` has a glyph for code point ``cp``."""
    cmap = _cmaps.get(font_name)
    if cmap is None:
        cmap = _cmaps[font_name] = load(font_name).face.charToGlyph
    # plane-15 private use: code points the shaper assigns to glyphs, never the user's
    return cp in cmap and cp < PRIVATE_BASE


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@cache
def has_script_face(cp: int) -> bool:
    """True when a script or emoji face is first choice for ``cp`` (before the base face)."""
    return any(_in(cp, face.ranges) for face in (*SCRIPT_FACES, EMOJI))


def _face_name(face: Face, bold: bool) -> str:
    return face.bold if bold and face.bold else face.name


def font_for(cp: int, bold: bool = False) -> str | None:
    """The name of the font that should draw code point ``cp``, or None if no bundled font can."""
    key = (cp, bold)
    try:
        return _choice[key]
    except KeyError:
        pass
    with _lock:
        order: list[Face] = [f for f in (*SCRIPT_FACES, EMOJI) if _in(cp, f.ranges)]
        order += [BASE_FACES[0], EMOJI]
        order += [f for f in SCRIPT_FACES if f not in order]
        found = None
        for face in order:
            name = _face_name(face, bold)
            if covers(name, cp):
                found = name
                break
        _choice[key] = found
        return found


def marker(char: str) -> str:
    """The visible stand-in for a character no bundled font can draw: ``[U+1F52A HOCHO]``."""
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"[{code} {name}]" if name else f"[{code}]"
