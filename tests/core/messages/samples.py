# ruff: noqa: E501  (sample exports keep their real, long lines)
"""Realistic export files, written by the tests (nothing hostile or real is shipped)."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

LRM = "\u200e"

ANDROID_UK = """28/11/2026, 21:40 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
28/11/2026, 21:41 - Daniel: You can't ignore me forever
28/11/2026, 21:41 - Daniel: I know where you were tonight.
I saw you at the bus stop
with her 🔪
29/11/2026, 00:03 - Daniel: <Media omitted>
29/11/2026, 00:05 - Daniel: IMG-20261129-WA0001.jpg (file attached)
Look at this
29/11/2026, 08:15 - Sam: Please stop contacting me.
29/11/2026, 08:16 - Daniel changed the subject from "us" to "us: forever"
"""

ANDROID_US = """11/28/26, 9:40 PM - Daniel: answer the phone
11/28/26, 9:41\u202fPM - Daniel: answer it
11/29/26, 12:05 AM - Sam: no
"""

IPHONE = (
    f"[28/11/2026, 21:40:12] Daniel: {LRM}Messages and calls are end-to-end encrypted. "
    "No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n"
    "[28/11/2026, 21:41:05] Daniel: Open the door\r\n"
    f"{LRM}[28/11/2026, 21:42:30] Daniel: {LRM}<attached: 00000012-PHOTO-2026-11-28-21-42-30.jpg>\r\n"
    f"[28/11/2026, 21:43:00] Daniel: {LRM}image omitted\r\n"
    "[01/12/2026, 07:00:00] Sam: Leave me alone.\r\nI mean it.\r\n"
)

AMBIGUOUS = """01/02/2026, 10:00 - Daniel: hello
03/04/2026, 11:00 - Daniel: hello again
"""

JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xd9"
)


def whatsapp_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("_chat.txt", IPHONE.encode("utf-8"))
        z.writestr("00000012-PHOTO-2026-11-28-21-42-30.jpg", JPEG)
    return path


SMS_XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<!--File Created By SMS Backup & Restore v10.20.002 on 29/11/2026 09:00:00-->
<smses count="4" backup_set="x" backup_date="1796029200000" type="full">
  <sms protocol="0" address="+447700900123" date="1795902060000" type="1" subject="null" body="You will regret this" toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="1795984859000" sub_id="1" readable_date="28 Nov 2026 21:41:00" contact_name="Daniel" />
  <sms protocol="0" address="+447700900123" date="1795902120000" type="2" subject="null" body="Stop. &#10;Please." toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0" sub_id="1" readable_date="28 Nov 2026 21:42:00" contact_name="Daniel" />
  <sms protocol="0" address="07700900999" date="1795902200000" type="1" body="who is this" read="1" status="-1" locked="0" date_sent="0" readable_date="28 Nov 2026 21:43:20" contact_name="(Unknown)" />
  <mms date="1795902300000" msg_box="1" address="+447700900123" contact_name="Daniel" readable_date="28 Nov 2026 21:45:00" m_type="132">
    <parts>
      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" fn="null" cid="&lt;smil&gt;" cl="smil.xml" text="&lt;smil&gt;&lt;/smil&gt;" />
      <part seq="0" ct="image/jpeg" name="IMG_0001.jpg" chset="null" cd="null" fn="null" cid="&lt;0&gt;" cl="IMG_0001.jpg" data="__JPEG__" />
      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" cid="&lt;text&gt;" cl="text_0.txt" text="Recognise this car?" />
    </parts>
    <addrs><addr address="+447700900123" type="137" charset="106" /></addrs>
  </mms>
</smses>
""".replace("__JPEG__", base64.b64encode(JPEG).decode())

CALLS_XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<calls count="4" backup_set="x" backup_date="1796029200000" type="full">
  <call number="+447700900123" duration="0" date="1795907200000" type="3" presentation="1" subscription_id="1" post_dial_digits="" readable_date="28 Nov 2026 23:06:40" contact_name="Daniel" />
  <call number="+447700900123" duration="125" date="1795907800000" type="1" presentation="1" readable_date="28 Nov 2026 23:16:40" contact_name="Daniel" />
  <call number="+447700900123" duration="0" date="1795908200000" type="5" presentation="1" readable_date="28 Nov 2026 23:23:20" contact_name="Daniel" />
  <call number="999" duration="64" date="1795908400000" type="2" presentation="1" readable_date="28 Nov 2026 23:26:40" contact_name="(Unknown)" />
</calls>
"""

EML = (
    "Return-Path: <dan@example.invalid>\r\n"
    "From: =?utf-8?q?Daniel_O=E2=80=99Brien?= <dan@example.invalid>\r\n"
    "To: Sam <sam@example.invalid>\r\n"
    "Subject: =?utf-8?b?WW91IGNhbid0IGhpZGUg8J+Uqg==?=\r\n"
    "Date: Sat, 28 Nov 2026 21:50:00 +0000\r\n"
    "Message-ID: <1@example.invalid>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b1"\r\n'
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "I know you moved. I will find the new flat.=0A=0ADan\r\n"
    "--b1\r\n"
    'Content-Type: image/jpeg; name="car.jpg"\r\n'
    'Content-Disposition: attachment; filename="car.jpg"\r\n'
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n" + base64.encodebytes(JPEG).decode().replace("\n", "\r\n") + "--b1--\r\n"
)

MBOX = (
    "From dan@example.invalid Sat Nov 28 21:50:00 2026\n"
    + EML.replace("\r\n", "\n")
    + "\nFrom dan@example.invalid Sun Nov 29 07:00:00 2026\n"
    "From: dan@example.invalid\nTo: sam@example.invalid\nSubject: again\n"
    "Date: Sun, 29 Nov 2026 07:00:00 +0000\n\nMorning.\n>From the window I saw you.\n"
)


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()
