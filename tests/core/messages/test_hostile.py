"""Hostile exports (a stalker sends files the person imports): plain messages, nothing kept.

Every file here is generated in tmp_path; none is shipped. The big cases (memory
measured in a subprocess) are in benchmarks/bench_messages_hostile.py.
"""

from __future__ import annotations

import base64
import os
import struct
import time
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from safediary.core import Vault
from safediary.core.errors import InvalidInput
from safediary.core.messages import ExportDamaged, ExportNotRecognised, whatsapp
from tests.core.messages import samples

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
HEAD = "Date: Sat, 28 Nov 2026 10:00:00 +0000\nFrom: dan@example.invalid\n"


@pytest.fixture()
def vault(tmp_path: Path) -> Vault:
    v, _ = Vault.create(tmp_path / "vault", "correct horse battery staple")
    yield v
    if not v.is_locked:
        v.lock()


def _nothing_kept(vault: Vault) -> None:
    assert vault.messages.conversations() == []
    assert vault.evidence.count(include_removed=True) == 0


def _refused(vault: Vault, path: Path, kind: type[Exception] = InvalidInput) -> str:
    with pytest.raises(kind) as caught:
        vault.messages.import_export(path, tz=LONDON)
    _nothing_kept(vault)
    return str(caught.value)


# -- WhatsApp text ----------------------------------------------------------------------
def test_many_continuation_lines_are_linear_not_quadratic(tmp_path: Path) -> None:
    # one message followed by 100,000 lines: `str +=` on an attribute took ~20 s here
    text = "28/11/2026, 21:40 - Daniel: hi\n" + "\n".join(["y" * 20] * 100_000)
    start = time.monotonic()
    msgs = list(whatsapp.parse_text(text, tz=LONDON).messages)
    assert time.monotonic() - start < 5
    assert len(msgs) == 1 and msgs[0].text.count("\n") == 100_000


def test_huge_line_of_commas_keeps_the_date_only(tmp_path: Path) -> None:
    text = "28/11/2026 21:40 - Daniel: " + "," * 5_000_000 + "\n"
    (msg,) = whatsapp.parse_text(text, tz=LONDON).messages
    assert msg.sender == "Daniel" and len(msg.text) == 5_000_000


def test_zip_bomb_chat_is_refused_plainly(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat.zip"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("_chat.txt", "w", force_zip64=True) as member,
    ):
        member.write(b"28/11/2026, 21:40 - Daniel: hi\n")
        block = b"a" * (1 << 20)
        for _ in range(whatsapp.MAX_CHAT_BYTES // len(block) + 1):
            member.write(block)
    assert path.stat().st_size < 1_000_000
    assert "too large" in _refused(vault, path, ExportDamaged)


def _with_declared_members(data: bytes, count: int) -> bytes:
    at = data.rfind(b"PK\x05\x06")
    return data[: at + 8] + struct.pack("<HH", count, count) + data[at + 12:]


def test_zip_declaring_many_members_is_refused_before_reading_its_index(
    vault: Vault, tmp_path: Path
) -> None:
    data = samples.zip_bytes({"_chat.txt": samples.ANDROID_UK.encode()})
    path = tmp_path / "chat.zip"
    path.write_bytes(_with_declared_members(data, 60_000))
    assert "too many files" in _refused(vault, path, ExportNotRecognised)


def test_damaged_media_member_is_a_plain_message(vault: Vault, tmp_path: Path) -> None:
    chat = "28/11/2026, 21:40 - Daniel: IMG-1.jpg (file attached)\n"
    path = tmp_path / "chat.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_chat.txt", chat)
        z.writestr("IMG-1.jpg", os.urandom(20_000))
    data = bytearray(path.read_bytes())
    start = data.find(b"IMG-1.jpg") + len("IMG-1.jpg") + 100  # inside the deflated bytes
    data[start:start + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))
    assert "IMG-1.jpg" in _refused(vault, path, ExportDamaged)


def test_encrypted_media_member_is_a_plain_message(vault: Vault, tmp_path: Path) -> None:
    chat = "28/11/2026, 21:40 - Daniel: IMG-1.jpg (file attached)\n"
    data = bytearray(samples.zip_bytes({"_chat.txt": chat.encode(), "IMG-1.jpg": b"x" * 99}))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" bit
        at = data.rfind(sig)
        data[at + flag_at] |= 1
    path = tmp_path / "chat.zip"
    path.write_bytes(bytes(data))
    assert "password" in _refused(vault, path, ExportDamaged)


