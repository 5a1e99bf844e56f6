"""Encrypted, chunked, segmented blob storage for evidence files.

Format of one blob (see DESIGN.md, "Vault on disk")::

    <root>/<xx>/<blob_id>.<segment>      xx = blob_id[:2], segment = 0, 1, 2, ...

The segments, concatenated, hold ``header ‖ chunk_0 ‖ chunk_1 ‖ … ‖ chunk_n``.
The header (32 bytes) is ``magic(4) ‖ version(1) ‖ chunk size(4, BE) ‖ nonce
prefix(7) ‖ blob id(16)``. Every chunk is AES-256-GCM ciphertext + tag of up to
``chunk size`` plaintext bytes, with the STREAM nonce ``prefix ‖ counter(4, BE)
‖ last flag(1)`` and the whole header as associated data. So truncation,
appending, reordering and swapping chunks or segments between blobs all make a
tag check fail. Every chunk but the last is full, so the layout is implied by
the file sizes; chunks never span segments, and each segment is at most
``segment_size`` bytes (1 GiB by default, safe for FAT32).

Writes go to ``.tmp`` names, are fsynced, and are renamed into place only when
the whole blob is on disk. Nothing here ever writes plaintext to disk.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safediary.core.errors import InvalidInput, VaultCorrupted, VaultError
from safediary.core.fsutil import create_new, fsync_dir, storage_error
from safediary.core.progress import CancelFn, ProgressFn

MAGIC = b"SDEB"
VERSION = 1
CHUNK_SIZE = 1 << 20
SEGMENT_SIZE = 1 << 30
TAG_SIZE = 16
KEY_SIZE = 32
NONCE_PREFIX_SIZE = 7
HEADER = struct.Struct(">4sBI7s16s")
HEADER_SIZE = HEADER.size  # 32
MAX_CHUNKS = 1 << 32
DIR_MODE = 0o700
_KEY_WRAP_AAD = b"safediary/evidence-key/v1:"
_BLOB_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_SEGMENT_RE = re.compile(r"^([0-9a-f]{32})\.(\d+)$")



class ImportCancelled(VaultError):
    """The user cancelled an import; nothing was stored."""


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """What :func:`write_blob` stored: its id, plaintext size and SHA-256 (hex)."""

    blob_id: str
    size: int
    sha256: str
    segments: int


# --------------------------------------------------------------------------- helpers


def new_blob_id() -> str:
    """Return a random 128-bit blob id as 32 lowercase hex characters."""
    return secrets.token_hex(16)


def new_file_key() -> bytes:
    """Return a fresh random 256-bit per-blob key."""
    return AESGCM.generate_key(bit_length=256)


def _check_blob_id(blob_id: str) -> None:
    if not isinstance(blob_id, str) or not _BLOB_ID_RE.match(blob_id):
        raise InvalidInput("That is not a valid evidence storage id.")


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_SIZE:
        raise InvalidInput("An evidence key must be 32 bytes.")


def blob_dir(root: Path, blob_id: str) -> Path:
    """Folder that holds the segments of ``blob_id``."""
    return Path(root) / blob_id[:2]


def segment_path(root: Path, blob_id: str, index: int) -> Path:
    """Path of segment ``index`` of ``blob_id``."""
    return blob_dir(root, blob_id) / f"{blob_id}.{index}"


def _make_private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, DIR_MODE)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _readinto_full(source: IO[bytes], buf: memoryview) -> int:
    """Fill ``buf`` from ``source`` unless EOF comes first; return bytes read."""
    done = 0
    total = len(buf)
    while done < total:
        # typing.IO declares no readinto; every source here is a real io object that has it
        n = source.readinto(buf[done:])  # type: ignore[attr-defined]
        if n is None:  # non-blocking stream with nothing ready; treat as retry
            continue
        if n == 0:
            break
        done += n
    return done


# --------------------------------------------------------------------------- key wrapping


def wrap_key(master_subkey: bytes, file_key: bytes, blob_id: str) -> bytes:
    """Encrypt ``file_key`` under ``master_subkey`` bound to ``blob_id`` (nonce ‖ ct ‖ tag)."""
    _check_key(master_subkey)
    _check_key(file_key)
    nonce = secrets.token_bytes(12)
    aad = _KEY_WRAP_AAD + blob_id.encode("ascii")
    return nonce + AESGCM(bytes(master_subkey)).encrypt(nonce, bytes(file_key), aad)


def unwrap_key(master_subkey: bytes, wrapped: bytes, blob_id: str) -> bytes:
    """Reverse :func:`wrap_key`; raise VaultCorrupted if it does not authenticate."""
    _check_key(master_subkey)
    if len(wrapped) != 12 + KEY_SIZE + TAG_SIZE:
        raise VaultCorrupted("The key of an evidence file is damaged.")
    aad = _KEY_WRAP_AAD + blob_id.encode("ascii")
    try:
        return AESGCM(bytes(master_subkey)).decrypt(wrapped[:12], wrapped[12:], aad)
    except InvalidTag:
        raise VaultCorrupted("The key of an evidence file is damaged.") from None


# --------------------------------------------------------------------------- writing


class _SegmentWriter:
    """Writes ciphertext into ``.tmp`` segment files, never splitting a chunk."""

    def __init__(self, root: Path, blob_id: str, segment_size: int) -> None:
        self.root = root
        self.blob_id = blob_id
        self.segment_size = segment_size
        self.tmp_paths: list[Path] = []
        self.final_paths: list[Path] = []
        self._fd: int | None = None
        self._used = 0

    def _open_next(self) -> None:
        self._close_current()
        index = len(self.tmp_paths)
        final = segment_path(self.root, self.blob_id, index)
        tmp = final.with_name(final.name + ".tmp")
        self.tmp_paths.append(tmp)
        self.final_paths.append(final)
        self._fd = create_new(tmp)
        self._used = 0

    def _close_current(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def write(self, data: memoryview | bytes) -> None:
        if self._fd is None or self._used + len(data) > self.segment_size:
            self._open_next()
        assert self._fd is not None
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._used += len(data)

    def commit(self) -> None:
        """fsync everything, then rename every segment into place and fsync the folder."""
        self._close_current()
        folder = blob_dir(self.root, self.blob_id)
        fsync_dir(folder, strict=True)
        for tmp, final in zip(self.tmp_paths, self.final_paths, strict=True):
            os.replace(tmp, final)
        fsync_dir(folder, strict=True)

    def discard(self) -> None:
        """Remove every file this writer created (temp or final)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        for path in (*self.tmp_paths, *self.final_paths):
            with contextlib.suppress(OSError):
                path.unlink()


