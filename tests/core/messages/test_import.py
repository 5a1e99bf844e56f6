"""vault.messages: import each export kind exactly, all or nothing, verifiable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from safediary.core import Vault
from safediary.core.evidence.evidence import ImportCancelled
from safediary.core.messages import AmbiguousDateOrder, ExportDamaged, ExportNotRecognised
from tests.core.messages import samples

LONDON = ZoneInfo("Europe/London")


@pytest.fixture()
def vault(tmp_path: Path) -> Vault:
    v, _ = Vault.create(tmp_path / "vault", "correct horse battery staple")
    yield v
    if not v.is_locked:
        v.lock()


def _evidence_rows(vault: Vault) -> int:
    return vault.evidence.count(include_removed=True)


def test_android_whatsapp_keeps_words_notices_and_multiline(vault: Vault, tmp_path: Path) -> None:
    path = samples.write(tmp_path / "WhatsApp Chat with Daniel.txt", samples.ANDROID_UK)
    conv = vault.messages.import_export(path, tz=LONDON)
    assert conv.source == "whatsapp"
    msgs = vault.messages.list(conv.id)
    assert [m.sender for m in msgs] == ["", "Daniel", "Daniel", "Daniel", "Daniel", "Sam", ""]
    assert msgs[0].notice and "end-to-end encrypted" in msgs[0].text
    assert msgs[2].text == "I know where you were tonight.\nI saw you at the bus stop\nwith her 🔪"
    assert msgs[1].sent_at == datetime(2026, 11, 28, 21, 41, tzinfo=LONDON)
    assert msgs[3].text == "<Media omitted>"
    assert msgs[4].attachment_names == ("IMG-20261129-WA0001.jpg",)
    assert msgs[4].attachments == ()  # named, but not in a .txt export
    assert msgs[6].sender == "" and "changed the subject" in msgs[6].text
    original = vault.evidence.get(conv.evidence_id)
    assert vault.evidence.read(original.id) == path.read_bytes()


def test_us_twelve_hour_form(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "c.txt", samples.ANDROID_US),
                                        tz=ZoneInfo("America/New_York"))
    msgs = vault.messages.list(conv.id)
    assert [(m.sent_at.hour, m.sent_at.minute) for m in msgs] == [(21, 40), (21, 41), (0, 5)]
    assert msgs[2].sent_at.day == 29 and msgs[2].sent_at.month == 11


def test_iphone_zip_attaches_media_as_evidence(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.whatsapp_zip(tmp_path / "chat.zip"), tz=LONDON)
    assert conv.title == "chat"  # iPhone's "_chat.txt" says nothing: the ZIP's name does
    msgs = vault.messages.list(conv.id)
    assert msgs[0].notice
    assert msgs[1].text == "Open the door"
    photo = msgs[2]
    assert len(photo.attachments) == 1
    assert vault.evidence.read(photo.attachments[0]) == samples.JPEG
    assert "\u200e" not in photo.text
    assert msgs[-1].text == "Leave me alone.\nI mean it."
    assert msgs[-1].sent_at == datetime(2026, 12, 1, 7, 0, tzinfo=LONDON)


def test_ambiguous_dates_ask_then_obey(vault: Vault, tmp_path: Path) -> None:
    path = samples.write(tmp_path / "c.txt", samples.AMBIGUOUS)
    with pytest.raises(AmbiguousDateOrder) as err:
        vault.messages.import_export(path, tz=LONDON)
    assert "01/02/2026" in str(err.value)
    assert vault.messages.conversations() == [] and _evidence_rows(vault) == 0
    conv = vault.messages.import_export(path, tz=LONDON, day_first=False)
    assert vault.messages.list(conv.id)[0].sent_at.month == 1
    assert conv.details["day_first"] == "no"


def test_sms_backup_in_out_and_mms_picture(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "sms.xml", samples.SMS_XML))
    assert conv.source == "sms"
    msgs = vault.messages.list(conv.id)
    assert [m.direction for m in msgs] == ["in", "out", "in", "in"]
    assert msgs[0].sender == "Daniel (+447700900123)"
    assert msgs[0].sent_at == datetime(2026, 11, 28, 21, 41, tzinfo=UTC)
    assert msgs[1].text == "Stop. \nPlease."
    assert msgs[2].sender == "07700900999"
    assert msgs[3].text == "Recognise this car?"
    assert vault.evidence.read(msgs[3].attachments[0]) == samples.JPEG


def test_call_log(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "calls.xml", samples.CALLS_XML))
    assert conv.source == "calls"
    texts = [m.text for m in vault.messages.list(conv.id)]
    assert texts[0] == "Missed call from Daniel (+447700900123)"
    assert texts[1].startswith("Incoming call") and texts[1].endswith("2 min 5 s")
    assert texts[2].startswith("Rejected call")
    assert texts[3] == "Outgoing call to 999, 1 min 4 s"
    assert all(m.kind == "call" for m in vault.messages.list(conv.id))


def test_eml_headers_decoded_and_attachment_kept(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "m.eml", samples.EML))
    (m,) = vault.messages.list(conv.id)
    assert m.kind == "email"
    assert m.sender == "Daniel O’Brien <dan@example.invalid>"
    assert m.details["subject"] == "You can't hide 🔪"
    assert m.text.startswith("I know you moved.")
    assert vault.evidence.read(m.attachments[0]) == samples.JPEG
    assert vault.evidence.get(m.attachments[0]).original_name == "car.jpg"


def test_mbox_two_messages_and_from_unescaped(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "box.mbox", samples.MBOX))
    msgs = vault.messages.list(conv.id)
    assert len(msgs) == 2
    assert msgs[1].text == "Morning.\nFrom the window I saw you.\n"


@pytest.mark.parametrize(
    "content, error",
    [
        (b"just some notes\nnothing else", ExportNotRecognised),
        (samples.SMS_XML[: len(samples.SMS_XML) // 2].encode(), ExportDamaged),
        (samples.zip_bytes({"_chat.txt": samples.IPHONE.encode()})[:60], ExportDamaged),
        (
            b'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><smses><sms date="1" body="&b;"/></smses>',
            ExportDamaged,
        ),
        (b"\xff\xfe\x00garbage", ExportNotRecognised),
    ],
)
def test_bad_input_plain_message_nothing_kept(
    vault: Vault, tmp_path: Path, content: bytes, error: type[Exception]
) -> None:
    path = tmp_path / "export.bin"
    path.write_bytes(content)
    with pytest.raises(error) as err:
        vault.messages.import_export(path)
    assert str(err.value) and "Traceback" not in str(err.value)
    assert vault.messages.conversations() == []
    assert _evidence_rows(vault) == 0
    assert not [p for p in (vault.folder / "evidence").rglob("*") if p.is_file()]


def test_cancel_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    path = samples.whatsapp_zip(tmp_path / "chat.zip")
    with pytest.raises(ImportCancelled):
        vault.messages.import_export(path, tz=LONDON, cancel=lambda: True)
    assert vault.messages.conversations() == [] and _evidence_rows(vault) == 0
    assert not [p for p in (vault.folder / "evidence").rglob("*") if p.is_file()]


def test_fifo_is_refused_without_hanging(vault: Vault, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "chat.txt"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="not an ordinary file"):
        vault.messages.import_export(fifo)


def test_link_search_verify_and_survive_lock(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "c.txt", samples.ANDROID_UK),
                                        tz=LONDON)
    msgs = vault.messages.list(conv.id)
    inc = vault.incidents.add(occurred_at=msgs[1].sent_at, kinds={"text_message"},
                              description="Messages all night")
    vault.messages.link([msgs[1].id, msgs[2].id], inc.id)
    vault.messages.link([msgs[1].id], inc.id)  # twice is harmless
    assert [m.id for m in vault.messages.for_incident(inc.id)] == [msgs[1].id, msgs[2].id]
    assert [m.id for m in vault.messages.search("bus stop")] == [msgs[2].id]
    assert vault.verify().ok
    folder = vault.folder
    vault.lock()
    again = Vault.unlock(folder, "correct horse battery staple")
    try:
        assert [m.text for m in again.messages.list(conv.id)] == [m.text for m in msgs]
        assert again.messages.get_message(msgs[1].id).incidents == (inc.id,)
    finally:
        again.lock()


def test_verify_finds_a_message_changed_outside_the_app(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.write(tmp_path / "c.txt", samples.ANDROID_UK),
                                        tz=LONDON)
    target = vault.messages.list(conv.id)[2]
    with vault._db.transaction() as tx:  # an edit made without the app
        tx.execute("UPDATE messages SET text = 'I was nowhere near you' WHERE id = ?",
                   (target.id,))
    report = vault.verify()
    assert not report.ok
    assert any("changed outside SafeDiary" in p for p in report.problems)


def test_no_message_text_on_disk_in_plaintext(vault: Vault, tmp_path: Path) -> None:
    canary = "CANARY-7f3a9 he waited by the school gate"
    chat = f"28/11/2026, 21:41 - Daniel: {canary}\n"
    src = tmp_path / "outside" / "c.txt"
    src.parent.mkdir()
    samples.write(src, chat)
    vault.messages.import_export(src, tz=LONDON)
    vault.lock()
    needle = canary.encode()
    for p in (tmp_path / "vault").rglob("*"):
        if p.is_file():
            assert needle not in p.read_bytes(), p


def test_add_bytes_keeps_a_capture_exactly(vault: Vault) -> None:
    inc = vault.incidents.add(occurred_at=datetime.now(UTC), kinds={"social_media"},
                              description="Screenshot of his post")
    ev = vault.evidence.add_bytes("Screen capture.png", samples.JPEG, incident_id=inc.id)
    assert vault.evidence.read(ev.id) == samples.JPEG
    assert ev.original_name == "Screen capture.png"
    assert inc.id in vault.evidence.get(ev.id).incident_ids


def test_backup_carries_the_messages_and_their_files(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.whatsapp_zip(tmp_path / "chat.zip"), tz=LONDON)
    photo = vault.messages.list(conv.id)[2].attachments[0]
    report = vault.backup(tmp_path / "stick")
    assert report.ok, report.problems
    with Vault.unlock(report.folder, "correct horse battery staple") as copy:
        msgs = copy.messages.list(conv.id)
        assert [m.text for m in msgs] == [m.text for m in vault.messages.list(conv.id)]
        assert copy.evidence.read(photo) == samples.JPEG
        assert copy.verify().ok


def test_a_file_named_by_many_messages_is_copied_once(vault: Vault, tmp_path: Path) -> None:
    lines = [f"[28/11/2026, 21:{m:02d}:00] Daniel: \u200e<attached: 00000012-PHOTO.jpg>"
             for m in range(40)]
    path = tmp_path / "chat.zip"
    path.write_bytes(samples.zip_bytes({"_chat.txt": "\n".join(lines).encode(),
                                        "00000012-PHOTO.jpg": samples.JPEG}))
    conv = vault.messages.import_export(path, tz=LONDON)
    ids = {m.attachments for m in vault.messages.list(conv.id)}
    assert len(ids) == 1 and len(next(iter(ids))) == 1  # every message links the one record
    assert vault.evidence.count() == 2  # the ZIP and the photo, once
    assert vault.verify().ok
