"""SafeDiary's core: the encrypted vault and everything in it. No Qt here."""

from safediary.core.errors import (
    InvalidInput,
    NotAVault,
    NotFound,
    StorageError,
    VaultCorrupted,
    VaultError,
    VaultExists,
    VaultLocked,
    VaultTooNew,
    WrongPassphrase,
)
from safediary.core.vault.vault import Vault, VerifyReport

__all__ = [
    "InvalidInput",
    "NotAVault",
    "NotFound",
    "StorageError",
    "Vault",
    "VaultCorrupted",
    "VaultError",
    "VaultExists",
    "VaultLocked",
    "VaultTooNew",
    "VerifyReport",
    "WrongPassphrase",
]
