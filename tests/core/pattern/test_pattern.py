"""Tests for the incident pattern summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from safediary.core.errors import InvalidInput
from safediary.core.pattern.pattern import is_course_of_conduct, summarize
from safediary.core.wording import WEEKDAY_NAMES

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Inc:
    """A minimal incident, as the pattern module sees one."""

    number: int
    occurred_at: datetime
    kinds: frozenset[str] = frozenset({"text_message"})
    people: tuple[int, ...] = ()
    private: bool = False


def inc(number: int, when: datetime, *kinds: str, people=(), private=False) -> Inc:
    return Inc(number, when, frozenset(kinds or {"text_message"}), tuple(people), private)


def london(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def test_empty() -> None:
    s = summarize([], today=date(2026, 3, 1))
    assert s.total == 0
    assert s.first_at is None and s.last_at is None
    assert s.buckets == ()
    assert s.granularity == "week"
    assert s.busiest_hours == () and s.busiest_weekdays == ()
    assert s.escalation.recent == s.escalation.previous == 0
    assert s.per_person == {} and s.first_serious == ()


def test_escalation_windows_are_28_days_each() -> None:
    today = date(2026, 3, 31)
    incidents = [
        # Recent window: 4 Mar .. 31 Mar inclusive -> 5 incidents.
        inc(10, london(2026, 3, 31, 23, 59)),
        inc(9, london(2026, 3, 20)),
        inc(8, london(2026, 3, 10)),
        inc(7, london(2026, 3, 5)),
        inc(6, london(2026, 3, 4, 0, 1)),
        # Previous window: 4 Feb .. 3 Mar inclusive -> 2 incidents.
        inc(5, london(2026, 3, 3, 23, 0)),
        inc(4, london(2026, 2, 4, 8, 0)),
        # Older than both windows, and after "today": counted in neither.
        inc(3, london(2026, 2, 3, 22, 0)),
        inc(2, london(2025, 12, 1)),
        inc(11, london(2026, 4, 1, 9, 0)),
    ]
    esc = summarize(incidents, today=today).escalation
    assert (esc.recent, esc.previous) == (5, 2)
    assert esc.recent_start == date(2026, 3, 4)
    assert esc.previous_start == date(2026, 2, 4)
    assert esc.change == 3 and esc.rising
    assert esc.describe() == (
        "5 incidents in the last 28 days, compared with 2 in the 28 days before."
    )


def test_today_may_be_a_datetime_and_defaults_to_now() -> None:
    now = datetime.now(UTC)
    s = summarize([inc(1, now)], today=now)
    assert s.escalation.today == now.date()
    assert summarize([inc(1, now.astimezone())]).escalation.recent == 1


def test_busiest_hours_and_weekdays_in_local_time() -> None:
    # 2 Feb 2026 is a Monday.
    incidents = [
        inc(1, london(2026, 2, 2, 22, 10)),
        inc(2, london(2026, 2, 3, 22, 45)),
        inc(3, london(2026, 2, 9, 22, 5)),
        inc(4, london(2026, 2, 9, 7, 30)),
        inc(5, london(2026, 2, 14, 7, 0)),
    ]
    s = summarize(incidents, today=date(2026, 2, 28))
    assert s.hour_counts[22] == 3 and s.hour_counts[7] == 2 and sum(s.hour_counts) == 5
    assert s.busiest_hours == (22,)
    assert s.weekday_counts == (3, 1, 0, 0, 0, 1, 0)
    assert s.busiest_weekdays == (0,)
    assert WEEKDAY_NAMES[s.busiest_weekdays[0]] == "Monday"


def test_ties_return_every_busiest_slot() -> None:
    incidents = [inc(1, london(2026, 2, 2, 9)), inc(2, london(2026, 2, 3, 17))]
    s = summarize(incidents, today=date(2026, 2, 28))
    assert s.busiest_hours == (9, 17)
    assert s.busiest_weekdays == (0, 1)


def test_bst_incident_after_midnight_stays_in_local_day_and_week() -> None:
    # 00:30 BST on Monday 1 June 2026 is 23:30 UTC on Sunday 31 May.
    when = london(2026, 6, 1, 0, 30)
    assert when.astimezone(UTC).weekday() == 6
    s = summarize([inc(1, when)], today=date(2026, 6, 1))
    assert s.hour_counts[0] == 1
    assert s.weekday_counts[0] == 1
    assert s.buckets[0].start == date(2026, 6, 1)
    assert s.buckets[0].label == "1 Jun"
    assert s.escalation.recent == 1


def test_clocks_change_day() -> None:
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    before = london(2026, 3, 29, 0, 30)
    after = london(2026, 3, 29, 3, 30)
    # Same-zone subtraction is wall-clock time in Python; compare real instants.
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=2)
    s = summarize([inc(2, after), inc(1, before)], today=date(2026, 3, 29))
    assert s.hour_counts[0] == s.hour_counts[3] == 1
    assert s.weekday_counts[6] == 2
    assert len(s.buckets) == 1 and s.buckets[0].label == "23 Mar"
    assert s.first_at == before and s.last_at == after


def test_mixed_timezones_order_by_instant_but_count_local_hours() -> None:
    new_york = timezone(timedelta(hours=-5))
    early = datetime(2026, 1, 10, 20, 0, tzinfo=new_york)  # 01:00 UTC on 11 Jan
    late = datetime(2026, 1, 11, 1, 30, tzinfo=UTC)
    s = summarize([inc(2, late), inc(1, early)], today=date(2026, 1, 31))
    assert s.first_at == early and s.last_at == late
    assert s.hour_counts[20] == 1 and s.hour_counts[1] == 1
    assert s.weekday_counts[5] == 1 and s.weekday_counts[6] == 1  # Sat 10 and Sun 11 Jan


def test_weekly_buckets_are_contiguous_with_short_labels() -> None:
    incidents = [
        inc(1, london(2026, 2, 12), "text_message"),  # week of Mon 9 Feb
        inc(2, london(2026, 2, 13), "text_message", "threat"),
        inc(3, london(2026, 3, 2), "following"),  # week of Mon 2 Mar
    ]
    s = summarize(incidents, today=date(2026, 3, 2))
    assert s.granularity == "week"
    assert [b.label for b in s.buckets] == ["9 Feb", "16 Feb", "23 Feb", "2 Mar"]
    first, gap = s.buckets[0], s.buckets[1]
    assert first.start == date(2026, 2, 9) and first.end == date(2026, 2, 16)
    assert first.long_label == "week of 9 Feb 2026"
    assert first.total == 2
    assert first.counts == {"text_message": 2, "threat": 1}
    assert gap.total == 0 and gap.counts == {}
    assert s.buckets[-1].counts == {"following": 1}


def test_week_granularity_up_to_26_weeks_then_months() -> None:
    start = london(2026, 1, 5)
    at_limit = [inc(1, start), inc(2, start + timedelta(weeks=26))]
    assert summarize(at_limit, today=date(2026, 7, 31)).granularity == "week"

    over = [inc(1, start), inc(2, start + timedelta(weeks=26, days=1))]
    s = summarize(over, today=date(2026, 7, 31))
    assert s.granularity == "month"
    assert [b.label for b in s.buckets] == [
        "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026",
    ]  # fmt: skip
    assert s.buckets[0].long_label == "January 2026"
    assert s.buckets[0].end == date(2026, 2, 1)
    assert [b.total for b in s.buckets] == [1, 0, 0, 0, 0, 0, 1]


def test_month_buckets_cross_the_year_end() -> None:
    incidents = [inc(1, london(2025, 11, 20)), inc(2, london(2026, 6, 3))]
    s = summarize(incidents, today=date(2026, 6, 3))
    assert s.granularity == "month"
    assert s.buckets[1].label == "Dec 2025" and s.buckets[2].label == "Jan 2026"
    assert s.buckets[1].end == date(2026, 1, 1)


def test_kind_counts_and_first_serious() -> None:
    incidents = [
        inc(1, london(2026, 1, 2), "text_message"),
        inc(2, london(2026, 1, 9), "text_message", "at_home"),
        inc(3, london(2026, 1, 20), "threat", "phone_call"),
        inc(4, london(2026, 2, 1), "threat", "violence", "at_home"),
        inc(5, london(2026, 2, 2), "mystery_old_kind"),
    ]
    s = summarize(incidents, today=date(2026, 2, 2))
    assert s.kind_counts == {
        "phone_call": 1,
        "text_message": 2,
        "at_home": 2,
        "threat": 2,
        "violence": 1,
        "mystery_old_kind": 1,
    }
    assert list(s.kind_counts) == list(s.kinds_present)
    assert s.distinct_kinds == 6
    firsts = [(f.kind, f.on, f.number) for f in s.first_serious]
    assert firsts == [
        ("at_home", date(2026, 1, 9), 2),
        ("threat", date(2026, 1, 20), 3),
        ("violence", date(2026, 2, 1), 4),
    ]
    assert s.first_serious[0].label == "Turning up at home"


def test_per_person_and_course_of_conduct() -> None:
    incidents = [
        inc(1, london(2026, 1, 1), people=(7,)),
        inc(2, london(2026, 1, 2), people=(7, 8)),
        inc(3, london(2026, 1, 3), people=(7, 7)),  # same person twice: one occasion
        inc(4, london(2026, 1, 4), people=(9,)),
        inc(5, london(2026, 1, 5), people=(9,)),
    ]
    s = summarize(incidents, today=date(2026, 1, 31))
    assert s.per_person == {7: 3, 8: 1, 9: 2}
    assert s.reaches_course_of_conduct(7)
    assert s.reaches_course_of_conduct(9)
    assert not s.reaches_course_of_conduct(8)
    assert not s.reaches_course_of_conduct(404)
    assert s.people_with_course_of_conduct == (7, 9)
    assert not is_course_of_conduct(1) and is_course_of_conduct(2)


def test_private_entries_can_be_left_out() -> None:
    incidents = [
        inc(1, london(2026, 1, 1), "threat", people=(1,), private=True),
        inc(2, london(2026, 1, 8), people=(1,)),
    ]
    everything = summarize(incidents, today=date(2026, 1, 31))
    public = summarize(incidents, today=date(2026, 1, 31), include_private=False)
    assert everything.total == 2 and public.total == 1
    assert public.first_serious == ()
    assert public.per_person == {1: 1}
    assert public.first_at == london(2026, 1, 8)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(InvalidInput):
        summarize([inc(1, datetime(2026, 1, 1, 12, 0))])


def test_large_diary_is_quick_and_consistent() -> None:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    incidents = [
        inc(n, base + timedelta(hours=7 * n), "text_message", people=(n % 3,))
        for n in range(10_000)
    ]
    s = summarize(incidents, today=date(2026, 1, 1))
    assert s.total == 10_000
    assert s.granularity == "month"
    assert sum(b.total for b in s.buckets) == 10_000
    assert sum(s.per_person.values()) == 10_000
