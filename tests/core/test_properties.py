"""Bad input, property-based: any text, any time zone, any file name, any report text.

One vault per module (each costs a KDF and a database); examples are bounded so
the whole file stays well under a minute.
"""

from __future__ import annotations

import os
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safediary.core import InvalidInput, Vault
from safediary.core.diary.incidents import Incident
from safediary.core.report import ReportOptions, render_report
from safediary.core.vault.keys import KdfParams

PASS = "property tests passphrase"
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_META = {"id", "number", "recorded_at", "revision", "saved_at"}
TEXT_FIELDS = [f.name for f in fields(Incident) if f.type == "str" and f.name not in _META]
ZONES = [
    "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
    "Pacific/Chatham", "America/St_Johns", "Europe/Moscow", "Asia/Kathmandu", "UTC",
]
SPECIAL = [
    "",
    "\x00\x01\x07\x1b[31m\x7f",
    "line one\r\nline two\rthree\nfour\u2028five\u2029",
    "مرحبا \u202eevil\u202c שלום",  # Arabic, RTL override, Hebrew
    "👩‍👩‍👧‍👦 🏳️‍🌈 ✊🏿",  # ZWJ sequences, skin tone
    "e\u0301 \u0065\u0308\u0301\u0323",  # combining marks, not normalised
    "<b>not bold</b> &amp; <script>x</script> %s {0} \\x00",
    "\ufeff\u200b\u200d\ufffe\uffff",
    "\ud800 lone \udfff surrogates",
    "𝕳𝖊 𝖘𝖆𝖎𝖉 " * 20,
]
any_char = st.characters(exclude_categories=())  # every code point, surrogates included
any_text = st.one_of(st.sampled_from(SPECIAL), st.text(any_char, max_size=300))

# what each example stored, checked again after lock and unlock
STORED: dict[int, list[dict[str, str]]] = {}


@pytest.fixture(scope="module")
def pvault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    folder = tmp_path_factory.mktemp("props") / "vault"
    vault, _ = Vault.create(folder, PASS, kdf=KdfParams.fast())
    yield vault
    vault.lock()


def _values(inc: Any) -> dict[str, str]:
    return {name: getattr(inc, name) for name in TEXT_FIELDS}


@SETTINGS
@given(first=st.fixed_dictionaries({n: any_text for n in TEXT_FIELDS}),
       second=st.fixed_dictionaries({n: any_text for n in TEXT_FIELDS}))
def test_any_text_round_trips_through_add_amend_history(
    pvault: Vault, first: dict[str, str], second: dict[str, str]
) -> None:
    inc = pvault.incidents.add(datetime(2024, 1, 1, tzinfo=UTC), **first)
    assert _values(pvault.incidents.get(inc.id)) == first
    pvault.incidents.amend(inc.id, **second)
    assert _values(pvault.incidents.get(inc.id)) == second
    history = pvault.incidents.history(inc.id)
    assert [_values(r.incident) for r in history] == [first, second]
    pvault.incidents.search(first["description"])  # any text is a safe search query
    STORED[inc.id] = [first, second]


def test_one_megabyte_of_any_text(pvault: Vault) -> None:
    rng = random.Random(1)
    chars = [chr(rng.randrange(0x110000)) for _ in range(1_000_000)]
    text = "".join(chars)
    assert len(text) == 1_000_000
    values = {n: "" for n in TEXT_FIELDS} | {"description": text, "exact_words": text[:5000]}
    inc = pvault.incidents.add(datetime(2024, 2, 1, tzinfo=UTC), **values)
    assert pvault.incidents.get(inc.id).description == text
    assert pvault.incidents.history(inc.id)[0].incident.description == text
    STORED[inc.id] = [values]


# ----------------------------------------------------------------------------- dates


@st.composite
def aware_datetimes(draw: st.DrawFn) -> datetime:
    """Times across zones, half of them within a day of a DST change."""
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    if draw(st.booleans()):
        base = draw(st.sampled_from([
            datetime(2024, 3, 31, 1, 0), datetime(2024, 10, 27, 1, 0),  # Europe
            datetime(2024, 3, 10, 2, 0), datetime(2024, 11, 3, 1, 0),  # North America
            datetime(2024, 4, 7, 2, 0), datetime(2024, 10, 6, 2, 0),  # Lord Howe, Chatham
        ]))
        naive = base + timedelta(minutes=draw(st.integers(-90, 90)))
    else:
        naive = draw(st.datetimes(datetime(1990, 1, 1), datetime(2060, 1, 1)))
    value = naive.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))
    if draw(st.booleans()):  # also plain fixed offsets
        value = value.astimezone(timezone(timedelta(minutes=draw(st.integers(-720, 840)))))
    return value


