"""Incidents: fields, numbering, revisions, hash chain, search, people, bad input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlcipher3

from safediary.core import InvalidInput, NotFound, Vault
from safediary.core.diary.taxonomy import KIND_IDS
from safediary.core.vault.keys import hkdf
from safediary.core.vault.vault import DB_KEY_INFO
from tests.conftest import PASSPHRASE

UK = timezone(timedelta(hours=0))
T0 = datetime(2026, 1, 5, 8, 15, tzinfo=UK)


def _add(vault: Vault, days: int = 0, **values: object):
    return vault.incidents.add(T0 + timedelta(days=days), **values)


def test_every_field_round_trips(vault: Vault, vault_dir: Path) -> None:
    person = vault.people.add('J. O\'Brien "Jim"', relationship="ex-partner", vehicle="Blue Ford")
    values = dict(
        occurred_until=T0 + timedelta(hours=1),
        approximate=True,
        location="Outside 12 Rue d'Été",
        contact_method="In person",
        kinds={"following", "threat"},
        description="He followed me.\nThen he shouted.",
        exact_words='"You\'ll regret this"',
        feelings="Terrified",
        impact="I can't sleep; I changed my route to work",
        people=[person.id],
        witnesses="Neighbour, 07700 900123",
        others_present="My daughter (7)",
        order_breached=True,
        reported_to="Police, 101",
        officer="PC 1234 Smith",
        police_reference="CRN 12/3456/26",
        evidence_location="Phone screenshots in a locked folder",
        tags=["bus", "evening"],
        private=False,
    )
    inc = vault.incidents.add(T0, **values)
    vault.lock()
    got = Vault.unlock(vault_dir, PASSPHRASE)
    again = got.incidents.get(inc.id)
    for name, value in values.items():
        expected = value
        if name == "kinds":
            expected = frozenset(value)  # type: ignore[arg-type]
        elif name in ("people", "tags"):
            expected = tuple(value)  # type: ignore[arg-type]
        assert getattr(again, name) == expected, name
    assert again.occurred_at == T0 and again.occurred_at.utcoffset() == timedelta(0)
    got.lock()


def test_numbers_are_sequential_and_recorded_at_is_fixed(vault: Vault) -> None:
    a, b, c = (_add(vault, i) for i in range(3))
    assert [a.number, b.number, c.number] == [1, 2, 3]
    amended = vault.incidents.amend(a.id, description="more detail")
    assert amended.recorded_at == a.recorded_at
    assert amended.number == 1 and amended.revision == 2 and amended.amended
    assert amended.saved_at >= a.saved_at


def test_amend_keeps_history(vault: Vault) -> None:
    inc = _add(vault, description="first words", kinds={"phone_call"})
    vault.incidents.amend(inc.id, description="second words")
    vault.incidents.amend(inc.id, kinds={"phone_call", "threat"})
    history = vault.incidents.history(inc.id)
    assert [r.revision for r in history] == [1, 2, 3]
    assert history[0].incident.description == "first words"
    assert history[1].incident.description == "second words"
    assert history[2].incident.kinds == {"phone_call", "threat"}
    assert history[2].incident.description == "second words"
    assert len({r.hash for r in history}) == 3


def test_list_orders_and_filters(vault: Vault) -> None:
    late = _add(vault, 10, kinds={"email"})
    early = _add(vault, 1, kinds={"at_home"}, private=True)
    mid = _add(vault, 5, kinds={"email", "threat"})
    assert [i.id for i in vault.incidents.list()] == [early.id, mid.id, late.id]
    assert [i.id for i in vault.incidents.list(newest_first=True)] == [late.id, mid.id, early.id]
    assert [i.id for i in vault.incidents.list(kinds={"threat"})] == [mid.id]
    assert [i.id for i in vault.incidents.list(include_private=False)] == [mid.id, late.id]
    window = vault.incidents.list(start=T0 + timedelta(days=2), end=T0 + timedelta(days=10))
    assert [i.id for i in window] == [mid.id]


def test_order_is_by_instant_across_time_zones(vault: Vault) -> None:
    tokyo = timezone(timedelta(hours=9))
    ny = timezone(timedelta(hours=-5))
    a = vault.incidents.add(datetime(2026, 1, 5, 9, 0, tzinfo=tokyo))  # 00:00 UTC
    b = vault.incidents.add(datetime(2026, 1, 4, 20, 0, tzinfo=ny))  # 01:00 UTC
    assert [i.id for i in vault.incidents.list()] == [a.id, b.id]


def test_search(vault: Vault) -> None:
    jim = vault.people.add("Jimmy Hargreaves", vehicle="red van")
    a = _add(vault, location="Leeds station", description="Waiting by the ticket barrier")
    b = _add(vault, 1, description="Texted 40 times", feelings="anxious", people=[jim.id])
    c = _add(vault, 2, witnesses="Zoë from next door", description="Łódź café")
    assert [i.id for i in vault.incidents.search("leeds")] == [a.id]
    assert [i.id for i in vault.incidents.search("ticket barr")] == [a.id]
    assert [i.id for i in vault.incidents.search("anxi")] == [b.id]
    assert [i.id for i in vault.incidents.search("hargreaves")] == [b.id]
    assert [i.id for i in vault.incidents.search("red van")] == [b.id]
    assert [i.id for i in vault.incidents.search("zoe")] == [c.id]
    assert [i.id for i in vault.incidents.search("ŁÓDŹ")] == [c.id]
    assert [i.id for i in vault.incidents.search("cafe")] == [c.id]
    assert vault.incidents.search("") == []
    # FTS syntax typed by the user is treated as words, not as a query language.
    assert vault.incidents.search('"unbalanced OR NEAR( * -') == []
    vault.incidents.amend(a.id, location="York")
    assert vault.incidents.search("leeds") == []
    vault.people.update(jim.id, name="James Hargreaves")
    assert [i.id for i in vault.incidents.search("james")] == [b.id]


def test_people(vault: Vault) -> None:
    first = vault.people.add("Unknown man", description="tall, grey coat")
    second = vault.people.add("Alex")
    _add(vault, people=[first.id, second.id])
    _add(vault, 1, people=[second.id])
    assert [p.id for p in vault.people.list()] == [first.id, second.id]
    vault.people.move_first(second.id)
    assert [p.id for p in vault.people.list()] == [second.id, first.id]
    assert vault.people.incident_counts() == {first.id: 1, second.id: 2}
    assert len(vault.incidents.list(person_id=second.id)) == 2
    with pytest.raises(InvalidInput):
        vault.people.add("  ")
    with pytest.raises(InvalidInput):
        _add(vault, people=[999])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kinds": {"stalking_by_owl"}}, "Unknown behaviour"),
        ({"kinds": "threat"}, "not one string"),
        ({"description": 42}, "must be text"),
        ({"private": "yes"}, "true or false"),
        ({"colour": "red"}, "Unknown incident field"),
        ({"occurred_until": T0 - timedelta(hours=1)}, "before the start"),
        ({"occurred_until": datetime(2026, 1, 6)}, "time zone"),
    ],
)
def test_bad_values_rejected(vault: Vault, values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        vault.incidents.add(T0, **values)
    assert vault.incidents.count() == 0


def test_naive_datetime_rejected(vault: Vault) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        vault.incidents.add(datetime(2026, 1, 5, 8, 15))
    with pytest.raises(InvalidInput):
        vault.incidents.list(start=datetime(2026, 1, 1))


def test_amend_unknown_incident(vault: Vault) -> None:
    with pytest.raises(NotFound):
        vault.incidents.amend(12345, description="x")


def test_all_kinds_accepted(vault: Vault) -> None:
    inc = _add(vault, kinds=set(KIND_IDS))
    assert inc.kinds == frozenset(KIND_IDS)


ODD_TEXTS = [
    "<b>bold</b> & <font color=red>x</font> <img src='x'/> <para>",
    "emoji 😡📱🔪 and ZWJ 👩‍👧",
    "مرحبا، هذا نص من اليمين إلى اليسار",
    "שלום עולם",
    "Ωμέγα Καλημέρα Привет Zażółć gęślą jaźń İstanbul",
    "null\x00byte and \x1b[31m escape \r\n CRLF",
    "quotes ' \" ` ‘ ’ “ ” and backslash \\ and %s {0}",
    "lone surrogate \ud800 end",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_text_round_trips(vault: Vault, vault_dir: Path, text: str) -> None:
    inc = _add(vault, description=text, location=text, witnesses=text)
    vault.lock()
    opened = Vault.unlock(vault_dir, PASSPHRASE)
    got = opened.incidents.get(inc.id)
    assert got.description == text and got.location == text and got.witnesses == text
    opened.lock()


def test_megabyte_description(vault: Vault) -> None:
    text = ("A long account of what happened. " * 32000)[:1_000_000] + "END"
    inc = _add(vault, description=text)
    assert vault.incidents.get(inc.id).description == text
    assert [i.id for i in vault.incidents.search("account")] == [inc.id]


# --- tamper detection through a raw SQLCipher connection -----------------------


def _raw(vault: Vault) -> sqlcipher3.Connection:
    key = hkdf(vault._require_master(), DB_KEY_INFO)
    vault._db.close()
    conn = sqlcipher3.connect(str(vault.folder / "diary.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def _reopen(vault: Vault, vault_dir: Path) -> Vault:
    vault.lock()
    return Vault.unlock(vault_dir, PASSPHRASE)


def _filled(vault: Vault) -> list[int]:
    ids = [_add(vault, i, description=f"entry {i}").id for i in range(4)]
    vault.incidents.amend(ids[1], description="entry 1, corrected")
    return ids


def test_clean_chain_verifies(vault: Vault) -> None:
    _filled(vault)
    report = vault.verify()
    assert report.ok, report.problems
    assert report.revisions == 5 and report.incidents == 4
    assert report.fingerprint == vault.fingerprint


def test_changed_revision_detected(vault: Vault, vault_dir: Path) -> None:
    _filled(vault)
    conn = _raw(vault)
    conn.execute("UPDATE revisions SET data = replace(data, 'entry 2', 'entry two') WHERE seq = 3")
    conn.execute("UPDATE incidents SET data = replace(data, 'entry 2', 'entry two')")
    conn.close()
    opened = _reopen(vault, vault_dir)
    report = opened.verify()
    assert not report.ok
    assert any("changed after it was saved" in p for p in report.problems)
    opened.lock()


def test_removed_revision_detected(vault: Vault, vault_dir: Path) -> None:
    _filled(vault)
    conn = _raw(vault)
    conn.execute("DELETE FROM revisions WHERE seq = 2")
    conn.close()
    opened = _reopen(vault, vault_dir)
    assert not opened.verify().ok
    opened.lock()


def test_removed_last_revision_detected(vault: Vault, vault_dir: Path) -> None:
    _filled(vault)
    conn = _raw(vault)
    conn.execute("DELETE FROM revisions WHERE seq = (SELECT max(seq) FROM revisions)")
    conn.close()
    opened = _reopen(vault, vault_dir)
    assert not opened.verify().ok
    opened.lock()


def test_reordered_revisions_detected(vault: Vault, vault_dir: Path) -> None:
    _filled(vault)
    conn = _raw(vault)
    rows = conn.execute("SELECT seq, data FROM revisions WHERE seq IN (1, 2)").fetchall()
    conn.execute("UPDATE revisions SET data = ? WHERE seq = ?", (rows[1][1], rows[0][0]))
    conn.execute("UPDATE revisions SET data = ? WHERE seq = ?", (rows[0][1], rows[1][0]))
    conn.close()
    opened = _reopen(vault, vault_dir)
    assert not opened.verify().ok
    opened.lock()


def test_current_state_differing_from_history_detected(vault: Vault, vault_dir: Path) -> None:
    _filled(vault)
    conn = _raw(vault)
    conn.execute("UPDATE incidents SET data = replace(data, 'entry 3', 'something else')")
    conn.close()
    opened = _reopen(vault, vault_dir)
    report = opened.verify()
    assert any("differs from its saved history" in p for p in report.problems)
    opened.lock()


def test_list_reflects_every_change_and_lock_forgets_decoded_entries(vault: Vault) -> None:
    a = _add(vault, description="one")
    b = _add(vault, 1, description="two")
    assert [i.description for i in vault.incidents.list()] == ["one", "two"]
    vault.incidents.amend(a.id, description="one, amended", occurred_at=T0 + timedelta(days=2))
    listed = vault.incidents.list()
    assert [i.id for i in listed] == [b.id, a.id]
    assert listed[1].description == "one, amended" and listed[1].revision == 2
    assert vault.incidents.search("amended")[0].revision == 2
    vault.lock()
    assert vault.incidents._cache == {}


def test_ids_match_the_lists_and_the_decoded_cache_is_bounded(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 14: memory must not grow with every entry ever written."""
    from safediary.core.diary import incidents as incmod

    monkeypatch.setattr(incmod, "CACHE_SIZE", 20)
    kinds = [{"text_message"}, {"following", "threat"}, {"phone_call"}]
    made = [
        _add(vault, n, kinds=kinds[n % 3], description=f"entry {n} {'ladder' * (n % 2)}")
        for n in range(60)
    ]
    newest = vault.incidents.list(newest_first=True)
    assert [i.id for i in newest] == vault.incidents.ids(newest_first=True)
    assert [i.id for i in newest] == [m.id for m in reversed(made)]
    assert len(vault.incidents._cache) <= 20
    wanted = vault.incidents.ids(kinds={"threat", "phone_call"})
    assert wanted == [m.id for m in made if m.kinds & {"threat", "phone_call"}]
    assert vault.incidents.ids(kinds=set()) == []
    assert [i.id for i in vault.incidents.search("ladder")] == vault.incidents.search_ids("ladder")
    assert len(vault.incidents.search_ids("ladder")) == 30
    some = [made[5].id, made[1].id, 999_999]
    assert [i.id for i in vault.incidents.get_many(some)] == some[:2]  # order kept, unknown dropped
    vault.incidents.amend(made[5].id, description="changed")
    assert vault.incidents.get_many([made[5].id])[0].description == "changed"
