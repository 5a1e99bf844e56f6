"""Tests for the paraphrased S-DASH screening checklist."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from safediary.core.checklist import checklist
from safediary.core.checklist.checklist import (
    QUESTION_IDS,
    QUESTIONS,
    SOURCE_NOTE,
    URGENT_ADVICE,
    Answer,
    ChecklistAnswers,
    needs_urgent_advice,
)
from safediary.core.errors import InvalidInput

WHEN = datetime(2026, 3, 1, 20, 15, tzinfo=timezone(timedelta(hours=1)))


def test_eleven_questions_with_stable_unique_ids() -> None:
    assert len(QUESTIONS) == 11
    assert len(set(QUESTION_IDS)) == 11
    for number, q in enumerate(QUESTIONS, start=1):
        assert q.id.startswith(f"q{number}_")
        assert q.text.endswith("?")
        assert q.help


def test_source_note_and_advice_wording() -> None:
    assert "S-DASH" in SOURCE_NOTE
    assert "Sheridan" in SOURCE_NOTE and "Richards" in SOURCE_NOTE
    assert "official" in SOURCE_NOTE
    for number in ("999", "101", "0808 802 0300"):
        assert number in URGENT_ADVICE
    assert "score" not in URGENT_ADVICE.lower()


def test_json_round_trip_keeps_everything() -> None:
    original = ChecklistAnswers(
        WHEN,
        {"q6_threats": "yes", "q1_frightened": Answer.NOT_SURE, "q3_property_damage": "no"},
        {"q6_threats": 'Said he\'d "sort me out" — by text, 3 Feb'},
    )
    restored = ChecklistAnswers.from_json(original.to_json())
    assert restored == original
    assert restored.answered_at == WHEN
    assert restored.answered_at.utcoffset() == timedelta(hours=1)
    assert list(restored.answers) == ["q1_frightened", "q3_property_damage", "q6_threats"]
    assert restored.answers["q6_threats"] is Answer.YES
    assert "q2_previous_history" in restored.unanswered


def test_answers_are_copied_not_shared() -> None:
    given = {"q1_frightened": "no"}
    record = ChecklistAnswers(WHEN, given)
    given["q1_frightened"] = "yes"
    assert record.answers["q1_frightened"] == "no"


@pytest.mark.parametrize(
    ("answers", "notes"),
    [
        ({"q99_bogus": "yes"}, {}),
        ({"q1_frightened": "maybe"}, {}),
        ({"q1_frightened": True}, {}),
        ({}, {"q99_bogus": "x"}),
        ({}, {"q1_frightened": 3}),
        ({}, {"q1_frightened": "x" * 6000}),
    ],
)
def test_invalid_answers_rejected(answers: dict, notes: dict) -> None:
    with pytest.raises(InvalidInput):
        ChecklistAnswers(WHEN, answers, notes)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(InvalidInput):
        ChecklistAnswers(datetime(2026, 3, 1, 12, 0), {})


def _payload(**changes: object) -> str:
    data = json.loads(ChecklistAnswers(WHEN, {"q1_frightened": "yes"}).to_json())
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        _payload(format="something.else"),
        _payload(version=3),
        _payload(retired={"q99": {"answer": "yes"}}),
        _payload(answered_at="yesterday"),
        _payload(answered_at="2026-03-01T20:15:00"),  # no timezone
        _payload(answered_at=None),
        _payload(extra=1),
        _payload(answers={"q1_frightened": "YES"}),
        _payload(answers={"q12_new": "yes"}),
        _payload(answers=["q1_frightened"]),
    ],
)
def test_from_json_rejects_bad_data(text: str) -> None:
    with pytest.raises(InvalidInput):
        ChecklistAnswers.from_json(text)


@pytest.mark.parametrize("qid", sorted(checklist.URGENT_QUESTION_IDS))
def test_yes_to_any_high_risk_question_needs_urgent_advice(qid: str) -> None:
    answers = ChecklistAnswers(WHEN, {q: "no" for q in QUESTION_IDS} | {qid: "yes"})
    assert needs_urgent_advice(answers)
    assert needs_urgent_advice({qid: "yes"})


def test_urgent_set_matches_the_brief() -> None:
    assert {
        "q1_frightened",
        "q6_threats",
        "q8_violent_to_others",
    } == checklist.URGENT_QUESTION_IDS


def test_no_urgent_advice_for_other_answers() -> None:
    others = [q for q in QUESTION_IDS if q not in checklist.URGENT_QUESTION_IDS]
    assert not needs_urgent_advice(ChecklistAnswers(WHEN, dict.fromkeys(others, "yes")))
    not_sure = dict.fromkeys(QUESTION_IDS, "not_sure")
    assert not needs_urgent_advice(ChecklistAnswers(WHEN, not_sure))
    assert not needs_urgent_advice(ChecklistAnswers(datetime.now(UTC)))


def test_no_numeric_score_is_exposed() -> None:
    public = [name for name in dir(checklist) if not name.startswith("_")]
    assert not [name for name in public if "score" in name.lower()]


def test_questions_follow_the_s_dash_subjects_in_order() -> None:
    """Question 10 is about drugs, alcohol or mental health; 11 about a criminal history."""
    assert [q.number for q in QUESTIONS] == list(range(1, 12))
    q10, q11 = QUESTIONS[9], QUESTIONS[10]
    assert "drugs" in q10.text and "alcohol" in q10.text
    assert "police" in q11.text and "criminal" in q11.text
    assert "in its order" in SOURCE_NOTE


def test_answers_saved_by_version_1_are_kept() -> None:
    old = json.dumps(
        {
            "format": "safediary.checklist",
            "version": 1,
            "answered_at": WHEN.isoformat(),
            "answers": {"q1_frightened": "yes", "q10_escalating": "yes"},
            "notes": {"q10_escalating": "Every day now"},
        }
    )
    restored = ChecklistAnswers.from_json(old)
    assert restored.answers == {"q1_frightened": Answer.YES}
    assert restored.retired == {"q10_escalating": {"answer": "yes", "note": "Every day now"}}
    again = ChecklistAnswers.from_json(restored.to_json())
    assert again == restored
