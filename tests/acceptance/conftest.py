"""Fixtures of the real-X acceptance suite: one desktop per session, one app per test.

Every test here is marked ``acceptance`` (select with ``-m acceptance``, leave out with
``-m "not acceptance"``). Without Xvfb, openbox, xdotool or AT-SPI the tests fail with
the list of packages to install; they never skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from safediary.core import Vault
from tests.acceptance.desktop import App, Desktop, running_desktop

PASSPHRASE = "violet tractor umbrella pancake"  # spaces on purpose: each one is a key press


@pytest.fixture(scope="session")
def desktop() -> Iterator[Desktop]:
    with running_desktop() as d:
        yield d


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def make_vault(data_dir: Path) -> Callable[[], Vault]:
    """Create the vault with the core API (cheap KDF from the root conftest); returns it open."""

    def make() -> Vault:
        vault, _recovery = Vault.create(data_dir / "vault", PASSPHRASE)
        # what the app writes when a person sets up a diary without the disguise (a
        # diary with no settings at all is shown disguised, to fail safe)
        (data_dir / "settings.ini").write_text("[General]\ndisguise_title=false\n")
        return vault

    return make


@pytest.fixture
def start_app(
    desktop: Desktop, data_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], App]]:
    """Start the real app (as many times as a test needs); screenshots are kept on failure."""
    apps: list[App] = []

    def start() -> App:
        app = App(desktop, data_dir, tmp_path / f"app-{len(apps)}.log")
        apps.append(app)
        return app

    yield start
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot = desktop.screenshot(tmp_path / "failure.png")
        if shot is not None:
            print(f"screen at the failure: {shot}")
    for app in apps:
        app.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


SENTENCE = "He followed me home from the bus stop again"
PLACE = "Bus stop on Park Road"


@pytest.fixture
def diary(make_vault: Callable[[], Vault], tmp_path: Path) -> Path:
    """A diary with one entry and one photo, made with the core API; returns the data folder."""
    from datetime import UTC, datetime

    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.new("RGB", (320, 200), (90, 120, 160)).save(photo)
    vault = make_vault()
    try:
        entry = vault.incidents.add(
            occurred_at=datetime(2026, 11, 1, 20, 15, tzinfo=UTC),
            location=PLACE,
            kinds={"following"},
            description="He walked behind me all the way home.",
        )
        vault.evidence.add_file(photo, incident_id=entry.id)
    finally:
        vault.lock()
    return tmp_path / "data"


def unlock(app: App) -> None:
    """Type the passphrase into the unlock window as a person would, and wait for the diary."""
    app.wait_node("Passphrase")  # the lock screen may be titled with the disguise
    app.type(PASSPHRASE)
    app.key("Return")
    app.wait_node("New incident", timeout=20)
