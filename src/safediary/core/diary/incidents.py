"""Incidents: numbered diary entries whose every save is a hash-chained revision.

An incident's ``number`` is sequential and never reused; ``recorded_at`` is
set when it is first written down and never changes. ``amend`` never
overwrites: it appends a revision. All revisions of all incidents form one
chain (each hash covers the previous hash), so a changed, removed or
re-ordered revision is detectable; the chain head is the vault fingerprint
printed on reports.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from safediary.core import ledger
from safediary.core.diary.taxonomy import validate_kinds
from safediary.core.errors import InvalidInput, NotFound
from safediary.core.timeutil import from_text, now, require_aware, to_text

if TYPE_CHECKING:
    from safediary.core.vault.db import Database, _Tx

GENESIS = "0" * 64
MAX_TEXT = 10 * 1024 * 1024  # characters per field: far beyond any real entry
CACHE_SIZE = 10_000  # decoded entries kept for re-listing (a few KB each)


@dataclass(frozen=True, slots=True)
class Incident:
    """One diary entry as of its latest revision."""

    id: int
    number: int
    recorded_at: datetime
    revision: int
    saved_at: datetime
    occurred_at: datetime
    occurred_until: datetime | None = None
    approximate: bool = False
    location: str = ""
    contact_method: str = ""
    kinds: frozenset[str] = frozenset()
    description: str = ""
    exact_words: str = ""
    feelings: str = ""
    impact: str = ""
    people: tuple[int, ...] = ()
    witnesses: str = ""
    others_present: str = ""
    order_breached: bool = False
    breached_order: int | None = None  # id of the court order it broke (vault.orders)
    reported_to: str = ""
    officer: str = ""
    police_reference: str = ""
    evidence_location: str = ""
    tags: tuple[str, ...] = ()
    private: bool = False

    @property
    def amended(self) -> bool:
        """True when the entry has been changed since it was first written down."""
        return self.revision > 1

    @property
    def summary(self) -> str:
        """The first non-empty line of what happened."""
        for line in self.description.splitlines():
            if line.strip():
                return line.strip()
        return ""


@dataclass(frozen=True)
class Revision:
    """One saved state of an incident."""

    incident_id: int
    revision: int
    saved_at: datetime
    incident: Incident
    hash: str


_META = {"id", "number", "recorded_at", "revision", "saved_at"}
EDITABLE: tuple[str, ...] = tuple(f.name for f in fields(Incident) if f.name not in _META)
_EDITABLE_SET = frozenset(EDITABLE)
_TEXT = {f.name for f in fields(Incident) if f.type == "str" and f.name not in _META}
_BOOL = {"approximate", "order_breached", "private"}
_FTS_COLUMNS = ("location", "description", "exact_words", "feelings", "witnesses")


def _check_text(name: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{name} is too long (over {MAX_TEXT:,} characters).")
    return value


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise editable fields; raise InvalidInput with a plain reason."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Unknown incident field(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in _TEXT:
            out[name] = _check_text(name, value)
        elif name in _BOOL:
            if not isinstance(value, bool):
                raise InvalidInput(f"{name} must be true or false.")
            out[name] = value
        elif name == "occurred_at":
            out[name] = require_aware(value, "The time it happened")
        elif name == "occurred_until":
            out[name] = None if value is None else require_aware(value, "The end time")
        elif name == "kinds":
            out[name] = validate_kinds(value)
        elif name == "people":
            if isinstance(value, (str, bytes)) or not all(
                isinstance(p, int) and not isinstance(p, bool) for p in value
            ):
                raise InvalidInput("people must be a list of person ids.")
            out[name] = tuple(dict.fromkeys(value))
        elif name == "breached_order":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise InvalidInput("breached_order must be the id of a court order, or None.")
            out[name] = value
        elif name == "tags":
            if isinstance(value, str):
                raise InvalidInput("tags must be a list of words, not one string.")
            out[name] = tuple(dict.fromkeys(_check_text("tag", t).strip() for t in value if t))
    if out.get("breached_order") is not None:
        out["order_breached"] = True
    start, end = out.get("occurred_at"), out.get("occurred_until")
    if start is not None and end is not None and end < start:
        raise InvalidInput("The end time is before the start time.")
    return out


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in EDITABLE:
        value = values[name]
        if isinstance(value, datetime):
            value = to_text(value)
        elif isinstance(value, (frozenset, set)):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[name] = value
    return data


def _decode(data: dict[str, Any]) -> dict[str, Any]:
    values = (
        data if data.keys() <= _EDITABLE_SET else {k: data[k] for k in _EDITABLE_SET & data.keys()}
    )
    values["occurred_at"] = from_text(values["occurred_at"])
    if values.get("occurred_until"):
        values["occurred_until"] = from_text(values["occurred_until"])
    values["kinds"] = frozenset(values.get("kinds", ()))
    values["people"] = tuple(values.get("people", ()))
    values["tags"] = tuple(values.get("tags", ()))
    return values


def _dumps(obj: Any) -> str:
    # ensure_ascii keeps any Python string (even lone surrogates) exact
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(prev_hash: str, record: dict[str, Any]) -> str:
    """Hash of one revision record chained to the previous hash."""
    return hashlib.sha256(prev_hash.encode("ascii") + _dumps(record).encode("ascii")).hexdigest()


def fts_text(text: str) -> str:
    """Text as FTS5 can index it (a lone surrogate becomes U+FFFD; the stored copy stays exact)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def fts_query(text: str) -> str:
    """Turn what the user typed into a safe FTS5 query: every word, as a prefix."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"*' for w in words)


class Incidents:
    """The ``vault.incidents`` collection."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Decoded incidents by id, reused while their revision is unchanged, so the
        # GUI can re-list after every save. Bounded (least recently used goes first)
        # so memory does not grow with every entry ever written. Cleared on lock.
        self._cache: OrderedDict[int, Incident] = OrderedDict()

    def clear_cache(self) -> None:
        """Forget every decoded incident (called when the vault locks)."""
        self._cache = OrderedDict()

    # -- writing --------------------------------------------------------------
    def add(self, occurred_at: datetime, **values: Any) -> Incident:
        """Write down a new incident and return it (revision 1)."""
        given = validate({"occurred_at": occurred_at, **values})
        defaults: dict[str, Any] = {
            f.name: f.default for f in fields(Incident) if f.name in EDITABLE
        }
        full = defaults | given
        stamp = now()
        with self._db.transaction() as tx:
            self._check_people(tx, full["people"])
            self._check_order(tx, full["breached_order"])
            number = tx.execute("SELECT coalesce(max(number), 0) + 1 FROM incidents").fetchone()[0]
            last = tx.execute("SELECT value FROM meta WHERE key = 'last_number'").fetchone()
            number = max(number, int(last[0]) + 1 if last else 1)
            data = _encode(full)
            cur = tx.execute(
                "INSERT INTO incidents (number, recorded_at, occurred_utc, revision, updated_at,"
                " private, data) VALUES (?, ?, ?, 1, ?, ?, ?)",
                (
                    number,
                    to_text(stamp),
                    full["occurred_at"].timestamp(),
                    to_text(stamp),
                    int(full["private"]),
                    _dumps(data),
                ),
            )
            incident_id = int(cur.lastrowid)
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('last_number', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(number),),
            )
            self._append_revision(tx, incident_id, number, 1, stamp, stamp, data)
            self._index(tx, incident_id, full)
        return self.get(incident_id)

    def amend(self, incident_id: int, **values: Any) -> Incident:
        """Save a new revision with the given fields changed; the old one is kept."""
        changes = validate(values)
        with self._db.transaction() as tx:
            current = self._get(tx, incident_id)
            full = {name: getattr(current, name) for name in EDITABLE} | changes
            until = full["occurred_until"]
            if until is not None and until < full["occurred_at"]:
                raise InvalidInput("The end time is before the start time.")
            self._check_people(tx, full["people"])
            self._check_order(tx, full["breached_order"])
            stamp = now()
            revision = current.revision + 1
            data = _encode(full)
            tx.execute(
                "UPDATE incidents SET occurred_utc = ?, revision = ?, updated_at = ?, private = ?,"
                " data = ? WHERE id = ?",
                (
                    full["occurred_at"].timestamp(),
                    revision,
                    to_text(stamp),
                    int(full["private"]),
                    _dumps(data),
                    incident_id,
                ),
            )
            self._append_revision(
                tx, incident_id, current.number, revision, stamp, current.recorded_at, data
            )
            self._index(tx, incident_id, full)
        return self.get(incident_id)

    def _append_revision(
        self,
        tx: _Tx,
        incident_id: int,
        number: int,
        revision: int,
        saved_at: datetime,
        recorded_at: datetime,
        data: dict[str, Any],
    ) -> None:
        head = tx.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
        prev = head[0] if head else GENESIS
        seq = tx.execute("SELECT coalesce(max(seq), 0) + 1 FROM revisions").fetchone()[0]
        record = _record(
            seq, incident_id, number, revision, to_text(saved_at), to_text(recorded_at), data
        )
        digest = chain_hash(prev, record)
        tx.execute(
            "INSERT INTO revisions (seq, incident_id, revision, saved_at, data, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, incident_id, revision, to_text(saved_at), _dumps(data), prev, digest),
        )
        ledger.record(tx, "revisions", seq, at=saved_at)
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('chain_head', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (digest,),
        )
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('chain_length', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(seq),),
        )

    def _index(self, tx: _Tx, incident_id: int, full: dict[str, Any]) -> None:
        tx.execute("DELETE FROM incident_fts WHERE rowid = ?", (incident_id,))
        tx.execute("DELETE FROM incident_people WHERE incident_id = ?", (incident_id,))
        tx.executemany(
            "INSERT INTO incident_people (incident_id, person_id) VALUES (?, ?)",
            [(incident_id, p) for p in full["people"]],
        )
        tx.execute("DELETE FROM incident_kinds WHERE incident_id = ?", (incident_id,))
        tx.executemany(
            "INSERT INTO incident_kinds (kind, incident_id) VALUES (?, ?)",
            [(kind, incident_id) for kind in sorted(full["kinds"])],
        )
        names = [
            " ".join(str(c) for c in row)
            for row in tx.execute(
                "SELECT name, description, vehicle FROM people p JOIN incident_people ip"
                " ON ip.person_id = p.id WHERE ip.incident_id = ?",
                (incident_id,),
            )
        ]
        other = " ".join(
            [
                full["contact_method"],
                full["others_present"],
                full["impact"],
                full["reported_to"],
                full["officer"],
                full["police_reference"],
                full["evidence_location"],
                *full["tags"],
            ]
        )
        tx.execute(
            "INSERT INTO incident_fts (rowid, location, description, exact_words, feelings,"
            " witnesses, people, other) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                incident_id,
                *(fts_text(full[c]) for c in _FTS_COLUMNS),
                fts_text(" ".join(names)),
                fts_text(other),
            ),
        )

    def reindex(self, tx: _Tx, incident_ids: Iterable[int]) -> None:
        """Rebuild the search index for some incidents (e.g. after a person is renamed)."""
        for incident_id in incident_ids:
            current = self._get(tx, incident_id)
            self._index(tx, incident_id, {n: getattr(current, n) for n in EDITABLE})

    @staticmethod
    def _check_people(tx: _Tx, people: Sequence[int]) -> None:
        for person_id in people:
            if not tx.execute("SELECT 1 FROM people WHERE id = ?", (person_id,)).fetchone():
                raise InvalidInput(f"There is no person with id {person_id}.")

    @staticmethod
    def _check_order(tx: _Tx, order_id: int | None) -> None:
        if (
            order_id is not None
            and not tx.execute("SELECT 1 FROM orders WHERE id = ?", (order_id,)).fetchone()
        ):
            raise InvalidInput(f"There is no court order with id {order_id}.")

    # -- reading --------------------------------------------------------------
    _SELECT = "SELECT id, number, recorded_at, revision, updated_at, data FROM incidents"

    @staticmethod
    def _row(row: Sequence[Any]) -> Incident:
        return Incident(
            id=row[0],
            number=row[1],
            recorded_at=from_text(row[2]),
            revision=row[3],
            saved_at=from_text(row[4]),
            **_decode(json.loads(row[5])),
        )

    def _get(self, tx: _Tx, incident_id: int) -> Incident:
        row = tx.execute(f"{self._SELECT} WHERE id = ?", (incident_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no incident with id {incident_id}.")
        return self._row(row)

    def get(self, incident_id: int) -> Incident:
        """The incident as of its latest revision."""
        rows = self._db.query(f"{self._SELECT} WHERE id = ?", (incident_id,))
        if not rows:
            raise NotFound(f"There is no incident with id {incident_id}.")
        return self._row(rows[0])

    def by_number(self, number: int) -> Incident:
        rows = self._db.query(f"{self._SELECT} WHERE number = ?", (number,))
        if not rows:
            raise NotFound(f"There is no incident number {number}.")
        return self._row(rows[0])

    def list(
        self,
        *,
        newest_first: bool = False,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: Iterable[str] | None = None,
        include_private: bool = True,
        person_id: int | None = None,
    ) -> builtins.list[Incident]:
        """Incidents in the order they happened, optionally filtered.

        ``start``/``end`` bound the time it happened (end exclusive); ``kinds``
        keeps incidents having at least one of those kinds.
        """
        return self.get_many(
            self.ids(
                newest_first=newest_first,
                start=start,
                end=end,
                kinds=kinds,
                include_private=include_private,
                person_id=person_id,
            )
        )

    def ids(
        self,
        *,
        newest_first: bool = False,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: Iterable[str] | None = None,
        include_private: bool = True,
        person_id: int | None = None,
        limit: int | None = None,
    ) -> builtins.list[int]:
        """The ids :meth:`list` would return, in the same order, without decoding any entry.

        Cheap even for 100,000 entries (it reads an index), so a list view can ask for
        the entries themselves only as rows come into sight (:meth:`get_many`).
        ``limit`` keeps only the first ones (a window's first screenful).
        """
        where, params = self._filters(start, end, include_private, person_id, kinds)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT id FROM incidents{where} ORDER BY occurred_utc {order}, number {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self._db.query(sql, params)
        return [r[0] for r in rows]

    @staticmethod
    def _filters(
        start: datetime | None,
        end: datetime | None,
        include_private: bool,
        person_id: int | None,
        kinds: Iterable[str] | None = None,
    ) -> tuple[str, builtins.list[Any]]:
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        if start is not None:
            clauses.append("occurred_utc >= ?")
            params.append(require_aware(start, "start").timestamp())
        if end is not None:
            clauses.append("occurred_utc < ?")
            params.append(require_aware(end, "end").timestamp())
        if not include_private:
            clauses.append("private = 0")
        if person_id is not None:
            clauses.append("id IN (SELECT incident_id FROM incident_people WHERE person_id = ?)")
            params.append(person_id)
        if kinds is not None:
            wanted = sorted(validate_kinds(kinds))
            if not wanted:
                clauses.append("0")
            else:  # an index read: no entry's text is touched
                marks = ",".join("?" * len(wanted))
                clauses.append(  # probed per row of the covering index: no table reads
                    "EXISTS (SELECT 1 FROM incident_kinds k WHERE k.incident_id = incidents.id"
                    f" AND k.kind IN ({marks}))"
                )
                params.extend(wanted)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(self, text: str, *, newest_first: bool = False) -> builtins.list[Incident]:
        """Incidents whose words match every word typed (prefixes count)."""
        return self.get_many(self.search_ids(text, newest_first=newest_first))

    def search_ids(self, text: str, *, newest_first: bool = False) -> builtins.list[int]:
        """The ids :meth:`search` would return, in order, without decoding any entry."""
        query = fts_query(text)
        if not query:
            return []
        order = "DESC" if newest_first else "ASC"
        rows = self._db.query(
            "SELECT id FROM incidents WHERE id IN (SELECT rowid FROM incident_fts"
            f" WHERE incident_fts MATCH ?) ORDER BY occurred_utc {order}, number {order}",
            (query,),
        )
        return [r[0] for r in rows]

    def get_many(self, ids: Sequence[int]) -> builtins.list[Incident]:
        """The incidents with these ids, in the order given (ids that do not exist are left out).

        Entries decoded recently are reused while their revision is unchanged; the
        cache keeps at most ``CACHE_SIZE`` of them.
        """
        found: dict[int, Incident] = {}
        with self._db.lock:
            cache = self._cache
            for start in range(0, len(ids), 500):
                batch = list(ids[start : start + 500])
                marks = ",".join("?" * len(batch))
                rows = self._db.query(
                    f"SELECT id, revision FROM incidents WHERE id IN ({marks})", batch
                )
                stale = []
                for incident_id, revision in rows:
                    cached = cache.get(incident_id)
                    if cached is not None and cached.revision == revision:
                        found[incident_id] = cached
                        cache.move_to_end(incident_id)
                    else:
                        stale.append(incident_id)
                if stale:
                    marks = ",".join("?" * len(stale))
                    for row in self._db.query(f"{self._SELECT} WHERE id IN ({marks})", stale):
                        incident = self._row(row)
                        found[incident.id] = incident
                        cache[incident.id] = incident
                        cache.move_to_end(incident.id)
                while len(cache) > CACHE_SIZE:
                    cache.popitem(last=False)
        return [found[i] for i in ids if i in found]

    def count(self) -> int:
        return int(self._db.query("SELECT count(*) FROM incidents")[0][0])

    def history(self, incident_id: int) -> builtins.list[Revision]:
        """Every saved revision of an incident, oldest first."""
        current = self.get(incident_id)
        rows = self._db.query(
            "SELECT revision, saved_at, data, hash FROM revisions WHERE incident_id = ?"
            " ORDER BY revision",
            (incident_id,),
        )
        result = []
        for revision, saved_at, data, digest in rows:
            saved = from_text(saved_at)
            snapshot = replace(
                current, revision=revision, saved_at=saved, **_decode(json.loads(data))
            )
            result.append(Revision(incident_id, revision, saved, snapshot, digest))
        return result


def _record(
    seq: int,
    incident_id: int,
    number: int,
    revision: int,
    saved_at: str,
    recorded_at: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "incident_id": incident_id,
        "number": number,
        "revision": revision,
        "saved_at": saved_at,
        "recorded_at": recorded_at,
        "data": data,
    }


@dataclass
class ChainReport:
    """Result of walking the revision chain."""

    length: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)


def verify_chain(db: Database) -> ChainReport:
    """Walk every revision in order and recompute the chain."""
    report = ChainReport()
    meta = dict(db.query("SELECT key, value FROM meta WHERE key IN ('chain_head', 'chain_length')"))
    numbers = dict(db.query("SELECT id, number FROM incidents"))
    recorded = dict(db.query("SELECT id, recorded_at FROM incidents"))
    prev = GENESIS
    expected_seq = 1
    rows = db.query(
        "SELECT seq, incident_id, revision, saved_at, data, prev_hash, hash FROM revisions"
        " ORDER BY seq"
    )
    for seq, incident_id, revision, saved_at, data, prev_hash, digest in rows:
        if seq != expected_seq:
            report.problems.append(f"Revision record {expected_seq} is missing from the history.")
        expected_seq = seq + 1
        if prev_hash != prev:
            report.problems.append(f"The history breaks before record {seq}.")
        try:
            record = _record(
                seq,
                incident_id,
                numbers.get(incident_id, -1),
                revision,
                saved_at,
                recorded.get(incident_id, ""),
                json.loads(data),
            )
        except ValueError:
            report.problems.append(f"Revision record {seq} is unreadable.")
            prev = digest
            continue
        if chain_hash(prev_hash, record) != digest:
            number = numbers.get(incident_id, "?")
            report.problems.append(
                f"Incident {number}, revision {revision} has been changed after it was saved."
            )
        prev = digest
        report.length += 1
    report.head = prev
    if meta.get("chain_head", GENESIS) != prev or int(meta.get("chain_length", 0)) != report.length:
        report.problems.append("The newest part of the history is missing or was replaced.")
    latest = db.query(
        "SELECT i.id, i.number, i.data, r.data, i.private, i.occurred_utc FROM incidents i"
        " LEFT JOIN revisions r ON r.incident_id = i.id AND r.revision = i.revision"
    )
    links: dict[int, set[int]] = {}
    for incident_id, person_id in db.query("SELECT incident_id, person_id FROM incident_people"):
        links.setdefault(incident_id, set()).add(person_id)
    for incident_id, number, current, saved, private, occurred in latest:
        data = json.loads(saved) if saved is not None else None
        if data is None or (current != saved and json.loads(current) != data):
            report.problems.append(f"Incident {number} differs from its saved history.")
            continue
        if (
            bool(private) != bool(data.get("private"))
            or abs(from_text(data["occurred_at"]).timestamp() - occurred) > 1e-3
            or links.get(incident_id, set()) != set(data.get("people", ()))
        ):
            report.problems.append(
                f"Incident {number} was changed without SafeDiary (its index differs "
                "from its saved history)."
            )
    return report
