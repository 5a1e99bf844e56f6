"""Screenshots for issue 14's report side: the report's pages, the report window, the bundle.

Run: PYTHONPATH=src QT_QPA_PLATFORM=offscreen .venv/bin/python \
     docs/screenshots/make_report_shots.py docs/screenshots
Needs poppler's pdftoppm. Writes report-*.png, report-window.png, bundle-*.png and
bundle-HOW-TO-VERIFY.txt; everything else it makes is in a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtWidgets import QApplication, QScrollArea

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_report import build_sample

from safediary.core.checklist.checklist import ChecklistAnswers
from safediary.core.report import ReportOptions, render_report
from safediary.core.timeutil import now
from safediary.core.vault import keys

PAGES = {  # file name: a phrase found only on that page
    "report-1-cover": "The pattern at a glance",
    "report-2-summary": "Summary for the officer",
    "report-3-about": "How to check an exhibit file",
    "report-4-log": "Chronological log",
    "report-5-entry": "(later identified as Lee Reeve",
    "report-6-evidence": "Evidence index",
    "report-7-pictures": "Pictures in full",
}


def message_screenshot(path: Path) -> None:
    """A phone-screenshot-like picture of three messages."""
    image = Image.new("RGB", (720, 1280), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 720, 110), fill=(7, 94, 84))
    draw.text((40, 40), "+44 7700 900123", fill="white", font_size=40)
    lines = [
        "You can't hide from me.",
        "I know you moved your car to Park Street.",
        "Nice door. Would be a shame if something happened to it.",
    ]
    y = 180
    for line in lines:
        draw.rounded_rectangle((30, y, 690, y + 120), radius=18, fill="white")
        draw.text((55, y + 38), line, fill=(20, 20, 20), font_size=30)
        y += 170
    image.save(path, "PNG")


def build(folder: Path):  # type: ignore[no-untyped-def]
    work = folder / "work"
    work.mkdir()
    vault = build_sample(folder / "vault", work)
    stranger = vault.people.add("Unknown man, grey hoodie", description="About 40, white, beard")
    filmed = vault.incidents.add(
        occurred_at=now().replace(hour=18, minute=20) - timedelta(days=33),
        location="Pavement outside 14 Elm Road",
        kinds={"watching"},
        description="A man in a grey hoodie stood across the road filming my house on his "
        "phone for about five minutes, then walked off towards the station.",
        witnesses="Mr Okafor (neighbour, no. 12)",
        people=[stranger.id],
    )
    order = vault.orders.add(
        "non_molestation_order",
        court="Leeds Family Court",
        reference="LS26F00123",
        made_on=date.today() - timedelta(days=70),
        expires_on=date.today() + timedelta(days=300),
        conditions="Not to contact Anna Nowak directly or indirectly. Not to come within "
        "100 metres of 14 Elm Road.",
    )
    entries = vault.incidents.list()
    for incident in entries[-6:]:
        if "at_home" in incident.kinds or "threat" in incident.kinds:
            vault.incidents.amend(incident.id, breached_order=order.id)
    shot = work / "Screenshot_messages.png"
    message_screenshot(shot)
    ev = vault.evidence.add_file(shot, incident_id=entries[8].id)
    vault.evidence.describe(
        ev.id,
        description="Screenshot of three messages from +44 7700 900123 on the evening of the "
        "photo of my front door",
        original_location="On my phone (Samsung A52), WhatsApp chat kept; phone available",
    )
    for record in vault.evidence.list():
        if record.id != ev.id:
            vault.evidence.describe(
                record.id,
                description="Photo I took of the damage",
                original_location="Phone camera roll; copy on my sister's laptop",
            )
    vault.people.update(stranger.id, name="Lee Reeve (Daniel's brother)")  # identified later
    vault.incidents.amend(filmed.id, officer="PC 4512 Harris")
    vault.checklists.add(
        now(),
        ChecklistAnswers(
            now(), {"q1_frightened": "yes", "q3_property_damage": "yes", "q6_threats": "yes"}
        ).to_json(),
    )
    return vault


def pdf_pages(pdf: Path, out: Path) -> None:
    total = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    texts = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.replace("\n", " ")
        for n in range(1, total + 1)
    ]
    for name, phrase in PAGES.items():
        number = next(n for n, text in enumerate(texts, start=1) if phrase in text)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "75",
                "-png",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                str(pdf),
                str(out / name),
            ],
            check=True,
        )


def settle(app: QApplication, seconds: float = 2.0) -> None:
    """Let the preview render its pages (QtPdf renders in the background)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main(out: Path) -> None:
    keys.DEFAULT_KDF = keys.KdfParams.fast()
    app = QApplication(sys.argv[:1])
    from safediary.gui.report.bundle import BundleDialog
    from safediary.gui.report.dialog import ReportDialog

    tmp = Path(tempfile.mkdtemp())
    try:
        vault = build(tmp)
        options = ReportOptions(
            user_name="Anna Nowak", include_checklist=True, include_revisions=True
        )
        pdf = tmp / "report.pdf"
        pdf.write_bytes(render_report(vault, options))
        pdf_pages(pdf, out)

        dialog = ReportDialog(vault)
        dialog.resize(1150, 780)
        dialog.show()
        dialog.name_field.setText("Anna Nowak")
        dialog.make_report()
        while dialog.busy:
            app.processEvents()
        settle(app)
        dialog.grab().save(str(out / "report-window.png"))
        scroll = dialog.findChild(QScrollArea)
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        settle(app, 0.5)
        scroll.grab().save(str(out / "report-window-options.png"))

        bundle = BundleDialog(vault, options, dialog)
        bundle.show()
        stick = tmp / "USB stick"
        stick.mkdir()
        bundle.choose_folder = lambda: stick  # type: ignore[method-assign]
        bundle.choose()
        app.processEvents()
        bundle.grab().save(str(out / "bundle-dialog.png"))
        bundle.start()
        while bundle.busy:
            app.processEvents()
        app.processEvents()
        bundle.grab().save(str(out / "bundle-done.png"))
        assert bundle.result_folder is not None
        shutil.copy(bundle.result_folder / "HOW-TO-VERIFY.txt", out / "bundle-HOW-TO-VERIFY.txt")
        print("bundle:", sorted(p.name for p in bundle.result_folder.iterdir()))
        bundle.close()
        dialog.force_close()
        vault.lock()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
