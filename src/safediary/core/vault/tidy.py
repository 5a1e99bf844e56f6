"""Tidying the evidence folder at unlock: an import journal, and quarantine instead of deletion.

Before an import writes a single byte of a blob it leaves a marker
``evidence/.journal/<blob id>`` (fsynced); once the database row is committed (or
the import is given up) the marker goes. At unlock, a blob file that the database
does not know is deleted only when its marker shows it is the leftover of an
interrupted import. Any other unknown file — for example every evidence file added
after the copy of ``diary.db`` that someone put back — is moved, still encrypted,
into ``<vault>/quarantine/`` and reported. Nothing is deleted on a guess.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from safediary.core.fsutil import fsync_dir, make_private_dir, storage_error

JOURNAL_DIR = ".journal"
QUARANTINE_DIR = "quarantine"
_SEGMENT_RE = re.compile(r"^([0-9a-f]{32})\.(\d+)$")
_SHARD_RE = re.compile(r"^[0-9a-f]{2}$")
_ID_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class SweepResult:
    """What the unlock-time sweep did."""

    deleted: int = 0
    quarantined: list[str] = field(default_factory=list)


def journal_start(root: Path, blob_id: str) -> None:
    """Note, durably, that an import of ``blob_id`` is about to write its files."""
    folder = Path(root) / JOURNAL_DIR
    try:  # never recreate a vault folder that has gone (a stick pulled out)
        for path in (Path(root), folder):
            path.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(folder / blob_id, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        os.close(fd)
    except OSError as exc:
        raise storage_error(exc, "start the import") from exc
    fsync_dir(folder)


def journal_end(root: Path, blob_id: str) -> None:
    """The import of ``blob_id`` is committed or given up (a lost unlink is harmless)."""
    with contextlib.suppress(OSError):
        (Path(root) / JOURNAL_DIR / blob_id).unlink()


def _journaled(root: Path) -> set[str]:
    try:
        return {n for n in os.listdir(Path(root) / JOURNAL_DIR) if _ID_RE.match(n)}
    except OSError:
        return set()


def sweep(root: Path, vault_folder: Path, live: set[str], known: set[str]) -> SweepResult:
    """Tidy ``root`` (the evidence folder); see the module text.

    ``live``: blobs the database uses; ``known``: every blob the database has a
    row for (including removed ones, whose files may be deleted).
    """
    result = SweepResult()
    journaled = _journaled(root)
    try:
        # A link planted in place of a shard could point anywhere on the computer: never
        # follow one (it once made this sweep delete a file outside the vault).
        shards = [
            p
            for p in Path(root).iterdir()
            if _SHARD_RE.match(p.name) and not p.is_symlink() and p.is_dir()
        ]
    except FileNotFoundError:
        shards = []
    except OSError as exc:
        raise storage_error(exc, "read the evidence folder") from exc
    quarantine = Path(vault_folder) / QUARANTINE_DIR
    for shard in shards:
        touched = False
        for name in sorted(os.listdir(shard)):
            is_tmp = name.endswith(".tmp")
            m = _SEGMENT_RE.match(name[:-4] if is_tmp else name)
            if not m:
                continue  # not ours: leave it alone
            blob_id = m.group(1)
            if blob_id in live and not is_tmp:
                continue
            path = shard / name
            if path.is_symlink():
                continue  # not a file of ours, whatever its name
            try:
                if blob_id in journaled or blob_id in known:
                    path.unlink()  # an interrupted import, or a removal being finished
                    result.deleted += 1
                else:
                    make_private_dir(quarantine)
                    target = quarantine / name
                    n = 1
                    while target.exists():
                        target = quarantine / f"{name}.{n}"
                        n += 1
                    os.replace(path, target)
                    result.quarantined.append(target.name)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise storage_error(exc, "tidy the evidence folder") from exc
            touched = True
        if touched:
            fsync_dir(shard)
        with contextlib.suppress(OSError):  # only succeeds when empty
            shard.rmdir()
    if result.quarantined:
        fsync_dir(quarantine)
    for blob_id in journaled:
        journal_end(root, blob_id)
    return result


def quarantined(vault_folder: Path) -> list[str]:
    """Names of the files in the vault's quarantine folder."""
    try:
        return sorted(p.name for p in (Path(vault_folder) / QUARANTINE_DIR).iterdir())
    except OSError:
        return []
