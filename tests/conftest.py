"""Shared test set-up: offscreen Qt, no network, fast-but-real KDF, throwaway vaults."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from safediary.core import Vault
from safediary.core.vault import keys

# Hypothesis keeps no example database in the working tree: tests write only under tmp_path.
hypothesis.settings.register_profile("safediary", database=None)
hypothesis.settings.load_profile("safediary")

#: Files the tests read (never write): tests/data
TEST_DATA = Path(__file__).resolve().parent / "data"

PASSPHRASE = "correct horse «battery» 'staple' \"✓\""


def require_tool(tool: str) -> str:
    """The path of a command the tests need; a missing one fails the test, never skips it.

    ``make test`` installs every such tool (scripts/install-system-deps --test), so a
    missing one means a broken set-up, which must not pass as a quietly skipped test.
    """
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run scripts/install-system-deps --test")
    return path


class NetworkUsed(AssertionError):
    """A test tried to use the network."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_create_connection = socket.create_connection


def _allowed(address: object) -> bool:
    # Unix sockets (D-Bus for the Secret Service tests) are local IPC, not network.
    return isinstance(address, (str, bytes))


def _guard_connect(self: socket.socket, address: object) -> None:
    if self.family == socket.AF_UNIX or _allowed(address):
        return _real_connect(self, address)
    raise NetworkUsed(f"network connection attempted to {address!r}")


def _guard_connect_ex(self: socket.socket, address: object) -> int:
    if self.family == socket.AF_UNIX or _allowed(address):
        return _real_connect_ex(self, address)
    raise NetworkUsed(f"network connection attempted to {address!r}")


def _guard_create_connection(address: object, *args: object, **kwargs: object) -> socket.socket:
    raise NetworkUsed(f"network connection attempted to {address!r}")


def _guard_getaddrinfo(*args: object, **kwargs: object) -> list[object]:
    raise NetworkUsed(f"name lookup attempted for {args[:2]!r}")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a network connection or looks up a host name."""
    monkeypatch.setattr(socket.socket, "connect", _guard_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guard_connect_ex)
    monkeypatch.setattr(socket, "create_connection", _guard_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", _guard_getaddrinfo)


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2id with a lower cost, so hundreds of vaults fit in a test run."""
    monkeypatch.setattr(keys, "DEFAULT_KDF", keys.KdfParams.fast())


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def new_vault(vault_dir: Path) -> Iterator[tuple[Vault, str]]:
    """A freshly created vault and its recovery key; locked after the test."""
    vault, recovery = Vault.create(vault_dir, PASSPHRASE)
    try:
        yield vault, recovery
    finally:
        vault.lock()


@pytest.fixture
def vault(new_vault: tuple[Vault, str]) -> Vault:
    return new_vault[0]
