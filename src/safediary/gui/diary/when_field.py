"""A "when did it happen?" field: typed day first, with Now / Earlier today / Yesterday.

A new entry starts empty and asks; nothing defaults silently to the moment the window
opened. Under the field a line says how the typed text was read ("Saturday 28 November
2026 at 21:40"), or why it could not be, and warns (without refusing) about a future time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from safediary.core.diary.when import EXAMPLE, describe_when, format_when, parse_when
from safediary.core.errors import InvalidInput
from safediary.core.timeutil import now
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button

FUTURE_SLACK = timedelta(minutes=5)  # clocks differ a little; this is not "the future"


class WhenField(QWidget):
    """``when()`` is the aware datetime typed, or None while empty or unreadable."""

    changed = Signal()

    def __init__(
        self, accessible: str, parent: QWidget | None = None, *, quick_buttons: bool = True
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setObjectName("whenEdit")
        self.edit.setAccessibleName(accessible)
        self.edit.setAccessibleDescription(
            f"Type the day first, then the month, then the time, like {EXAMPLE}"
        )
        self.edit.setPlaceholderText(f"like {EXAMPLE}")
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("0" * 22))
        self.edit.textChanged.connect(self._update)
        self.edit.editingFinished.connect(self._tidy)
        row.addWidget(self.edit)
        self.quick: list[QWidget] = []
        if quick_buttons:
            for text, name, action in (
                ("Now", "whenNowButton", self.set_now),
                ("Earlier today", "whenTodayButton", lambda: self._start_with("today ")),
                ("Yesterday", "whenYesterdayButton", lambda: self._start_with("yesterday ")),
            ):
                b = button(text, name)
                b.setAutoDefault(False)
                b.clicked.connect(action)
                row.addWidget(b)
                self.quick.append(b)
        row.addStretch(1)
        outer.addLayout(row)
        self.reading = PlainLabel("")
        self.reading.setObjectName("whenReading")
        self.reading.setAccessibleName(f"{accessible}: how it was read")
        outer.addWidget(self.reading)
        self._when: datetime | None = None
        self._empty_text = (
            "When did it happen? Type it, or press Now, Earlier today or Yesterday."
            if quick_buttons
            else f"Type when it ended, like {EXAMPLE}."
        )
        self._update()

    # -- value ------------------------------------------------------------------
    def when(self) -> datetime | None:
        return self._when

    def set_when(self, moment: datetime | None) -> None:
        self.edit.setText(format_when(moment) if moment is not None else "")

    def set_now(self) -> None:
        self.set_when(now().replace(second=0, microsecond=0))
        self.edit.setFocus()

    def problem(self) -> str:
        """Why the text cannot be used ('' when it can)."""
        try:
            parse_when(self.edit.text(), now=now())
        except InvalidInput as exc:
            return str(exc)
        return ""

    def in_future(self) -> bool:
        return self._when is not None and self._when > now() + FUTURE_SLACK

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:  # a switched-off field says nothing
            self.reading.setVisible(self.isEnabled())

    # -- behaviour --------------------------------------------------------------
    def _start_with(self, word: str) -> None:
        self.edit.setText(word)
        self.edit.setFocus()
        self.edit.end(False)

    def _update(self) -> None:
        text = self.edit.text()
        try:
            self._when = parse_when(text, now=now())
        except InvalidInput as exc:
            self._when = None
            if not text.strip():
                self._say(self._empty_text)
            elif text.strip() in ("today", "yesterday"):
                self._say(f"Now type the time, for example {text.strip()} 14:30.")
            else:
                self._say(str(exc), "problem")
        else:
            shown = describe_when(self._when)
            if self.in_future():
                self._say(
                    f"{shown}. That is in the future: is the date right? (It will still be "
                    "saved if you mean it.)",
                    "warning",
                )
            else:
                self._say(shown, "ok")
        self.changed.emit()

    def _tidy(self) -> None:
        """Once typing is done, show what was understood in the one unambiguous form."""
        if self._when is not None:
            tidy = format_when(self._when)
            if tidy != self.edit.text():
                self.edit.setText(tidy)

    def _say(self, text: str, role: str = "hint") -> None:
        self.reading.setText(text)
        set_role(self.reading, role)


__all__ = ["WhenField"]
