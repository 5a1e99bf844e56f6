"""Fault survival: kill -9, a full disk, a pulled USB stick and flipped bytes.

Where the machine allows it (root, ``mount``), the disk-full and stick-pulled
cases use real small file systems (tmpfs; a loop-mounted ext4 that is shut down
as if unplugged); otherwise those are skipped with the reason, and portable
versions (a file-size limit in a child process, the folder renamed away) always run.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safediary.core import StorageError, Vault, VaultCorrupted, VaultError
from safediary.core.evidence import blobs as bs
from safediary.core.vault.db import DB_FILE
from safediary.core.vault.keys import KEYS_COPY, KEYS_FILE, load_slot_files
from tests.conftest import PASSPHRASE, require_tool
from tests.support.fault_harness import run_loop

WHEN = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
EXT4_IOC_SHUTDOWN = 0x8004587D  # _IOR('X', 125, __u32)
EXT4_GOING_FLAGS_NOLOGFLUSH = 2  # like pulling the stick: nothing more reaches the disk


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _fill(vault: Vault, tmp: Path, n: int = 6) -> tuple[list[tuple[int, str]], list[str]]:
    """Add entries (one amended) and two evidence files; return what to expect back."""
    entries = []
    for i in range(n):
        inc = vault.incidents.add(WHEN + timedelta(hours=i), description=f"entry {i} " + "z" * 3000)
        entries.append((inc.number, inc.description))
    vault.incidents.amend(1, location="Outside work")
    digests = []
    for name, size in (("voice note.m4a", 150_000), ("screenshot.png", 40_000)):
        path = tmp / name
        path.write_bytes(os.urandom(size))
        digests.append(vault.evidence.add_file(path, incident_id=1).sha256)
        path.unlink()
    return entries, digests


def _assert_intact(folder: Path, passphrase: str, entries: list[tuple[int, str]],
                   digests: list[str]) -> None:
    with Vault.unlock(folder, passphrase) as vault:
        got = {i.number: i.description for i in vault.incidents.list()}
        for number, text in entries:
            assert got[number] == text
        assert [e.sha256 for e in vault.evidence.list()][: len(digests)] == digests
        report = vault.verify()
        assert report.ok, report.problems
        assert not list(folder.rglob("*.tmp"))


# ----------------------------------------------------------------------------- mounts


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


@contextlib.contextmanager
def _mounted(point: Path, *args: str) -> Iterator[Path]:
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) to make a small real file system")
    point.mkdir(parents=True, exist_ok=True)
    done = _run("mount", *args, str(point))
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        if _run("umount", str(point)).returncode != 0:
            _run("umount", "-l", str(point))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MB tmpfs: real ENOSPC when it fills up."""
    with _mounted(tmp_path / "small", "-t", "tmpfs", "-o", "size=12m,mode=0700", "tmpfs") as p:
        yield p


