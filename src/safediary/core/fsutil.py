"""Safe file helpers: private modes, atomic and durable writes, the one copy routine.

Every file the vault writes goes through here so that modes are 0600/0700 on
POSIX and a crash at any instant leaves either the old file or the new one:
:func:`create_new` (exclusive, private), :func:`write_all`, :func:`write_new`,
:func:`atomic_write`, :func:`copy_file` (in-kernel where the OS can), :func:`fsync_file`,
:func:`fsync_dir` and :func:`drop_cache` (so a check reads what reached the disk, not
the page cache).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable
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


def fsync_dir(path: Path, *, strict: bool = False) -> None:
    """Flush a directory entry to disk (no-op where the OS cannot).

    ``strict``: a folder that cannot be opened is an error (it vanished: a stick was pulled).
    """
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (e.g. FAT on some kernels) refuse; rename is still done
    finally:
        os.close(fd)


COPY_CHUNK = 8 << 20  # bytes per step of a copy: progress and cancel are checked this often
_O_BINARY = getattr(os, "O_BINARY", 0)
_NO_IN_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


def create_new(path: Path) -> int:
    """Open a new private file for writing; refuses to replace anything (O_EXCL)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, FILE_MODE)


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte of ``data`` (os.write may write less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_new(path: Path, data: bytes) -> None:
    """Write a new file durably: exclusive create, write, fsync (the caller syncs the folder)."""
    fd = create_new(path)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file already written to the disk."""
    fd = os.open(path, os.O_RDONLY | _O_BINARY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def drop_cache(fd: int) -> None:
    """Ask the OS to forget its cached pages of a (synced) file, so reading it back reads
    the disk. A no-op where the OS has no posix_fadvise (the check then proves less)."""
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def copy_file(src: Path, dst: Path, progress: Callable[[int], None] | None = None) -> int:
    """Copy ``src`` to a new file ``dst`` durably and return the bytes copied.

    In-kernel (``copy_file_range``) where the OS can, else through a buffer;
    ``progress(n)`` is called after each step with the bytes just copied (it may raise
    to cancel). The copy is fsynced and dropped from the page cache, so a later check
    reads it from the disk. The caller removes ``dst`` if this raises.
    """
    done = 0
    with open(src, "rb", buffering=0) as fin:
        fd = create_new(dst)
        try:
            in_kernel = hasattr(os, "copy_file_range")
            while True:
                n = 0
                if in_kernel:
                    try:
                        n = os.copy_file_range(fin.fileno(), fd, COPY_CHUNK)
                    except OSError as exc:
                        if exc.errno not in _NO_IN_KERNEL_COPY:
                            raise
                        in_kernel = False  # e.g. across file systems on an old kernel
                        continue
                else:
                    chunk = fin.read(COPY_CHUNK)
                    write_all(fd, chunk)
                    n = len(chunk)
                if n == 0:
                    break
                done += n
                if progress is not None:
                    progress(n)
            os.fsync(fd)
            drop_cache(fd)
        finally:
            os.close(fd)
    return done


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (temp, fsync, rename, fsync dir)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        write_new(tmp, data)
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
