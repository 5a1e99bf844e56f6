"""The sections of the PDF report, each a list of reportlab flowables.

All user text goes through :mod:`safediary.core.report.text`, which escapes
Paragraph markup and splits long text so it can flow across pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
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
    ReportData,
    earlier_names,
    fmt_clock,
    fmt_date,
    fmt_datetime,
    fmt_offset,
    fmt_weekday,
    same_zone,
)
from safediary.core.report.flow import Lazy, entry_key, heading, link
from safediary.core.report.text import (
    ACCENT,
    RULE,
    SANS_BOLD,
    SHADE,
    Paragraph,
    Styles,
    cell,
    markup,
    paragraphs,
    shorten,
)
from safediary.core.wording import WEEKDAY_NAMES

Story = list[Flowable]
Tick = Callable[[], None]

DECLARATION = (
    "I declare that the entries in this diary were written by me, that I wrote each one "
    "down at the time shown as “written down”, and that to the best of my knowledge and "
    "belief they are a true account of what happened."
)


def kinds_text(kinds: Iterable[str]) -> str:
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
        ("Times", times_sentence(data)),
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
        for name, nums_then, changed in earlier_names(data, person.id):
            block.append(
                Paragraph(
                    f"Recorded as “{markup(shorten(name, 200)[0])}” in No. "
                    + ", ".join(str(n) for n in nums_then[:40])
                    + f"; the name was changed on {fmt_date(changed)}.",
                    st.muted,
                )
            )
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


def log_section(
    data: ReportData, st: Styles, width: float, height: float, tick: Tick | None = None
) -> Story:
    """The log table, starting on a new page of ``height`` points of frame.

    Rows are made a page at a time as layout reaches them (``tick`` after each row).
    """
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
    # the number column fits the longest number on one line ("1000" must not wrap)
    longest = max(len(str(i.number)) for i in data.incidents)
    number_w = stringWidth("0" * max(3, longest), SANS_BOLD, st.cell.fontSize)
    number_w += 2 * _CELL_PAD_X + 2
    fractions = (0.13, 0.125, 0.335, 0.115, 0.1, 0.135)
    rest = width - number_w
    widths = [number_w, *(rest * f / sum(fractions) for f in fractions)]
    used = sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in intro)
    # with more than one person in the report, each row says who (the log has no column)
    several = len({p for i in data.incidents for p in i.people}) > 1
    rows = (_log_row(incident, data, st, who=several) for incident in data.incidents)
    pages = _TablePages(header, rows, widths, height, tick)
    return [*intro, Lazy(lambda: pages.next_page(height - used))]


#: Table cells: a paragraph that remembers its last layout (the log measures each
#: row before reportlab lays it out again to draw it).
_Cell = functools.partial(Paragraph, cached=True)


def _row_height(row: list[Any], widths: Sequence[float]) -> float:
    tallest = max(
        cell.wrap(w - 2 * _CELL_PAD_X, 1e6)[1] for cell, w in zip(row, widths, strict=True)
    )
    return tallest + _CELL_PAD_TOP + _CELL_PAD_BOTTOM


class _TablePages:
    """A long table cut into one table per page, each with the header row, made a page
    at a time.

    Row heights are measured once here, so a thousand-row table costs a thousand
    row layouts rather than one per row per page (reportlab re-measures the rest
    of a table each time it splits one). If a measure were ever off, reportlab
    still splits the table itself, so nothing is lost.
    """

    def __init__(
        self,
        header: list[Any],
        rows: Iterator[list[Any]],
        widths: Sequence[float],
        page: float,
        tick: Tick | None,
    ) -> None:
        self.header = header
        self.rows = rows
        self.widths = widths
        self.page = page
        self.tick = tick
        self.head_h = _row_height(header, widths)
        self.pending: tuple[list[Any], float] | None = None

    def next_page(self, room: float) -> Story:
        chunk: list[list[Any]] = []
        heights: list[float] = []
        room -= self.head_h + 1
        while True:
            if self.pending is None:
                row = next(self.rows, None)
                if row is None:
                    break
                self.pending = (row, _row_height(row, self.widths))
                if self.tick is not None:
                    self.tick()
            row, row_h = self.pending
            if chunk and row_h > room:
                table = grid([self.header, *chunk], self.widths, [self.head_h, *heights])
                return [table, PageBreak(), Lazy(lambda: self.next_page(self.page))]
            chunk.append(row)
            heights.append(row_h)
            room -= row_h
            self.pending = None
        return [grid([self.header, *chunk], self.widths, [self.head_h, *heights])]


def _flat(text: str) -> str:
    """Text on one line (the log is a summary; the entries keep the line breaks)."""
    return " ".join(text.split())


def times_sentence(data: ReportData) -> str:
    """The cover's one statement of the zone the report's times are in."""
    return (
        f"Shown as the clock recorded them, in {fmt_offset(data.generated_at)} (this "
        "computer's time zone when the report was made). A time recorded in another zone "
        "keeps that zone, and its offset is printed beside it."
    )


def _log_who(incident: Incident, data: ReportData) -> str:
    """The people as the entry recorded them (with the later name where it changed)."""
    names = []
    for pid in incident.people:
        person = data.people.get(pid)
        if person is None:
            continue
        then = data.people_then.get((incident.id, pid))
        name = person.name if then is None else f"{then[0].name} (later: {person.name})"
        names.append(markup(shorten(name, 120)[0]))
    return "; ".join(names)


def _log_row(incident: Incident, data: ReportData, st: Styles, *, who: bool = False) -> list[Any]:
    start, home = incident.occurred_at, data.generated_at
    when = ("<b>approx.</b><br/>" if incident.approximate else "") + (
        f"{fmt_date(start)}<br/>{fmt_weekday(start)}, {start:%H:%M}"
    )
    if incident.occurred_until is not None:
        until = incident.occurred_until.astimezone(start.tzinfo)
        when += " to " + (f"{until:%H:%M}" if until.date() == start.date() else fmt_datetime(until))
    if not same_zone(start, home):
        when += f" {fmt_offset(start)}"
    # written down: in the zone the computer's clock had then, never the happened-at zone
    written = incident.recorded_at
    when += (
        f"<br/><font color='#555555'>written {fmt_date(written)}, {fmt_clock(written, home)}</font>"
    )
    if incident.amended:
        when += "<br/><b>amended</b>"
    key = entry_key(incident.id)
    see = " <i>(" + link(f"in full: entry No. {incident.number}", key) + ")</i>"
    what = ""
    if incident.kinds:
        what = "<b>" + markup(kinds_text(incident.kinds)) + "</b><br/>"
    text, cut = shorten(_flat(incident.description), 320)
    what += markup(text) + (see if cut else "")
    if who and incident.people:
        what += "<br/><font color='#555555'>Who: " + _log_who(incident, data) + "</font>"
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


# ----------------------------------------------------------------------------- extras


def checklist_section(data: ReportData, st: Styles, width: float) -> Story:
    answers = data.checklist
    if answers is None:
        return []
    story: Story = [
        heading("Stalking screening checklist", st.h1, "checklist"),
        Paragraph(
            f"Answered on {fmt_datetime(answers.answered_at, weekday=True, home=data.generated_at)}"
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
    "grid",
    "kinds_text",
    "log_section",
    "people_section",
    "statement_section",
]
