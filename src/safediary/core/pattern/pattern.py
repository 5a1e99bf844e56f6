"""Pattern of incidents over time: frequency, escalation and who is involved.

Pure Python; used by the GUI pattern view and by the PDF report cover. Dates,
weekdays and hours are taken in each incident's own local time (the timezone of
its ``occurred_at``), so a late-night incident stays on the night it happened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from safediary.core.diary import taxonomy
from safediary.core.errors import InvalidInput
from safediary.core.wording import FULL_MONTHS, MONTHS, plural

#: A person's conduct on this many separate occasions can be a "course of conduct".
COURSE_OF_CONDUCT_MIN = 2
#: Spans longer than this are grouped by month instead of by ISO week.
WEEKLY_MAX_SPAN = timedelta(weeks=26)
#: Length of each escalation window.
WINDOW_DAYS = 28

Granularity = Literal["week", "month"]

# English names regardless of the C locale (Qt calls setlocale on start-up).


class IncidentLike(Protocol):
    """What :func:`summarize` needs from an incident."""

    @property
    def number(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def kinds(self) -> frozenset[str]: ...
    @property
    def people(self) -> tuple[int, ...]: ...
    @property
    def private(self) -> bool: ...


@dataclass(frozen=True)
class Bucket:
    """One bar of the chart: a week (starting Monday) or a calendar month."""

    start: date
    end: date  # exclusive
    label: str  # short: "12 Feb" or "Mar 2026"
    long_label: str  # "week of 12 Feb 2026" or "March 2026"
    total: int  # incidents in the bucket
    counts: dict[str, int]  # per kind; an incident with two kinds counts in both


@dataclass(frozen=True)
class Escalation:
    """Incidents in the last ``WINDOW_DAYS`` days against the same span before."""

    today: date
    recent: int
    previous: int

    @property
    def recent_start(self) -> date:
        """First day of the recent window (which ends on ``today``)."""
        return self.today - timedelta(days=WINDOW_DAYS - 1)

    @property
    def previous_start(self) -> date:
        """First day of the earlier window (which ends the day before ``recent_start``)."""
        return self.today - timedelta(days=2 * WINDOW_DAYS - 1)

    @property
    def change(self) -> int:
        """``recent - previous``: positive when things are happening more often."""
        return self.recent - self.previous

    @property
    def rising(self) -> bool:
        """True when there were more incidents recently than in the window before."""
        return self.recent > self.previous

    def describe(self) -> str:
        """A plain sentence for the pattern view or report cover."""
        return (
            f"{plural(self.recent, 'incident')} in the last {WINDOW_DAYS} days, "
            f"compared with {self.previous} in the {WINDOW_DAYS} days before."
        )


@dataclass(frozen=True)
class FirstOccurrence:
    """When a serious kind of behaviour first appeared."""

    kind: str
    on: date
    number: int

    @property
    def label(self) -> str:
        """The kind's plain-English label."""
        return taxonomy.label(self.kind)


@dataclass(frozen=True)
class PatternSummary:
    """Everything the pattern view and the report cover show."""

    total: int
    first_at: datetime | None
    last_at: datetime | None
    granularity: Granularity
    buckets: tuple[Bucket, ...]
    kinds_present: tuple[str, ...]  # taxonomy order; unknown ids last
    kind_counts: dict[str, int]
    weekday_counts: tuple[int, ...]  # 7 values, Monday = 0
    hour_counts: tuple[int, ...]  # 24 values
    escalation: Escalation
    first_serious: tuple[FirstOccurrence, ...]  # oldest first
    per_person: dict[int, int]  # occasions per person id

    @property
    def distinct_kinds(self) -> int:
        """How many different kinds of behaviour were recorded."""
        return len(self.kinds_present)

    @property
    def busiest_weekdays(self) -> tuple[int, ...]:
        """Weekday(s) with the most incidents (ties all included); empty if none."""
        return _argmax(self.weekday_counts)

    @property
    def busiest_hours(self) -> tuple[int, ...]:
        """Hour(s) of the day with the most incidents (ties all included); empty if none."""
        return _argmax(self.hour_counts)

    def reaches_course_of_conduct(self, person_id: int) -> bool:
        """True if this person was involved on two or more occasions."""
        return is_course_of_conduct(self.per_person.get(person_id, 0))

    @property
    def people_with_course_of_conduct(self) -> tuple[int, ...]:
        """Person ids involved on two or more occasions, most occasions first."""
        ranked = sorted(self.per_person.items(), key=lambda item: (-item[1], item[0]))
        return tuple(pid for pid, n in ranked if is_course_of_conduct(n))


