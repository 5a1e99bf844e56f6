""" "Remember on this computer": a key-slot secret kept in the OS keychain.

When the user turns it on, the vault gets a ``keychain`` slot opened by a new
random 32-byte secret, and that secret (never the passphrase, never the master
key) is stored through :mod:`keyring` — the Secret Service on Linux, the
Keychain on macOS, the Credential Manager on Windows. Unlocking is then one
click. Turning it off deletes the keychain item and the slot.

It is never used in portable mode: the secret would stay on the host computer.
Every keychain failure (no keychain, locked, D-Bus missing, item deleted)
becomes a :class:`KeychainError` or a ``reason`` in plain words, and the user
falls back to the passphrase. Nothing here raises anything else.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
from dataclasses import dataclass
from typing import Any

from safediary.core.errors import NotAVault, VaultCorrupted, VaultError, WrongPassphrase
from safediary.core.vault.keys import KEY_BYTES, load_slot_files
from safediary.core.vault.vault import KEYCHAIN_SLOT, Vault
from safediary.host.paths import DataLocation

SERVICE = "SafeDiary"

PORTABLE_REASON = (
    "SafeDiary is running from a USB stick or its own folder, so it keeps nothing on this "
    "computer, not even in the keychain. Please use your passphrase."
)
NO_KEYCHAIN_REASON = (
    "This computer has no keychain that SafeDiary can use. Please use your passphrase."
)


class KeychainError(VaultError):
    """The keychain could not be used; the message says why, in plain words."""


@dataclass(frozen=True)
class KeychainUnlock:
    """The outcome of a one-click unlock: a vault, or why the passphrase is needed."""

    vault: Vault | None
    reason: str | None = None


def keychain_username(vault_id: str) -> str:
    """The keychain item's user name for one vault (stable, says nothing about the diary)."""
    digest = hashlib.sha256(f"safediary-keychain|{vault_id}".encode()).hexdigest()
    return f"vault-{digest[:32]}"


# -- availability ----------------------------------------------------------------------
def _backend() -> Any:
    import keyring

    return keyring.get_keyring()


def _usable(backend: Any) -> bool:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, chainer.ChainerBackend):
        return any(_usable(b) for b in backend.backends)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:  # a backend whose service is missing raises here
        return False


def is_available() -> bool:
    """True when a real OS keychain is reachable through keyring."""
    try:
        return _usable(_backend())
    except Exception:
        return False


def unavailable_reason(location: DataLocation) -> str | None:
    """Why "remember on this computer" cannot be offered here, or None when it can."""
    if not location.keychain_allowed:
        return PORTABLE_REASON
    if not is_available():
        return NO_KEYCHAIN_REASON
    return None


def _explain(exc: BaseException, doing: str) -> str:
    """A calm sentence for a keychain failure; technical detail only in brackets."""
    from keyring import errors

    if isinstance(exc, errors.KeyringLocked):
        return (
            f"The computer's keychain is locked, so SafeDiary could not {doing}. "
            "Unlock the keychain (logging out and in again usually does it) or use your "
            "passphrase."
        )
    if isinstance(exc, errors.NoKeyringError | errors.InitError):
        return NO_KEYCHAIN_REASON
    detail = type(exc).__name__
    return (
        f"SafeDiary could not reach the computer's keychain to {doing} ({detail}). "
        "Please use your passphrase."
    )


# -- remember and forget --------------------------------------------------------------
def remember(vault: Vault, location: DataLocation) -> None:
    """Add the keychain slot and store its secret in the OS keychain.

    Raises KeychainError (and leaves the vault as it was) if the keychain cannot
    be used; never offered in portable mode.
    """
    if not location.keychain_allowed:
        raise KeychainError(PORTABLE_REASON)
    if not is_available():
        raise KeychainError(NO_KEYCHAIN_REASON)
    secret = vault.add_secret_slot(KEYCHAIN_SLOT)
    encoded = base64.b64encode(secret).decode("ascii")
    username = keychain_username(vault.vault_id)
    try:
        backend = _backend()
        backend.set_password(SERVICE, username, encoded)
        stored = backend.get_password(SERVICE, username)
    except Exception as exc:
        _drop_slot_quietly(vault)
        raise KeychainError(_explain(exc, "save the key")) from exc
    if stored != encoded:
        _drop_slot_quietly(vault)
        raise KeychainError(
            "The computer's keychain did not keep the key SafeDiary gave it. "
            "Nothing has changed; please keep using your passphrase."
        )


