"""Content-based file type detection, image and sound/video metadata, in-memory thumbnails.

Nothing here writes to disk. Image helpers accept bytes, a binary file object or
a path, and never raise on odd or broken files: they return empty metadata or no
thumbnail instead.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import filetype
import mutagen
from PIL import ExifTags, Image

SNIFF_SIZE = 8192
THUMBNAIL_MAX = 256
THUMBNAIL_DECODE_MAX_PIXELS = 50_000_000  # full decodes above this get no thumbnail

KINDS = ("image", "pdf", "text", "audio", "video", "email", "other")

_EMAIL_HEADERS = (
    b"received:",
    b"return-path:",
    b"from:",
    b"to:",
    b"subject:",
    b"date:",
    b"message-id:",
    b"mime-version:",
    b"delivered-to:",
    b"x-",
    b"dkim-signature:",
    b"content-type:",
    b"reply-to:",
    b"cc:",
)
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9-]+:[ \t]")


@dataclass(frozen=True, slots=True)
class MediaType:
    """A detected MIME type and the friendly kind used by the GUI and reports."""

    mime: str
    kind: str


def _kind_for(mime: str) -> str:
    if mime == "application/pdf":
        return "pdf"
    if mime == "message/rfc822":
        return "email"
    major = mime.split("/", 1)[0]
    if major in ("image", "audio", "video", "text"):
        return major
    return "other"


def _looks_like_email(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf")
    lines = text.replace(b"\r\n", b"\n").split(b"\n")
    headers = 0
    known = 0
    for line in lines[:40]:
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue  # folded header
        if not _HEADER_LINE.match(line):
            return False
        headers += 1
        if line.lower().startswith(_EMAIL_HEADERS):
            known += 1
    return headers >= 2 and known >= 2


def _text_encoding(head: bytes) -> str | None:
    """Return 'utf-8'/'utf-16' when ``head`` looks like text, else None."""
    if not head:
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head[2 : len(head) - (len(head) % 2)].decode(
                "utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be"
            )
        except UnicodeDecodeError:
            return None
        return "utf-16"
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # only a multibyte character cut at the end is fine
            return None
        text = head[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    return "utf-8" if controls <= len(text) // 100 else None


def detect_type(head: bytes) -> MediaType:
    """Detect the type of a file from its first bytes (content, never the name)."""
    head = bytes(head[:SNIFF_SIZE])
    if head.startswith(b"%PDF-"):
        return MediaType("application/pdf", "pdf")
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return MediaType("audio/wav", "audio")
    guess = None
    try:
        guess = filetype.guess(head) if head else None
    except Exception:  # filetype matchers are simple; never let one break an import
        guess = None
    if guess is not None:
        return MediaType(guess.mime, _kind_for(guess.mime))
    if _text_encoding(head) is not None:
        if _looks_like_email(head):
            return MediaType("message/rfc822", "email")
        return MediaType("text/plain", "text")
    return MediaType("application/octet-stream", "other")


def detect_file(path: Path) -> MediaType:
    """Detect the type of the file at ``path`` by reading its first bytes."""
    with open(path, "rb") as fh:
        return detect_type(fh.read(SNIFF_SIZE))


# --------------------------------------------------------------------------- images

ImageSource = bytes | bytearray | BinaryIO | Path


#: How far into a file Pillow may look for a picture's header. Pillow scans JPEG markers
#: one byte at a time in Python: a ".jpg" of 20 MB of zeros kept an import busy for
#: 10 s per copy. Real headers (EXIF, ICC, XMP) end well before this.
HEADER_BUDGET = 1 << 20


def _jpeg_markers_ok(fp: Any) -> bool:
    """Walk a JPEG's marker segments up to its frame header, jumping by their lengths.

    Pillow tolerates junk between markers by reading it byte by byte; a hostile
    file made of junk is refused here in a few reads instead.
    """
    start = fp.tell()
    try:
        if fp.read(2) != b"\xff\xd8":
            return True  # not a JPEG: Pillow decides
        for _ in range(2000):
            marker = fp.read(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                return False
            while marker[1] == 0xFF:  # fill bytes before a marker
                marker = marker[1:] + fp.read(1)
                if len(marker) < 2:
                    return False
            code = marker[1]
            if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
                return True  # a frame header: the picture starts here
            if code in (0x01, *range(0xD0, 0xD8)):
                continue  # markers without a length
            if code == 0xD9 or code == 0xDA:
                return False  # end, or scan data before any frame header
            length = fp.read(2)
            if len(length) < 2 or int.from_bytes(length, "big") < 2:
                return False
            fp.seek(int.from_bytes(length, "big") - 2, 1)
            if fp.tell() > start + (64 << 20):
                return False
        return False
    finally:
        fp.seek(start)


class _HeaderBudget:
    """A file wrapper that refuses reads past :data:`HEADER_BUDGET` until the header is read."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self.opening = True

    def read(self, size: int = -1) -> bytes:
        if self.opening and self._fp.tell() > HEADER_BUDGET:
            raise OSError("no picture header near the start of the file")
        return bytes(self._fp.read(size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


def _open_image(source: ImageSource) -> Image.Image:
    if isinstance(source, bytes | bytearray):
        fp: Any = io.BytesIO(source)
    elif isinstance(source, Path):
        fp = open(source, "rb")  # noqa: SIM115 - handed to Pillow, closed with the image
    else:
        fp = source
    if not _jpeg_markers_ok(fp):
        raise OSError("a JPEG whose markers make no sense")
    budget = _HeaderBudget(fp)
    image = Image.open(budget)
    budget.opening = False
    return image


def _ratio(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]) / float(value[1])
    return float(value)


def _dms_to_degrees(dms: Any, ref: Any) -> float | None:
    try:
        d, m, s = (_ratio(x) for x in dms)
        degrees = d + m / 60.0 + s / 3600.0
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if degrees != degrees or degrees > 180:  # NaN or nonsense
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip().upper() in ("S", "W"):
        degrees = -degrees
    return round(degrees, 7)


def _clean_text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value[:200] or None


def _parse_offset(value: Any) -> timezone | None:
    text = _clean_text(value)
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text or "")
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))


