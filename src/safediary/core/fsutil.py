"""Safe file helpers: private modes, atomic and durable writes.

Every file the vault writes goes through here so that modes are 0600/0700 on
POSIX and a crash at any instant leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from safediary.core.errors import StorageError

SAFE_NOTE = "Nothing you saved before has been lost."
FILE_MODE = 0o600
DIR_MODE = 0o700


def storage_error(exc: OSError, what: str, note: str = "") -> StorageError:
    """Translate an OSError into a StorageError with a plain message (and an optional note)."""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        reason = "the disk is full"
    elif code == errno.EROFS:
        reason = "the disk is read-only"
    elif code in (errno.EACCES, errno.EPERM):
        reason = "permission was refused"
    elif code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        reason = "the folder or drive is no longer there (was a USB stick removed?)"
    elif code == errno.EIO:
        reason = "the disk reported an input/output error (was a USB stick removed?)"
    else:
        reason = exc.strerror or "an unexpected error occurred"
    return StorageError(f"Could not {what}: {reason}." + (f" {note}" if note else ""))


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents with mode 0700 where the OS supports it.

    Only the folders made here become private: a folder that already exists (the user's
    Documents, the current directory, a USB stick's root) keeps the mode its owner gave it.
    """
    missing: list[Path] = []
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for folder in reversed(missing):
            try:
                folder.mkdir(mode=DIR_MODE)
            except FileExistsError:
                continue  # made by someone else meanwhile: not ours to change
            with contextlib.suppress(OSError):
                os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    except OSError as exc:
        raise storage_error(exc, f"create the folder {path.name}") from exc


def fsync_dir(path: Path) -> None:
    """Flush a directory entry to disk (no-op where the OS cannot)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (e.g. FAT on some kernels) refuse; rename is still done
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (temp, fsync, rename, fsync dir)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise storage_error(exc, f"save {path.name}", SAFE_NOTE) from exc


def remove_stale_temps(folder: Path) -> None:
    """Delete leftovers of interrupted atomic writes in ``folder``."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()


def set_private_umask() -> None:
    """Make every file this process creates private to the user."""
    if os.name == "posix":
        os.umask(0o077)


def set_aside_if_not_a_file(path: Path) -> Path | None:
    """If ``path`` is a link, FIFO, device or folder, rename it away; return the new name.

    For files read at start (settings.ini): a planted FIFO there once hung the app
    before its first window, and a link could point the app at a file elsewhere.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISREG(info.st_mode):
        return None
    aside = path.with_name(f"{path.name}.not-a-file-{secrets.token_hex(4)}")
    os.replace(path, aside)
    return aside


def file_size(path: Path) -> int | None:
    """The size of the file at ``path`` in bytes, or None if it cannot be read."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None
