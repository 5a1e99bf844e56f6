"""The sections of the PDF report, each a list of reportlab flowables.

All user text goes through :mod:`safediary.core.report.text`, which escapes
Paragraph markup and splits long text so it can flow across pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import timedelta
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from safediary.core.checklist import checklist as checklist_mod
from safediary.core.diary import taxonomy
from safediary.core.diary.incidents import Incident
from safediary.core.diary.people import Person
from safediary.core.pattern.pattern import WINDOW_DAYS
from safediary.core.report.about import check_notice, check_sentence
from safediary.core.report.chart import incidents_chart
from safediary.core.report.data import (
    EvidenceItem,
    ReportData,
    fmt_date,
    fmt_datetime,
    fmt_weekday,
    fmt_when,
)
from safediary.core.report.flow import JpegImage, entry_key, heading, link
from safediary.core.report.summary import breached_order, order_title
from safediary.core.report.text import (
    ACCENT,
    RULE,
    SANS_BOLD,
    SHADE,
    Paragraph,
    Styles,
    cell,
    is_short,
    markup,
    paragraphs,
    shorten,
)
from safediary.core.wording import WEEKDAY_NAMES, visible_name

Story = list[Flowable]
Tick = Callable[[], None]

DECLARATION = (
    "I declare that the entries in this diary were written by me, that I wrote each one "
    "down at the time shown as “written down”, and that to the best of my knowledge and "
    "belief they are a true account of what happened."
)


def _kinds_text(kinds: Iterable[str]) -> str:
    ordered = sorted(kinds, key=lambda k: taxonomy.KIND_IDS.index(k) if k in taxonomy.KINDS else 99)
    return ", ".join(taxonomy.label(k) for k in ordered)


def _people_names(incident: Incident, people: dict[int, Person]) -> str:
    return "; ".join(people[p].name for p in incident.people if p in people)


_CELL_PAD_X = 3
_CELL_PAD_TOP = 2.5
_CELL_PAD_BOTTOM = 3


def grid(
    data: list[list[Any]],
    widths: Sequence[float],
    heights: Sequence[float] | None = None,
    *,
    header: bool = True,
) -> Table:
    """A table with a dark header row (repeated on each page) and shaded alternate rows."""
    table = Table(
        data,
        colWidths=list(widths),
        rowHeights=list(heights) if heights is not None else None,
        repeatRows=1 if header else 0,
        splitByRow=1,
    )
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), _CELL_PAD_TOP),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _CELL_PAD_BOTTOM),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("LINEBELOW", (0, 0), (-1, 0), 0, ACCENT),
        ]
        style += [("BACKGROUND", (0, r), (-1, r), SHADE) for r in range(2, len(data), 2)]
    table.setStyle(TableStyle(style))
    return table


def _facts(rows: list[tuple[str, Any]], st: Styles, width: float) -> Table:
    """A two-column table of labels and values (values are flowables or short text)."""
    data = []
    for label, value in rows:
        data.append(
            [
                Paragraph(label, st.label),
                value if not isinstance(value, str) else cell(value, st.body),
            ]
        )
    table = Table(data, colWidths=[width * 0.27, width * 0.73], splitByRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


# ----------------------------------------------------------------------------- cover


def _period(data: ReportData) -> str:
    opts = data.options
    first = opts.start or data.summary.first_at
    last = data.summary.last_at
    if opts.end is not None:
        last = opts.end - timedelta(microseconds=1)  # the end is exclusive
    if first is None or last is None:
        return "No entries in the period chosen"
    return f"{fmt_date(first)} to {fmt_date(last)}"


def cover(data: ReportData, st: Styles, width: float) -> Story:
    """Title, key facts, the pattern at a glance, the chart and the kinds summary."""
    opts = data.options
    summary = data.summary
    story: Story = [heading("Incident diary", st.title, "cover")]
    if opts.user_name.strip():
        story.append(Paragraph("Kept by " + markup(opts.user_name.strip()), st.subtitle))
    story.append(Spacer(1, 10))
    story += check_notice(data, st)
    reported = [i for i in data.incidents if i.police_reference.strip() or i.reported_to.strip()]
    refs = [i for i in data.incidents if i.police_reference.strip()]
    involved = data.people_involved
    facts: list[tuple[str, Any]] = [
        ("Period covered", _period(data)),
        ("Report made", fmt_datetime(data.generated_at, weekday=True, zone=True)),
        ("Entries in this report", f"{summary.total}"),
        (
            "Reported",
            f"{len(reported)} of {summary.total} entries were reported to someone; "
            f"{len(refs)} have a crime or reference number",
        ),
        ("Evidence files", f"{len(data.evidence)} (listed in the evidence index)"),
        ("Check of the diary", check_sentence(data)),
    ]
    if involved:
        names = "; ".join(p.name for p in involved)
        facts.append(("People involved", shorten(names, 600)[0]))
    story.append(_facts(facts, st, width))
    story.append(Spacer(1, 10))
    story += _pattern(data, st, width)
    story.append(PageBreak())
    return story


def _pattern(data: ReportData, st: Styles, width: float) -> Story:
    summary = data.summary
    story: Story = [heading("The pattern at a glance", st.h1, "pattern")]
    if not summary.total:
        return [*story, Paragraph("There are no entries in this report.", st.body)]
    esc = summary.escalation
    notes = [
        f"<b>{esc.recent}</b> incident{'s' if esc.recent != 1 else ''} in the {WINDOW_DAYS} days "
        f"{fmt_date(esc.recent_start)} to {fmt_date(esc.today)}, compared with "
        f"<b>{esc.previous}</b> in the {WINDOW_DAYS} days before "
        f"({fmt_date(esc.previous_start)} to {fmt_date(esc.recent_start - timedelta(days=1))})."
        + (" <b>It is happening more often.</b>" if esc.rising else "")
    ]
    for first in data.firsts:  # from the whole diary, not only this period
        notes.append(
            f"First <b>{markup(first.label.lower())}</b>: {fmt_date(first.on)} "
            f"(entry No. {first.number}"
            + (", before the period of this report)." if first.before_period else ").")
        )
    busiest = [WEEKDAY_NAMES[d] for d in summary.busiest_weekdays]
    hours = [f"{h:02d}:00–{(h + 1) % 24:02d}:00" for h in summary.busiest_hours]
    if summary.total >= 3 and busiest:
        notes.append(
            f"Most often on {', '.join(busiest[:3])}; most often between {', '.join(hours[:3])}."
        )
    for pid in summary.people_with_course_of_conduct:
        person = data.people.get(pid)
        if person is not None:
            notes.append(
                f"{markup(shorten(person.name, 80)[0])} is involved in "
                f"<b>{summary.per_person[pid]}</b> separate entries."
            )
    for note in notes:
        story.append(Paragraph(note, st.body, bulletText="•"))
    story.append(Spacer(1, 8))
    without = [0] * len(summary.buckets)
    for incident in data.incidents:
        if not incident.kinds:
            day = incident.occurred_at.date()
            for index, bucket in enumerate(summary.buckets):
                if bucket.start <= day < bucket.end:
                    without[index] += 1
                    break
    story.append(incidents_chart(summary, width, without_kind=without))
    return story


def kinds_section(data: ReportData, st: Styles, width: float) -> Story:
    """How often each kind of behaviour was recorded, with its first and latest date."""
    summary = data.summary
    if not summary.kind_counts:
        return []
    block: Story = [heading("Kinds of behaviour recorded", st.h1, "kinds")]
    firsts: dict[str, Incident] = {}
    lasts: dict[str, Incident] = {}
    for incident in data.incidents:
        for kind in incident.kinds:
            firsts.setdefault(kind, incident)
            lasts[kind] = incident
    rows: list[list[Any]] = [
        [
            Paragraph(h, st.cell_head)
            for h in ("Kind of behaviour", "Entries", "First in this report", "Latest")
        ]
    ]
    for kind, count in sorted(summary.kind_counts.items(), key=lambda kv: -kv[1]):
        rows.append(
            [
                Paragraph(markup(taxonomy.label(kind)), st.cell),
                Paragraph(str(count), st.cell),
                Paragraph(fmt_date(firsts[kind].occurred_at), st.cell),
                Paragraph(fmt_date(lasts[kind].occurred_at), st.cell),
            ]
        )
    block.append(grid(rows, [width * 0.52, width * 0.12, width * 0.18, width * 0.18]))
    block.append(
        Paragraph(
            "An entry can record more than one kind of behaviour, so these numbers can add up "
            "to more than the number of entries.",
            st.muted,
        )
    )
    return [KeepTogether(block), Spacer(1, 12)]


# ----------------------------------------------------------------------------- people


def people_section(data: ReportData, st: Styles, width: float) -> Story:
    involved = data.people_involved
    if not involved:
        return []
    story: Story = [heading("People involved", st.h1, "people")]
    numbers: dict[int, list[int]] = {}
    for incident in data.incidents:
        for pid in incident.people:
            numbers.setdefault(pid, []).append(incident.number)
    for person in involved:
        nums = numbers.get(person.id, [])
        shown = ", ".join(str(n) for n in nums[:40]) + (" …" if len(nums) > 40 else "")
        head = "<b>" + markup(shorten(person.name, 300)[0]) + "</b>"
        if person.relationship.strip():
            head += " — " + markup(shorten(person.relationship, 200)[0])
        block: Story = [Paragraph(head, st.body)]
        entries = "1 entry" if len(nums) == 1 else f"{len(nums)} entries"
        block.append(Paragraph(f"In {entries} (No. {shown}).", st.muted))
        for label, text in (
            ("Description", person.description),
            ("Vehicle", person.vehicle),
            ("Other details", person.notes),
        ):
            if text.strip():
                block.append(Paragraph(label, st.label))
                block += paragraphs(text, st.body)
        story += [KeepTogether(block), Spacer(1, 8)]  # a person's details never split
    return story


# ----------------------------------------------------------------------------- log


def log_section(data: ReportData, st: Styles, width: float, height: float) -> Story:
    """The log table, starting on a new page of ``height`` points of frame."""
    intro: Story = [
        heading("Chronological log", st.h1, "log"),
        Paragraph(
            "One line per entry, in the order things happened. Entries are numbered in the "
            "order they were written down, so an entry written down later about something "
            "earlier has a higher number. Text is shortened here; entry numbers and exhibit "
            "marks are links to the entries in full and to the evidence index.",
            st.muted,
        ),
        Spacer(1, 6),
    ]
    if not data.incidents:
        return [*intro, Paragraph("There are no entries in this report.", st.body)]
    heads = (
        "No.",
        "Happened / written down",
        "Where",
        "What happened",
        "Witnesses",
        "Evidence",
        "Reported",
    )
    header = [_Cell(h, st.cell_head) for h in heads]
    rows = [_log_row(incident, data, st) for incident in data.incidents]
    # the number column fits the longest number on one line ("1000" must not wrap)
    longest = max(len(str(i.number)) for i in data.incidents)
    number_w = stringWidth("0" * max(3, longest), SANS_BOLD, st.cell.fontSize)
    number_w += 2 * _CELL_PAD_X + 2
    fractions = (0.13, 0.125, 0.335, 0.115, 0.1, 0.135)
    rest = width - number_w
    widths = [number_w, *(rest * f / sum(fractions) for f in fractions)]
    used = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in intro)
    return intro + _paged_table(header, rows, widths, height - used, height)


#: Table cells: a paragraph that remembers its last layout (the log measures each
#: row before reportlab lays it out again to draw it).
_Cell = functools.partial(Paragraph, cached=True)


def _row_height(row: list[Any], widths: Sequence[float]) -> float:
    tallest = max(
        cell.wrap(w - 2 * _CELL_PAD_X, 1e6)[1] for cell, w in zip(row, widths, strict=True)
    )
    return tallest + _CELL_PAD_TOP + _CELL_PAD_BOTTOM


def _paged_table(
    header: list[Any], rows: list[list[Any]], widths: Sequence[float], first: float, page: float
) -> Story:
    """A long table cut into one table per page, each with the header row.

    Row heights are measured once here, so a thousand-row table costs a thousand
    row layouts rather than one per row per page (reportlab re-measures the rest
    of a table each time it splits one). If a measure were ever off, reportlab
    still splits the table itself, so nothing is lost.
    """
    head_h = _row_height(header, widths)
    story: Story = []
    chunk: list[list[Any]] = []
    chunk_heights: list[float] = []
    room = first - head_h - 1
    for row in rows:
        row_h = _row_height(row, widths)
        if chunk and row_h > room:
            story += [grid([header, *chunk], widths, [head_h, *chunk_heights]), PageBreak()]
            chunk, chunk_heights = [], []
            room = page - head_h - 1
        chunk.append(row)
        chunk_heights.append(row_h)
        room -= row_h
    story.append(grid([header, *chunk], widths, [head_h, *chunk_heights]))
    return story


def _flat(text: str) -> str:
    """Text on one line (the log is a summary; the entries keep the line breaks)."""
    return " ".join(text.split())


def _log_row(incident: Incident, data: ReportData, st: Styles) -> list[Any]:
    start = incident.occurred_at
    when = ("<b>approx.</b><br/>" if incident.approximate else "") + (
        f"{fmt_date(start)}<br/>{fmt_weekday(start)}, {start:%H:%M}"
    )
    if incident.occurred_until is not None:
        until = incident.occurred_until.astimezone(start.tzinfo)
        when += " to " + (f"{until:%H:%M}" if until.date() == start.date() else fmt_datetime(until))
    written = incident.recorded_at.astimezone(start.tzinfo)
    when += f"<br/><font color='#555555'>written {fmt_date(written)}, {written:%H:%M}</font>"
    if incident.amended:
        when += "<br/><b>amended</b>"
    key = entry_key(incident.id)
    see = " <i>(" + link(f"in full: entry No. {incident.number}", key) + ")</i>"
    what = ""
    if incident.kinds:
        what = "<b>" + markup(_kinds_text(incident.kinds)) + "</b><br/>"
    text, cut = shorten(_flat(incident.description), 320)
    what += markup(text) + (see if cut else "")
    if incident.order_breached:
        order = next((o for o in data.orders if o.id == incident.breached_order), None)
        named = f" ({markup(order.label)})" if order is not None else ""
        what += f"<br/><b>Court order breached{named}.</b>"
    if incident.private:
        what += "<br/><i>(marked private)</i>"
    witnesses, wcut = shorten(_flat(incident.witnesses), 160)
    evidence = ", ".join(
        link(markup(e.mark), e.anchor) for e in data.evidence_by_incident.get(incident.id, [])
    )
    reported_bits = []
    if incident.reported_to.strip():
        reported_bits.append(markup(shorten(incident.reported_to, 140)[0]))
    if incident.officer.strip():
        reported_bits.append(markup(shorten(incident.officer, 100)[0]))
    if incident.police_reference.strip():
        reported_bits.append(
            "Ref: <b>" + markup(shorten(incident.police_reference, 200)[0]) + "</b>"
        )
    location, lcut = shorten(_flat(incident.location), 160)
    return [
        _Cell(link(f"<b>{incident.number}</b>", key), st.cell),
        _Cell(when, st.cell),
        _Cell(markup(location) + (see if lcut else ""), st.cell),
        _Cell(what, st.cell),
        _Cell(markup(witnesses) + (see if wcut else ""), st.cell),
        _Cell(evidence, st.cell),
        _Cell("<br/>".join(reported_bits), st.cell),
    ]


# ----------------------------------------------------------------------------- entries

_LONG_FIELDS = (
    ("description", "What happened"),
    ("exact_words", "Exact words used"),
    ("feelings", "How it made me feel"),
    ("impact", "Effect on my daily life"),
)
_FEELING_FIELDS = {"feelings", "impact"}


def _left_out_field(name: str, data: ReportData) -> bool:
    """Feelings and the effect on daily life each have their own switch."""
    if name == "feelings":
        return not data.options.include_feelings
    if name == "impact":
        return not data.options.include_impact
    return False


def entries_section(data: ReportData, st: Styles, width: float, tick: Tick) -> Story:
    story: Story = [heading("The entries in full", st.h1, "entries")]
    if not data.incidents:
        return [*story, Paragraph("There are no entries in this report.", st.body)]
    for index, incident in enumerate(data.incidents):
        if index:
            story.append(Spacer(1, 12))
            story.append(CondPageBreak(140))
        story += _entry(incident, data, st, width)
        tick()
    return story


def _entry_header(incident: Incident, st: Styles) -> Flowable:
    title = f"Entry No. {incident.number}"
    if incident.private:
        title += " (marked private)"
    gap = "&nbsp;" * 6
    key = entry_key(incident.id)
    header = Paragraph(f'<a name="{key}"/>{title}{gap}{markup(fmt_when(incident))}', st.entry_head)
    header.keepWithNext = 1
    header.page_key = key  # type: ignore[attr-defined]  # the summary prints its page
    header.outline = (  # type: ignore[attr-defined]
        f"No. {incident.number} — {fmt_date(incident.occurred_at)}",
        key,
        1,
    )
    return header


def _who(incident: Incident, data: ReportData) -> str:
    """The people as the entry recorded them, and who they were later identified as."""
    names = []
    for pid in incident.people:
        person = data.people.get(pid)
        if person is None:
            continue
        then = data.people_then.get((incident.id, pid))
        if then is None:
            names.append(person.name)
        else:
            recorded, changed = then
            names.append(
                f"{recorded.name} (later identified as {person.name}; "
                f"changed on {fmt_date(changed)})"
            )
    return "; ".join(names)


def _short_fields(incident: Incident, data: ReportData) -> list[tuple[str, str, bool]]:
    """(label, text, already markup) for the fields shown in the entry's fact table."""
    rows: list[tuple[str, str, bool]] = [
        ("Happened", fmt_when(incident, zone=True), False),
        ("Written down", fmt_datetime(incident.recorded_at, weekday=True, zone=True), False),
    ]
    if incident.amended:
        rows.append(
            (
                "Amended",
                f"Changed after it was first written down: version {incident.revision}, "
                f"amended on {fmt_datetime(incident.saved_at, weekday=True, zone=True)}.",
                False,
            )
        )
    if incident.kinds:
        rows.append(("Kind of behaviour", _kinds_text(incident.kinds), False))
    people = _who(incident, data)
    for label, text in (
        ("Where", incident.location),
        ("How contact was made", incident.contact_method),
        ("Who did it", people),
        ("Witnesses", incident.witnesses),
        ("Others present", incident.others_present),
    ):
        if text.strip():
            rows.append((label, text, False))
    if incident.order_breached or breached_order(incident) is not None:
        order = next((o for o in data.orders if o.id == breached_order(incident)), None)
        named = f": {order_title(order)}" if order is not None else ""
        rows.append(("Court order", f"A court order was breached{named}.", False))
    for label, text in (
        ("Reported to", incident.reported_to),
        ("Officer", incident.officer),
        ("Crime reference", incident.police_reference),
    ):
        if text.strip():
            rows.append((label, text, False))
    evidence = data.evidence_by_incident.get(incident.id, [])
    if evidence:
        listed = "<br/>".join(
            link(f"<b>{markup(e.mark)}</b>", e.anchor)
            + " "
            + markup(shorten(visible_name(e.original_name), 120)[0])
            for e in evidence
        )
        rows.append(("Evidence", listed, True))
    if incident.evidence_location.strip():
        rows.append(("Where originals are kept", incident.evidence_location, False))
    if incident.tags:
        rows.append(("Tags", ", ".join(incident.tags), False))
    return rows