def _parse_exif_time(value: Any, offset: Any) -> str | None:
    text = _clean_text(value)
    if not text:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    tz = _parse_offset(offset)
    if tz is not None:
        moment = moment.replace(tzinfo=tz)
    return moment.isoformat()


def _exif_of(image: Image.Image) -> dict[str, Any]:
    out: dict[str, Any] = {}
    exif = image.getexif()
    if not exif:
        return out
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        sub = {}
    original = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    offset = sub.get(ExifTags.Base.OffsetTimeOriginal) or sub.get(ExifTags.Base.OffsetTime)
    captured = _parse_exif_time(original, offset)
    if captured:
        out["capture_time"] = captured
        out["capture_time_has_offset"] = _parse_offset(offset) is not None
    make = _clean_text(exif.get(ExifTags.Base.Make))
    model = _clean_text(exif.get(ExifTags.Base.Model))
    if make:
        out["camera_make"] = make
    if model:
        out["camera_model"] = model
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        gps = {}
    if gps:
        lat = gps.get(ExifTags.GPS.GPSLatitude)
        lon = gps.get(ExifTags.GPS.GPSLongitude)
        if lat is not None and lon is not None:
            la = _dms_to_degrees(lat, gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
            lo = _dms_to_degrees(lon, gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
            if la is not None and lo is not None and abs(la) <= 90 and abs(lo) <= 180:
                out["gps_lat"] = la
                out["gps_lon"] = lo
    return out


def image_metadata(source: ImageSource) -> dict[str, Any]:
    """EXIF capture time (ISO 8601, with offset if recorded), camera make/model, GPS.

    Also gives ``width``/``height``/``format``. Returns ``{}`` for anything Pillow
    cannot read; never raises.
    """
    try:
        with _open_image(source) as image:
            out: dict[str, Any] = {
                "width": image.width,
                "height": image.height,
                "format": image.format,
            }
            # Pillow decodes a whole PNG to look for EXIF after the pixels: skip that
            # (an 81-megapixel PNG of 315 KB would cost 300 MB just for its metadata).
            if image.format != "PNG" or "exif" in image.info:
                with contextlib.suppress(Exception):  # broken EXIF: keep what we have
                    out.update(_exif_of(image))
            return out
    except Exception:
        return {}


def make_thumbnail(source: ImageSource, max_px: int = THUMBNAIL_MAX) -> bytes | None:
    """A JPEG thumbnail (≤ ``max_px`` a side, EXIF orientation applied, no metadata).

    JPEGs are decoded already reduced (``draft``); other formats must be decoded whole,
    so those over :data:`THUMBNAIL_DECODE_MAX_PIXELS` get no thumbnail (an 81-megapixel
    PNG of 315 KB once cost 930 MB here). Returns None for broken images and bombs.
    Made in memory only.
    """
    try:
        with _open_image(source) as image:
            limit = Image.MAX_IMAGE_PIXELS
            if limit is not None and image.width * image.height > limit:
                return None
            image.draft("RGB", (max_px * 2, max_px * 2))  # JPEG: decode at 1/2 … 1/8 size
            if image.width * image.height > THUMBNAIL_DECODE_MAX_PIXELS:
                return None
            # (read after the check: for PNG, getexif() decodes the whole picture)
            orientation = image.getexif().get(ExifTags.Base.Orientation)
            image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS, reducing_gap=2.0)
            oriented = _orient(image, orientation)
            if oriented.mode not in ("RGB", "L"):
                if oriented.mode in ("RGBA", "LA", "P", "PA"):
                    rgba = oriented.convert("RGBA")
                    background = Image.new("RGB", rgba.size, (255, 255, 255))
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    oriented = background
                else:
                    oriented = oriented.convert("RGB")
            out = io.BytesIO()
            oriented.save(out, format="JPEG", quality=80, optimize=True)  # no exif= → stripped
            return out.getvalue()
    except Exception:
        return None


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orient(image: Image.Image, orientation: Any) -> Image.Image:
    """Turn the (already small) picture upright as its EXIF orientation says."""
    method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


class _ReadBudget:
    """A file wrapper allowing a bounded number of reads (a parser walking a hostile file).

    An MP4 of 15 MB made only of empty atoms kept mutagen busy for 8 s, one read per
    atom; real files need a few hundred reads to find their length.
    """

    MAX_READS = 20_000

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self._reads = 0

    def read(self, size: int = -1) -> bytes:
        self._reads += 1
        if self._reads > self.MAX_READS:
            raise OSError("too many small pieces to be a real recording")
        return bytes(self._fp.read(size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


def av_metadata(source: BinaryIO) -> dict[str, Any]:
    """``duration_seconds`` of a sound or video file (MP3, M4A/MP4/MOV, Ogg/Opus, WAV,
    FLAC, AMR …) read with mutagen from its headers; ``{}`` if unknown. Never raises."""
    try:
        parsed = mutagen.File(_ReadBudget(source))
        length = float(parsed.info.length) if parsed is not None else 0.0
    except Exception:  # a broken or hostile file simply has no recorded length
        return {}
    if not math.isfinite(length) or length <= 0 or length > 366 * 86400:
        return {}
    return {"duration_seconds": round(length, 3)}


def analyse_image(source: bytes | bytearray) -> tuple[dict[str, Any], bytes | None]:
    """Metadata and thumbnail of an in-memory image in one call."""
    return image_metadata(source), make_thumbnail(source)
