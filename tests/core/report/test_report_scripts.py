"""Every word prints (issue 16): each script, emoji, fallback and markers, read back."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.platypus import Spacer

from safediary.core import Vault
from safediary.core.report import ReportOptions, render_report
from safediary.core.report.fonts import font_for, marker
from safediary.core.wording import visible_name
from tests.conftest import require_tool
from tests.support.pdfglyphs import walk
from tests.support.scripts import RTL, SAMPLES

T0 = datetime(2026, 3, 2, 21, 40, tzinfo=timezone(timedelta(hours=1)))
MISSING = "\U0001e900"  # ADLAM CAPITAL LETTER ALIF: no bundled font has it


@pytest.fixture
def world_pdf(vault: Vault, tmp_path: Path) -> bytes:
    """A diary with one entry per script, names and places in them, and an odd file name."""
    vault.people.add("أحمد خان", relationship="زوج سابق — ex-husband 前夫")
    for n, (name, text) in enumerate(SAMPLES.items()):
        inc = vault.incidents.add(
            occurred_at=T0 + timedelta(days=n),
            location=f"{name}: {text[:12]}",
            kinds={"text_message"},
            description=text,
            exact_words=text,
        )
        if name == "Emoji":
            disguised = tmp_path / "photo\u202egpj.exe"
            disguised.write_bytes(b"not really a picture")
            ev = vault.evidence.add_file(disguised, incident_id=inc.id)
            vault.evidence.describe(
                ev.id, description="他发来的照片 صورة أرسلها", original_location="הטלפון שלי"
            )
    vault.incidents.add(
        occurred_at=T0 + timedelta(days=40),
        location="Nowhere",
        kinds={"other"},
        description=f"Adlam {MISSING} has no font",
    )
    return bytes(render_report(vault, ReportOptions(user_name="李小龙 وہ")))


def test_every_glyph_drawn_is_a_real_glyph(world_pdf: bytes) -> None:
    report = walk(world_pdf)
    assert report.glyphs > 2000
    assert report.notdef == [], f"glyph 0 (an empty box) drawn: {report.notdef[:10]}"
    assert report.unchecked_glyphs == 0, report.unchecked_fonts


def test_fonts_cover_every_sample() -> None:
    for name, text in SAMPLES.items():
        missing = [c for c in text if font_for(ord(c)) is None and c not in "\u200d\ufe0f"]
        assert not missing, f"{name}: no font for {missing}"


def test_marker_names_the_character() -> None:
    assert marker("\U0001f52a") == "[U+1F52A HOCHO]"
    assert marker(MISSING) == "[U+1E900 ADLAM CAPITAL LETTER ALIF]"


def test_visible_name_shows_bidi_controls() -> None:
    assert visible_name("photo\u202egpj.exe") == "photo[U+202E RIGHT-TO-LEFT OVERRIDE]gpj.exe"
    assert visible_name("صورة.jpg") == "صورة.jpg"


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    # poppler marks right-to-left stretches with embedding controls; they are not text
    return re.sub("[\u202a-\u202e]", "", out)


def test_each_sample_copies_out_as_written(world_pdf: bytes, tmp_path: Path) -> None:
    require_tool("pdftotext")
    text = _pdftotext(world_pdf, tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    for name, sample in SAMPLES.items():
        if name in RTL or name == "Mixed":
            # poppler rebuilds reading order from glyph positions: check every word
            # comes out whole, letters in reading order, and the words in order
            words = sample.split()
            hit = [line for line in lines if all(w in line for w in words)]
            assert hit, f"{name}: {sample!r} not found in the text layer"
        else:
            assert sample in lines, f"{name}: {sample!r} does not copy out as written"
    assert "[U+1E900 ADLAM CAPITAL LETTER ALIF]" in text
    assert "[U+202E RIGHT-TO-LEFT OVERRIDE]" in text
    assert "他发来的照片" in text  # an evidence description
    assert world_pdf.count(b"/Subtype /Link") >= 10  # links inside shaped cells still work
    assert "\ufffd" not in text
    assert not re.search("[\ue000-\uf8ff\U000f0000-\U000fffff]", text), "private-use text leaked"


def test_long_right_to_left_and_cjk_text_flows_across_pages(vault: Vault, tmp_path: Path) -> None:
    arabic = "رسالة رقم {} وصلت في الليل. "
    chinese = "第{}条短信在夜里到达。"
    text = "".join(arabic.format(n) + chinese.format(n) for n in range(900))
    vault.incidents.add(occurred_at=T0, location="", kinds={"threat"}, description=text)
    pdf = bytes(render_report(vault, ReportOptions()))
    report = walk(pdf)
    assert report.notdef == []
    assert pdf.count(b"/Type /Page\n") >= 6
    require_tool("pdftotext")
    out = _pdftotext(pdf, tmp_path)
    for n in (0, 450, 899):
        assert chinese.format(n).rstrip("。") in out.replace("\n", "")


_ALPHABET = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FF),
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),  # combining marks
    st.characters(min_codepoint=0x590, max_codepoint=0x6FF),  # Hebrew, Arabic
    st.characters(min_codepoint=0x900, max_codepoint=0xBFF),  # Indic
    st.characters(min_codepoint=0xE00, max_codepoint=0xE7F),  # Thai
    st.characters(min_codepoint=0x2000, max_codepoint=0x206F),  # punctuation, bidi controls
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
    st.characters(min_codepoint=0xFE00, max_codepoint=0xFE0F),  # variation selectors
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji, modifiers
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, categories=["Lo", "So"]),
    st.characters(categories=["Cn"]),  # unassigned: no bidi class, no name
    st.sampled_from(["\n", " ", "\u200d", "\u202e", "\u2067", "&", "<", ">"]),
)


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=120))
def test_any_text_prints_without_an_empty_box(text: str) -> None:
    from reportlab.platypus import SimpleDocTemplate

    from safediary.core.report.text import Styles, paragraphs

    buffer = io.BytesIO()
    story = paragraphs(text, Styles().body) or [Spacer(1, 1)]
    SimpleDocTemplate(buffer).build(story)
    assert walk(buffer.getvalue()).notdef == []


def test_cjk_glyph_forms_follow_the_language() -> None:
    from safediary.core.report.shaping import cjk_language

    assert cjk_language(SAMPLES["Japanese"]) == "ja"
    assert cjk_language(SAMPLES["Korean"]) == "ko"
    assert cjk_language(SAMPLES["Chinese (Traditional)"]) == "zh-tw"
    assert cjk_language(SAMPLES["Chinese"]) == "zh-cn"
    # the same character, 直, is drawn with a different glyph in Japanese and in Chinese
    from safediary.core.report.shaping import prepare

    frag = type("Frag", (), {"fontName": "SafeDiarySans", "fontSize": 10})()
    ja = prepare([("直すね", frag)]).runs[0].glyphs[0][0]
    zh = prepare([("直接", frag)]).runs[0].glyphs[0][0]
    assert ja != zh


def test_arabic_vowel_marks_copy_out_with_their_letters(tmp_path: Path) -> None:
    require_tool("pdftotext")
    from reportlab.platypus import SimpleDocTemplate

    from safediary.core.report.text import Styles, paragraphs

    buffer = io.BytesIO()
    story = paragraphs("He said مَرْحَبًا بِكُمْ and left\n\nقالَ لا أعرفُ لماذا", Styles().body)
    SimpleDocTemplate(buffer).build(story)
    text = _pdftotext(buffer.getvalue(), tmp_path)
    assert "مَرْحَبًا" in text  # marks stay on their letters, in typed order
    assert "قالَ لا" in text


def test_markers_do_not_overflow_table_cells(vault: Vault) -> None:
    """A place written in characters no font has still fits its log cell (markers count)."""
    from safediary.core.report.text import is_short, shorten

    fraktur = "𝕳𝖊 𝖘𝖆𝖎𝖉 " * 40
    if font_for(ord("𝕳")) is None:
        cut, was_cut = shorten(fraktur, 120)
        assert was_cut and len(cut) < 10
        assert not is_short(fraktur)
    vault.incidents.add(
        occurred_at=T0, location=fraktur, kinds={"threat"}, description=fraktur, witnesses=fraktur
    )
    pdf = bytes(render_report(vault, ReportOptions()))
    assert walk(pdf).notdef == []
