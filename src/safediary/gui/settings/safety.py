"""Safety settings live in the encrypted vault; settings.ini only mirrors what is needed early.

``settings.ini`` is plain and unauthenticated: anyone with the stick can edit it.
A planted one once made Quick exit run a program of the stalker's choice, or
turned the idle lock off. So the settings that protect the person (idle lock,
lock on minimise, what Quick exit opens, the disguise) are kept in ``vault.kv``
(encrypted, inside the database) and read from there at every unlock; the INI
values are ignored for them. Before the first unlock of a run only the disguise
is needed, and it fails safe: anything but a clean "false" in the INI means
"disguised". Quick exit never starts a program named only in the INI file.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from safediary.core import Vault
from safediary.gui.settings.preferences import Preferences

SAFETY_KEY = "safety_settings"
SAFETY_FIELDS = (
    "auto_lock_minutes",
    "lock_on_minimise",
    "disguise_title",
    "after_exit_kind",
    "after_exit_target",
)


def _clean(values: Any) -> dict[str, Any]:
    """Only known fields of the right type and range (the vault is ours, but be strict)."""
    if not isinstance(values, dict):
        return {}
    defaults = Preferences()
    types = {f.name: type(getattr(defaults, f.name)) for f in fields(Preferences)}
    out: dict[str, Any] = {}
    for name in SAFETY_FIELDS:
        value = values.get(name)
        if type(value) is types[name]:
            out[name] = value
    if "auto_lock_minutes" in out:
        out["auto_lock_minutes"] = max(0, min(240, out["auto_lock_minutes"]))
    if out.get("after_exit_kind") not in (None, "nothing", "program", "web"):
        out["after_exit_kind"] = "nothing"
    return out


def load_safety(vault: Vault, prefs: Preferences, ini: Preferences | None = None) -> bool:
    """Put the vault's safety settings into ``prefs``; False if the vault has none yet.

    A vault from before this change has none: the INI's values are adopted once,
    except a program to start after Quick exit, which a planted file could name. ``ini``
    holds the INI's plain values (``prefs`` may carry the fail-safe disguise instead).
    """
    stored = _clean(vault.kv.get(SAFETY_KEY))
    if stored:
        for name, value in stored.items():
            setattr(prefs, name, value)
        return True
    if ini is not None:
        prefs.disguise_title = ini.disguise_title
    if prefs.after_exit_kind == "program":
        prefs.after_exit_kind, prefs.after_exit_target = "nothing", ""
    save_safety(vault, prefs)
    return False


def save_safety(vault: Vault, prefs: Preferences) -> None:
    """Keep the safety settings in the vault (encrypted)."""
    vault.kv.set(SAFETY_KEY, {name: getattr(prefs, name) for name in SAFETY_FIELDS})


def disguise_before_unlock(raw: Any, vault_exists: bool) -> bool:
    """The disguise read from the INI before unlock: only a clean "false" shows the name.

    A damaged or missing value while a diary exists counts as "disguised" (fails safe).
    """
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return vault_exists
    return str(raw).strip().lower() not in ("false", "0", "no", "off")
