"""What goes into a report or an export: options, the chosen entries and their evidence.

The PDF report and the CSV/JSON export share this selection, so both leave out
the same things (private entries unless asked for, entries outside the dates,
kinds or people chosen).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from safediary.core.checklist.checklist import ChecklistAnswers
from safediary.core.diary.incidents import Incident
from safediary.core.diary.people import Person
from safediary.core.diary.taxonomy import validate_kinds
from safediary.core.errors import InvalidInput, VaultError
from safediary.core.pattern import pattern
from safediary.core.timeutil import now, require_aware

Paper = Literal["A4", "Letter"]
ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ReportCancelled(VaultError):
    """The user stopped the report; nothing was written."""


@dataclass(frozen=True)
class ReportOptions:
    """What to put in a report or export. The defaults suit a report for the police."""

    start: datetime | None = None  # inclusive, aware
    end: datetime | None = None  # exclusive, aware
    kinds: frozenset[str] | None = None  # None = every kind
    people: frozenset[int] | None = None  # None = everyone
    include_feelings: bool = True
    include_private: bool = False
    include_thumbnails: bool = True
    include_revisions: bool = False
    include_checklist: bool = False
    statement: str = ""
    user_name: str = ""
    paper: Paper = "A4"

    def __post_init__(self) -> None:
        if self.start is not None:
            require_aware(self.start, "The start of the period")
        if self.end is not None:
            require_aware(self.end, "The end of the period")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidInput("The end of the period is before its start.")
        if self.kinds is not None:
            object.__setattr__(self, "kinds", validate_kinds(self.kinds))
        if self.people is not None:
            object.__setattr__(self, "people", frozenset(self.people))
        if self.paper not in ("A4", "Letter"):
            raise InvalidInput("The paper size must be A4 or Letter.")
        if not isinstance(self.statement, str) or not isinstance(self.user_name, str):
            raise InvalidInput("The statement and the name must be text.")


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence file as the report lists it (``ref`` is the vault's own, e.g. ``E-3``)."""

    ref: str
    id: Any
    original_name: str
    kind: str
    mime: str
    size: int | None
    sha256: str
    modified_at: datetime | None
    captured_at: str | None
    camera: str
    imported_at: datetime | None
    incident_numbers: tuple[int, ...]
    incident_ids: tuple[int, ...] = ()
    thumbnail: bytes | None = None

    @property
    def is_image(self) -> bool:
        return self.kind == "image" or self.mime.startswith("image/")


@dataclass
class ReportData:
    """Everything a report or export needs, gathered in one pass over the vault."""

    options: ReportOptions
    generated_at: datetime
    fingerprint: str
    incidents: list[Incident]
    people: dict[int, Person]
    evidence: list[EvidenceItem]
    evidence_by_incident: dict[int, list[EvidenceItem]]
    summary: pattern.PatternSummary
    checklist: ChecklistAnswers | None = None
    checklist_count: int = 0
    history: dict[int, list[Any]] = field(default_factory=dict)

    @property
    def people_involved(self) -> list[Person]:
        """People linked to the chosen entries, in the vault's order."""
        linked = {p for i in self.incidents for p in i.people}
        return [p for pid, p in self.people.items() if pid in linked]


# ----------------------------------------------------------------------------- selection


def select_incidents(vault: Any, options: ReportOptions) -> list[Incident]:
    """The entries a report with ``options`` contains, in the order they happened."""
    chosen = vault.incidents.list(
        start=options.start,
        end=options.end,
        kinds=options.kinds,
        include_private=options.include_private,
    )
    if options.people is not None:
        chosen = [i for i in chosen if options.people.intersection(i.people)]
    return chosen


