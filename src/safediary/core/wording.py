"""Words shown to people, shared by the core and the GUI."""

from __future__ import annotations

import unicodedata
from datetime import date

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


# -- dates, sizes and plurals: the one place for the words people read (screen and PDF) ------
#: English names whatever the C locale says (Qt calls setlocale at start-up).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FULL_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '1,200 files' (``many`` defaults to ``one`` + 's')."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def day_text(day: date) -> str:
    """'3 Feb 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_text(day: date) -> str:
    """'Tue'."""
    return DAYS[day.weekday()]


def size_text(size: int) -> str:
    """A size as people read it, in decimal units as the PDF prints it: '532 bytes', '1.2 MB'."""
    if size < 1000:
        return f"{size:,} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def exact_size_text(size: int | None) -> str:
    """'1,234,567 bytes (1.2 MB)': the exact count, for the report and the evidence details."""
    if size is None:
        return "unknown size"
    if size < 1000:
        return size_text(size)
    return f"{size:,} bytes ({size_text(size)})"
