"""``safediary --self-test``: a headless check that this build really works.

It makes a throwaway vault (fast KDF) in ``<data>/selftest``, checks that
SQLCipher is present and really encrypts, that the crypto primitives give the
published answers, that evidence, fonts, the report and Qt (offscreen) work,
then removes the throwaway vault. Each check prints one line; the last line is
``self-test passed`` (exit 0) or says what failed (exit 1).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import secrets
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from safediary.host.paths import DataLocation

PASSED = "self-test passed"
FAILED = "self-test FAILED"
_PASSPHRASE = "self-test passphrase «✓»"

# Argon2id("password", "somesalt", t=2, m=64 MiB, p=1) — the reference
# implementation's published test value.
_ARGON2_KAT = "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
# RFC 5869 test case 1 (HKDF-SHA256), first 32 bytes of OKM.
_HKDF_KAT = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"


class CheckFailed(Exception):
    """One self-test check found a problem; the message says which."""


@dataclass
class _Context:
    """State shared by the checks: the throwaway folder and its vault."""

    folder: Path
    marker: str = field(default_factory=lambda: "SELFTEST-" + secrets.token_hex(12))
    vault: Any = None
    incident_id: int | None = None
    pdf: bytes | None = None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# -- checks -------------------------------------------------------------------------
def check_crypto(ctx: _Context) -> str:
    """AES-256-GCM round trip and tamper detection; Argon2id and HKDF known answers."""
    from argon2.low_level import Type, hash_secret_raw
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from safediary.core.vault.keys import hkdf

    key, nonce, data = AESGCM.generate_key(256), secrets.token_bytes(12), ctx.marker.encode()
    sealed = AESGCM(key).encrypt(nonce, data, b"aad")
    _require(data not in sealed, "AES-GCM output contains the plaintext")
    _require(AESGCM(key).decrypt(nonce, sealed, b"aad") == data, "AES-GCM round trip failed")
    tampered = bytes([sealed[0] ^ 1]) + sealed[1:]
    try:
        AESGCM(key).decrypt(nonce, tampered, b"aad")
    except InvalidTag:
        pass
    else:
        raise CheckFailed("AES-GCM accepted altered data")
    argon = hash_secret_raw(
        b"password",
        b"somesalt",
        time_cost=2,
        memory_cost=65536,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    _require(argon.hex() == _ARGON2_KAT, "Argon2id gave a wrong answer")
    okm = hkdf(bytes([0x0B] * 22), bytes(range(0xF0, 0xFA)), bytes(range(13)))
    _require(okm.hex() == _HKDF_KAT, "HKDF-SHA256 gave a wrong answer")
    return "AES-256-GCM, Argon2id and HKDF-SHA256 give the right answers"


def check_sqlcipher(ctx: _Context) -> str:
    """Make a vault, write an entry, check the file holds no plaintext, reopen it."""
    import sqlcipher3

    from safediary.core import Vault
    from safediary.core.timeutil import now
    from safediary.core.vault import keys
    from safediary.core.vault.db import DB_FILE

    vault, _recovery = Vault.create(ctx.folder, _PASSPHRASE, kdf=keys.KdfParams.fast())
    ctx.vault = vault
    version = vault._db.query("PRAGMA cipher_version")[0][0]
    inc = vault.incidents.add(
        occurred_at=now(),
        location="self-test",
        kinds={"other"},
        description=f"{ctx.marker} written by the self-test",
    )
    ctx.incident_id = inc.id
    vault.lock()
    ctx.vault = None
    stored = b"".join(p.read_bytes() for p in ctx.folder.glob(DB_FILE + "*") if p.is_file())
    _require(bool(stored), "the database file was not written")
    _require(not stored.startswith(b"SQLite format 3"), "the database file is not encrypted")
    _require(ctx.marker.encode() not in stored, "the entry's text is readable in the database file")
    with contextlib.closing(sqlcipher3.connect(str(ctx.folder / DB_FILE))) as plain:
        try:
            plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            pass
        else:
            raise CheckFailed("the database opened without its key")
    ctx.vault = Vault.unlock(ctx.folder, _PASSPHRASE)
    back = ctx.vault.incidents.get(inc.id)
    _require(ctx.marker in back.description, "the entry did not read back after reopening")
    return f"SQLCipher {version} encrypts the diary; reopened with the passphrase"


def check_evidence(ctx: _Context) -> str:
    """Import a small file as evidence, check it is stored encrypted and reads back."""
    evidence = getattr(ctx.vault, "evidence", None)
    if evidence is None:
        return "skipped: this build has no evidence store yet"
    source = ctx.folder / "selftest-evidence.txt"
    content = (ctx.marker + " evidence\n").encode() * 64
    source.write_bytes(content)
    try:
        ev = evidence.add_file(source, incident_id=ctx.incident_id)
    finally:
        source.unlink()
    _require(evidence.read(ev.id) == content, "evidence did not read back exactly")
    _require(bool(evidence.verify(ev.id)), "evidence failed its hash check")
    for path in ctx.folder.rglob("*"):
        if path.is_file() and ctx.marker.encode() in path.read_bytes():
            raise CheckFailed(f"evidence text is readable in {path.name}")
    return "evidence is stored encrypted, reads back and verifies"


_SCRIPT_LETTERS = {
    "Latin": "ż", "Greek": "Ω", "Cyrillic": "Ж", "Arabic/Urdu": "ٹ", "Hebrew": "א",
    "Devanagari": "क", "Bengali": "ক", "Gurmukhi": "ਕ", "Gujarati": "ક", "Tamil": "க",
    "Thai": "ก", "Chinese/Japanese": "家", "Korean": "한", "emoji": "\U0001f52a",
}  # fmt: skip


def check_fonts(ctx: _Context) -> str:
    """The report's bundled fonts are present, load, and draw every script it promises."""
    from safediary.core.report.fonts import FONT_FILES, font_for, load
    from safediary.host.resources import resource_path

    folder = resource_path("fonts")
    missing = [name for name in FONT_FILES if not (folder / name).is_file()]
    _require(not missing, f"report fonts missing from {folder}: {', '.join(missing)}")
    drawn = {script: font_for(ord(letter)) for script, letter in _SCRIPT_LETTERS.items()}
    lacking = [script for script, font in drawn.items() if font is None]
    _require(not lacking, f"no bundled font draws {', '.join(lacking)}")
    for font in set(drawn.values()):
        load(str(font))
    shaped = _shaped_pdf(" ".join(_SCRIPT_LETTERS.values()) + " كان ينتظرني क्षमा")
    _require(shaped.startswith(b"%PDF"), "shaped text did not make a PDF")
    return f"{len(FONT_FILES)} report fonts; every script has one and shapes ({', '.join(drawn)})"


