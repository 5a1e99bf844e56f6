"""The evidence viewer: what a file shows and where its original is kept (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safediary.core import Vault
from safediary.gui.evidence.viewer import EvidenceViewer

pytestmark = pytest.mark.gui


def test_description_and_original_location_are_saved_as_versions(
    qtbot, vault: Vault, tmp_path: Path
) -> None:
    src = tmp_path / "texts.txt"
    src.write_text("you can't hide from me")
    ev = vault.evidence.add_file(src)
    viewer = EvidenceViewer(vault, ev.id)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.fields["ref"].text() == ev.ref, timeout=15000)
    assert viewer.description_field.toPlainText() == ""
    viewer.description_field.setPlainText("Texts from his new number, 3 May")
    viewer.location_field.setText("On my phone")
    viewer.save_description_button.click()
    got = vault.evidence.get(ev.id)
    assert got.description == "Texts from his new number, 3 May"
    assert got.original_location == "On my phone"
    viewer.location_field.setText("Phone handed to PC Shah, 5 May")
    viewer.save_description_button.click()
    assert vault.evidence.get(ev.id).original_location == "Phone handed to PC Shah, 5 May"
    assert "Changed 2 times" in viewer.description_note.text()
    assert len(vault.evidence.description_history(ev.id)) == 3
    assert vault.verify().ok
    viewer.close()
