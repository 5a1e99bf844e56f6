"""Exceptions raised by the core. Every message is safe to show to the user."""

from __future__ import annotations


class VaultError(Exception):
    """Base class for every error the vault raises on purpose."""


class WrongPassphrase(VaultError):
    """The passphrase or recovery key does not open this vault."""


class VaultCorrupted(VaultError):
    """Part of the vault is damaged. Nothing has been changed; use a backup."""


class VaultLocked(VaultError):
    """The vault has been locked; its keys are gone."""


class NotAVault(VaultError):
    """The folder does not hold a SafeDiary vault."""


class VaultExists(VaultError):
    """A vault already exists where a new one would be written."""


class VaultTooNew(VaultError):
    """The vault was written by a newer version of SafeDiary."""


class InvalidInput(VaultError, ValueError):
    """A value given to the vault is not acceptable (the message says why)."""


class InvalidRecoveryKey(InvalidInput):
    """The recovery key was mistyped (its checksum does not match)."""


class StorageError(VaultError):
    """The disk refused a write or read (full, removed, read-only)."""


class NotFound(VaultError, KeyError):
    """No record with that id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "Not found"
