"""What goes into a report or an export: options, the chosen entries and their evidence.

The PDF report and the CSV/JSON export share this selection, so both leave out
the same things (private entries unless asked for, entries outside the dates,
kinds or people chosen).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from safediary.core.checklist.checklist import ChecklistAnswers
from safediary.core.diary import taxonomy
from safediary.core.diary.incidents import Incident
from safediary.core.diary.orders import CourtOrder
from safediary.core.diary.people import Person
from safediary.core.diary.taxonomy import validate_kinds
from safediary.core.errors import InvalidInput, VaultError
from safediary.core.pattern import pattern
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.timeutil import now, require_aware
from safediary.core.wording import DAYS, MONTHS, exact_size_text, without_controls

Paper = Literal["A4", "Letter"]

_PREFIX = re.compile(r"[A-Za-z0-9]{1,8}")


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
    include_impact: bool = True  # effect on daily life: evidence for s.4A, kept apart from feelings
    include_private: bool = False
    include_thumbnails: bool = True
    include_revisions: bool = False
    include_checklist: bool = False
    statement: str = ""
    user_name: str = ""
    exhibit_prefix: str | None = None  # "RW" gives exhibits RW/1, RW/2 …; None: the initials
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
        if self.exhibit_prefix is not None:
            prefix = self.exhibit_prefix.strip() if isinstance(self.exhibit_prefix, str) else ""
            if not _PREFIX.fullmatch(prefix):
                raise InvalidInput(
                    "The exhibit mark must be 1 to 8 letters or digits, such as your initials."
                )
            object.__setattr__(self, "exhibit_prefix", prefix.upper())

    @property
    def mark_prefix(self) -> str:
        """The letters of every exhibit mark: the explicit prefix, else the initials, else EX."""
        return self.exhibit_prefix or initials(self.user_name) or "EX"


_LATIN = {"Ł": "L", "Ø": "O", "Đ": "D", "Æ": "A", "Œ": "O", "Þ": "T", "ẞ": "S"}


def initials(name: str) -> str:
    """``Rebecca Jane Wilson`` → ``RJW``: Latin capitals only (accents dropped, at most
    four), as exhibit labels are written; a name in another script gives ``""``."""
    out = ""
    for word in re.split(r"[\s\-]+", name):
        if not word:
            continue
        first = word[0].upper()
        first = _LATIN.get(first, unicodedata.normalize("NFKD", first)[:1])
        if "A" <= first <= "Z":
            out += first
    return out[:4]


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
    mark: str = ""  # the exhibit mark in this report, e.g. "RW/3"
    description: str = ""
    original_location: str = ""
    gps: tuple[float, float] | None = None
    duration: float | None = None  # seconds, for sound and video

    @property
    def is_image(self) -> bool:
        return self.kind == "image" or self.mime.startswith("image/")

    @property
    def anchor(self) -> str:
        """The PDF destination name of this exhibit's line in the index."""
        return f"exhibit-{self.id}"

    @property
    def file_name(self) -> str:
        """The exhibit's file name in a bundle: "RW-3 screenshot.png" (no "/" in a name)."""
        return safe_file_name(f"{self.mark.replace('/', '-')} {self.original_name}")


_BAD_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_file_name(name: str, limit: int = 150) -> str:
    """A file name that is valid on Windows, macOS and Linux (and on FAT32 sticks).

    Bidi overrides and other hidden characters are dropped, so the name cannot pretend
    to have another extension on the receiver's computer.
    """
    name = _BAD_NAME.sub("_", without_controls(name)).strip().rstrip(".")
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: limit - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:limit].rstrip()
    return name or "exhibit"


