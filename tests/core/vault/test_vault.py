"""The vault: create, unlock, recovery, passphrase change, locking, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from safediary.core import (
    InvalidInput,
    NotAVault,
    Vault,
    VaultCorrupted,
    VaultExists,
    VaultLocked,
    VaultTooNew,
    WrongPassphrase,
)
from safediary.core.errors import InvalidRecoveryKey
from safediary.core.vault import keys as keymod
from tests.conftest import PASSPHRASE

WHEN = datetime(2026, 3, 14, 21, 30, tzinfo=timezone(timedelta(hours=1)))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_create_unlock_roundtrip(vault_dir: Path) -> None:
    vault, recovery = Vault.create(vault_dir, PASSPHRASE)
    inc = vault.incidents.add(WHEN, location="Bus stop", description="He was waiting")
    vault.lock()
    again = Vault.unlock(vault_dir, PASSPHRASE)
    assert again.incidents.get(inc.id).description == "He was waiting"
    again.lock()
    assert len(recovery.replace("-", "")) == 55


def test_wrong_passphrase_leaves_vault_untouched(vault_dir: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    vault.incidents.add(WHEN, description="x")
    vault.lock()
    before = _files(vault_dir)
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_dir, PASSPHRASE + " ")
    assert _files(vault_dir) == before


def test_passphrase_unicode_normalised(vault_dir: Path) -> None:
    composed = "caf\u00e9 \u05e9\u05dc\u05d5\u05dd 😀"
    decomposed = "cafe\u0301 \u05e9\u05dc\u05d5\u05dd 😀"
    vault, _ = Vault.create(vault_dir, composed)
    vault.lock()
    Vault.unlock(vault_dir, decomposed).lock()


@pytest.mark.parametrize("bad", ["", "   ", "\n"])
def test_empty_passphrase_rejected(vault_dir: Path, bad: str) -> None:
    with pytest.raises(InvalidInput):
        Vault.create(vault_dir, bad)
    assert not vault_dir.exists()


def test_recovery_key_opens_and_typos_are_caught(new_vault: tuple[Vault, str], vault_dir: Path):
    vault, recovery = new_vault
    vault.incidents.add(WHEN, description="kept")
    vault.lock()
    # Lower case, spaces instead of dashes, O for 0 all accepted.
    typed = recovery.lower().replace("-", " ").replace("0", "o")
    opened = Vault.unlock_with_recovery_key(vault_dir, typed)
    assert opened.incidents.list()[0].description == "kept"
    opened.lock()
    chars = list(recovery)
    i = next(i for i, c in enumerate(chars) if c != "-")
    chars[i] = "A" if chars[i] != "A" else "B"
    with pytest.raises(InvalidRecoveryKey):
        Vault.unlock_with_recovery_key(vault_dir, "".join(chars))
    with pytest.raises(InvalidRecoveryKey):
        Vault.unlock_with_recovery_key(vault_dir, recovery[:-6])


def test_recovery_key_of_other_vault_is_wrong(tmp_path: Path) -> None:
    a, _ = Vault.create(tmp_path / "a", PASSPHRASE)
    b, rec_b = Vault.create(tmp_path / "b", PASSPHRASE)
    a.lock()
    b.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_recovery_key(tmp_path / "a", rec_b)


def test_recovery_key_format_roundtrip() -> None:
    for _ in range(50):
        text, raw = keymod.new_recovery_key()
        assert keymod.parse_recovery_key(text) == raw
        assert all(len(g) == 5 for g in text.split("-"))


def test_change_passphrase_rewrites_only_key_files(vault: Vault, vault_dir: Path) -> None:
    vault.incidents.add(WHEN, description="before change")
    vault._db.checkpoint()
    db_before = (vault_dir / "diary.db").read_bytes()
    vault.change_passphrase("a new one 'with' \"quotes\"")
    assert (vault_dir / "diary.db").read_bytes() == db_before
    vault.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_dir, PASSPHRASE)
    opened = Vault.unlock(vault_dir, "a new one 'with' \"quotes\"")
    assert opened.incidents.list()[0].description == "before change"
    opened.lock()


def test_crash_between_key_copies_leaves_a_working_passphrase(vault: Vault, vault_dir: Path):
    old_b = (vault_dir / keymod.KEYS_COPY).read_bytes()
    vault.change_passphrase("new passphrase")
    vault.lock()
    # Simulate a crash after the first copy was written: the spare is still old.
    (vault_dir / keymod.KEYS_COPY).write_bytes(old_b)
    Vault.unlock(vault_dir, "new passphrase").lock()
    # The stale spare copy was repaired on unlock.
    assert (vault_dir / keymod.KEYS_COPY).read_bytes() == (
        vault_dir / keymod.KEYS_FILE
    ).read_bytes()


def test_crash_before_first_copy_keeps_old_passphrase(vault: Vault, vault_dir: Path) -> None:
    old = (vault_dir / keymod.KEYS_FILE).read_bytes()
    vault.change_passphrase("new passphrase")
    vault.lock()
    (vault_dir / keymod.KEYS_FILE).write_bytes(old)
    (vault_dir / keymod.KEYS_COPY).write_bytes(old)
    Vault.unlock(vault_dir, PASSPHRASE).lock()


def test_damaged_key_file_uses_spare_copy(vault: Vault, vault_dir: Path) -> None:
    vault.lock()
    path = vault_dir / keymod.KEYS_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))
    Vault.unlock(vault_dir, PASSPHRASE).lock()


def test_both_key_files_damaged_is_corrupted_and_untouched(vault: Vault, vault_dir: Path):
    vault.lock()
    for name in (keymod.KEYS_FILE, keymod.KEYS_COPY):
        (vault_dir / name).write_bytes(b"{not json")
    before = _files(vault_dir)
    with pytest.raises(VaultCorrupted):
        Vault.unlock(vault_dir, PASSPHRASE)
    assert _files(vault_dir) == before


def test_edited_key_file_is_detected_by_mac(vault: Vault, vault_dir: Path) -> None:
    vault.lock()
    for name in (keymod.KEYS_FILE, keymod.KEYS_COPY):
        path = vault_dir / name
        obj = json.loads(path.read_bytes())
        obj.pop("checksum")
        obj["generation"] += 5  # an edit made by hand, with a fresh checksum
        slot = keymod.SlotFile(obj["vault_id"], obj["generation"], obj["slots"], obj["mac"])
        path.write_bytes(slot.to_bytes())
    with pytest.raises(VaultCorrupted):
        Vault.unlock(vault_dir, PASSPHRASE)


def test_damaged_database_is_never_recreated(vault: Vault, vault_dir: Path) -> None:
    vault.incidents.add(WHEN, description="precious")
    vault.lock()
    db = vault_dir / "diary.db"
    data = bytearray(db.read_bytes())
    for i in range(0, 64):  # wreck the first page's salt/header
        data[i] ^= 0xFF
    db.write_bytes(bytes(data))
    before = _files(vault_dir)
    with pytest.raises(VaultCorrupted):
        Vault.unlock(vault_dir, PASSPHRASE)
    assert _files(vault_dir) == before


def test_missing_database_is_corrupted_not_recreated(vault: Vault, vault_dir: Path) -> None:
    vault.lock()
    (vault_dir / "diary.db").unlink()
    with pytest.raises(VaultCorrupted):
        Vault.unlock(vault_dir, PASSPHRASE)
    assert not (vault_dir / "diary.db").exists()


def test_not_a_vault(tmp_path: Path) -> None:
    (tmp_path / "holiday.txt").write_text("hello")
    with pytest.raises(NotAVault):
        Vault.unlock(tmp_path, PASSPHRASE)


def test_create_refuses_existing_vault(vault: Vault, vault_dir: Path) -> None:
    vault.lock()
    before = _files(vault_dir)
    with pytest.raises(VaultExists):
        Vault.create(vault_dir, "other")
    assert _files(vault_dir) == before


def test_vault_from_newer_version(vault: Vault, vault_dir: Path) -> None:
    vault._db.conn.execute("PRAGMA user_version = 999")
    vault.lock()
    with pytest.raises(VaultTooNew):
        Vault.unlock(vault_dir, PASSPHRASE)


def test_key_file_from_newer_version(vault: Vault, vault_dir: Path) -> None:
    vault.lock()
    for name in (keymod.KEYS_FILE, keymod.KEYS_COPY):
        obj = json.loads((vault_dir / name).read_bytes())
        obj["version"] = 99
        (vault_dir / name).write_text(json.dumps(obj))
    with pytest.raises(VaultTooNew):
        Vault.unlock(vault_dir, PASSPHRASE)


def test_locked_vault_refuses_use(vault: Vault) -> None:
    incidents = vault.incidents
    vault.lock()
    vault.lock()  # twice is fine
    assert vault.is_locked
    with pytest.raises(VaultLocked):
        incidents.list()
    with pytest.raises(VaultLocked):
        incidents.add(WHEN)
    with pytest.raises(VaultLocked):
        vault.change_passphrase("x")


def test_database_really_uses_sqlcipher(vault: Vault, vault_dir: Path) -> None:
    version = vault._db.query("PRAGMA cipher_version")[0][0]
    assert version
    vault.lock()
    assert not (vault_dir / "diary.db").read_bytes().startswith(b"SQLite format 3")


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX modes")
def test_files_are_private(vault: Vault, vault_dir: Path) -> None:
    vault.incidents.add(WHEN)
    vault.lock()
    assert vault_dir.stat().st_mode & 0o077 == 0
    for path in vault_dir.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX modes")
def test_create_leaves_the_users_folders_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only what SafeDiary makes is private: the parent folder keeps its owner's mode."""
    documents = tmp_path / "Documents"
    documents.mkdir()
    documents.chmod(0o755)
    monkeypatch.chdir(documents)  # the README's example: Vault.create(Path("my-vault"), ...)
    vault, _ = Vault.create(Path("my-vault"), PASSPHRASE)
    vault.lock()
    assert documents.stat().st_mode & 0o777 == 0o755
    assert (documents / "my-vault").stat().st_mode & 0o777 == 0o700
    # missing parents are SafeDiary's own: made private; the existing one is untouched
    tmp_path.chmod(0o751)
    deep, _ = Vault.create(tmp_path / "new" / "deeper" / "vault", PASSPHRASE)
    deep.lock()
    assert tmp_path.stat().st_mode & 0o777 == 0o751
    for made in (tmp_path / "new", tmp_path / "new" / "deeper"):
        assert made.stat().st_mode & 0o777 == 0o700, made


