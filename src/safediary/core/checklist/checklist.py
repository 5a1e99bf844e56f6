"""The stalking screening checklist, paraphrased from the S-DASH (2009).

The official questions must not be reworded, so the app shows its own plain
paraphrase, names the source, and tells the user that the police or a helpline
will go through the official version with them. There is deliberately no risk
score: only a flag saying that urgent advice should be shown.

This module is pure; storing the answers (encrypted) is the vault's job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from safediary.core.errors import InvalidInput

FORMAT = "safediary.checklist"
VERSION = 2  # 2: S-DASH order (questions 10 and 11 changed; old answers kept as retired)
_MAX_NOTE = 5000


class Answer(StrEnum):
    """A possible answer to a question."""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"


@dataclass(frozen=True)
class Question:
    """One question: a stable id, the paraphrased text and a short help line."""

    id: str
    text: str
    help: str

    @property
    def number(self) -> int:
        """The question's number in the S-DASH (1 to 11)."""
        return int(self.id[1:].split("_", 1)[0])


# The eleven S-DASH (2009) subjects in their published order, in our own words.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "q1_frightened",
        "Are you very frightened?",
        "Your own sense of danger matters a great deal. Answer with how you really feel.",
    ),
    Question(
        "q2_previous_history",
        "Has this person abused, stalked or harassed you, or anyone else, before?",
        "Include abuse in a past relationship, and anything you know of, whether or not it "
        "was reported or led to a conviction.",
    ),
    Question(
        "q3_property_damage",
        "Has this person damaged or destroyed anything of yours?",
        "For example your car, your home, your garden, your post or your belongings.",
    ),
    Question(
        "q4_turns_up",
        "Has this person turned up without warning more than three times in a week?",
        "At your home, your work, your school or college, or anywhere else you go.",
    ),
    Question(
        "q5_follows_loiters",
        "Has this person followed you, or hung around near your home or work?",
        "Include sitting outside in a car, waiting for you, or walking past again and again.",
    ),
    Question(
        "q6_threats",
        "Has this person threatened to hurt you physically or sexually?",
        "Threats count whether they were said, written, sent online or passed on by others.",
    ),
    Question(
        "q7_harassed_others",
        "Has this person harassed people close to you?",
        "For example your family, children, friends, neighbours, colleagues or a new partner.",
    ),
    Question(
        "q8_violent_to_others",
        "Has this person been violent towards anyone during this time?",
        "This means anyone at all, not only you.",
    ),
    Question(
        "q9_engaged_others",
        "Has this person got other people to help them?",
        "The other people may know what they are doing, or may have been tricked into helping.",
    ),
    Question(
        "q10_drugs_alcohol",
        "In the last year, has this person had problems with drugs, alcohol or their mental "
        "health that got in the way of everyday life?",
        "Prescribed drugs count too. Answer with what you know or have good reason to believe.",
    ),
    Question(
        "q11_criminal_history",
        "Has this person been in trouble with the police, or do they have a criminal record?",
        "For example for violence, harassment or sexual offences, here or in another country.",
    ),
)

QUESTION_IDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)
_BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}

#: Questions asked by earlier versions of SafeDiary that are not S-DASH subjects. Saved
#: answers to them are kept (never dropped) and shown as such.
RETIRED_QUESTIONS: dict[str, str] = {
    "q10_escalating": "Is it getting worse?",
    "q11_previous_abuse": "Has this person been abusive before, to you or in a past relationship?",
}

#: A "yes" to any of these means urgent advice is shown.
URGENT_QUESTION_IDS: frozenset[str] = frozenset(
    {"q1_frightened", "q6_threats", "q8_violent_to_others"}
)

SOURCE_NOTE = (
    "These questions follow the subjects of the S-DASH (2009) stalking and harassment risk "
    "identification checklist, in its order, in our own plain words. The S-DASH was "
    "developed by Lorraine Sheridan and Karl Roberts and put into practice by Laura "
    "Richards for the Association of Chief Police Officers (ACPO). It is used by the "
    "police, Paladin and the National Stalking Helpline (Suzy Lamplugh Trust). This is not "
    "the official wording. The police or a helpline will go through the official checklist "
    "with you, and your answers here can help you prepare."
)

URGENT_ADVICE = (
    "Some of your answers suggest you may be at serious risk. You deserve to be safe, "
    "and help is there for you.\n\n"
    "If you are in danger now, call 999.\n\n"
    "Otherwise, please speak to someone soon: the police on 101, or the National "
    "Stalking Helpline on 0808 802 0300. Tell them about your answers to this checklist."
)


