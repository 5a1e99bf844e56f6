"""A plain-words passphrase strength hint, built on zxcvbn."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_LENGTH = 8
MIN_SCORE = 2

_WORDS = (
    "Very easy to guess",
    "Easy to guess",
    "Fair",
    "Good",
    "Strong",
)


@dataclass(frozen=True)
class Strength:
    """What to show under the passphrase field."""

    score: int
    text: str
    acceptable: bool


def assess(passphrase: str, personal: list[str] | None = None) -> Strength:
    """Score a passphrase (0–4) and say in plain words whether it will do."""
    if not passphrase:
        return Strength(0, "", False)
    if len(passphrase) < MIN_LENGTH:
        return Strength(0, f"Too short: please use at least {MIN_LENGTH} characters.", False)
    result = zxcvbn(passphrase[:100], user_inputs=personal or [])
    score = int(result["score"])
    text = f"Strength: {_WORDS[score]}."
    warning = result["feedback"].get("warning") or ""
    if warning:
        text += f" {warning.rstrip('.')}."
    if score < MIN_SCORE:
        text += " Try three or four unrelated words that nobody could guess about you."
    return Strength(score, text, score >= MIN_SCORE)
