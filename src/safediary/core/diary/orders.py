"""Court orders and bail conditions as records (``vault.orders``).

An order has a kind, the court, its reference, the date it was made, the date
it expires (if any) and its conditions in the user's words. Every save is a
version in the diary's hash chain (``history``). An entry names the order it
broke with ``vault.incidents.add(..., breached_order=order.id)``.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from safediary.core import ledger
from safediary.core.errors import InvalidInput, NotFound
from safediary.core.timeutil import from_text, now, to_text

if TYPE_CHECKING:
    from safediary.core.vault.db import Database

#: Stable ids (stored) and the words shown for them.
ORDER_KINDS: dict[str, str] = {
    "non_molestation_order": "Non-molestation order",
    "restraining_order": "Restraining order",
    "stalking_protection_order": "Stalking protection order",
    "domestic_abuse_protection_order": "Domestic abuse protection order",
    "occupation_order": "Occupation order",
    "injunction": "Injunction",
    "bail_conditions": "Bail conditions",
    "other": "Other order",
}
_TEXT_FIELDS = ("court", "reference", "conditions", "notes")
_MAX_TEXT = 100_000


@dataclass(frozen=True)
class CourtOrder:
    """One court order (or set of bail conditions) as of its latest version."""

    id: int
    kind: str
    court: str
    reference: str
    made_on: date | None
    expires_on: date | None
    conditions: str
    notes: str
    created_at: datetime
    updated_at: datetime

    @property
    def label(self) -> str:
        """The kind in words, e.g. "Non-molestation order"."""
        return ORDER_KINDS.get(self.kind, self.kind)

    def in_force(self, on: date) -> bool:
        """True when the order was made on or before ``on`` and has not expired by then."""
        if self.made_on is not None and on < self.made_on:
            return False
        return self.expires_on is None or on <= self.expires_on


@dataclass(frozen=True)
class OrderVersion:
    """One saved version of an order."""

    order_id: int
    version: int
    saved_at: datetime
    order: CourtOrder


def _date(name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{name.replace('_', ' ')} must be a date (or None).")
    return value.isoformat()


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    known = {"kind", "made_on", "expires_on", *_TEXT_FIELDS}
    unknown = set(values) - known
    if unknown:
        raise InvalidInput(f"Unknown court-order field(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "kind":
            if value not in ORDER_KINDS:
                raise InvalidInput(
                    f"“{value}” is not a kind of order SafeDiary knows; use one of "
                    + ", ".join(ORDER_KINDS)
                    + "."
                )
            out[name] = value
        elif name in ("made_on", "expires_on"):
            out[name] = _date(name, value)
        else:
            text = "" if value is None else value
            if not isinstance(text, str) or len(text) > _MAX_TEXT:
                raise InvalidInput(f"The {name} must be text (up to 100,000 characters).")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput(
                    f"The {name} contains a broken character (perhaps half of an emoji)."
                ) from None
            out[name] = text
    return out


_COLUMNS = (
    "id, kind, court, reference, made_on, expires_on, conditions, notes, created_at, updated_at"
)


def _order(row: Any) -> CourtOrder:
    return CourtOrder(
        id=row[0],
        kind=row[1],
        court=row[2],
        reference=row[3],
        made_on=date.fromisoformat(row[4]) if row[4] else None,
        expires_on=date.fromisoformat(row[5]) if row[5] else None,
        conditions=row[6],
        notes=row[7],
        created_at=from_text(row[8]),
        updated_at=from_text(row[9]),
    )


class Orders:
    """The ``vault.orders`` collection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        kind: str,
        *,
        court: str = "",
        reference: str = "",
        made_on: date | None = None,
        expires_on: date | None = None,
        conditions: str = "",
        notes: str = "",
    ) -> CourtOrder:
        """Record a court order (or bail conditions) and return it."""
        clean = _validate(
            {
                "kind": kind,
                "court": court,
                "reference": reference,
                "made_on": made_on,
                "expires_on": expires_on,
                "conditions": conditions,
                "notes": notes,
            }
        )
        _check_dates(clean["made_on"], clean["expires_on"])
        stamp = now()
        with self._db.transaction() as tx:
            cur = tx.execute(
                "INSERT INTO orders (kind, court, reference, made_on, expires_on, conditions,"
                " notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    clean["kind"],
                    clean["court"],
                    clean["reference"],
                    clean["made_on"],
                    clean["expires_on"],
                    clean["conditions"],
                    clean["notes"],
                    to_text(stamp),
                    to_text(stamp),
                ),
            )
            order_id = int(cur.lastrowid)
            ledger.record(tx, "orders", order_id, at=stamp)
        return self.get(order_id)

    def update(self, order_id: int, **values: Any) -> CourtOrder:
        """Save a new version with the given fields changed; earlier versions are kept."""
        clean = _validate(values)
        with self._db.transaction() as tx:
            row = tx.execute(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no court order with id {order_id}.")
            current = _order(row)
            made = clean.get("made_on", row[4])
            expires = clean.get("expires_on", row[5])
            _check_dates(made, expires)
            if not clean:
                return current
            ledger.update(tx, "orders", order_id, clean)
        return self.get(order_id)

    def get(self, order_id: int) -> CourtOrder:
        rows = self._db.query(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,))
        if not rows:
            raise NotFound(f"There is no court order with id {order_id}.")
        return _order(rows[0])

    def list(self) -> list[CourtOrder]:
        """Every order, oldest made first (orders without a date last)."""
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM orders ORDER BY made_on IS NULL, made_on, id"
        )
        return [_order(r) for r in rows]

    def in_force(self, on: date) -> builtins.list[CourtOrder]:
        """Orders in force on a day."""
        return [o for o in self.list() if o.in_force(on)]

    def history(self, order_id: int) -> builtins.list[OrderVersion]:
        """Every saved version of an order, oldest first."""
        self.get(order_id)
        result: builtins.list[OrderVersion] = []
        for entry in ledger.versions(self._db, "orders", order_id):
            if entry.row is None:
                continue
            r = entry.row
            row = (
                order_id,
                r["kind"],
                r["court"],
                r["reference"],
                r["made_on"],
                r["expires_on"],
                r["conditions"],
                r["notes"],
                r["created_at"],
                r["updated_at"],
            )
            result.append(OrderVersion(order_id, len(result) + 1, entry.at, _order(row)))
        return result

    def breaches(self, order_id: int) -> builtins.list[int]:
        """Ids of the entries (latest versions) that name this order as broken."""
        self.get(order_id)
        rows = self._db.query(
            "SELECT id FROM incidents WHERE json_extract(data, '$.breached_order') = ?"
            " ORDER BY occurred_utc, number",
            (order_id,),
        )
        return [int(r[0]) for r in rows]


def _check_dates(made: str | None, expires: str | None) -> None:
    if made is not None and expires is not None and expires < made:
        raise InvalidInput("The order cannot expire before it was made.")
