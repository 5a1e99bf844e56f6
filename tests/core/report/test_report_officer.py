"""What an officer works from: the summary, the About page, exhibit marks, firsts, links."""

from __future__ import annotations

import io
import re
import wave
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from safediary.core import Vault
from safediary.core.checklist.checklist import ChecklistAnswers
from safediary.core.diary import incidents
from safediary.core.errors import InvalidInput
from safediary.core.pattern.pattern import summarize
from safediary.core.report import ReportOptions, render_report
from safediary.core.report.chart import OTHER, chart_series
from safediary.core.report.data import initials

TZ = timezone(timedelta(hours=1))


def pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def photo(path: Path) -> Path:
    Image.new("RGB", (900, 600), (20, 120, 200)).save(path, "JPEG")
    return path


@pytest.fixture
def diary(vault: Vault, tmp_path: Path) -> Vault:
    him = vault.people.add(
        "Daniel Reeve",
        relationship="former partner",
        description="Tall, grey hoodie",
        vehicle="Blue Ford Focus KX19",
    )
    vault.incidents.add(
        occurred_at=datetime(2026, 4, 18, 21, 0, tzinfo=TZ),
        kinds={"at_home"},
        description="APRIL-VISIT he knocked at my door",
        people=[him.id],
    )
    order = vault.orders.add(
        "non_molestation_order",
        court="Leeds Family Court",
        reference="LS26F00123",
        made_on=date(2026, 6, 1),
        expires_on=date(2027, 6, 1),
        conditions="Not to come within 100 metres of 14 Elm Road.",
    )
    sept = vault.incidents.add(
        occurred_at=datetime(2026, 9, 3, 20, 0, tzinfo=TZ),
        kinds={"at_home", "threat"},
        description="SEPT-VISIT he came again and threatened me",
        feelings="FEELINGS-TEXT terrified",
        impact="IMPACT-TEXT I changed the locks",
        breached_order=order.id,
        police_reference="44/777/26",
        officer="PC Jane Holt 4512",
        people=[him.id],
    )
    vault.incidents.add(
        occurred_at=datetime(2026, 8, 20, 9, 0, tzinfo=TZ),
        kinds={"text_message"},
        description="AUG-TEXT eleven messages",
        people=[him.id],
    )
    vault.incidents.add(
        occurred_at=datetime(2026, 8, 25, 9, 0, tzinfo=TZ),
        kinds={"text_message"},
        description="PRIVATE-ONE",
        private=True,
    )
    ev = vault.evidence.add_file(photo(tmp_path / "door.jpg"), incident_id=sept.id)
    vault.evidence.describe(
        ev.id,
        description="DOOR-PHOTO the dent he made",
        original_location="ORIGINAL-ON my phone, Photos app",
    )
    return vault


AUG_SEP = ReportOptions(start=datetime(2026, 8, 1, tzinfo=TZ), end=datetime(2026, 10, 1, tzinfo=TZ))


def test_a_period_report_takes_firsts_from_the_whole_diary(diary: Vault) -> None:
    text = text_of(render_report(diary, AUG_SEP))
    assert "APRIL-VISIT" not in text  # outside the period
    assert "First turning up at home: 18 Apr 2026 (entry No. 1, before the period" in text
    assert "First turning up at home: 3 Sep" not in text
    assert "First threat: 3 Sep 2026 (entry No. 2)" in text


def test_the_summary_page_has_people_refs_orders_and_serious_incidents(diary: Vault) -> None:
    all_pages = pages(render_report(diary, ReportOptions()))
    summary = next(p for p in all_pages if "Summary for the officer" in p)
    for expected in (
        "Daniel Reeve",
        "former partner",
        "Blue Ford Focus KX19",
        "44/777/26",
        "PC Jane Holt 4512",
        "Court orders",
        "Non-molestation order, Leeds Family Court, ref. LS26F00123",
        "Breached once",
        "Most serious incidents",
        "Turning up at home 2",
    ):
        assert expected in summary, expected
    # the page the serious entry is printed on, filled in after it was laid out
    entry_page = next(
        n for n, p in enumerate(all_pages, start=1) if "Entry No. 2" in p and "Happened" in p
    )
    row = re.search(r"3 Sep 2026 Threat.*?(\d+)\s", summary)
    assert row is not None and int(row.group(1)) == entry_page


