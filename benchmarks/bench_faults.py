"""Kill -9 fault loop, long form: hundreds of random SIGKILLs while the diary is written.

Each iteration starts a child that unlocks the vault and adds, amends, imports
evidence and changes the passphrase in a loop; the parent kills it with SIGKILL
at a random moment, reopens the vault and checks every acknowledged operation,
``vault.verify()`` and that leftovers were swept (see tests/fault_harness.py).

Run: .venv/bin/python benchmarks/bench_faults.py [--iterations 300] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from _util import line

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fault_harness import LoopResult, run_loop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-delay", type=float, default=0.3, help="seconds after unlock")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print(f"kill -9 fault loop: {args.iterations} iterations, seed {seed}", flush=True)

    def progress(result: LoopResult) -> None:
        if result.iterations % 25 == 0:
            print(f"  ... {result.iterations} done, failures so far: {len(result.failures)}",
                  flush=True)

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="safediary-faults-") as tmp:
        result = run_loop(Path(tmp), args.iterations, seed=seed, max_delay=args.max_delay,
                          report=progress)
    elapsed = time.perf_counter() - start
    for text in result.lines():
        print(text)
    line("time per iteration (spawn, kill, reopen, check)", elapsed / args.iterations, "s")
    for failure in result.failures[:20]:
        print("FAILURE:", failure)
    return 1 if result.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
