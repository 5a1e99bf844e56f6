"""The incident list as a Qt table model (no widget per row), and what it shows."""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from safediary.core import Vault
from safediary.core.diary.incidents import Incident
from safediary.core.diary.taxonomy import label

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


def load_ids(vault: Vault, query: Query) -> list[int]:
    """The ids a query shows, in order, without decoding any entry (cheap at 100,000)."""
    start = _local_midnight(query.start) if query.start else None
    end = _local_midnight(query.end + timedelta(days=1)) if query.end else None
    kinds = {query.kind} if query.kind else None
    if query.text.strip():
        found = vault.incidents.search_ids(query.text, newest_first=query.newest_first)
        if start is None and end is None and kinds is None:
            return found
        # Search, then keep what the filters allow (an index read, no decoding).
        allowed = set(vault.incidents.ids(start=start, end=end, kinds=kinds))
        return [i for i in found if i in allowed]
    return vault.incidents.ids(newest_first=query.newest_first, start=start, end=end, kinds=kinds)


def load_incidents(vault: Vault, query: Query) -> list[Incident]:
    """Run a query against the vault (search, date range, kind, order)."""
    return vault.incidents.get_many(load_ids(vault, query))


def evidence_counts(vault: Vault) -> dict[int, int]:
    """Live evidence items per incident id."""
    result: dict[int, int] = {}
    for item in vault.evidence.list():
        for incident_id in item.incident_ids:
            result[incident_id] = result.get(incident_id, 0) + 1
    return result


class IncidentTableModel(QAbstractTableModel):
    """Rows of incidents, fetched a page at a time as the view asks for them.

    The model holds only the ordered ids of what the query shows; entries are
    decoded (and their display text made) for the pages the view paints, and at
    most ``MAX_PAGES`` pages are kept, so a diary of 100,000 entries opens at
    once and memory does not grow with every entry ever written.
    """

    PAGE = 100
    MAX_PAGES = 24

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._ids: list[int] = []
        self._total = 0
        self._fetch: Callable[[Sequence[int]], list[Incident]] = lambda ids: []
        self._pages: OrderedDict[int, list[tuple[Incident, tuple[str, ...]]]] = OrderedDict()
        self._counts: dict[int, int] = {}
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_rows(
        self,
        ids: Sequence[int],
        fetch: Callable[[Sequence[int]], list[Incident]],
        counts: dict[int, int],
        total: int | None = None,
    ) -> None:
        """Show these incident ids; ``fetch(ids)`` returns the entries for a page of them.

        ``total`` (more than ``len(ids)``) shows that many rows when only the first ids
        are known yet; the rest stay blank until the next ``set_rows``.
        """
        self.beginResetModel()
        self._total = max(len(ids), total or 0)
        self._ids = list(ids)
        self._fetch = fetch
        self._counts = counts
        self._pages = OrderedDict()
        self.endResetModel()

    def set_incidents(self, incidents: list[Incident], counts: dict[int, int]) -> None:
        """Show entries already decoded (small lists, tests)."""
        by_id = {i.id: i for i in incidents}
        self.set_rows(list(by_id), lambda ids: [by_id[i] for i in ids], counts)

    def _page(self, page: int) -> list[tuple[Incident, tuple[str, ...]]]:
        rows = self._pages.get(page)
        if rows is None:
            ids = self._ids[page * self.PAGE : (page + 1) * self.PAGE]
            by_id = {i.id: i for i in self._fetch(ids)}
            # an id whose entry went away meanwhile shows an empty row, never another entry
            rows = [(by_id.get(i) or _missing(i), self._text(by_id.get(i))) for i in ids]
            self._pages[page] = rows
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return rows

    def _text(self, i: Incident | None) -> tuple[str, ...]:
        if i is None:
            return ("",) * len(COLUMNS)
        return (
            str(i.number),
            when_text(i),
            i.location.splitlines()[0] if i.location else "",
            kinds_text(i),
            i.summary + ("  (private)" if i.private else ""),
            str(self._counts.get(i.id, 0) or ""),
            reported_text(i),
        )

    def _row(self, row: int) -> tuple[Incident, tuple[str, ...]]:
        if row >= len(self._ids):  # counted, not listed yet (the window's first moment)
            return _missing(0), self._text(None)
        return self._page(row // self.PAGE)[row % self.PAGE]

    def _row_text(self, row: int) -> tuple[str, ...]:
        return self._row(row)[1]

    def incident(self, row: int) -> Incident:
        return self._row(row)[0]

    def incident_id(self, row: int) -> int:
        return self._ids[row] if row < len(self._ids) else -1

    def row_of(self, incident_id: int) -> int:
        try:
            return self._ids.index(incident_id)
        except ValueError:
            return -1

    def cached_pages(self) -> int:
        """How many pages of entries the model holds now (bounded by ``MAX_PAGES``)."""
        return len(self._pages)

    # -- QAbstractTableModel ------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

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
        if role == Qt.ItemDataRole.FontRole and self._row(row)[0].private:
            return self._italic
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self.incident_id(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None


def _missing(incident_id: int) -> Incident:
    """A placeholder for an entry that went away between listing and showing."""
    from safediary.core.timeutil import now

    stamp = now()
    return Incident(incident_id, 0, stamp, 0, stamp, stamp)
