"""Every script on screen (issue 16): bundled fonts registered with Qt, fields follow direction."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QFont, QFontDatabase, QRawFont

from safediary.gui.scripts import PlainTextField, install_fonts
from tests.support.scripts import SAMPLES

FAMILIES = {
    "Noto Sans Arabic": "ٹ",  # Urdu tteh
    "Noto Sans Hebrew": "א",
    "Noto Sans Devanagari": "क",
    "Noto Sans Bengali": "ক",
    "Noto Sans Gurmukhi": "ਕ",
    "Noto Sans Gujarati": "ક",
    "Noto Sans Tamil": "க",
    "Noto Sans Thai": "ก",
    "Noto Sans CJK SC": "家",
    "Noto Emoji": "\U0001f52a",
}


def test_bundled_fonts_are_registered_and_substitute(qtbot) -> None:  # type: ignore[no-untyped-def]
    families = install_fonts()
    for family, char in FAMILIES.items():
        assert family in families
        assert QFontDatabase.hasFamily(family)
        raw = QRawFont.fromFont(QFont(family))
        assert raw.supportsCharacter(ord(char)), f"{family} cannot draw {char!r}"
    substitutes = [f.lower() for f in QFont.substitutes("DejaVu Sans")]
    assert substitutes[: len(FAMILIES)] == [f.lower() for f in families if f.startswith("Noto")]
    assert install_fonts() == families  # once per process


def test_paragraphs_take_their_own_direction(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = PlainTextField()
    qtbot.addWidget(field)
    text = "\n".join([SAMPLES["English"], SAMPLES["Arabic"], SAMPLES["Urdu"], SAMPLES["Mixed"]])
    field.setPlainText(text)
    field.resize(500, 300)
    field.show()
    qtbot.waitExposed(field)
    doc = field.document()
    directions = [doc.findBlockByNumber(n).layout().textOption().textDirection() for n in range(4)]
    assert directions == [
        Qt.LayoutDirection.LeftToRight,
        Qt.LayoutDirection.RightToLeft,
        Qt.LayoutDirection.RightToLeft,
        Qt.LayoutDirection.LeftToRight,
    ]
    rtl = doc.findBlockByNumber(1).layout().textOption().alignment()
    assert rtl & Qt.AlignmentFlag.AlignRight
    assert field.toPlainText() == text


def test_pasted_rich_text_arrives_as_plain_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = PlainTextField()
    qtbot.addWidget(field)
    mime = QMimeData()
    mime.setHtml("<b>كان</b> <img src='x.png'> <a href='http://x'>link</a>")
    mime.setText("كان link")
    field.insertFromMimeData(mime)
    assert field.toPlainText() == "كان link"
    html = field.toHtml()
    assert "href" not in html and "font-weight:700" not in html and "<img" not in html
