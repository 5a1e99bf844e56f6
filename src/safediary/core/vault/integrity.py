"""Noticing a diary.db that is not the one this vault last used (an older copy put back).

The key file (MAC'd under the master key) records the length and head of the
diary's hash chain whenever the vault is locked or unlocked. The database's
chain must still contain that exact entry; if it is shorter, or its history
differs, the database was replaced.
"""

from __future__ import annotations

from typing import Any

from safediary.core import ledger

STALE_KEYS = (
    "This diary was opened with an older copy of its key file, because the newer copy "
    "does not accept what was typed. If you changed your passphrase, use the new one. "
    "SafeDiary has not changed either copy."
)


def check_database(db: Any, recorded: dict[str, Any] | None) -> str | None:
    """A plain sentence if the database is older than, or differs from, the record."""
    if not recorded:
        return None
    count, head = int(recorded["count"]), str(recorded["head"])
    have = ledger.head(db)[0]
    found = ledger.hash_at(db, count)
    if found is None:
        return (
            f"The diary database holds {have:,} recorded changes, but this diary had "
            f"{count:,} when it was last used: it looks like an older copy of the diary "
            "file was put in its place. Entries and evidence added since may be missing. "
            "Nothing has been deleted; restore your latest backup if you have one."
        )
    if found != head:
        return (
            "The diary database's history differs from the one this diary last used: the "
            "diary file may have been replaced or changed outside SafeDiary. Nothing has "
            "been deleted; restore your latest backup if you have one."
        )
    return None


def quarantine_note(count: int) -> str:
    """The sentence shown when unknown evidence files were set aside."""
    files = "1 evidence file" if count == 1 else f"{count:,} evidence files"
    return (
        f"{files} that the diary database does not know about "
        f"{'was' if count == 1 else 'were'} moved, still encrypted, to the "
        "“quarantine” folder inside the diary folder. Nothing was deleted. This can "
        "happen when an older copy of the diary file was put back."
    )
