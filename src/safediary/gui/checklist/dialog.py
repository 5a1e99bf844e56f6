"""The safety checklist: the paraphrased S-DASH questions, answered and kept with a date.

Every save adds a new dated set (``vault.checklists``), so earlier answers stay
as a history. Opening the dialog starts a new set pre-filled from the latest
one; choosing an earlier date shows that set read-only, with a button to answer
again starting from it. Unsaved answers are kept as an encrypted draft when the
dialog is closed or the diary locks. There is no score: only, when the answers
call for it, plain advice with the numbers to call.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.checklist.checklist import (
    QUESTIONS,
    SOURCE_NOTE,
    URGENT_ADVICE,
    Answer,
    ChecklistAnswers,
    Question,
    needs_urgent_advice,
)
from safediary.core.errors import VaultError
from safediary.core.timeutil import now
from safediary.core.wording import day_text, weekday_text
from safediary.gui.dialog import SafeDialog
from safediary.gui.scripts import PlainTextField
from safediary.gui.style import set_role
from safediary.gui.widgets import PlainLabel, button, error_text, heading

DRAFT_KEY = "checklist:new"

ANSWER_TEXT: dict[Answer, str] = {
    Answer.YES: "Yes",
    Answer.NO: "No",
    Answer.NOT_SURE: "Not sure",
}

#: The numbers shown with the urgent advice: (number, when to call it).
URGENT_NUMBERS: tuple[tuple[str, str], ...] = (
    ("999", "If you are in danger now"),
    ("101", "The police, when it is not an emergency"),
    ("0808 802 0300", "National Stalking Helpline"),
)

INTRO = (
    "Answer what you can, in your own time. You can leave a question out, add a note "
    "in your own words, and come back later. Each time you save, your answers are "
    "kept with the date, so you can see how things change."
)

NOTES_PLACEHOLDER = "Notes, if you want to add any (for example what was said)"


def when_text(moment: datetime) -> str:
    """'Sun 1 Mar 2026, 20:15' in this computer's time zone (English names always)."""
    local = moment.astimezone()
    return (
        f"{weekday_text(local)} {day_text(local)}, "
        f"{local:%H:%M}"
    )


