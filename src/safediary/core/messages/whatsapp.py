"""WhatsApp "Export chat" files: the Android and iPhone text forms, alone or in a ZIP.

Android::   28/11/2026, 21:40 - Daniel: text          (or 11/28/26, 9:40 PM - …)
iPhone::    [28/11/2026, 21:40:12] Daniel: text       (with invisible U+200E marks)

Lines that do not start a message continue the one before. Lines without a
"Name: " part are notices from WhatsApp (encryption notice, "X joined") and are
kept with an empty sender. Times are local to the phone; the caller says which
zone. When every date reads the same day-first and month-first, the caller must
choose (:class:`AmbiguousDateOrder`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import IO

from safediary.core.messages.parsed import (
    MAX_MESSAGES,
    TOO_MANY,
    AmbiguousDateOrder,
    ExportDamaged,
    ExportNotRecognised,
    ParsedAttachment,
    ParsedExport,
    ParsedMessage,
    checked_time,
)

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_SPACE = r"[ \u00a0\u202f]"
_DATE = r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{2}|\d{4})"
_TIME = (
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
    rf"(?:{_SPACE}*(?P<ampm>[AaPp])\.?{_SPACE}?[Mm]\.?)?"
)
_ANDROID = re.compile(rf"^{_DATE},?{_SPACE}+{_TIME}{_SPACE}+[-–]{_SPACE}+(?P<rest>.*)$", re.S)
_IPHONE = re.compile(rf"^\[{_DATE},?{_SPACE}+{_TIME}\]{_SPACE}+(?P<rest>.*)$", re.S)
_SENDER = re.compile(r"^(?P<name>[^:\n]{1,120}?): (?P<text>.*)$", re.S)
_ANDROID_FILE = re.compile(r"^(?P<name>[^\n]{1,255}?) \((?:file attached|bestand bijgevoegd)\)")
_IPHONE_FILE = re.compile(r"<attached: (?P<name>[^>\n]{1,255})>")
_NOTICES = (
    "messages and calls are end-to-end encrypted",
    "messages to this group are now secured with end-to-end encryption",
    "your security code with",
    "changed their phone number",
    "created group",
    "created this group",
    "joined using this group's invite link",
    "changed the subject",
    "changed this group's icon",
    "changed the group description",
    "disappearing messages",
)

#: The largest chat text read. WhatsApp exports at most 100,000 messages (about
#: 10 MB); a bigger "chat" is a trap to fill memory, so it is refused plainly.
MAX_CHAT_BYTES = 64 * 1024 * 1024


@dataclass
class _Raw:
    a: int
    b: int
    year: int
    hour: int
    minute: int
    second: int
    date_text: str
    lines: list[str]  # the first line's text after the date, then continuation lines

    @property
    def rest(self) -> str:
        return "\n".join(self.lines)


def _clean(line: str) -> str:
    return line.lstrip(_MARKS)


def _match(line: str) -> re.Match[str] | None:
    line = _clean(line)
    return _IPHONE.match(line) or _ANDROID.match(line)


def _raw(m: re.Match[str]) -> _Raw:
    hour = int(m["h"])
    ampm = (m["ampm"] or "").lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    year = int(m["y"])
    if year < 100:
        year += 2000
    date_text = m.string[m.start("a"):m.end("y")]  # (never split the whole line: it may be huge)
    return _Raw(int(m["a"]), int(m["b"]), year, hour, int(m["m"]), int(m["s"] or 0), date_text,
                [m["rest"]])


def looks_like_whatsapp(text: str) -> bool:
    """True if one of the first few non-empty lines starts a WhatsApp message."""
    lines = [ln for ln in text[:64 * 1024].splitlines()[:20] if ln.strip()]
    return any(_match(ln) for ln in lines[:5])


def _records(text: str) -> list[_Raw]:
    records: list[_Raw] = []
    text = text.removesuffix("\n").removesuffix("\r")  # the file's last line break
    for line in text.split("\n"):
        line = line.rstrip("\r")
        m = _match(line)
        if m:
            if len(records) >= MAX_MESSAGES:
                raise ExportDamaged(TOO_MANY)
            records.append(_raw(m))
        elif records:
            records[-1].lines.append(line)  # a list: `str +=` here was quadratic
        elif line.strip(_MARKS + " \t"):
            raise ExportNotRecognised(
                "This does not look like a WhatsApp chat export: its first line is not a "
                "message with a date and time."
            )
    if not records:
        raise ExportNotRecognised("This file holds no WhatsApp messages.")
    return records


def date_order(records: list[_Raw]) -> bool | None:
    """True if day first, False if month first, None if every date reads both ways."""
    day_first = any(r.a > 12 for r in records)
    month_first = any(r.b > 12 for r in records)
    if day_first and month_first:
        raise ExportDamaged("The dates in this chat are not written in one order.")
    if day_first:
        return True
    if month_first:
        return False
    return None


def _known_notice(text: str) -> bool:
    low = text.lstrip(_MARKS).lower()
    return any(n in low for n in _NOTICES)


def _is_notice(m: re.Match[str] | None) -> bool:
    """A line from WhatsApp itself, not from a person.

    Android writes notices with no "Name: " part (but a quoted group subject may hold
    a colon); iPhone attributes them to the chat, behind an invisible mark.
    """
    if m is None:
        return True
    if _known_notice(m["name"]):
        return True
    return m["text"].startswith("\u200e") and _known_notice(m["text"])


def parse_text(
    text: str,
    *,
    tz: tzinfo | None = None,
    day_first: bool | None = None,
    media: Callable[[str], ParsedAttachment | None] | None = None,
    title: str = "WhatsApp chat",
) -> ParsedExport:
    """Parse a chat's text. ``media(name)`` finds an attached file in a ZIP, if any."""
    text = text.lstrip("\ufeff")
    records = _records(text)
    order = date_order(records)
    if order is None:
        if day_first is None:
            raise AmbiguousDateOrder(sorted({r.date_text for r in records})[:5])
        order = day_first
    return ParsedExport("whatsapp", title, _messages(records, order, tz, media))


