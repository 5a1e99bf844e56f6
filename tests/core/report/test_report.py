"""The PDF report, read back with pypdf: complete, exact, private entries left out."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from safediary.core import Vault
from safediary.core.checklist.checklist import Answer, ChecklistAnswers
from safediary.core.errors import InvalidInput
from safediary.core.report import (
    ReportCancelled,
    ReportOptions,
    render_report,
    write_report,
)
from safediary.core.report.text import chunks, markup
from tests.conftest import require_tool

TZ = timezone(timedelta(hours=1))
T0 = datetime(2026, 3, 2, 21, 40, tzinfo=TZ)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace collapsed to one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def all_text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def make_jpeg(path: Path, colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    image = Image.new("RGB", (640, 480), colour)
    exif = Image.Exif()
    exif[0x0132] = "2026:03:02 21:45:00"
    image.save(path, "JPEG", exif=exif)
    return path


@pytest.fixture
def diary(vault: Vault, tmp_path: Path) -> Vault:
    """Three ordinary entries, one private entry, a person and two evidence files."""
    him = vault.people.add("Daniel Reeve", relationship="former partner")
    first = vault.incidents.add(
        occurred_at=T0,
        location="Outside 14 Elm Road",
        kinds={"at_home", "threat"},
        description="ALPHA-ENTRY he shouted through the letterbox",
        exact_words="Open the door",
        feelings="FEELING-MARKER frightened",
        witnesses="Mr Okafor",
        reported_to="Police on 999",
        police_reference="44/13001/26",
        people=[him.id],
    )
    vault.incidents.add(
        occurred_at=T0 + timedelta(days=3),
        approximate=True,
        kinds={"text_message"},
        description="BRAVO-ENTRY eleven messages",
        police_reference="CRIME-REF-777",
        people=[him.id],
    )
    third = vault.incidents.add(
        occurred_at=T0 + timedelta(days=9),
        kinds={"following"},
        description="CHARLIE-ENTRY followed me to the station",
    )
    secret = vault.incidents.add(
        occurred_at=T0 + timedelta(days=5),
        kinds={"other"},
        description="PRIVATE-SECRET-ENTRY",
        police_reference="PRIVATE-REF-1",
        private=True,
    )
    vault.evidence.add_file(make_jpeg(tmp_path / "tyres.jpg"), incident_id=first.id)
    note = tmp_path / "note.txt"
    note.write_text("a letter he left")
    vault.evidence.add_file(note, incident_id=third.id)
    private_file = tmp_path / "private.txt"
    private_file.write_text("only mine")
    vault.evidence.add_file(private_file, incident_id=secret.id)
    vault.incidents.amend(third.id, description="CHARLIE-ENTRY followed me to the station again")
    return vault


def test_report_has_every_entry_reference_and_hash_and_no_private_entry(diary: Vault) -> None:
    pdf = render_report(diary, ReportOptions())
    assert pdf.startswith(b"%PDF-")
    text = all_text(pdf)
    for marker in ("ALPHA-ENTRY", "BRAVO-ENTRY", "CHARLIE-ENTRY followed me to the station again"):
        assert marker in text
    assert "44/13001/26" in text and "CRIME-REF-777" in text
    for record in diary.evidence.list():
        if diary.incidents.get(record.incident_ids[0]).private:
            assert record.sha256 not in text
            assert record.original_name not in text
        else:
            assert record.sha256 in text
            assert record.ref in text
    assert "PRIVATE-SECRET-ENTRY" not in text
    assert "PRIVATE-REF-1" not in text
    assert "Daniel Reeve" in text
    assert "approx." in text
    assert "amended on" in text
    assert "FEELING-MARKER" in text
    for command in ("sha256sum", "certutil -hashfile", "shasum -a 256"):
        assert command in text


def test_private_entries_are_included_only_when_asked(diary: Vault) -> None:
    text = all_text(render_report(diary, ReportOptions(include_private=True)))
    assert "PRIVATE-SECRET-ENTRY" in text and "PRIVATE-REF-1" in text


def test_every_page_says_page_n_of_m_and_the_fingerprint(diary: Vault) -> None:
    pages = pages_text(render_report(diary, ReportOptions()))
    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert diary.fingerprint in text.replace(" ", "")


@pytest.mark.parametrize(
    "typed",
    [
        "<b>not bold</b>",
        "Tom & Jerry &amp; &lt;",
        '<font color="red" size="40">big</font>',
        "<img src=x>",
        "<para>",
        "</para><br/>",
        "a < b > c",
        "<![CDATA[x]]>",
    ],
)
def test_markup_typed_by_the_user_prints_literally(vault: Vault, typed: str) -> None:
    vault.incidents.add(
        occurred_at=T0, description=f"before {typed} after", location=typed, witnesses=typed
    )
    vault.people.add(typed)
    text = all_text(render_report(vault, ReportOptions(user_name=typed, statement=typed)))
    assert f"before {typed} after" in text
    assert text.count(typed) >= 5


def test_line_breaks_are_kept(vault: Vault) -> None:
    vault.incidents.add(occurred_at=T0, description="first line\nsecond line\n\nthird paragraph")
    reader = pypdf.PdfReader(io.BytesIO(render_report(vault, ReportOptions())))
    raw = "\n".join(p.extract_text() for p in reader.pages)
    assert re.search(r"first line\s*\n\s*second line", raw)


@pytest.mark.slow
def test_one_megabyte_of_text_flows_across_pages(vault: Vault) -> None:
    words = "START " + " ".join(f"w{i}" for i in range(130_000)) + " END-OF-TEXT"
    words += " " + "x" * 100_000 + " LAST-WORD"
    assert len(words) > 1_000_000
    vault.incidents.add(occurred_at=T0, description=words, location="L" * 20_000)
    pages = pages_text(render_report(vault, ReportOptions()))
    assert len(pages) > 100
    text = " ".join(pages)
    assert "START w0 w1 w2" in text and "w129999 END-OF-TEXT" in text
    assert "LAST-WORD" in text
    # the chronological log shortens it and points to the full entry
    assert "(in full: entry No. 1)" in text


@pytest.mark.parametrize(
    "sample",
    [
        "Zażółć gęślą jaźń, Łódź, Kraków",
        "Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ πιὰ",
        "Съешь же ещё этих мягких французских булок",
        "Pijamalı hasta yağız şoföre çabucak güvendi, İstanbul",
        "Příliš žluťoučký kůň úpěl ďábelské ódy, Ærøskøbing, Þórður",
    ],
)
def test_non_english_text_prints_and_extracts_back(vault: Vault, sample: str) -> None:
    person = vault.people.add(sample.split(",")[0])
    vault.incidents.add(occurred_at=T0, description=sample, people=[person.id])
    text = all_text(render_report(vault, ReportOptions(user_name=sample.split(",")[0])))
    assert sample in text


def test_odd_characters_never_crash(vault: Vault) -> None:
    odd = "emoji 😀🔥👍🏽 zero\u200bwidth nul\x00 bell\x07 lone\ud800surrogate rtl \u202e tab\tend"
    vault.incidents.add(occurred_at=T0, description=odd, location="🏠", tags=["😀"])
    vault.people.add("😀 \x00")
    text = all_text(render_report(vault, ReportOptions(statement=odd, user_name="\ud800")))
    assert "emoji" in text and "end" in text


def test_filters_by_dates_kinds_and_people(diary: Vault) -> None:
    him = diary.people.list()[0]
    window = ReportOptions(start=T0 + timedelta(days=1), end=T0 + timedelta(days=4))
    text = all_text(render_report(diary, window))
    assert "BRAVO-ENTRY" in text and "ALPHA-ENTRY" not in text and "CHARLIE-ENTRY" not in text
    text = all_text(render_report(diary, ReportOptions(kinds=frozenset({"following"}))))
    assert "CHARLIE-ENTRY" in text and "ALPHA-ENTRY" not in text
    text = all_text(render_report(diary, ReportOptions(people=frozenset({him.id}))))
    assert "ALPHA-ENTRY" in text and "BRAVO-ENTRY" in text and "CHARLIE-ENTRY" not in text


def test_feelings_can_be_left_out(diary: Vault) -> None:
    text = all_text(render_report(diary, ReportOptions(include_feelings=False)))
    assert "ALPHA-ENTRY" in text and "FEELING-MARKER" not in text


def test_earlier_versions_are_printed_when_asked(diary: Vault) -> None:
    plain = all_text(render_report(diary, ReportOptions()))
    assert "CHARLIE-ENTRY followed me to the station then" not in plain
    text = all_text(render_report(diary, ReportOptions(include_revisions=True)))
    assert "Earlier version 1" in text
    assert "CHARLIE-ENTRY followed me to the station" in text.split("Earlier version 1")[1]


def test_checklist_statement_and_declaration(diary: Vault) -> None:
    answers = ChecklistAnswers(
        T0, {"q1_frightened": Answer.YES, "q6_threats": Answer.NOT_SURE}, {"q1_frightened": "<b>"}
    )
    diary.checklists.add(T0, answers.to_json())
    options = ReportOptions(include_checklist=True, statement="STATEMENT-TEXT", user_name="Anna")
    text = all_text(render_report(diary, options))
    assert "Are you very frightened?" in text and "Not sure" in text and "Note: <b>" in text
    assert "STATEMENT-TEXT" in text
    assert "Declaration" in text and "Anna" in text
    assert "Are you very frightened?" not in all_text(render_report(diary, ReportOptions()))


def test_thumbnails_are_embedded_only_when_asked(diary: Vault) -> None:
    """The photo is a thumbnail beside its entry (if asked) and full-width in the appendix."""

    def images(pdf: bytes) -> int:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return sum(len(page.images) for page in reader.pages)

    assert images(render_report(diary, ReportOptions())) == 2
    assert images(render_report(diary, ReportOptions(include_thumbnails=False))) == 1


def test_paper_sizes(diary: Vault) -> None:
    for paper, width in (("A4", 595), ("Letter", 612)):
        reader = pypdf.PdfReader(io.BytesIO(render_report(diary, ReportOptions(paper=paper))))
        assert round(float(reader.pages[0].mediabox.width)) == width


def test_bad_options_are_refused_plainly() -> None:
    with pytest.raises(InvalidInput):
        ReportOptions(start=datetime(2026, 1, 1))  # no time zone
    with pytest.raises(InvalidInput):
        ReportOptions(start=T0, end=T0 - timedelta(days=1))
    with pytest.raises(InvalidInput):
        ReportOptions(kinds=frozenset({"not_a_kind"}))
    with pytest.raises(InvalidInput):
        ReportOptions(paper="A5")  # type: ignore[arg-type]


def test_empty_diary_gives_a_short_valid_report(vault: Vault) -> None:
    text = all_text(render_report(vault, ReportOptions()))
    assert "There are no entries in this report." in text
    assert "Page 1 of" in text


def test_write_report_is_atomic_and_replaces_an_old_file(diary: Vault, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    out.parent.mkdir()
    out.write_bytes(b"old")
    seen: list[tuple[int, int]] = []
    write_report(diary, out, ReportOptions(), progress=lambda d, t: seen.append((d, t)))
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in out.parent.iterdir()] == ["report.pdf"]
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == seen[-1][1]


def test_cancel_stops_and_leaves_the_old_file(diary: Vault, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old")
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    with pytest.raises(ReportCancelled):
        write_report(diary, out, ReportOptions(), cancel=cancel)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".tmp")] == ["report.pdf"]


def test_poppler_renders_every_page(diary: Vault, tmp_path: Path) -> None:
    require_tool("pdftoppm")
    pdf = tmp_path / "r.pdf"
    write_report(diary, pdf, ReportOptions(include_checklist=True, statement="x"))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    count = len(pypdf.PdfReader(pdf).pages)
    assert len(list(tmp_path.glob("page-*.png"))) == count


def test_text_helpers_escape_and_split() -> None:
    assert markup("<b>&\nx") == "&lt;b&gt;&amp;<br/>x"
    blocks = chunks("a" * 4000 + "\n\n" + "b c " * 10, size=1500)
    assert "".join(blocks[:-1]) == "a" * 4000 and blocks[-1].startswith("b c")
    assert all(len(b) <= 1500 for b in blocks)
