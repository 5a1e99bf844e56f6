"""Where printing leaves its temporary file: a folder SafeDiary controls, emptied often.

Qt's print engine writes the whole document to a temporary file in
``QDir::tempPath()`` (``$TMPDIR``) before handing it to the print system. While
SafeDiary prints, :func:`printing` points ``TMPDIR`` at ``<data>/spool`` (0700),
and :func:`clear` removes whatever is left there: after each print, on quick exit
and at the next start. The print system's own queue is outside our reach; the
GUI says so before printing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

_TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
_folder: Path | None = None


def configure(data_root: Path) -> Path:
    """Use ``<data_root>/spool`` for print files from now on, and empty it (a new start)."""
    global _folder
    _folder = data_root / "spool"
    clear()
    return _folder


def folder() -> Path | None:
    return _folder


def clear() -> int:
    """Overwrite (best effort) and remove every file in the spool folder; returns how many."""
    if _folder is None or not _folder.is_dir() or _folder.is_symlink():
        return 0
    removed = 0
    for entry in os.scandir(_folder):
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                _blank(path, entry.stat(follow_symlinks=False).st_size)
            path.unlink()
            removed += 1
    return removed


def _blank(path: Path, size: int) -> None:
    """Zero a small leftover before unlinking it (flash media may keep old blocks anyway)."""
    if size > 64 << 20:
        return  # quick exit must stay quick: large files are only unlinked
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        os.write(fd, b"\0" * size)
        os.fsync(fd)
    finally:
        os.close(fd)


_saved: dict[str, str | None] | None = None


def begin_printing() -> Path | None:
    """From now until :func:`end_printing`, temporary files go to the spool folder."""
    global _saved
    if _folder is None:
        return None
    _folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if _saved is None:
        _saved = {name: os.environ.get(name) for name in _TEMP_VARIABLES}
    for name in _TEMP_VARIABLES:
        os.environ[name] = str(_folder)
    return _folder


def end_printing() -> None:
    """Put the temporary folder back and remove what printing left in the spool."""
    global _saved
    saved, _saved = _saved, None
    for name, value in (saved or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    clear()


@contextlib.contextmanager
def printing() -> Iterator[Path | None]:
    """The print file of everything printed inside this block stays in the spool folder."""
    try:
        yield begin_printing()
    finally:
        end_printing()
