"""Make the bundled fonts in ``resources/fonts`` from Noto's published files (run by hand).

The report and the app need fonts for every script a diary may be written in.
This script documents, and repeats on demand, how the shipped files were made:

- Noto Sans Arabic, Hebrew, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil and
  Thai (Regular and Bold) are copied as Debian's ``fonts-noto-core`` ships them.
- Noto Sans CJK SC Regular (``fonts-noto-cjk``) is cut down to the characters
  people write (kana, the CJK Unified Ideographs block, Hangul syllables and jamo,
  CJK punctuation, full-width forms) and its PostScript outlines are converted to
  TrueType ones, because reportlab embeds only TrueType outlines. Its ``locl``
  glyph variants stay, so the report asks HarfBuzz for Japanese, Korean or
  Traditional Chinese forms by language. Extension blocks B+ are left out (they
  print as markers).
- Noto Emoji (monochrome, from the ``manimgx-fonts`` wheel on PyPI) is pinned to
  its Regular weight, so the variable-font tables go.

All are under the SIL Open Font License 1.1, which allows subsetting and
conversion; the licence is copied beside them. Usage::

    apt-get install fonts-noto-core fonts-noto-cjk
    pip download --no-deps -d /tmp/mx manimgx-fonts && unzip /tmp/mx/*.whl -d /tmp/mx
    python packaging/build_fonts.py --emoji "/tmp/mx/manimgx_fonts/NotoEmoji[wght].ttf"
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.varLib import instancer

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "resources" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

SCRIPTS = ("Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Tamil", "Thai")

CJK_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x30FF),  # CJK punctuation, hiragana, katakana
    (0x3100, 0x31FF),  # bopomofo, Hangul compatibility jamo, kanbun, katakana extension
    (0x3200, 0x33FF),  # enclosed CJK letters, CJK compatibility
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0x1100, 0x11FF),  # Hangul jamo
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)


def copy_noto() -> None:
    for script in SCRIPTS:
        for weight in ("Regular", "Bold"):
            name = f"NotoSans{script}-{weight}.ttf"
            shutil.copyfile(NOTO / name, OUT / name)


def _cff_to_glyf(font: TTFont) -> None:
    """Replace a font's CFF outlines by TrueType (quadratic) ones."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def build_cjk() -> None:
    collection = TTCollection(str(CJK))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    unicodes = [u for lo, hi in CJK_RANGES for u in range(lo, hi + 1)]
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    _cff_to_glyf(font)
    font.save(str(OUT / "NotoSansCJKsc-Regular-subset.ttf"))


def build_emoji(source: Path) -> None:
    font = TTFont(str(source))
    static = instancer.instantiateVariableFont(font, {"wght": 400})
    static.save(str(OUT / "NotoEmoji-Regular.ttf"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emoji", type=Path, required=True, help="NotoEmoji[wght].ttf")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    copy_noto()
    build_emoji(args.emoji)
    build_cjk()
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>10,}  {path.name}")


if __name__ == "__main__":
    main()