def _when(r: _Raw, day_first: bool, tz: tzinfo | None) -> datetime:
    day, month = (r.a, r.b) if day_first else (r.b, r.a)

    def make() -> datetime:
        naive = datetime(r.year, month, day, r.hour, r.minute, r.second)
        return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()

    return checked_time(make, r.date_text)


def _messages(
    records: list[_Raw],
    day_first: bool,
    tz: tzinfo | None,
    media: Callable[[str], ParsedAttachment | None] | None,
) -> Iterator[ParsedMessage]:
    records.reverse()
    while records:
        r = records.pop()  # each record is let go once read (a chat may hold 100,000)
        when = _when(r, day_first, tz)
        rest = r.rest
        r.lines = []  # the joined text is all that is kept from here on
        m = _SENDER.match(rest)
        if m is None or _is_notice(m):
            body = rest if m is None or _known_notice(m["name"]) else m["text"]
            yield ParsedMessage("", when, body.lstrip(_MARKS), details={"notice": "yes"})
            continue
        body = m["text"]
        attachments = []
        for name in _attached_names(body):
            found = media(name) if media is not None else None
            attachments.append(found or ParsedAttachment(name))
        yield ParsedMessage(m["name"].strip(_MARKS), when, _strip_marks(body),
                            attachments=attachments)


def _strip_marks(body: str) -> str:
    """Drop the invisible direction marks iPhone exports put before attachments and notices."""
    return "\n".join(line.lstrip("\u200e") for line in body.split("\n"))


def _attached_names(body: str) -> list[str]:
    first = body.lstrip(_MARKS).split("\n", 1)[0]
    names = [m["name"] for m in _IPHONE_FILE.finditer(first)]
    m = _ANDROID_FILE.match(first)
    if m:
        names.append(m["name"])
    return [n.strip(_MARKS + " ") for n in names]


def decode(data: bytes) -> str:
    """The chat's text; WhatsApp writes UTF-8 (sometimes with a BOM)."""
    if len(data) > MAX_CHAT_BYTES:
        raise ExportDamaged("This chat file is too large to be a WhatsApp export.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportNotRecognised(
            "This file is not text in UTF-8, so it is not a WhatsApp export."
        ) from exc


def read_limited(fh: IO[bytes], limit: int = MAX_CHAT_BYTES) -> bytes:
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise ExportDamaged("This chat file is too large to be a WhatsApp export.")
    return data
