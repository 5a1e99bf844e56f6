"""People involved: the person the user fears first, then anyone else.

Every save of a person is a version in the diary's hash chain, so a later
rename never rewrites what an entry said when it was written:
``history(person_id)`` lists every version and ``as_of(person_id, when)`` gives
the person as they were recorded at a moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from safediary.core import ledger
from safediary.core.diary.incidents import MAX_TEXT
from safediary.core.errors import InvalidInput, NotFound
from safediary.core.timeutil import from_text, now, require_aware, to_text

if TYPE_CHECKING:
    from safediary.core.diary.incidents import Incidents
    from safediary.core.vault.db import Database

PERSON_FIELDS = ("name", "relationship", "description", "vehicle", "notes")


@dataclass(frozen=True)
class Person:
    """A person linked to incidents (usually the one doing it)."""

    id: int
    name: str
    relationship: str
    description: str
    vehicle: str
    notes: str
    position: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PersonVersion:
    """One saved version of a person: its number (1 = as first written), when, what."""

    person_id: int
    version: int
    saved_at: datetime
    person: Person

    @property
    def name(self) -> str:
        return self.person.name


def _validate(values: dict[str, Any]) -> dict[str, str]:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown person field(s): {', '.join(sorted(unknown))}")
    out = {}
    for key, value in values.items():
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise InvalidInput(f"{key} must be text.")
        try:  # stored as plain text: a lone surrogate (half an emoji) cannot be
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                f"The {key} contains a broken character (perhaps half of an emoji). "
                "Please type it again."
            ) from None
        out[key] = value
    if "name" in out and not out["name"].strip():
        raise InvalidInput(
            "Please give the person a name (or a description such as 'unknown man')."
        )
    return out


class People:
    """The ``vault.people`` collection."""

    _SELECT = (
        "SELECT id, name, relationship, description, vehicle, notes, position, created_at,"
        " updated_at FROM people"
    )

    def __init__(self, db: Database, incidents: Incidents) -> None:
        self._db = db
        self._incidents = incidents

    @staticmethod
    def _row(row: Sequence[Any]) -> Person:
        pid, name, relationship, description, vehicle, notes, position = row[:7]
        return Person(
            pid, name, relationship, description, vehicle, notes, position,
            from_text(row[7]), from_text(row[8]),
        )

    def add(self, name: str, **values: str) -> Person:
        """Add a person; the first one added is listed first."""
        clean = _validate({"name": name, **values})
        stamp = to_text(now())
        with self._db.transaction() as tx:
            position = tx.execute("SELECT coalesce(max(position), 0) + 1 FROM people").fetchone()[0]
            row = {k: clean.get(k, "") for k in PERSON_FIELDS}
            cur = tx.execute(
                "INSERT INTO people (name, relationship, description, vehicle, notes, position,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*row.values(), position, stamp, stamp),
            )
            person_id = int(cur.lastrowid)
            ledger.record(tx, "people", person_id, at=from_text(stamp))
        return self.get(person_id)

    def update(self, person_id: int, **values: str) -> Person:
        """Save a new version of a person's details; earlier versions are kept.

        Search results follow the new details; reports print each entry with the
        person as recorded when it was written (see :meth:`as_of`).
        """
        clean = _validate(values)
        if not clean:
            return self.get(person_id)
        with self._db.transaction() as tx:
            found = tx.execute(
                f"SELECT {', '.join(PERSON_FIELDS)} FROM people WHERE id = ?", (person_id,)
            ).fetchone()
            if not found:
                raise NotFound(f"There is no person with id {person_id}.")
            if dict(zip(PERSON_FIELDS, found, strict=True)) | clean == dict(
                zip(PERSON_FIELDS, found, strict=True)
            ):
                return self.get(person_id)  # nothing changed: no new version
            ledger.update(tx, "people", person_id, clean)
            linked = [
                r[0]
                for r in tx.execute(
                    "SELECT incident_id FROM incident_people WHERE person_id = ?", (person_id,)
                )
            ]
            self._incidents.reindex(tx, linked)
        return self.get(person_id)

    def move_first(self, person_id: int) -> None:
        """Put this person at the top of the list."""
        with self._db.transaction() as tx:
            low = tx.execute("SELECT coalesce(min(position), 0) - 1 FROM people").fetchone()[0]
            tx.execute("UPDATE people SET position = ? WHERE id = ?", (low, person_id))

    def get(self, person_id: int) -> Person:
        rows = self._db.query(f"{self._SELECT} WHERE id = ?", (person_id,))
        if not rows:
            raise NotFound(f"There is no person with id {person_id}.")
        return self._row(rows[0])

    def history(self, person_id: int) -> list[PersonVersion]:
        """Every saved version of a person, oldest first, with the time it was saved."""
        current = self.get(person_id)
        result: list[PersonVersion] = []
        for entry in ledger.versions(self._db, "people", person_id):
            if entry.row is None:
                continue
            values = {k: entry.row.get(k, "") for k in PERSON_FIELDS}
            person = Person(
                id=person_id,
                position=current.position,
                created_at=from_text(entry.row["created_at"]),
                updated_at=from_text(entry.row["updated_at"]),
                **values,
            )
            result.append(PersonVersion(person_id, len(result) + 1, entry.at, person))
        if not result:  # not yet in the chain (cannot happen after migration 4)
            result.append(PersonVersion(person_id, 1, current.updated_at, current))
        return result

    def as_of(self, person_id: int, when: datetime) -> Person:
        """The person as recorded at ``when`` (the first version if ``when`` is earlier).

        Use an entry's written-down time to print who it named when it was written.
        """
        require_aware(when, "when")
        versions = self.history(person_id)
        chosen = versions[0]
        for version in versions:
            if version.saved_at <= when:
                chosen = version
        return chosen.person

    def list(self) -> list[Person]:
        return [self._row(r) for r in self._db.query(f"{self._SELECT} ORDER BY position, id")]

    def incident_counts(self) -> dict[int, int]:
        """Number of incidents linked to each person."""
        rows = self._db.query("SELECT person_id, count(*) FROM incident_people GROUP BY person_id")
        return {pid: n for pid, n in rows}
