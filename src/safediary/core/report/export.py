"""Export the diary's data as CSV or JSON for advocates and solicitors.

The export chooses entries exactly as the report does (private entries are
left out unless asked for) and is written atomically where the user chose:
the file is built in memory, then written to a temporary name in the same
folder, flushed to disk and renamed. CSV cells that a spreadsheet would run as
a formula are prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from safediary.core.diary import taxonomy
from safediary.core.diary.incidents import Incident
from safediary.core.fsutil import atomic_write
from safediary.core.report.data import ReportData, ReportOptions, collect

__all__ = ["CSV_COLUMNS", "FORMAT", "export_csv", "export_json", "safe_cell"]

FORMAT = "safediary.export"
VERSION = 1

CSV_COLUMNS: tuple[str, ...] = (
    "entry_no",
    "happened_at",
    "happened_until",
    "approximate",
    "written_down_at",
    "version",
    "amended_at",
    "location",
    "contact_method",
    "kinds",
    "description",
    "exact_words",
    "feelings",
    "impact",
    "people",
    "witnesses",
    "others_present",
    "court_order_breached",
    "reported_to",
    "officer",
    "crime_reference",
    "evidence",
    "evidence_sha256",
    "originals_kept_at",
    "tags",
    "private",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def safe_cell(value: str) -> str:
    """Make a CSV cell that spreadsheets show as text, never run as a formula."""
    value = _SURROGATES.sub("\ufffd", value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _kinds(incident: Incident) -> list[str]:
    order = {k: n for n, k in enumerate(taxonomy.KIND_IDS)}
    return sorted(incident.kinds, key=lambda k: order.get(k, len(order)))


def _record(incident: Incident, data: ReportData) -> dict[str, Any]:
    """One entry as plain JSON-able values (feelings left out when the options say so)."""
    evidence = data.evidence_by_incident.get(incident.id, [])
    feelings = data.options.include_feelings
    return {
        "entry_no": incident.number,
        "happened_at": incident.occurred_at.isoformat(),
        "happened_until": incident.occurred_until.isoformat() if incident.occurred_until else None,
        "approximate": incident.approximate,
        "written_down_at": incident.recorded_at.isoformat(),
        "version": incident.revision,
        "amended_at": incident.saved_at.isoformat() if incident.amended else None,
        "location": incident.location,
        "contact_method": incident.contact_method,
        "kinds": _kinds(incident),
        "description": incident.description,
        "exact_words": incident.exact_words,
        "feelings": incident.feelings if feelings else None,
        "impact": incident.impact if data.options.include_impact else None,
        "people": [data.people[p].name for p in incident.people if p in data.people],
        "witnesses": incident.witnesses,
        "others_present": incident.others_present,
        "court_order_breached": incident.order_breached,
        "reported_to": incident.reported_to,
        "officer": incident.officer,
        "crime_reference": incident.police_reference,
        "evidence": [e.ref for e in evidence],
        "evidence_sha256": [e.sha256 for e in evidence],
        "originals_kept_at": incident.evidence_location,
        "tags": list(incident.tags),
        "private": incident.private,
    }


def _csv_value(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if key == "kinds":
            value = [taxonomy.label(k) for k in value]
        return "; ".join(str(v) for v in value)
    return str(value)


def export_csv(vault: Any, dest: Path | str, options: ReportOptions | None = None) -> Path:
    """Write the chosen entries as CSV (UTF-8 with a BOM so spreadsheets read accents)."""
    data = collect(vault, options or ReportOptions(), thumbnails=False, check=False)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for incident in data.incidents:
        record = _record(incident, data)
        writer.writerow([safe_cell(_csv_value(k, record[k])) for k in CSV_COLUMNS])
    dest = Path(dest)
    atomic_write(dest, buffer.getvalue().encode("utf-8-sig"))
    return dest


def export_json(vault: Any, dest: Path | str, options: ReportOptions | None = None) -> Path:
    """Write the chosen entries, people involved and evidence list as one JSON document."""
    options = options or ReportOptions()
    data = collect(vault, options, thumbnails=False, check=False)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": data.generated_at.isoformat(),
        "diary_fingerprint": data.fingerprint,
        "options": {
            "start": options.start.isoformat() if options.start else None,
            "end": options.end.isoformat() if options.end else None,
            "kinds": sorted(options.kinds) if options.kinds is not None else None,
            "include_feelings": options.include_feelings,
            "include_impact": options.include_impact,
            "include_private": options.include_private,
        },
        "kinds": {k: taxonomy.label(k) for k in taxonomy.KIND_IDS},
        "people": [
            {
                "name": p.name,
                "relationship": p.relationship,
                "description": p.description,
                "vehicle": p.vehicle,
                "notes": p.notes,
            }
            for p in data.people_involved
        ],
        "incidents": [_record(i, data) for i in data.incidents],
        "evidence": [
            {
                "mark": e.mark,
                "ref": e.ref,
                "description": e.description,
                "original_location": e.original_location,
                "original_name": e.original_name,
                "type": e.mime or e.kind,
                "size": e.size,
                "sha256": e.sha256,
                "file_modified_at": e.modified_at.isoformat() if e.modified_at else None,
                "captured_at": e.captured_at,
                "camera": e.camera or None,
                "imported_at": e.imported_at.isoformat() if e.imported_at else None,
                "entries": list(e.incident_numbers),
            }
            for e in data.evidence
        ],
    }
    try:
        text = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: keep it exact as a \u escape
        text = json.dumps(document, ensure_ascii=True, indent=2).encode("ascii")
    dest = Path(dest)
    atomic_write(dest, text + b"\n")
    return dest
