"""Opening a file to import as evidence: regular files only, plain errors, safe names."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from safediary.core.errors import InvalidInput, StorageError


@dataclass
class Source:
    """An open file about to be imported, with what the file system said about it."""

    fd: int
    name: str
    size: int
    mtime: datetime
    mtime_ns: int
    is_link: bool


def source_error(exc: OSError, name: str) -> Exception:
    code = exc.errno
    if code in (errno.ENOENT, errno.ENOTDIR):
        return InvalidInput(f"The file “{name}” is no longer there; nothing was imported.")
    if code in (errno.EACCES, errno.EPERM):
        return StorageError(
            f"The file “{name}” cannot be read: permission was refused. Nothing was imported."
        )
    if code == errno.ELOOP:
        return InvalidInput(f"“{name}” is a link that points back to itself; nothing was imported.")
    if code in (errno.EIO, errno.ENODEV, errno.ENXIO):
        return StorageError(
            f"The file “{name}” could not be read (was its drive removed?). Nothing was imported."
        )
    return StorageError(f"The file “{name}” could not be read: {exc.strerror or exc}.")


def open_source(path: Path) -> Source:
    """Open a regular file for reading (following links); refuse folders and devices."""
    name = path.name or str(path)
    if any("\ud800" <= ch <= "\udfff" for ch in name):
        # a name whose bytes are not UTF-8 (old cameras, zip files): keep it readable,
        # since the database (and reports) store text
        name = os.fsencode(name).decode("utf-8", "replace")
    try:
        is_link = path.is_symlink()
        st = os.stat(path)
    except OSError as exc:
        raise source_error(exc, name) from exc
    if stat.S_ISDIR(st.st_mode):
        raise InvalidInput(f"“{name}” is a folder. Choose the files inside it instead.")
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"“{name}” is not an ordinary file and cannot be kept as evidence.")
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise source_error(exc, name) from exc
    try:
        st = os.fstat(fd)  # what we actually opened (it may have been swapped since stat)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInput(f"“{name}” is not an ordinary file and cannot be kept as evidence.")
    except BaseException:
        os.close(fd)
        raise
    mtime = datetime.fromtimestamp(st.st_mtime_ns / 1e9, UTC).astimezone()
    return Source(fd, name, st.st_size, mtime, st.st_mtime_ns, is_link)


def safe_filename(name: str) -> str:
    cleaned = "".join("_" if ch in '/\\\n\r\t\x00:*?"<>|' else ch for ch in name).strip(" .")
    return cleaned[:200] or "evidence"
