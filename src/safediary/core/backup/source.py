"""What a backup needs from an open vault, and nothing more: :class:`BackupSource`.

The vault makes one (``Vault.backup_source()``); the backup code never reaches into the
vault's private parts (its database connection, key slots or master key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: ``step(bytes_done, bytes_total)`` while the database is copied.
DatabaseStep = Callable[[int, int], None]


@dataclass(frozen=True)
class BackupSource:
    """An open vault as a backup sees it."""

    folder: Path
    vault_id: str
    #: the key file as it is in memory (the good copy even if a disk copy is damaged)
    key_file: bytes
    #: the raw SQLCipher key: the copy is keyed the same, so pages are never in the clear
    db_key: bytes
    #: key derivation for evidence keys (to check the copied evidence decrypts)
    subkey: Callable[[bytes], bytes]
    is_locked: Callable[[], bool]
    #: SQLCipher's online backup of the live database into a new file keyed with db_key
    copy_database: Callable[[Path, DatabaseStep], None]
    #: True when a key file read back belongs to this vault and is untouched (its MAC)
    key_file_matches: Callable[[Any], bool]
    #: the vault's encrypted settings (when the last backup was made, and where)
    settings: Any
