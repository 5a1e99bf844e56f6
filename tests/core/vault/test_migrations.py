"""Opening a vault written at an older schema version: a copy first, then the upgrade."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlcipher3

from safediary.core import Vault, VaultError
from safediary.core.vault.db import DB_FILE
from safediary.core.vault.keys import KEYS_COPY, KEYS_FILE, hkdf, load_slot_files
from safediary.core.vault.schema import MIGRATIONS, SCHEMA_VERSION
from safediary.core.vault.vault import DB_KEY_INFO
from tests.conftest import PASSPHRASE

WHEN = datetime(2023, 11, 2, 18, 5, tzinfo=UTC)
MARKER = "MIGRATION-MARKER-51c2"


def _v1_objects() -> set[str]:
    with contextlib.closing(sqlcipher3.connect(":memory:")) as mem:
        mem.executescript(MIGRATIONS[0])
        rows = mem.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        return {r[0] for r in rows}


def _open_raw(path: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def v1_vault(vault: Vault) -> tuple[Path, bytes, list[str]]:
    """A vault whose database is at schema version 1 (everything later dropped)."""
    if SCHEMA_VERSION < 2:
        pytest.skip("there is no schema version 2 to migrate to yet")
    for i in range(5):
        vault.incidents.add(WHEN, description=f"{MARKER} {i}")
    vault.incidents.amend(1, description=f"{MARKER} amended")
    texts = [i.description for i in vault.incidents.list()]
    master = bytes(vault._require_master())
    key = hkdf(master, DB_KEY_INFO)
    folder = vault.folder
    vault.lock()
    # a key file as written then: version 1, no record of the database's chain
    slots = load_slot_files(folder)[0]
    slots.db, slots.version = None, 1
    slots.mac = slots.compute_mac(master)
    for name in (KEYS_FILE, KEYS_COPY):
        (folder / name).write_bytes(slots.to_bytes())
    keep = _v1_objects()
    with contextlib.closing(_open_raw(folder / DB_FILE, key)) as conn:
        later = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for kind, name in later:
            if name not in keep and kind in ("table", "view", "index"):
                conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        conn.execute("PRAGMA user_version = 1")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return folder, key, texts


def test_old_vault_is_copied_then_upgraded(v1_vault: tuple[Path, bytes, list[str]],
                                           tmp_path: Path) -> None:
    folder, key, texts = v1_vault
    before = _sha(folder / DB_FILE)
    copy = folder / f"{DB_FILE}.v1.bak"
    assert not copy.exists()

    with Vault.unlock(folder, PASSPHRASE) as vault:
        assert [i.description for i in vault.incidents.list()] == texts
        assert len(vault.incidents.history(1)) == 2
        assert vault.verify().ok
        source = tmp_path / "note.txt"
        source.write_bytes(b"the new tables work")
        assert vault.evidence.read(vault.evidence.add_file(source).id) == b"the new tables work"
        assert vault._db.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION

    # the copy is the old database exactly, still encrypted and still at version 1
    assert _sha(copy) == before
    assert MARKER.encode() not in copy.read_bytes()
    with contextlib.closing(_open_raw(copy, key)) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1
        assert old.execute("SELECT count(*) FROM incidents").fetchone()[0] == len(texts)

    # opening again neither migrates nor replaces the copy
    with Vault.unlock(folder, PASSPHRASE) as vault:
        assert vault.incidents.count() == len(texts)
    assert _sha(copy) == before
    assert sorted(p.name for p in folder.glob(f"{DB_FILE}.v*.bak")) == [copy.name]


def test_failed_upgrade_changes_nothing(v1_vault: tuple[Path, bytes, list[str]]) -> None:
    folder, key, texts = v1_vault
    with contextlib.closing(_open_raw(folder / DB_FILE, key)) as conn:
        # an object in the way of migration 2 makes it fail halfway
        conn.execute("CREATE TABLE evidence_log (x)")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    with pytest.raises(VaultError, match="upgrade"):
        Vault.unlock(folder, PASSPHRASE)
    with contextlib.closing(_open_raw(folder / DB_FILE, key)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == len(texts)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "evidence_blobs" not in names  # the half-done migration was rolled back
    assert (folder / f"{DB_FILE}.v1.bak").exists()


def test_kinds_table_is_filled_from_older_entries(vault: Vault) -> None:
    """Migration 6: the kind filter reads an index; entries written before it are in it."""
    a = vault.incidents.add(WHEN, kinds={"threat", "following"})
    b = vault.incidents.add(WHEN, kinds={"text_message"})
    key = hkdf(vault._require_master(), DB_KEY_INFO)
    folder = vault.folder
    vault.lock()
    with contextlib.closing(_open_raw(folder / DB_FILE, key)) as conn:
        conn.execute("DROP TABLE incident_kinds")
        conn.execute("PRAGMA user_version = 5")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    with Vault.unlock(folder, PASSPHRASE) as again:
        assert again.incidents.ids(kinds={"threat"}) == [a.id]
        assert again.incidents.ids(kinds={"text_message", "following"}) == [a.id, b.id]
        again.incidents.amend(a.id, kinds={"text_message"})
        assert again.incidents.ids(kinds={"threat"}) == []
        assert again.incidents.ids(kinds={"text_message"}) == [a.id, b.id]
        assert again.verify().ok