@pytest.fixture
def stick(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A loop-mounted ext4 image standing in for a USB stick: (mount point, image)."""
    require_tool("mkfs.ext4")
    image = tmp_path / "stick.img"
    with open(image, "wb") as fh:
        fh.truncate(48 * 1024 * 1024)
    if _run("mkfs.ext4", "-q", "-F", str(image)).returncode != 0:
        pytest.skip("mkfs.ext4 failed")
    with _mounted(tmp_path / "stick", "-o", "loop", str(image)) as point:
        yield point, image


def _fill_disk(folder: Path) -> Path:
    """Write a filler file until the file system refuses with ENOSPC."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        block = b"\0" * 65536
        try:
            while True:
                fh.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with contextlib.suppress(OSError), open(filler, "ab", buffering=0) as fh:  # last crumbs
        while True:
            fh.write(b"\0" * 512)
    return filler


# ----------------------------------------------------------------------------- kill -9


@pytest.mark.slow
def test_kill9_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    seed = int(os.environ.get("SAFEDIARY_FAULT_SEED", random.randrange(1 << 32)))
    iterations = int(os.environ.get("SAFEDIARY_FAULT_ITERATIONS", "12"))
    result = run_loop(tmp_path, iterations, seed=seed)
    assert not result.failures, f"seed {seed}: " + "; ".join(result.failures[:5])
    assert result.kills == iterations
    assert sum(result.acknowledged.values()) > 0


# ----------------------------------------------------------------------------- disk full


def test_disk_full_during_import_real_enospc(small_disk: Path, tmp_path: Path) -> None:
    folder = small_disk / "vault"
    vault, _ = Vault.create(folder, PASSPHRASE)
    try:
        entries, digests = _fill(vault, tmp_path)
        big = tmp_path / "video.mp4"
        big.write_bytes(os.urandom(20 * 1024 * 1024))
        with pytest.raises(StorageError, match="full"):
            vault.evidence.add_file(big, incident_id=1)
        assert bs.list_blob_ids(folder / "evidence") == {
            r[0] for r in vault._db.query("SELECT blob_id FROM evidence_blobs")
        }
        assert not list(folder.rglob("*.tmp"))
        # still usable straight away
        entries.append((vault.incidents.add(WHEN, description="after").number, "after"))
    finally:
        vault.lock()
    _assert_intact(folder, PASSPHRASE, entries, digests)


def test_disk_full_during_save_real_enospc(small_disk: Path, tmp_path: Path) -> None:
    folder = small_disk / "vault"
    vault, _ = Vault.create(folder, PASSPHRASE)
    try:
        entries, digests = _fill(vault, tmp_path)
        filler = _fill_disk(small_disk)
        with pytest.raises(StorageError, match="full"):
            for _ in range(50):  # the WAL may still have room for a small entry or two
                vault.incidents.add(WHEN, description="y" * 400_000)
        with pytest.raises(StorageError):
            vault.change_passphrase("a new passphrase that cannot be saved")
        with pytest.raises(StorageError):
            vault.evidence.add_file(Path(__file__))
        assert {i.number for i in vault.incidents.list()} >= {n for n, _ in entries}
        saved = {i.number: i.description for i in vault.incidents.list()}
    finally:
        vault.lock()
    # the vault opens while the disk is still full, with the old passphrase
    with Vault.unlock(folder, PASSPHRASE) as again:
        assert {i.number: i.description for i in again.incidents.list()} == saved
    filler.unlink()
    _assert_intact(folder, PASSPHRASE, entries, digests)


_LIMITED_CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from safediary.core import Vault
    from safediary.core.vault import keys
    keys.DEFAULT_KDF = keys.KdfParams.fast()
    folder, source, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    vault = Vault.unlock(folder, sys.argv[4])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    out = {}
    for name, action in (
        ("import", lambda: vault.evidence.add_file(source)),
        ("save", lambda: vault.incidents.add(datetime.now(UTC), description="q" * 3_000_000)),
    ):
        try:
            action()
            out[name] = "saved"
        except Exception as exc:
            out[name] = [type(exc).__name__, str(exc)]
    out["count"] = vault.incidents.count()
    vault.lock()
    print(json.dumps(out))
    """
)


def test_write_limit_during_import_and_save_portable(vault: Vault, tmp_path: Path) -> None:
    """Always runs: the kernel refuses writes past a file-size limit (RLIMIT_FSIZE)."""
    if not hasattr(os, "fork"):
        pytest.skip("RLIMIT_FSIZE is POSIX only")
    entries, digests = _fill(vault, tmp_path)
    vault.lock()
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(4 * 1024 * 1024))
    limit = 2 * 1024 * 1024
    assert max(p.stat().st_size for p in vault.folder.rglob("*") if p.is_file()) < limit
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED_CHILD, str(vault.folder), str(source), str(limit),
         PASSPHRASE],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["import"][0] == "StorageError"
    assert out["save"][0] == "StorageError"
    assert out["count"] == len(entries)
    _assert_intact(vault.folder, PASSPHRASE, entries, digests)


# ----------------------------------------------------------------------------- stick removed


def test_stick_pulled_out_while_open_real_eio(stick: tuple[Path, Path], tmp_path: Path) -> None:
    point, image = stick
    folder = point / "vault"
    vault, _ = Vault.create(folder, PASSPHRASE)
    entries, digests = _fill(vault, tmp_path)
    fd = os.open(point, os.O_RDONLY)
    try:  # from here on every read and write on the stick fails with EIO
        fcntl.ioctl(fd, EXT4_IOC_SHUTDOWN, struct.pack("I", EXT4_GOING_FLAGS_NOLOGFLUSH))
    except OSError as exc:
        vault.lock()
        pytest.skip(f"cannot shut the test file system down: {exc}")
    finally:
        os.close(fd)
    source = tmp_path / "photo.jpg"
    source.write_bytes(os.urandom(10_000))
    actions = {
        "add": lambda: vault.incidents.add(WHEN, description="lost"),
        "amend": lambda: vault.incidents.amend(1, description="lost"),
        "list": lambda: vault.incidents.list(),
        "kv": lambda: vault.kv.set("k", 1),
        "import": lambda: vault.evidence.add_file(source),
        "read evidence": lambda: vault.evidence.read(1),
        "passphrase": lambda: vault.change_passphrase("another passphrase"),
        "backup": lambda: vault.backup(tmp_path / "backup"),
    }
    for name, action in actions.items():
        with pytest.raises(StorageError, match=r"stick|disk") as info:
            action()
        assert "damaged" not in str(info.value), name  # it is not damaged, just gone
    vault.lock()  # no exception, no crash
    # "put the stick back": unmount and mount the image again
    assert _run("umount", str(point)).returncode == 0
    assert _run("mount", "-o", "loop", str(image), str(point)).returncode == 0
    _assert_intact(folder, PASSPHRASE, entries, digests)


def test_folder_gone_while_open_portable(vault: Vault, tmp_path: Path) -> None:
    """Always runs: the vault folder is renamed away while open, then put back."""
    entries, digests = _fill(vault, tmp_path)
    folder = vault.folder
    keys_before = {n: (folder / n).read_bytes() for n in (KEYS_FILE, KEYS_COPY)}
    away = folder.with_name("away")
    os.rename(folder, away)
    try:
        source = tmp_path / "letter.pdf"
        source.write_bytes(os.urandom(5000))
        with pytest.raises(StorageError, match=r"no longer there|stick"):
            vault.evidence.add_file(source, incident_id=1)
        with pytest.raises(StorageError, match=r"no longer there|stick"):
            vault.change_passphrase("another passphrase")
        assert not folder.exists()  # nothing was recreated at the old place
    finally:
        vault.lock()
        os.rename(away, folder)
    assert {n: (folder / n).read_bytes() for n in (KEYS_FILE, KEYS_COPY)} == keys_before
    _assert_intact(folder, PASSPHRASE, entries, digests)  # the old passphrase still works


def test_failed_passphrase_change_changes_nothing(vault: Vault, tmp_path: Path) -> None:
    """A passphrase change that could not be saved must not linger in memory."""
    folder = vault.folder
    os.chmod(folder, 0o500)
    if os.access(folder, os.W_OK):  # root ignores modes: make the write fail another way
        os.chmod(folder, 0o700)
        away = folder.with_name("away")
        os.rename(folder, away)
        with pytest.raises(StorageError):
            vault.change_passphrase("never saved")
        os.rename(away, folder)
    else:
        with pytest.raises(StorageError):
            vault.change_passphrase("never saved")
        os.chmod(folder, 0o700)
    # a later save of the key file (here: a backup of it) must carry the OLD passphrase
    report = vault.backup(tmp_path / "b")
    secret = vault.add_secret_slot("keychain")
    assert secret
    vault.lock()
    for where in (folder, report.folder):
        with Vault.unlock(where, PASSPHRASE):
            pass


# ----------------------------------------------------------------------------- flipped bytes


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x10
    path.write_bytes(bytes(data))


@pytest.fixture
def closed(vault: Vault, tmp_path: Path) -> tuple[Path, list[tuple[int, str]], list[str]]:
    entries, digests = _fill(vault, tmp_path, n=30)
    vault.lock()
    return vault.folder, entries, digests


def test_flipped_byte_in_database_page_is_found_and_nothing_rewritten(closed) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = closed
    db = folder / DB_FILE
    pages = db.stat().st_size // 4096
    assert pages > 8
    _flip(db, 4096 * (pages // 2) + 1234)
    before = _hashes(folder)
    try:
        vault = Vault.unlock(folder, PASSPHRASE)
    except VaultCorrupted as exc:
        assert "backup" in str(exc)
    else:
        with vault:
            problems: list[str] = []
            try:
                problems = vault.verify().problems
                vault.incidents.list()
            except VaultCorrupted as exc:
                problems.append(str(exc))
            assert any("damaged" in p for p in problems), problems
    assert _hashes(folder) == before


def test_flipped_byte_in_database_header_is_corrupted_at_unlock(closed) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = closed
    _flip(folder / DB_FILE, 100)
    before = _hashes(folder)
    with pytest.raises(VaultCorrupted, match="backup"):
        Vault.unlock(folder, PASSPHRASE)
    assert _hashes(folder) == before


def test_flipped_byte_in_one_key_copy_uses_the_other(closed) -> None:  # type: ignore[no-untyped-def]
    folder, entries, digests = closed
    good = (folder / KEYS_COPY).read_bytes()
    _flip(folder / KEYS_FILE, len(good) // 2)
    db_before = _hashes(folder)[DB_FILE]
    _assert_intact(folder, PASSPHRASE, entries, digests)
    assert _hashes(folder)[DB_FILE] == db_before
    # the damaged copy was repaired from the good one (same content, both readable)
    assert len(load_slot_files(folder)) == 2


def test_flipped_byte_in_both_key_copies_is_corrupted(closed) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = closed
    size = (folder / KEYS_FILE).stat().st_size
    _flip(folder / KEYS_FILE, size // 2)
    _flip(folder / KEYS_COPY, size // 3)
    before = _hashes(folder)
    with pytest.raises(VaultCorrupted, match="backup"):
        Vault.unlock(folder, PASSPHRASE)
    assert _hashes(folder) == before


def test_flipped_byte_in_evidence_is_named_by_verify(closed) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = closed
    segments = sorted((folder / "evidence").rglob("*.0"))
    assert len(segments) == 2
    with Vault.unlock(folder, PASSPHRASE) as vault:
        by_blob = dict(vault._db.query("SELECT blob_id, sha256 FROM evidence_blobs"))
        victim = next(e for e in vault.evidence.list() if e.sha256 == by_blob[segments[0].stem])
    _flip(segments[0], 20_000)
    before = _hashes(folder)
    with Vault.unlock(folder, PASSPHRASE) as vault:
        report = vault.verify()
        assert not report.ok
        assert len(report.problems) == 1
        assert victim.ref in report.problems[0] and victim.original_name in report.problems[0]
        with pytest.raises(VaultCorrupted):
            vault.evidence.read(victim.id)
        other = next(e for e in vault.evidence.list() if e.id != victim.id)
        assert vault.evidence.verify(other.id)
    assert _hashes(folder) == before


def test_every_fault_is_a_vault_error() -> None:
    """StorageError and VaultCorrupted are what the app catches; keep them VaultErrors."""
    assert issubclass(StorageError, VaultError) and issubclass(VaultCorrupted, VaultError)