def _shaped_pdf(text: str) -> bytes:
    """A one-paragraph PDF through the shaping engine (HarfBuzz, bidi, fallback)."""
    from reportlab.platypus import SimpleDocTemplate

    from safediary.core.report.shaping import ShapedParagraph
    from safediary.core.report.text import Styles, markup

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([ShapedParagraph(markup(text), Styles().body)])
    return buffer.getvalue()


def check_report(ctx: _Context) -> str:
    """Write a report into memory with the report module, or a plain PDF if it is absent."""
    try:
        report = importlib.import_module("safediary.core.report")
    except ModuleNotFoundError as exc:
        if exc.name != "safediary.core.report":
            raise
        ctx.pdf = _plain_pdf(ctx.marker)
        return f"reportlab writes a PDF ({len(ctx.pdf):,} bytes); report module not in this build"
    options = report.ReportOptions()
    if hasattr(report, "render_report"):
        pdf = report.render_report(ctx.vault, options)
    else:
        buffer = io.BytesIO()
        report.write_report(ctx.vault, buffer, options)
        pdf = buffer.getvalue()
    pdf = bytes(pdf)
    _require(pdf.startswith(b"%PDF"), "the report is not a PDF")
    ctx.pdf = pdf
    return f"a report was written in memory ({len(pdf):,} bytes)"


