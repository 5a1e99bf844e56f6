"""Reading a typed date and time the way a person in the UK writes it: day first.

"28/11/2026 21:40", "28/11/26 9.40pm", "28 Nov 2026 21:40", "yesterday 21:40",
"today 9pm" and "21:40" (today) all work. What cannot be read gets a plain reason,
never a silent guess: "11/28/2026" is refused ("there is no month 28"), and a date
without a time asks for the time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from safediary.core.errors import InvalidInput
from safediary.core.wording import FULL_MONTHS, WEEKDAY_NAMES

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?"
_TIME = re.compile(
    r"(?:at\s+)?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$"
)
_NUMERIC = re.compile(r"(?P<d>\d{1,2})[/.\-](?P<mo>\d{1,2})(?:[/.\-](?P<y>\d{4}|\d{2}))?(?!\d)")
_WORDS = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mo>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?")
EXAMPLE = "28/11/2026 21:40"

def format_when(moment: datetime) -> str:
    """The form this module reads back exactly: '28/11/2026 21:40' (local time)."""
    local = moment.astimezone()
    return f"{local:%d/%m/%Y %H:%M}"


def describe_when(moment: datetime) -> str:
    """'Saturday 28 November 2026 at 21:40', to show how a typed time was read.

    Names come from here, not strftime, which follows the computer's language.
    """
    local = moment.astimezone()
    weekday = WEEKDAY_NAMES[local.weekday()]
    return f"{weekday} {local.day} {_month_name(local.month)} {local.year} at {local:%H:%M}"


def parse_when(text: str, *, now: datetime) -> datetime:
    """Read a typed date and time (day first) as an aware local datetime.

    ``now`` (aware) decides what "today", "yesterday" and a missing year mean.
    Raises InvalidInput with a sentence saying what to type instead.
    """
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    if not cleaned:
        raise InvalidInput(f"When did it happen? Type the date and time, like {EXAMPLE}.")
    cleaned = re.sub(rf"^{_WEEKDAYS}\s*", "", cleaned)
    today = now.astimezone().date()
    day, rest = _read_date(cleaned, today)
    rest = rest.strip(" -")
    if not rest:
        if day is None:
            raise InvalidInput(f"That is not a date and time SafeDiary can read. Try {EXAMPLE}.")
        raise InvalidInput(
            f"Please add the time too, for example {day:%d/%m/%Y} 21:40. If you are not "
            "sure of it, give your best guess and tick “Approximate”."
        )
    hour, minute = _read_time(rest)
    day = day or today
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def _read_date(text: str, today: date) -> tuple[date | None, str]:
    """The date at the start of ``text`` (or None if it starts with a time) and the rest."""
    for word, offset in (("today", 0), ("yesterday", 1)):
        if text.startswith(word):
            return today - timedelta(days=offset), text[len(word) :]
    match = _NUMERIC.match(text)
    if match and (match.group("y") or not _TIME.match(text)):
        day, month = int(match.group("d")), int(match.group("mo"))
        year = _year(match.group("y"), today)
        if month > 12:
            raise InvalidInput(
                f"There is no month {month}. Please type the day first, then the month, "
                f"like {EXAMPLE} for 28 November."
            )
        return _make(year, month, day), text[match.end() :]
    match = _WORDS.match(text)
    if match and match.group("mo") in MONTHS:
        year = _year(match.group("y"), today)
        return _make(year, MONTHS[match.group("mo")], int(match.group("d"))), text[match.end() :]
    return None, text


def _month_name(month: int) -> str:
    return FULL_MONTHS[month - 1]


def _year(text: str | None, today: date) -> int:
    if not text:
        return today.year
    year = int(text)
    return year + 2000 if year < 100 else year


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"There is no {day} {_month_name(month)} {year}. Please check the date."
        ) from None


def _read_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidInput(
            f"The time “{text.strip()}” cannot be read. Type it like 21:40 or 9.40pm."
        )
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    ampm = (match.group("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"{hour}{ampm} is not a time. Type it like 9.40pm or 21:40.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"{text.strip()} is not a time of day. Type it like 21:40.")
    return hour, minute


__all__ = ["EXAMPLE", "describe_when", "format_when", "parse_when"]
