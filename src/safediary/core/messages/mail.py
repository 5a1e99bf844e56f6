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
from typing import IO

from safediary.core.messages.parsed import (
    ExportNotRecognised,
    ParsedAttachment,
    ParsedExport,
    ParsedMessage,
)

#: Largest single message read from a mailbox (attachments included).
MAX_MESSAGE_BYTES = 512 * 1024 * 1024


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
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz) if tz is not None else when.astimezone()
    return when.astimezone(tz) if tz is not None else when.astimezone()


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
        raise ExportNotRecognised("This e-mail is too large to read (over 512 MB).")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    parsed = message(msg, tz)
    subject = parsed.details.get("subject", "")
    return ParsedExport("email", title or subject or "E-mail", iter([parsed]))


def _mbox_messages(fh: IO[bytes]) -> Iterator[bytes]:
    """Split an mbox file into raw messages, one at a time (memory stays flat).

    A line starting with "From " after a blank line (or at the very start) begins a
    message; ">From " escapes inside bodies are undone (mboxrd).
    """
    current: list[bytes] = []
    size = 0
    previous_blank = True
    for line in fh:
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
            raise ExportNotRecognised("A message in this mailbox is too large to read.")
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
            msg = email.message_from_bytes(data, policy=email.policy.default)
            yield message(msg, tz)

    return ParsedExport("email", title or "Mailbox", stream())
