"""'Remember on this computer': a real Secret Service (gnome-keyring), and every failure.

The ``keyring``-marked tests start their own D-Bus session bus and an unlocked
gnome-keyring in a temporary HOME, so the developer's own keychain is never
touched; they are skipped with a reason when gnome-keyring or dbus is missing.
"""

from __future__ import annotations

import base64
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, fail
from keyring.errors import KeyringLocked, PasswordDeleteError

from safediary.core import Vault
from safediary.core.timeutil import now
from safediary.core.vault import keychain
from safediary.core.vault.vault import KEYCHAIN_SLOT
from safediary.host.paths import DataLocation
from tests.conftest import PASSPHRASE, require_tool

KEYRING_PASSWORD = "test keyring password"


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def location(tmp_path: Path) -> DataLocation:
    return DataLocation(tmp_path / "data", portable=False)


@pytest.fixture
def portable(tmp_path: Path) -> DataLocation:
    return DataLocation(tmp_path / "stick", portable=True)


def make_vault(location: DataLocation) -> Vault:
    vault, _recovery = Vault.create(location.vault_dir, PASSPHRASE)
    return vault


@pytest.fixture
def use_backend() -> Iterator[Callable[[KeyringBackend], None]]:
    """Switch keyring to a given backend for one test, then put the old one back."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@dataclass
class SecretServiceBus:
    address: str
    home: Path


def _secret_service_running(address: str) -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    with open_dbus_connection(address) as conn:
        call = new_method_call(bus, "NameHasOwner", "s", ("org.freedesktop.secrets",))
        return bool(conn.send_and_get_reply(call, timeout=5).body[0])


@pytest.fixture
def secret_service_bus(tmp_path: Path) -> Iterator[SecretServiceBus]:
    """A private session bus with an unlocked gnome-keyring on it (no display: no prompts)."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        require_tool(tool)
    base = tmp_path / "secret-service"
    home, runtime = base / "home", base / "run"
    home.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        and not key.startswith("XDG_")
    }
    env |= {
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    bus = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            "--print-address=1",
            f"--address=unix:path={base / 'bus'}",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    daemon = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address, "dbus-daemon did not start"
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(KEYRING_PASSWORD.encode())
        daemon.stdin.close()
        deadline = time.monotonic() + 30
        while not _secret_service_running(address):
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gnome-keyring-daemon did not start its Secret Service")
            time.sleep(0.05)  # polling for the daemon to appear on the bus
        yield SecretServiceBus(address, home)
    finally:
        for process in (daemon, bus):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def secret_service(
    secret_service_bus: SecretServiceBus, monkeypatch: pytest.MonkeyPatch, use_backend
) -> SecretService.Keyring:
    """keyring's Secret Service backend, talking to the private gnome-keyring."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service_bus.address)
    backend = SecretService.Keyring()
    assert backend.priority >= 1
    use_backend(backend)
    return backend


class MemoryKeyring(KeyringBackend):
    """A keyring backend kept in a dict, able to act locked (for failure paths only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.locked = False

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


# -- no keychain, portable mode ---------------------------------------------------------------
def test_no_keychain_gives_a_clear_message_and_keeps_the_passphrase(
    location: DataLocation, use_backend
) -> None:
    use_backend(fail.Keyring())
    vault = make_vault(location)
    assert not keychain.is_available()
    assert keychain.unavailable_reason(location) == keychain.NO_KEYCHAIN_REASON
    with pytest.raises(keychain.KeychainError, match="no keychain"):
        keychain.remember(vault, location)
    assert not vault.has_slot(KEYCHAIN_SLOT)
    vault.lock()
    assert keychain.unlock_attempt(location) == keychain.KeychainUnlock(None, None)
    Vault.unlock(location.vault_dir, PASSPHRASE).lock()


def test_portable_mode_never_touches_the_keychain(portable: DataLocation, use_backend) -> None:
    memory = MemoryKeyring()
    use_backend(memory)
    vault = make_vault(portable)
    assert keychain.unavailable_reason(portable) == keychain.PORTABLE_REASON
    with pytest.raises(keychain.KeychainError, match="USB stick"):
        keychain.remember(vault, portable)
    assert not vault.has_slot(KEYCHAIN_SLOT)
    # A vault remembered on an installed computer, then carried on a stick:
    installed = DataLocation(portable.root, portable=False)
    keychain.remember(vault, installed)
    vault.lock()
    calls_before = dict(memory.items)
    memory.locked = True  # any keychain access would now raise
    assert not keychain.has_saved_key(portable)
    assert keychain.unlock_attempt(portable) == keychain.KeychainUnlock(None, None)
    assert memory.items == calls_before


def test_locked_keychain_falls_back_to_the_passphrase(location: DataLocation, use_backend) -> None:
    memory = MemoryKeyring()
    use_backend(memory)
    vault = make_vault(location)
    keychain.remember(vault, location)
    vault.lock()
    memory.locked = True
    attempt = keychain.unlock_attempt(location)
    assert attempt.vault is None
    assert attempt.reason is not None and "locked" in attempt.reason
    assert keychain.try_unlock(location) is None
    Vault.unlock(location.vault_dir, PASSPHRASE).lock()


def test_failed_save_leaves_no_slot(location: DataLocation, use_backend) -> None:
    memory = MemoryKeyring()
    use_backend(memory)
    vault = make_vault(location)
    memory.locked = True
    with pytest.raises(keychain.KeychainError, match="locked"):
        keychain.remember(vault, location)
    assert not vault.has_slot(KEYCHAIN_SLOT)
    assert not keychain.has_saved_key(location)


def test_forget_removes_the_slot_even_when_the_keychain_is_locked(
    location: DataLocation, use_backend
) -> None:
    memory = MemoryKeyring()
    use_backend(memory)
    vault = make_vault(location)
    keychain.remember(vault, location)
    memory.locked = True
    note = keychain.forget(vault, location)
    assert note is not None and "passphrase again" in note
    assert not vault.has_slot(KEYCHAIN_SLOT)
    vault.lock()
    memory.locked = False
    # The stale item is still in the keychain but opens nothing.
    assert keychain.unlock_attempt(location) == keychain.KeychainUnlock(None, None)


def test_missing_dbus_is_a_clear_message(
    location: DataLocation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, use_backend
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus-here'}")
    backend = SecretService.Keyring()
    use_backend(backend)
    vault = make_vault(location)
    assert not keychain.is_available()
    with pytest.raises(keychain.KeychainError):
        keychain.remember(vault, location)
    assert not vault.has_slot(KEYCHAIN_SLOT)
    # A slot made earlier (when D-Bus worked) and now no bus: reason, not a crash.
    memory = MemoryKeyring()
    use_backend(memory)
    keychain.remember(vault, location)
    vault.lock()
    use_backend(backend)
    attempt = keychain.unlock_attempt(location)
    assert attempt.vault is None
    assert attempt.reason is not None and "passphrase" in attempt.reason


# -- a real Secret Service ----------------------------------------------------------------------
def _items(backend: SecretService.Keyring) -> list[dict[str, str]]:
    collection = backend.get_preferred_collection()
    return [item.get_attributes() for item in collection.search_items({"service": "SafeDiary"})]


@pytest.mark.keyring
def test_remember_then_one_click_unlock(location: DataLocation, secret_service) -> None:
    vault = make_vault(location)
    assert keychain.is_available()
    assert keychain.unavailable_reason(location) is None
    keychain.remember(vault, location)
    assert keychain.is_remembered(vault)
    username = keychain.keychain_username(vault.vault_id)
    assert {"service": "SafeDiary", "username": username}.items() <= _items(secret_service)[
        -1
    ].items()
    stored = secret_service.get_password("SafeDiary", username)
    assert len(base64.b64decode(stored)) == 32
    assert PASSPHRASE not in stored
    vault.incidents.add(occurred_at=now(), description="remembered entry", kinds={"other"})
    vault.lock()

    assert keychain.has_saved_key(location)
    opened = keychain.try_unlock(location)
    assert opened is not None
    try:
        assert [i.description for i in opened.incidents.list()] == ["remembered entry"]
    finally:
        opened.lock()


@pytest.mark.keyring
def test_forget_deletes_the_item_and_the_slot(location: DataLocation, secret_service) -> None:
    vault = make_vault(location)
    keychain.remember(vault, location)
    username = keychain.keychain_username(vault.vault_id)
    assert keychain.forget(vault, location) is None
    assert secret_service.get_password("SafeDiary", username) is None
    assert not vault.has_slot(KEYCHAIN_SLOT)
    vault.lock()
    assert not keychain.has_saved_key(location)
    assert keychain.unlock_attempt(location) == keychain.KeychainUnlock(None, None)
    # Forgetting twice (nothing left in the keychain) is fine.
    vault = Vault.unlock(location.vault_dir, PASSPHRASE)
    assert keychain.forget(vault, location) is None
    vault.lock()


@pytest.mark.keyring
def test_item_deleted_outside_safediary(location: DataLocation, secret_service) -> None:
    vault = make_vault(location)
    keychain.remember(vault, location)
    secret_service.delete_password("SafeDiary", keychain.keychain_username(vault.vault_id))
    vault.lock()
    attempt = keychain.unlock_attempt(location)
    assert attempt.vault is None
    assert attempt.reason is not None and "no saved key" in attempt.reason
    Vault.unlock(location.vault_dir, PASSPHRASE).lock()


@pytest.mark.keyring
@pytest.mark.parametrize(
    ("saved", "says"),
    [
        (base64.b64encode(b"\x01" * 32).decode(), "no longer opens"),
        ("this is not a key", "damaged"),
    ],
)
def test_wrong_or_damaged_saved_key(
    location: DataLocation, secret_service, saved: str, says: str
) -> None:
    vault = make_vault(location)
    keychain.remember(vault, location)
    secret_service.set_password("SafeDiary", keychain.keychain_username(vault.vault_id), saved)
    vault.lock()
    attempt = keychain.unlock_attempt(location)
    assert attempt.vault is None
    assert attempt.reason is not None and says in attempt.reason


@pytest.mark.keyring
def test_locked_collection(location: DataLocation, secret_service) -> None:
    """A locked login keyring (no way to prompt here) gives a reason, never a hang or crash."""
    vault = make_vault(location)
    keychain.remember(vault, location)
    vault.lock()
    collection = secret_service.get_preferred_collection()
    collection.lock()
    assert collection.is_locked()
    attempt = keychain.unlock_attempt(location)
    assert attempt.vault is None
    assert attempt.reason is not None and "locked" in attempt.reason
    Vault.unlock(location.vault_dir, PASSPHRASE).lock()
