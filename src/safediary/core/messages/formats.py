"""Recognise an export file by its content (not its name) and open the right parser."""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path
from typing import IO

from safediary.core.errors import InvalidInput
from safediary.core.messages import android, mail, whatsapp
from safediary.core.messages.parsed import (
    ExportDamaged,
    ExportNotRecognised,
    ParsedAttachment,
    ParsedExport,
)

#: A WhatsApp ZIP with more members than this is not a chat export (WhatsApp puts
#: at most about 10,000 media files in one).
MAX_ZIP_MEMBERS = 50_000
#: Largest ZIP index (central directory) read; 50,000 members need about 5 MB.
MAX_ZIP_INDEX = 16 * 1024 * 1024
_TOO_MANY = "This ZIP holds far too many files to be a WhatsApp export; nothing was imported."


def _zip_index(fh: IO[bytes]) -> tuple[int, int] | None:
    """(members, index bytes) as the ZIP's end record declares them, before reading the index.

    ``zipfile`` reads the whole index into memory first; a hostile ZIP of a million
    tiny members would cost seconds and hundreds of MB before any count is checked.
    None when there is no readable end record (zipfile then says it is damaged).
    """
    size = fh.seek(0, os.SEEK_END)
    fh.seek(max(0, size - 22 - 65_535))
    tail = fh.read()
    fh.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    count, index = struct.unpack("<HI", tail[at + 10:at + 16])
    if (count == 0xFFFF or index == 0xFFFFFFFF) and at >= 20 and \
            tail[at - 20:at - 16] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[at - 12:at - 4])
        fh.seek(offset)
        record = fh.read(56)
        fh.seek(0)
        if len(record) == 56 and record.startswith(b"PK\x06\x06"):
            count, index = struct.unpack("<QQ", record[32:48])
    return count, index

SUPPORTED = (
    "SafeDiary can read: a WhatsApp chat export (.txt or .zip), an SMS Backup & Restore "
    "file of messages or calls (.xml), and e-mail (.eml or .mbox)."
)


def _open_regular(path: Path) -> IO[bytes]:
    """Open a regular file for reading without blocking on a FIFO or device."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InvalidInput(f"“{path.name}” cannot be read: {exc.strerror or exc}.") from exc
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"“{path.name}” is not an ordinary file.")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    fh = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise InvalidInput(f"“{path.name}” is not an ordinary file.")
    return fh


def _zip_chat(fh: IO[bytes], tz: tzinfo | None, day_first: bool | None) -> ParsedExport:
    declared = _zip_index(fh)
    if declared is not None and (declared[0] > MAX_ZIP_MEMBERS or declared[1] > MAX_ZIP_INDEX):
        raise ExportNotRecognised(_TOO_MANY)
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, struct.error) as exc:
        raise ExportDamaged("This ZIP file is damaged or cut short; nothing was imported.") from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ExportNotRecognised(_TOO_MANY)
    texts = [i for i in infos if i.filename.lower().endswith(".txt") and not i.is_dir()]
    texts.sort(key=lambda i: (posixpath.basename(i.filename) != "_chat.txt",
                              not posixpath.basename(i.filename).startswith("WhatsApp Chat")))
    if not texts:
        raise ExportNotRecognised("This ZIP holds no chat text, so it is not a WhatsApp export.")
    by_name = {posixpath.basename(i.filename): i for i in infos if not i.is_dir()}

    def media(name: str) -> ParsedAttachment | None:
        info = by_name.get(name)
        if info is None:
            return None
        return ParsedAttachment(
            name, lambda: archive.open(info), info.file_size, key=f"zip:{info.filename}"
        )

    try:
        with archive.open(texts[0]) as chat:
            text = whatsapp.decode(whatsapp.read_limited(chat))
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise ExportDamaged("The chat inside this ZIP is damaged; nothing was imported.") from exc
    except RuntimeError as exc:  # zipfile: the member is encrypted
        raise ExportDamaged(
            "The chat inside this ZIP is locked with a password; nothing was imported."
        ) from exc
    title = posixpath.basename(texts[0].filename).removesuffix(".txt")
    if title == "_chat":
        title = "WhatsApp chat"
    return whatsapp.parse_text(text, tz=tz, day_first=day_first, media=media, title=title)


@contextlib.contextmanager
def open_export(
    path: Path, *, tz: tzinfo | None = None, day_first: bool | None = None
) -> Iterator[ParsedExport]:
    """Open ``path`` and yield its parsed conversation; the file stays open meanwhile."""
    path = Path(path)
    with _open_regular(path) as fh:
        head = fh.read(8192)
        fh.seek(0)
        if head.startswith(b"PK\x03\x04"):
            export = _zip_chat(fh, tz, day_first)
            if export.title == "WhatsApp chat":  # an iPhone ZIP names its chat "_chat.txt"
                export.title = path.stem
            yield export
        elif android.root_tag(head) is not None:
            yield android.parse(fh, tz=tz)
        elif mail.looks_like_mbox(head):
            yield mail.parse_mbox(fh, tz=tz, title=path.name)
        elif mail.looks_like_eml(head):
            yield mail.parse_eml(fh, tz=tz)
        else:
            try:
                text = whatsapp.decode(whatsapp.read_limited(fh))
            except ExportNotRecognised as exc:
                raise ExportNotRecognised(SUPPORTED) from exc
            if not whatsapp.looks_like_whatsapp(text):
                raise ExportNotRecognised(
                    f"SafeDiary does not recognise “{path.name}”. {SUPPORTED}"
                )
            title = path.stem if path.stem.startswith("WhatsApp") else "WhatsApp chat"
            yield whatsapp.parse_text(text, tz=tz, day_first=day_first, title=title)
