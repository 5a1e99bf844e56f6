"""The report prints linked messages under their entry and lists the export as an exhibit."""

from __future__ import annotations

import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from safediary.core import Vault
from safediary.core.report import ReportOptions, write_report
from tests.core.messages import samples

LONDON = ZoneInfo("Europe/London")


def _text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],
        capture_output=True, check=True, timeout=60,
    )
    return done.stdout.decode("utf-8")


def test_transcript_under_its_entry_and_export_in_the_index(vault: Vault, tmp_path: Path) -> None:
    conv = vault.messages.import_export(samples.whatsapp_zip(tmp_path / "chat.zip"), tz=LONDON)
    msgs = vault.messages.list(conv.id)
    inc = vault.incidents.add(occurred_at=msgs[1].sent_at, kinds={"text_message"},
                              description="He messaged me to open the door.")
    vault.messages.link([msgs[1].id, msgs[2].id], inc.id)
    pdf = tmp_path / "report.pdf"
    write_report(vault, pdf, ReportOptions(user_name="Rita Walker"))
    text = _text(pdf)
    assert "Messages linked to this entry" in text
    assert "Open the door" in text
    assert "28 Nov 2026, 21:41" in text and "Daniel" in text
    export = vault.evidence.get(conv.evidence_id)
    photo = msgs[2].attachments[0]
    assert export.sha256 in text.replace(" ", "").replace("\n", "") or export.sha256[:16] in text
    assert "RW/1" in text and "RW/2" in text  # the export and the attached photo are exhibits
    assert vault.evidence.get(photo).original_name in text


def test_unlinked_messages_stay_out_of_the_report(vault: Vault, tmp_path: Path) -> None:
    vault.messages.import_export(samples.write(tmp_path / "c.txt", samples.ANDROID_UK), tz=LONDON)
    vault.incidents.add(occurred_at=vault.messages.conversations()[0].first_at,
                        kinds={"following"}, description="He followed me.")
    pdf = tmp_path / "report.pdf"
    write_report(vault, pdf, ReportOptions())
    text = _text(pdf)
    assert "Messages linked to this entry" not in text
    assert "bus stop" not in text
