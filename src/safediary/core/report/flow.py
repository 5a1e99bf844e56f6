"""Small layout pieces shared by the report's sections: bookmarked headings, anchors, links."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from safediary.core.report.text import Paragraph, markup


def heading(text: str, style: ParagraphStyle, key: str, level: int = 0) -> Flowable:
    """A heading that gets a PDF bookmark (``text`` is plain, not markup)."""
    para = Paragraph(f'<a name="{key}"/>' + markup(text), style)
    para.outline = (text, key, level)  # type: ignore[attr-defined]  # read by the document
    para.keepWithNext = 1
    return para


def link(text_markup: str, key: str) -> str:
    """Markup for a link to an anchor in the same report."""
    return f'<a href="#{key}" color="#1f3a5f">{text_markup}</a>'


def entry_key(incident_id: int) -> str:
    return f"entry-{incident_id}"
