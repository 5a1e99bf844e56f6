"""What a reader would misread: times and their zones, amended entries, selections."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from safediary.core import Vault
from safediary.core.report import ReportOptions, render_report
from safediary.core.report.data import fmt_offset
from safediary.core.timeutil import now


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def _other_zone() -> timezone:
    """A zone whose offset is not this computer's now (so the two can be told apart)."""
    local = now().utcoffset() or timedelta(0)
    hours = 5 if local != timedelta(hours=5) else 3
    return timezone(timedelta(hours=hours))


def test_log_written_time_is_the_recorded_time_not_converted_to_the_happened_zone(
    vault: Vault,
) -> None:
    zone = _other_zone()
    incident = vault.incidents.add(
        occurred_at=datetime(2026, 6, 10, 19, 5, tzinfo=zone), description="TEXTS-AGAIN"
    )
    written = vault.incidents.get(incident.id).recorded_at
    converted = written.astimezone(zone)
    text = _text(render_report(vault, ReportOptions()))
    log = text[text.index("Chronological log") :]
    log = log[: log.index("Entries in full")] if "Entries in full" in log else log
    row = log[log.index("TEXTS-AGAIN") - 120 :]
    stamp = row[row.index(f"written {written.day} ") :][:40]
    assert f"{written:%H:%M}" in stamp
    assert f"{converted:%H:%M}" not in stamp
    # the happened time is in another zone than the report's: its offset is printed with it
    assert f"19:05 {fmt_offset(converted)}" in log
    # the cover says once which zone the times are in
    cover = text[: text.index("Entries in this report")]
    assert f"Times Shown as the clock recorded them, in {fmt_offset(now())}" in cover
    # and the About page says how to read them
    assert "Times are never converted: each is shown in the time zone it was recorded in" in text


def test_times_in_the_report_zone_carry_no_offset_in_the_log(vault: Vault) -> None:
    here = now().replace(hour=9, minute=17, second=0, microsecond=0) - timedelta(days=2)
    vault.incidents.add(occurred_at=here, description="SAME-ZONE")
    text = _text(render_report(vault, ReportOptions()))
    log = text[text.index("Chronological log") :]
    assert "09:17" in log
    assert "09:17 UTC" not in log


def test_an_amended_entry_says_its_earlier_versions_are_not_printed_unless_they_are(
    vault: Vault,
) -> None:
    incident = vault.incidents.add(occurred_at=now(), description="FIRST-WORDS")
    vault.incidents.amend(incident.id, description="SECOND-WORDS")
    text = _text(render_report(vault, ReportOptions()))
    assert "FIRST-WORDS" not in text
    assert "Earlier versions of the 1 amended entry are not printed" in text
    assert "earlier ones are kept in the diary and are not printed in this report" in text
    full = _text(render_report(vault, ReportOptions(include_revisions=True)))
    assert "FIRST-WORDS" in full
    assert "Earlier versions of the" not in full
    assert "are not printed in this report" not in full


def test_the_most_serious_list_says_when_it_is_a_selection(vault: Vault) -> None:
    start = now() - timedelta(days=40)
    for n in range(10):
        vault.incidents.add(
            occurred_at=start + timedelta(days=n), kinds={"threat"}, description=f"THREAT-{n}"
        )
    text = _text(render_report(vault, ReportOptions()))
    assert "orders breached): 8 of the 10 such entries; all are in the log" in text


def _photo(path: Path, taken: str) -> Path:
    exif = Image.Exif()
    exif[0x0132] = taken  # DateTime, as a camera writes it
    Image.new("RGB", (60, 40), (200, 30, 30)).save(path, "JPEG", exif=exif)
    return path