def question(question_id: str) -> Question:
    """Return a question by id (``InvalidInput`` if unknown)."""
    try:
        return _BY_ID[question_id]
    except KeyError:
        raise InvalidInput(f"Unknown checklist question: {question_id!r}") from None


@dataclass(frozen=True)
class ChecklistAnswers:
    """One dated completion of the checklist. Unanswered questions are simply absent."""

    answered_at: datetime
    answers: dict[str, Answer] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    #: answers (and notes) to questions earlier versions asked: {old id: {"answer", "note"}}
    retired: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.answered_at, datetime) or self.answered_at.utcoffset() is None:
            raise InvalidInput("answered_at must be a timezone-aware date and time.")
        if not isinstance(self.answers, Mapping) or not isinstance(self.notes, Mapping):
            raise InvalidInput("answers and notes must be mappings from question id.")
        answers: dict[str, Answer] = {}
        for qid, value in self.answers.items():
            question(qid)
            try:
                answers[qid] = Answer(value)
            except ValueError:
                allowed = ", ".join(a.value for a in Answer)
                raise InvalidInput(
                    f"Answer to {qid} must be one of {allowed}, not {value!r}."
                ) from None
        notes: dict[str, str] = {}
        for qid, note in self.notes.items():
            question(qid)
            if not isinstance(note, str):
                raise InvalidInput(f"The note for {qid} must be text.")
            if len(note) > _MAX_NOTE:
                raise InvalidInput(f"The note for {qid} is too long (at most {_MAX_NOTE}).")
            notes[qid] = note
        if not isinstance(self.retired, Mapping) or not all(
            qid in RETIRED_QUESTIONS
            and isinstance(kept, Mapping)
            and all(isinstance(v, str) for v in kept.values())
            for qid, kept in self.retired.items()
        ):
            raise InvalidInput("The kept answers to earlier questions are not in the right form.")
        object.__setattr__(self, "retired", {q: dict(k) for q, k in self.retired.items()})
        # Keep our own copies, in question order, so later changes to the
        # caller's dicts cannot alter a frozen record.
        object.__setattr__(self, "answers", {q: answers[q] for q in QUESTION_IDS if q in answers})
        object.__setattr__(self, "notes", {q: notes[q] for q in QUESTION_IDS if q in notes})

    def to_json(self) -> str:
        """Serialise as JSON (the vault encrypts it)."""
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "answered_at": self.answered_at.isoformat(),
                "answers": {qid: a.value for qid, a in self.answers.items()},
                "notes": self.notes,
                **({"retired": self.retired} if self.retired else {}),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ChecklistAnswers:
        """Parse :meth:`to_json` output; ``InvalidInput`` if anything is wrong."""
        try:
            data: Any = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise InvalidInput(f"The saved checklist is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInput("This is not a saved SafeDiary checklist.")
        if data.get("version") not in (1, VERSION):
            raise InvalidInput(f"Unsupported checklist version: {data.get('version')!r}.")
        known = {"format", "version", "answered_at", "answers", "notes", "retired"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(f"Unknown field(s) in saved checklist: {', '.join(unknown)}.")
        stamp = data.get("answered_at")
        if not isinstance(stamp, str):
            raise InvalidInput("The saved checklist has no date.")
        try:
            answered_at = datetime.fromisoformat(stamp)
        except ValueError:
            raise InvalidInput(f"The saved checklist date is not valid: {stamp!r}.") from None
        answers, notes = data.get("answers", {}), data.get("notes", {})
        retired = data.get("retired", {})
        if not all(isinstance(x, dict) for x in (answers, notes, retired)):
            raise InvalidInput("The saved checklist's answers are not in the right form.")
        if data.get("version") == 1:  # keep answers to the questions version 1 asked
            answers, notes, retired = dict(answers), dict(notes), {}
            for old in RETIRED_QUESTIONS:
                kept = {"answer": answers.pop(old, None), "note": notes.pop(old, None)}
                kept = {k: v for k, v in kept.items() if v is not None}
                if kept:
                    retired[old] = kept
        return cls(answered_at, answers, notes, retired)

    @property
    def unanswered(self) -> tuple[str, ...]:
        """Ids of the questions not answered yet, in order."""
        return tuple(q for q in QUESTION_IDS if q not in self.answers)


def needs_urgent_advice(answers: ChecklistAnswers | Mapping[str, str]) -> bool:
    """True when a "yes" to any high-risk question means urgent advice should be shown.

    The high-risk questions are: very frightened, threats of violence, and violence
    to anyone. No score is computed.
    """
    mapping = answers.answers if isinstance(answers, ChecklistAnswers) else answers
    return any(mapping.get(qid) == Answer.YES for qid in URGENT_QUESTION_IDS)
