"""No plaintext of user content on disk: not in the vault folder, not in temp."""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from safediary.core import Vault
from tests.conftest import PASSPHRASE

MAX_SCAN = 64 * 1024 * 1024  # unrelated big files in temp (benchmarks) are skipped


def _encodings(marker: str) -> list[bytes]:
    return [marker.encode("utf-8"), marker.encode("utf-16-le"), marker.encode("utf-16-be")]


def files_containing(roots: list[Path], marker: str, since: float = 0.0) -> list[Path]:
    """Every regular file under ``roots`` (changed since ``since``) holding the marker."""
    needles = _encodings(marker)
    hits = []
    for root in roots:
        # os.walk, not rglob: other programs' temp folders may vanish during the scan
        paths = (Path(d) / n for d, _dirs, names in os.walk(root) for n in names)
        for path in paths:
            try:
                if not path.is_file() or path.is_symlink():
                    continue
                info = path.stat()
                if info.st_mtime < since or info.st_size > MAX_SCAN:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if any(n in data for n in needles):
                hits.append(path)
    return hits


def test_marker_never_reaches_disk(vault_dir: Path, tmp_path: Path) -> None:
    started = time.time() - 1
    marker = "PLAINTEXT-MARKER-" + secrets.token_hex(8)
    vault, _ = Vault.create(vault_dir, PASSPHRASE)
    person = vault.people.add(f"{marker} person", vehicle=marker)
    for i in range(30):
        inc = vault.incidents.add(
            datetime.now(UTC),
            location=f"{marker} place {i}",
            description=f"{marker} " * 50,
            feelings=marker,
            witnesses=marker,
            police_reference=marker,
            tags=[marker],
            people=[person.id],
        )
        vault.incidents.amend(inc.id, description=f"amended {marker}")
    vault.kv.set("note", marker)
    vault.drafts.save("draft", {"description": marker})
    assert vault.incidents.search(marker.split("-")[-1])
    # While open, the WAL and database hold only ciphertext.
    assert files_containing([vault_dir], marker) == []
    vault.lock()
    assert files_containing([vault_dir], marker) == []
    temp_root = Path(tempfile.gettempdir())
    hits = [
        p for p in files_containing([temp_root], marker, since=started) if tmp_path not in p.parents
    ]
    assert hits == []
