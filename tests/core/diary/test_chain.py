"""Issue 14: the whole diary in one hash chain (people, evidence, links, orders, checklist).

Tampering is done the way someone with the passphrase but without the app would do
it: raw SQL through sqlcipher3 with the vault's own database key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3

from safediary.core import InvalidInput, Vault, ledger
from safediary.core.diary import incidents
from safediary.core.vault.keys import hkdf, load_slot_files
from safediary.core.vault.vault import DB_KEY_INFO
from tests.conftest import PASSPHRASE

WHEN = datetime(2026, 4, 18, 21, 30, tzinfo=UTC)


def _tamper(
    vault: Vault, *sql: str | tuple[str, tuple[object, ...]], old_key_file: bool = False
) -> Vault:
    """Lock the vault, run raw SQL with its key, and unlock it again.

    ``old_key_file``: also rewrite the key file as a version-1 file (written before
    the key file recorded the database's chain).
    """
    master = bytes(vault._require_master())
    key = hkdf(master, DB_KEY_INFO)
    folder = vault.folder
    vault.lock()
    if old_key_file:
        slots = load_slot_files(folder)[0]
        slots.db = None
        slots.generation += 1
        slots.version = 1
        slots.mac = slots.compute_mac(master)
        for name in ("vault.keys", "vault.keys.b"):
            (folder / name).write_bytes(slots.to_bytes())
    with contextlib.closing(
        sqlcipher3.connect(str(folder / "diary.db"), isolation_level=None)
    ) as c:
        c.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        for statement in sql:
            if isinstance(statement, tuple):
                c.execute(*statement)
            else:
                c.execute(statement)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return Vault.unlock(folder, PASSPHRASE)


def _evidence(vault: Vault, tmp_path: Path, name: str = "photo.txt") -> int:
    src = tmp_path / name
    src.write_bytes(b"a screenshot of the messages " + name.encode())
    return vault.evidence.add_file(src).id


# ----------------------------------------------------------------------------- people


def test_person_versions_and_as_of(vault: Vault) -> None:
    person = vault.people.add("Unknown man", description="grey hoodie")
    entry = vault.incidents.add(WHEN, description="He followed me", people=[person.id])
    vault.people.update(person.id, name="Daniel O'Brien", relationship="ex-partner's brother")
    versions = vault.people.history(person.id)
    assert [v.name for v in versions] == ["Unknown man", "Daniel O'Brien"]
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].person.description == "grey hoodie"
    assert versions[1].person.relationship == "ex-partner's brother"
    assert versions[0].saved_at <= versions[1].saved_at
    # the entry, written before the rename, names the person as then recorded
    assert vault.people.as_of(person.id, entry.recorded_at).name == "Unknown man"
    assert vault.people.as_of(person.id, versions[1].saved_at).name == "Daniel O'Brien"
    assert vault.people.as_of(person.id, WHEN - timedelta(days=999)).name == "Unknown man"
    assert vault.people.get(person.id).name == "Daniel O'Brien"
    # saving the same values again makes no new version
    vault.people.update(person.id, name="Daniel O'Brien")
    assert len(vault.people.history(person.id)) == 2
    assert vault.verify().ok


def test_fingerprint_changes_with_every_kind_of_change(vault: Vault, tmp_path: Path) -> None:
    seen = [vault.fingerprint]

    def changed(action: Callable[[], object]) -> None:
        action()
        assert vault.fingerprint not in seen, action
        seen.append(vault.fingerprint)

    person = vault.people.add("Unknown man")
    seen.append(vault.fingerprint)
    inc = vault.incidents.add(WHEN, description="at the door")
    seen.append(vault.fingerprint)
    ev = _evidence(vault, tmp_path)
    seen.append(vault.fingerprint)
    changed(lambda: vault.people.update(person.id, name="Daniel"))
    changed(lambda: vault.evidence.describe(ev, description="screenshot of texts"))
    changed(lambda: vault.evidence.describe(ev, original_location="my old phone, in a drawer"))
    changed(lambda: vault.evidence.link(ev, inc.id))
    changed(lambda: vault.evidence.unlink(ev, inc.id))
    changed(lambda: vault.checklists.add(WHEN, '{"answers": {}}'))
    order = vault.orders.add("non_molestation_order", court="Leeds", made_on=date(2026, 1, 5))
    seen.append(vault.fingerprint)
    changed(lambda: vault.orders.update(order.id, expires_on=date(2027, 1, 5)))
    changed(lambda: vault.incidents.amend(inc.id, breached_order=order.id))
    changed(lambda: vault.evidence.remove(ev, "duplicate"))
    report = vault.verify()
    assert report.ok, report.problems
    assert report.fingerprint == vault.fingerprint
    assert report.changes == ledger.head(vault._db)[0]


# ----------------------------------------------------------------------------- evidence


def test_evidence_description_is_versioned(vault: Vault, tmp_path: Path) -> None:
    ev = _evidence(vault, tmp_path)
    assert vault.evidence.get(ev).description == ""
    vault.evidence.describe(ev, description="Texts from 07700 900123")
    got = vault.evidence.describe(ev, original_location="Phone, kept by PC Shah")
    assert got.description == "Texts from 07700 900123"
    assert got.original_location == "Phone, kept by PC Shah"
    history = vault.evidence.description_history(ev)
    assert [(d, o) for _, d, o in history] == [
        ("", ""),
        ("Texts from 07700 900123", ""),
        ("Texts from 07700 900123", "Phone, kept by PC Shah"),
    ]
    assert [a for _, a, _ in vault.evidence.history(ev)][-2:] == ["describe", "describe"]
    with pytest.raises(InvalidInput):
        vault.evidence.describe(ev, description="\ud800")


# ----------------------------------------------------------------------------- orders


def test_orders_are_versioned_and_breaches_named(vault: Vault) -> None:
    order = vault.orders.add(
        "restraining_order",
        court="Manchester Magistrates' Court",
        reference="MC/2026/0113",
        made_on=date(2026, 2, 1),
        expires_on=date(2027, 2, 1),
        conditions="Not to come within 100 metres of 12 Acacia Road.",
    )
    assert order.label == "Restraining order"
    assert vault.orders.in_force(date(2026, 6, 1)) == [order]
    assert vault.orders.in_force(date(2028, 1, 1)) == []
    inc = vault.incidents.add(WHEN, description="outside my house", breached_order=order.id)
    assert inc.breached_order == order.id and inc.order_breached
    assert vault.orders.breaches(order.id) == [inc.id]
    vault.orders.update(order.id, expires_on=date(2028, 2, 1))
    history = vault.orders.history(order.id)
    assert [v.order.expires_on for v in history] == [date(2027, 2, 1), date(2028, 2, 1)]
    with pytest.raises(InvalidInput):
        vault.incidents.add(WHEN, breached_order=999)
    with pytest.raises(InvalidInput):
        vault.orders.add("banana")
    with pytest.raises(InvalidInput):
        vault.orders.add("other", made_on=date(2026, 2, 1), expires_on=date(2025, 1, 1))
    assert vault.verify().ok


# ----------------------------------------------------------------------------- tampering


def _filled(vault: Vault, tmp_path: Path) -> dict[str, int]:
    person = vault.people.add("Unknown man", description="grey hoodie")
    inc = vault.incidents.add(WHEN, description="at the door", people=[person.id])
    vault.incidents.add(WHEN, description="a second entry, with no evidence")
    ev = _evidence(vault, tmp_path)
    vault.evidence.link(ev, inc.id)
    vault.evidence.describe(ev, description="doorbell video", original_location="cloud")
    order = vault.orders.add("injunction", court="Leeds")
    vault.checklists.add(WHEN, '{"answers": {"1": "yes"}}')
    assert vault.verify().ok
    return {"person": person.id, "incident": inc.id, "evidence": ev, "order": order.id}


TAMPERS = {
    "person renamed": "UPDATE people SET name = 'Someone else'",
    "evidence description": "UPDATE evidence SET description = 'something else'",
    "where the original is kept": "UPDATE evidence SET original_location = 'lost'",
    "link removed": "DELETE FROM incident_evidence",
    "link added": "INSERT INTO incident_evidence VALUES (2, 1, '2026-01-01T00:00:00+00:00')",
    "evidence un-removed": "UPDATE evidence SET removed_at = '2026-01-01T00:00:00+00:00'",
    "evidence log line deleted": "DELETE FROM evidence_log WHERE action = 'describe'",
    "checklist answer": 'UPDATE checklist_answers SET data = \'{"answers": {"1": "no"}}\'',
    "order": "UPDATE orders SET court = 'Somewhere else'",
    "ledger entry edited": "UPDATE ledger SET data = replace(data, 'grey hoodie', 'black coat')",
    "last ledger entry deleted": "DELETE FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)",
    "entry made private": "UPDATE incidents SET private = 1",
    "person unlinked from entry": "DELETE FROM incident_people",
    "thumbnail swapped": "UPDATE evidence SET thumbnail = x'00'",
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_change_without_the_app_is_detected(vault: Vault, tmp_path: Path, name: str) -> None:
    _filled(vault, tmp_path)
    opened = _tamper(vault, TAMPERS[name])
    try:
        report = opened.verify()
        assert not report.ok, name
        assert report.problems
    finally:
        opened.lock()


def test_problem_names_what_changed(vault: Vault, tmp_path: Path) -> None:
    _filled(vault, tmp_path)
    opened = _tamper(vault, "UPDATE people SET name = 'Someone else'")
    try:
        problems = opened.verify().problems
        assert any("person" in p and "name" in p and "without SafeDiary" in p for p in problems)
    finally:
        opened.lock()


# ----------------------------------------------------------------------------- clock


def test_clock_oddities_are_warnings_not_problems(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_now = incidents.now
    vault.incidents.add(WHEN, description="first")
    # the computer's clock is put back a day, then forward a year
    monkeypatch.setattr(incidents, "now", lambda: real_now() - timedelta(days=1))
    vault.incidents.add(WHEN, description="second, clock put back")
    monkeypatch.setattr(incidents, "now", lambda: real_now() + timedelta(days=365))
    vault.incidents.add(WHEN, description="third, clock a year ahead")
    monkeypatch.setattr(incidents, "now", real_now)
    report = vault.verify()
    assert report.ok, report.problems
    kinds = [(o.kind, o.incident_number) for o in report.clock]
    assert ("backwards", 2) in kinds
    assert ("future", 3) in kinds
    assert any("entry 2" in w and "earlier" in w for w in report.warnings)
    assert any("entry 3" in w and "future" in w for w in report.warnings)


def test_no_clock_warnings_normally(vault: Vault) -> None:
    for i in range(3):
        vault.incidents.add(WHEN, description=f"entry {i}")
    report = vault.verify()
    assert report.ok and report.clock == [] and report.warnings == []


def test_existing_diary_is_brought_under_the_chain(vault: Vault, tmp_path: Path) -> None:
    ids = _filled(vault, tmp_path)
    old_head = vault._db.query("SELECT value FROM meta WHERE key = 'chain_head'")[0][0]
    # make it a schema-4 diary, as written before issue 14
    opened = _tamper(
        vault,
        "DROP TABLE ledger",
        "DROP TABLE orders",
        "ALTER TABLE evidence DROP COLUMN description",
        "ALTER TABLE evidence DROP COLUMN original_location",
        "DELETE FROM meta WHERE key IN ('ledger_head', 'ledger_count')",
        "PRAGMA user_version = 4",
        old_key_file=True,
    )
    try:
        report = opened.verify()
        assert report.ok, report.problems
        first = ledger.entries(opened._db)[0]
        assert first.table == "meta" and first.row is not None
        assert first.row["value"] == old_head
        assert [v.name for v in opened.people.history(ids["person"])] == ["Unknown man"]
        assert opened.evidence.get(ids["evidence"]).description == ""
        before = opened.fingerprint
        opened.people.update(ids["person"], name="Daniel")
        assert opened.fingerprint != before
        assert opened.verify().ok
    finally:
        opened.lock()


def test_imported_messages_and_their_links_are_in_the_chain(vault: Vault, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from tests.core.messages import samples

    before = vault.fingerprint
    conv = vault.messages.import_export(
        samples.whatsapp_zip(tmp_path / "chat.zip"), tz=ZoneInfo("Europe/London")
    )
    after_import = vault.fingerprint
    assert after_import != before
    assert not list((vault.folder / "evidence" / ".journal").iterdir())  # import settled
    inc = vault.incidents.add(WHEN, description="the messages that night")
    message_ids = [m.id for m in vault.messages.list(conv.id)][:2]
    vault.messages.link(message_ids, inc.id)
    linked = vault.fingerprint
    vault.messages.unlink(message_ids[:1], inc.id)
    assert vault.fingerprint != linked
    assert vault.verify().ok
    opened = _tamper(vault, "DELETE FROM incident_messages")
    try:
        problems = opened.verify().problems
        assert any("link between an entry and a message" in p for p in problems)
    finally:
        opened.lock()
    # every blob of the import (the export and its media) is known: nothing quarantined
    assert not (tmp_path / "vault" / "quarantine").exists()