def _entry(incident: Incident, data: ReportData, st: Styles, width: float) -> Story:
    story: Story = [_entry_header(incident, st), Spacer(1, 5)]
    later: list[tuple[str, str]] = []
    for label, text, is_markup in _short_fields(incident, data):
        # A label in the margin and the value beside it; paragraphs (not a table) so
        # that a thousand entries lay out quickly and any value can split across pages.
        if is_markup:
            story.append(Paragraph(text, st.fact, bulletText=label))
        elif is_short(text):
            story.append(Paragraph(markup(text), st.fact, bulletText=label))
        else:
            later.append((label, text))
    for name, label in _LONG_FIELDS:
        if _left_out_field(name, data):
            continue
        text = getattr(incident, name)
        if text.strip():
            later.append((label, text))
    for label, text in later:
        heading = Paragraph(markup(label), st.label)
        heading.keepWithNext = 1
        story += [Spacer(1, 3), heading, *paragraphs(text, st.body)]
    thumbs = _thumbnails(data.evidence_by_incident.get(incident.id, []), st, width)
    if thumbs is not None:  # pictures stay with their entry: no spacer may break the chain
        caption = Paragraph(
            f"Pictures linked to entry No. {incident.number}",
            ParagraphStyle("thumbCaption", st.label, spaceBefore=6),
        )
        caption.keepWithNext = 1
        story[-1].keepWithNext = 1
        story += [caption, thumbs]
    for revision in data.history.get(incident.id, [])[:-1]:
        story += _earlier_version(revision, incident, data, st)
    return story


