"""Every script on screen: the bundled fonts for Qt, and text fields that follow each paragraph.

A portable SafeDiary runs on computers it knows nothing about; a diary in Urdu,
Bengali or Chinese must still be readable there. The fonts the report embeds
(resources/fonts) are added to Qt's application fonts and set as substitutes of
the usual interface fonts, so any character the host's font lacks is drawn from
them. :class:`PlainTextField` lays out each paragraph in its own direction:
Arabic, Urdu and Hebrew paragraphs right to left and aligned right, English
ones left to right (QPlainTextEdit gives every paragraph the same alignment).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QTextEdit, QWidget

from safediary.core.report.fonts import FONT_FILES
from safediary.host.resources import resource_path

_installed: list[str] = []


def install_fonts() -> list[str]:
    """Add the bundled fonts to Qt (once per process) and return their family names."""
    if _installed:
        return list(_installed)
    families: list[str] = []
    for filename in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", filename)))
        for family in QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []:
            if family not in families:
                families.append(family)
    # DejaVu Sans first: it stands in for an interface font the host may lack
    fallbacks = [f for f in families if f.startswith("Noto")]
    base = QGuiApplication.font().family()
    for family in {base, "Sans Serif", "Segoe UI", ".AppleSystemUIFont"}:
        QFont.insertSubstitutions(family, ["DejaVu Sans", *fallbacks])
    QFont.insertSubstitutions("DejaVu Sans", fallbacks)
    _installed.extend(families)
    return families


class PlainTextField(QTextEdit):
    """A plain-text field (rich text is never taken, even pasted); each paragraph has its
    own direction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setAutoFormatting(QTextEdit.AutoFormattingFlag.AutoNone)
        document = self.document()
        option = document.defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
        document.setDefaultTextOption(option)
