"""Words shown to people, shared by the core and the GUI."""

from __future__ import annotations

import unicodedata

#: Characters that change the display order of the text around them (bidi controls).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def visible_name(name: str) -> str:
    """A file name with every bidi control shown as a visible marker, never obeyed.

    "photo\\u202egpj.exe" would otherwise display as "photoexe.jpg"; here it reads
    "photo[U+202E RIGHT-TO-LEFT OVERRIDE]gpj.exe", so a name cannot disguise its
    extension on screen or on paper.
    """
    return "".join(
        f"[U+{ord(c):04X} {unicodedata.name(c, 'CONTROL')}]" if c in BIDI_CONTROLS else c
        for c in name
    )