def _thumbnails(items: list[EvidenceItem], st: Styles, width: float) -> Flowable | None:
    pictures = [e for e in items if e.thumbnail]
    if not pictures:
        return None
    per_row = 4
    side = (width - 8 * per_row) / per_row
    cells: list[Any] = []
    for item in pictures:
        thumb = item.thumbnail or b""
        try:
            px_w, px_h = JpegImage.pixels(thumb)
        except Exception:  # a damaged thumbnail must not stop the report
            continue
        scale = min(side / px_w, (side * 0.8) / px_h)
        image = JpegImage(thumb, px_w * scale, px_h * scale)
        caption = Paragraph(
            f"<b>{markup(item.mark)}</b> "
            + markup(shorten(visible_name(item.original_name), 60)[0]),
            st.muted,
        )
        cells.append([image, caption])
    if not cells:
        return None
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    table = Table(rows, colWidths=[side + 8] * per_row, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _earlier_version(revision: Any, current: Incident, data: ReportData, st: Styles) -> Story:
    old: Incident = revision.incident
    changed = []
    for f in fields(Incident):
        if f.name in ("id", "number", "recorded_at", "revision", "saved_at"):
            continue
        if _left_out_field(f.name, data):
            continue
        if getattr(old, f.name) != getattr(current, f.name):
            changed.append(f.name)
    story: Story = [
        Spacer(1, 4),
        Paragraph(
            f"Earlier version {revision.revision}, saved on "
            f"{fmt_datetime(revision.saved_at, weekday=True, zone=True)}"
            + (": these fields were different." if changed else ": no printed field differs."),
            st.label,
        ),
    ]
    story[-1].keepWithNext = 1
    labels = dict(_LONG_FIELDS)
    for name in changed:
        value = getattr(old, name)
        if name == "kinds":
            text = _kinds_text(value)
        elif name == "people":
            text = "; ".join(data.people[p].name for p in value if p in data.people)
        elif name in ("occurred_at", "occurred_until"):
            text = fmt_datetime(value, weekday=True, zone=True) if value else "(none)"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, tuple):
            text = ", ".join(map(str, value))
        else:
            text = str(value) if value else "(empty)"
        label = labels.get(name, name.replace("_", " ").capitalize())
        then = Paragraph(markup(label) + ", then:", st.muted)
        then.keepWithNext = 1
        story.append(then)
        story += paragraphs(text, st.small)
    return story


