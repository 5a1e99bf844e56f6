"""Tests for vault.evidence: real vault, real crypto, real files under tmp_path."""

from __future__ import annotations

import errno
import hashlib
import io
import math
import os
import secrets
import struct
import tempfile
import threading
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from safediary.core import Vault
from safediary.core.errors import InvalidInput, NotFound, StorageError, VaultLocked
from safediary.core.evidence import blobs as bs
from safediary.core.evidence.blobs import ImportCancelled
from safediary.core.evidence.evidence import EVIDENCE_DIR, EvidenceStore
from safediary.core.vault.keys import KdfParams

PASS = "correct horse battery staple"


@pytest.fixture
def vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    v, _ = Vault.create(tmp_path / "vault", PASS, kdf=KdfParams.fast())
    yield v
    v.lock()


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (800, 600), (10, 120, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Acme"
    exif[ExifTags.Base.Model] = "Phone 7"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2024:03:05 21:14:09"
    sub[ExifTags.Base.OffsetTimeOriginal] = "+01:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 51.0, 54.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (151.0, 12.0, 36.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(
            b"".join(struct.pack("<h", int(9000 * math.sin(i / 7))) for i in range(16000))
        )
    return out.getvalue()


def _blob_files(vault: Vault) -> list[Path]:
    return sorted(p for p in (vault.folder / EVIDENCE_DIR).rglob("*") if p.is_file())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "make", "kind", "mime"),
    [
        ("photo.jpg", jpeg_with_exif, "image", "image/jpeg"),
        ("letter.pdf", pdf_bytes, "pdf", "application/pdf"),
        ("voicemail.wav", wav_bytes, "audio", "audio/wav"),
        ("blob.bin", lambda: os.urandom(3 * bs.CHUNK_SIZE + 123), "other", None),
    ],
)
def test_import_read_export_exact(
    vault: Vault,
    src: Path,
    tmp_path: Path,
    name: str,
    make,
    kind: str,
    mime: str | None,  # type: ignore[no-untyped-def]
) -> None:
    data = make()
    path = src / name
    path.write_bytes(data)
    ev = vault.evidence.add_file(path)
    assert ev.ref == "E-1"
    assert ev.sha256 == _sha(data)
    assert ev.size == len(data)
    assert ev.original_name == name
    assert ev.kind == kind
    if mime:
        assert ev.media_type == mime
    assert ev.mtime is not None and ev.mtime.utcoffset() is not None
    assert ev.imported_at.utcoffset() is not None
    assert vault.evidence.read(ev.id) == data
    out = vault.evidence.export(ev.id, tmp_path / f"copy-{name}")
    assert out.read_bytes() == data
    assert _sha(out.read_bytes()) == ev.sha256
    with vault.evidence.open_stream(ev.id) as fh:
        assert fh.size == len(data)
        fh.seek(len(data) // 2)
        assert fh.read(1000) == data[len(data) // 2 : len(data) // 2 + 1000]
    assert b"".join(vault.evidence.iter_chunks(ev.id)) == data
    assert vault.evidence.verify(ev.id) is True
    assert data[:64] not in b"".join(p.read_bytes() for p in _blob_files(vault))


def test_image_metadata_and_thumbnail(vault: Vault, src: Path) -> None:
    path = src / "photo.jpg"
    path.write_bytes(jpeg_with_exif())
    ev = vault.evidence.add_file(path)
    assert ev.metadata["capture_time"] == "2024-03-05T21:14:09+01:00"
    assert ev.metadata["camera_make"] == "Acme"
    assert ev.metadata["camera_model"] == "Phone 7"
    assert ev.metadata["gps_lat"] == pytest.approx(-33.865, abs=1e-6)
    assert ev.metadata["gps_lon"] == pytest.approx(151.21, abs=1e-6)
    assert ev.has_thumbnail
    thumb = vault.evidence.thumbnail(ev.id)
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as image:
        assert max(image.size) <= 256
        assert not image.getexif()
    pdf = src / "x.pdf"
    pdf.write_bytes(pdf_bytes())
    assert vault.evidence.thumbnail(vault.evidence.add_file(pdf).id) is None


def test_tampered_blob_fails_verify(vault: Vault, src: Path) -> None:
    path = src / "blob.bin"
    path.write_bytes(os.urandom(200_000))
    ev = vault.evidence.add_file(path)
    other = src / "other.bin"
    other.write_bytes(b"fine")
    ok = vault.evidence.add_file(other)
    [blob] = [p for p in _blob_files(vault) if p.stat().st_size > 1000]
    raw = bytearray(blob.read_bytes())
    raw[len(raw) // 2] ^= 0x40
    blob.write_bytes(bytes(raw))
    assert vault.evidence.verify(ev.id) is False
    assert vault.evidence.verify(ok.id) is True
    report = vault.verify()
    assert not report.ok
    assert any("E-1" in p and "damaged" in p for p in report.problems)
    from safediary.core.errors import VaultCorrupted

    with pytest.raises(VaultCorrupted, match="E-1"):
        vault.evidence.read(ev.id)
    with pytest.raises(VaultCorrupted):
        vault.evidence.export(ev.id, src / "copy.bin")
    assert not (src / "copy.bin").exists()
    assert not [p for p in src.iterdir() if p.name.endswith(".part")]


def test_missing_blob_is_reported_not_crashed(vault: Vault, src: Path) -> None:
    path = src / "a.txt"
    path.write_text("note")
    ev = vault.evidence.add_file(path)
    for p in _blob_files(vault):
        p.unlink()
    assert vault.evidence.verify(ev.id) is False
    problems = vault.evidence.verify_all()
    assert problems == ["Evidence E-1 (“a.txt”): the stored copy is missing."]


def test_zero_byte_file(vault: Vault, src: Path, tmp_path: Path) -> None:
    path = src / "empty"
    path.write_bytes(b"")
    ev = vault.evidence.add_file(path)
    assert ev.size == 0
    assert ev.sha256 == _sha(b"")
    assert vault.evidence.read(ev.id) == b""
    assert vault.evidence.verify(ev.id)
    assert vault.evidence.export(ev.id, tmp_path / "empty-copy").read_bytes() == b""


def test_folder_rejected(vault: Vault, src: Path) -> None:
    with pytest.raises(InvalidInput, match="folder"):
        vault.evidence.add_file(src)
    assert _blob_files(vault) == []
    assert vault.evidence.list() == []


def test_vanished_file(vault: Vault, src: Path) -> None:
    with pytest.raises(InvalidInput, match="no longer there"):
        vault.evidence.add_file(src / "gone.jpg")
    assert vault.evidence.list() == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX devices")
def test_device_rejected(vault: Vault) -> None:
    with pytest.raises(InvalidInput, match="not an ordinary file"):
        vault.evidence.add_file(Path("/dev/null"))


def test_unreadable_file(vault: Vault, src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = src / "secret.txt"
    path.write_text("x")
    real_open = os.open

    def refuse(p, flags, *a):  # type: ignore[no-untyped-def]
        if str(p) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(p, flags, *a)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(StorageError, match="permission"):
        vault.evidence.add_file(path)
    monkeypatch.undo()
    assert vault.evidence.list() == []


def test_read_error_mid_import_leaves_nothing(
    vault: Vault, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = src / "big.bin"
    path.write_bytes(os.urandom(3 * bs.CHUNK_SIZE))
    real_fdopen = os.fdopen

    class Failing(io.RawIOBase):
        """The source's drive goes away after two chunks."""

        def __init__(self, fd: int) -> None:
            self._fh = real_fdopen(fd, "rb", buffering=0)
            self.calls = 0

        def readable(self) -> bool:
            return True

        def fileno(self) -> int:
            return self._fh.fileno()

        def readinto(self, buf):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls > 2:
                raise OSError(errno.EIO, "Input/output error")
            return self._fh.readinto(buf)

        def close(self) -> None:
            self._fh.close()
            super().close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Failing(fd))
    with pytest.raises(StorageError, match="read the file being imported"):
        vault.evidence.add_file(path)
    monkeypatch.undo()
    assert _blob_files(vault) == []
    assert vault.evidence.list() == []


def test_disk_full_leaves_vault_unchanged(
    vault: Vault, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = src / "big.bin"
    path.write_bytes(os.urandom(3 * bs.CHUNK_SIZE))
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if len(data) > 1000:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(bs.os, "write", full)
    with pytest.raises(StorageError, match="disk is full"):
        vault.evidence.add_file(path)
    monkeypatch.undo()
    assert _blob_files(vault) == []
    assert vault.evidence.list() == []
    assert vault.evidence.add_file(path).ref == "E-1"


def test_file_changed_during_import(vault: Vault, src: Path) -> None:
    path = src / "growing.log"
    path.write_bytes(b"a" * (2 * bs.CHUNK_SIZE + 5))

    def progress(done: int, total: int | None) -> None:
        if done == bs.CHUNK_SIZE:
            with open(path, "ab") as fh:
                fh.write(b"more")

    with pytest.raises(InvalidInput, match="changed while"):
        vault.evidence.add_file(path, progress=progress)
    assert _blob_files(vault) == []
    assert vault.evidence.list() == []


@pytest.mark.parametrize(
    "name", ["😟 threat \"quoted\" 'single'.png", "line one\nline two.txt", "ünïcødé 名前.txt"]
)
def test_awkward_names(vault: Vault, src: Path, tmp_path: Path, name: str) -> None:
    path = src / name
    path.write_bytes(b"content of " + name.encode())
    ev = vault.evidence.add_file(path)
    assert ev.original_name == name
    assert vault.evidence.get(ev.id).original_name == name
    exported = vault.evidence.export(ev.id, tmp_path)  # a folder: the name is made safe
    assert exported.parent == tmp_path
    assert "\n" not in exported.name
    assert exported.read_bytes() == path.read_bytes()


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlink_followed_name_kept(vault: Vault, src: Path) -> None:
    target = src / "real-name.txt"
    target.write_text("through a link")
    link = src / "link-name.txt"
    link.symlink_to(target)
    ev = vault.evidence.add_file(link)
    assert ev.original_name == "link-name.txt"
    assert ev.metadata.get("imported_through_link") is True
    assert vault.evidence.read(ev.id) == b"through a link"
    dangling = src / "dangling"
    dangling.symlink_to(src / "nothing")
    with pytest.raises(InvalidInput):
        vault.evidence.add_file(dangling)


def test_source_unchanged(vault: Vault, src: Path) -> None:
    path = src / "photo.jpg"
    data = jpeg_with_exif()
    path.write_bytes(data)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_123_456_789))
    before = path.stat()
    ev = vault.evidence.add_file(path)
    after = path.stat()
    assert path.read_bytes() == data
    assert after.st_mtime_ns == before.st_mtime_ns
    assert after.st_size == before.st_size
    assert after.st_mode == before.st_mode
    assert ev.mtime == datetime.fromtimestamp(1_600_000_000.123456789, UTC)


def test_numbers_links_and_recorded_removal(vault: Vault, src: Path) -> None:
    inc = vault.incidents.add(occurred_at=datetime.now(UTC), description="At the station")
    other = vault.incidents.add(occurred_at=datetime.now(UTC), description="At work")
    a, b = src / "a.txt", src / "b.txt"
    a.write_text("same bytes")
    b.write_text("same bytes")
    ev1 = vault.evidence.add_file(a, incident_id=inc.id)
    ev2 = vault.evidence.add_file(b)
    assert (ev1.ref, ev2.ref) == ("E-1", "E-2")
    assert ev1.incident_ids == (inc.id,)
    assert len(_blob_files(vault)) == 1  # identical bytes share one stored copy
    assert [e.id for e in vault.evidence.for_incident(inc.id)] == [ev1.id]
    vault.evidence.link(ev2.id, inc.id)
    vault.evidence.link(ev2.id, other.id)
    vault.evidence.link(ev2.id, other.id)  # harmless twice
    assert vault.evidence.get(ev2.id).incident_ids == (inc.id, other.id)
    vault.evidence.unlink(ev2.id, other.id)
    assert [e.id for e in vault.evidence.list(incident_id=other.id)] == []
    with pytest.raises(NotFound):
        vault.evidence.link(ev2.id, 9999)
    with pytest.raises(NotFound):
        vault.evidence.add_file(a, incident_id=9999)
    with pytest.raises(InvalidInput):
        vault.evidence.remove(ev1.id, "  ")
    removed = vault.evidence.remove(ev1.id, "Duplicate of E-2")
    assert removed.removed_at is not None and removed.removed_reason == "Duplicate of E-2"
    assert len(_blob_files(vault)) == 1  # still used by E-2
    assert vault.evidence.read(ev2.id) == b"same bytes"
    assert [e.ref for e in vault.evidence.list()] == ["E-2"]
    assert [e.ref for e in vault.evidence.list(include_removed=True)] == ["E-1", "E-2"]
    assert [e.ref for e in vault.evidence.for_incident(inc.id)] == ["E-2"]
    with pytest.raises(InvalidInput):
        vault.evidence.read(ev1.id)
    with pytest.raises(InvalidInput, match="already"):
        vault.evidence.remove(ev1.id, "again")
    assert [h[1] for h in vault.evidence.history(ev1.id)] == ["import", "link", "remove"]
    vault.evidence.remove(ev2.id, "Not relevant")
    assert _blob_files(vault) == []
    c = src / "c.txt"
    c.write_text("new")
    assert vault.evidence.add_file(c).ref == "E-3"  # numbers are never reused
    assert vault.evidence.by_ref("e-3").original_name == "c.txt"
    assert vault.verify().ok


def test_export_refuses_overwrite_and_vault_folder(vault: Vault, src: Path, tmp_path: Path) -> None:
    path = src / "a.txt"
    path.write_text("evidence")
    ev = vault.evidence.add_file(path)
    dest = tmp_path / "exists.txt"
    dest.write_text("keep me")
    with pytest.raises(InvalidInput, match="already exists"):
        vault.evidence.export(ev.id, dest)
    assert dest.read_text() == "keep me"
    vault.evidence.export(ev.id, dest, overwrite=True)
    assert dest.read_text() == "evidence"
    with pytest.raises(InvalidInput, match="outside"):
        vault.evidence.export(ev.id, vault.folder / "leak.txt")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_cancel_and_lock_mid_import_leave_nothing(vault: Vault, src: Path) -> None:
    path = src / "big.bin"
    path.write_bytes(os.urandom(4 * bs.CHUNK_SIZE))
    with pytest.raises(ImportCancelled):
        vault.evidence.add_file(path, cancel=lambda: True)
    assert _blob_files(vault) == []

    def lock_midway(done: int, total: int | None) -> None:
        if done >= bs.CHUNK_SIZE:
            vault.lock()

    with pytest.raises((ImportCancelled, VaultLocked)):
        vault.evidence.add_file(path, progress=lock_midway)
    assert _blob_files(vault) == []


def test_multi_segment_import(vault: Vault, src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EvidenceStore, "segment_size", bs.HEADER_SIZE + bs.CHUNK_SIZE + 16)
    data = os.urandom(3 * bs.CHUNK_SIZE + 100)
    path = src / "video.bin"
    path.write_bytes(data)
    ev = vault.evidence.add_file(path)
    assert len(_blob_files(vault)) == 4
    assert vault.evidence.read(ev.id) == data
    assert vault.evidence.verify(ev.id)


def test_concurrent_imports(vault: Vault, src: Path) -> None:
    paths = []
    for i in range(6):
        p = src / f"f{i}.bin"
        p.write_bytes(os.urandom(300_000 + i))
        paths.append(p)
    errors: list[BaseException] = []

    def run(p: Path) -> None:
        try:
            vault.evidence.add_file(p)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    evs = vault.evidence.list()
    assert sorted(e.number for e in evs) == [1, 2, 3, 4, 5, 6]
    assert not vault.evidence.verify_all()


def test_unlock_sweeps_orphans_and_temp_leftovers(tmp_path: Path, src: Path) -> None:
    v, _ = Vault.create(tmp_path / "vault", PASS, kdf=KdfParams.fast())
    path = src / "kept.txt"
    path.write_text("kept")
    kept = v.evidence.add_file(path)
    root = v.folder / EVIDENCE_DIR
    # An import that crashed after writing its blob but before its database row …
    orphan = bs.write_blob(root, bs.new_file_key(), io.BytesIO(b"orphan"))
    # … and one that crashed mid-write.
    tmp = bs.segment_path(root, bs.new_blob_id(), 0)
    tmp = tmp.with_name(tmp.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(b"partial")
    v.lock()
    v = Vault.unlock(tmp_path / "vault", PASS)
    try:
        assert not bs.blob_exists(root, orphan.blob_id)
        assert not tmp.exists()
        assert v.evidence.read(kept.id) == b"kept"
        assert v.verify().ok
    finally:
        v.lock()


def _find_marker(
    folder: Path, needles: list[bytes], since: float | None = None, skip: Path | None = None
) -> list[Path]:
    hits = []
    for dirpath, dirs, files in os.walk(folder):
        if skip is not None:  # the test's own plaintext sources
            dirs[:] = [d for d in dirs if Path(dirpath, d) != skip]
        for name in files:
            p = Path(dirpath) / name
            try:
                st = p.lstat()
                if not os.path.isfile(p) or (since is not None and st.st_mtime < since):
                    continue
                with open(p, "rb") as fh:
                    tail = b""
                    while block := fh.read(1 << 20):
                        data = tail + block
                        if any(n in data for n in needles):
                            hits.append(p)
                            break
                        tail = data[-256:]
            except OSError:
                continue
    return hits


def test_plaintext_marker_never_on_disk(tmp_path: Path) -> None:
    started = time.time() - 1
    marker = f"SAFEDIARY-MARKER-{secrets.token_hex(8)}"
    needles = [marker.encode("utf-8"), marker.encode("utf-16-le"), marker.encode("utf-16-be")]
    outside = tmp_path / "sources"  # the user's own files: plaintext by nature
    outside.mkdir()
    v, _ = Vault.create(tmp_path / "vault", PASS, kdf=KdfParams.fast())
    sources = {
        "note.txt": f"He said: {marker}\n".encode(),
        "note16.txt": f"{marker}\n".encode("utf-16"),
        "blob.bin": os.urandom(2 * bs.CHUNK_SIZE) + marker.encode() + os.urandom(100),
    }
    for name, data in sources.items():
        (outside / name).write_bytes(data)
        ev = v.evidence.add_file(outside / name)
        assert v.evidence.read(ev.id) == data
        v.evidence.verify(ev.id)
        with v.evidence.open_stream(ev.id) as fh:
            fh.read()
    v.verify()
    v.lock()
    assert _find_marker(tmp_path / "vault", needles) == []
    temp = Path(tempfile.gettempdir())
    assert _find_marker(temp, needles, since=started, skip=outside) == []
