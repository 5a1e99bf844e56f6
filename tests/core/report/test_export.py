"""CSV and JSON export: same selection as the report, exact text, safe in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from safediary.core import Vault
from safediary.core.report import ReportOptions
from safediary.core.report.export import CSV_COLUMNS, export_csv, export_json, safe_cell

T0 = datetime(2026, 3, 2, 21, 40, tzinfo=timezone(timedelta(hours=1)))
TRICKY = 'Zażółć "quoted", comma\nnew line <b>&amp;</b> 😀'


@pytest.fixture
def diary(vault: Vault, tmp_path: Path) -> Vault:
    him = vault.people.add("Daniel Reeve", notes="born 1988")
    first = vault.incidents.add(
        occurred_at=T0,
        kinds={"threat", "text_message"},
        description=TRICKY,
        feelings="FEELING-MARKER",
        police_reference='=HYPERLINK("http://x")',
        witnesses="+44 7700 900123",
        people=[him.id],
    )
    vault.incidents.add(occurred_at=T0 + timedelta(days=1), description="-2+3", private=False)
    vault.incidents.add(occurred_at=T0 + timedelta(days=2), description="SECRET", private=True)
    photo = tmp_path / "photo.txt"
    photo.write_text("evidence bytes")
    vault.evidence.add_file(photo, incident_id=first.id)
    return vault


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_keeps_text_exact_and_leaves_private_out(diary: Vault, tmp_path: Path) -> None:
    rows = read_csv(export_csv(diary, tmp_path / "diary.csv"))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["entry_no"] for r in rows] == ["1", "2"]
    assert rows[0]["description"] == TRICKY
    assert rows[0]["kinds"] == "Text or instant message; Threat"
    assert rows[0]["people"] == "Daniel Reeve"
    assert rows[0]["evidence"] == "E-1"
    assert rows[0]["evidence_sha256"] == diary.evidence.list()[0].sha256
    assert "SECRET" not in (tmp_path / "diary.csv").read_text("utf-8-sig")


def test_csv_cells_cannot_run_as_formulas(diary: Vault, tmp_path: Path) -> None:
    rows = read_csv(export_csv(diary, tmp_path / "diary.csv"))
    assert rows[0]["crime_reference"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["witnesses"] == "'+44 7700 900123"
    assert rows[1]["description"] == "'-2+3"
    for cell in ("@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(cell).startswith("'")
    assert safe_cell("plain = text") == "plain = text"


def test_json_has_entries_people_evidence_and_options(diary: Vault, tmp_path: Path) -> None:
    doc = json.loads(export_json(diary, tmp_path / "diary.json").read_text("utf-8"))
    assert doc["format"] == "safediary.export" and doc["version"] == 1
    assert doc["diary_fingerprint"] == diary.fingerprint
    assert [i["entry_no"] for i in doc["incidents"]] == [1, 2]
    first = doc["incidents"][0]
    assert first["description"] == TRICKY
    assert first["crime_reference"] == '=HYPERLINK("http://x")'
    assert first["kinds"] == ["text_message", "threat"]
    assert datetime.fromisoformat(first["happened_at"]) == T0
    assert doc["people"][0]["notes"] == "born 1988"
    evidence = doc["evidence"][0]
    assert evidence["ref"] == "E-1" and evidence["entries"] == [1]
    assert evidence["sha256"] == diary.evidence.list()[0].sha256
    assert "SECRET" not in json.dumps(doc)


def test_json_options_private_and_feelings(diary: Vault, tmp_path: Path) -> None:
    options = ReportOptions(include_private=True, include_feelings=False)
    doc = json.loads(export_json(diary, tmp_path / "d.json", options).read_text("utf-8"))
    assert [i["description"] for i in doc["incidents"]][-1] == "SECRET"
    assert all(i["feelings"] is None for i in doc["incidents"])


def test_lone_surrogates_stay_exact_in_json(vault: Vault, tmp_path: Path) -> None:
    vault.incidents.add(occurred_at=T0, description="a\ud800b")
    doc = json.loads(export_json(vault, tmp_path / "d.json").read_text("ascii"))
    assert doc["incidents"][0]["description"] == "a\ud800b"
    rows = read_csv(export_csv(vault, tmp_path / "d.csv"))
    assert rows[0]["description"] == "a\ufffdb"


def test_exports_replace_atomically(diary: Vault, tmp_path: Path) -> None:
    out = tmp_path / "diary.csv"
    out.write_text("old")
    export_csv(diary, out)
    export_json(diary, tmp_path / "diary.json")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "diary.csv",
        "diary.json",
        "photo.txt",
    ]
