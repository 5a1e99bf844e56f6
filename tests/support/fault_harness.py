"""Kill -9 harness: a child process writes to a vault, the parent kills it at a random moment.

The child unlocks the vault and loops over adds, amends, evidence imports and
passphrase changes, writing one log line *before* each operation and one
*after* it returns (``os.write`` on an append-only file, so the line survives
SIGKILL). The parent kills it with SIGKILL at a random moment, unlocks the
vault again (with the last confirmed passphrase, or the one whose change was in
flight) and checks that every acknowledged operation is there, that
``vault.verify()`` passes, and that no leftovers (temp files, orphan blobs)
survived the unlock.

Used by tests/core/test_faults.py (a short run) and benchmarks/bench_faults.py
(hundreds of iterations). Run as a script it is the child.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START_PASSPHRASE = "fault harness passphrase 0"
WHEN = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------- child


def _child(
    folder: Path, log_path: Path, passphrase: str, seed: int, rekey_share: float = 0.035
) -> None:
    from safediary.core import Vault
    from safediary.core.evidence import blobs as bs
    from safediary.core.evidence.evidence import EvidenceStore
    from safediary.core.vault import keys

    keys.DEFAULT_KDF = keys.KdfParams.fast()
    # small segments so large imports span several files
    EvidenceStore.segment_size = bs.HEADER_SIZE + 2 * (bs.CHUNK_SIZE + bs.TAG_SIZE)
    rng = random.Random(seed)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def log(**entry: Any) -> None:
        os.write(fd, (json.dumps(entry) + "\n").encode())

    src = folder.parent / f"{folder.name}-sources"
    src.mkdir(exist_ok=True)
    log(phase="start")
    vault = Vault.unlock(folder, passphrase)
    log(phase="ready")
    ids = [i.id for i in vault.incidents.list()]
    step = 0
    while True:
        step += 1
        token = f"{seed}-{step}-{rng.getrandbits(32):08x}"
        roll = rng.random()
        if rng.random() < rekey_share:
            roll = 1.0  # a rekey
        if roll < 0.45 or not ids:
            log(phase="begin", op="add", token=token)
            inc = vault.incidents.add(
                WHEN + timedelta(minutes=rng.randrange(100_000)),
                description=f"entry {token}",
                kinds={"text_message"},
                location="x" * rng.randrange(0, 2000),
            )
            ids.append(inc.id)
            log(phase="ok", op="add", token=token, id=inc.id, number=inc.number)
        elif roll < 0.75:
            target = rng.choice(ids)
            log(phase="begin", op="amend", token=token, id=target)
            inc = vault.incidents.amend(target, description=f"amended {token}")
            log(phase="ok", op="amend", token=token, id=target, revision=inc.revision)
        elif roll < 0.93:
            size = rng.choice([0, 1, 700, 64_000, 300_000, 2_500_000])
            path = src / f"evidence {token}.bin"
            data = rng.randbytes(size)
            path.write_bytes(data)
            digest = hashlib.sha256(data).hexdigest()
            log(phase="begin", op="evidence", token=token, sha256=digest)
            ev = vault.evidence.add_file(path, incident_id=rng.choice(ids))
            log(phase="ok", op="evidence", token=token, id=ev.id, sha256=ev.sha256)
            path.unlink()
        elif roll < 1.0:
            new = f"fault harness passphrase {token}"
            log(phase="begin", op="passphrase", passphrase=new)
            vault.change_passphrase(new)
            log(phase="ok", op="passphrase", passphrase=new)
        else:  # a new master key: database re-encrypted, evidence keys re-wrapped
            new = f"fault harness rekey {token}"
            log(phase="begin", op="rekey", passphrase=new)
            vault.rekey(new)
            log(phase="ok", op="rekey", passphrase=new)


# ----------------------------------------------------------------------------- parent


@dataclass
class LoopResult:
    """Counts from a run of the kill loop."""

    iterations: int = 0
    kills: int = 0
    killed_before_ready: int = 0
    child_exited: int = 0
    acknowledged: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)
    in_flight_committed: int = 0
    opened_with_in_flight_passphrase: int = 0
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        acked = ", ".join(f"{k} {v}" for k, v in sorted(self.acknowledged.items()))
        flying = ", ".join(f"{k} {v}" for k, v in sorted(self.in_flight.items()))
        return [
            f"iterations: {self.iterations}",
            f"SIGKILLs: {self.kills} (before the vault was open: {self.killed_before_ready}; "
            f"child ended on its own: {self.child_exited})",
            f"acknowledged operations checked: {sum(self.acknowledged.values())} ({acked})",
            f"operations in flight at the kill: {sum(self.in_flight.values())} ({flying}); "
            f"of which committed: {self.in_flight_committed}",
            f"reopened with an in-flight new passphrase: {self.opened_with_in_flight_passphrase}",
            f"failures: {len(self.failures)}",
        ]


def _read_log(path: Path) -> list[dict[str, Any]]:
    entries = []
    with contextlib.suppress(FileNotFoundError):
        for line in path.read_text().splitlines():
            with contextlib.suppress(ValueError):  # a torn last line cannot happen, but be safe
                entries.append(json.loads(line))
    return entries


@dataclass
class _State:
    passphrase: str = START_PASSPHRASE
    adds: dict[int, str] = field(default_factory=dict)  # incident number -> first description
    amends: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (revision, text)
    evidence: dict[int, str] = field(default_factory=dict)  # evidence id -> sha256


def _check(folder: Path, state: _State, entries: list[dict[str, Any]], result: LoopResult) -> None:
    from safediary.core import Vault, WrongPassphrase
    from safediary.core.evidence import blobs as bs

    candidates = [state.passphrase]
    pending: dict[str, Any] | None = None
    for entry in entries:
        if entry["phase"] == "begin":
            pending = entry
        elif entry["phase"] == "ok":
            pending = None
            result.acknowledged[entry["op"]] += 1
            if entry["op"] == "add":
                state.adds[entry["number"]] = f"entry {entry['token']}"
            elif entry["op"] == "amend":
                state.amends[entry["id"]] = (entry["revision"], f"amended {entry['token']}")
            elif entry["op"] == "evidence":
                state.evidence[entry["id"]] = entry["sha256"]
            elif entry["op"] in ("passphrase", "rekey"):
                candidates = [entry["passphrase"]]
    if pending is not None:
        result.in_flight[pending["op"]] += 1
        if pending["op"] in ("passphrase", "rekey"):
            # the newest passphrase first: an older one may open only an older key-file copy
            candidates.insert(0, pending["passphrase"])

    vault = None
    for i, passphrase in enumerate(candidates):
        try:
            vault = Vault.unlock(folder, passphrase)
        except WrongPassphrase:
            continue
        state.passphrase = passphrase
        if i == 0 and len(candidates) > 1:
            result.opened_with_in_flight_passphrase += 1
            result.in_flight_committed += 1
        break
    if vault is None:
        result.failures.append(f"iteration {result.iterations}: no known passphrase opens it")
        return
    fail = result.failures.append
    where = f"iteration {result.iterations}"
    try:
        incidents = {i.number: i for i in vault.incidents.list()}
        for number, text in state.adds.items():
            inc = incidents.get(number)
            if inc is None:
                fail(f"{where}: acknowledged entry {number} is missing")
                continue
            first = vault.incidents.history(inc.id)[0].incident.description
            if first != text:
                fail(f"{where}: entry {number} first revision differs")
        unacknowledged = len(incidents) - len(state.adds)
        if unacknowledged not in (0, 1):
            fail(f"{where}: {unacknowledged} entries appeared that were never started")
        if pending is not None and pending["op"] == "add" and unacknowledged == 1:
            result.in_flight_committed += 1
            newest = max(incidents)
            state.adds[newest] = f"entry {pending['token']}"
        for incident_id, (revision, text) in state.amends.items():
            history = vault.incidents.history(incident_id)
            if len(history) < revision or history[revision - 1].incident.description != text:
                fail(f"{where}: acknowledged amendment of {incident_id} (rev {revision}) lost")
        if pending is not None and pending["op"] == "amend":
            history = vault.incidents.history(pending["id"])
            if history[-1].incident.description == f"amended {pending['token']}":
                result.in_flight_committed += 1
                state.amends[pending["id"]] = (len(history), f"amended {pending['token']}")
        live = {e.id: e for e in vault.evidence.list()}
        for evidence_id, digest in state.evidence.items():
            ev = live.get(evidence_id)
            if ev is None or ev.sha256 != digest or not vault.evidence.verify(evidence_id):
                fail(f"{where}: acknowledged evidence {evidence_id} missing or damaged")
        extra = set(live) - set(state.evidence)
        if pending is not None and pending["op"] == "evidence" and len(extra) == 1:
            (new_id,) = extra
            if live[new_id].sha256 == pending["sha256"]:
                result.in_flight_committed += 1
                state.evidence[new_id] = pending["sha256"]
                extra = set()
        if extra:
            fail(f"{where}: evidence {sorted(extra)} appeared that was never started")
        report = vault.verify()
        if not report.ok:
            fail(f"{where}: verify() found {report.problems}")
        # leftovers: temp files anywhere, blobs with no live row
        temps = [p for p in folder.rglob("*.tmp")]
        if temps:
            fail(f"{where}: leftovers not swept: {[p.name for p in temps]}")
        rows = vault._db.query("SELECT blob_id FROM evidence_blobs WHERE deleted_at IS NULL")
        orphans = bs.list_blob_ids(folder / "evidence") - {r[0] for r in rows}
        if orphans:
            fail(f"{where}: orphan blobs not swept: {sorted(orphans)}")
        held = list((folder / "quarantine").glob("*"))
        if held:  # an interrupted import must be tidied by its journal, never set aside
            fail(f"{where}: files quarantined: {[p.name for p in held]}")
        if (folder / "diary.db.rekey").exists():
            fail(f"{where}: the re-encrypted copy of an interrupted rekey was left behind")
        if vault.open_warnings:
            fail(f"{where}: warnings at unlock: {vault.open_warnings}")
    finally:
        vault.lock()


def run_loop(
    workdir: Path,
    iterations: int,
    *,
    seed: int = 0,
    max_delay: float = 0.3,
    fresh_every: int = 25,
    report: Callable[[LoopResult], None] | None = None,
    rekey_share: float = 0.035,
) -> LoopResult:
    """Run ``iterations`` child/kill/check rounds under ``workdir``; return the counts."""
    from safediary.core import Vault
    from safediary.core.vault import keys

    keys.DEFAULT_KDF = keys.KdfParams.fast()
    rng = random.Random(seed)
    result = LoopResult()
    folder = workdir / "vault-0"
    state = _State()
    for n in range(iterations):
        if n % fresh_every == 0:
            folder = workdir / f"vault-{n}"
            Vault.create(folder, START_PASSPHRASE)[0].lock()
            state = _State()
        result.iterations += 1
        log_path = workdir / f"log-{n}.jsonl"
        child = subprocess.Popen(
            [sys.executable, __file__, str(folder), str(log_path), state.passphrase,
             str(rng.getrandbits(32)), str(rekey_share)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        early = rng.random() < 0.15  # sometimes kill while it unlocks and sweeps
        if not early:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and child.poll() is None:
                if any(e["phase"] == "ready" for e in _read_log(log_path)):
                    break
                time.sleep(0.005)
        time.sleep(rng.uniform(0, max_delay))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            result.kills += 1
        else:
            result.child_exited += 1
        _, stderr = child.communicate()
        entries = _read_log(log_path)
        if child.returncode != -signal.SIGKILL:
            tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
            result.failures.append(f"iteration {n}: child ended by itself: {tail}")
        if not any(e["phase"] == "ready" for e in entries):
            result.killed_before_ready += 1
        _check(folder, state, entries, result)
        if report is not None:
            report(result)
    return result


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
           float(sys.argv[5]) if len(sys.argv) > 5 else 0.035)