def test_the_index_notes_a_camera_date_far_from_the_linked_entry(
    vault: Vault, tmp_path: Path
) -> None:
    zone = timezone(timedelta(hours=1))
    window = vault.incidents.add(
        occurred_at=datetime(2026, 10, 16, 7, 30, tzinfo=zone), description="TYRES"
    )
    door = vault.incidents.add(
        occurred_at=datetime(2026, 10, 20, 22, 10, tzinfo=zone), description="DOOR"
    )
    vault.evidence.add_file(_photo(tmp_path / "old.jpg", "2026:01:10 21:30:00"), window.id)
    vault.evidence.add_file(_photo(tmp_path / "same.jpg", "2026:10:20 23:55:00"), door.id)
    text = _text(render_report(vault, ReportOptions()))
    index = text[text.index("Evidence index") :]
    assert (
        f"Note the camera's date is 279 days before entry No. {window.number} (16 Oct 2026)"
        in index
    )
    assert index.count("Note the camera's date") == 1  # same day: no note


def test_a_breach_of_an_expired_order_stays_in_the_summary_and_odd_dates_are_noted(
    vault: Vault,
) -> None:
    from datetime import date

    order = vault.orders.add(
        "restraining_order",
        court="Leeds Crown Court",
        reference="T20260001",
        made_on=date(2026, 3, 1),
        expires_on=date(2026, 6, 1),
    )
    zone = timezone(timedelta(hours=1))
    for day, word in ((date(2026, 2, 20), "EARLY"), (date(2026, 4, 2), "DURING")):
        vault.incidents.add(
            occurred_at=datetime(day.year, day.month, day.day, 20, 0, tzinfo=zone),
            kinds={"at_home"},
            description=word,
            breached_order=order.id,
        )
    text = _text(render_report(vault, ReportOptions()))
    summary = text[text.index("Summary for the officer") :]
    summary = summary[: summary.index("Most serious")]
    assert "ref. T20260001" in summary
    assert "(not in force on the day of this report)" in summary
    assert "Breached twice: No. 1, 2." in summary
    assert "Note: No. 1 dated before the order was made." in summary
    orders = text[text.rindex("Breaches recorded in this report") :]
    assert "Note: No. 1 dated before the order was made." in orders


def test_a_picture_linked_to_one_entry_says_entry_not_entries(vault: Vault, tmp_path: Path) -> None:
    one = vault.incidents.add(occurred_at=now() - timedelta(days=1), description="ONE")
    two = vault.incidents.add(occurred_at=now() - timedelta(days=1), description="TWO")
    vault.evidence.add_file(_photo(tmp_path / "a.jpg", "2026:01:10 21:30:00"), one.id)
    both = vault.evidence.add_file(_photo(tmp_path / "b.jpg", "2026:01:10 21:30:00"), one.id)
    vault.evidence.link(both.id, two.id)
    text = _text(render_report(vault, ReportOptions()))
    pictures = text[text.index("Pictures in full") :]
    assert f"in the evidence index · entry No. {one.number} " in pictures
    assert f"in the evidence index · entries No. {one.number}, {two.number}" in pictures


def test_a_renamed_person_shows_the_name_the_entries_recorded_in_the_summary_and_people(
    vault: Vault,
) -> None:
    stranger = vault.people.add("Unknown man, grey hoodie")
    seen = vault.incidents.add(
        occurred_at=now() - timedelta(days=3), description="FILMING", people=[stranger.id]
    )
    vault.people.update(stranger.id, name="Lee Reeve")
    text = _text(render_report(vault, ReportOptions()))
    summary = text[text.index("Summary for the officer") :]
    summary = summary[: summary.index("People involved")]
    assert "Lee Reeve. In 1 entry. Recorded as “Unknown man, grey hoodie” until" in summary
    people = text[text.index("People involved", text.index("Summary for the officer") + 30) :]
    assert f"Recorded as “Unknown man, grey hoodie” in No. {seen.number}; the name was" in people