@dataclass(frozen=True)
class FirstSeen:
    """The first time a serious kind was recorded in the whole diary (not only the period)."""

    kind: str
    on: datetime
    number: int
    before_period: bool

    @property
    def label(self) -> str:
        return taxonomy.label(self.kind)


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
    #: what vault.verify() found just before the report was made
    check_ok: bool = True
    check_problems: list[str] = field(default_factory=list)
    #: entries whose "written down" time looks wrong (earlier than the entry before, or future)
    clock_notes: list[str] = field(default_factory=list)
    #: first of each serious kind in the whole diary, oldest first
    firsts: list[FirstSeen] = field(default_factory=list)
    #: entry numbers missing from this report because they are private
    private_gaps: int = 0
    #: (incident id, person id) -> the person as the entry recorded them, when different now
    people_then: dict[tuple[int, int], Any] = field(default_factory=dict)
    orders: list[CourtOrder] = field(default_factory=list)
    #: reduced copies of the pictures for the appendix, by evidence id
    pictures: dict[Any, bytes] = field(default_factory=dict)
    #: imported messages linked to each chosen entry (oldest first), by incident id
    messages: dict[int, list[Any]] = field(default_factory=dict)
    #: the conversations those messages come from, by conversation id
    conversations: dict[int, Any] = field(default_factory=dict)

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
    vault: Any,
    incidents: list[Incident],
    options: ReportOptions,
    *,
    thumbnails: bool,
    cancel: CancelFn | None,
) -> tuple[list[EvidenceItem], dict[int, list[EvidenceItem]]]:
    """Live evidence linked to the chosen entries, marked RW/1, RW/2 … in the order of the
    entries (the order things happened), with thumbnails."""
    store = vault.evidence
    numbers = {i.id: i.number for i in incidents}
    position = {i.id: index for index, i in enumerate(incidents)}
    through_messages = vault.messages.evidence_links()  # exports and their attached files
    found: list[tuple[int, int, Any, list[int]]] = []
    for record in store.list():
        reached = set(record.incident_ids) | through_messages.get(record.id, set())
        linked = sorted(i for i in reached if i in numbers)
        if linked:  # else not linked to an entry in this report (or only to private ones)
            found.append((min(position[i] for i in linked), record.number, record, linked))
    found.sort(key=lambda f: (f[0], f[1]))
    prefix = options.mark_prefix
    items: list[EvidenceItem] = []
    for index, (_pos, _num, record, linked) in enumerate(found, start=1):
        if cancel is not None and cancel():
            raise ReportCancelled("The report was stopped.")
        thumb = None
        if thumbnails and record.has_thumbnail:
            with contextlib.suppress(VaultError):
                thumb = store.thumbnail(record.id)
        meta = record.metadata or {}
        camera = " ".join(str(meta[k]) for k in ("camera_make", "camera_model") if meta.get(k))
        gps = None
        if isinstance(meta.get("gps_lat"), float | int) and isinstance(
            meta.get("gps_lon"), float | int
        ):
            gps = (float(meta["gps_lat"]), float(meta["gps_lon"]))
        duration = meta.get("duration_seconds", meta.get("duration"))
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
                incident_numbers=tuple(sorted(numbers[i] for i in linked)),
                incident_ids=tuple(linked),
                thumbnail=thumb,
                mark=f"{prefix}/{index}",
                description=record.description,
                original_location=record.original_location,
                gps=gps,
                duration=float(duration) if isinstance(duration, float | int) else None,
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


def _firsts(whole: list[Incident], options: ReportOptions) -> list[FirstSeen]:
    """First of each serious kind in the whole diary (same filters, any date)."""
    seen: dict[str, FirstSeen] = {}
    for incident in whole:  # in the order things happened
        for kind in taxonomy.SERIOUS_KINDS:
            if kind in incident.kinds and kind not in seen:
                before = options.start is not None and incident.occurred_at < options.start
                seen[kind] = FirstSeen(kind, incident.occurred_at, incident.number, before)
    return sorted(seen.values(), key=lambda f: (f.on, f.number))


def _clock_notes(oddities: list[Any], incidents: list[Incident]) -> list[str]:
    """What ``verify()`` found odd about the computer's clock, for this report's entries
    (and for changes that are not entries, such as to a person); private entries left out."""
    shown = {i.number for i in incidents}
    notes = []
    for odd in oddities:
        number = odd.incident_number
        if number is None:
            notes.append(odd.message)
        elif number in shown:
            notes.append(f"Entry No. {number}: {odd.message}")
    return notes


def earlier_names(data: ReportData, person_id: int) -> list[tuple[str, list[int], datetime]]:
    """(name the entries recorded, their numbers, when the name changed) for a person
    whose name was changed after entries about them were written."""
    found: dict[str, tuple[list[int], datetime]] = {}
    for incident in data.incidents:
        then = data.people_then.get((incident.id, person_id))
        if then is not None:
            numbers, _changed = found.setdefault(then[0].name, ([], then[1]))
            numbers.append(incident.number)
    return [(name, numbers, changed) for name, (numbers, changed) in found.items()]


def _people_then(
    vault: Any, incidents: list[Incident], people: dict[int, Person]
) -> dict[tuple[int, int], tuple[Person, datetime]]:
    """For each (entry, person) whose name has changed since the entry was written:
    the person as the entry recorded them and the date the name changed."""
    versions: dict[int, list[tuple[datetime, Person]]] = {}
    out: dict[tuple[int, int], tuple[Person, datetime]] = {}
    for incident in incidents:
        for pid in incident.people:
            if pid not in people:
                continue
            if pid not in versions:
                versions[pid] = [(v.saved_at, v.person) for v in vault.people.history(pid)]
            history = versions[pid]
            if len(history) < 2:
                continue
            then = history[0]
            for saved, person in history:
                if saved <= incident.recorded_at:
                    then = (saved, person)
            if then[1].name == people[pid].name:
                continue
            changed = next(
                (saved for saved, p in history if saved > then[0] and p.name != then[1].name),
                history[-1][0],
            )
            out[(incident.id, pid)] = (then[1], changed)
    return out


