"""Find the read-only files shipped with SafeDiary (help texts, icons, fonts).

Three layouts are supported, checked in this order:

1. an installed wheel, where ``resources/`` is packaged as ``safediary/resources``;
2. a PyInstaller build, where it sits at ``sys._MEIPASS/resources``;
3. a development checkout, where it is ``<repo root>/resources``.
"""

from __future__ import annotations

import sys
from importlib import resources as _importlib_resources
from pathlib import Path

_RESOURCES = "resources"


def _candidates() -> list[Path]:
    """Possible resource folders, most specific first."""
    found: list[Path] = []
    try:
        package = _importlib_resources.files("safediary")
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - package always importable
        package = None
    if isinstance(package, Path):
        found.append(package / _RESOURCES)
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        found.append(Path(meipass) / _RESOURCES)
    # src/safediary/core/resources.py -> parents[3] is the repository root.
    found.append(Path(__file__).resolve().parents[3] / _RESOURCES)
    return found


def resources_root() -> Path:
    """Return the folder that holds SafeDiary's resources.

    Raises ``FileNotFoundError`` if no layout has one (a broken install).
    """
    candidates = _candidates()
    for folder in candidates:
        if folder.is_dir():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"SafeDiary's resources folder is missing (looked in: {tried})")


def resource_path(*parts: str) -> Path:
    """Return the path of a resource, e.g. ``resource_path("help", "contacts.json")``.

    The path is not checked for existence; parts may not climb out of the
    resources folder.
    """
    for part in parts:
        if not part or Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"Invalid resource name: {part!r}")
    return resources_root().joinpath(*parts)


def read_resource_text(*parts: str) -> str:
    """The text of a shipped resource (UTF-8), e.g. the app's stylesheet."""
    return resource_path(*parts).read_text(encoding="utf-8")
