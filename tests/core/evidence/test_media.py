"""Tests for type detection, EXIF extraction and in-memory thumbnails."""

from __future__ import annotations

import io
import math
import os
import struct
import wave
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from safediary.core.evidence import media
from safediary.core.evidence.media import detect_file, detect_type, image_metadata, make_thumbnail


def make_exif_jpeg(size: tuple[int, int] = (640, 480), orientation: int | None = None) -> bytes:
    """A JPEG with DateTimeOriginal, offset, Make, Model and GPS (51.5007 N, 0.1246 W)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Acme"
    exif[ExifTags.Base.Model] = "Phone 7"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2024:03:05 21:14:09"
    sub[ExifTags.Base.OffsetTimeOriginal] = "+01:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 2.52)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 28.56)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def make_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def make_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        frames = b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(8000))
        w.writeframes(frames)
    return out.getvalue()


def test_exif_round_trip() -> None:
    meta = image_metadata(make_exif_jpeg())
    assert meta["capture_time"] == "2024-03-05T21:14:09+01:00"
    assert meta["capture_time_has_offset"] is True
    assert meta["camera_make"] == "Acme"
    assert meta["camera_model"] == "Phone 7"
    assert meta["gps_lat"] == pytest.approx(51.5007, abs=1e-6)
    assert meta["gps_lon"] == pytest.approx(-0.1246, abs=1e-6)
    assert (meta["width"], meta["height"]) == (640, 480)


def test_no_exif_and_path_and_file_object(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    path = tmp_path / "plain.png"
    path.write_bytes(out.getvalue())
    assert image_metadata(path) == {"width": 10, "height": 10, "format": "PNG"}
    with open(path, "rb") as fh:
        assert image_metadata(fh)["format"] == "PNG"


def test_broken_exif_never_raises() -> None:
    jpeg = bytearray(make_exif_jpeg())
    start = jpeg.find(b"Exif\x00\x00")
    for i in range(start + 10, start + 200, 7):
        jpeg[i] ^= 0xFF
    meta = image_metadata(bytes(jpeg))
    assert isinstance(meta, dict)


def test_thumbnail_small_stripped_and_oriented() -> None:
    thumb = make_thumbnail(make_exif_jpeg((1200, 600), orientation=6))
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 256
        assert image.size[1] > image.size[0]  # rotated 90° by orientation 6
        assert not image.getexif()
    assert b"Acme" not in thumb


def test_thumbnail_of_transparent_png() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (400, 100), (0, 0, 0, 0)).save(out, format="PNG")
    thumb = make_thumbnail(out.getvalue())
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.size == (256, 64)


def test_broken_image_gives_no_thumbnail() -> None:
    jpeg = make_exif_jpeg()
    assert make_thumbnail(jpeg[: len(jpeg) // 3]) is None
    assert make_thumbnail(b"\xff\xd8\xff\xe0garbage") is None
    assert make_thumbnail(os.urandom(1000)) is None
    assert image_metadata(os.urandom(1000)) == {}


def test_decompression_bomb_gives_no_thumbnail(monkeypatch: pytest.MonkeyPatch) -> None:
    jpeg = make_exif_jpeg((300, 300))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300 * 300 - 1)
    assert make_thumbnail(jpeg) is None
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # beyond 2x: Pillow raises itself
    assert make_thumbnail(jpeg) is None


def test_thumbnail_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert make_thumbnail(make_exif_jpeg()) is not None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "mime", "kind"),
    [
        (make_pdf(), "application/pdf", "pdf"),
        (make_wav(), "audio/wav", "audio"),
        (make_exif_jpeg(), "image/jpeg", "image"),
        (
            "A note about Tuesday. He said “I know where you live” 😟\n".encode(),
            "text/plain",
            "text",
        ),
        ("Text in UTF-16\n".encode("utf-16"), "text/plain", "text"),
        (
            b"Return-Path: <x@example.org>\r\nReceived: from mx\r\n\tby here\r\n"
            b"From: X <x@example.org>\r\nTo: me@example.org\r\nSubject: hi\r\n\r\nbody\r\n",
            "message/rfc822",
            "email",
        ),
        (b"", "application/octet-stream", "other"),
        (b"\x00\x01\x02\x03" * 100, "application/octet-stream", "other"),
    ],
)
def test_detect_type(data: bytes, mime: str, kind: str) -> None:
    assert detect_type(data) == media.MediaType(mime, kind)


def test_detect_random_binary_and_png_and_mp4() -> None:
    assert detect_type(os.urandom(4096)).kind == "other"
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG")
    assert detect_type(out.getvalue()) == media.MediaType("image/png", "image")
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    assert detect_type(mp4).kind == "video"


def test_detect_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "holiday.jpg"
    path.write_bytes(make_pdf())
    assert detect_file(path).kind == "pdf"
    text = tmp_path / "no-extension"
    text.write_bytes(("x" + "é" * 5000).encode())  # a 2-byte character cut at the sniff boundary
    assert detect_file(text).kind == "text"


def test_sound_length_is_read_and_broken_files_give_none() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 4000)
    buffer.seek(0)
    assert media.av_metadata(buffer) == {"duration_seconds": 0.5}
    assert media.av_metadata(io.BytesIO(b"RIFF\xff\xff\xff\xffWAVEjunk")) == {}
    assert media.av_metadata(io.BytesIO(b"")) == {}
