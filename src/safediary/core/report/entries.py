"""The entries in full: each entry's facts, its words, its pictures and earlier versions.

People are printed as the entry recorded them ("later identified as …" when the
name changed since); feelings and the effect on daily life have separate switches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Spacer,
    Table,
    TableStyle,
)

from safediary.core.diary.incidents import Incident
from safediary.core.report.data import (
    EvidenceItem,
    ReportData,
    fmt_date,
    fmt_datetime,
    fmt_when,
)
from safediary.core.report.flow import JpegImage, Lazy, entry_key, heading, link
from safediary.core.report.sections import kinds_text
from safediary.core.report.summary import breached_order, order_title
from safediary.core.report.text import (
    Paragraph,
    Styles,
    is_short,
    markup,
    paragraphs,
    shorten,
)
from safediary.core.wording import visible_name

Story = list[Flowable]
Tick = Callable[[], None]


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


#: Entries made at a time as layout reaches them (see :class:`Lazy`).
BATCH = 25


def entries_section(data: ReportData, st: Styles, width: float, tick: Tick) -> Story:
    story: Story = [heading("The entries in full", st.h1, "entries")]
    if not data.incidents:
        return [*story, Paragraph("There are no entries in this report.", st.body)]

    def batch(start: int) -> Story:
        out: Story = []
        for index in range(start, min(start + BATCH, len(data.incidents))):
            if index:
                out.append(Spacer(1, 12))
                out.append(CondPageBreak(140))
            out += _entry(data.incidents[index], data, st, width)
            tick()
        if start + BATCH < len(data.incidents):
            out.append(Lazy(lambda: batch(start + BATCH)))
        return out

    return [*story, Lazy(lambda: batch(0))]


def _entry_header(incident: Incident, st: Styles, home: datetime | None = None) -> Flowable:
    title = f"Entry No. {incident.number}"
    if incident.private:
        title += " (marked private)"
    gap = "&nbsp;" * 6
    key = entry_key(incident.id)
    when = markup(fmt_when(incident, home=home))
    header = Paragraph(f'<a name="{key}"/>{title}{gap}{when}', st.entry_head)
    header.keepWithNext = 1
    header.page_key = key  # the summary prints its page
    header.outline = (
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
                f"amended on {fmt_datetime(incident.saved_at, weekday=True, zone=True)}."
                + (
                    ""
                    if data.options.include_revisions
                    else " This is the latest version; the earlier ones are kept in the "
                    "diary and are not printed in this report."
                ),
                False,
            )
        )
    if incident.kinds:
        rows.append(("Kind of behaviour", kinds_text(incident.kinds), False))
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
    story: Story = [_entry_header(incident, st, data.generated_at), Spacer(1, 5)]
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
    story += _transcript(data.messages.get(incident.id, []), data, st)
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


def _transcript(messages: list[Any], data: ReportData, st: Styles) -> Story:
    """The imported messages linked to an entry: when, who, the exact words, as exported."""
    if not messages:
        return []
    marks = {item.id: item.mark for item in data.evidence}
    sources = []
    zones = []
    for conv_id in dict.fromkeys(m.conversation_id for m in messages):
        conv = data.conversations.get(conv_id)
        if conv is not None:
            mark = marks.get(conv.evidence_id)
            sources.append(f"“{visible_name(conv.title)}”" + (f" (exhibit {mark})" if mark else ""))
            if conv.source == "whatsapp":  # the only export whose times carry no zone
                zone = str(conv.details.get("zone") or "the computer's time zone")
                zones.append(
                    f" “{visible_name(conv.title)}” writes its times without a time zone; "
                    f"they were read as {zone} when it was imported."
                )
    heading = Paragraph(markup("Messages linked to this entry"), st.label)
    heading.keepWithNext = 1
    intro = Paragraph(
        markup(
            "Copied exactly from the phone or e-mail export "
            + ", ".join(sources)
            + ". Times as the export gives them."
            + "".join(zones)
        ),
        st.muted,
    )
    story: Story = [Spacer(1, 3), heading, intro]
    attached = ParagraphStyle("attached", st.muted, leftIndent=st.fact.leftIndent, spaceAfter=2)
    for m in messages:
        who = visible_name(m.sender) if m.sender else "(a notice from the app)"
        line = f"<b>{markup(fmt_datetime(m.sent_at, home=data.generated_at))} · {markup(who)}</b>"
        if m.details.get("to"):
            line += markup(f" to {visible_name(m.details['to'])}")
        if m.details.get("subject"):
            line += markup(f" — Subject: {m.details['subject']}")
        said = Paragraph(line, st.fact)
        said.keepWithNext = 1
        story.append(said)
        story += paragraphs(m.text or "(no text)", st.fact)
        if m.attachment_names:
            kept = [marks.get(e) for e in m.attachments]
            files = ", ".join(visible_name(n) for n in m.attachment_names)
            shown = [k for k in kept if k]
            note = f"Attached: {files}" + (f" (exhibit {', '.join(shown)})" if shown else "")
            story.append(Paragraph(markup(note), attached))
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
            text = kinds_text(value)
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


__all__ = ["entries_section"]
