"""Words shown to people, shared by the core and the GUI."""

from __future__ import annotations

import unicodedata

#: Characters that change the display order of the text around them (bidi controls).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


#: Joiners that Arabic, Persian and Indic words (and emoji) need: left as they are.
_JOINERS = frozenset("\u200c\u200d")


def _hidden(c: str) -> bool:
    """A character that reorders, hides or breaks the text around it."""
    if c in BIDI_CONTROLS:
        return True
    if c in _JOINERS:
        return False
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def visible_name(name: str) -> str:
    """A file name with every hidden or reordering character shown as a marker, never obeyed.

    "photo\\u202egpj.exe" would otherwise display as "photoexe.jpg"; here it reads
    "photo[U+202E RIGHT-TO-LEFT OVERRIDE]gpj.exe", so a name cannot disguise its
    extension on screen or on paper. Bidi controls (U+202A–202E, U+2066–2069, U+200E/F,
    U+061C), other format and control characters (zero-width spaces, BOM, soft hyphen,
    C0/C1 controls, line separators) and unassigned or private code points are shown;
    zero-width joiners, which real words need, are kept.
    """
    return "".join(_marker(c) if _hidden(c) else c for c in name)


def _marker(c: str) -> str:
    label = unicodedata.name(c, "")
    return f"[U+{ord(c):04X} {label}]" if label else f"[U+{ord(c):04X}]"


#: The same helper under the name used for any short text a stranger may have chosen.
reveal_controls = visible_name


def without_controls(name: str) -> str:
    """A name for a file SafeDiary writes: hidden and reordering characters removed.

    (On disk a right-to-left override would make "invoice-\\u202efdp.exe" look like a PDF
    in the file manager of whoever receives the copy.)
    """
    return "".join(c for c in name if not _hidden(c))
