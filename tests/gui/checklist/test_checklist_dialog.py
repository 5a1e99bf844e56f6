"""The safety checklist dialog: answering, saving a dated history, and urgent advice."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from safediary.core import Vault
from safediary.core.checklist.checklist import QUESTION_IDS, SOURCE_NOTE, Answer, ChecklistAnswers
from safediary.core.timeutil import now
from safediary.gui.checklist.dialog import DRAFT_KEY, ChecklistDialog

NOTE = 'He said <b>"you\'ll regret this"</b> & left'


def _open(qtbot: QtBot, vault: Vault) -> ChecklistDialog:
    dialog = ChecklistDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _click(qtbot: QtBot, dialog: ChecklistDialog, qid: str, answer: Answer) -> None:
    radio = dialog.blocks[qid].buttons[answer]
    dialog.questions_scroll.ensureWidgetVisible(radio)
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=radio.rect().center())
    assert radio.isChecked()


def _saved(vault: Vault) -> list[ChecklistAnswers]:
    return [ChecklistAnswers.from_json(data) for _id, _at, data in vault.checklists.list()]


def _all_texts(dialog: ChecklistDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_source_is_named_and_official_version_mentioned(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    assert dialog.source_label.text() == SOURCE_NOTE
    assert dialog.source_label.textFormat() == Qt.TextFormat.PlainText
    assert "S-DASH" in _all_texts(dialog) and "official" in _all_texts(dialog)
    assert len(dialog.blocks) == 11
    for block in dialog.blocks.values():
        names = [b.accessibleName() for b in block.buttons.values()]
        assert [n.split(":")[0] for n in names] == ["Yes", "No", "Not sure"]
        assert all(block.question.text in n for n in names)
    assert "score" not in _all_texts(dialog).lower()


def test_completing_the_checklist_saves_a_dated_set(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    choices = [Answer.NO, Answer.NOT_SURE, Answer.YES]
    for index, qid in enumerate(QUESTION_IDS):
        _click(qtbot, dialog, qid, choices[index % 3])
    qtbot.keyClicks(dialog.blocks["q3_property_damage"].notes, NOTE)
    before = now()
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    after = now()

    (saved,) = _saved(vault)
    assert before <= saved.answered_at <= after
    assert saved.answered_at.utcoffset() is not None
    assert saved.unanswered == ()
    assert saved.answers["q1_frightened"] is Answer.NO
    assert saved.answers["q3_property_damage"] is Answer.YES
    assert saved.notes == {"q3_property_damage": NOTE}
    # The history lists the new set under its date and shows it, read-only.
    assert dialog.history.count() == 2
    assert not dialog.editing
    assert "Saved" in dialog.status_label.text()
    shown = dialog.blocks["q3_property_damage"].notes
    assert shown.isReadOnly() and shown.toPlainText() == NOTE  # plain text, as typed


def test_answering_with_the_keyboard(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    yes = dialog.blocks["q2_previous_history"].buttons[Answer.YES]
    yes.setFocus()
    qtbot.keyClick(yes, Qt.Key.Key_Space)
    assert yes.isChecked()
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    assert _saved(vault)[0].answers == {"q2_previous_history": Answer.YES}


def test_reanswering_adds_a_second_set_and_keeps_the_first(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    _click(qtbot, dialog, "q1_frightened", Answer.NO)
    _click(qtbot, dialog, "q5_follows_loiters", Answer.YES)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    first_json = vault.checklists.list()[0][2]
    dialog.close()

    again = _open(qtbot, vault)
    assert again.editing  # a new set, pre-filled from the latest one
    assert again.blocks["q1_frightened"].answer() is Answer.NO
    assert again.blocks["q5_follows_loiters"].answer() is Answer.YES
    assert again.blocks["q2_previous_history"].answer() is None
    _click(qtbot, again, "q1_frightened", Answer.NOT_SURE)
    with qtbot.waitSignal(again.saved):
        again.save_button.click()

    rows = vault.checklists.list()
    assert len(rows) == 2
    assert rows[0][2] == first_json  # the first set is kept exactly
    first, second = _saved(vault)
    assert first.answers["q1_frightened"] is Answer.NO
    assert second.answers["q1_frightened"] is Answer.NOT_SURE
    assert second.answered_at >= first.answered_at
    assert again.history.count() == 3

    # Looking at the first set shows it read-only; "answer again" starts from it.
    again.history.setCurrentRow(2)
    assert not again.editing
    assert again.blocks["q1_frightened"].answer() is Answer.NO
    assert not again.blocks["q1_frightened"].buttons[Answer.YES].isEnabled()
    again.again_button.click()
    assert again.editing and again.history.currentRow() == 0
    assert again.blocks["q1_frightened"].answer() is Answer.NO
    assert len(vault.checklists.list()) == 2  # nothing saved until Save


def test_urgent_advice_appears_when_warranted(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    for qid in QUESTION_IDS:
        _click(qtbot, dialog, qid, Answer.NO)
    _click(qtbot, dialog, "q2_previous_history", Answer.YES)
    assert not dialog.advice_shown and not dialog.advice.isVisible()

    _click(qtbot, dialog, "q6_threats", Answer.YES)
    qtbot.waitUntil(dialog.advice.isVisible)
    shown = "\n".join(label.text() for label in dialog.advice.findChildren(QLabel))
    for number in ("999", "101", "0808 802 0300"):
        assert number in shown
    assert "National Stalking Helpline" in shown

    _click(qtbot, dialog, "q6_threats", Answer.NOT_SURE)
    qtbot.waitUntil(lambda: not dialog.advice.isVisible())
    _click(qtbot, dialog, "q1_frightened", Answer.YES)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert dialog.advice.isVisible()  # still shown with the saved answers


def test_no_advice_for_a_calm_set(qtbot: QtBot, vault: Vault) -> None:
    calm = ChecklistAnswers(now(), dict.fromkeys(QUESTION_IDS, "no"))
    vault.checklists.add(calm.answered_at, calm.to_json())
    dialog = _open(qtbot, vault)
    assert not dialog.advice.isVisible()
    dialog.history.setCurrentRow(1)
    assert not dialog.advice.isVisible()


def test_an_earlier_urgent_set_shows_the_advice(qtbot: QtBot, vault: Vault) -> None:
    worried = ChecklistAnswers(
        datetime(2026, 2, 1, 9, 30).astimezone(), {"q8_violent_to_others": "yes"}
    )
    vault.checklists.add(worried.answered_at, worried.to_json())
    calm = ChecklistAnswers(now(), {"q8_violent_to_others": "no"})
    vault.checklists.add(calm.answered_at, calm.to_json())
    dialog = _open(qtbot, vault)
    assert not dialog.advice.isVisible()  # pre-filled from the calm, latest set
    dialog.history.setCurrentRow(2)  # the February one
    assert dialog.advice.isVisible()
    assert "1 Feb 2026" in dialog.mode_label.text()


def test_unsaved_answers_are_kept_as_a_draft(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    _click(qtbot, dialog, "q4_turns_up", Answer.YES)
    qtbot.keyClicks(dialog.blocks["q4_turns_up"].notes, "Three times last week")
    dialog.close()
    assert vault.checklists.list() == []
    assert vault.drafts.load(DRAFT_KEY) is not None

    again = _open(qtbot, vault)
    assert again.blocks["q4_turns_up"].answer() is Answer.YES
    assert again.blocks["q4_turns_up"].note() == "Three times last week"
    assert "not saved" in again.mode_label.text()
    with qtbot.waitSignal(again.saved):
        again.save_button.click()
    assert vault.drafts.load(DRAFT_KEY) is None


def test_saving_nothing_asks_for_an_answer(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    assert dialog.save() is None
    assert "at least one" in dialog.status_label.text()
    assert vault.checklists.list() == []


def test_renders_without_error(qtbot: QtBot, vault: Vault) -> None:
    dialog = _open(qtbot, vault)
    _click(qtbot, dialog, "q10_drugs_alcohol", Answer.YES)
    assert not dialog.grab().isNull()


def test_close_button_and_escape_close_it(qtbot: QtBot, vault: Vault) -> None:
    """Issue 13 item 6: Close and Escape did nothing (close() re-entered reject())."""
    dialog = _open(qtbot, vault)
    _click(qtbot, dialog, "q4_turns_up", Answer.YES)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=1000)
    assert vault.drafts.load(DRAFT_KEY) is not None  # unsaved answers kept

    again = _open(qtbot, vault)
    qtbot.keyClick(again, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=1000)


def test_the_source_and_its_acronyms_come_after_the_questions(qtbot: QtBot, vault: Vault) -> None:
    """Issue 13 item 12: S-DASH/ACPO at the very top, before any question."""
    dialog = _open(qtbot, vault)
    first = dialog.blocks[next(iter(dialog.blocks))]
    source = dialog.source_label
    assert source.parentWidget() is first.parentWidget()  # in the questions' scroll area
    assert source.mapTo(dialog, source.rect().topLeft()).y() > first.mapTo(
        dialog, first.rect().topLeft()
    ).y()