def write_blob(
    root: Path,
    key: bytes,
    source: IO[bytes],
    *,
    total: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    chunk_size: int = CHUNK_SIZE,
    segment_size: int = SEGMENT_SIZE,
    blob_id: str | None = None,
) -> BlobInfo:
    """Encrypt ``source`` (read once, to EOF) into a new blob under ``root``.

    The SHA-256 of the plaintext is computed in the same pass. Memory use is two
    chunks whatever the size. On cancel (:class:`ImportCancelled`), on a storage
    error (:class:`StorageError`) or on any other exception, every file written
    so far is removed before the exception propagates.
    """
    _check_key(key)
    if chunk_size <= 0 or chunk_size > (1 << 30):
        raise InvalidInput("Chunk size out of range.")
    if segment_size < HEADER_SIZE + chunk_size + TAG_SIZE:
        raise InvalidInput("Segment size must hold the header and at least one chunk.")
    blob_id = blob_id or new_blob_id()
    _check_blob_id(blob_id)
    root = Path(root)
    prefix = secrets.token_bytes(NONCE_PREFIX_SIZE)
    header = HEADER.pack(MAGIC, VERSION, chunk_size, prefix, bytes.fromhex(blob_id))
    aead = AESGCM(bytes(key))
    digest = hashlib.sha256()
    bufs = (bytearray(chunk_size), bytearray(chunk_size))
    out = bytearray(chunk_size + TAG_SIZE)
    out_view = memoryview(out)
    writer = _SegmentWriter(root, blob_id, segment_size)
    done = 0
    counter = 0
    try:
        try:
            # If the vault folder is gone (stick removed), fail: never recreate it elsewhere.
            if not root.parent.is_dir():
                raise FileNotFoundError(errno.ENOENT, "folder missing", str(root.parent))
            _make_private_dir(blob_dir(root, blob_id))
            writer.write(header)
        except OSError as exc:
            raise storage_error(exc, "store the evidence file") from exc
        cur = 0
        try:
            n = _readinto_full(source, memoryview(bufs[cur]))
        except OSError as exc:
            raise storage_error(exc, "read the file being imported") from exc
        while True:
            if cancel is not None and cancel():
                raise ImportCancelled("The import was cancelled; nothing was stored.")
            nxt = 1 - cur
            if n == chunk_size:
                try:
                    m = _readinto_full(source, memoryview(bufs[nxt]))
                except OSError as exc:
                    raise storage_error(exc, "read the file being imported") from exc
            else:
                m = 0
            last = m == 0
            if counter >= MAX_CHUNKS:
                raise InvalidInput("The file is too large to store.")
            plain = memoryview(bufs[cur])[:n]
            digest.update(plain)
            aead.encrypt_into(
                _nonce(prefix, counter, last), plain, header, out_view[: n + TAG_SIZE]
            )
            try:
                writer.write(out_view[: n + TAG_SIZE])
            except OSError as exc:
                raise storage_error(exc, "store the evidence file") from exc
            done += n
            counter += 1
            if progress is not None:
                progress(done, total)
            if last:
                break
            cur, n = nxt, m
        try:
            writer.commit()
        except OSError as exc:
            raise storage_error(exc, "store the evidence file") from exc
    except BaseException:
        writer.discard()
        raise
    return BlobInfo(blob_id, done, digest.hexdigest(), len(writer.final_paths))