class QuestionBlock(QFrame):
    """One question: its text, a help line, Yes / No / Not sure and a notes field."""

    changed = Signal()

    def __init__(self, number: int, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.setObjectName(f"question_{question.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = PlainLabel(f"{number}. {question.text}")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        title.setFont(font)
        layout.addWidget(title)
        hint = PlainLabel(question.help)
        set_role(hint, "hint")
        layout.addWidget(hint)

        row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[Answer, QRadioButton] = {}
        for answer, text in ANSWER_TEXT.items():
            radio = QRadioButton(text)
            radio.setObjectName(f"{question.id}_{answer.value}")
            radio.setAccessibleName(f"{text}: {question.text}")
            radio.setAccessibleDescription(f"Question {number} of {len(QUESTIONS)}")
            self.group.addButton(radio)
            self.buttons[answer] = radio
            row.addWidget(radio)
        row.addStretch(1)
        layout.addLayout(row)
        self.group.buttonToggled.connect(self._toggled)

        self.notes = PlainTextField()
        self.notes.setObjectName(f"{question.id}_notes")
        self.notes.setAccessibleName(f"Notes for question {number}")
        self.notes.setPlaceholderText(NOTES_PLACEHOLDER)
        self.notes.setTabChangesFocus(True)
        line = self.notes.fontMetrics().lineSpacing()
        self.notes.setFixedHeight(line * 2 + 16)
        self.notes.textChanged.connect(self.changed)
        layout.addWidget(self.notes)

    def _toggled(self, _button: QAbstractButton, on: bool) -> None:
        if on:  # the button switched off in the same click says nothing new
            self.changed.emit()

    def answer(self) -> Answer | None:
        for answer, radio in self.buttons.items():
            if radio.isChecked():
                return answer
        return None

    def set_answer(self, answer: Answer | None) -> None:
        # An exclusive group cannot be emptied by unchecking; lift exclusivity briefly.
        self.group.setExclusive(False)
        for value, radio in self.buttons.items():
            radio.setChecked(value == answer)
        self.group.setExclusive(True)

    def note(self) -> str:
        return self.notes.toPlainText()

    def set_note(self, text: str) -> None:
        self.notes.setPlainText(text)

    def set_read_only(self, read_only: bool) -> None:
        for radio in self.buttons.values():
            radio.setEnabled(not read_only or radio.isChecked())
        self.notes.setReadOnly(read_only)
        self.notes.setPlaceholderText("No notes" if read_only else NOTES_PLACEHOLDER)


class UrgentAdvice(QFrame):
    """The kind, plain advice to get help, with the numbers large enough to read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("urgentAdvice")
        self.setAccessibleName("Please get help")
        self.setAccessibleDescription(URGENT_ADVICE)
        layout = QHBoxLayout(self)
        self.text = PlainLabel(URGENT_ADVICE)
        self.text.setObjectName("urgentAdviceText")
        layout.addWidget(self.text, 3)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        for row, (number, when) in enumerate(URGENT_NUMBERS):
            num = PlainLabel(number, wrap=False)
            num.setFont(big)
            num.setObjectName(f"urgentNumber{row}")
            num.setAccessibleName(f"{when}: {number}")
            num.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(num, row, 0)
            grid.addWidget(PlainLabel(when), row, 1)
        layout.addLayout(grid, 2)

    def numbers_text(self) -> str:
        return " ".join(number for number, _ in URGENT_NUMBERS)


class ChecklistDialog(SafeDialog):
    """``ChecklistDialog(vault)``: answer the safety checklist and see earlier answers."""

    saved = Signal(int)  # id of the new set

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self._editing = True
        self._dirty = False
        self._loading = False
        self._closing_quietly = False
        self.sets: list[tuple[int, ChecklistAnswers]] = []
        self.setObjectName("checklistDialog")
        self.setWindowTitle("Safety checklist")
        self.setAccessibleName("Safety checklist")
        self.resize(940, 680)

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Safety checklist", self), 1)
        self.quick_exit = self.quick_exit_button
        top.addWidget(self.quick_exit, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        intro = PlainLabel(INTRO)
        intro.setObjectName("checklistIntro")
        outer.addWidget(intro)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._history_panel())
        splitter.addWidget(self._questions_panel())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 750])
        outer.addWidget(splitter, 1)

        self.advice = UrgentAdvice(self)
        self.advice.hide()
        outer.addWidget(self.advice)

        bottom = QHBoxLayout()
        self.status_label = PlainLabel("")
        self.status_label.setObjectName("checklistStatus")
        self.status_label.setAccessibleName("Checklist status")
        bottom.addWidget(self.status_label, 1)
        self.again_button = button(
            "&Answer again from these",
            "answerAgainButton",
            "Answer again, starting from these answers",
            "Start a new set of answers for today, filled in from the one you are looking at",
        )
        self.again_button.clicked.connect(self.answer_again)
        bottom.addWidget(self.again_button)
        self.save_button = button(
            "&Save these answers",
            "saveChecklistButton",
            "Save these answers",
            "Keep these answers in your diary with today's date",
        )
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.save_button)
        self.close_button = button("&Close", "closeChecklistButton", "Close the checklist")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        bottom.addWidget(self.close_button)
        outer.addLayout(bottom)

        self.reload()

    # -- layout -------------------------------------------------------------------------
    def _history_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        label = PlainLabel("Your answers")
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        layout.addWidget(label)
        self.history = QListWidget()
        self.history.setObjectName("checklistHistory")
        self.history.setAccessibleName("New answers and earlier answers, by date")
        self.history.currentRowChanged.connect(self._history_chosen)
        label.setBuddy(self.history)
        layout.addWidget(self.history, 1)
        return panel

    def _questions_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.mode_label = PlainLabel("")
        self.mode_label.setObjectName("checklistMode")
        font = self.mode_label.font()
        font.setBold(True)
        self.mode_label.setFont(font)
        layout.addWidget(self.mode_label)
        inner = QWidget()
        column = QVBoxLayout(inner)
        self.blocks: dict[str, QuestionBlock] = {}
        for number, question in enumerate(QUESTIONS, start=1):
            block = QuestionBlock(number, question, inner)
            block.changed.connect(self._answers_changed)
            self.blocks[question.id] = block
            column.addWidget(block)
        # Where the questions come from (S-DASH, ACPO …): after them, not above them,
        # so a frightened person starts with the questions, not with acronyms.
        column.addWidget(heading("Where these questions come from", inner, size=11))
        self.source_label = PlainLabel(SOURCE_NOTE)
        self.source_label.setObjectName("sourceNote")
        self.source_label.setAccessibleName("Where these questions come from")
        column.addWidget(self.source_label)
        column.addStretch(1)
        self.questions_scroll = QScrollArea()
        self.questions_scroll.setObjectName("checklistQuestions")
        self.questions_scroll.setWidgetResizable(True)
        self.questions_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.questions_scroll.setWidget(inner)
        layout.addWidget(self.questions_scroll, 1)
        return panel

    # -- loading --------------------------------------------------------------------------
    def reload(self, show_id: int | None = None) -> None:
        """Read the saved sets again; show the new-answers page, or the set ``show_id``."""
        if self.vault.is_locked:
            return
        self.sets = []
        problems = 0
        try:
            rows = self.vault.checklists.list()
        except VaultError as exc:
            self._say(error_text(exc))
            rows = []
        for set_id, _answered_at, data in rows:
            try:
                self.sets.append((set_id, ChecklistAnswers.from_json(data)))
            except VaultError:
                problems += 1
        self._loading = True
        self.history.clear()
        new_item = QListWidgetItem("New answers (today)")
        new_item.setData(Qt.ItemDataRole.UserRole, None)
        self.history.addItem(new_item)
        for set_id, answers in reversed(self.sets):  # newest first
            item = QListWidgetItem(when_text(answers.answered_at))
            item.setData(Qt.ItemDataRole.UserRole, set_id)
            if needs_urgent_advice(answers):
                item.setToolTip("These answers came with advice to get help.")
            self.history.addItem(item)
        self._loading = False
        if problems:
            self._say(
                f"{problems} earlier set(s) of answers could not be read and are not shown. "
                "They have not been changed."
            )
        row = 0
        if show_id is not None:
            for index in range(self.history.count()):
                if self.history.item(index).data(Qt.ItemDataRole.UserRole) == show_id:
                    row = index
        if self.history.currentRow() == row:
            self._history_chosen(row)
        else:
            self.history.setCurrentRow(row)

    def _history_chosen(self, row: int) -> None:
        if self._loading or row < 0:
            return
        set_id = self.history.item(row).data(Qt.ItemDataRole.UserRole)
        if set_id is None:
            self._start_new()
        else:
            answers = dict(self.sets)[set_id]
            self._show(answers, editing=False)
            self.mode_label.setText(
                f"Your answers from {when_text(answers.answered_at)}. "
                "These are kept as they were; to change anything, answer again."
            )

    def _start_new(self, base: ChecklistAnswers | None = None, note: str = "") -> None:
        draft = None if base is not None else self._load_draft()
        if draft is not None:
            self._show(draft, editing=True)
            self._dirty = True
            self.mode_label.setText(
                "New answers for today. We kept the answers you had not saved yet."
            )
            return
        if base is None and self.sets:
            base = self.sets[-1][1]
        self._show(base, editing=True)
        self._dirty = False
        if note:
            self.mode_label.setText(note)
        elif base is not None:
            self.mode_label.setText(
                f"New answers for today, filled in from your answers of "
                f"{when_text(base.answered_at)}. Change anything that is different now."
            )
        else:
            self.mode_label.setText("New answers for today.")

    def _show(self, answers: ChecklistAnswers | None, *, editing: bool) -> None:
        self._loading = True
        for qid, block in self.blocks.items():
            block.set_answer(answers.answers.get(qid) if answers else None)
            block.set_note(answers.notes.get(qid, "") if answers else "")
            block.set_read_only(not editing)
        self._loading = False
        self._editing = editing
        self.save_button.setVisible(editing)
        self.again_button.setVisible(not editing)
        self._update_advice()
        self.questions_scroll.verticalScrollBar().setValue(0)

    # -- answering ------------------------------------------------------------------------
    def current_answers(self) -> ChecklistAnswers:
        """The answers on screen, dated now."""
        answers = {qid: b.answer() for qid, b in self.blocks.items() if b.answer() is not None}
        notes = {qid: b.note() for qid, b in self.blocks.items() if b.note().strip()}
        return ChecklistAnswers(now(), answers, notes)  # type: ignore[arg-type]

    def _answers_changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._update_advice()
        if self.status_label.text().startswith("Saved"):
            self.status_label.clear()

    def _update_advice(self) -> None:
        answers = {qid: b.answer() for qid, b in self.blocks.items()}
        self.advice.setVisible(needs_urgent_advice({k: v for k, v in answers.items() if v}))

    @property
    def advice_shown(self) -> bool:
        """True when the urgent advice is showing (visible once the dialog is shown)."""
        return not self.advice.isHidden()

    @property
    def editing(self) -> bool:
        return self._editing

    def answer_again(self) -> None:
        """Start a new set for today, filled in from the set being looked at."""
        item = self.history.currentItem()
        set_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        base = dict(self.sets).get(set_id) if set_id is not None else None
        self._loading = True
        self.history.setCurrentRow(0)
        self._loading = False
        self._start_new(
            base,
            note=f"New answers for today, filled in from your answers of "
            f"{when_text(base.answered_at)}. Change anything that is different now."
            if base
            else "",
        )

    def save(self) -> int | None:
        """Keep the answers on screen as a new dated set; returns its id (None on failure)."""
        if not self._editing or self.vault.is_locked:
            return None
        try:
            answers = self.current_answers()
            if not answers.answers and not answers.notes:
                self._say("Please answer at least one question before saving.")
                return None
            set_id = self.vault.checklists.add(answers.answered_at, answers.to_json())
        except VaultError as exc:
            self._say(error_text(exc) + " Your answers are still here.")
            return None
        self._dirty = False
        with contextlib.suppress(VaultError):
            self.vault.drafts.discard(DRAFT_KEY)
        self.reload(show_id=set_id)
        extra = ""
        if len(self.sets) > 1:
            extra = " Your earlier answers are kept too."
        self._say(f"Saved, dated {when_text(answers.answered_at)}.{extra}")
        self.saved.emit(set_id)
        return set_id

    def _say(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setAccessibleDescription(text)

    # -- drafts and closing ------------------------------------------------------------
    def _load_draft(self) -> ChecklistAnswers | None:
        try:
            data = self.vault.drafts.load(DRAFT_KEY)
            if not data:
                return None
            return ChecklistAnswers(now(), data.get("answers", {}), data.get("notes", {}))
        except (VaultError, AttributeError):
            return None

    def unsaved_draft(self) -> tuple[str, dict[str, Any]] | None:
        """Unsaved new answers as (draft key, data), without writing anything (quick exit)."""
        if not (self._editing and self._dirty) or self.vault.is_locked:
            return None
        answers = self.current_answers()
        return DRAFT_KEY, {
            "answers": {k: v.value for k, v in answers.answers.items()},
            "notes": answers.notes,
        }

    def keep_draft(self) -> None:
        """Keep unsaved new answers, encrypted, so closing or locking loses nothing."""
        draft = self.unsaved_draft()
        if draft is None:
            return
        with contextlib.suppress(VaultError):
            self.vault.drafts.save(*draft)

    def force_close(self) -> None:
        """Close without questions (the diary is locking; the draft is already kept)."""
        self._closing_quietly = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_quietly:
            self.keep_draft()
        super().closeEvent(event)

    def reject(self) -> None:
        """Escape, Close and the title bar's ×: keep a draft of unsaved answers and hide.

        QDialog's own close goes through ``reject``; calling ``close()`` from here
        re-entered it and was ignored, so the dialog stayed open.
        """
        if not self._closing_quietly:
            self.keep_draft()
        super().reject()


__all__ = ["ChecklistDialog", "QuestionBlock", "UrgentAdvice", "when_text"]
