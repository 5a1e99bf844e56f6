"""Conversations imported from phone and e-mail exports (``vault.messages``)."""

from safediary.core.messages.parsed import (
    AmbiguousDateOrder,
    ExportDamaged,
    ExportNotRecognised,
)
from safediary.core.messages.store import Conversation, Message, Messages

__all__ = [
    "AmbiguousDateOrder",
    "Conversation",
    "ExportDamaged",
    "ExportNotRecognised",
    "Message",
    "Messages",
]
