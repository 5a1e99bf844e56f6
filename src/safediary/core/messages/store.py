"""``vault.messages``: conversations imported from phone and e-mail exports.

An import is all or nothing. First the export file and every attached file are
encrypted into the evidence store as *staged* blobs (no record yet) while the
messages are read into memory (text only; a chat of 50,000 messages is a few MB);
then one transaction records the evidence, the conversation and its messages.
On any error or Cancel the staged blobs are deleted and the database is
untouched; after a crash the next unlock sweeps them.

Each message carries a hash chained to the one before it in its conversation, so
a changed, removed or reordered message is found by :meth:`Messages.verify`; the
conversation's last hash is its digest. Messages are searchable with the same
word-prefix search as the diary.
"""

from __future__ import annotations

import builtins
import json
import os
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safediary.core import ledger
from safediary.core.diary.incidents import GENESIS, chain_hash, fts_query, fts_text
from safediary.core.errors import InvalidInput, NotFound, VaultLocked
from safediary.core.evidence.evidence import EvidenceStore, ImportCancelled, StagedEvidence
from safediary.core.messages.formats import open_export
from safediary.core.messages.parsed import (
    MAX_MESSAGES,
    TOO_MANY,
    ExportDamaged,
    ParsedAttachment,
    ParsedMessage,
)
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.timeutil import from_text, now, to_text
from safediary.core.wording import visible_name

if TYPE_CHECKING:
    from safediary.core.vault.db import Database, _Tx