def test_a_linked_whatsapp_transcript_says_which_zone_its_times_were_read_in(
    vault: Vault, tmp_path: Path
) -> None:
    from zoneinfo import ZoneInfo

    from tests.core.messages.samples import whatsapp_zip

    chat = vault.messages.import_export(
        whatsapp_zip(tmp_path / "chat.zip"), tz=ZoneInfo("Europe/London"), day_first=True
    )
    entry = vault.incidents.add(occurred_at=now() - timedelta(days=1), description="CHAT")
    vault.messages.link([m.id for m in vault.messages.list(chat.id)[1:3]], entry.id)
    text = _text(render_report(vault, ReportOptions()))
    assert (
        "writes its times without a time zone; they were read as Europe/London when it was "
        "imported." in text
    )
    assert "Open the door" in text


def test_a_clock_note_prints_both_times_with_their_offsets() -> None:
    from safediary.core.ledger import ClockOddity

    # 02:05 at UTC+01:00 is 01:05 UTC, before 01:10 UTC: without offsets it reads backwards
    odd = ClockOddity(
        "backwards",
        datetime(2026, 3, 29, 2, 5, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 3, 29, 1, 10, tzinfo=UTC),
        "entry 7",
        7,
    )
    assert "(29 March 2026 02:05 UTC+01:00) is earlier than" in odd.message
    assert "(29 March 2026 01:10 UTC+00:00)" in odd.message


def test_the_how_to_check_an_exhibit_is_never_split_over_two_pages(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safediary.core.diary import incidents

    real_now = incidents.now
    when = now() - timedelta(days=60)
    for step in range(14):
        # each entry written with the clock set further back: one clock note each, which
        # lengthens the About page a line or two at a time
        monkeypatch.setattr(incidents, "now", lambda s=step: real_now() - timedelta(days=s))
        vault.incidents.add(occurred_at=when, description=f"E{step}")
        if step % 3 == 2:
            reader = pypdf.PdfReader(io.BytesIO(render_report(vault, ReportOptions())))
            texts = [page.extract_text() or "" for page in reader.pages]
            start = next(n for n, t in enumerate(texts) if "How to check an exhibit file" in t)
            assert "sha256sum FILE" in texts[start], step


def test_a_file_from_a_message_export_is_dated_as_the_message_not_as_a_file_date(
    vault: Vault, tmp_path: Path
) -> None:
    from zoneinfo import ZoneInfo

    from tests.core.messages.samples import whatsapp_zip

    chat = vault.messages.import_export(
        whatsapp_zip(tmp_path / "chat.zip"), tz=ZoneInfo("Europe/London"), day_first=True
    )
    entry = vault.incidents.add(occurred_at=now() - timedelta(days=1), description="CHAT")
    vault.messages.link([m.id for m in vault.messages.list(chat.id)], entry.id)
    text = _text(render_report(vault, ReportOptions()))
    index = text[text.index("Evidence index") :]
    photo = index[index.index("00000012-PHOTO") :]
    assert photo.index("Sent in a message 28 Nov 2026, 21:42") < photo.index("Put in diary")
    assert "File date 28 Nov 2026, 21:42" not in index
    assert "File date" in index  # the export file itself keeps its own date


def test_the_log_says_who_when_the_report_names_more_than_one_person(vault: Vault) -> None:
    him = vault.people.add("Daniel Reeve")
    entry = vault.incidents.add(
        occurred_at=now() - timedelta(days=2), description="ALONE", people=[him.id]
    )
    log = _text(render_report(vault, ReportOptions()))
    log = log[log.index("Chronological log") : log.index("The entries in full")]
    assert "Who:" not in log  # one person: the summary says who
    stranger = vault.people.add("Unknown man")
    vault.incidents.add(
        occurred_at=now() - timedelta(days=1), description="FILMING", people=[stranger.id]
    )
    vault.people.update(stranger.id, name="Lee Reeve")
    log = _text(render_report(vault, ReportOptions()))
    log = log[log.index("Chronological log") : log.index("The entries in full")]
    assert "ALONE Who: Daniel Reeve" in log
    assert "FILMING Who: Unknown man (later: Lee Reeve)" in log
    assert entry.number == 1
