"""Icons of the app's windows."""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QIcon

from safediary.host.resources import resource_path


def app_icon(disguised: bool = False) -> QIcon:
    """The window icon: a plain notebook; a neutral 'notes' icon when disguised."""
    name = "notes.svg" if disguised else "safediary.svg"
    with contextlib.suppress(FileNotFoundError, ValueError):
        path = resource_path("icons", name)
        if path.exists():
            return QIcon(str(path))
    return QIcon()
