"""Behaviour taxonomy: stable ids stored in the vault, with plain-English labels.

The groups follow the way police and helplines describe stalking: unwanted
communication, unwanted intrusion, and associated behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from safediary.core.errors import InvalidInput


@dataclass(frozen=True)
class Kind:
    """One kind of behaviour."""

    id: str
    label: str
    group: str


GROUPS: dict[str, str] = {
    "communication": "Unwanted communication",
    "intrusion": "Unwanted intrusion",
    "associated": "Other behaviour",
}

_KINDS: tuple[tuple[str, str, str], ...] = (
    ("phone_call", "Phone call", "communication"),
    ("text_message", "Text or instant message", "communication"),
    ("email", "E-mail", "communication"),
    ("letter", "Letter or note", "communication"),
    ("social_media", "Social media", "communication"),
    ("gift_or_item", "Gift or item left", "communication"),
    ("graffiti", "Graffiti", "communication"),
    ("via_third_party", "Contact through someone else", "communication"),
    ("following", "Following", "intrusion"),
    ("loitering", "Loitering nearby", "intrusion"),
    ("watching", "Watching or spying", "intrusion"),
    ("approaching", "Approaching me", "intrusion"),
    ("at_home", "Turning up at home", "intrusion"),
    ("at_work", "Turning up at work", "intrusion"),
    ("at_school", "Turning up at school or college", "intrusion"),
    ("threat", "Threat", "associated"),
    ("self_harm_threat", "Threat of self-harm or suicide", "associated"),
    ("property_damage", "Damage to property", "associated"),
    ("violence", "Violence or assault", "associated"),
    ("contacting_others", "Contacting family, friends or colleagues", "associated"),
    ("goods_or_services", "Ordering goods or services in my name", "associated"),
    ("vexatious_complaint", "False or malicious complaints", "associated"),
    ("impersonation", "Pretending to be me or someone else", "associated"),
    ("tracking_or_hacking", "Tracking, spyware or hacking", "associated"),
    ("going_through_bins", "Going through my bins or post", "associated"),
    ("other", "Other", "associated"),
)

KINDS: dict[str, Kind] = {k: Kind(k, label, group) for k, label, group in _KINDS}
KIND_IDS: tuple[str, ...] = tuple(KINDS)

#: Kinds whose first appearance signals escalation.
SERIOUS_KINDS: tuple[str, ...] = ("threat", "violence", "property_damage", "at_home", "at_work")


def label(kind_id: str) -> str:
    """Return the label for a kind id (the id itself if unknown)."""
    kind = KINDS.get(kind_id)
    return kind.label if kind else kind_id


def validate_kinds(kinds: Iterable[str]) -> frozenset[str]:
    """Return ``kinds`` as a frozenset, rejecting unknown ids."""
    if isinstance(kinds, str):
        raise InvalidInput("kinds must be a collection of behaviour ids, not one string")
    result = frozenset(kinds)
    unknown = sorted(k for k in result if k not in KINDS)
    if unknown:
        raise InvalidInput(f"Unknown behaviour kind(s): {', '.join(unknown)}")
    return result