def test_hostile_member_names_are_labels_only(vault: Vault, tmp_path: Path) -> None:
    names = ["../../etc/passwd.jpg", "/abs/photo.jpg", "photo\u202egpj.exe"]
    chat = "".join(f"28/11/2026, 21:4{i} - Daniel: {n} (file attached)\n"
                   for i, n in enumerate(names))
    members = {"_chat.txt": chat.encode()}
    members.update({n: samples.JPEG for n in names})
    path = tmp_path / "chat.zip"
    path.write_bytes(samples.zip_bytes(members))
    conv = vault.messages.import_export(path, tz=LONDON)
    msgs = vault.messages.list(conv.id)
    assert [m.attachment_names for m in msgs] == [(n,) for n in names]
    assert not (tmp_path.parent / "etc").exists() and not Path("/abs").exists()


def test_far_dates_are_refused_plainly(vault: Vault, tmp_path: Path) -> None:
    path = samples.write(tmp_path / "chat.txt", "31/12/9999, 23:59 - Daniel: hi\n")
    with pytest.raises(ExportDamaged, match="impossible date"):
        vault.messages.import_export(path, tz=TOKYO)
    for ms in ("-62135596800000", "253402300799000", "-99999999999999999", "9" * 30):
        xml = f'<?xml version="1.0"?><smses><sms date="{ms}" type="1" body="x"/></smses>'
        assert "date" in _refused(vault, samples.write(tmp_path / "sms.xml", xml), ExportDamaged)


def test_a_time_in_the_spring_gap_is_kept(vault: Vault, tmp_path: Path) -> None:
    # 01:30 on 29 March 2026 does not exist in London (clocks jump 01:00 -> 02:00)
    path = samples.write(tmp_path / "chat.txt", "29/03/2026, 01:30 - Daniel: hi\n")
    conv = vault.messages.import_export(path, tz=LONDON)
    (msg,) = vault.messages.list(conv.id)
    assert (msg.sent_at.hour, msg.sent_at.minute) == (1, 30)
    assert vault.messages.verify() == []


def test_control_characters_and_nul_survive_exactly(vault: Vault, tmp_path: Path) -> None:
    text = "a\x00b\x1b[31mred\x07\u202eevil\ufeff"
    path = samples.write(tmp_path / "chat.txt", f"28/11/2026, 21:40 - Da\x00n\u202e: {text}\n")
    conv = vault.messages.import_export(path, tz=LONDON)
    (msg,) = vault.messages.list(conv.id)
    assert msg.text == text and msg.sender == "Da\x00n"  # direction marks around a name go
    assert vault.messages.verify() == []


