"""Tests for the offline help pages, default contacts and resource lookup."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from safediary.core.errors import InvalidInput, NotFound
from safediary.core.help import help as help_mod
from safediary.core.help.help import (
    Contact,
    contacts_from_json,
    contacts_to_json,
    default_contacts,
    list_pages,
    page,
)
from safediary.host import resources
from tests.conftest import TEST_DATA


def test_every_page_loads_with_title_and_999() -> None:
    pages = list_pages()
    assert [p.id for p in pages] == list(help_mod.PAGE_IDS)
    for p in pages:
        assert p.title and not p.title.startswith("#")
        assert p.markdown.startswith(f"# {p.title}")
        head = "\n".join(p.markdown.splitlines()[:6])
        assert "999" in head, f"{p.id}: the 999 reminder must be near the top"


def test_pages_are_short() -> None:
    for p in list_pages():
        assert len(p.markdown.split()) < 700, p.id


def test_page_content_covers_the_brief() -> None:
    recognising = " ".join(page("recognising").markdown.split())
    assert "two or more occasions" in recognising
    assert "Intimacy seeker" in page("recognising").markdown
    assert "crime reference" in page("what_to_record").markdown
    rules = page("golden_rules").markdown
    headings = [line[3] for line in rules.splitlines() if line.startswith("## ")]
    assert "".join(headings) == "REPORT"
    assert "three times" in page("about_quick_exit").markdown
    assert "two-step" in page("online_safety").markdown.lower()


def test_unknown_page_raises_not_found() -> None:
    with pytest.raises(NotFound):
        page("nope")
    with pytest.raises(NotFound):
        page("../contacts")


def test_default_contacts_include_key_numbers() -> None:
    contacts = default_contacts()
    numbers = {c.number for c in contacts}
    assert {"999", "101", "0808 802 0300"} <= numbers
    assert any("Paladin" in c.name for c in contacts)
    emergency = next(c for c in contacts if c.number == "999")
    assert "55" in emergency.notes
    for c in contacts:
        if not c.number:
            assert c.notes, f"{c.name}: an empty number needs a note saying so"


def test_default_contact_numbers_come_from_the_police_and_helpline_pages() -> None:
    """Every shipped number is quoted, with its source, in tests/data/contact_sources.json."""
    sources = json.loads((TEST_DATA / "contact_sources.json").read_text(encoding="utf-8"))
    quoted = {s["number"]: s for s in sources}
    for c in default_contacts():
        if c.number:
            assert c.number in quoted, f"{c.name}: {c.number} has no source"
            assert c.number in quoted[c.number]["quote"] and quoted[c.number]["source"]


def test_contacts_round_trip() -> None:
    contacts = [
        *default_contacts(),
        Contact("Mé advocate", "+44 (0)20 7946 0000", "Mondays", "Ünïcode ok"),
    ]
    text = contacts_to_json(contacts)
    assert text.endswith("\n")
    assert "Ünïcode" in text
    assert contacts_from_json(text) == contacts


def test_missing_optional_fields_default_to_empty() -> None:
    assert contacts_from_json('[{"name": "Friend"}]') == [Contact("Friend", "", "", "")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[{", "not valid JSON (line 1"),
        ('{"name": "x"}', "must be a JSON list"),
        ("[1]", "Contact 1 must be a JSON object"),
        ('[{"name": "a"}, {"number": "1"}]', "Contact 2 has no name"),
        ('[{"name": "a", "phone": "1"}]', "unknown field(s): phone"),
        ('[{"name": "  "}]', "needs a name"),
        ('[{"name": "a", "number": 999}]', "number must be text"),
        ('[{"name": "a", "number": "call me"}]', "may only contain digits"),
        (json.dumps([{"name": "a", "notes": "x" * 5000}]), "too long"),
    ],
)
def test_invalid_contacts_rejected(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        contacts_from_json(text)
    assert fragment in str(info.value)


def test_contacts_to_json_rejects_other_objects() -> None:
    with pytest.raises(InvalidInput):
        contacts_to_json([{"name": "a"}])  # type: ignore[list-item]


def test_contact_is_frozen() -> None:
    c = Contact("a")
    with pytest.raises(AttributeError):
        c.name = "b"  # type: ignore[misc]


def test_resource_path_development_layout() -> None:
    path = resources.resource_path("help", "contacts.json")
    assert path.is_file()
    assert path.parent.parent.name == "resources"


def test_resource_path_rejects_escapes() -> None:
    for bad in ("..", "", "/etc"):
        with pytest.raises(ValueError):
            resources.resource_path(bad)


def test_resource_path_prefers_package_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "safediary"
    (package / "resources" / "help").mkdir(parents=True)
    monkeypatch.setattr(resources._importlib_resources, "files", lambda _name: package)
    assert resources.resources_root() == package / "resources"


def test_resource_path_pyinstaller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "resources").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    # The package folder of a frozen build holds no resources folder.
    monkeypatch.setattr(resources._importlib_resources, "files", lambda _name: tmp_path / "pkg")
    assert resources.resources_root() == tmp_path / "resources"