def collect(
    vault: Any,
    options: ReportOptions,
    *,
    thumbnails: bool | None = None,
    cancel: CancelFn | None = None,
    check: bool = True,
    check_progress: ProgressFn | None = None,
) -> ReportData:
    """Read everything a report or export needs from the vault.

    With ``check`` the vault is verified first (``vault.verify()``, reporting its
    progress to ``check_progress``) so the report can say plainly whether its
    fingerprint and files check out.
    """
    generated_at = now()
    check_ok, problems, oddities = True, [], []
    fingerprint = vault.fingerprint
    if check:
        result = vault.verify(progress=check_progress)
        check_ok, problems = bool(result.ok), list(result.problems)
        oddities = list(result.clock)
        fingerprint = result.fingerprint or fingerprint
    incidents = select_incidents(vault, options)
    want_thumbs = options.include_thumbnails if thumbnails is None else thumbnails
    evidence, by_incident = _evidence_items(
        vault, incidents, options, thumbnails=want_thumbs, cancel=cancel
    )
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
    # firsts come from the whole diary: only serious entries before the period are read
    earlier: list[Incident] = []
    if options.start is not None:
        wanted = set(taxonomy.SERIOUS_KINDS) & set(options.kinds or taxonomy.SERIOUS_KINDS)
        if wanted:
            earlier = select_incidents(
                vault, replace(options, start=None, end=options.start, kinds=frozenset(wanted))
            )
    private_gaps = 0
    if not options.include_private:
        if options.people is None:
            every = vault.incidents.ids(
                start=options.start, end=options.end, kinds=options.kinds, include_private=True
            )
            private_gaps = len(every) - len(incidents)
        else:
            every_list = select_incidents(vault, replace(options, include_private=True))
            private_gaps = len(every_list) - len(incidents)
    people = {p.id: p for p in vault.people.list()}
    messages = {i.id: found for i in incidents if (found := vault.messages.for_incident(i.id))}
    conversations = {
        c.id: c
        for c in vault.messages.conversations()
        if any(m.conversation_id == c.id for found in messages.values() for m in found)
    }
    return ReportData(
        options=options,
        generated_at=generated_at,
        fingerprint=fingerprint,
        incidents=incidents,
        people=people,
        evidence=evidence,
        evidence_by_incident=by_incident,
        summary=summary,
        checklist=checklist,
        checklist_count=count,
        history=history,
        check_ok=check_ok,
        check_problems=problems,
        clock_notes=_clock_notes(oddities, incidents),
        firsts=_firsts([*earlier, *incidents], options),
        private_gaps=private_gaps,
        people_then=_people_then(vault, incidents, people),
        orders=vault.orders.list(),
        messages=messages,
        conversations=conversations,
    )


# ----------------------------------------------------------------------------- formatting


def fmt_date(value: date) -> str:
    """``12 Feb 2026`` (English month names whatever the locale)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fmt_weekday(value: datetime) -> str:
    """``Thu``."""
    return DAYS[value.weekday()]


def fmt_datetime(
    value: datetime,
    *,
    weekday: bool = False,
    zone: bool = False,
    home: datetime | None = None,
) -> str:
    """``Thu 12 Feb 2026, 21:40`` in the datetime's own time zone.

    ``zone``: always add the offset; ``home``: add it when it differs from home's
    (the report's zone, stated once on the cover).
    """
    text = f"{fmt_date(value)}, {value:%H:%M}"
    if weekday:
        text = f"{DAYS[value.weekday()]} {text}"
    if zone or not same_zone(value, home):
        text += f" ({fmt_offset(value)})"
    return text


def same_zone(value: datetime, home: datetime | None) -> bool:
    """Whether ``value`` has home's UTC offset (True when there is no home)."""
    return home is None or value.utcoffset() == home.utcoffset()


def fmt_clock(value: datetime, home: datetime | None = None) -> str:
    """``21:40``, with `` UTC+01:00`` after it when its offset is not home's."""
    return f"{value:%H:%M}" + ("" if same_zone(value, home) else f" {fmt_offset(value)}")


def fmt_offset(value: datetime) -> str:
    """``UTC+01:00``."""
    offset = value.utcoffset()
    if offset is None:
        return "local time"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def fmt_when(incident: Incident, *, zone: bool = False, home: datetime | None = None) -> str:
    """When it happened, with the end time and "approx." where they apply; the offset
    always with ``zone``, or when it is not home's."""
    start = incident.occurred_at
    text = fmt_datetime(start, weekday=True)
    until = incident.occurred_until
    if until is not None:
        until = until.astimezone(start.tzinfo)
        if until.date() == start.date():
            text += f" to {until:%H:%M}"
        else:
            text += f" to {fmt_datetime(until, weekday=True)}"
    if zone or not same_zone(start, home):
        text += f" ({fmt_offset(start)})"
    return ("approx. " + text) if incident.approximate else text


def fmt_size(size: int | None) -> str:
    """``1,234,567 bytes (1.2 MB)``."""
    return exact_size_text(size)