# --------------------------------------------------------------------------- reading


class BlobReader:
    """Streaming, random-access, authenticated reader for one blob.

    Every chunk's tag is checked before any of its bytes are returned. Any damage
    (missing segment, changed byte, truncation, wrong key) raises VaultCorrupted.
    Use as a context manager or call :meth:`close`.
    """

    def __init__(self, root: Path, blob_id: str, key: bytes) -> None:
        _check_blob_id(blob_id)
        _check_key(key)
        self.blob_id = blob_id
        self._root = Path(root)
        self._aead = AESGCM(bytes(key))
        self._files: dict[int, BinaryIO] = {}
        self._seg_sizes: list[int] = []
        self._seg_starts: list[int] = []
        self._cache: tuple[int, bytes] | None = None
        self._size: int | None = None
        self._scan()
        self._header = self._read_raw(0, HEADER_SIZE)
        if len(self._header) != HEADER_SIZE:
            raise self._corrupt("is cut short")
        magic, version, chunk_size, prefix, raw_id = HEADER.unpack(self._header)
        if magic != MAGIC:
            raise self._corrupt("is not a SafeDiary evidence file")
        if version != VERSION:
            raise self._corrupt("was written in an unknown format")
        if raw_id != bytes.fromhex(blob_id):
            raise self._corrupt("belongs to another evidence file")
        if chunk_size <= 0 or chunk_size > (1 << 30):
            raise self._corrupt("has a damaged header")
        self.chunk_size: int = chunk_size
        self._prefix: bytes = prefix
        body = self._total - HEADER_SIZE
        stride = chunk_size + TAG_SIZE
        if body < TAG_SIZE:
            raise self._corrupt("is cut short")
        self.chunk_count = -(-body // stride)
        last_ct = body - (self.chunk_count - 1) * stride
        if last_ct < TAG_SIZE:
            raise self._corrupt("is cut short or has extra bytes")
        self._claimed_size = (self.chunk_count - 1) * chunk_size + last_ct - TAG_SIZE

    # -- plumbing

    def _corrupt(self, what: str) -> VaultCorrupted:
        return VaultCorrupted(
            f"An evidence file in the vault {what} (storage id {self.blob_id[:8]}…). "
            "It cannot be trusted; restore it from a backup."
        )

    def _scan(self) -> None:
        folder = blob_dir(self._root, self.blob_id)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            raise self._corrupt("is missing") from None
        except OSError as exc:
            raise storage_error(exc, "read the evidence folder") from exc
        indexes = sorted(
            int(m.group(2))
            for name in names
            if (m := _SEGMENT_RE.match(name)) and m.group(1) == self.blob_id
        )
        if not indexes:
            raise self._corrupt("is missing")
        if indexes != list(range(len(indexes))):
            raise self._corrupt("is missing one of its parts")
        start = 0
        for i in indexes:
            try:
                size = segment_path(self._root, self.blob_id, i).stat().st_size
            except OSError as exc:
                raise storage_error(exc, "read an evidence file") from exc
            self._seg_starts.append(start)
            self._seg_sizes.append(size)
            start += size
        self._total = start

    def _file(self, index: int) -> BinaryIO:
        fh = self._files.get(index)
        if fh is None:
            try:
                fh = open(segment_path(self._root, self.blob_id, index), "rb")  # noqa: SIM115
            except FileNotFoundError:
                raise self._corrupt("is missing one of its parts") from None
            except OSError as exc:
                raise storage_error(exc, "read an evidence file") from exc
            if hasattr(os, "posix_fadvise"):  # mostly read front to back: read ahead more
                with contextlib.suppress(OSError):
                    os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            self._files[index] = fh
        return fh

    def _read_raw(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes of the concatenated segments from ``offset``."""
        parts: list[bytes] = []
        index = 0
        while index + 1 < len(self._seg_starts) and self._seg_starts[index + 1] <= offset:
            index += 1
        while length > 0 and index < len(self._seg_sizes):
            local = offset - self._seg_starts[index]
            take = min(length, self._seg_sizes[index] - local)
            if take > 0:
                fh = self._file(index)
                try:
                    fh.seek(local)
                    data = fh.read(take)
                except OSError as exc:
                    raise storage_error(exc, "read an evidence file") from exc
                if len(data) != take:
                    raise self._corrupt("changed while it was being read")
                parts.append(data)
                offset += take
                length -= take
            index += 1
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def _chunk(self, i: int) -> bytes:
        if self._cache is not None and self._cache[0] == i:
            return self._cache[1]
        stride = self.chunk_size + TAG_SIZE
        ct = self._read_raw(HEADER_SIZE + i * stride, stride)
        last = i == self.chunk_count - 1
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, i, last), ct, self._header)
        except InvalidTag:
            raise self._corrupt("is damaged or was changed") from None
        self._cache = (i, plain)
        return plain

    # -- public

    @property
    def size(self) -> int:
        """Plaintext size in bytes (the final chunk is authenticated to confirm it)."""
        if self._size is None:
            self._chunk(self.chunk_count - 1)
            self._size = self._claimed_size
        return self._size

    def __iter__(self) -> Iterator[bytes]:
        """Yield the decrypted chunks in order."""
        for i in range(self.chunk_count):
            yield self._chunk(i)
        self._size = self._claimed_size

    def chunks(self) -> Iterator[bytes]:
        """Same as iterating the reader."""
        return iter(self)

    def read_all(self) -> bytes:
        """Decrypt the whole blob into memory."""
        return b"".join(self)

    def read_range(self, offset: int, length: int) -> bytes:
        """Return up to ``length`` plaintext bytes starting at ``offset`` (short at the end)."""
        if offset < 0 or length < 0:
            raise InvalidInput("Offset and length must not be negative.")
        end = min(offset + length, self.size)
        if offset >= end:
            return b""
        parts: list[bytes] = []
        pos = offset
        while pos < end:
            i, within = divmod(pos, self.chunk_size)
            chunk = self._chunk(i)
            take = min(end - pos, len(chunk) - within)
            parts.append(chunk[within : within + take])
            pos += take
        return b"".join(parts)

    def sha256(self) -> str:
        """Decrypt every chunk and return the SHA-256 (hex) of the plaintext."""
        digest = hashlib.sha256()
        for chunk in self:
            digest.update(chunk)
        return digest.hexdigest()

    def close(self) -> None:
        """Close the segment files and drop the cached chunk."""
        for fh in self._files.values():
            with contextlib.suppress(OSError):
                fh.close()
        self._files.clear()
        self._cache = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BlobFile(io.RawIOBase):
    """A read-only, seekable file object over a :class:`BlobReader` (for viewers, Pillow)."""

    def __init__(self, reader: BlobReader) -> None:
        super().__init__()
        self._reader = reader
        self._pos = 0

    @property
    def size(self) -> int:
        """Plaintext size in bytes."""
        return self._reader.size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            pos = offset
        elif whence == 1:
            pos = self._pos + offset
        elif whence == 2:
            pos = self._reader.size + offset
        else:
            raise ValueError("invalid whence")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        data = self._reader.read_range(self._pos, len(buf))
        buf[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = max(0, self._reader.size - self._pos)
        data = self._reader.read_range(self._pos, size)
        self._pos += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        if not self.closed:
            self._reader.close()
        super().close()


def open_blob(root: Path, blob_id: str, key: bytes) -> BlobReader:
    """Open ``blob_id`` for reading (raises VaultCorrupted if it is missing or damaged)."""
    return BlobReader(root, blob_id, key)


def read_blob(root: Path, blob_id: str, key: bytes) -> bytes:
    """Decrypt a whole blob into memory."""
    with BlobReader(root, blob_id, key) as reader:
        return reader.read_all()


# --------------------------------------------------------------------------- housekeeping


def _segment_files(root: Path, blob_id: str) -> list[Path]:
    folder = blob_dir(root, blob_id)
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise storage_error(exc, "read the evidence folder") from exc
    out = []
    for name in names:
        base = name[:-4] if name.endswith(".tmp") else name
        m = _SEGMENT_RE.match(base)
        if m and m.group(1) == blob_id:
            out.append(folder / name)
    return out


def blob_exists(root: Path, blob_id: str) -> bool:
    """True when segment 0 of ``blob_id`` is in place (content is not checked)."""
    _check_blob_id(blob_id)
    return segment_path(root, blob_id, 0).is_file()


def delete_blob(root: Path, blob_id: str) -> None:
    """Remove every segment (and temp leftover) of ``blob_id``; missing is not an error."""
    _check_blob_id(blob_id)
    try:
        for path in _segment_files(Path(root), blob_id):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        with contextlib.suppress(OSError):
            fsync_dir(blob_dir(root, blob_id), strict=True)
    except OSError as exc:
        raise storage_error(exc, "delete an evidence file") from exc


def _shard_dirs(root: Path) -> list[Path]:
    try:
        return [
            p
            for p in Path(root).iterdir()
            if re.fullmatch(r"[0-9a-f]{2}", p.name) and not p.is_symlink() and p.is_dir()
        ]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise storage_error(exc, "read the evidence folder") from exc


def list_blob_ids(root: Path) -> set[str]:
    """Ids of every complete-looking blob (segment 0 present, not a temp) under ``root``."""
    ids: set[str] = set()
    for folder in _shard_dirs(root):
        for name in os.listdir(folder):
            m = _SEGMENT_RE.match(name)
            if m and m.group(1).startswith(folder.name):
                ids.add(m.group(1))
    return ids


def sweep(root: Path, keep: set[str]) -> int:
    """Delete blobs whose id is not in ``keep`` and every ``.tmp`` leftover.

    Files whose names are not ours are left alone. Call it only when no import is
    running (at unlock), since an import in progress writes ``.tmp`` files.
    Returns how many files were removed.
    """
    removed = 0
    for folder in _shard_dirs(root):
        touched = False
        for name in os.listdir(folder):
            is_tmp = name.endswith(".tmp")
            m = _SEGMENT_RE.match(name[:-4] if is_tmp else name)
            if not m:
                continue
            if (is_tmp or m.group(1) not in keep) and not (folder / name).is_symlink():
                try:
                    (folder / name).unlink()
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise storage_error(exc, "tidy the evidence folder") from exc
                removed += 1
                touched = True
        if touched:
            with contextlib.suppress(OSError):
                fsync_dir(folder, strict=True)
        with contextlib.suppress(OSError):  # only succeeds when empty
            folder.rmdir()
    return removed
