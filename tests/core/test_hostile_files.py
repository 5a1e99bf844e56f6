"""Files a stalker can plant in a vault or a backup: each fails plainly and quickly."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from safediary.core import Vault, VaultError
from safediary.core.vault import keys
from tests.conftest import PASSPHRASE


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _plant_kdf(folder: Path, **kdf: Any) -> None:
    """Rewrite both key-file copies with other Argon2 costs and a valid checksum."""
    obj = json.loads((folder / keys.KEYS_FILE).read_bytes())
    obj.pop("checksum")
    obj["slots"]["passphrase"]["kdf"].update(kdf)
    obj["checksum"] = hashlib.sha256(_canonical(obj)).hexdigest()
    data = json.dumps(obj).encode()
    for name in (keys.KEYS_FILE, keys.KEYS_COPY):
        (folder / name).write_bytes(data)


def _unlock_fails_fast(folder: Path) -> VaultError:
    start = time.monotonic()
    with pytest.raises(VaultError) as caught:
        Vault.unlock(folder, PASSPHRASE)
    assert time.monotonic() - start < 2.0
    return caught.value


@pytest.mark.parametrize(
    "kdf",
    [
        {"m": 16 << 20},  # 16 GiB
        {"t": 2**31},
        {"t": 0},
        {"p": 0},
        {"p": -1},
        {"m": -1},
        {"m": 0},
        {"t": "2"},
        {"t": 2.5},
        {"t": True},
        {"p": 100_000},
        {"t": 10, "m": 1 << 20},  # each within bounds, together 10 GiB of passes
        {"salt": ""},
        {"alg": "scrypt"},
    ],
)
def test_crafted_argon2_costs_are_refused_before_any_work(vault_dir: Path, kdf: dict) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    vault.lock()
    _plant_kdf(vault_dir, **kdf)
    _unlock_fails_fast(vault_dir)


def _plant_both(folder: Path, data: bytes) -> None:
    for name in (keys.KEYS_FILE, keys.KEYS_COPY):
        (folder / name).unlink()
        (folder / name).write_bytes(data)


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": "safediary-keys", "slots": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
        b'{"format": "safediary-keys", "version": 1e999}',
        b"\xff\xfe garbage",
        b"",
        b"{" * (1 << 20),  # larger than any key file
    ],
)
def test_malformed_key_files_are_a_plain_vault_error(vault_dir: Path, content: bytes) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    vault.lock()
    _plant_both(vault_dir, content)
    _unlock_fails_fast(vault_dir)


def test_a_fifo_in_place_of_the_key_file_does_not_hang(vault_dir: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    vault.lock()
    for name in (keys.KEYS_FILE, keys.KEYS_COPY):
        (vault_dir / name).unlink()
        os.mkfifo(vault_dir / name)
    error = _unlock_fails_fast(vault_dir)
    assert "could not be read" in str(error)


def test_a_linked_key_file_is_not_followed(vault_dir: Path, tmp_path: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    vault.lock()
    elsewhere = tmp_path / "elsewhere.keys"
    for name in (keys.KEYS_FILE, keys.KEYS_COPY):
        (vault_dir / name).rename(elsewhere)
        (vault_dir / name).symlink_to(elsewhere)
    error = _unlock_fails_fast(vault_dir)
    assert "link" in str(error)


def test_the_default_costs_are_within_the_bounds() -> None:
    for params in (keys.DEFAULT_KDF, keys.KdfParams(), keys.KdfParams.fast()):
        kdf = {"t": params.time_cost, "m": params.memory_kib, "p": params.parallelism}
        assert keys.checked_kdf_params(kdf) == params


# -- item 9: image bombs below Pillow's own limit -------------------------------------------
def _peak_mb_of(code: str) -> float:
    """Run ``code`` in a fresh interpreter; its peak memory growth in MB."""
    import subprocess
    import sys

    script = (
        "import resource\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"{code}\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]))
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.split()[-1])


def test_an_81_megapixel_png_gets_no_thumbnail_and_costs_little() -> None:
    from tests.support.hostile import png_bomb

    data = png_bomb(9000, 9000)
    assert len(data) < 400_000
    from safediary.core.evidence import media

    assert media.make_thumbnail(data) is None
    peak = _peak_mb_of(
        "from tests.support.hostile import png_bomb\n"
        "from safediary.core.evidence import media\n"
        "data = png_bomb(9000, 9000)\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "assert media.make_thumbnail(data) is None\n"
        "media.image_metadata(data)\n"
    )
    assert peak < 50, f"{peak:.0f} MB"


def test_a_large_jpeg_is_decoded_reduced(tmp_path: Path) -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8000, 6000), (90, 120, 200)).save(out, format="JPEG", quality=50)
    code = (
        "import io\n"
        "from safediary.core.evidence import media\n"
        f"data = open({str(_write(tmp_path / 'big.jpg', out.getvalue()))!r}, 'rb').read()\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "assert media.make_thumbnail(data) is not None\n"
    )
    peak = _peak_mb_of(code)
    assert peak < 60, f"{peak:.0f} MB for a 48-megapixel JPEG"  # 144 MB if decoded whole


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- item 10: names that disguise themselves ------------------------------------------------
@pytest.mark.parametrize(
    "char",
    [
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings and overrides
        "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
        "\u200e", "\u200f", "\u061c",  # marks
        "\u200b", "\ufeff", "\u00ad", "\u2060",  # zero-width and invisible
        "\x00", "\x1b", "\x7f", "\x85", "\u2028",  # controls and separators
        "\ue000", "\U000e0041",  # private use, tag characters
    ],
)  # fmt: skip
def test_every_hidden_character_in_a_name_is_shown(char: str) -> None:
    from safediary.core.wording import visible_name, without_controls

    shown = visible_name(f"invoice-{char}fdp.exe")
    assert char not in shown
    assert f"[U+{ord(char):04X}" in shown
    assert without_controls(f"invoice-{char}fdp.exe") == "invoice-fdp.exe"


def test_real_words_keep_their_joiners() -> None:
    from safediary.core.wording import visible_name

    for name in ("می‌خواهم.txt", "👨‍👩‍👧.jpg", "صورة.jpg", "שלום.pdf", "क्ष.png"):
        assert visible_name(name) == name


def test_a_bundle_never_writes_a_disguised_name() -> None:
    from safediary.core.report.data import safe_file_name

    assert safe_file_name("RW-1 invoice-\u202efdp.exe") == "RW-1 invoice-fdp.exe"


def test_evidence_messages_show_the_marker(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "invoice-\u202efdp.exe"
    path.write_bytes(b"MZ not really")
    ev = vault.evidence.add_file(path)
    assert ev.original_name == "invoice-\u202efdp.exe"  # kept exactly, as evidence
    assert ev.shown_name == "invoice-[U+202E RIGHT-TO-LEFT OVERRIDE]fdp.exe"


# -- item 5: planted links in a vault or a backup --------------------------------------------
def test_the_unlock_sweep_never_follows_a_linked_evidence_folder(
    vault_dir: Path, tmp_path: Path
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    vault.lock()
    outside = tmp_path / "someone else's files"
    outside.mkdir()
    precious = outside / ("ab" + "0" * 30 + ".0")  # named like a stray evidence segment
    precious.write_bytes(b"a file outside the vault")
    evidence = vault_dir / "evidence"
    evidence.mkdir(exist_ok=True)
    (evidence / "ab").symlink_to(outside, target_is_directory=True)
    Vault.unlock(vault_dir, PASSPHRASE).lock()
    assert precious.read_bytes() == b"a file outside the vault"
    assert (evidence / "ab").is_symlink()  # left alone, not followed


def test_restore_refuses_a_backup_holding_a_link(vault: Vault, tmp_path: Path) -> None:
    from safediary.core.backup import backup as backups
    from safediary.core.errors import InvalidInput

    made = vault.backup(tmp_path / "backups")
    folder = made.folder
    secret = tmp_path / "private.txt"
    secret.write_text("not part of any backup")
    (folder / "diary.db").unlink()
    (folder / "diary.db").symlink_to(secret)
    with pytest.raises(InvalidInput, match="link"):
        backups.restore(folder, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


def test_the_newest_backup_is_decided_by_its_contents_not_its_name(
    vault_dir: Path, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from safediary.core.backup.backup import find_backups

    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    old = vault.backup(tmp_path / "backups").folder
    for n in range(3):
        vault.incidents.add(occurred_at=datetime.now(UTC), description=f"entry {n}")
    vault.lock()  # records the diary's length in the key file
    vault = Vault.unlock(vault_dir, PASSPHRASE)
    new = vault.backup(tmp_path / "backups").folder
    vault.lock()
    planted = old.with_name("backup-9999-12-31-235959")
    old.rename(planted)
    os.utime(planted / "diary.db", (4_000_000_000, 4_000_000_000))  # dated in the future too
    assert find_backups(tmp_path / "backups")[0] == new


# -- beyond the list: a ".jpg" of junk kept an import busy for minutes ---------------------
@pytest.mark.parametrize(
    "head",
    [
        b"\xff\xd8\xff\xe0",  # SOI, then junk: Pillow scanned it one byte at a time
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",  # APP0, junk
    ],
)
def test_a_jpeg_made_of_junk_is_given_up_at_once(head: bytes, vault: Vault, tmp_path: Path) -> None:
    from safediary.core.evidence import media

    data = head + b"\0" * (20 << 20)
    start = time.monotonic()
    assert media.make_thumbnail(data) is None
    assert media.image_metadata(data) == {}
    assert time.monotonic() - start < 1.0
    path = tmp_path / "IMG-0001.jpg"
    path.write_bytes(data)
    start = time.monotonic()
    vault.evidence.add_file(path)  # kept as evidence, just without a thumbnail
    assert time.monotonic() - start < 5.0


def test_a_video_made_of_millions_of_empty_atoms_is_given_up_at_once() -> None:
    import io
    import struct

    from safediary.core.evidence import media

    def atom(kind: bytes, body: bytes = b"") -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    data = atom(b"ftyp", b"isom\0\0\0\0") + atom(b"free") * 2_000_000  # 15 MB
    start = time.monotonic()
    assert media.av_metadata(io.BytesIO(data)) == {}
    assert time.monotonic() - start < 1.0  # mutagen alone: 8 s
