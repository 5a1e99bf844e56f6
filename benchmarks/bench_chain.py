"""The diary's hash chain and rekey (issue 14): verify() and rekey at 10,000 entries + 1 GiB.

Run: .venv/bin/python benchmarks/bench_chain.py [--count 10000] [--evidence-mib 1024]

Figures: how long ``vault.verify()`` takes over 10,000 entries (the chain walk and
replay alone, and the whole check with the evidence decrypted), and how long
``vault.rekey()`` takes for the same diary with 1 GiB of evidence (the evidence
files are not rewritten: only their keys are re-wrapped).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _util import line, peak_rss_mb, timed

from safediary.core import Vault, ledger
from safediary.core.diary.incidents import verify_chain
from safediary.core.diary.taxonomy import KIND_IDS
from safediary.core.vault import keys
from safediary.core.vault.db import DB_FILE

PASSPHRASE = "benchmark passphrase"


def _fill(vault: Vault, count: int, rng: random.Random) -> None:
    people = [vault.people.add(f"Person {i}", description="tall, grey coat") for i in range(20)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        inc = vault.incidents.add(
            start + timedelta(hours=i * 3),
            location=f"street {i}",
            kinds={rng.choice(KIND_IDS)},
            description=f"he waited outside the house again, entry {i} " * 6,
            people=[people[i % len(people)].id],
        )
        if i % 10 == 0:
            vault.incidents.amend(inc.id, description=f"corrected entry {i}")
    for person in people:
        vault.people.update(person.id, name=f"{person.name} (identified)")


def _big_file(path: Path, mib: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as fh:
        for i in range(mib):
            fh.write(block[i % 7 :] + block[: i % 7])  # distinct 1 MiB blocks, cheap to make


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--evidence-mib", type=int, default=1024)
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"Argon2id parameters: {keys.DEFAULT_KDF}")
    with tempfile.TemporaryDirectory(dir=os.environ.get("SAFEDIARY_BENCH_TMP")) as tmp:
        folder = Path(tmp) / "vault"
        vault, _ = Vault.create(folder, PASSPHRASE)
        fill_s, _ = timed(lambda: _fill(vault, args.count, rng))
        line(f"write {args.count:,} entries (+10% amended, 20 people renamed)", fill_s, "s")

        ledger_s, chained = timed(lambda: ledger.verify(vault._db), repeat=3)
        assert not chained.problems, chained.problems[:3]
        line(f"chain walk + replay of {chained.length:,} changes", ledger_s * 1000, "ms")
        revisions_s, _ = timed(lambda: verify_chain(vault._db), repeat=3)
        line("  incident revision chain (as before issue 14)", revisions_s * 1000, "ms")
        for pragma in ("cipher_integrity_check", "quick_check"):
            pragma_s, _ = timed(lambda p=pragma: vault._db.query(f"PRAGMA {p}"), repeat=3)
            line(f"  PRAGMA {pragma}", pragma_s * 1000, "ms")
        verify_s, report = timed(vault.verify, repeat=3)
        assert report.ok, report.problems[:3]
        line(f"vault.verify(), {args.count:,} entries, no evidence", verify_s * 1000, "ms")

        big = Path(tmp) / "video.bin"
        _big_file(big, args.evidence_mib)
        import_s, ev = timed(lambda: vault.evidence.add_file(big))
        big.unlink()
        line(f"import {args.evidence_mib:,} MiB of evidence", import_s, "s")
        for i in range(100):
            small = Path(tmp) / f"photo{i}.jpg"
            small.write_bytes(os.urandom(50_000))
            vault.evidence.add_file(small)
            small.unlink()
        full_s, report = timed(vault.verify)
        assert report.ok, report.problems[:3]
        line(
            f"vault.verify(), {args.count:,} entries + {args.evidence_mib:,} MiB + 100 photos",
            full_s,
            "s",
        )

        db_mb = (folder / DB_FILE).stat().st_size / 1e6
        rss_before = peak_rss_mb()
        rekey_s, recovery = timed(lambda: vault.rekey("a new passphrase for the benchmark"))
        line(f"vault.rekey(): {db_mb:.0f} MB database, 101 evidence files", rekey_s, "s")
        line("peak memory (whole run)", peak_rss_mb(), "MB")
        line("peak memory before rekey", rss_before, "MB")
        assert vault.evidence.verify(ev.id)
        assert vault.verify().ok
        vault.lock()
        again, _ = timed(lambda: Vault.unlock(folder, "a new passphrase for the benchmark"))
        line("unlock after rekey", again * 1000, "ms")
        assert recovery


if __name__ == "__main__":
    main()
