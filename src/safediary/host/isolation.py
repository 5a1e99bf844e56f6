"""Portable mode: keep every write on the stick, none on the host computer.

:func:`isolate_environment` runs first thing in ``app.main()`` (before Qt or
any other library that might cache something is loaded). It points every
place a library could write to — temp, XDG config/cache/data/state, fontconfig,
shader and QML caches, SQLite's temp folder — into ``<data>/scratch`` on the
stick, turns off Python bytecode caches and the OS keychain, and empties that
scratch folder at start and at exit.

Nothing of the diary's content is ever written to temp in the first place;
the scratch folder only catches what libraries write on their own (font
caches, Qt's file-dialog history and the like).

``XDG_RUNTIME_DIR`` is left alone: it is a memory-only folder (``/run/user``)
that Qt needs to reach the display (Wayland) and D-Bus, and it is wiped at
logout. When it is not set, Qt makes one under ``TMPDIR``, which is already
on the stick.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from safediary.host.paths import DataLocation

#: Shown on the unlock screen after locking in portable mode: the vault is closed and flushed.
SAFE_TO_REMOVE = (
    "Locked, and everything is saved on the stick. If you have finished, close this window; "
    "once it has gone, you can safely remove the stick. To carry on, type your passphrase."
)

#: A session-bus address that names no bus: libdbus then fails at once instead of launching one.
NO_BUS = "disabled:"

#: Sub-folders of the scratch folder, by the environment variables aimed at them.
_FOLDERS: dict[str, tuple[str, ...]] = {
    "tmp": ("TMPDIR", "TEMP", "TMP", "SQLITE_TMPDIR"),
    "config": ("XDG_CONFIG_HOME",),
    "cache": ("XDG_CACHE_HOME", "MESA_SHADER_CACHE_DIR"),
    "data": ("XDG_DATA_HOME",),
    "state": ("XDG_STATE_HOME",),
}

#: Plain switches that stop libraries from writing caches or history at all.
_SWITCHES: dict[str, str] = {
    "PYTHONDONTWRITEBYTECODE": "1",
    # keyring: never touch the host's keychain (keychain.py refuses as well).
    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    # Qt Quick / QML caches (unused by the widgets, but harmless to switch off).
    "QML_DISABLE_DISK_CACHE": "1",
    "QT_DISABLE_SHADER_DISK_CACHE": "1",
    # Mesa's OpenGL shader cache (~/.cache/mesa_shader_cache otherwise).
    "MESA_SHADER_CACHE_DISABLE": "true",
    "MESA_GLSL_CACHE_DISABLE": "true",
    # GLib/GTK (used by some Qt platform themes): no dconf writes, no gvfs daemons.
    "GSETTINGS_BACKEND": "memory",
    "GIO_USE_VFS": "local",
}


@dataclass
class Isolation:
    """What :func:`isolate_environment` changed, so tests and docs can check it."""

    scratch: Path
    variables: dict[str, str] = field(default_factory=dict)

    def clean(self) -> None:
        """Empty the scratch folder (its sub-folders are kept for libraries still running)."""
        empty_folder(self.scratch)
        for name in _FOLDERS:
            with contextlib.suppress(OSError):
                (self.scratch / name).mkdir(parents=True, exist_ok=True)


def empty_folder(folder: Path) -> None:
    """Delete everything inside ``folder``; never follow links out of it."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            with contextlib.suppress(OSError):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink()


def isolate_environment(location: DataLocation) -> Isolation:
    """Redirect every host write of this process into ``location.scratch_dir``.

    Call once, before importing Qt. Only meaningful in portable mode; in
    installed mode it does nothing and returns an empty :class:`Isolation`.
    """
    isolation = Isolation(scratch=location.scratch_dir)
    if not location.portable:
        return isolation
    isolation.scratch.mkdir(parents=True, exist_ok=True)
    isolation.clean()
    for name, variables in _FOLDERS.items():
        folder = str(isolation.scratch / name)
        for variable in variables:
            isolation.variables[variable] = folder
    isolation.variables.update(_SWITCHES)
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        # Without a session bus, libdbus would "autolaunch" one on X11 and leave
        # ~/.dbus/session-bus/* and $XDG_RUNTIME_DIR/dbus-1 behind. Say there is none.
        isolation.variables["DBUS_SESSION_BUS_ADDRESS"] = NO_BUS
    os.environ.update(isolation.variables)
    sys.dont_write_bytecode = True
    tempfile.tempdir = None  # recomputed from TMPDIR on next use
    _disable_keyring_if_loaded()
    atexit.register(isolation.clean)
    return isolation


def no_bus_autolaunch(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Installed mode: make sure no library starts a D-Bus session bus of its own.

    With ``DBUS_SESSION_BUS_ADDRESS`` unset, libdbus (Qt's accessibility and theme code,
    the keychain) "autolaunches" a bus on X11: ``dbus-launch`` and a ``dbus-daemon`` that
    outlive SafeDiary and leave ``~/.dbus`` behind. A desktop session always has a bus; where
    systemd gives it only as ``$XDG_RUNTIME_DIR/bus``, name that socket (so the keychain
    still works); otherwise say there is none. Returns the address set, or None if one was
    already given.
    """
    env: MutableMapping[str, str] = os.environ if environ is None else environ
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        return None
    runtime = env.get("XDG_RUNTIME_DIR", "")
    socket = Path(runtime, "bus") if runtime else None
    address = NO_BUS
    with contextlib.suppress(OSError):
        if socket is not None and socket.is_socket() and socket.stat().st_uid == os.getuid():
            address = f"unix:path={socket}"
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    return address


def _disable_keyring_if_loaded() -> None:
    """If keyring was imported before us, switch it to its fail backend now."""
    if "keyring" not in sys.modules:
        return
    with contextlib.suppress(Exception):
        import keyring
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())
