"""The exhibit bundle: what the user hands to the police, in one new folder.

    Diary report.pdf            the report, whose exhibit marks name the files below
    RW-1 screenshot.png …       an exact copy of each exhibit (SHA-256 checked after writing)
    manifest.csv, manifest.json mark, names, size, SHA-256, times, description, where the
                                original is kept, linked entries, the diary fingerprint
    HOW-TO-VERIFY.txt           plain steps to check the files on Windows, macOS and Linux

Everything is written into a hidden temporary folder beside the destination and
renamed into place only when complete, so a cancel or a full disk leaves no half
bundle. An existing folder is never overwritten. These copies are NOT encrypted:
the GUI says so before it starts.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import secrets
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from safediary.core.errors import InvalidInput, VaultCorrupted
from safediary.core.fsutil import atomic_write, fsync_dir, storage_error
from safediary.core.progress import CancelFn, ProgressFn
from safediary.core.report.about import HASH_COMMANDS
from safediary.core.report.data import (
    EvidenceItem,
    ReportCancelled,
    ReportData,
    ReportOptions,
    collect,
    fmt_datetime,
    safe_file_name,
)
from safediary.core.wording import visible_name

Render = Callable[..., bytes]

REPORT_NAME = "Diary report.pdf"
HOW_TO = "HOW-TO-VERIFY.txt"
MANIFEST_COLUMNS = (
    "mark",
    "file_in_this_folder",
    "original_name",
    "size_bytes",
    "sha256",
    "file_modified_at",
    "taken_at",
    "put_in_diary_at",
    "description",
    "original_location",
    "linked_entries",
    "diary_ref",
    "diary_fingerprint",
)

# Progress is (done, TOTAL): copying exhibits, then the report, then the manifests.
TOTAL = 1000
_CHECKED = 100
_COPIED = 450
_REPORTED = 950


def bundle_name(made_at: datetime) -> str:
    """``Diary report and exhibits 2026-11-29 17.40`` (no characters any system refuses)."""
    return f"Diary report and exhibits {made_at:%Y-%m-%d %H.%M}"


def _target(dest: Path, made_at: datetime) -> Path:
    """The new folder to create: ``dest`` itself if it does not exist yet, else a new
    dated folder inside it (never an existing one)."""
    if not dest.exists():
        return dest
    if not dest.is_dir():
        raise InvalidInput(f"“{dest.name}” is a file, not a folder. Choose a folder.")
    base = bundle_name(made_at)
    for n in range(1, 1000):
        candidate = dest / (base if n == 1 else f"{base} ({n})")
        if not candidate.exists():
            return candidate
    raise InvalidInput("Too many bundles in that folder already. Choose another folder.")


def _copy_exhibit(vault: Any, item: EvidenceItem, folder: Path, check: Callable[[], None]) -> int:
    """Write an exact copy of one exhibit, read it back and check its SHA-256."""
    dest = folder / item.file_name
    check()
    vault.evidence.export(item.id, dest)
    digest = hashlib.sha256()
    size = 0
    with open(dest, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    if digest.hexdigest() != item.sha256 or (item.size is not None and size != item.size):
        raise VaultCorrupted(
            f"The copy of exhibit {item.mark} (“{visible_name(item.original_name)}”) does not "
            "match its SHA-256 after writing. The disk may be failing; no bundle was made."
        )
    return size


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def manifest_rows(data: ReportData) -> list[dict[str, Any]]:
    """One row per exhibit, as both manifests hold it."""
    rows = []
    for item in data.evidence:
        rows.append(
            {
                "mark": item.mark,
                "file_in_this_folder": item.file_name,
                "original_name": item.original_name,
                "size_bytes": item.size,
                "sha256": item.sha256,
                "file_modified_at": _iso(item.modified_at),
                "taken_at": item.captured_at or "",
                "put_in_diary_at": _iso(item.imported_at),
                "description": item.description,
                "original_location": item.original_location,
                "linked_entries": list(item.incident_numbers),
                "diary_ref": item.ref,
                "diary_fingerprint": data.fingerprint,
            }
        )
    return rows


def _manifest_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        values = []
        for key in MANIFEST_COLUMNS:
            value = row[key]
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            text = "" if value is None else str(value)
            if text[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
                text = "'" + text
            values.append(text)
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8-sig")


def _manifest_json(data: ReportData, rows: list[dict[str, Any]]) -> bytes:
    document = {
        "format": "safediary.exhibit-bundle",
        "version": 1,
        "made_at": data.generated_at.isoformat(),
        "report": REPORT_NAME,
        "diary_fingerprint": data.fingerprint,
        "diary_check_passed": data.check_ok,
        "diary_check_problems": data.check_problems,
        "exhibits": rows,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def how_to_verify(data: ReportData) -> str:
    """The text of HOW-TO-VERIFY.txt."""
    lines = [
        "HOW TO CHECK THE FILES IN THIS FOLDER",
        "",
        f"Made by SafeDiary on {fmt_datetime(data.generated_at, zone=True)}.",
        "",
        f"This folder holds the diary report ({REPORT_NAME}) and an exact copy of each",
        "evidence file (exhibit) it lists. Each copy is named by its exhibit mark",
        "(a mark such as RW/1 is written RW-1 in a file name, because a file name cannot",
        "contain '/'). manifest.csv and manifest.json list every exhibit with its SHA-256.",
        "",
        "A file is an exact copy of the original if its SHA-256 is the same as the one",
        "in the manifest and in the report's evidence index, all 64 characters (capital and",
        "small letters count as the same).",
        "",
        "To work out a file's SHA-256:",
        "",
    ]
    for system, how, command in HASH_COMMANDS:
        lines += [f"  {system}: {how}", f"      {command}", ""]
    lines += [
        "Put the file's name where FILE is, in quotes if it has spaces, for example:",
        '      certutil -hashfile "RW-1 screenshot.png" SHA256',
        "(Older versions of Windows show the characters in pairs with spaces between;",
        "ignore the spaces.)",
        "",
        "THE DIARY ITSELF",
        "",
        "The diary fingerprint when this folder was made was:",
        f"      {data.fingerprint}",
        "",
        "It is printed at the foot of every page of the report. The diary's owner can show",
        "it in SafeDiary (Backup..., then Check my diary...): if nothing has been added to or",
        "changed in the diary since, it is the same. It covers every version of every entry,",
        "the people named, each evidence file's record and links, court orders and the",
        "safety checklist. Times in the diary come from the computer's clock.",
        "",
    ]
    if data.check_ok:
        lines.append("The diary was checked just before this folder was made: no problems.")
    else:
        lines.append("THE CHECK MADE JUST BEFORE THIS FOLDER WAS MADE FOUND PROBLEMS:")
        lines += [f"  - {problem}" for problem in data.check_problems]
    lines += [
        "",
        "These copies are not encrypted. Anyone who has this folder can read them.",
        "",
    ]
    return "\r\n".join(lines)


def _zip_folder(folder: Path, dest: Path) -> Path:
    """A ZIP of ``folder`` beside it (written to a temporary name, then renamed)."""
    if dest.exists():
        raise InvalidInput(f"“{dest.name}” already exists there.")
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, f"{folder.name}/{path.name}")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return dest


def write_bundle(
    vault: Any,
    dest: Path,
    options: ReportOptions,
    *,
    render: Render,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    make_zip: bool = False,
) -> Path:
    """Write the bundle into a new folder (see the module text) and return that folder.

    ``dest`` is the folder to create; if it exists already, a new dated folder is made
    inside it. With ``make_zip`` a ZIP of the folder is written beside it too.
    """

    def check() -> None:
        if cancel is not None and cancel():
            raise ReportCancelled("The bundle was stopped. Nothing was saved.")

    def report(done: int) -> None:
        check()
        if progress is not None:
            progress(max(0, min(TOTAL, done)), TOTAL)

    report(0)
    data = collect(
        vault,
        options,
        cancel=cancel,
        check_progress=lambda done, total: report(_CHECKED * done // max(1, total or 0)),
    )
    target = _target(dest, data.generated_at)
    zip_path = target.with_name(target.name + ".zip") if make_zip else None
    if zip_path is not None and zip_path.exists():
        raise InvalidInput(f"“{zip_path.name}” already exists there. Choose another folder.")
    work = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        try:
            work.mkdir(parents=True)
        except OSError as exc:
            raise storage_error(exc, f"make the folder “{target.name}”") from exc
        total = sum(e.size or 0 for e in data.evidence) or 1
        copied = 0
        for item in data.evidence:
            copied += _copy_exhibit(vault, item, work, check)
            report(_CHECKED + (_COPIED - _CHECKED) * copied // total)
        if data.evidence:  # exporting is logged in the diary: print the fingerprint after it
            again = collect(vault, options, thumbnails=options.include_thumbnails, check=False)
            again.check_ok, again.check_problems = data.check_ok, data.check_problems
            again.clock_notes = data.clock_notes
            data = again

        def report_progress(done: int, of: int) -> None:
            report(_COPIED + (_REPORTED - _COPIED) * done // max(1, of))

        pdf = render(vault, data, progress=report_progress, cancel=cancel)
        atomic_write(work / REPORT_NAME, pdf)
        rows = manifest_rows(data)
        atomic_write(work / "manifest.csv", _manifest_csv(rows))
        atomic_write(work / "manifest.json", _manifest_json(data, rows))
        atomic_write(work / HOW_TO, how_to_verify(data).encode("utf-8-sig"))
        check()
        os.replace(work, target)
        fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if zip_path is not None:  # the folder is complete: the ZIP is not stopped half-way
        _zip_folder(target, zip_path)
    if progress is not None:
        progress(TOTAL, TOTAL)
    return target


__all__ = ["bundle_name", "how_to_verify", "manifest_rows", "safe_file_name", "write_bundle"]
