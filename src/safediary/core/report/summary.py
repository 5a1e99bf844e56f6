"""The one-page summary an officer works from, and the court orders section.

The summary names the people, the court orders in force, the crime references
with their officers, how often each kind of behaviour happened, the most
serious incidents with the page each is printed on, and the risk flags the
user chose to include. Everything is shortened to keep it to one page; the
full detail is in the rest of the report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer

from safediary.core.checklist import checklist as checklist_mod
from safediary.core.checklist.checklist import Answer
from safediary.core.diary import taxonomy
from safediary.core.diary.incidents import Incident
from safediary.core.diary.orders import CourtOrder
from safediary.core.report.data import ReportData, earlier_names, fmt_date
from safediary.core.report.flow import entry_key, heading, link
from safediary.core.report.text import Paragraph, Styles, markup, shorten

Story = list[Flowable]
Grid = Callable[..., Flowable]
PageRefMaker = Callable[[str], Flowable]

_MAX_PEOPLE = 4
_MAX_REFS = 6
_MAX_SERIOUS = 8

#: extra weight in "most serious" for kinds that are offences of violence or fear of it
_WEIGHT = {"violence": 5, "threat": 4, "property_damage": 3, "at_home": 3, "at_work": 2}
_KIND_ORDER = {kind: n for n, kind in enumerate(taxonomy.KIND_IDS)}


def seriousness(incident: Incident) -> int:
    """A rough order for "most serious": violence, threats, damage, at home, order breached."""
    score = sum(_WEIGHT.get(k, 0) for k in incident.kinds)
    if incident.order_breached:
        score += 3
    if incident.police_reference.strip():
        score += 1
    return score


def most_serious(incidents: list[Incident], limit: int = _MAX_SERIOUS) -> list[Incident]:
    """The most serious entries (ties: the latest first), then listed in date order."""
    scored = [i for i in incidents if seriousness(i) > 0]
    scored.sort(key=lambda i: (-seriousness(i), -i.occurred_at.timestamp()))
    return sorted(scored[:limit], key=lambda i: (i.occurred_at, i.number))


def in_force(order: CourtOrder, on: datetime) -> bool:
    """True when ``order`` was made on or before the day of ``on`` and has not expired."""
    return order.in_force(on.date())


def breached_order(incident: Incident) -> int | None:
    """The id of the court order an entry names as breached (None if none is named)."""
    return incident.breached_order


def order_title(order: CourtOrder) -> str:
    bits = [order.label]
    if order.court.strip():
        bits.append(order.court.strip())
    if order.reference.strip():
        bits.append("ref. " + order.reference.strip())
    return ", ".join(bits)


def _order_dates(order: CourtOrder) -> str:
    text = f"made {fmt_date(order.made_on)}" if order.made_on else "date made not recorded"
    text += f", expires {fmt_date(order.expires_on)}" if order.expires_on else ", no end date"
    return text


def breaches(data: ReportData) -> dict[int | None, list[Incident]]:
    """Entries in this report that say a court order was breached, by order id (None: not
    named)."""
    out: dict[int | None, list[Incident]] = {}
    for incident in data.incidents:
        if incident.order_breached or incident.breached_order is not None:
            out.setdefault(incident.breached_order, []).append(incident)
    return out


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def outside_order(order: CourtOrder, hits: list[Incident]) -> str:
    """A sentence naming the breach entries dated when the order was not in force."""
    early = [i for i in hits if order.made_on is not None and i.occurred_at.date() < order.made_on]
    late = [
        i for i in hits if order.expires_on is not None and i.occurred_at.date() > order.expires_on
    ]
    bits = []
    if early:
        bits.append(f"{_numbers(early)} dated before the order was made")
    if late:
        bits.append(f"{_numbers(late)} dated after it expired")
    return ("<b>Note:</b> " + "; ".join(bits) + ".") if bits else ""


def _numbers(incidents: list[Incident], limit: int = 12) -> str:
    shown = [link(str(i.number), entry_key(i.id)) for i in incidents[:limit]]
    more = f" and {len(incidents) - limit} more" if len(incidents) > limit else ""
    return "No. " + ", ".join(shown) + more


def _crime_refs(data: ReportData) -> list[tuple[str, list[str], list[Incident]]]:
    """Each crime reference with the officers named with it and its entries."""
    refs: dict[str, tuple[list[str], list[Incident]]] = {}
    for incident in data.incidents:
        ref = " ".join(incident.police_reference.split())
        if not ref:
            continue
        officers, entries = refs.setdefault(ref, ([], []))
        officer = " ".join(incident.officer.split())
        if officer and officer not in officers:
            officers.append(officer)
        entries.append(incident)
    return [(ref, officers, entries) for ref, (officers, entries) in refs.items()]


def summary_section(
    data: ReportData, st: Styles, width: float, grid: Grid, page_ref: PageRefMaker
) -> Story:
    """The one-page summary for the officer."""
    story: Story = [heading("Summary for the officer", st.h1, "summary")]
    story.append(
        Paragraph(
            f"{len(data.incidents)} entries from {_span(data)}. Each point below is printed in "
            "full later in the report; entry numbers are links.",
            st.muted,
        )
    )
    story += _people(data, st)
    story += _orders_brief(data, st)
    story += _refs(data, st)
    story += _counts(data, st)
    story += _serious(data, st, width, grid, page_ref)
    story += _risk_flags(data, st)
    return story


def _span(data: ReportData) -> str:
    if not data.incidents:
        return "no period"
    first, last = data.incidents[0].occurred_at, data.incidents[-1].occurred_at
    return f"{fmt_date(first)} to {fmt_date(last)}"


def _sub(text: str, st: Styles) -> Flowable:
    para = Paragraph(text, ParagraphStyle("summarySub", st.label, spaceBefore=7, spaceAfter=1))
    para.keepWithNext = 1
    return para


def _people(data: ReportData, st: Styles) -> Story:
    involved = data.people_involved
    if not involved:
        return []
    story: Story = [_sub("People", st)]
    for person in involved[:_MAX_PEOPLE]:
        line = "<b>" + markup(shorten(person.name, 80)[0]) + "</b>"
        if person.relationship.strip():
            line += " (" + markup(shorten(person.relationship, 80)[0]) + ")"
        for label, text, limit in (
            ("Description", person.description, 220),
            ("Vehicle", person.vehicle, 120),
        ):
            if text.strip():
                flat = " ".join(text.split()).rstrip(".")
                line += f". {label}: " + markup(shorten(flat, limit)[0])
        n = data.summary.per_person.get(person.id, 0)
        line = line.rstrip(".") + f". In {n} {'entry' if n == 1 else 'entries'}."
        for name, _nums, changed in earlier_names(data, person.id):
            line += (
                f" Recorded as “{markup(shorten(name, 80)[0])}” until the name was changed "
                f"on {fmt_date(changed)}."
            )
        story.append(Paragraph(line, st.small, bulletText="•"))
    if len(involved) > _MAX_PEOPLE:
        story.append(
            Paragraph(f"… and {len(involved) - _MAX_PEOPLE} more (see People involved).", st.small)
        )
    return story


def _orders_brief(data: ReportData, st: Styles) -> Story:
    found = breaches(data)
    current = [o for o in data.orders if in_force(o, data.generated_at)]
    # an order no longer in force stays in the summary when this report records a breach of it
    shown = [o for o in data.orders if o in current or found.get(o.id)]
    if not shown and not found:
        return []
    story: Story = [_sub("Court orders", st)]
    for order in shown:
        line = "<b>" + markup(shorten(order_title(order), 160)[0]) + "</b>, "
        line += _order_dates(order)
        if order not in current:
            line += " (not in force on the day of this report)"
        hits = found.get(order.id, [])
        if hits:
            line += f". <b>Breached {_times(len(hits))}:</b> " + _numbers(hits) + "."
            note = outside_order(order, hits)
            if note:
                line += " " + note
        story.append(Paragraph(line, st.small, bulletText="•"))
    if not shown:
        story.append(
            Paragraph(
                "No court order is recorded in the diary."
                if not data.orders
                else "No court order is in force on the day of this report.",
                st.small,
            )
        )
    unnamed = found.get(None, [])
    if unnamed:
        story.append(
            Paragraph(
                f"<b>{len(unnamed)} entries</b> say a court order was breached: "
                + _numbers(unnamed),
                st.small,
                bulletText="•",
            )
        )
    return story


def _refs(data: ReportData, st: Styles) -> Story:
    refs = _crime_refs(data)
    if not refs:
        return []
    story: Story = [_sub("Crime references", st)]
    for ref, officers, entries in refs[:_MAX_REFS]:
        line = "<b>" + markup(shorten(ref, 60)[0]) + "</b>"
        if officers:
            line += " — " + markup(shorten("; ".join(officers), 120)[0])
        line += " — " + _numbers(entries, 8)
        story.append(Paragraph(line, st.small, bulletText="•"))
    if len(refs) > _MAX_REFS:
        story.append(Paragraph(f"… and {len(refs) - _MAX_REFS} more in the log.", st.small))
    return story


def _counts(data: ReportData, st: Styles) -> Story:
    counts = data.summary.kind_counts
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = "; ".join(f"{markup(taxonomy.label(k))} <b>{n}</b>" for k, n in ranked)
    story: Story = [_sub("How often each kind of behaviour was recorded", st)]
    story.append(Paragraph(text, st.small))
    firsts = [
        f"{markup(f.label.lower())}: {fmt_date(f.on)} (No. {f.number}"
        + (", before this report's period)" if f.before_period else ")")
        for f in data.firsts
    ]
    if firsts:
        story.append(Paragraph("<b>First time</b> " + "; ".join(firsts) + ".", st.small))
    return story


def _serious(
    data: ReportData, st: Styles, width: float, grid: Grid, page_ref: PageRefMaker
) -> Story:
    chosen = most_serious(data.incidents)
    if not chosen:
        return []
    rows: list[list[Any]] = [
        [Paragraph(h, st.cell_head) for h in ("No.", "Date", "What happened", "Page")]
    ]
    for incident in chosen:
        # most serious first; equals in the taxonomy's order (a set's own order changes
        # from run to run, and two prints of one diary must read the same)
        ranked = sorted(
            incident.kinds, key=lambda k: (-_WEIGHT.get(k, 0), _KIND_ORDER.get(k, len(_KIND_ORDER)))
        )
        kinds = ", ".join(taxonomy.label(k) for k in ranked)
        what = "<b>" + markup(kinds) + "</b> "
        what += markup(shorten(" ".join(incident.description.split()), 110)[0])
        if incident.order_breached:
            what += " <b>Court order breached.</b>"
        rows.append(
            [
                Paragraph(link(f"<b>{incident.number}</b>", entry_key(incident.id)), st.cell),
                Paragraph(fmt_date(incident.occurred_at), st.cell),
                Paragraph(what, st.cell),
                page_ref(entry_key(incident.id)),
            ]
        )
    candidates = sum(1 for i in data.incidents if seriousness(i) > 0)
    title = "Most serious incidents (violence, threats, damage, at home, orders breached)"
    if candidates > len(chosen):
        title += f": {len(chosen)} of the {candidates} such entries; all are in the log"
    return [
        _sub(title, st),
        grid(rows, [width * 0.08, width * 0.15, width * 0.67, width * 0.1]),
    ]


def _risk_flags(data: ReportData, st: Styles) -> Story:
    answers = data.checklist
    if answers is None:
        return []
    yes = [q for q in checklist_mod.QUESTIONS if answers.answers.get(q.id) == Answer.YES]
    story: Story = [
        Spacer(1, 2),
        _sub(
            f"Risk flags (safety checklist answered {fmt_date(answers.answered_at)}; the "
            "author chose to include it)",
            st,
        ),
    ]
    if not yes:
        story.append(Paragraph("No question was answered “yes”.", st.small))
    for question in yes:
        story.append(
            Paragraph(f"{question.number}. " + markup(question.text), st.small, bulletText="•")
        )
    return story


def orders_section(data: ReportData, st: Styles, width: float) -> Story:
    """Every court order recorded in the diary, and the entries that say it was breached."""
    found = breaches(data)
    if not data.orders and not found:
        return []
    story: Story = [heading("Court orders", st.h1, "orders")]
    for order in data.orders:
        block: Story = [
            Paragraph("<b>" + markup(order_title(order)) + "</b>", st.body),
            Paragraph(
                markup(_order_dates(order))
                + (
                    " — in force on the day of this report."
                    if in_force(order, data.generated_at)
                    else " — not in force on the day of this report."
                ),
                st.muted,
            ),
        ]
        conditions = order.conditions
        if conditions.strip():
            block += [
                Paragraph("Conditions", st.label),
                Paragraph(markup(shorten(conditions, 3000)[0]), st.body),
            ]
        hits = found.get(order.id, [])
        block.append(
            Paragraph(
                ("Breaches recorded in this report: " + _numbers(hits, 60))
                if hits
                else "No breach of this order is recorded in this report.",
                st.body,
            )
        )
        if hits and outside_order(order, hits):
            block.append(Paragraph(outside_order(order, hits), st.body))
        block.append(Spacer(1, 8))
        story.append(KeepTogether(block))
    unnamed = found.get(None, [])
    if unnamed:
        story.append(
            Paragraph(
                "Entries that say a court order was breached without naming which: "
                + _numbers(unnamed, 60),
                st.body,
            )
        )
    return story
