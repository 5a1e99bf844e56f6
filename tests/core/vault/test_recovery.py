"""Replacing the recovery key, and keeping it until it is confirmed as written down."""

from __future__ import annotations

from pathlib import Path

import pytest

from safediary.core import Vault, WrongPassphrase
from safediary.core.errors import InvalidInput
from safediary.core.vault.recovery import UNCONFIRMED, groups
from tests.conftest import PASSPHRASE


def test_a_new_recovery_key_replaces_the_old_one(new_vault: tuple[Vault, str], vault_dir: Path):
    vault, old = new_vault
    new = vault.new_recovery_key()
    assert new != old and len(groups(new)) == 11
    vault.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock_with_recovery_key(vault_dir, old)
    Vault.unlock_with_recovery_key(vault_dir, new).lock()
    Vault.unlock(vault_dir, PASSPHRASE).lock()  # the passphrase is untouched


def test_unconfirmed_key_survives_a_lock_until_one_group_is_typed(
    new_vault: tuple[Vault, str], vault_dir: Path
) -> None:
    vault, key = new_vault
    assert vault.unconfirmed_recovery_key() is None
    vault.hold_recovery_key(key)
    vault.lock()  # quick exit, idle lock or a crash before confirming

    again = Vault.unlock(vault_dir, PASSPHRASE)
    assert again.unconfirmed_recovery_key() == key
    third = groups(key)[2]
    assert not again.confirm_recovery_key(3, groups(key)[3])  # the wrong group
    assert not again.confirm_recovery_key(0, third)
    assert again.unconfirmed_recovery_key() == key
    typed = " " + third.lower().replace("0", "o").replace("1", "l") + " "
    assert again.confirm_recovery_key(3, typed)  # easy-to-confuse letters are accepted
    assert again.unconfirmed_recovery_key() is None
    assert again.kv.get(UNCONFIRMED) is None
    again.lock()


def test_only_this_diarys_key_is_held(new_vault: tuple[Vault, str], tmp_path: Path) -> None:
    vault, _ = new_vault
    other, other_key = Vault.create(tmp_path / "other", PASSPHRASE)
    other.lock()
    with pytest.raises(InvalidInput):
        vault.hold_recovery_key(other_key)


def test_a_replaced_key_is_kept_unconfirmed_and_an_outdated_one_forgotten(
    new_vault: tuple[Vault, str],
) -> None:
    vault, old = new_vault
    vault.hold_recovery_key(old)
    new = vault.new_recovery_key()
    assert vault.unconfirmed_recovery_key() == new
    vault.kv.set(UNCONFIRMED, old)  # as if the key file change had not happened
    assert vault.unconfirmed_recovery_key() is None
    assert vault.kv.get(UNCONFIRMED) is None
