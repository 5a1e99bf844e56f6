"""Database schema as an ordered list of migrations (``PRAGMA user_version``).

Migration *n* (1-based) brings a database from version n-1 to n. Never edit
a migration that has shipped; append a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from safediary.core import ledger

if TYPE_CHECKING:
    from safediary.core.vault.db import _Tx

#: A migration is an SQL script, or a function run inside the migration's transaction.
Migration = str | Callable[["_Tx"], None]

# Tables under the diary's hash chain (see safediary.core.ledger): every change to
# them is recorded, and ``vault.verify()`` reports any row that differs from its
# recorded state. Columns left out on purpose: people.position (list order only),
# evidence_blobs.wrapped_key (key material, replaced by rekey).
ledger.register(
    "revisions",
    key=("seq",),
    columns=("incident_id", "revision", "hash"),
    label="saved version of an entry",
)
ledger.register(
    "people",
    key=("id",),
    columns=("name", "relationship", "description", "vehicle", "notes", "created_at", "updated_at"),
    label="person",
)
ledger.register(
    "evidence_blobs",
    key=("blob_id",),
    columns=("sha256", "size", "created_at", "deleted_at"),
    label="stored evidence file",
)
ledger.register(
    "evidence",
    key=("id",),
    columns=(
        "number",
        "blob_id",
        "sha256",
        "size",
        "original_name",
        "media_type",
        "kind",
        "mtime",
        "imported_at",
        "metadata",
        "thumbnail",
        "removed_at",
        "removed_reason",
        "description",
        "original_location",
    ),
    label="evidence record",
    blobs=("thumbnail",),
)
ledger.register(
    "incident_evidence",
    key=("incident_id", "evidence_id"),
    columns=("linked_at",),
    label="link between an entry and evidence",
)
ledger.register(
    "evidence_log",
    key=("seq",),
    columns=("evidence_id", "at", "action", "detail"),
    label="line of the evidence log",
)
ledger.register(
    "checklist_answers",
    key=("id",),
    columns=("answered_at", "data"),
    label="set of checklist answers",
)
ledger.register(
    "orders",
    key=("id",),
    columns=(
        "kind",
        "court",
        "reference",
        "made_on",
        "expires_on",
        "conditions",
        "notes",
        "created_at",
        "updated_at",
    ),
    label="court order",
)

# Messages (issue 17): each conversation's digest heads its own chain over its
# messages, so the diary's chain records the conversation row, not every message.
ledger.register(
    "conversations",
    key=("id",),
    columns=(
        "source",
        "title",
        "evidence_id",
        "imported_at",
        "message_count",
        "first_utc",
        "last_utc",
        "digest",
        "details",
    ),
    label="imported conversation",
)
ledger.register(
    "incident_messages",
    key=("incident_id", "message_id"),
    columns=("linked_at",),
    label="link between an entry and a message",
)
ledger.register(
    "message_log",
    key=("seq",),
    columns=("message_id", "incident_id", "action", "at"),
    label="line of the message log",
)

_V5_SQL = """
CREATE TABLE ledger (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    tbl       TEXT NOT NULL,
    key       TEXT NOT NULL,
    data      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX ledger_record ON ledger(tbl, key, seq);
ALTER TABLE evidence ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN original_location TEXT NOT NULL DEFAULT '';
CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    court       TEXT NOT NULL DEFAULT '',
    reference   TEXT NOT NULL DEFAULT '',
    made_on     TEXT,
    expires_on  TEXT,
    conditions  TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
"""


def _v5_ledger(tx: _Tx) -> None:
    """5: one hash chain over everything (issue 14), evidence descriptions, court orders.

    Everything already in the diary is recorded as the chain's first entries; the
    old revision chain's head is kept in the first entry so old reports can be traced.
    """
    tx.executescript_in_tx(_V5_SQL)
    tx.execute("DELETE FROM meta WHERE key IN ('ledger_head', 'ledger_count')")
    old = tx.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
    if old is not None:
        ledger.append(tx, "meta", ["chain_head"], {"value": old[0], "note": "before issue 14"})
    for table in (
        "revisions",
        "people",
        "evidence_blobs",
        "evidence",
        "incident_evidence",
        "evidence_log",
        "checklist_answers",
        "conversations",
        "incident_messages",
        "message_log",
    ):
        ledger.record_all(tx, table)


MIGRATIONS: list[Migration] = [
    # 1: incidents with hash-chained revisions, people, full-text search,
    #    encrypted key/value settings, drafts and checklist answers.
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE incidents (
        id           INTEGER PRIMARY KEY,
        number       INTEGER NOT NULL UNIQUE,
        recorded_at  TEXT NOT NULL,
        occurred_utc REAL NOT NULL,
        revision     INTEGER NOT NULL,
        updated_at   TEXT NOT NULL,
        private      INTEGER NOT NULL DEFAULT 0,
        data         TEXT NOT NULL
    );
    CREATE INDEX incidents_occurred ON incidents(occurred_utc);
    CREATE TABLE revisions (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        revision    INTEGER NOT NULL,
        saved_at    TEXT NOT NULL,
        data        TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL,
        UNIQUE (incident_id, revision)
    );
    CREATE TABLE people (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        relationship TEXT NOT NULL DEFAULT '',
        description  TEXT NOT NULL DEFAULT '',
        vehicle      TEXT NOT NULL DEFAULT '',
        notes        TEXT NOT NULL DEFAULT '',
        position     INTEGER NOT NULL DEFAULT 0,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE incident_people (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        person_id   INTEGER NOT NULL REFERENCES people(id),
        PRIMARY KEY (incident_id, person_id)
    );
    CREATE INDEX incident_people_person ON incident_people(person_id);
    CREATE VIRTUAL TABLE incident_fts USING fts5(
        location, description, exact_words, feelings, witnesses, people, other,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE kv (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE drafts (
        key      TEXT PRIMARY KEY,
        data     TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    CREATE TABLE checklist_answers (
        id          INTEGER PRIMARY KEY,
        answered_at TEXT NOT NULL,
        data        TEXT NOT NULL
    );
    """,
    # 2: evidence store (issue 3). Blobs are the encrypted files under evidence/;
    #    records are never deleted (removal keeps the row with when and why).
    """
    CREATE TABLE evidence_blobs (
        blob_id     TEXT PRIMARY KEY,
        wrapped_key BLOB NOT NULL,
        sha256      TEXT NOT NULL,
        size        INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        deleted_at  TEXT
    );
    CREATE INDEX evidence_blobs_sha256 ON evidence_blobs(sha256);
    CREATE TABLE evidence (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        number         INTEGER NOT NULL UNIQUE,
        blob_id        TEXT NOT NULL REFERENCES evidence_blobs(blob_id),
        sha256         TEXT NOT NULL,
        size           INTEGER NOT NULL,
        original_name  TEXT NOT NULL,
        media_type     TEXT NOT NULL,
        kind           TEXT NOT NULL,
        mtime          TEXT,
        imported_at    TEXT NOT NULL,
        metadata       TEXT NOT NULL DEFAULT '{}',
        thumbnail      BLOB,
        removed_at     TEXT,
        removed_reason TEXT
    );
    CREATE INDEX evidence_blob ON evidence(blob_id);
    CREATE TABLE incident_evidence (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        linked_at   TEXT NOT NULL,
        PRIMARY KEY (incident_id, evidence_id)
    );
    CREATE INDEX incident_evidence_evidence ON incident_evidence(evidence_id);
    CREATE TABLE evidence_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        at          TEXT NOT NULL,
        action      TEXT NOT NULL,
        detail      TEXT NOT NULL DEFAULT ''
    );
    """,
    # 3: a covering index, so listing thousands of entries in order reads only
    #    the index and not every entry's text.
    """
    CREATE INDEX incidents_listing ON incidents(occurred_utc, number, revision, private);
    """,
    # messages (issue 17): conversations imported from WhatsApp, SMS/call backups and
    #    e-mail. Each message's hash chains to the one before it in its conversation.
    """
    CREATE TABLE conversations (
        id            INTEGER PRIMARY KEY,
        source        TEXT NOT NULL,
        title         TEXT NOT NULL,
        evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
        imported_at   TEXT NOT NULL,
        message_count INTEGER NOT NULL,
        first_utc     REAL,
        last_utc      REAL,
        digest        TEXT NOT NULL,
        details       TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        position        INTEGER NOT NULL,
        sent_utc        REAL NOT NULL,
        sent_at         TEXT NOT NULL,
        sender          TEXT NOT NULL,
        kind            TEXT NOT NULL,
        direction       TEXT NOT NULL,
        text            TEXT NOT NULL,
        attachments     TEXT NOT NULL DEFAULT '[]',
        details         TEXT NOT NULL DEFAULT '{}',
        prev_hash       TEXT NOT NULL,
        hash            TEXT NOT NULL,
        UNIQUE (conversation_id, position)
    );
    CREATE INDEX messages_sent ON messages(sent_utc);
    CREATE TABLE message_attachments (
        message_id  INTEGER NOT NULL REFERENCES messages(id),
        position    INTEGER NOT NULL,
        name        TEXT NOT NULL,
        evidence_id INTEGER REFERENCES evidence(id),
        PRIMARY KEY (message_id, position)
    );
    CREATE TABLE incident_messages (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        message_id  INTEGER NOT NULL REFERENCES messages(id),
        linked_at   TEXT NOT NULL,
        PRIMARY KEY (incident_id, message_id)
    );
    CREATE INDEX incident_messages_message ON incident_messages(message_id);
    CREATE TABLE message_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id  INTEGER NOT NULL REFERENCES messages(id),
        incident_id INTEGER NOT NULL,
        action      TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE message_fts USING fts5(
        sender, text, tokenize = 'unicode61 remove_diacritics 2'
    );
    """,
    _v5_ledger,
    # 6: each entry's kinds in a table of their own, so "show only threats" reads an
    #    index instead of every entry's text (3.6 s at 100,000 entries before).
    #    Derived data, like the search index: rebuilt from the entries, never chained.
    """
    CREATE TABLE IF NOT EXISTS incident_kinds (
        kind        TEXT NOT NULL,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        PRIMARY KEY (kind, incident_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO incident_kinds (kind, incident_id)
        SELECT json_each.value, incidents.id FROM incidents, json_each(incidents.data, '$.kinds');
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
