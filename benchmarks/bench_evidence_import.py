"""Evidence import throughput and memory against a `cp` + `sync` + `sha256sum` baseline.

Usage: python benchmarks/bench_evidence_import.py [--size-mb 1024] [--dir DIR]

Creates a random file of the given size, times the baseline (copy it, sync, hash
it), then times ``vault.evidence.add_file`` of the same file into a fresh vault
on the same disk, and prints both, the speed ratio (target ≥ 0.5) and the peak
RSS of this process (target < 300 MB). Everything it creates is removed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from safediary.core import Vault
from safediary.core.vault.keys import KdfParams

MIB = 1 << 20


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB else


def make_random_file(path: Path, size_mb: int) -> None:
    with open(path, "wb") as fh:
        for _ in range(size_mb):
            fh.write(os.urandom(MIB))
        fh.flush()
        os.fsync(fh.fileno())


def baseline(src: Path, dest: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["cp", str(src), str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    subprocess.run(["sha256sum", str(src)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="file size in MiB")
    parser.add_argument("--dir", type=Path, default=None, help="where to work (a disk)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sd-bench-", dir=args.dir))
    try:
        src = work / "source.bin"
        print(f"creating {args.size_mb} MiB random file in {work} …", flush=True)
        make_random_file(src, args.size_mb)
        size = src.stat().st_size
        rss_before = peak_rss_mb()

        base_s = baseline(src, work / "copy.bin")
        (work / "copy.bin").unlink()
        subprocess.run(["sync"], check=True)

        vault, _ = Vault.create(work / "vault", "benchmark passphrase", kdf=KdfParams.fast())
        try:
            start = time.perf_counter()
            ev = vault.evidence.add_file(src)
            import_s = time.perf_counter() - start
        finally:
            vault.lock()

        mb = size / MIB
        print(f"file size               {mb:10.0f} MiB")
        print(f"baseline cp+sync+sha256 {base_s:10.2f} s  {mb / base_s:8.1f} MiB/s")
        print(f"evidence import         {import_s:10.2f} s  {mb / import_s:8.1f} MiB/s")
        print(f"speed ratio (import/baseline) {base_s / import_s:5.2f}  (target ≥ 0.5)")
        print(f"peak RSS                {peak_rss_mb():10.1f} MB  (target < 300 MB)")
        print(f"  (peak before import   {rss_before:10.1f} MB)")
        print(f"sha256 {ev.sha256}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