def _evidence_items(
    vault: Any, incidents: Iterable[Incident], *, thumbnails: bool, cancel: CancelFn | None
) -> tuple[list[EvidenceItem], dict[int, list[EvidenceItem]]]:
    """Live evidence linked to the chosen entries, by evidence number, with thumbnails."""
    store = vault.evidence
    numbers = {i.id: i.number for i in incidents}
    items: list[EvidenceItem] = []
    for record in store.list():
        linked = [numbers[i] for i in record.incident_ids if i in numbers]
        if not linked:
            continue  # not linked to an entry in this report (or only to private ones)
        if cancel is not None and cancel():
            raise ReportCancelled("The report was stopped.")
        thumb = None
        if thumbnails and record.has_thumbnail:
            with contextlib.suppress(VaultError):
                thumb = store.thumbnail(record.id)
        meta = record.metadata or {}
        camera = " ".join(str(meta[k]) for k in ("camera_make", "camera_model") if meta.get(k))
        items.append(
            EvidenceItem(
                ref=record.ref,
                id=record.id,
                original_name=record.original_name,
                kind=record.kind,
                mime=record.media_type,
                size=record.size,
                sha256=record.sha256,
                modified_at=record.mtime,
                captured_at=meta.get("capture_time"),
                camera=camera,
                imported_at=record.imported_at,
                incident_numbers=tuple(sorted(linked)),
                incident_ids=tuple(i for i in record.incident_ids if i in numbers),
                thumbnail=thumb,
            )
        )
    by_incident: dict[int, list[EvidenceItem]] = {}
    for item in items:
        for incident_id in item.incident_ids:
            by_incident.setdefault(incident_id, []).append(item)
    return items, by_incident


def _latest_checklist(vault: Any) -> tuple[ChecklistAnswers | None, int]:
    saved = vault.checklists.list()
    for _id, _at, data in reversed(saved):
        with contextlib.suppress(InvalidInput):
            return ChecklistAnswers.from_json(data), len(saved)
    return None, len(saved)


def collect(
    vault: Any,
    options: ReportOptions,
    *,
    thumbnails: bool | None = None,
    cancel: CancelFn | None = None,
) -> ReportData:
    """Read everything a report or export needs from the vault."""
    generated_at = now()
    incidents = select_incidents(vault, options)
    want_thumbs = options.include_thumbnails if thumbnails is None else thumbnails
    evidence, by_incident = _evidence_items(vault, incidents, thumbnails=want_thumbs, cancel=cancel)
    today = generated_at  # escalation is measured up to the report date or the period's end
    if options.end is not None and options.end <= generated_at:
        today = (options.end - timedelta(microseconds=1)).astimezone(generated_at.tzinfo)
    summary = pattern.summarize(incidents, today=today)
    history: dict[int, list[Any]] = {}
    if options.include_revisions:
        for incident in incidents:
            if incident.amended:
                if cancel is not None and cancel():
                    raise ReportCancelled("The report was stopped.")
                history[incident.id] = vault.incidents.history(incident.id)
    checklist, count = _latest_checklist(vault) if options.include_checklist else (None, 0)
    return ReportData(
        options=options,
        generated_at=generated_at,
        fingerprint=vault.fingerprint,
        incidents=incidents,
        people={p.id: p for p in vault.people.list()},
        evidence=evidence,
        evidence_by_incident=by_incident,
        summary=summary,
        checklist=checklist,
        checklist_count=count,
        history=history,
    )


# ----------------------------------------------------------------------------- formatting


def fmt_date(value: datetime) -> str:
    """``12 Feb 2026`` (English month names whatever the locale)."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def fmt_weekday(value: datetime) -> str:
    """``Thu``."""
    return _DAYS[value.weekday()]


def fmt_datetime(value: datetime, *, weekday: bool = False, zone: bool = False) -> str:
    """``Thu 12 Feb 2026, 21:40`` in the datetime's own time zone."""
    text = f"{fmt_date(value)}, {value:%H:%M}"
    if weekday:
        text = f"{_DAYS[value.weekday()]} {text}"
    if zone:
        text += f" ({fmt_offset(value)})"
    return text


def fmt_offset(value: datetime) -> str:
    """``UTC+01:00``."""
    offset = value.utcoffset()
    if offset is None:
        return "local time"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def fmt_when(incident: Incident, *, zone: bool = False) -> str:
    """When it happened, with the end time and "approx." where they apply."""
    start = incident.occurred_at
    text = fmt_datetime(start, weekday=True)
    until = incident.occurred_until
    if until is not None:
        until = until.astimezone(start.tzinfo)
        if until.date() == start.date():
            text += f" to {until:%H:%M}"
        else:
            text += f" to {fmt_datetime(until, weekday=True)}"
    if zone:
        text += f" ({fmt_offset(start)})"
    return ("approx. " + text) if incident.approximate else text


def fmt_size(size: int | None) -> str:
    """``1,234,567 bytes (1.2 MB)``."""
    if size is None:
        return "unknown size"
    if size < 1000:
        return f"{size:,} bytes"
    value, unit = float(size), "B"
    for name in ("kB", "MB", "GB", "TB"):
        if value < 1000:
            break
        value, unit = value / 1000, name
    return f"{size:,} bytes ({value:.1f} {unit})"
