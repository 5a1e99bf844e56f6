"""A person's earlier versions are shown when their details are changed (issue 14)."""

from __future__ import annotations

import pytest

from safediary.core import Vault
from safediary.gui.diary.people import PeopleDialog

pytestmark = pytest.mark.gui


def test_changing_a_person_keeps_and_shows_the_earlier_version(qtbot, vault: Vault) -> None:
    person = vault.people.add("Unknown man", description="grey hoodie")
    dialog = PeopleDialog(vault)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setCurrentRow(0)
    form = dialog.edit_selected()
    assert form is not None and not form.history.isVisibleTo(form)
    form.name.setText("Daniel O'Brien")
    form.save()
    assert [v.name for v in vault.people.history(person.id)] == ["Unknown man", "Daniel O'Brien"]
    dialog.list.setCurrentRow(0)
    again = dialog.edit_selected()
    assert again is not None and again.history.isVisibleTo(again)
    text = again.history.text()
    assert "Unknown man, grey hoodie" in text and "Daniel O'Brien, grey hoodie" in text
    assert "later identified as" in text
    again.reject()
    dialog.close()


def test_history_tab_names_people_as_recorded_then(vault: Vault) -> None:
    from safediary.core.timeutil import now
    from safediary.gui.diary.history import revision_text

    person = vault.people.add("Unknown man", description="grey hoodie")
    inc = vault.incidents.add(now(), description="followed me", people=[person.id])
    vault.people.update(person.id, name="Daniel O'Brien")
    [first] = vault.incidents.history(inc.id)
    assert "Unknown man (later: Daniel O'Brien)" in revision_text(vault, first.incident)
