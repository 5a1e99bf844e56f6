"""Import of a large WhatsApp export: 50,000 messages with media, against a baseline.

Usage: python benchmarks/bench_messages_import.py [--messages 50000] [--media-mb 2048]
       [--files 400] [--dir DIR]

Writes an Android-style WhatsApp ZIP (chat text plus ``--files`` random media
files adding up to ``--media-mb`` MiB, stored uncompressed as phones do), times
the baseline (read every member of the ZIP once and SHA-256 it: the least any
importer must do), then ``vault.messages.import_export`` of the same file, which
also encrypts and keeps the whole ZIP as the original exhibit. Prints both, the
ratio, messages per second and the peak RSS (memory must stay flat: it is
dominated by the messages' text, not by the media).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _util import line, peak_rss_mb

from safediary.core import Vault
from safediary.core.vault.keys import KdfParams

MIB = 1 << 20


def make_export(path: Path, messages: int, media_mb: int, files: int) -> None:
    start = datetime(2026, 1, 1, 8, 0)
    per_file = (media_mb * MIB) // max(files, 1)
    every = max(messages // max(files, 1), 1)
    lines, names = [], []
    for i in range(messages):
        when = start + timedelta(minutes=3 * i)
        stamp = when.strftime("%d/%m/%Y, %H:%M")
        if files and i % every == 0 and len(names) < files:
            name = f"VID-{when:%Y%m%d}-WA{len(names):04d}.mp4"
            names.append(name)
            lines.append(f"{stamp} - Daniel: {name} (file attached)")
        else:
            text = f"message {i} — I know where you are tonight\nsecond line"
            lines.append(f"{stamp} - Daniel: {text}")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("WhatsApp Chat with Daniel.txt", "\n".join(lines) + "\n")
        block = os.urandom(MIB)
        for name in names:
            with z.open(name, "w", force_zip64=True) as out:
                left = per_file
                while left > 0:
                    out.write(block[: min(left, MIB)])
                    left -= MIB


def baseline(path: Path) -> float:
    begin = time.perf_counter()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            digest = hashlib.sha256()
            with z.open(info) as fh:
                while chunk := fh.read(MIB):
                    digest.update(chunk)
    return time.perf_counter() - begin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--media-mb", type=int, default=2048)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sd-bench-msgs-", dir=args.dir))
    try:
        export = work / "WhatsApp Chat with Daniel.zip"
        print(f"writing a {args.messages}-message export with {args.media_mb} MiB of media …",
              flush=True)
        make_export(export, args.messages, args.media_mb, args.files)
        size_mb = export.stat().st_size / MIB
        rss_before = peak_rss_mb()
        base_s = baseline(export)
        vault, _ = Vault.create(work / "vault", "benchmark passphrase", kdf=KdfParams.fast())
        try:
            begin = time.perf_counter()
            conv = vault.messages.import_export(export, tz=ZoneInfo("Europe/London"))
            import_s = time.perf_counter() - begin
            listed_s = time.perf_counter()
            count = len(vault.messages.list(conv.id))
            listed_s = time.perf_counter() - listed_s
            search_s = time.perf_counter()
            hits = len(vault.messages.search("message 4999"))
            search_s = time.perf_counter() - search_s
            verify_s = time.perf_counter()
            problems = vault.messages.verify()
            verify_s = time.perf_counter() - verify_s
        finally:
            vault.lock()
        line("export size", size_mb, "MiB")
        line("messages imported", count, "")
        line("baseline: read + SHA-256 every ZIP member", base_s, "s")
        line("import (export kept + media + messages)", import_s, "s")
        line("ratio baseline / import", base_s / import_s, "",
             "none set: the import also keeps the whole ZIP encrypted")
        line("messages per second", count / import_s, "/s")
        line("list the conversation", listed_s * 1000, "ms")
        line("search", search_s * 1000, "ms", f"{hits} hits")
        verdict = "0 problems" if not problems else "FAILED"
        line("verify the conversation's chain", verify_s * 1000, "ms", verdict)
        line("peak RSS before import", rss_before, "MB")
        line("peak RSS", peak_rss_mb(), "MB", "flat: < 400 MB whatever the media size")
        return 0 if not problems and count == args.messages else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