def test_risk_flags_appear_only_when_the_checklist_is_included(diary: Vault) -> None:
    when = datetime(2026, 9, 4, 12, 0, tzinfo=TZ)
    diary.checklists.add(when, ChecklistAnswers(when, {"q6_threats": "yes"}).to_json())
    assert "Risk flags" not in text_of(render_report(diary, ReportOptions()))
    text = text_of(render_report(diary, ReportOptions(include_checklist=True)))
    assert "Risk flags" in text and "6. Has this person threatened" in text


def test_feelings_and_effect_on_daily_life_have_separate_switches(diary: Vault) -> None:
    both = text_of(render_report(diary, ReportOptions()))
    assert "FEELINGS-TEXT" in both and "IMPACT-TEXT" in both
    no_feelings = text_of(render_report(diary, ReportOptions(include_feelings=False)))
    assert "FEELINGS-TEXT" not in no_feelings and "IMPACT-TEXT" in no_feelings
    no_impact = text_of(render_report(diary, ReportOptions(include_impact=False)))
    assert "FEELINGS-TEXT" in no_impact and "IMPACT-TEXT" not in no_impact
    assert "not to include the effect on their daily life" in no_impact


def test_exhibit_marks_come_from_the_initials_or_an_explicit_prefix(diary: Vault) -> None:
    assert initials("Rebecca Jane Wilson") == "RJW"
    assert initials("  ") == ""
    assert initials("Łucja Żak-Ørsted") == "LZO"
    assert initials("李小龙") == ""  # exhibit marks are Latin capitals; EX/1 … then
    named = text_of(render_report(diary, ReportOptions(user_name="Rebecca Wilson")))
    assert "RW/1" in named and "E-1 in the diary" in named
    explicit = text_of(render_report(diary, ReportOptions(exhibit_prefix="dc7")))
    assert "DC7/1" in explicit
    assert "EX/1" in text_of(render_report(diary, ReportOptions()))
    for bad in ("", "R/W", "toolongprefix", "R W"):
        with pytest.raises(InvalidInput):
            ReportOptions(exhibit_prefix=bad)


def test_pictures_are_printed_full_width_in_an_appendix(diary: Vault) -> None:
    pdf = render_report(diary, ReportOptions(include_thumbnails=False))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    appendix = [p for p in reader.pages if "Pictures in full" in (p.extract_text() or "")]
    assert len(appendix) == 1
    image = appendix[0].images[0].image
    assert image is not None and image.width == 900  # not a thumbnail


def test_about_page_says_how_to_check_and_what_the_fingerprint_covers(diary: Vault) -> None:
    text = text_of(render_report(diary, ReportOptions()))
    for expected in (
        "About this report",
        "certutil -hashfile FILE SHA256",
        "shasum -a 256 FILE",
        "sha256sum FILE",
        "Check my diary",
        "computer's clock",
        "It does not show that what is written is true",
        "numbered in the order they were written down",
        "1 entry in this period is marked private",
    ):
        assert expected in text, expected
    assert "cannot be changed" not in text