@SETTINGS
@given(times=st.lists(aware_datetimes(), min_size=2, max_size=8))
def test_times_across_zones_and_dst_keep_their_order(
    pvault: Vault, times: list[datetime]
) -> None:
    created = [pvault.incidents.add(t, description="when") for t in times]
    by_id = {inc.id: t for inc, t in zip(created, times, strict=True)}
    listed = [i for i in pvault.incidents.list() if i.id in by_id]
    expected = sorted(created, key=lambda i: (by_id[i.id].timestamp(), i.number))
    assert [i.id for i in listed] == [i.id for i in expected]
    for inc in listed:
        assert inc.occurred_at.timestamp() == by_id[inc.id].timestamp()
        assert inc.occurred_at.utcoffset() == by_id[inc.id].utcoffset()
    newest = [i for i in pvault.incidents.list(newest_first=True) if i.id in by_id]
    assert [i.id for i in newest] == [i.id for i in reversed(expected)]


def test_text_survives_lock_and_unlock(pvault: Vault) -> None:
    if not STORED:  # run on its own: store something first
        inc = pvault.incidents.add(datetime(2024, 1, 1, tzinfo=UTC), description=SPECIAL[3])
        STORED[inc.id] = [_values(pvault.incidents.get(inc.id))]
    folder = pvault.folder
    pvault.lock()
    with Vault.unlock(folder, PASS) as again:
        for incident_id, revisions in STORED.items():
            history = again.incidents.history(incident_id)
            assert [_values(r.incident) for r in history] == revisions
        assert again.verify().ok


# ----------------------------------------------------------------------------- file names


def _fits(name: str) -> bool:
    return name not in (".", "..") and 0 < len(name.encode("utf-8")) <= 255


file_names = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1,
    max_size=80,
).filter(_fits)


@pytest.fixture(scope="module")
def fvault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, Path]]:
    base = tmp_path_factory.mktemp("names")
    vault, _ = Vault.create(base / "vault", PASS, kdf=KdfParams.fast())
    yield vault, base
    vault.lock()


@SETTINGS
@given(name=file_names, data=st.binary(max_size=3000))
def test_any_file_name_imports_and_exports_exactly(
    fvault: tuple[Vault, Path], name: str, data: bytes
) -> None:
    vault, base = fvault
    src = base / "src"
    out = base / "out"
    for folder in (src, out):
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    (src / name).write_bytes(data)
    ev = vault.evidence.add_file(src / name)
    assert ev.original_name == name
    assert vault.evidence.get(ev.id).original_name == name
    assert vault.evidence.read(ev.id) == data
    exact = vault.evidence.export(ev.id, out / name)  # to a path: the very same name
    assert exact.name == name and exact.read_bytes() == data
    exact.unlink()
    into = vault.evidence.export(ev.id, out)  # into a folder: a safe form of the name
    assert into.parent == out and into.read_bytes() == data
    assert (src / name).read_bytes() == data  # the original is never changed


def test_a_name_that_is_not_utf8_still_imports(fvault: tuple[Vault, Path]) -> None:
    vault, base = fvault
    if os.name != "posix":
        pytest.skip("undecodable file names are a POSIX thing")
    path = Path(os.fsdecode(os.fsencode(base) + b"/caf\xe9 photo \xff.jpg"))
    path.write_bytes(b"old camera")
    ev = vault.evidence.add_file(path)
    assert ev.original_name == "caf\ufffd photo \ufffd.jpg"
    assert vault.evidence.read(ev.id) == b"old camera"


# ----------------------------------------------------------------------------- report


@pytest.fixture(scope="module")
def rvault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    vault, _ = Vault.create(tmp_path_factory.mktemp("report") / "vault", PASS,
                            kdf=KdfParams.fast())
    yield vault
    vault.lock()


_day = iter(range(1_000_000))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({n: any_text for n in TEXT_FIELDS}),
       tags=st.lists(any_text, max_size=3), name=any_text)
def test_any_text_prints_in_the_report(
    rvault: Vault, values: dict[str, str], tags: list[str], name: str
) -> None:
    when = datetime(2000, 1, 1, 12, tzinfo=UTC) + timedelta(days=next(_day))
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # people are stored as plain text: refused with a clear message
        with pytest.raises(InvalidInput, match="broken character"):
            rvault.people.add(name=name)
        name = name.encode("utf-8", "replace").decode("utf-8")
    person = rvault.people.add(name=name if name.strip() else "someone", description=name)
    rvault.incidents.add(when, tags=tags, people=[person.id], kinds={"threat"}, **values)
    pdf = render_report(rvault, ReportOptions(start=when, end=when + timedelta(days=1),
                                              include_private=True, statement=name))
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]


def test_a_long_entry_prints_in_the_report(rvault: Vault) -> None:
    rng = random.Random(2)
    text = "".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(100_000))
    text = unicodedata.normalize("NFC", text.encode("utf-8", "replace").decode("utf-8"))
    when = datetime(1995, 6, 1, tzinfo=UTC)
    rvault.incidents.add(when, description=text, exact_words=text[:20_000])
    pdf = render_report(rvault, ReportOptions(start=when, end=when + timedelta(days=1)))
    assert pdf.startswith(b"%PDF")
