"""E-mail as saved by mail programs: one message (``.eml``) or a mailbox (``.mbox``).

Headers are decoded (RFC 2047) by the standard library's modern policy; the text
body is kept as written (an HTML-only message is reduced to its text); attached
files become evidence, read from memory.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import IO, Any

from safediary.core.messages.parsed import (
    ExportDamaged,
    ExportNotRecognised,
    ParsedAttachment,
    ParsedExport,
    ParsedMessage,
    checked_time,
)

#: Largest single message read (attachments included). Mail servers refuse more
#: than about 50 MB; the whole message is held in memory while it is read.
MAX_MESSAGE_BYTES = 100 * 1024 * 1024
#: Longest header value decoded. The standard library's header parser takes minutes
#: and gigabytes on a megabyte of encoded words; a longer value is cut, with a note.
MAX_HEADER_CHARS = 16_000
#: Most MIME parts (and so nesting levels) one e-mail may declare; deeper nesting
#: overflows the parser's recursion.
MAX_PARTS = 2_000
_CUT = " […the rest is cut here by SafeDiary; the kept file has all of it]"


class _Policy(email.policy.EmailPolicy):
    """The modern policy, with every header value bounded before it is parsed."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if len(value) > MAX_HEADER_CHARS:
            value = value[:MAX_HEADER_CHARS] + _CUT
        return super().header_fetch_parse(name, value)


_POLICY = _Policy()


def _parts(data: bytes) -> int:
    """About how many MIME parts ``data`` has: its boundary lines, counted without parsing."""
    boundaries = set(re.findall(rb'(?i)boundary\s*=\s*"?([^"\s;]{1,200})', data))
    if len(boundaries) > MAX_PARTS:
        return len(boundaries)
    count = 0
    for line in re.findall(rb"(?m)^--([^\r\n]{1,210})", data):
        line = line.rstrip()
        if line in boundaries or line[:-2] in boundaries:
            count += 1
    return count


def _parse(data: bytes) -> EmailMessage:
    """One e-mail from its bytes, refusing what would exhaust the parser."""
    if _parts(data) > MAX_PARTS:
        raise ExportDamaged("This e-mail has too many parts to be read.")
    try:
        msg = email.message_from_bytes(data, policy=_POLICY)
    except RecursionError as exc:
        raise ExportDamaged("This e-mail is nested too deeply to be read.") from exc
    assert isinstance(msg, EmailMessage)
    return msg


def looks_like_eml(head: bytes) -> bool:
    text = head[:4096].decode("latin-1").lower()
    return bool(re.search(r"^(from|date|subject|message-id|received|return-path):", text, re.M))


def looks_like_mbox(head: bytes) -> bool:
    return head.startswith(b"From ") and looks_like_eml(head.split(b"\n", 1)[-1])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header so broken the parser gives up on it
        value = msg.get_all(name, [""])[0] if msg.get_all(name) else ""
    return " ".join(str(value or "").split())


def _sent_at(msg: EmailMessage, tz: tzinfo | None) -> datetime:
    raw = _header(msg, "Date")
    when: datetime | None = None
    if raw:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            when = None
    if when is None:
        raise ExportNotRecognised(
            "This e-mail has no readable date, so it cannot be placed in time."
        )
    found = when

    def make() -> datetime:
        aware = found
        if aware.tzinfo is None:
            aware = aware.replace(tzinfo=tz) if tz is not None else aware.astimezone()
        return aware.astimezone(tz) if tz is not None else aware.astimezone()

    return checked_time(make, raw)


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n")


def _attachments(msg: EmailMessage) -> list[ParsedAttachment]:
    found: list[ParsedAttachment] = []
    for part in msg.iter_attachments():
        name = part.get_filename() or f"attachment-{len(found) + 1}"
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found.append(ParsedAttachment.from_bytes(name, payload))
        elif part.get_content_type() == "message/rfc822":
            found.append(ParsedAttachment.from_bytes(name or "message.eml", part.as_bytes()))
    return found


def message(msg: EmailMessage, tz: tzinfo | None) -> ParsedMessage:
    """One e-mail as a message: From as sender, Subject and To kept, the text body as text."""
    try:
        return _message(msg, tz)
    except RecursionError as exc:
        raise ExportDamaged("This e-mail is nested too deeply to be read.") from exc


def _message(msg: EmailMessage, tz: tzinfo | None) -> ParsedMessage:
    details = {k.lower(): _header(msg, k) for k in ("Subject", "To", "Cc") if _header(msg, k)}
    return ParsedMessage(
        _header(msg, "From"),
        _sent_at(msg, tz),
        _body(msg),
        kind="email",
        attachments=_attachments(msg),
        details=details,
    )


def parse_eml(fh: IO[bytes], *, tz: tzinfo | None = None, title: str = "") -> ParsedExport:
    data = fh.read(MAX_MESSAGE_BYTES + 1)
    if len(data) > MAX_MESSAGE_BYTES:
        raise ExportNotRecognised("This e-mail is too large to read (over 100 MB).")
    msg = _parse(data)
    del data
    parsed = message(msg, tz)
    subject = parsed.details.get("subject", "")
    return ParsedExport("email", title or subject or "E-mail", iter([parsed]))


_LINE_LIMIT = 1024 * 1024


def _mbox_messages(fh: IO[bytes]) -> Iterator[bytes]:
    """Split an mbox file into raw messages, one at a time (memory stays flat).

    A line starting with "From " after a blank line (or at the very start) begins a
    message; ">From " escapes inside bodies are undone (mboxrd).
    """
    current: list[bytes] = []
    size = 0
    previous_blank = True
    while line := fh.readline(_LINE_LIMIT):  # bounded: a file may have no line breaks
        if line.startswith(b"From ") and previous_blank:
            if current:
                yield b"".join(current)
            current, size = [], 0
            previous_blank = False
            continue
        if re.match(rb"^>+From ", line):
            line = line[1:]
        size += len(line)
        if size > MAX_MESSAGE_BYTES:
            raise ExportNotRecognised(
                "A message in this mailbox is too large to read (over 100 MB)."
            )
        current.append(line)
        previous_blank = line in (b"\n", b"\r\n")
    if current:
        yield b"".join(current)


def parse_mbox(fh: IO[bytes], *, tz: tzinfo | None = None, title: str = "") -> ParsedExport:
    if not looks_like_mbox(fh.read(8192)):
        raise ExportNotRecognised("This is not a mailbox (.mbox) file.")
    fh.seek(0)

    def stream() -> Iterator[ParsedMessage]:
        for data in _mbox_messages(fh):
            yield message(_parse(data), tz)

    return ParsedExport("email", title or "Mailbox", stream())
