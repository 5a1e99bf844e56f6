"""Two prints of one diary are the same document, whatever order Python keeps a set in."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from safediary.core import Vault
from safediary.core.vault.keys import KdfParams

PASSPHRASE = "a passphrase for two prints"

# Render with reportlab's invariant mode (no time stamps or random ids) and a fixed
# "generated at", so that any difference left comes from SafeDiary's own ordering.
RENDER = """
import sys
from datetime import datetime
from pathlib import Path
from reportlab import rl_config
from safediary.core import Vault
from safediary.core.report import ReportOptions, render_report
from safediary.core.report import data

rl_config.invariant = 1
data.now = lambda: datetime.fromisoformat(sys.argv[3])
vault = Vault.unlock(Path(sys.argv[1]), sys.argv[4])
Path(sys.argv[2]).write_bytes(bytes(render_report(vault, ReportOptions())))
vault.lock()
"""


def test_the_same_diary_prints_the_same_bytes_under_any_hash_seed(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE, kdf=KdfParams.fast())
    when = datetime(2026, 3, 29, 21, 30, tzinfo=UTC)
    for n in range(3):  # kinds of equal weight: their order used to follow the set's
        vault.incidents.add(
            occurred_at=when.replace(day=20 + n),
            location="Outside work",
            kinds={"threat", "following", "contacting_others", "social_media", "watching"},
            description=f"He sent another message ({n}).",
        )
    vault.lock()
    prints = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"report-{seed}.pdf"
        subprocess.run(
            [
                sys.executable, "-c", RENDER,
                str(tmp_path / "vault"), str(out), when.isoformat(), PASSPHRASE,
            ],
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            timeout=300,
        )
        prints.append(out.read_bytes())
    assert prints[0] == prints[1] == prints[2]
