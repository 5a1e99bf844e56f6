"""Walk every glyph a PDF draws and report those that are glyph 0 (.notdef, the empty box).

For each page, the content stream is parsed with pypdf; every string shown with
Tj, TJ, ' or " is decoded through the embedded TrueType font program (its cmap,
read with fontTools) to the glyph it draws. A code the font program does not map,
or maps to glyph 0, is a box on paper.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pypdf
from fontTools.ttLib import TTFont
from pypdf.generic import ContentStream


@dataclass
class GlyphReport:
    glyphs: int = 0
    notdef: list[tuple[int, str, int]] = field(default_factory=list)  # (page, font, code)
    unchecked_fonts: set[str] = field(default_factory=set)
    unchecked_glyphs: int = 0


def _code_to_gid(font_dict: pypdf.generic.DictionaryObject) -> dict[int, int] | None:
    descriptor = font_dict.get("/FontDescriptor")
    if descriptor is None:
        return None
    descriptor = descriptor.get_object()
    program = descriptor.get("/FontFile2")
    if program is None:
        return None
    tt = TTFont(io.BytesIO(program.get_object().get_data()))
    order = tt.getGlyphOrder()
    mapping: dict[int, int] = {}
    for table in tt["cmap"].tables:
        for code, name in table.cmap.items():
            mapping.setdefault(code & 0xFF, order.index(name))
    return mapping


def walk(pdf: bytes) -> GlyphReport:
    """Every glyph drawn in ``pdf``; glyph-0 uses are listed in ``notdef``."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    report = GlyphReport()
    cache: dict[int, dict[int, int] | None] = {}
    for number, page in enumerate(reader.pages, start=1):
        fonts = page.get("/Resources", {}).get("/Font", {})
        content = ContentStream(page.get_contents(), reader)
        current: tuple[str, dict[int, int] | None] | None = None
        for operands, operator in content.operations:
            if operator == b"Tf":
                name = operands[0]
                ref = fonts[name]
                key = ref.idnum if hasattr(ref, "idnum") else id(ref)
                if key not in cache:
                    cache[key] = _code_to_gid(ref.get_object())
                current = (str(ref.get_object().get("/BaseFont")), cache[key])
                if cache[key] is None:
                    report.unchecked_fonts.add(current[0])
                continue
            if operator not in (b"Tj", b"TJ", b"'", b'"'):
                continue
            strings = operands[0] if operator == b"TJ" else [operands[-1]]
            for item in strings:
                if isinstance(item, (int, float)):
                    continue
                data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                if current is None or current[1] is None:
                    report.unchecked_glyphs += len(data)
                    continue
                for code in data:
                    report.glyphs += 1
                    gid = current[1].get(code, 0)
                    if gid == 0:
                        report.notdef.append((number, current[0], code))
    return report