def _plain_pdf(text: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from safediary.host.resources import resource_path

    pdfmetrics.registerFont(TTFont("SelfTestSans", str(resource_path("fonts", "DejaVuSans.ttf"))))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("SelfTestSans", 14)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def check_qt(ctx: _Context) -> str:
    """Load Qt offscreen, draw a widget into an image and show the PDF from memory."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import QtPrintSupport  # noqa: F401  (printing the report needs it)
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(["safediary-selftest"])
    label = QLabel("SafeDiary ✓")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("background: white; color: black; font-size: 24px")
    label.resize(200, 60)
    image = QImage(label.size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    label.render(image)
    dark = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if QColor(image.pixel(x, y)).lightness() < 128
    )
    _require(dark > 0, "Qt drew no text (fonts or platform plugin missing)")
    pages = 0
    if ctx.pdf is not None:
        data = QByteArray(ctx.pdf)
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument()
        document.load(buffer)
        pages = document.pageCount()
        _require(pages > 0, "QtPdf could not read the report")
        first = document.render(0, QSize(200, 280))
        _require(not first.isNull(), "QtPdf could not draw the report's first page")
        document.close()
    label.deleteLater()
    app.processEvents()
    from safediary.gui.scripts import install_fonts

    families = install_fonts()
    _require("Noto Sans CJK SC" in families, "Qt did not take the bundled fonts")
    platform = QApplication.platformName()
    return (
        f"Qt {_qt_version()} ({platform}) draws widgets with {len(families)} bundled font "
        f"families; QtPdf shows the report ({pages} p.)"
    )


def _qt_version() -> str:
    from PySide6 import QtCore

    return QtCore.qVersion()


def check_decoder(ctx: _Context) -> str:
    """Start the decoder process (this very executable) and have it draw a PDF page."""
    from safediary.host import sandbox

    pdf = ctx.pdf or _plain_pdf("SafeDiary")
    decoded = sandbox.decode({"job": "pdf", "count": 1, "width": 300}, pdf, timeout=60)
    _require(bool(decoded.pictures), "the decoder process drew no page")
    return (
        f"the decoder process ({sandbox.worker_command()[-1]}) drew page 1 of "
        f"{decoded.info.get('pages')} at {decoded.pictures[0].width} px"
    )


CHECKS: list[tuple[str, Callable[[_Context], str]]] = [
    ("crypto", check_crypto),
    ("database", check_sqlcipher),
    ("evidence", check_evidence),
    ("fonts", check_fonts),
    ("report", check_report),
    ("qt", check_qt),
    ("decoder", check_decoder),
]


def run_self_test(location: DataLocation, out: TextIO | None = None, trace: bool = False) -> int:
    """Run every check, print one line each, clean up; 0 when all passed, else 1.

    ``trace`` adds each failure's traceback (for developers calling this directly).

    A windowed Windows build has no console (``sys.stdout`` is None): the lines
    then go to ``self-test.txt`` in the data folder.
    """
    if out is None and sys.stdout is None:
        location.root.mkdir(parents=True, exist_ok=True)
        with open(location.root / "self-test.txt", "w", encoding="utf-8") as report:
            return run_self_test(location, report, trace)
    out = out or sys.stdout
    folder = location.selftest_dir / secrets.token_hex(4)
    ctx = _Context(folder=folder)
    failures: list[str] = []
    print(
        f"SafeDiary self-test ({'portable' if location.portable else 'installed'} mode)", file=out
    )
    try:
        location.selftest_dir.mkdir(parents=True, exist_ok=True)
        for name, check in CHECKS:
            if name in ("evidence", "report") and ctx.vault is None:
                failures.append(name)
                print(f"  FAIL {name}: skipped because the database check failed", file=out)
                continue
            try:
                detail = check(ctx)
            except Exception as exc:
                failures.append(name)
                print(f"  FAIL {name}: {_describe(exc)}", file=out)
                if trace:
                    traceback.print_exc(file=out)
            else:
                print(f"  ok   {name}: {detail}", file=out)
    finally:
        if ctx.vault is not None:
            with contextlib.suppress(Exception):
                ctx.vault.lock()
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            location.selftest_dir.rmdir()  # only if empty
    if folder.exists():
        failures.append("cleanup")
        print(f"  FAIL cleanup: could not remove {folder}", file=out)
    if failures:
        print(f"{FAILED}: {', '.join(failures)}", file=out)
        return 1
    print(PASSED, file=out)
    return 0


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
