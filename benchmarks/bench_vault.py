"""Vault figures: unlock (KDF and database open apart), add/list/search 10,000 incidents.

Run: .venv/bin/python benchmarks/bench_vault.py [--count 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _util import line, peak_rss_mb, timed

from safediary.core import Vault
from safediary.core.diary.taxonomy import KIND_IDS
from safediary.core.vault import keys
from safediary.core.vault.db import DB_FILE, Database
from safediary.core.vault.vault import DB_KEY_INFO

WORDS = [
    "he",
    "she",
    "waited",
    "outside",
    "the",
    "house",
    "car",
    "park",
    "station",
    "texted",
    "called",
    "shouted",
    "followed",
    "watched",
    "left",
    "flowers",
    "letter",
    "door",
    "window",
    "phone",
    "message",
    "threatened",
    "neighbour",
    "saw",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vault"
        vault, _ = Vault.create(folder, "benchmark passphrase")
        vault.lock()

        slots = keys.load_slot_files(folder)[0]
        kdf_s, master = timed(lambda: slots.open_passphrase("benchmark passphrase"), repeat=3)
        db_key = keys.hkdf(master, DB_KEY_INFO)

        def open_db() -> None:
            Database(folder / DB_FILE, db_key).close()

        open_s, _ = timed(open_db, repeat=5)
        unlock_s, vault = timed(lambda: Vault.unlock(folder, "benchmark passphrase"))
        print(f"Argon2id parameters: {keys.DEFAULT_KDF}")
        line("unlock: key derivation (Argon2id)", kdf_s * 1000, "ms", "300-1000 ms")
        line("unlock: database open after KDF", open_s * 1000, "ms", "< 50 ms")
        line("unlock: total", unlock_s * 1000, "ms")

        start = datetime(2024, 1, 1, tzinfo=UTC)

        def add_all() -> None:
            for i in range(args.count):
                vault.incidents.add(
                    start + timedelta(hours=i * 3),
                    location=f"{rng.choice(WORDS)} street {i}",
                    kinds={rng.choice(KIND_IDS)},
                    description=" ".join(rng.choices(WORDS, k=60)) + f" unique{i}",
                    feelings="scared",
                )

        add_s, _ = timed(add_all)
        line(f"add {args.count:,} incidents (one transaction each)", add_s, "s")
        line("  per incident", add_s / args.count * 1000, "ms")
        vault.lock()
        vault = Vault.unlock(folder, "benchmark passphrase")
        cold_s, rows = timed(vault.incidents.list)
        assert len(rows) == args.count
        line(f"list {args.count:,} incidents, first time after unlock", cold_s * 1000, "ms")
        list_s, rows = timed(vault.incidents.list, repeat=5)
        line(
            f"list {args.count:,} incidents, again (decoded once)", list_s * 1000, "ms", "< 200 ms"
        )
        vault.incidents.amend(rows[0].id, description="changed")
        amended_s, rows = timed(vault.incidents.list)
        line(
            f"list {args.count:,} incidents after one amendment", amended_s * 1000, "ms", "< 200 ms"
        )
        search_s, hits = timed(lambda: vault.incidents.search(f"unique{args.count // 2}"), 20)
        assert len(hits) == 1
        line("full-text search, one hit", search_s * 1000, "ms", "< 50 ms")
        broad_s, hits = timed(lambda: vault.incidents.search("threatened neighbour"), 5)
        line(f"full-text search, {len(hits):,} hits", broad_s * 1000, "ms")
        verify_s, report = timed(vault.verify)
        assert report.ok
        line(f"verify chain of {report.revisions:,} revisions", verify_s * 1000, "ms")
        vault.lock()
        size = (folder / DB_FILE).stat().st_size / 1e6
        line("database size", size, "MB")
        line("peak memory", peak_rss_mb(), "MB")


if __name__ == "__main__":
    main()