def test_the_report_checks_the_diary_first_and_says_so_on_the_cover(
    diary: Vault, vault_dir: Path
) -> None:
    cover = pages(render_report(diary, ReportOptions()))[0]
    assert "complete and unchanged" in cover
    blob = next(p for p in (vault_dir / "evidence").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    cover = pages(render_report(diary, ReportOptions()))[0]
    assert "The check made just before this report found problems" in cover
    assert "PROBLEMS FOUND" in cover


def test_clock_oddities_are_flagged(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    when = datetime(2026, 3, 1, 12, 0, tzinfo=TZ)
    vault.incidents.add(occurred_at=when, description="FIRST")
    real_now = incidents.now
    monkeypatch.setattr(incidents, "now", lambda: real_now() - timedelta(days=30))
    vault.incidents.add(occurred_at=when, description="SECOND written with the clock set back")
    monkeypatch.setattr(incidents, "now", lambda: real_now() + timedelta(days=30))
    vault.incidents.add(occurred_at=when, description="THIRD written with the clock ahead")
    text = text_of(render_report(vault, ReportOptions()))
    assert "Entry No. 2: The time entry 2 was written down" in text
    assert "the computer's clock was probably changed" in text
    assert "Entry No. 3: The time entry 3 was written down" in text
    assert "is in the future" in text


def test_bookmarks_for_every_section_and_links_to_entries(diary: Vault) -> None:
    pdf = render_report(diary, ReportOptions(include_checklist=False, statement="Mine."))
    reader = pypdf.PdfReader(io.BytesIO(pdf))

    def titles(outline: list) -> list[str]:
        out: list[str] = []
        for item in outline:
            out += titles(item) if isinstance(item, list) else [item.title]
        return out

    found = titles(reader.outline)
    for section in (
        "Incident diary",
        "Summary for the officer",
        "About this report",
        "Chronological log",
        "The entries in full",
        "Evidence index",
        "Pictures in full",
        "My statement",
        "Declaration",
    ):
        assert section in found, section
    assert any(t.startswith("No. 2 — 3 Sep 2026") for t in found)
    log_page = next(p for p in reader.pages if "Chronological log" in (p.extract_text() or ""))
    links = [a.get_object() for a in log_page.get("/Annots", [])]
    assert any(a.get("/Subtype") == "/Link" and "/Dest" in a for a in links)


def test_the_log_shows_when_each_entry_was_written_and_marks_amended(diary: Vault) -> None:
    first = diary.incidents.list()[0]
    diary.incidents.amend(first.id, description="APRIL-VISIT corrected")
    log = next(p for p in pages(render_report(diary, ReportOptions())) if "Chronological log" in p)
    assert "written " in log and "amended" in log


def test_the_chart_names_the_most_frequent_kinds() -> None:
    kinds = ["text_message"] * 9 + ["phone_call"] * 8 + ["email"] * 7 + ["social_media"] * 6
    kinds += ["letter"] * 5 + ["following"] * 4 + ["watching"] * 3 + ["threat", "violence"]

    class Entry:
        def __init__(self, n: int, kind: str) -> None:
            self.number = n
            self.occurred_at = datetime(2026, 1, 1, tzinfo=TZ) + timedelta(days=n)
            self.kinds = frozenset({kind})
            self.people: tuple[int, ...] = ()
            self.private = False

    summary = summarize([Entry(n, k) for n, k in enumerate(kinds)])
    series = chart_series(summary)
    assert series[:6] == [
        "text_message",
        "phone_call",
        "email",
        "social_media",
        "letter",
        "following",
    ]
    assert series[-1] == OTHER  # only the three least frequent share "Other kinds"


def test_court_orders_are_listed_with_their_breaches(diary: Vault) -> None:
    text = text_of(render_report(diary, ReportOptions()))
    assert "Court orders" in text
    assert "Not to come within 100 metres of 14 Elm Road." in text
    assert "in force on the day of this report" in text
    assert "Breaches recorded in this report: No. 2" in text
    assert "Court order breached (Non-molestation order)" in text


def test_the_evidence_index_shows_description_and_where_the_original_is(diary: Vault) -> None:
    text = text_of(render_report(diary, ReportOptions()))
    assert "DOOR-PHOTO the dent he made" in text
    assert "ORIGINAL-ON my phone, Photos app" in text


def test_an_entry_prints_the_person_as_recorded_and_who_they_were_later_identified_as(
    vault: Vault,
) -> None:
    unknown = vault.people.add("Unknown man, grey hoodie")
    vault.incidents.add(
        occurred_at=datetime(2026, 3, 1, 20, 0, tzinfo=TZ),
        description="He followed me",
        people=[unknown.id],
    )
    vault.people.update(unknown.id, name="Daniel O'Brien")
    text = text_of(render_report(vault, ReportOptions()))
    assert "Unknown man, grey hoodie (later identified as Daniel O'Brien; changed on" in text


def test_sound_evidence_shows_its_length(vault: Vault, tmp_path: Path) -> None:
    entry = vault.incidents.add(
        occurred_at=datetime(2026, 3, 1, 20, 0, tzinfo=TZ), description="Voicemail"
    )
    recording = tmp_path / "voicemail.wav"
    with wave.open(str(recording), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * 75)
    ev = vault.evidence.add_file(recording, incident_id=entry.id)
    assert ev.metadata["duration_seconds"] == 75.0
    assert "Length 1:15" in text_of(render_report(vault, ReportOptions()))
