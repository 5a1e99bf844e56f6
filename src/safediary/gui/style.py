"""The app's look: one stylesheet file (resources/style/safediary.qss) and text roles."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from safediary.host.resources import read_resource_text


def apply_style(app: QApplication) -> None:
    """Give the whole app SafeDiary's stylesheet (called once at start)."""
    app.setStyleSheet(read_resource_text("style", "safediary.qss"))


def set_role(widget: QWidget, role: str) -> None:
    """Choose a look from the stylesheet ("problem", "ok", "hint", ...) and show it now."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
