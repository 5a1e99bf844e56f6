"""Tests for the encrypted chunked blob store (real crypto, real files)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import stat
from pathlib import Path

import pytest

from safediary.core.errors import StorageError, VaultCorrupted
from safediary.core.evidence import blobs as bs
from safediary.core.evidence.blobs import BlobReader, ImportCancelled

MIB = 1 << 20
SMALL_CHUNK = 1024
SMALL_SEGMENT = bs.HEADER_SIZE + 3 * (SMALL_CHUNK + bs.TAG_SIZE)


def _write(root: Path, data: bytes, key: bytes, **kw: object) -> bs.BlobInfo:
    return bs.write_blob(root, key, io.BytesIO(data), total=len(data), **kw)  # type: ignore[arg-type]


def _all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def key() -> bytes:
    return bs.new_file_key()


@pytest.mark.parametrize("size", [0, 1, MIB - 1, MIB, MIB + 1, 2 * MIB + 17])
def test_round_trip_sizes(tmp_path: Path, key: bytes, size: int) -> None:
    data = os.urandom(size)
    info = _write(tmp_path, data, key)
    assert info.size == size
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert bs.blob_exists(tmp_path, info.blob_id)
    with BlobReader(tmp_path, info.blob_id, key) as reader:
        assert reader.size == size
        assert reader.read_all() == data
        assert reader.sha256() == info.sha256
        chunks = list(reader)
    assert all(len(c) == MIB for c in chunks[:-1])
    assert b"".join(chunks) == data


def test_layout_names_and_modes(tmp_path: Path, key: bytes) -> None:
    info = _write(tmp_path, b"hello", key)
    files = _all_files(tmp_path)
    assert [f.name for f in files] == [f"{info.blob_id}.0"]
    assert files[0].parent.name == info.blob_id[:2]
    assert len(info.blob_id) == 32
    if os.name == "posix":
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    assert b"hello" not in files[0].read_bytes()


def test_multi_segment_round_trip(tmp_path: Path, key: bytes) -> None:
    data = os.urandom(10 * SMALL_CHUNK + 5)
    info = _write(tmp_path, data, key, chunk_size=SMALL_CHUNK, segment_size=SMALL_SEGMENT)
    assert info.segments == 4
    segs = _all_files(tmp_path)
    assert len(segs) == 4
    assert all(p.stat().st_size <= SMALL_SEGMENT for p in segs)
    assert bs.read_blob(tmp_path, info.blob_id, key) == data


def test_read_range(tmp_path: Path, key: bytes) -> None:
    data = os.urandom(7 * SMALL_CHUNK + 300)
    info = _write(tmp_path, data, key, chunk_size=SMALL_CHUNK, segment_size=SMALL_SEGMENT)
    with BlobReader(tmp_path, info.blob_id, key) as reader:
        for offset, length in [
            (0, 0),
            (0, 1),
            (0, len(data)),
            (SMALL_CHUNK - 1, 2),
            (SMALL_CHUNK, SMALL_CHUNK),
            (3 * SMALL_CHUNK - 5, 2 * SMALL_CHUNK + 10),
            (len(data) - 1, 10),
            (len(data), 5),
            (len(data) + 100, 5),
        ]:
            assert reader.read_range(offset, length) == data[offset : offset + length]
    with bs.BlobFile(BlobReader(tmp_path, info.blob_id, key)) as fh:
        fh.seek(SMALL_CHUNK + 3)
        assert fh.read(10) == data[SMALL_CHUNK + 3 : SMALL_CHUNK + 13]
        fh.seek(-4, io.SEEK_END)
        assert fh.read() == data[-4:]


def test_streaming_memory_is_bounded(tmp_path: Path, key: bytes) -> None:
    class Counting(io.RawIOBase):
        """A source that produces bytes on demand and never holds them."""

        def __init__(self, total: int) -> None:
            self.left = total

        def readable(self) -> bool:
            return True

        def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
            n = min(len(buf), self.left)
            buf[:n] = b"\x5a" * n
            self.left -= n
            return n

    info = bs.write_blob(tmp_path, key, Counting(5 * MIB + 3))  # type: ignore[arg-type]
    assert info.size == 5 * MIB + 3
    assert info.sha256 == hashlib.sha256(b"\x5a" * (5 * MIB + 3)).hexdigest()


def test_progress_reports(tmp_path: Path, key: bytes) -> None:
    seen: list[tuple[int, int | None]] = []
    data = os.urandom(3 * SMALL_CHUNK)
    _write(tmp_path, data, key, chunk_size=SMALL_CHUNK, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# --------------------------------------------------------------------------- tampering


def _small_blob(root: Path, key: bytes, chunks: int = 6) -> tuple[bs.BlobInfo, bytes]:
    data = os.urandom(chunks * SMALL_CHUNK + 10)
    return _write(root, data, key, chunk_size=SMALL_CHUNK), data


def _read(root: Path, blob_id: str, key: bytes) -> bytes:
    return bs.read_blob(root, blob_id, key)


def test_flip_a_byte(tmp_path: Path, key: bytes) -> None:
    info, _ = _small_blob(tmp_path, key)
    seg = bs.segment_path(tmp_path, info.blob_id, 0)
    raw = bytearray(seg.read_bytes())
    raw[bs.HEADER_SIZE + 2 * SMALL_CHUNK + 40] ^= 0x01
    seg.write_bytes(bytes(raw))
    with pytest.raises(VaultCorrupted, match="evidence"):
        _read(tmp_path, info.blob_id, key)


def test_flip_a_header_byte(tmp_path: Path, key: bytes) -> None:
    info, _ = _small_blob(tmp_path, key)
    seg = bs.segment_path(tmp_path, info.blob_id, 0)
    raw = bytearray(seg.read_bytes())
    raw[6] ^= 0x01  # chunk size field
    seg.write_bytes(bytes(raw))
    with pytest.raises(VaultCorrupted):
        _read(tmp_path, info.blob_id, key)


@pytest.mark.parametrize("cut", [1, bs.TAG_SIZE, SMALL_CHUNK])
def test_truncate(tmp_path: Path, key: bytes, cut: int) -> None:
    info, _ = _small_blob(tmp_path, key)
    seg = bs.segment_path(tmp_path, info.blob_id, 0)
    raw = seg.read_bytes()
    seg.write_bytes(raw[:-cut])
    with pytest.raises(VaultCorrupted):
        _read(tmp_path, info.blob_id, key)


def test_drop_last_chunk(tmp_path: Path, key: bytes) -> None:
    data = os.urandom(4 * SMALL_CHUNK)  # last chunk is full
    info = _write(tmp_path, data, key, chunk_size=SMALL_CHUNK)
    seg = bs.segment_path(tmp_path, info.blob_id, 0)
    raw = seg.read_bytes()
    seg.write_bytes(raw[: -(SMALL_CHUNK + bs.TAG_SIZE)])
    with pytest.raises(VaultCorrupted):
        _read(tmp_path, info.blob_id, key)
    with pytest.raises(VaultCorrupted):
        _ = BlobReader(tmp_path, info.blob_id, key).size


def test_append_a_chunk(tmp_path: Path, key: bytes) -> None:
    info, _ = _small_blob(tmp_path, key)
    seg = bs.segment_path(tmp_path, info.blob_id, 0)
    raw = seg.read_bytes()
    stride = SMALL_CHUNK + bs.TAG_SIZE
    seg.write_bytes(raw + raw[bs.HEADER_SIZE : bs.HEADER_SIZE + stride])
    with pytest.raises(VaultCorrupted):
        _read(tmp_path, info.blob_id, key)


def test_swap_two_chunks(tmp_path: Path, key: bytes) -> None:
    info, _ = _small_blob(tmp_path, key)
    seg = bs.segment_path(tmp_path, info.blob_id, 0)
    raw = seg.read_bytes()
    stride = SMALL_CHUNK + bs.TAG_SIZE
    h = bs.HEADER_SIZE
    c1, c2 = raw[h : h + stride], raw[h + stride : h + 2 * stride]
    seg.write_bytes(raw[:h] + c2 + c1 + raw[h + 2 * stride :])
    with pytest.raises(VaultCorrupted):
        _read(tmp_path, info.blob_id, key)


def test_swap_segments_between_blobs(tmp_path: Path, key: bytes) -> None:
    # Same key on purpose: only the header/AAD binding can catch this.
    kw = {"chunk_size": SMALL_CHUNK, "segment_size": SMALL_SEGMENT}
    a = _write(tmp_path, os.urandom(8 * SMALL_CHUNK), key, **kw)
    b = _write(tmp_path, os.urandom(8 * SMALL_CHUNK), key, **kw)
    pa, pb = bs.segment_path(tmp_path, a.blob_id, 1), bs.segment_path(tmp_path, b.blob_id, 1)
    tmp = pa.with_name("swap")
    shutil.move(pa, tmp)
    shutil.move(pb, pa)
    shutil.move(tmp, pb)
    for blob in (a, b):
        with pytest.raises(VaultCorrupted):
            _read(tmp_path, blob.blob_id, key)


def test_missing_segment(tmp_path: Path, key: bytes) -> None:
    kw = {"chunk_size": SMALL_CHUNK, "segment_size": SMALL_SEGMENT}
    for index in (0, 1, 2):
        info = _write(tmp_path, os.urandom(8 * SMALL_CHUNK), key, **kw)
        bs.segment_path(tmp_path, info.blob_id, index).unlink()
        with pytest.raises(VaultCorrupted):
            _read(tmp_path, info.blob_id, key)


def test_missing_blob(tmp_path: Path, key: bytes) -> None:
    with pytest.raises(VaultCorrupted, match="missing"):
        _read(tmp_path, bs.new_blob_id(), key)


def test_wrong_key(tmp_path: Path, key: bytes) -> None:
    info, _ = _small_blob(tmp_path, key)
    with pytest.raises(VaultCorrupted):
        _read(tmp_path, info.blob_id, bs.new_file_key())


def test_key_wrapping(key: bytes) -> None:
    master = bs.new_file_key()
    blob_id = bs.new_blob_id()
    wrapped = bs.wrap_key(master, key, blob_id)
    assert key not in wrapped
    assert bs.unwrap_key(master, wrapped, blob_id) == key
    with pytest.raises(VaultCorrupted):
        bs.unwrap_key(master, wrapped, bs.new_blob_id())
    with pytest.raises(VaultCorrupted):
        bs.unwrap_key(bs.new_file_key(), wrapped, blob_id)
    with pytest.raises(VaultCorrupted):
        bs.unwrap_key(master, wrapped[:-1] + bytes([wrapped[-1] ^ 1]), blob_id)


# --------------------------------------------------------------------------- failures


def test_cancel_mid_write_leaves_nothing(tmp_path: Path, key: bytes) -> None:
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    with pytest.raises(ImportCancelled):
        _write(
            tmp_path,
            os.urandom(20 * SMALL_CHUNK),
            key,
            chunk_size=SMALL_CHUNK,
            segment_size=SMALL_SEGMENT,
            cancel=cancel,
        )
    assert _all_files(tmp_path) == []


def test_source_error_leaves_nothing(tmp_path: Path, key: bytes) -> None:
    class Failing(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
            self.calls += 1
            if self.calls > 3:
                raise OSError(errno.EIO, "Input/output error")
            buf[: len(buf)] = b"x" * len(buf)
            return len(buf)

    with pytest.raises(StorageError, match="read the file being imported"):
        bs.write_blob(tmp_path, key, Failing(), chunk_size=SMALL_CHUNK)  # type: ignore[arg-type]
    assert _all_files(tmp_path) == []


def test_disk_full_leaves_nothing(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    count = 0

    def full(fd: int, data: bytes) -> int:
        nonlocal count
        count += 1
        if count > 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(bs.os, "write", full)
    with pytest.raises(StorageError, match="full"):
        _write(tmp_path, os.urandom(10 * SMALL_CHUNK), key, chunk_size=SMALL_CHUNK)
    monkeypatch.undo()
    assert _all_files(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs non-root POSIX")
def test_read_only_folder(tmp_path: Path, key: bytes) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(StorageError):
            _write(ro, b"data", key)
    finally:
        ro.chmod(0o700)


def test_delete_list_and_sweep(tmp_path: Path, key: bytes) -> None:
    kw = {"chunk_size": SMALL_CHUNK, "segment_size": SMALL_SEGMENT}
    keep = _write(tmp_path, os.urandom(8 * SMALL_CHUNK), key, **kw)
    drop = _write(tmp_path, os.urandom(8 * SMALL_CHUNK), key, **kw)
    gone = _write(tmp_path, b"x", key)
    assert bs.list_blob_ids(tmp_path) == {keep.blob_id, drop.blob_id, gone.blob_id}
    bs.delete_blob(tmp_path, gone.blob_id)
    bs.delete_blob(tmp_path, gone.blob_id)  # idempotent
    assert not bs.blob_exists(tmp_path, gone.blob_id)
    # Crash leftovers: a temp segment of an unfinished blob, and a stray file not ours.
    orphan_id = bs.new_blob_id()
    leftover = bs.segment_path(tmp_path, orphan_id, 0).with_suffix(".0.tmp")
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"partial")
    stranger = tmp_path / keep.blob_id[:2] / "README.txt"
    stranger.write_bytes(b"not ours")
    removed = bs.sweep(tmp_path, {keep.blob_id})
    assert removed == 3 + 1
    assert bs.list_blob_ids(tmp_path) == {keep.blob_id}
    assert not leftover.exists()
    assert stranger.exists()
    assert bs.read_blob(tmp_path, keep.blob_id, key)
    assert bs.sweep(tmp_path / "nowhere", set()) == 0


def test_read_only_medium_simulated(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(bs.os, "open", refuse)
    with pytest.raises(StorageError, match="read-only"):
        _write(tmp_path, b"data", key)
    monkeypatch.undo()
    assert _all_files(tmp_path) == []
