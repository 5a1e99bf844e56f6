"""The ledger: one append-only hash chain over every change to the diary.

Each entry records one record's state after a change: which table, which
record (its key) and a snapshot of the columns that matter (``None`` when the
record was deleted). Entry *n* hashes entry *n-1*'s hash together with the
canonical JSON of the entry, so changing, removing or re-ordering any entry
breaks the chain. The head of the chain is the diary's fingerprint.

Features put a table under the chain with :func:`register` and call
:func:`record` inside the same transaction as every change to it::

    ledger.register("messages", key=("id",), columns=("conversation_id", "text"),
                    label="message")
    with db.transaction() as tx:
        cur = tx.execute("INSERT INTO messages ...")
        ledger.record(tx, "messages", cur.lastrowid)

:func:`verify` walks the chain and replays it: any covered row whose current
content differs from its last recorded state was changed without the app.
Times are the computer's clock: :func:`verify` reports clock oddities (a time
earlier than the change before it, or in the future) as warnings, apart from
tampering problems.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from safediary.core.timeutil import from_text, now, to_text

if TYPE_CHECKING:
    from safediary.core.vault.db import _Tx

__all__ = [
    "GENESIS",
    "ClockOddity",
    "Entry",
    "LedgerReport",
    "TableSpec",
    "append",
    "covered_tables",
    "entries",
    "hash_at",
    "head",
    "record",
    "register",
    "verify",
    "versions",
]

GENESIS = "0" * 64
#: A written-down time this much earlier than the one before it is a clock oddity
#: (small steps are the clock being corrected, not worth a warning).
CLOCK_TOLERANCE = timedelta(minutes=2)
#: A written-down time this far ahead of now is "in the future".
FUTURE_TOLERANCE = timedelta(minutes=10)


class _Queryable(Protocol):
    def query(self, sql: str, params: Any = ()) -> list[Any]: ...


@dataclass(frozen=True)
class TableSpec:
    """A table under the chain: its key columns, the columns recorded, a word for it."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    label: str
    blobs: frozenset[str] = frozenset()


_TABLES: dict[str, TableSpec] = {}


def register(
    table: str,
    *,
    key: Sequence[str],
    columns: Sequence[str],
    label: str,
    blobs: Iterable[str] = (),
) -> TableSpec:
    """Put ``table`` under the chain (idempotent). BLOB columns are recorded by SHA-256."""
    for name in (table, *key, *columns):
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain SQL name: {name!r}")
    spec = TableSpec(table, tuple(key), tuple(columns), label, frozenset(blobs))
    _TABLES[table] = spec
    return spec


def covered_tables() -> dict[str, TableSpec]:
    """Every table under the chain, by name."""
    return dict(_TABLES)


@dataclass(frozen=True)
class Entry:
    """One ledger entry: a record's state after a change (``row`` None = deleted)."""

    seq: int
    at: datetime
    table: str
    key: tuple[Any, ...]
    row: dict[str, Any] | None
    hash: str


def dumps(obj: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, ASCII): the form that is hashed."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _hash(prev: str, data: str) -> str:
    return hashlib.sha256(prev.encode("ascii") + data.encode("ascii")).hexdigest()


