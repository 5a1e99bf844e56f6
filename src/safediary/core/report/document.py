"""The diary report: a PDF the police can read in minutes, and the user can trust.

``render_report`` builds the PDF in memory (for the in-app preview and for
printing); ``write_report`` saves it atomically where the user chose. That is
the one place the report leaves the vault. No Qt here.

    from safediary.core.report import ReportOptions, write_report
    write_report(vault, dest_pdf_path, ReportOptions())
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
)

from safediary.core.errors import InvalidInput
from safediary.core.fsutil import atomic_write
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.report import about, bundle, entries, exhibits, sections, summary
from safediary.core.report.data import (
    ReportCancelled,
    ReportData,
    ReportOptions,
    collect,
    fmt_datetime,
    select_incidents,
)
from safediary.core.report.flow import Lazy
from safediary.core.report.text import (
    INK,
    MONO,
    MUTED,
    RULE,
    SANS,
    SANS_BOLD,
    Styles,
    clean,
    draw_line,
)

__all__ = [
    "ReportCancelled",
    "ReportOptions",
    "render_data",
    "render_report",
    "save_pdf",
    "select_incidents",
    "write_bundle",
    "write_report",
]

# Pictures go into the PDF as binary JPEG streams: ASCII85 text (reportlab's default)
# makes them a quarter larger and, without reportlab's C accelerator, takes seconds.
rl_config.useA85 = 0

MARGIN = 18 * mm
FOOTER = 14 * mm
FOOTER_STYLE = ParagraphStyle("footer", fontName=SANS, fontSize=7.5, leading=9, textColor=MUTED)
_PAPER = {"A4": A4, "Letter": LETTER}

# Progress is reported as (done, PROGRESS_TOTAL): gathering is the first part,
# laying out the pages the rest.
PROGRESS_TOTAL = 1000
_CHECKED = 120  # vault.verify() before anything else
_GATHERED = 150


class _Progress:
    """Turns work done into (done, total) calls and checks for cancel."""

    def __init__(self, progress: ProgressFn | None, cancel: CancelFn | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self._last = -1

    def check(self) -> bool:
        """Raise ReportCancelled if the user stopped; otherwise False (a CancelFn: go on)."""
        if self._cancel is not None and self._cancel():
            raise ReportCancelled("The report was stopped. Nothing was saved.")
        return False

    def report(self, done: int) -> None:
        self.check()
        done = max(0, min(PROGRESS_TOTAL, done))
        if self._progress is not None and done != self._last:
            self._last = done
            self._progress(done, PROGRESS_TOTAL)


class _Canvas(Canvas):
    """Draws each page's footer as the page ends, so pages are not all kept in memory.

    "of M" and the page numbers the summary refers to (entries laid out later)
    are PDF forms: drawn by name as pages are made, defined once at the end.
    """

    footer: _Footer
    page_refs: dict[str, int]
    wanted: set[str]

    def showPage(self) -> None:
        self.footer.draw(self)
        super().showPage()

    def save(self) -> None:
        total = self.getPageNumber() - 1
        _define_number(self, TOTAL_FORM, total, SANS_BOLD, 8.5)
        for key in sorted(self.wanted):
            _define_number(self, key, self.page_refs.get(key), SANS, 7.8)
        super().save()


TOTAL_FORM = "pages-total"


def _define_number(canvas: Canvas, name: str, number: int | None, font: str, size: float) -> None:
    canvas.beginForm(name)
    canvas.setFont(font, size)
    canvas.setFillColor(MUTED if name == TOTAL_FORM else INK)
    canvas.drawString(0, 0, str(number) if number else "–")
    canvas.endForm()


class _PageRef(Flowable):
    """The number of the page a later part of the report lands on (filled in at the end)."""

    def __init__(self, key: str, size: float = 7.8) -> None:
        super().__init__()
        self.key = key
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, self.size * 1.2

    def draw(self) -> None:
        self.canv.wanted.add(self.key)  # always a _Canvas
        self.canv.saveState()
        self.canv.translate(0, self.size * 0.25)
        self.canv.doForm(self.key)
        self.canv.restoreState()


class _Footer:
    """The foot of every page: page N of M, the report date and the diary fingerprint."""

    def __init__(self, data: ReportData, page_width: float) -> None:
        name = clean(data.options.user_name.strip())
        if len(name) > 60:
            name = name[:59] + "…"
        title = f"Incident diary of {name}" if name else "Incident diary"
        self.left = f"{title} — report made {fmt_datetime(data.generated_at)}"
        self.fingerprint = f"Diary fingerprint: {data.fingerprint}"
        if not data.check_ok:
            self.fingerprint += "   (the check before this report found problems: see page 1)"
        self.width = page_width

    def draw(self, canvas: Canvas) -> None:
        page = canvas.getPageNumber()
        y = FOOTER
        right = self.width - MARGIN
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + 9, right, y + 9)
        canvas.setFillColor(MUTED)
        draw_line(canvas, self.left, MARGIN, y, self.width - 2 * MARGIN - 70, FOOTER_STYLE)
        canvas.setFont(SANS_BOLD, 8.5)
        # "of M" is a form defined when M is known; room is kept for five digits
        room = stringWidth("00000", SANS_BOLD, 8.5)
        canvas.drawRightString(right - room - 2, y, f"Page {page} of")
        canvas.translate(right - room, y)
        canvas.doForm(TOTAL_FORM)
        canvas.restoreState()
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(MONO, 6.5)
        canvas.drawString(MARGIN, y - 9, self.fingerprint)
        canvas.restoreState()


class _Doc(BaseDocTemplate):
    """Expands lazy parts of the story, adds bookmarks, notes entry pages, cancels."""

    def __init__(self, buffer: io.BytesIO, tracker: _Progress, **kw: Any) -> None:
        super().__init__(buffer, **kw)
        self._tracker = tracker
        self.page_refs: dict[str, int] = {}

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        while flowables and isinstance(flowables[0], Lazy):
            flowables[0:1] = flowables[0].make()
        if flowables:
            super().handle_flowable(flowables)

    def afterFlowable(self, flowable: Flowable) -> None:
        self._tracker.check()
        outline = getattr(flowable, "outline", None)
        if outline is not None:
            title, key, level = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
        page_key = getattr(flowable, "page_key", None)
        if page_key is not None:
            self.page_refs[page_key] = self.canv.getPageNumber()


def _story(
    data: ReportData, st: Styles, width: float, height: float, tracker: _Progress
) -> list[Flowable]:
    # the log's rows and the entries are made as layout reaches them: they are the work
    ticks = {"n": 0}
    total = max(1, 2 * len(data.incidents))
    span = PROGRESS_TOTAL - _GATHERED - 10

    def tick() -> None:
        ticks["n"] += 1
        tracker.report(_GATHERED + span * min(ticks["n"], total) // total)

    story: list[Flowable] = []
    story += sections.cover(data, st, width)
    story += summary.summary_section(data, st, width, sections.grid, _PageRef)
    story.append(PageBreak())
    story += sections.kinds_section(data, st, width)
    story += sections.people_section(data, st, width)
    story += summary.orders_section(data, st, width)
    story.append(PageBreak())
    story += about.about_section(data, st)
    story.append(PageBreak())
    story += sections.log_section(data, st, width, height, tick)
    story.append(PageBreak())
    story += entries.entries_section(data, st, width, tick)
    story.append(PageBreak())
    story += exhibits.evidence_section(data, st, width, sections.grid)
    pictures = exhibits.pictures_section(data, st, width, height)
    if pictures:
        story += [PageBreak(), *pictures]
    extra = sections.checklist_section(data, st, width)
    if extra:
        story += [PageBreak(), *extra]
    statement = sections.statement_section(data, st)
    if statement:
        story += [PageBreak(), *statement, Spacer(1, 18)]
    else:
        story.append(PageBreak())
    story += sections.declaration_section(data, st, width)
    return story


def render_report(
    vault: Any,
    options: ReportOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> bytes:
    """Build the report in memory and return the PDF bytes.

    ``progress(done, total)`` is called as work advances; ``cancel()`` returning
    True stops the work with :class:`ReportCancelled`. Nothing is written to disk.
    """
    options = options or ReportOptions()
    tracker = _Progress(progress, cancel)
    tracker.report(0)
    data = collect(
        vault,
        options,
        cancel=tracker.check,
        check_progress=lambda done, total: tracker.report(_CHECKED * done // max(1, total or 0)),
    )
    return render_data(vault, data, progress=progress, cancel=cancel)


def render_data(
    vault: Any,
    data: ReportData,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> bytes:
    """Lay out a report from data already gathered by ``collect`` (the bundle uses this so
    its manifest and its report share one selection and one set of exhibit marks)."""
    options = data.options
    tracker = _Progress(progress, cancel)
    data.pictures = exhibits.load_pictures(vault, data, tracker.check)
    tracker.report(_GATHERED)
    st = Styles()
    page_width, page_height = _PAPER[options.paper]
    width = page_width - 2 * MARGIN
    height = page_height - MARGIN - (FOOTER + 14)
    story = _story(data, st, width, height, tracker)
    buffer = io.BytesIO()
    footer = _Footer(data, page_width)
    doc = _Doc(
        buffer,
        tracker,
        pagesize=(page_width, page_height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=FOOTER + 14,
        title="Incident diary",
        author=clean(options.user_name.strip()),
        subject="Incident diary report",
        creator="SafeDiary",
        producer="SafeDiary",
        pageCompression=1,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def make_canvas(*args: Any, **kwargs: Any) -> _Canvas:
        canvas = _Canvas(*args, **kwargs)
        canvas.footer = footer
        canvas.page_refs = doc.page_refs
        canvas.wanted = set()
        return canvas

    doc.build(story, canvasmaker=make_canvas)
    tracker.report(PROGRESS_TOTAL)
    return buffer.getvalue()


def write_bundle(
    vault: Any,
    dest_folder: Path | str,
    options: ReportOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    *,
    make_zip: bool = False,
) -> Path:
    """Write the report, exact copies of its exhibits, manifests and HOW-TO-VERIFY.txt
    into a new folder; see :mod:`safediary.core.report.bundle`. Returns the new folder."""
    return bundle.write_bundle(
        vault,
        Path(dest_folder),
        options or ReportOptions(),
        render=render_data,
        progress=progress,
        cancel=cancel,
        make_zip=make_zip,
    )


def write_report(
    vault: Any,
    dest_path: Path | str,
    options: ReportOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """Build the report and save it at ``dest_path`` atomically (temp, fsync, rename)."""
    dest = Path(dest_path)
    return save_pdf(render_report(vault, options, progress=progress, cancel=cancel), dest)


def save_pdf(pdf: bytes, dest_path: Path | str) -> Path:
    """Save a report made by :func:`render_report` (e.g. the one previewed) atomically."""
    if not pdf.startswith(b"%PDF-"):
        raise InvalidInput("That is not a report made by SafeDiary.")
    dest = Path(dest_path)
    atomic_write(dest, pdf)
    return dest