def test_secret_slot(vault: Vault, vault_dir: Path) -> None:
    secret = vault.add_secret_slot("keychain")
    assert vault.has_slot("keychain")
    vault.lock()
    Vault.unlock_with_secret(vault_dir, "keychain", secret).lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_secret(vault_dir, "keychain", b"\0" * 32)
    opened = Vault.unlock(vault_dir, PASSPHRASE)
    opened.remove_slot("keychain")
    opened.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_secret(vault_dir, "keychain", secret)
    with pytest.raises(InvalidInput):
        Vault.unlock(vault_dir, PASSPHRASE).remove_slot("passphrase")


def test_kv_and_drafts(vault: Vault, vault_dir: Path) -> None:
    vault.kv.set("contacts", [{"name": "Helpline", "number": "0808 802 0300"}])
    vault.drafts.save("new", {"description": "half-written ✍"})
    vault.lock()
    opened = Vault.unlock(vault_dir, PASSPHRASE)
    assert opened.kv.get("contacts")[0]["number"] == "0808 802 0300"
    assert opened.drafts.load("new") == {"description": "half-written ✍"}
    opened.drafts.discard("new")
    assert opened.drafts.load("new") is None
    opened.lock()


def test_now_is_aware() -> None:
    from safediary.core.timeutil import now

    assert now().tzinfo is not None
    assert abs((now() - datetime.now(UTC)).total_seconds()) < 5