# ----------------------------------------------------------------------------- extras


def checklist_section(data: ReportData, st: Styles, width: float) -> Story:
    answers = data.checklist
    if answers is None:
        return []
    story: Story = [
        heading("Stalking screening checklist", st.h1, "checklist"),
        Paragraph(
            f"Answered on {fmt_datetime(answers.answered_at, weekday=True)}"
            + (
                f" (the latest of {data.checklist_count} times it was answered)."
                if data.checklist_count > 1
                else "."
            ),
            st.body,
        ),
        Paragraph(markup(checklist_mod.SOURCE_NOTE), st.muted),
        Spacer(1, 6),
    ]
    names = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in ("Question", "Answer")]]
    for question in checklist_mod.QUESTIONS:
        answer = answers.answers.get(question.id)
        text = names.get(answer.value, answer.value) if answer else "Not answered"
        note = answers.notes.get(question.id, "")
        body: list[Any] = [Paragraph(f"{question.number}. " + markup(question.text), st.cell)]
        if note.strip():
            body.append(Paragraph("Note: " + markup(shorten(note, 1500)[0]), st.cell))
        rows.append([body, Paragraph(f"<b>{text}</b>", st.cell)])
    story.append(grid(rows, [width * 0.82, width * 0.18]))
    if answers.retired:
        story.append(
            Paragraph(
                "Answers to questions an earlier version of SafeDiary asked (not part of "
                "the S-DASH), kept as they were given:",
                st.muted,
            )
        )
        for qid, kept in answers.retired.items():
            line = markup(checklist_mod.RETIRED_QUESTIONS.get(qid, qid))
            line += " <b>" + names.get(kept.get("answer", ""), "Not answered") + "</b>"
            if kept.get("note", "").strip():
                line += " Note: " + markup(shorten(kept["note"], 1500)[0])
            story.append(Paragraph(line, st.small, bulletText="•"))
    return story


def statement_section(data: ReportData, st: Styles) -> Story:
    text = data.options.statement
    if not text.strip():
        return []
    return [heading("My statement", st.h1, "statement"), *paragraphs(text, st.body)]


def declaration_section(data: ReportData, st: Styles, width: float) -> Story:
    name = data.options.user_name.strip()
    line = "_" * 44
    rows = [
        [Paragraph("Signed", st.label), Paragraph(line, st.body)],
        [Paragraph("Name", st.label), Paragraph(markup(name) if name else line, st.body)],
        [Paragraph("Date", st.label), Paragraph(line, st.body)],
    ]
    table = Table(rows, colWidths=[width * 0.18, width * 0.6], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 14),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    block = [
        heading("Declaration", st.h1, "declaration"),
        Paragraph(DECLARATION, st.body),
        Spacer(1, 6),
        table,
    ]
    return [KeepTogether(block)]


__all__ = [
    "checklist_section",
    "cover",
    "declaration_section",
    "entries_section",
    "log_section",
    "people_section",
    "statement_section",
]
