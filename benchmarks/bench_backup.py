"""Backup against ``cp -r`` + ``sync`` of the same vault folder: the ratio must stay under 1.5.

Usage: python benchmarks/bench_backup.py [--size-mb 2048] [--files 8] [--runs 2] [--dir DIR]

Makes a vault with ``--size-mb`` of random evidence in ``--files`` files, then times,
alternately, ``cp -r <vault> <dest> && sync`` and ``vault.backup(<dest>)`` (which also
checks the copy: it fsyncs every file, drops it from the page cache and reads it back from
the disk, decrypting every evidence file). Prints both medians and their ratio, and, for
context, how long merely reading the cp copy back from the disk takes (where the disk
reads slower than it writes, an honest check cannot be cheaper than that).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import _util  # noqa: F401  (puts src/ on the path)

from safediary.core import Vault
from safediary.core.vault.keys import KdfParams

PASSPHRASE = "benchmark passphrase, not a real one"
MIB = 1 << 20
TARGET_RATIO = 1.5


def make_vault(folder: Path, size_mb: int, files: int) -> Vault:
    vault, _ = Vault.create(folder / "vault", PASSPHRASE, kdf=KdfParams.fast())
    incident = vault.incidents.add(occurred_at=datetime.now(UTC), description="benchmark")
    per_file = max(1, size_mb // files)
    for n in range(files):
        source = folder / f"evidence-{n}.bin"
        with source.open("wb") as fh:
            for _ in range(per_file):
                fh.write(os.urandom(MIB))
        vault.evidence.add_file(source, incident_id=incident.id)
        source.unlink()
    return vault


def cp_and_sync(src: Path, dest: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    return time.perf_counter() - start


def read_back(folder: Path) -> float:
    """Read every file of a synced copy from the disk (dropped from the page cache first):
    the least an honest check of a copy costs on this machine."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    start = time.perf_counter()
    for path in files:
        with path.open("rb", buffering=0) as fh:
            while fh.read(8 * MIB):
                pass
    return time.perf_counter() - start


def backup(vault: Vault, dest: Path) -> float:
    start = time.perf_counter()
    report = vault.backup(dest)
    elapsed = time.perf_counter() - start
    if not report.ok:
        raise RuntimeError(report.summary())
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--dir", help="where to work (default: the system's temp folder)")
    args = parser.parse_args()
    if shutil.which("cp") is None or shutil.which("sync") is None:
        print("cp or sync not found: nothing measured")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-backup-", dir=args.dir) as tmp:
        work = Path(tmp)
        vault = make_vault(work, args.size_mb, args.files)
        size = sum(p.stat().st_size for p in vault.folder.rglob("*") if p.is_file())
        vault.backup(work / "warm-up")  # same start for both: the source in the page cache
        shutil.rmtree(work / "warm-up")
        cp_times, read_times, backup_times = [], [], []
        for run in range(args.runs):
            cp_times.append(cp_and_sync(vault.folder, work / f"cp-{run}"))
            read_times.append(read_back(work / f"cp-{run}"))
            shutil.rmtree(work / f"cp-{run}")
            backup_times.append(backup(vault, work / f"backup-{run}"))
            shutil.rmtree(work / f"backup-{run}")
        vault.lock()
    cp_s, backup_s = statistics.median(cp_times), statistics.median(backup_times)
    read_s = statistics.median(read_times)
    ratio = backup_s / cp_s
    print(f"vault folder                                  {size / MIB:10.0f} MiB", flush=True)
    print(f"cp -r + sync                                  {cp_s:10.2f} s")
    floor = "(the least an honest check costs)"
    print(f"reading that copy back from the disk          {read_s:10.2f} s   {floor}")
    print(f"backup (copy, fsync, drop cache, check)       {backup_s:10.2f} s")
    label = "ratio backup / (cp -r + sync)"
    print(f"{label:<46}{ratio:10.2f}   (target < {TARGET_RATIO})")
    label = "ratio backup / (cp -r + sync + read back)"
    print(f"{label:<46}{backup_s / (cp_s + read_s):10.2f}")
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
