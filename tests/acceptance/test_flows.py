"""Whole tasks with the real keyboard: drafts kept by Shift×3, a 2.2 GB video, reopening entries."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from safediary.core import Vault
from tests.acceptance.checks import quick_exit_problems, shift_three_times
from tests.acceptance.conftest import PASSPHRASE, PLACE, SENTENCE, unlock
from tests.acceptance.desktop import App, wait_for

pytestmark = pytest.mark.acceptance

BIG = 2_200_000_000  # past 2**31: the size that used to overflow the progress signal


def says(app: App, words: str, window: str = "Entry 1") -> str:
    """The text of a label in the window that contains ``words`` ("" if none)."""
    for node in app.nodes(window):
        if node.role == "label" and words in node.name:
            return node.name
    return ""


@pytest.mark.parametrize("which", ["New entry", "Entry 1"])
def test_quick_exit_keeps_a_draft_the_next_unlock_offers(
    which: str, diary: Path, start_app: Callable[[], App]
) -> None:
    app = start_app()
    unlock(app)
    if which == "New entry":
        app.click("New incident", window="SafeDiary")
    else:
        app.click(PLACE, window="SafeDiary", role=None, double=True)
    app.wait_window(which)
    app.click("Where", window=which, role="text")  # near the top: on screen without scrolling
    app.key("End", "space")
    app.type(SENTENCE)
    took = shift_three_times(app)
    print(f"quick exit with unsaved writing in {which}: {took * 1000:.0f} ms")
    assert took < 1.0

    with Vault.unlock(diary / "vault", PASSPHRASE) as vault:
        drafts = [vault.drafts.load(key) for key in vault.drafts.keys()]  # noqa: SIM118
    assert any(SENTENCE in str(d) for d in drafts), "quick exit kept no draft of the writing"

    again = start_app()  # the next unlock opens the entry again with the writing in it
    unlock(again)
    again.wait_window(which)
    wait_for(lambda: says(again, "what you were writing", which), 10, "the draft offered")


def test_closed_entry_opens_again(diary: Path, start_app: Callable[[], App]) -> None:
    app = start_app()
    unlock(app)
    for _ in range(2):
        app.click(PLACE, window="SafeDiary", role=None, double=True)
        app.wait_window("Entry 1")
        app.click("Close the entry", window="Entry 1")
        app.wait_no_window("Entry 1")
    app.key("Return")  # the row is still selected: Enter opens it a third time
    app.wait_window("Entry 1")


def test_a_2_2_gb_video_imports_with_honest_progress_and_cancel(
    diary: Path, tmp_path: Path, start_app: Callable[[], App]
) -> None:
    video = tmp_path / "phone video.mp4"
    with video.open("wb") as fh:  # sparse: 2.2 GB without writing them here
        fh.truncate(BIG)
    app = start_app()
    unlock(app)
    app.click(PLACE, window="SafeDiary", role=None, double=True)
    app.wait_window("Entry 1")
    app.click("Evidence", window="Entry 1", role="page tab")

    def choose(path: Path) -> None:
        app.click("Add evidence files", window="Entry 1")
        app.wait_window("Choose files")
        time.sleep(0.3)
        app.type(str(path))
        app.key("Return")
        app.wait_no_window("Choose files")

    # first a cancelled import: Cancel stops it and nothing half-copied is kept
    choose(video)
    app.wait_node("Cancel the import", window="Entry 1")
    wait_for(lambda: says(app, "MB of 2,098 MB copied"), 20, "MB copied")
    app.click("Cancel the import", window="Entry 1")
    wait_for(lambda: says(app, "Stopped"), 20, "the import to stop")

    # then the whole file
    choose(video)
    start = time.monotonic()
    seen: set[str] = set()

    def finished() -> bool:
        app.assert_alive("during the import of a 2.2 GB file")
        text = says(app, "copied") or says(app, "Added")
        seen.add(text)
        return text.startswith("Added")

    wait_for(finished, 150, "the 2.2 GB import to finish", step=0.5)
    took = time.monotonic() - start
    print(f"imported 2.2 GB in {took:.1f} s ({BIG / took / 1e6:.0f} MB/s)")
    assert any("left" in text for text in seen), seen  # a time-left estimate was shown
    app.wait_node("phone video.mp4", window="Entry 1")
    problems = quick_exit_problems(app, "the entry after the import")
    assert not problems, "\n".join(problems)
    with Vault.unlock(diary / "vault", PASSPHRASE) as vault:
        sizes = sorted(ev.size for ev in vault.evidence.list())
    assert BIG in sizes
