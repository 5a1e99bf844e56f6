"""What a parser reads out of an export file, before anything is stored.

Parsers never write to disk: attachments are opened as streams from the export
itself (a member of a ZIP, a part of an e-mail, base64 in an XML file) when the
vault copies them in, encrypted.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from safediary.core.errors import InvalidInput

#: The kinds a message can be (DESIGN.md / issue 17).
KINDS = ("message", "call", "email")
#: Where a conversation came from.
SOURCES = ("whatsapp", "sms", "calls", "email")


class ExportNotRecognised(InvalidInput):
    """The file is not an export SafeDiary can read (the message says what it expected)."""


class ExportDamaged(InvalidInput):
    """The export is of a known kind but is cut short or broken; nothing was imported."""


class AmbiguousDateOrder(InvalidInput):
    """Every date in the export would read the same day-first and month-first.

    ``examples`` holds a few dates as written, so the person can say which order
    their phone uses; import again with ``day_first=True`` or ``False``.
    """

    def __init__(self, examples: list[str]) -> None:
        shown = ", ".join(examples[:3])
        super().__init__(
            "The dates in this chat could be read two ways (for example "
            f"{shown}): is the day or the month written first? Choose, then import again."
        )
        self.examples = examples


#: Most messages one import takes. Each is held in memory until the single commit
#: (a million took 44 s and 1 GB) and the Messages view lists a conversation at once
#: (100,000 take 0.5 s). WhatsApp exports at most 100,000; a bigger SMS backup can
#: be made in parts (SMS Backup & Restore backs up a chosen date range).
MAX_MESSAGES = 250_000
TOO_MANY = (
    f"This export holds more than {MAX_MESSAGES:,} messages, more than SafeDiary can take "
    "in one import; nothing was imported. Make the backup in parts (a year at a time)."
)

#: Message times outside these years are refused: no phone or mail program writes
#: them, and at the edges (year 1, 9999) moving between time zones overflows.
YEARS = (1900, 2999)


def checked_time(make: Callable[[], datetime], shown: str) -> datetime:
    """``make()``, or a plain :class:`ExportDamaged` naming ``shown`` if the time is impossible."""
    try:
        when = make()
    except (ValueError, OverflowError, OSError) as exc:
        raise ExportDamaged(f"The export has an impossible date: {shown}.") from exc
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise ExportDamaged(f"The export has an impossible date: {shown}.")
    return when


@dataclass(frozen=True)
class ParsedAttachment:
    """A file named by a message. ``open`` is None when the export does not include it."""

    name: str
    open: Callable[[], IO[bytes]] | None = None
    size: int | None = None
    #: the same ``key`` means the same bytes (a ZIP member named by several messages):
    #: it is copied in once. None: never shared.
    key: str | None = None

    @staticmethod
    def from_bytes(name: str, data: bytes) -> ParsedAttachment:
        return ParsedAttachment(name, lambda: io.BytesIO(data), len(data))


@dataclass
class ParsedMessage:
    """One message, call or e-mail as the export has it."""

    sender: str  # the name or number as in the export; "" for a system notice
    sent_at: datetime  # aware
    text: str  # exact; multi-line kept
    kind: str = "message"
    direction: str = ""  # "in", "out" or "" when the export does not say
    attachments: list[ParsedAttachment] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)  # subject, to, call type …


@dataclass
class ParsedExport:
    """A conversation read from one export file. ``messages`` may be a lazy iterator."""

    source: str
    title: str
    messages: Iterator[ParsedMessage]
    details: dict[str, str] = field(default_factory=dict)
