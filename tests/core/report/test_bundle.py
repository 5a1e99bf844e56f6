"""The exhibit bundle: a new folder with the report, exact exhibit copies and manifests."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from safediary.core import Vault
from safediary.core.errors import InvalidInput
from safediary.core.report import ReportCancelled, ReportOptions, write_bundle
from safediary.core.report.data import safe_file_name

TZ = timezone(timedelta(hours=1))


@pytest.fixture
def diary(vault: Vault, tmp_path: Path) -> Vault:
    first = vault.incidents.add(
        occurred_at=datetime(2026, 5, 1, 20, 0, tzinfo=TZ), description="He sent a photo"
    )
    second = vault.incidents.add(
        occurred_at=datetime(2026, 5, 3, 20, 0, tzinfo=TZ), description="He left a note"
    )
    shot = tmp_path / "screenshot.png"
    Image.new("RGB", (300, 600), (250, 250, 250)).save(shot, "PNG")
    vault.evidence.add_file(shot, incident_id=first.id)
    note = tmp_path / "note: from him?.txt"
    note.write_text("a note he left")
    vault.evidence.add_file(note, incident_id=second.id)
    return vault


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_bundle_holds_the_report_exact_copies_and_manifests(
    diary: Vault, tmp_path: Path
) -> None:
    folder = write_bundle(diary, tmp_path / "For the police", ReportOptions(user_name="Rita West"))
    assert folder == tmp_path / "For the police"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "Diary report.pdf",
        "HOW-TO-VERIFY.txt",
        "RW-1 screenshot.png",
        "RW-2 note_ from him_.txt",
        "manifest.csv",
        "manifest.json",
    ]
    records = {e.original_name: e for e in diary.evidence.list()}
    assert sha(folder / "RW-1 screenshot.png") == records["screenshot.png"].sha256
    assert sha(folder / "RW-2 note_ from him_.txt") == records["note: from him?.txt"].sha256

    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["diary_fingerprint"] == diary.fingerprint
    assert [e["mark"] for e in manifest["exhibits"]] == ["RW/1", "RW/2"]
    first = manifest["exhibits"][0]
    assert first["file_in_this_folder"] == "RW-1 screenshot.png"
    assert first["sha256"] == records["screenshot.png"].sha256
    assert first["linked_entries"] == [1]
    assert {"size_bytes", "put_in_diary_at", "description", "original_location"} <= set(first)

    rows = list(csv.DictReader(io.StringIO((folder / "manifest.csv").read_text("utf-8-sig"))))
    assert [r["mark"] for r in rows] == ["RW/1", "RW/2"]
    assert rows[1]["diary_fingerprint"] == diary.fingerprint

    how = (folder / "HOW-TO-VERIFY.txt").read_text("utf-8-sig")
    for command in ("certutil -hashfile", "shasum -a 256", "sha256sum"):
        assert command in how
    assert diary.fingerprint in how and "not encrypted" in how

    report = pypdf.PdfReader(folder / "Diary report.pdf")
    text = " ".join(page.extract_text() or "" for page in report.pages)
    assert "RW/1" in text and "RW/2" in text and diary.fingerprint in text


def test_an_existing_folder_is_never_overwritten(diary: Vault, tmp_path: Path) -> None:
    dest = tmp_path / "stick"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    first = write_bundle(diary, dest, ReportOptions())
    second = write_bundle(diary, dest, ReportOptions())
    assert first.parent == dest and second.parent == dest and first != second
    assert first.name.startswith("Diary report and exhibits ")
    assert (dest / "keep.txt").read_text() == "mine"
    file = tmp_path / "a file"
    file.write_text("x")
    with pytest.raises(InvalidInput):
        write_bundle(diary, file, ReportOptions())


def test_a_zip_can_be_made_too(diary: Vault, tmp_path: Path) -> None:
    folder = write_bundle(diary, tmp_path / "bundle", ReportOptions(), make_zip=True)
    archive = zipfile.ZipFile(folder.with_name("bundle.zip"))
    assert "bundle/EX-1 screenshot.png" in archive.namelist()
    copy = archive.read("bundle/EX-1 screenshot.png")
    assert hashlib.sha256(copy).hexdigest() == sha(folder / "EX-1 screenshot.png")


def test_cancel_leaves_nothing_behind(diary: Vault, tmp_path: Path) -> None:
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    with pytest.raises(ReportCancelled):
        write_bundle(
            diary,
            tmp_path / "out",
            ReportOptions(),
            progress=progress,
            cancel=lambda: len(seen) > 3,
        )
    assert not (tmp_path / "out").exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_file_names_are_safe_everywhere() -> None:
    assert safe_file_name('a/b\\c:d*e?f"g<h>i|j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_file_name("name. ") == "name"
    long = safe_file_name("x" * 300 + ".jpeg")
    assert len(long) <= 150 and long.endswith(".jpeg")
    assert safe_file_name("") == "exhibit"