# -- XML --------------------------------------------------------------------------------
def test_million_empty_sms_fail_fast_and_plainly(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    path.write_bytes(b"<?xml version='1.0'?><smses>" + b"<sms/>" * 1_000_000 + b"</smses>")
    assert "date" in _refused(vault, path, ExportDamaged)


def test_nul_and_lone_surrogate_in_xml_are_refused(vault: Vault, tmp_path: Path) -> None:
    for body in (b"&#0;", b"\xed\xa0\x80", b"\x00"):
        path = tmp_path / "sms.xml"
        path.write_bytes(b"<?xml version='1.0'?><smses><sms date='1' body='" + body
                         + b"'/></smses>")
        _refused(vault, path, ExportDamaged)


# -- e-mail ------------------------------------------------------------------------------
def test_deeply_nested_multipart_is_refused_plainly(vault: Vault, tmp_path: Path) -> None:
    body = "hello\n"
    for i in range(1500):
        body = f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n{body}\n--b{i}--\n"
    path = samples.write(tmp_path / "deep.eml", HEAD + "MIME-Version: 1.0\n" + body)
    message = _refused(vault, path, ExportDamaged)
    assert "nested" in message or "too many parts" in message


def test_too_many_attachments_are_refused_plainly(vault: Vault, tmp_path: Path) -> None:
    lines = [HEAD + "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=B", ""]
    for i in range(100_000):
        lines += ["--B", f"Content-Disposition: attachment; filename=f{i}", "", "x"]
    path = samples.write(tmp_path / "many.eml", "\n".join(lines) + "\n--B--\n")
    start = time.monotonic()
    _refused(vault, path, ExportDamaged)
    assert time.monotonic() - start < 5


def test_megabytes_of_encoded_words_are_cut_quickly(vault: Vault, tmp_path: Path) -> None:
    # a 1.4 MB Subject took 3 minutes and 14 GB of memory in the standard parser
    word = "=?utf-8?q?" + "a" * 60 + "?="
    path = samples.write(tmp_path / "big.eml", HEAD + "Subject: " + " ".join([word] * 20_000)
                         + "\n\nbody\n")
    start = time.monotonic()
    conv = vault.messages.import_export(path, tz=LONDON)
    assert time.monotonic() - start < 10
    (msg,) = vault.messages.list(conv.id)
    assert msg.details["subject"].startswith("a" * 1000) and "cut" in msg.details["subject"]


def test_undecodable_header_bytes_do_not_break_the_store(vault: Vault, tmp_path: Path) -> None:
    raw = (b"Date: Sat, 28 Nov 2026 10:00:00 +0000\nFrom: \xff\xfe Dan \x00<d@x>\n"
           b"Subject: \xed\xa0\x80 caf\xe9\nContent-Type: text/plain; charset=x-unknown\n\n"
           b"body \xff\x00\n")
    path = tmp_path / "bytes.eml"
    path.write_bytes(raw)
    conv = vault.messages.import_export(path, tz=LONDON)
    (msg,) = vault.messages.list(conv.id)
    assert "Dan" in msg.sender and "body" in msg.text
    assert vault.messages.verify() == []


def test_far_email_date_is_refused_plainly(vault: Vault, tmp_path: Path) -> None:
    path = samples.write(tmp_path / "far.eml",
                         "Date: Fri, 31 Dec 9999 23:59:59 -1200\nFrom: d@x\n\nhi\n")
    assert "impossible date" in _refused(vault, path, ExportDamaged)


def test_mbox_line_without_breaks_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    from safediary.core.messages import mail

    path = tmp_path / "box.mbox"
    path.write_bytes(b"From x\n" + HEAD.encode() + b"\n" + b"z" * (3 * 1024 * 1024))
    with path.open("rb") as fh:
        (raw,) = list(mail._mbox_messages(fh))
    assert raw.endswith(b"z" * 100)


# -- the file itself ----------------------------------------------------------------------
def test_symlink_to_dev_zero_is_refused(vault: Vault, tmp_path: Path) -> None:
    link = tmp_path / "chat.txt"
    link.symlink_to("/dev/zero")
    assert "ordinary file" in _refused(vault, link)


def test_file_changing_during_import_is_refused(vault: Vault, tmp_path: Path) -> None:
    path = samples.write(tmp_path / "chat.txt", samples.ANDROID_UK)

    def grow(_done: int, _total: int | None) -> None:
        with path.open("ab") as fh:
            fh.write(b"28/11/2026, 23:59 - Daniel: added later\n")

    with pytest.raises(ExportDamaged, match="changed while"):
        vault.messages.import_export(path, tz=LONDON, progress=grow)
    _nothing_kept(vault)


def test_mms_picture_kept_once_its_opener_is_dropped(vault: Vault, tmp_path: Path) -> None:
    picture = base64.b64encode(samples.JPEG * 10).decode()
    parts = (f'<part ct="image/jpeg" name="p.jpg" data="{picture}"/>'
             '<part ct="text/plain" text="look"/>')
    mms = f'<mms date="1795902300000" msg_box="1" address="1"><parts>{parts}</parts></mms>'
    path = samples.write(tmp_path / "sms.xml", f"<?xml version='1.0'?><smses>{mms}</smses>")
    conv = vault.messages.import_export(path, tz=LONDON)
    (msg,) = vault.messages.list(conv.id)
    assert msg.attachment_names == ("p.jpg",) and len(msg.attachments) == 1


def test_long_xml_item_is_read_quickly(vault: Vault, tmp_path: Path) -> None:
    # expat 2.5 rescans an unfinished item on every 16 KB read: 16 MB took 10 s
    picture = b"QUJD" * (3 * 1024 * 1024)  # 12 MB of base64
    path = tmp_path / "sms.xml"
    path.write_bytes(b"<?xml version='1.0'?><smses><mms date='1795902300000' msg_box='1' "
                     b"address='1'><parts><part ct='image/jpeg' name='p.jpg' data='" + picture
                     + b"'/></parts></mms></smses>")
    start = time.monotonic()
    conv = vault.messages.import_export(path, tz=LONDON)
    assert time.monotonic() - start < 5
    (msg,) = vault.messages.list(conv.id)
    assert len(msg.attachments) == 1


@pytest.mark.slow
def test_xml_item_over_the_limit_is_refused(vault: Vault, tmp_path: Path) -> None:
    from safediary.core.messages import android

    path = tmp_path / "sms.xml"
    with path.open("wb") as fh:
        fh.write(b"<?xml version='1.0'?><smses><mms date='1' msg_box='1'><parts><part data='")
        for _ in range(android.MAX_ITEM_BYTES // (1 << 20) + 1):
            fh.write(b"A" * (1 << 20))
        fh.write(b"'/></parts></mms></smses>")
    assert "48 MB" in _refused(vault, path, ExportDamaged)


def test_too_many_messages_are_refused_plainly(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safediary.core.messages import store

    monkeypatch.setattr(store, "MAX_MESSAGES", 3)  # the real limit is 250,000
    path = samples.write(tmp_path / "chat.txt", samples.ANDROID_UK)
    assert "in parts" in _refused(vault, path, ExportDamaged)
