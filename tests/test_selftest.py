"""The --self-test: passes on a good build, says what failed on a bad one, cleans up."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from safediary import selftest
from safediary.host.paths import DataLocation


def test_self_test_passes_and_removes_its_vault(tmp_path: Path) -> None:
    location = DataLocation(tmp_path / "data", portable=True)
    out = io.StringIO()
    assert selftest.run_self_test(location, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[-1] == selftest.PASSED
    for name, _check in selftest.CHECKS:
        assert any(line.strip().startswith(f"ok   {name}:") for line in lines), name
    assert not location.selftest_dir.exists()


def test_self_test_reports_a_failing_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: object) -> str:
        raise selftest.CheckFailed("the fonts are missing")

    checks = [(n, broken if n == "fonts" else c) for n, c in selftest.CHECKS]
    monkeypatch.setattr(selftest, "CHECKS", checks)
    location = DataLocation(tmp_path / "data", portable=True)
    out = io.StringIO()
    assert selftest.run_self_test(location, out) == 1
    text = out.getvalue()
    assert "FAIL fonts: CheckFailed: the fonts are missing" in text
    assert text.splitlines()[-1] == f"{selftest.FAILED}: fonts"
    assert not location.selftest_dir.exists(), "cleaned up after a failure too"


def test_self_test_never_touches_an_existing_vault(tmp_path: Path) -> None:
    from safediary.core import Vault

    location = DataLocation(tmp_path / "data", portable=True)
    vault, _ = Vault.create(location.vault_dir, "my own passphrase")
    vault.lock()
    before = {p: p.read_bytes() for p in location.vault_dir.rglob("*") if p.is_file()}
    assert selftest.run_self_test(location, io.StringIO()) == 0
    after = {p: p.read_bytes() for p in location.vault_dir.rglob("*") if p.is_file()}
    assert before == after
