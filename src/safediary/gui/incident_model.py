"""The incident list as a Qt table model (no widget per row), and what it shows."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from safediary.core import Vault
from safediary.core.incidents import Incident
from safediary.core.taxonomy import label

COLUMNS = (
    "No.",
    "When",
    "Where",
    "Kinds",
    "What happened",
    "Evidence",
    "Reported / crime ref.",
)

_Index = QModelIndex | QPersistentModelIndex


def when_text(incident: Incident) -> str:
    """'Tue 4 Mar 2025, 21:14' in local time, 'about …' if approximate, '– 22:00' if a range."""
    start = incident.occurred_at.astimezone()
    text = f"{start:%a} {start.day} {start:%b %Y, %H:%M}"
    if incident.occurred_until is not None:
        end = incident.occurred_until.astimezone()
        text += f" – {end:%H:%M}" if end.date() == start.date() else f" – {end.day} {end:%b %H:%M}"
    if incident.approximate:
        text = "about " + text
    return text


def reported_text(incident: Incident) -> str:
    parts = [p for p in (incident.reported_to.strip(), incident.police_reference.strip()) if p]
    return " · ".join(parts)


def kinds_text(incident: Incident) -> str:
    return ", ".join(sorted(label(k) for k in incident.kinds))


@dataclass(frozen=True)
class Query:
    """What the user asked the list to show."""

    text: str = ""
    newest_first: bool = True
    start: date | None = None
    end: date | None = None  # inclusive
    kind: str | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.text.strip() or self.start or self.end or self.kind)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0)).astimezone()


def load_incidents(vault: Vault, query: Query) -> list[Incident]:
    """Run a query against the vault (search, date range, kind, order)."""
    start = _local_midnight(query.start) if query.start else None
    end = _local_midnight(query.end + timedelta(days=1)) if query.end else None
    kinds = {query.kind} if query.kind else None
    if query.text.strip():
        found = vault.incidents.search(query.text, newest_first=query.newest_first)
        return [
            i
            for i in found
            if (start is None or i.occurred_at >= start)
            and (end is None or i.occurred_at < end)
            and (kinds is None or i.kinds & kinds)
        ]
    return vault.incidents.list(newest_first=query.newest_first, start=start, end=end, kinds=kinds)


def evidence_counts(vault: Vault) -> dict[int, int]:
    """Live evidence items per incident id."""
    result: dict[int, int] = {}
    for item in vault.evidence.list():
        for incident_id in item.incident_ids:
            result[incident_id] = result.get(incident_id, 0) + 1
    return result


class IncidentTableModel(QAbstractTableModel):
    """Rows of incidents with their display text computed once per load."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._incidents: list[Incident] = []
        self._rows: dict[int, tuple[str, ...]] = {}
        self._counts: dict[int, int] = {}
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_incidents(self, incidents: list[Incident], counts: dict[int, int]) -> None:
        """Replace the rows; display text is made only for rows the view asks for."""
        self.beginResetModel()
        self._incidents = list(incidents)
        self._counts = counts
        self._rows = {}
        self.endResetModel()

    def _row_text(self, row: int) -> tuple[str, ...]:
        text = self._rows.get(row)
        if text is None:
            i = self._incidents[row]
            text = (
                str(i.number),
                when_text(i),
                i.location.splitlines()[0] if i.location else "",
                kinds_text(i),
                i.summary + ("  (private)" if i.private else ""),
                str(self._counts.get(i.id, 0) or ""),
                reported_text(i),
            )
            self._rows[row] = text
        return text

    def incident(self, row: int) -> Incident:
        return self._incidents[row]

    def row_of(self, incident_id: int) -> int:
        for row, incident in enumerate(self._incidents):
            if incident.id == incident_id:
                return row
        return -1

    # -- QAbstractTableModel ------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._incidents)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._row_text(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            # Qt guesses rich text in tooltips: escape what the user wrote.
            return "<p>" + html.escape(self._row_text(row)[4]) + "</p>"
        if role == Qt.ItemDataRole.FontRole and self._incidents[row].private:
            return self._italic
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self._incidents[row].id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None
