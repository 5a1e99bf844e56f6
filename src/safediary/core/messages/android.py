"""Android "SMS Backup & Restore" files: messages (``<smses>``) and call logs (``<calls>``).

The XML is read as a stream (memory stays flat for 50,000 messages) with
defusedxml, which refuses entity tricks (billion laughs, external files).
Times in these files are milliseconds since 1970 in UTC, so they need no zone.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from safediary.core.messages.parsed import (
    ExportDamaged,
    ExportNotRecognised,
    ParsedAttachment,
    ParsedExport,
    ParsedMessage,
    checked_time,
)

ME = "Me"
# SMS "type" / MMS "msg_box": 1 received; 2 sent; 3 draft; 4 outbox; 5 failed; 6 queued
_OUT = {"2", "4", "5", "6"}
_CALL_TYPES = {
    "1": "Incoming call",
    "2": "Outgoing call",
    "3": "Missed call",
    "4": "Voicemail",
    "5": "Rejected call",
    "6": "Blocked call",
    "7": "Call answered on another device",
}
_SKIPPED_PARTS = {"application/smil"}


#: Largest single item (a tag with its attributes, e.g. one MMS picture in base64).
#: Phones cap an MMS at a few MB; the XML parser holds (and, in expat before 2.6,
#: rescans on every read) a whole item, so a 500 MB attribute would take hours.
MAX_ITEM_BYTES = 48 * 1024 * 1024
_CHUNK = 1024 * 1024


class _Reader:
    """The file in 1 MB reads (fewer rescans of a long item), refusing an over-long item."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._run = 0  # bytes since the last "<": at least the length of the current item

    def read(self, _size: int = -1) -> bytes:
        data = self._fh.read(_CHUNK)
        last = data.rfind(b"<")
        self._run = self._run + len(data) if last < 0 else len(data) - last - 1
        if self._run > MAX_ITEM_BYTES:
            raise ExportDamaged(
                "One item in this backup is far larger than any text or picture a phone "
                "sends (over 48 MB), so nothing was imported."
            )
        return data


def root_tag(head: bytes) -> str | None:
    """``smses`` or ``calls`` if ``head`` (the file's first bytes) starts such a backup."""
    text = head.decode("utf-8", "replace")
    for tag in ("smses", "calls"):
        if f"<{tag}" in text:
            return tag
    return None


def _when(attrs: dict[str, str], tz: tzinfo | None) -> datetime:
    try:
        ms = int(attrs.get("date", ""))
    except ValueError as exc:
        raise ExportDamaged("A message in this backup has no readable date.") from exc

    def make() -> datetime:
        when = datetime.fromtimestamp(ms / 1000, UTC)
        return when.astimezone(tz) if tz is not None else when.astimezone()

    return checked_time(make, f"{ms} ms since 1970")


def _party(attrs: dict[str, str]) -> str:
    name = (attrs.get("contact_name") or "").strip()
    number = (attrs.get("address") or attrs.get("number") or "").strip()
    if name and name != "(Unknown)":
        return f"{name} ({number})" if number else name
    return number or "Unknown number"


def _duration(seconds: str) -> str:
    try:
        total = int(seconds)
    except ValueError:
        return ""
    minutes, secs = divmod(max(total, 0), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _sms(attrs: dict[str, str], tz: tzinfo | None) -> ParsedMessage:
    out = attrs.get("type") in _OUT
    party = _party(attrs)
    return ParsedMessage(
        ME if out else party,
        _when(attrs, tz),
        attrs.get("body", ""),
        direction="out" if out else "in",
        details={"to": party} if out else {},
    )


def _mms(elem: Element, tz: tzinfo | None) -> ParsedMessage:
    attrs = dict(elem.attrib)
    out = attrs.get("msg_box") in _OUT
    party = _party(attrs)
    texts: list[str] = []
    attachments: list[ParsedAttachment] = []
    for part in elem.iter("part"):
        ctype = (part.get("ct") or "").lower()
        if ctype in _SKIPPED_PARTS:
            continue
        if ctype == "text/plain":
            texts.append(part.get("text") or "")
            continue
        name = part.get("name") or part.get("cl") or f"attachment-{len(attachments) + 1}"
        if name == "null":
            name = part.get("cl") or f"attachment-{len(attachments) + 1}"
        data = part.get("data")
        if data:
            try:
                raw = base64.b64decode(data, validate=False)
            except (binascii.Error, ValueError) as exc:
                raise ExportDamaged(f"A picture in this backup ({name}) is damaged.") from exc
            attachments.append(ParsedAttachment.from_bytes(name, raw))
        else:
            attachments.append(ParsedAttachment(name))
    return ParsedMessage(
        ME if out else party,
        _when(attrs, tz),
        "\n".join(t for t in texts if t),
        direction="out" if out else "in",
        attachments=attachments,
        details={"to": party} if out else {},
    )


def _call(attrs: dict[str, str], tz: tzinfo | None) -> ParsedMessage:
    kind = _CALL_TYPES.get(attrs.get("type", ""), "Call")
    party = _party(attrs)
    out = attrs.get("type") == "2"
    text = f"{kind} {'to' if out else 'from'} {party}"
    duration = _duration(attrs.get("duration", "0"))
    if attrs.get("type") in {"1", "2", "4", "7"} and duration:
        text += f", {duration}"
    return ParsedMessage(
        ME if out else party,
        _when(attrs, tz),
        text,
        kind="call",
        direction="out" if out else "in",
        details={"call": kind, "duration_s": attrs.get("duration", "0")},
    )


def parse(fh: IO[bytes], *, tz: tzinfo | None = None, title: str = "") -> ParsedExport:
    """Parse an SMS or call-log backup; messages are yielded as the file is read."""
    head = fh.read(4096)
    fh.seek(0)
    tag = root_tag(head)
    if tag is None:
        raise ExportNotRecognised("This is not an SMS Backup & Restore file.")
    source = "sms" if tag == "smses" else "calls"
    default_title = "Text messages" if source == "sms" else "Call log"
    return ParsedExport(source, title or default_title, _stream(fh, tz))


def _stream(fh: IO[bytes], tz: tzinfo | None) -> Iterator[ParsedMessage]:
    depth = 0
    root: Element | None = None
    try:
        for event, elem in safe_et.iterparse(_Reader(fh), events=("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                continue
            depth -= 1
            if depth != 1:  # only direct children of <smses>/<calls>
                continue
            if elem.tag == "sms":
                yield _sms(dict(elem.attrib), tz)
            elif elem.tag == "mms":
                yield _mms(elem, tz)
            elif elem.tag == "call":
                yield _call(dict(elem.attrib), tz)
            if root is not None:
                root.clear()  # else a million read (empty) children stay attached to it
    except DefusedXmlException as exc:
        raise ExportDamaged(
            "This backup file contains XML tricks (entities) that SafeDiary refuses to read."
        ) from exc
    except ParseError as exc:
        raise ExportDamaged(
            "This backup file is cut short or damaged, so nothing was imported."
        ) from exc
