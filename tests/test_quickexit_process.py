"""Quick exit in the real app: a separate process, an import running, exit status 0, nothing lost.

The app is driven by ``tests/support/scripted_app.py`` through ``run_gui``'s public
``on_started`` parameter: it opens the vault, saves an incident, starts importing a
300 MB file and clicks the quick exit button part-way through. Afterwards the vault
must open with the incident saved and no trace of the half-imported evidence.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from safediary.core import Vault
from tests.conftest import PASSPHRASE
from tests.support.scripted_app import INCIDENT_TEXT

IMPORT_SIZE = 300 * 1024 * 1024
SCRIPTED_APP = Path(__file__).parent / "support" / "scripted_app.py"


def run_app(data_dir: Path, script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, str(SCRIPTED_APP), script, "--data-dir", str(data_dir)]
    return subprocess.run(
        [*command, "--passphrase", PASSPHRASE, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails the test; speed itself is measured in benchmarks/
        check=False,
    )


def events(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        name, *values = line.split()
        found.setdefault(name, values)
    return found


def blob_files(vault_dir: Path) -> list[Path]:
    folder = vault_dir / "evidence"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_quick_exit_during_import_ends_cleanly_and_keeps_saved_work(tmp_path: Path) -> None:
    data = tmp_path / "data"
    big = tmp_path / "big-video.bin"
    with big.open("wb") as fh:  # sparse: large without writing 300 MB here
        fh.truncate(IMPORT_SIZE)

    result = run_app(data, "quickexit-during-import", "--import-file", str(big))

    assert result.returncode == 0, result.stderr
    seen = events(result.stdout)
    assert "import-progress" in seen, result.stdout
    done, total = map(int, seen["import-progress"])
    assert 0 < done < total  # the click came in the middle of the import
    assert "clicked" in seen and "hidden" in seen
    assert int(seen["hidden"][0]) >= int(seen["clicked"][0])
    assert "import-finished" not in seen
    assert "still-running" not in seen

    vault_dir = data / "vault"
    with Vault.unlock(vault_dir, PASSPHRASE) as vault:  # the unlock sweeps leftovers
        incidents = vault.incidents.list()
        assert [i.description for i in incidents] == [INCIDENT_TEXT]
        assert vault.evidence.list() == []
        assert vault.verify().ok
    assert blob_files(vault_dir) == []


def test_quick_exit_when_idle(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run_app(data, "quickexit-idle")
    assert result.returncode == 0, result.stderr
    seen = events(result.stdout)
    assert "hidden" in seen and "still-running" not in seen
    with Vault.unlock(data / "vault", PASSPHRASE) as vault:
        assert [i.description for i in vault.incidents.list()] == [INCIDENT_TEXT]
