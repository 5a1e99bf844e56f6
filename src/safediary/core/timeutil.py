"""Aware datetimes: validation, storage form and the vault's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from safediary.core.errors import InvalidInput


def now() -> datetime:
    """The current time, aware, in the computer's local time zone."""
    return datetime.now(UTC).astimezone()


def require_aware(value: object, field: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise InvalidInput."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a date and time.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must include a time zone (an aware datetime).")
    return value


def to_text(value: datetime) -> str:
    """ISO 8601 with offset, microseconds kept."""
    return value.isoformat()


def from_text(text: str) -> datetime:
    """Parse what :func:`to_text` wrote."""
    return datetime.fromisoformat(text)
