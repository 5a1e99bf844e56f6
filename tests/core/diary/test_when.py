"""Typed dates are read day first, as written in the UK (issue 13 item 9)."""

from __future__ import annotations

from datetime import datetime

import pytest

from safediary.core.diary.when import describe_when, format_when, parse_when
from safediary.core.errors import InvalidInput

NOW = datetime(2026, 11, 29, 10, 15).astimezone()


def _read(text: str) -> tuple[int, int, int, int, int]:
    t = parse_when(text, now=NOW)
    assert t.utcoffset() is not None
    return (t.year, t.month, t.day, t.hour, t.minute)


@pytest.mark.parametrize(
    "typed",
    [
        "28/11/2026 21:40",
        "28/11/26 21:40",
        "28-11-2026 21.40",
        "28.11.2026 9.40pm",
        "28/11 9:40 pm",
        "28 Nov 2026 21:40",
        "28th November 2026, 9.40 p.m.",
        "Sat 28 Nov 2026, 21:40",
        "Saturday 28/11/2026 at 21:40",
        "yesterday 21:40",
        "  Yesterday   9.40PM ",
    ],
)
def test_day_first(typed: str) -> None:
    assert _read(typed) == (2026, 11, 28, 21, 40)


def test_times_alone_mean_today_and_round_trip() -> None:
    assert _read("21:40") == (2026, 11, 29, 21, 40)
    assert _read("today 7am") == (2026, 11, 29, 7, 0)
    assert _read("12am") == (2026, 11, 29, 0, 0)
    assert _read("12pm") == (2026, 11, 29, 12, 0)
    moment = parse_when("3/1/2026 08:05", now=NOW)
    assert (moment.month, moment.day) == (1, 3)  # 3 January, never 1 March
    assert parse_when(format_when(moment), now=NOW) == moment
    assert describe_when(moment) == "Saturday 3 January 2026 at 08:05"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("11/28/2026 21:40", "no month 28"),
        ("31/11/2026 10:00", "no 31 November 2026"),
        ("28/11/2026", "add the time"),
        ("", "When did it happen"),
        ("last week", "cannot be read"),
        ("28/11/2026 25:00", "not a time"),
        ("28/11/2026 13pm", "not a time"),
    ],
)
def test_what_cannot_be_read_says_why(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_when(typed, now=NOW)
