"""A closed entry opens again in the same session (the hidden editor used to be "raised")."""

from __future__ import annotations

from datetime import UTC, datetime

from safediary.core import Vault
from tests.conftest import PASSPHRASE


def test_a_closed_entry_opens_again(qtbot, controller, location) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(location.vault_dir, PASSPHRASE)
    entry = vault.incidents.add(
        occurred_at=datetime.now(UTC), location="Bus stop", kinds={"watching"}, description="x"
    )
    controller.on_opened(vault)
    main = controller.main_window
    first = main.open_editor(entry.id)
    qtbot.waitExposed(first)
    assert main.open_editor(entry.id) is first  # while open, the same window comes forward
    first.close()
    assert not first.isVisible()
    second = main.open_editor(entry.id)
    qtbot.waitExposed(second)
    assert second.isVisible() and second is not first
