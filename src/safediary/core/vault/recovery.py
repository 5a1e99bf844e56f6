"""The recovery key after the vault exists: replacing it, and "not yet written down".

A recovery key is shown once. Until the person proves they wrote it down (by typing
one group of it back), it is kept *inside the encrypted database* so that a quick
exit, an idle lock or a crash before that moment does not lose it: the next unlock
shows it again. Once confirmed it is deleted. It is never written anywhere else.

Anyone who can read the database already holds the master key, so keeping the
recovery key there for a short while gives nobody anything they did not have.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from safediary.core.errors import InvalidInput, InvalidRecoveryKey, WrongPassphrase
from safediary.core.vault import keys as keymod

if TYPE_CHECKING:
    from safediary.core.vault.vault import Vault

#: kv key of a recovery key that has been shown but not yet confirmed as written down.
UNCONFIRMED = "recovery_key_unconfirmed"


def groups(key: str) -> list[str]:
    """The five-character groups of a recovery key, as shown."""
    return [g for g in key.replace(" ", "-").split("-") if g]


def _same_group(typed: str, group: str) -> bool:
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t\r\n")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    return secrets.compare_digest(cleaned.encode(), group.encode())


def _opens(vault: Vault, key: str) -> bool:
    try:
        raw = keymod.parse_recovery_key(key)
        master = vault._slots.open_secret("recovery", raw, WrongPassphrase(""))
    except (InvalidRecoveryKey, WrongPassphrase):
        return False
    same = secrets.compare_digest(bytes(master), bytes(vault._require_master()))
    keymod.wipe(master)
    return same


def hold(vault: Vault, key: str) -> None:
    """Keep ``key`` (encrypted, in the database) until it is confirmed as written down."""
    if not _opens(vault, key):
        raise InvalidInput("That is not this diary's recovery key.")
    vault.kv.set(UNCONFIRMED, key)


def unconfirmed(vault: Vault) -> str | None:
    """The recovery key still waiting to be confirmed, or None.

    A kept key that no longer opens the diary (replaced since) is forgotten.
    """
    key = vault.kv.get(UNCONFIRMED)
    if not isinstance(key, str):
        return None
    if not _opens(vault, key):
        vault.kv.delete(UNCONFIRMED)
        return None
    return key


def confirm(vault: Vault, group_number: int, typed: str) -> bool:
    """True (and the kept key deleted) when ``typed`` is group ``group_number`` (1-based)."""
    key = vault.kv.get(UNCONFIRMED)
    if not isinstance(key, str):
        return False
    parts = groups(key)
    if not 1 <= group_number <= len(parts) or not _same_group(typed, parts[group_number - 1]):
        return False
    vault.kv.delete(UNCONFIRMED)
    return True


def replace(vault: Vault) -> str:
    """Make a new recovery key; the old one stops opening the diary. Returns the new one.

    The new key is kept unconfirmed first and the key file changed second, so a crash
    in between leaves the old key working (and the kept one, which does not open the
    diary, is forgotten at the next unlock).
    """
    master = vault._require_master()
    text, raw = keymod.new_recovery_key()
    vault.kv.set(UNCONFIRMED, text)
    vault._save_slots(lambda s: s.set_secret_slot("recovery", master, raw))
    return text
