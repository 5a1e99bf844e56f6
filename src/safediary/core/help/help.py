"""Offline help pages and the editable list of people to call.

Pages are markdown files in ``resources/help``; the default contacts are in
``resources/help/contacts.json``. Nothing here touches Qt or the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from safediary.core.errors import InvalidInput, NotFound
from safediary.host.resources import resource_path

#: Page ids in reading order.
PAGE_IDS: tuple[str, ...] = (
    "recognising",
    "what_to_record",
    "golden_rules",
    "online_safety",
    "contacts",
    "about_quick_exit",
)

CONTACT_FIELDS: tuple[str, ...] = ("name", "number", "when", "notes")
_MAX_LENGTH = {"name": 200, "number": 40, "when": 500, "notes": 2000}
_NUMBER_RE = re.compile(r"[0-9 +\-().#*/]*")


@dataclass(frozen=True)
class HelpPage:
    """One help page: a stable id, its title and its markdown text."""

    id: str
    title: str
    markdown: str


@dataclass(frozen=True)
class Contact:
    """Someone to call. ``number`` may be empty when it is not known."""

    name: str
    number: str = ""
    when: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        for field in CONTACT_FIELDS:
            value = getattr(self, field)
            if not isinstance(value, str):
                raise InvalidInput(f"The contact's {field} must be text.")
            if len(value) > _MAX_LENGTH[field]:
                raise InvalidInput(
                    f"The contact's {field} is too long (at most {_MAX_LENGTH[field]} characters)."
                )
        if not self.name.strip():
            raise InvalidInput("Every contact needs a name.")
        if not _NUMBER_RE.fullmatch(self.number):
            raise InvalidInput(
                f"The number for {self.name!r} may only contain digits, spaces and + - ( ) . # * /"
            )


def _title_of(markdown: str, fallback: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def page(page_id: str) -> HelpPage:
    """Return one help page; ``NotFound`` if the id is unknown."""
    if page_id not in PAGE_IDS:
        raise NotFound(f"No help page called {page_id!r}")
    try:
        text = resource_path("help", f"{page_id}.md").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(f"The help page {page_id!r} is missing from this installation") from exc
    return HelpPage(page_id, _title_of(text, page_id.replace("_", " ").capitalize()), text)


def list_pages() -> list[HelpPage]:
    """Return every help page, in reading order."""
    return [page(page_id) for page_id in PAGE_IDS]


def contacts_from_json(text: str) -> list[Contact]:
    """Parse a contact list written by :func:`contacts_to_json` (or by hand).

    Raises ``InvalidInput`` with a message that says what is wrong and where.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"The contact list is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})."
        ) from exc
    if not isinstance(data, list):
        raise InvalidInput("The contact list must be a JSON list of contacts ([ ... ]).")
    contacts: list[Contact] = []
    for position, item in enumerate(data, start=1):
        where = f"Contact {position}"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be a JSON object ({{ ... }}).")
        unknown = sorted(set(item) - set(CONTACT_FIELDS))
        if unknown:
            raise InvalidInput(
                f"{where} has unknown field(s): {', '.join(unknown)}. "
                f"Allowed: {', '.join(CONTACT_FIELDS)}."
            )
        if "name" not in item:
            raise InvalidInput(f"{where} has no name.")
        try:
            contacts.append(Contact(**{k: item.get(k, "") for k in CONTACT_FIELDS}))
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc}") from exc
    return contacts


def contacts_to_json(contacts: Iterable[Contact]) -> str:
    """Serialise contacts as pretty, UTF-8-friendly JSON (ends with a newline)."""
    items = []
    for contact in contacts:
        if not isinstance(contact, Contact):
            raise InvalidInput("Only Contact objects can be saved in the contact list.")
        items.append(asdict(contact))
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def default_contacts() -> list[Contact]:
    """Return the contacts shipped with SafeDiary (UK numbers)."""
    text = resource_path("help", "contacts.json").read_text(encoding="utf-8")
    return contacts_from_json(text)
