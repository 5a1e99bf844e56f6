"""Report benchmark for every script: 1,000 mixed-script entries against a Latin-only baseline.

Usage:
    python benchmarks/bench_report_scripts.py [--incidents 1000] [--dir DIR]

Two vaults of the same shape are built: one whose entries are English only, one
whose entries cycle through every script SafeDiary prints (Arabic, Urdu, Hebrew,
Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, Thai, Chinese, Japanese, Korean,
Greek, Cyrillic, emoji, mixed English/Arabic), each with a location, a
description of several sentences and the exact words. Each report is rendered
in a fresh child process (so font loading counts), and the glyphs drawn are
checked for glyph 0. Target: < 10 s for 1,000 mixed entries.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tests.support.scripts import SAMPLES

from safediary.core import Vault
from safediary.core.report import ReportOptions, write_report
from safediary.core.timeutil import now
from safediary.core.vault.keys import KdfParams

PASSPHRASE = "benchmark passphrase, not a secret"
ENGLISH = "He sent another message and waited outside the house until the lights went off."


def build(folder: Path, incidents: int, mixed: bool) -> None:
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=KdfParams.fast())
    samples = list(SAMPLES.values())
    start = now() - timedelta(days=2 * 365)
    for n in range(incidents):
        text = samples[n % len(samples)] if mixed else ENGLISH
        vault.incidents.add(
            occurred_at=start + timedelta(hours=17 * n),
            location=text[:24],
            kinds={"text_message", "threat"} if n % 2 else {"following"},
            description=" ".join([text, ENGLISH, text, text]),
            exact_words=text,
            feelings="Scared and tired.",
            witnesses="Neighbour" if n % 3 == 0 else "",
        )
    vault.lock()


def render_child(folder: Path, out: Path) -> None:
    """Run in a fresh process: unlock, render, print the seconds as JSON."""
    vault = Vault.unlock(folder, PASSPHRASE)
    started, cpu = time.perf_counter(), time.process_time()
    write_report(vault, out, ReportOptions())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    vault.lock()
    print(json.dumps({"seconds": seconds, "cpu": cpu}))


def render(folder: Path, out: Path) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, "--render", str(folder), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(child.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=None, help="where to work (a disk)")
    parser.add_argument("--render", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        render_child(*args.render)
        return 0
    from tests.support.pdfglyphs import walk

    work = Path(tempfile.mkdtemp(prefix="sd-bench-scripts-", dir=args.dir))
    try:
        results = {}
        for name, mixed in (("Latin-only", False), ("mixed scripts", True)):
            build(work / name, args.incidents, mixed)
            out = work / f"{name}.pdf"
            figures = render(work / name, out)
            glyphs = walk(out.read_bytes())
            results[name] = figures
            print(
                f"{name + ' report, ' + str(args.incidents) + ' entries':<40} "
                f"{figures['seconds']:7.2f} s  (CPU {figures['cpu']:.2f} s)  "
                f"{out.stat().st_size / 1e6:6.2f} MB  {glyphs.glyphs:,} glyphs, "
                f"{len(glyphs.notdef)} glyph-0",
                flush=True,
            )
        mixed, latin = results["mixed scripts"], results["Latin-only"]
        print(f"{'mixed / Latin-only, wall time':<40} {mixed['seconds'] / latin['seconds']:7.2f} x")
        print(f"{'mixed / Latin-only, CPU time':<40} {mixed['cpu'] / latin['cpu']:7.2f} x")
        print("target: the mixed report under 10 s (wall time on an unloaded machine ~ CPU time)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
