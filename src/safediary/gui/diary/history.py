"""A saved version of an entry as plain text, for the entry's History tab."""

from __future__ import annotations

import contextlib
from datetime import datetime

from safediary.core import Vault
from safediary.core.diary.incidents import Incident
from safediary.gui.diary.model import kinds_text, when_text
from safediary.gui.diary.orders import order_broken_text


def when_text_of(value: datetime) -> str:
    """'Sun 1 Mar 2026 at 20:15' in this computer's time zone."""
    local = value.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y at %H:%M}"


def revision_text(vault: Vault, incident: Incident) -> str:
    """A saved version as plain text (for the History tab)."""
    names = []
    for pid in incident.people:  # as recorded when this version was saved
        with contextlib.suppress(Exception):
            then = vault.people.as_of(pid, incident.saved_at).name
            now_name = vault.people.get(pid).name
            names.append(then if then == now_name else f"{then} (later: {now_name})")
    fields = [
        ("When", when_text(incident)),
        ("Where", incident.location),
        ("How", incident.contact_method),
        ("Kinds", kinds_text(incident)),
        ("Who", ", ".join(names)),
        ("What happened", incident.description),
        ("Exact words", incident.exact_words),
        ("How it made me feel", incident.feelings),
        ("Effect on daily life", incident.impact),
        ("Witnesses", incident.witnesses),
        ("Others present", incident.others_present),
        ("Court order broken", order_broken_text(vault, incident)),
        ("Reported to", incident.reported_to),
        ("Officer", incident.officer),
        ("Crime reference", incident.police_reference),
        ("Originals kept", incident.evidence_location),
        ("Tags", ", ".join(incident.tags)),
        ("Private", "yes, left out of reports" if incident.private else ""),
    ]
    lines = []
    for title, value in fields:
        if not value.strip():
            continue
        if "\n" in value or len(value) > 60:
            lines += [f"{title}:", value, ""]
        else:
            lines.append(f"{title}: {value}")
    return "\n".join(lines)
