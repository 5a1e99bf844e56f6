"""Non-secret preferences, kept in one INI file in the data folder (never the host's registry)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from safediary.core.fsutil import set_aside_if_not_a_file

DISGUISE_TITLE = "Notes"


@dataclass
class Preferences:
    """Everything the Settings dialog can change."""

    auto_lock_minutes: int = 5
    lock_on_minimise: bool = False
    disguise_title: bool = False
    paper_size: str = "A4"
    report_include_feelings: bool = True
    report_include_private: bool = False
    report_thumbnails: bool = True
    newest_first: bool = True
    backup_reminder_days: int = 14  # 0 = no reminder
    after_exit_kind: str = "nothing"  # what quick exit opens: nothing, "program" or "web"
    after_exit_target: str = ""


class AppSettings:
    """Reads and writes :class:`Preferences` in ``settings.ini`` at an explicit path."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with contextlib.suppress(OSError):  # a planted FIFO would hang QSettings for ever
            set_aside_if_not_a_file(self.path)
        self.qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def load(self) -> Preferences:
        prefs = Preferences()
        for f in fields(Preferences):
            default = getattr(prefs, f.name)
            raw: Any = self.qsettings.value(f.name, default)
            setattr(prefs, f.name, _coerce(raw, default))
        prefs.auto_lock_minutes = max(0, min(240, prefs.auto_lock_minutes))
        prefs.backup_reminder_days = max(0, min(365, prefs.backup_reminder_days))
        if prefs.after_exit_kind not in ("nothing", "program", "web"):
            prefs.after_exit_kind = "nothing"
        if prefs.paper_size not in ("A4", "Letter"):
            prefs.paper_size = "A4"
        return prefs

    def save(self, prefs: Preferences) -> None:
        for f in fields(Preferences):
            self.qsettings.setValue(f.name, getattr(prefs, f.name))
        self.qsettings.sync()

    def value(self, key: str, default: Any = None) -> Any:
        return self.qsettings.value(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self.qsettings.setValue(key, value)
        self.qsettings.sync()


def _coerce(raw: Any, default: Any) -> Any:
    """INI files give strings back; turn them into the default's type."""
    if isinstance(default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)
    if isinstance(default, int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            return default
    return str(raw) if raw is not None else default
