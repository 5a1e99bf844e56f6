"""Render the every-script sample report into docs/screenshots/scripts-report-*.png.

One entry per script (tests/support/scripts.py), an Arabic person, a Chinese/Urdu
user name, an evidence file whose name hides a right-to-left override, and an
Adlam letter no bundled font has. Needs poppler's pdftoppm. Usage:

    PYTHONPATH=src python docs/screenshots/make_script_pages.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[1] / "src"))

from tests.support.scripts import SAMPLES  # noqa: E402

from safediary.core import Vault  # noqa: E402
from safediary.core.report import ReportOptions, render_report  # noqa: E402

PAGES = {2: "summary", 5: "log", 8: "rtl", 9: "indic", 10: "thai-chinese", 11: "cjk-emoji"}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        vault, _ = Vault.create(work / "vault", "sample passphrase, not a secret")
        t0 = datetime(2026, 3, 2, 21, 40, tzinfo=timezone(timedelta(hours=1)))
        vault.people.add("أحمد خان", relationship="زوج سابق — ex-husband 前夫")
        for n, (name, text) in enumerate(SAMPLES.items()):
            inc = vault.incidents.add(
                occurred_at=t0 + timedelta(days=n),
                location=f"{name}: {text[:14]}",
                kinds={"text_message", "threat"} if n % 3 == 0 else {"text_message"},
                description=text,
                exact_words=text,
            )
            if name == "Emoji":
                disguised = work / "photo\u202egpj.exe"
                disguised.write_bytes(b"x")
                vault.evidence.add_file(disguised, incident_id=inc.id)
        vault.incidents.add(
            occurred_at=t0 + timedelta(days=40),
            location="Nowhere",
            kinds={"other"},
            description="Adlam \U0001e900 has no font",
        )
        pdf = work / "world.pdf"
        pdf.write_bytes(bytes(render_report(vault, ReportOptions(user_name="李小龙 وہ"))))
        vault.lock()
        for page, label in PAGES.items():
            out = work / "page"
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", "-f", str(page), "-l", str(page), str(pdf), out],
                check=True,
            )
            made = next(work.glob("page-*.png"))
            made.replace(HERE / f"scripts-report-{label}.png")
            print(HERE / f"scripts-report-{label}.png")


if __name__ == "__main__":
    main()