def is_course_of_conduct(occasions: int) -> bool:
    """True when ``occasions`` is enough to be a "course of conduct" (two or more)."""
    return occasions >= COURSE_OF_CONDUCT_MIN


def _argmax(counts: tuple[int, ...]) -> tuple[int, ...]:
    top = max(counts, default=0)
    return tuple(i for i, n in enumerate(counts) if n == top) if top else ()


def _kind_order(kind: str) -> tuple[int, str]:
    try:
        return (taxonomy.KIND_IDS.index(kind), kind)
    except ValueError:
        return (len(taxonomy.KIND_IDS), kind)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _make_buckets(
    days: list[tuple[date, frozenset[str]]], granularity: Granularity
) -> tuple[Bucket, ...]:
    if not days:
        return ()
    if granularity == "week":
        start_of, step = week_start, (lambda d: d + timedelta(weeks=1))
    else:
        start_of, step = month_start, _next_month
    totals: Counter[date] = Counter()
    per_kind: dict[date, Counter[str]] = {}
    for day, kinds in days:
        key = start_of(day)
        totals[key] += 1
        per_kind.setdefault(key, Counter()).update(kinds)
    buckets: list[Bucket] = []
    current, last = start_of(min(d for d, _ in days)), start_of(max(d for d, _ in days))
    while current <= last:
        end = step(current)
        counts = per_kind.get(current, Counter())
        ordered = {k: counts[k] for k in sorted(counts, key=_kind_order)}
        month = MONTHS[current.month - 1]
        if granularity == "week":
            label = f"{current.day} {month}"
            long_label = f"week of {current.day} {month} {current.year}"
        else:
            label = f"{month} {current.year}"
            long_label = f"{FULL_MONTHS[current.month - 1]} {current.year}"
        buckets.append(Bucket(current, end, label, long_label, totals[current], ordered))
        current = end
    return tuple(buckets)


def _today(today: date | datetime | None) -> date:
    if today is None:
        return date.today()
    if isinstance(today, datetime):
        return today.date()
    return today


def summarize(
    incidents: Iterable[IncidentLike],
    *,
    today: date | datetime | None = None,
    include_private: bool = True,
) -> PatternSummary:
    """Summarise a set of incidents.

    ``today`` anchors the escalation windows (default: the computer's date);
    ``include_private=False`` leaves out entries marked private, as reports do.
    Raises ``InvalidInput`` for an incident whose time has no timezone.
    """
    chosen = [i for i in incidents if include_private or not i.private]
    for incident in chosen:
        if incident.occurred_at.utcoffset() is None:
            raise InvalidInput(f"Incident {incident.number} has a time without a timezone.")
    chosen.sort(key=lambda i: (i.occurred_at, i.number))
    anchor = _today(today)

    kind_counts: Counter[str] = Counter()
    weekday = [0] * 7
    hours = [0] * 24
    per_person: Counter[int] = Counter()
    first_serious: dict[str, FirstOccurrence] = {}
    recent = previous = 0
    days: list[tuple[date, frozenset[str]]] = []
    recent_start = anchor - timedelta(days=WINDOW_DAYS - 1)
    previous_start = anchor - timedelta(days=2 * WINDOW_DAYS - 1)

    for incident in chosen:
        local = incident.occurred_at
        day = local.date()
        kinds = frozenset(incident.kinds)
        days.append((day, kinds))
        kind_counts.update(kinds)
        weekday[local.weekday()] += 1
        hours[local.hour] += 1
        per_person.update(set(incident.people))
        for kind in taxonomy.SERIOUS_KINDS:
            if kind in kinds and kind not in first_serious:
                first_serious[kind] = FirstOccurrence(kind, day, incident.number)
        if recent_start <= day <= anchor:
            recent += 1
        elif previous_start <= day < recent_start:
            previous += 1

    span = (max(d for d, _ in days) - min(d for d, _ in days)) if days else timedelta(0)
    granularity: Granularity = "month" if span > WEEKLY_MAX_SPAN else "week"
    kinds_present = tuple(sorted(kind_counts, key=_kind_order))
    return PatternSummary(
        total=len(chosen),
        first_at=chosen[0].occurred_at if chosen else None,
        last_at=chosen[-1].occurred_at if chosen else None,
        granularity=granularity,
        buckets=_make_buckets(days, granularity),
        kinds_present=kinds_present,
        kind_counts={k: kind_counts[k] for k in kinds_present},
        weekday_counts=tuple(weekday),
        hour_counts=tuple(hours),
        escalation=Escalation(anchor, recent, previous),
        first_serious=tuple(sorted(first_serious.values(), key=lambda f: (f.on, f.number))),
        per_person=dict(sorted(per_person.items())),
    )