@dataclass(frozen=True)
class Conversation:
    """One imported export: a chat, a set of texts, a call log or a mailbox."""

    id: int
    source: str  # "whatsapp" | "sms" | "calls" | "email"
    title: str
    evidence_id: int  # the original export file, kept exactly as evidence
    imported_at: datetime
    message_count: int
    first_at: datetime | None
    last_at: datetime | None
    digest: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One message, call or e-mail, exactly as the export had it."""

    id: int
    conversation_id: int
    position: int
    sender: str  # "" for a notice from the app itself
    sent_at: datetime
    text: str
    kind: str  # "message" | "call" | "email"
    direction: str  # "in" | "out" | ""
    attachments: tuple[int, ...]  # evidence ids of the attached files kept
    attachment_names: tuple[str, ...]  # every file the message names, kept or not
    details: dict[str, str]
    incidents: tuple[int, ...]
    hash: str

    @property
    def notice(self) -> bool:
        return self.sender == "" and self.kind == "message"


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _record(m: ParsedMessage, position: int, names: list[str], sha: list[str]) -> dict[str, Any]:
    return {
        "position": position,
        "sender": m.sender,
        "sent_at": to_text(m.sent_at),
        "text": m.text,
        "kind": m.kind,
        "direction": m.direction,
        "attachments": names,
        "attachment_sha256": sha,
        "details": m.details,
    }


@dataclass
class _Pending:
    parsed: ParsedMessage
    staged: list[StagedEvidence | None]


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # stage_file says plainly why it cannot be read
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _unchanged(path: Path, before: tuple[int, int, int, int] | None) -> None:
    """Refuse an export that changed while it was read (the kept copy would not match)."""
    if _identity(path) != before:
        raise ExportDamaged(
            f"“{visible_name(path.name)}” changed while it was being imported, so the kept "
            "copy might not match the messages; nothing was imported. Try again when the "
            "file is complete."
        )


class Messages:
    """The ``vault.messages`` collection."""

    def __init__(self, db: Database, evidence: EvidenceStore) -> None:
        self._db = db
        self._evidence = evidence

    # -- import ------------------------------------------------------------------
    def import_export(
        self,
        path: Path | str,
        *,
        tz: tzinfo | None = None,
        day_first: bool | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> Conversation:
        """Read an export file into a new conversation and return it.

        ``tz``: the zone of times written without one (WhatsApp); the computer's
        when None. ``day_first``: answer to :class:`AmbiguousDateOrder`.
        ``progress(done, total)`` counts bytes of the export and its attachments.
        Raises ExportNotRecognised / ExportDamaged / AmbiguousDateOrder (plain
        messages) or ImportCancelled; in every case nothing is left behind.
        """
        path = Path(path)
        staged: list[StagedEvidence] = []
        done = 0

        def stop() -> bool:
            return bool(cancel and cancel())

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, None)

        before = _identity(path)
        try:
            original = self._evidence.stage_file(
                path, progress=lambda d, _t: progress(d, None) if progress else None,
                cancel=stop,
            )
            staged.append(original)
            done = original.info.size
            pending: list[_Pending] = []
            by_key: dict[str, StagedEvidence] = {}
            with open_export(path, tz=tz, day_first=day_first) as export:
                for parsed in export.messages:
                    if stop():
                        raise ImportCancelled("The import was stopped; nothing was kept.")
                    if len(pending) >= MAX_MESSAGES:
                        raise ExportDamaged(TOO_MANY)
                    files: list[StagedEvidence | None] = []
                    for att in parsed.attachments:
                        if att.open is None:
                            files.append(None)
                            continue
                        if att.key is not None and att.key in by_key:
                            files.append(by_key[att.key])  # named again: copied in once
                            continue
                        item = self._stage_attachment(att, parsed, stop)
                        staged.append(item)
                        files.append(item)
                        if att.key is not None:
                            by_key[att.key] = item
                        step(item.info.size)
                    # keep names only: the openers may hold whole pictures in memory
                    parsed.attachments = [ParsedAttachment(a.name) for a in parsed.attachments]
                    pending.append(_Pending(parsed, files))
                    if len(pending) % 500 == 0:
                        step(0)
                source, title, details = export.source, export.title, export.details
            _unchanged(path, before)
            if not pending:
                raise InvalidInput("This export holds no messages, so nothing was imported.")
            pending.sort(key=lambda p: p.parsed.sent_at)  # stable: export order within a time
            conv_id = self._commit(original, pending, source, title, details, tz, day_first)
        except BaseException:
            for item in staged:
                self._evidence.discard_staged(item)
            raise
        for item in staged:  # identical files already kept: the new copies are redundant
            self._evidence.finish_staged(item)
        return self.get(conv_id)

    def _stage_attachment(
        self, att: ParsedAttachment, parsed: ParsedMessage, stop: CancelFn
    ) -> StagedEvidence:
        """Encrypt one attached file; a broken member of a ZIP gets a plain message."""
        assert att.open is not None
        try:
            with att.open() as stream:
                return self._evidence.stage_stream(
                    att.name, stream, mtime=parsed.sent_at, size=att.size, cancel=stop
                )
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise ExportDamaged(
                f"The attached file “{visible_name(att.name)}” inside this export is damaged "
                "or cannot be unpacked; nothing was imported."
            ) from exc
        except RuntimeError as exc:  # zipfile: an encrypted member
            raise ExportDamaged(
                f"The attached file “{visible_name(att.name)}” inside this export is locked "
                "with a password; nothing was imported."
            ) from exc

    def _commit(
        self,
        original: StagedEvidence,
        pending: list[_Pending],
        source: str,
        title: str,
        details: dict[str, str],
        tz: tzinfo | None,
        day_first: bool | None,
    ) -> int:
        stamp = now()
        info = dict(details)
        info["zone"] = str(tz) if tz is not None else "the computer's time zone"
        if day_first is not None:
            info["day_first"] = "yes" if day_first else "no"
        with self._db.transaction() as tx:
            if self._evidence._is_locked():
                raise VaultLocked("The diary is locked.")
            export_id = self._evidence.commit_staged(tx, original)
            cur = tx.execute(
                "INSERT INTO conversations (source, title, evidence_id, imported_at,"
                " message_count, first_utc, last_utc, digest, details)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)",
                (
                    source, title, export_id, to_text(stamp), len(pending),
                    pending[0].parsed.sent_at.timestamp(), pending[-1].parsed.sent_at.timestamp(),
                    _dumps(info),
                ),
            )
            conv_id = int(cur.lastrowid)
            prev = GENESIS
            recorded: dict[int, int] = {}  # staged blob (by identity) -> its evidence id
            for position, item in enumerate(pending, start=1):
                prev = self._insert(tx, conv_id, position, item, prev, recorded)
            tx.execute("UPDATE conversations SET digest = ? WHERE id = ?", (prev, conv_id))
            # the diary's chain covers the conversation (its digest covers every message)
            ledger.record(tx, "conversations", conv_id, at=stamp)
        return conv_id

    def _insert(
        self,
        tx: _Tx,
        conv_id: int,
        position: int,
        item: _Pending,
        prev: str,
        recorded: dict[int, int],
    ) -> str:
        m = item.parsed
        names = [a.name for a in m.attachments]
        sha = [s.info.sha256 if s is not None else "" for s in item.staged]
        digest = chain_hash(prev, _record(m, position, names, sha))
        cur = tx.execute(
            "INSERT INTO messages (conversation_id, position, sent_utc, sent_at, sender, kind,"
            " direction, text, attachments, details, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conv_id, position, m.sent_at.timestamp(), to_text(m.sent_at), m.sender, m.kind,
                m.direction, m.text, _dumps(names), _dumps(m.details), prev, digest,
            ),
        )
        message_id = int(cur.lastrowid)
        for index, staged in enumerate(item.staged):
            evidence_id = None
            if staged is not None:
                evidence_id = recorded.get(id(staged))
                if evidence_id is None:  # a file named by several messages is one record
                    evidence_id = self._evidence.commit_staged(tx, staged)
                    recorded[id(staged)] = evidence_id
            tx.execute(
                "INSERT INTO message_attachments (message_id, position, name, evidence_id)"
                " VALUES (?, ?, ?, ?)",
                (message_id, index, names[index], evidence_id),
            )
        subject = m.details.get("subject", "")
        tx.execute(
            "INSERT INTO message_fts (rowid, sender, text) VALUES (?, ?, ?)",
            (message_id, fts_text(m.sender), fts_text(f"{subject}\n{m.text}".strip())),
        )
        return digest

    # -- reading -------------------------------------------------------------------
    _CONV = (
        "SELECT id, source, title, evidence_id, imported_at, message_count, first_utc,"
        " last_utc, digest, details FROM conversations"
    )
    _MSG = (
        "SELECT m.id, m.conversation_id, m.position, m.sender, m.sent_at, m.text, m.kind,"
        " m.direction, m.attachments, m.details, m.hash,"
        " (SELECT group_concat(evidence_id) FROM message_attachments a"
        "  WHERE a.message_id = m.id AND a.evidence_id IS NOT NULL),"
        " (SELECT group_concat(incident_id) FROM incident_messages im"
        "  WHERE im.message_id = m.id) FROM messages m"
    )

    @staticmethod
    def _conv(row: Sequence[Any]) -> Conversation:
        from datetime import UTC

        def stamp(value: float | None) -> datetime | None:
            return None if value is None else datetime.fromtimestamp(value, UTC).astimezone()

        return Conversation(
            int(row[0]), row[1], row[2], int(row[3]), from_text(row[4]), int(row[5]),
            stamp(row[6]), stamp(row[7]), row[8], json.loads(row[9]),
        )

    @staticmethod
    def _msg(row: Sequence[Any]) -> Message:
        def ids(text: str | None) -> tuple[int, ...]:
            return tuple(sorted(int(x) for x in text.split(","))) if text else ()

        names = () if row[8] == "[]" else tuple(json.loads(row[8]))
        details = {} if row[9] == "{}" else json.loads(row[9])
        return Message(
            int(row[0]), int(row[1]), int(row[2]), row[3], datetime.fromisoformat(row[4]),
            row[5], row[6], row[7], ids(row[11]), names, details, ids(row[12]), row[10],
        )

    def conversations(self) -> builtins.list[Conversation]:
        """Every imported conversation, oldest import first."""
        return [self._conv(r) for r in self._db.query(self._CONV + " ORDER BY id")]

    def get(self, conversation_id: int) -> Conversation:
        rows = self._db.query(self._CONV + " WHERE id = ?", (conversation_id,))
        if not rows:
            raise NotFound(f"There is no conversation with id {conversation_id}.")
        return self._conv(rows[0])

    def list(self, conversation_id: int) -> builtins.list[Message]:
        """The messages of one conversation, oldest first."""
        self.get(conversation_id)
        rows = self._db.query(
            self._MSG + " WHERE m.conversation_id = ? ORDER BY m.position", (conversation_id,)
        )
        return [self._msg(r) for r in rows]

    def get_message(self, message_id: int) -> Message:
        rows = self._db.query(self._MSG + " WHERE m.id = ?", (message_id,))
        if not rows:
            raise NotFound(f"There is no message with id {message_id}.")
        return self._msg(rows[0])

    def for_incident(self, incident_id: int) -> builtins.list[Message]:
        """Messages linked to an entry, in the order they were sent."""
        rows = self._db.query(
            self._MSG + " WHERE m.id IN (SELECT message_id FROM incident_messages"
            " WHERE incident_id = ?) ORDER BY m.sent_utc, m.conversation_id, m.position",
            (incident_id,),
        )
        return [self._msg(r) for r in rows]

    def search(self, text: str, conversation_id: int | None = None) -> builtins.list[Message]:
        """Messages whose sender or words match every word typed (prefixes count)."""
        query = fts_query(text)
        if not query:
            return []
        sql = self._MSG + " WHERE m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)"
        params: list[Any] = [query]
        if conversation_id is not None:
            sql += " AND m.conversation_id = ?"
            params.append(conversation_id)
        rows = self._db.query(sql + " ORDER BY m.sent_utc, m.position", params)
        return [self._msg(r) for r in rows]

    def evidence_links(self) -> dict[int, set[int]]:
        """Evidence reached through linked messages: the export file and attachments.

        Maps an evidence id to the entries whose linked messages come from that export
        or carry that file, so a report lists them as exhibits of those entries.
        """
        rows = self._db.query(
            "SELECT c.evidence_id, im.incident_id FROM incident_messages im"
            " JOIN messages m ON m.id = im.message_id"
            " JOIN conversations c ON c.id = m.conversation_id"
            " UNION SELECT a.evidence_id, im.incident_id FROM incident_messages im"
            " JOIN message_attachments a ON a.message_id = im.message_id"
            " WHERE a.evidence_id IS NOT NULL"
        )
        links: dict[int, set[int]] = {}
        for evidence_id, incident_id in rows:
            links.setdefault(int(evidence_id), set()).add(int(incident_id))
        return links

    def search_count(self, text: str) -> int:
        """How many messages match (for the diary's search to say so)."""
        query = fts_query(text)
        if not query:
            return 0
        sql = "SELECT count(*) FROM message_fts WHERE message_fts MATCH ?"
        rows = self._db.query(sql, (query,))
        return int(rows[0][0])

    # -- links -----------------------------------------------------------------------
    def link(self, message_ids: Sequence[int], incident_id: int) -> None:
        """Link messages to an entry (linking twice is harmless); recorded in the log."""
        stamp = to_text(now())
        with self._db.transaction() as tx:
            if not tx.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
                raise NotFound(f"There is no incident with id {incident_id}.")
            for message_id in message_ids:
                if not tx.execute("SELECT 1 FROM messages WHERE id = ?", (message_id,)).fetchone():
                    raise NotFound(f"There is no message with id {message_id}.")
                cur = tx.execute(
                    "INSERT OR IGNORE INTO incident_messages (incident_id, message_id, linked_at)"
                    " VALUES (?, ?, ?)",
                    (incident_id, message_id, stamp),
                )
                if cur.rowcount:
                    ledger.record(tx, "incident_messages", incident_id, message_id)
                    self._log(tx, message_id, "link", incident_id, stamp)

    def unlink(self, message_ids: Sequence[int], incident_id: int) -> None:
        stamp = to_text(now())
        with self._db.transaction() as tx:
            for message_id in message_ids:
                cur = tx.execute(
                    "DELETE FROM incident_messages WHERE incident_id = ? AND message_id = ?",
                    (incident_id, message_id),
                )
                if cur.rowcount:
                    ledger.record(tx, "incident_messages", incident_id, message_id)
                    self._log(tx, message_id, "unlink", incident_id, stamp)

    @staticmethod
    def _log(tx: _Tx, message_id: int, action: str, incident_id: int, stamp: str) -> None:
        cur = tx.execute(
            "INSERT INTO message_log (message_id, incident_id, action, at) VALUES (?, ?, ?, ?)",
            (message_id, incident_id, action, stamp),
        )
        ledger.record(tx, "message_log", int(cur.lastrowid))

    # -- checking --------------------------------------------------------------------
    def verify(self) -> builtins.list[str]:
        """Recompute every conversation's chain; return plain sentences for what differs."""
        problems: builtins.list[str] = []
        for conv in self.conversations():
            rows = self._db.query(
                "SELECT m.id, m.position, m.sender, m.sent_at, m.text, m.kind, m.direction,"
                " m.attachments, m.details, m.prev_hash, m.hash FROM messages m"
                " WHERE m.conversation_id = ? ORDER BY m.position",
                (conv.id,),
            )
            prev = GENESIS
            broken = False
            hashes: dict[int, builtins.list[str]] = {}
            for message_id, sha in self._db.query(
                "SELECT a.message_id, e.sha256 FROM message_attachments a LEFT JOIN evidence e"
                " ON e.id = a.evidence_id WHERE a.message_id IN"
                " (SELECT id FROM messages WHERE conversation_id = ?)"
                " ORDER BY a.message_id, a.position",
                (conv.id,),
            ):
                hashes.setdefault(message_id, []).append(sha or "")
            for row in rows:
                record = {
                    "position": row[1], "sender": row[2], "sent_at": row[3], "text": row[4],
                    "kind": row[5], "direction": row[6], "attachments": json.loads(row[7]),
                    "attachment_sha256": hashes.get(row[0], []), "details": json.loads(row[8]),
                }
                if row[9] != prev or chain_hash(prev, record) != row[10]:
                    broken = True
                    break
                prev = row[10]
            if broken or len(rows) != conv.message_count or prev != conv.digest:
                problems.append(
                    f"The imported conversation “{conv.title}” has been changed outside "
                    "SafeDiary since it was imported."
                )
        return problems