def _value(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    return value


def _key_text(key: Sequence[Any]) -> str:
    """``dumps(list(key))``, with a fast path for the usual ids (ints, hex strings)."""
    parts = []
    for k in key:
        if type(k) is int:
            parts.append(str(k))
        elif type(k) is str and k.isascii() and k.isalnum():
            parts.append(f'"{k}"')
        else:
            return dumps(list(key))
    return "[" + ",".join(parts) + "]"


def _snapshot(spec: TableSpec, values: Sequence[Any]) -> dict[str, Any]:
    return {c: _value(v) for c, v in zip(spec.columns, values, strict=True)}


def _spec(table: str) -> TableSpec:
    try:
        return _TABLES[table]
    except KeyError:
        raise ValueError(f"table {table!r} is not under the chain; register it first") from None


# ----------------------------------------------------------------------------- writing


def head_in(tx: _Tx) -> tuple[int, str]:
    """(number of entries, head hash) inside a transaction."""
    row = tx.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def append(
    tx: _Tx,
    table: str,
    key: Sequence[Any],
    row: dict[str, Any] | None,
    at: datetime | None = None,
) -> str:
    """Append one entry (a record's state) to the chain; return the new head."""
    seq, prev = head_in(tx)
    seq += 1
    stamp = to_text(at or now())
    data = dumps({"seq": seq, "at": stamp, "table": table, "key": list(key), "row": row})
    digest = _hash(prev, data)
    tx.execute(
        "INSERT INTO ledger (seq, at, tbl, key, data, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, stamp, table, _key_text(key), data, prev, digest),
    )
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('ledger_head', ?), ('ledger_count', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (digest, str(seq)),
    )
    return digest


def record(tx: _Tx, table: str, *key: Any, at: datetime | None = None) -> str | None:
    """Append the current state of one record of a covered table to the chain.

    Call it inside the transaction that changed the record, after the change.
    A deleted record is recorded as deleted. Nothing is appended when the state
    is the same as last recorded; returns the new head, or None then.
    """
    spec = _spec(table)
    if len(key) != len(spec.key):
        raise ValueError(f"{table} is keyed by {spec.key}")
    where = " AND ".join(f"{k} = ?" for k in spec.key)
    found = tx.execute(
        f"SELECT {', '.join(spec.columns)} FROM {table} WHERE {where}", tuple(key)
    ).fetchone()
    row = None if found is None else _snapshot(spec, found)
    last = tx.execute(
        "SELECT data FROM ledger WHERE tbl = ? AND key = ? ORDER BY seq DESC LIMIT 1",
        (table, _key_text(key)),
    ).fetchone()
    if last is not None and json.loads(last[0])["row"] == row:
        return None
    if last is None and row is None:
        return None
    return append(tx, table, key, row, at)


def update(tx: _Tx, table: str, row_id: int, values: dict[str, Any]) -> datetime:
    """Change the named columns of one row (and its ``updated_at``), then record the new
    version in the chain; returns the time stamped. ``values`` names checked columns only."""
    stamp = now()
    sets = ", ".join(f"{k} = ?" for k in values)
    tx.execute(
        f"UPDATE {table} SET {sets}, updated_at = ? WHERE id = ?",
        (*values.values(), to_text(stamp), row_id),
    )
    record(tx, table, row_id, at=stamp)
    return stamp


def record_all(tx: _Tx, table: str, at: datetime | None = None) -> int:
    """Record every row of a table (used once when a table comes under the chain)."""
    spec = _spec(table)
    keys = ", ".join(spec.key)
    rows = tx.execute(f"SELECT {keys} FROM {table} ORDER BY {keys}").fetchall()
    for key in rows:
        record(tx, table, *key, at=at)
    return len(rows)


# ----------------------------------------------------------------------------- reading


def head(db: _Queryable) -> tuple[int, str]:
    """(number of entries, head hash): the head hash is the diary's fingerprint."""
    rows = db.query("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS)


def hash_at(db: _Queryable, seq: int) -> str | None:
    """The hash of entry ``seq`` (None if there is no such entry)."""
    if seq == 0:
        return GENESIS
    rows = db.query("SELECT hash FROM ledger WHERE seq = ?", (seq,))
    return str(rows[0][0]) if rows else None


def _entry(row: Sequence[Any]) -> Entry:
    seq, data, digest = row
    obj = json.loads(data)
    return Entry(
        seq=int(seq),
        at=from_text(obj["at"]),
        table=obj["table"],
        key=tuple(obj["key"]),
        row=obj["row"],
        hash=str(digest),
    )


def versions(db: _Queryable, table: str, *key: Any) -> list[Entry]:
    """Every recorded state of one record, oldest first."""
    rows = db.query(
        "SELECT seq, data, hash FROM ledger WHERE tbl = ? AND key = ? ORDER BY seq",
        (table, _key_text(key)),
    )
    return [_entry(r) for r in rows]


def entries(db: _Queryable, table: str | None = None) -> list[Entry]:
    """Every entry (of one table, if given), in the order written."""
    if table is None:
        rows = db.query("SELECT seq, data, hash FROM ledger ORDER BY seq")
    else:
        rows = db.query("SELECT seq, data, hash FROM ledger WHERE tbl = ? ORDER BY seq", (table,))
    return [_entry(r) for r in rows]


# ----------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class ClockOddity:
    """A written-down time that cannot be right: earlier than the one before, or future."""

    kind: str  # "backwards" or "future"
    at: datetime
    previous_at: datetime | None
    what: str  # e.g. "entry 12" or "a change to a person"
    incident_number: int | None = None

    @staticmethod
    def _stamp(value: datetime) -> str:
        """``29 November 2026 17:42 UTC+00:00``: with its offset, since two stamps
        either side of a change of zone could otherwise read the wrong way round."""
        text = f"{value:%d %B %Y %H:%M}"
        offset = value.utcoffset()
        if offset is None:
            return text
        minutes = int(offset.total_seconds() // 60)
        sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
        return f"{text} UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"

    @property
    def message(self) -> str:
        when = self._stamp(self.at)
        if self.kind == "future":
            return (
                f"The time {self.what} was written down ({when}) is in the future: "
                "the computer's clock was probably wrong."
            )
        before = self._stamp(self.previous_at) if self.previous_at else "?"
        return (
            f"The time {self.what} was written down ({when}) is earlier than the change "
            f"saved before it ({before}): the computer's clock was probably changed."
        )


@dataclass
class LedgerReport:
    """What walking and replaying the ledger found."""

    length: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)
    clock: list[ClockOddity] = field(default_factory=list)


def verify(db: _Queryable, *, clock_now: datetime | None = None) -> LedgerReport:
    """Walk the chain, replay it, and compare every covered table with it."""
    report = LedgerReport()
    state: dict[tuple[str, str], dict[str, Any] | None] = {}
    prev = GENESIS
    expected = 1
    last_at: datetime | None = None
    horizon = (clock_now or now()) + FUTURE_TOLERANCE
    numbers = dict(db.query("SELECT id, number FROM incidents"))
    broken = 0
    for seq, at, tbl, key, data, prev_hash, digest in db.query(
        "SELECT seq, at, tbl, key, data, prev_hash, hash FROM ledger ORDER BY seq"
    ):
        if seq != expected:
            report.problems.append(f"Change {expected} is missing from the diary's history.")
        expected = seq + 1
        if prev_hash != prev or _hash(prev_hash, data) != digest:
            broken += 1
            if broken <= 20:
                report.problems.append(
                    f"Change {seq} in the diary's history was altered after it was saved."
                )
        prev = digest
        report.length += 1
        try:
            obj = json.loads(data)
            if (obj["seq"], obj["at"], obj["table"], _key_text(obj["key"])) != (
                seq,
                at,
                tbl,
                key,
            ):
                raise ValueError("columns differ from the hashed record")
            stamp = from_text(obj["at"])
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"Change {seq} in the diary's history is unreadable.")
            continue
        state[(tbl, key)] = obj["row"]
        if last_at is not None and stamp < last_at - CLOCK_TOLERANCE:
            report.clock.append(ClockOddity("backwards", stamp, last_at, *_what(tbl, obj, numbers)))
        if stamp > horizon:
            report.clock.append(ClockOddity("future", stamp, None, *_what(tbl, obj, numbers)))
        last_at = stamp if last_at is None else max(last_at, stamp)
    if broken > 20:
        report.problems.append(f"… and {broken - 20} more altered changes.")
    report.head = prev
    meta = dict(
        db.query("SELECT key, value FROM meta WHERE key IN ('ledger_head', 'ledger_count')")
    )
    if (
        meta.get("ledger_head", GENESIS) != prev
        or int(meta.get("ledger_count", 0)) != report.length
    ):
        report.problems.append("The newest part of the diary's history is missing or was replaced.")
    for spec in _TABLES.values():
        report.problems.extend(_compare(db, spec, state))
    return report


def _what(table: str, obj: dict[str, Any], numbers: dict[int, int]) -> tuple[str, int | None]:
    """How to name the change in a warning, and its entry number if it is an entry."""
    row = obj.get("row") or {}
    if table == "revisions":
        number = numbers.get(row.get("incident_id", -1))
        if row.get("revision") == 1:
            return f"entry {number if number is not None else '?'}", number
        return f"a change to entry {number if number is not None else '?'}", number
    spec = _TABLES.get(table)
    return f"a change to a {spec.label if spec else table}", None


def _compare(
    db: _Queryable, spec: TableSpec, state: dict[tuple[str, str], dict[str, Any] | None]
) -> list[str]:
    keys = ", ".join(spec.key)
    try:
        rows = db.query(f"SELECT {keys}, {', '.join(spec.columns)} FROM {spec.table}")
    except Exception:  # a table that this database does not have yet
        return []
    problems: list[str] = []
    seen: set[str] = set()
    width = len(spec.key)
    for row in rows:
        key = _key_text(row[:width])
        seen.add(key)
        recorded = state.get((spec.table, key))
        current = _snapshot(spec, row[width:])
        if recorded is None:
            problems.append(
                f"A {spec.label} ({_show(row[:width])}) was added without SafeDiary: "
                "it is not in the diary's history."
            )
        elif recorded != current:
            changed = sorted(c for c in spec.columns if recorded.get(c) != current.get(c))
            problems.append(
                f"A {spec.label} ({_show(row[:width])}) was changed without SafeDiary "
                f"({', '.join(changed)} differ from the diary's history)."
            )
    for (table, key), recorded in state.items():
        if table == spec.table and recorded is not None and key not in seen:
            problems.append(
                f"A {spec.label} ({_show(json.loads(key))}) was deleted without SafeDiary."
            )
    if len(problems) > 20:
        problems = [*problems[:20], f"… and {len(problems) - 20} more like these."]
    return problems


def _show(key: Sequence[Any]) -> str:
    return ", ".join(str(k) for k in key)
