"""Where SafeDiary keeps its data: installed (platform data folder) or portable.

Portable mode is chosen by ``--data-dir DIR`` or by an empty marker file named
``SAFEDIARY_PORTABLE`` beside the executable; then every file lives under that
one folder (on the stick) and nothing is written to the host.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

PORTABLE_MARKER = "SAFEDIARY_PORTABLE"
APP_NAME = "SafeDiary"


@dataclass(frozen=True)
class DataLocation:
    """The folders the app uses for one run."""

    root: Path
    portable: bool

    @property
    def vault_dir(self) -> Path:
        return self.root / "vault"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.ini"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    @property
    def scratch_dir(self) -> Path:
        """Portable mode only: where temp files and library caches are sent.

        It holds nothing of the user's (the diary never writes its content to
        temp) and is emptied at every start and exit.
        """
        return self.root / "scratch"

    @property
    def selftest_dir(self) -> Path:
        """Where ``--self-test`` makes its throwaway vault (removed afterwards)."""
        return self.root / "selftest"

    @property
    def keychain_allowed(self) -> bool:
        """The OS keychain is never used in portable mode: it would stay on the host."""
        return not self.portable


def executable_dir() -> Path:
    """The folder of the frozen executable, or of the source tree's top in development."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[3]


def resolve(data_dir: str | Path | None = None) -> DataLocation:
    """Pick the data folder: explicit, portable marker, or the platform's user data folder."""
    if data_dir is not None:
        return DataLocation(Path(data_dir).expanduser().resolve(), portable=True)
    exe = executable_dir()
    if getattr(sys, "frozen", False) and (exe / PORTABLE_MARKER).exists():
        return DataLocation(exe / "SafeDiaryData", portable=True)
    return DataLocation(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)), portable=False)