def _drop_slot_quietly(vault: Vault) -> None:
    # The new secret never reached the keychain: remove the slot it opens. (An older
    # slot was replaced by the new one, so its keychain item no longer matches anyway.)
    with contextlib.suppress(VaultError):
        vault.remove_slot(KEYCHAIN_SLOT)


def forget(vault: Vault, location: DataLocation) -> str | None:
    """Delete the keychain item and the vault's keychain slot.

    The slot is always removed, so the diary needs the passphrase again even if
    the keychain cannot be reached. Returns a note for the user when the old item
    could not be deleted from the keychain (it no longer opens anything), else None.
    """
    vault.remove_slot(KEYCHAIN_SLOT)
    if not location.keychain_allowed:
        return None
    from keyring.errors import PasswordDeleteError

    try:
        _backend().delete_password(SERVICE, keychain_username(vault.vault_id))
    except PasswordDeleteError:
        return None  # nothing was saved on this computer
    except Exception as exc:
        return (
            "The diary now needs your passphrase again. The old saved key could not be removed "
            f"from the computer's keychain ({type(exc).__name__}); it no longer opens the diary, "
            "and you can delete it in the keychain app."
        )
    return None


def is_remembered(vault: Vault) -> bool:
    """True when the (unlocked) vault has a keychain slot."""
    return vault.has_slot(KEYCHAIN_SLOT)


def has_saved_key(location: DataLocation) -> bool:
    """True when one-click unlock may work: installed mode and the vault has a keychain slot.

    Reads only the vault's key file; the keychain itself is not touched.
    """
    if not location.keychain_allowed:
        return False
    try:
        copies = load_slot_files(location.vault_dir)
    except (VaultError, OSError):
        return False
    return KEYCHAIN_SLOT in copies[0].slots


# -- one-click unlock --------------------------------------------------------------------
def unlock_attempt(location: DataLocation) -> KeychainUnlock:
    """Open the vault with the secret saved in the keychain, or say why not.

    ``reason`` is None when nothing was saved (just ask for the passphrase) and a
    sentence for the user when a saved key could not be used.
    """
    if not has_saved_key(location):
        return KeychainUnlock(None)
    try:
        vault_id = load_slot_files(location.vault_dir)[0].vault_id
    except (VaultError, OSError):
        return KeychainUnlock(None)
    try:
        encoded = _backend().get_password(SERVICE, keychain_username(vault_id))
    except Exception as exc:
        return KeychainUnlock(None, _explain(exc, "read the saved key"))
    if encoded is None:
        return KeychainUnlock(
            None,
            "This computer's keychain has no saved key for this diary (it may have been "
            "removed, or saved on another computer). Please use your passphrase.",
        )
    try:
        secret = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeError, ValueError):
        secret = b""
    if len(secret) != KEY_BYTES:
        return KeychainUnlock(
            None, "The key saved in the keychain is damaged. Please use your passphrase."
        )
    try:
        vault = Vault.unlock_with_secret(location.vault_dir, KEYCHAIN_SLOT, secret)
    except WrongPassphrase:
        return KeychainUnlock(
            None,
            "The key saved in the keychain no longer opens this diary. Please use your "
            "passphrase; you can turn on “Remember on this computer” again in Settings.",
        )
    except (NotAVault, VaultCorrupted, VaultError) as exc:
        return KeychainUnlock(None, str(exc))
    return KeychainUnlock(vault)


def try_unlock(location: DataLocation) -> Vault | None:
    """The vault opened from the keychain, or None (use :func:`unlock_attempt` for why)."""
    return unlock_attempt(location).vault
