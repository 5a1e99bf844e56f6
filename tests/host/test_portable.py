"""Portable mode leaves nothing on the host: HOME, temp and every XDG folder stay empty."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from safediary.host import isolation, paths
from safediary.host.paths import DataLocation
from tests.conftest import require_tool

REPO = Path(__file__).resolve().parents[2]
HOST_VARIABLES = (
    "HOME",
    "TMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
)

# Runs the real GUI start-up and quits as soon as a top-level window is visible.
GUI_DRIVER = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    _exec = QApplication.exec

    def _exec_until_shown(*args):
        app = QApplication.instance()
        timer = QTimer(app)

        def poll():
            if any(w.isVisible() for w in QApplication.topLevelWidgets()):
                print("window shown", flush=True)
                timer.stop()
                app.quit()

        timer.timeout.connect(poll)
        timer.start(20)
        return _exec()

    QApplication.exec = _exec_until_shown
    from safediary.app import main
    sys.exit(main(sys.argv[1:]))
    """
)


def host_env(base: Path) -> dict[str, str]:
    """An environment whose every host folder is a fresh empty folder under ``base``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "QT_", "PYTHON", "SAFEDIARY"))
        and key not in ("TEMP", "TMP", "HOME", "TMPDIR", "DISPLAY", "WAYLAND_DISPLAY")
        and key != "DBUS_SESSION_BUS_ADDRESS"
    }
    for name in HOST_VARIABLES:
        folder = base / name.lower()
        folder.mkdir(mode=0o700)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO / "src")
    return env


def leftovers(base: Path) -> list[str]:
    """Every file or folder found inside the fake host folders."""
    return sorted(
        str(p.relative_to(base))
        for name in HOST_VARIABLES
        for p in (base / name.lower()).rglob("*")
    )


def scratch_files(location: DataLocation) -> list[Path]:
    return [p for p in location.scratch_dir.rglob("*") if not p.is_dir()]


def run_app(
    args: list[str], env: dict[str, str], script: str | None = None, prefix: tuple[str, ...] = ()
) -> str:
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "safediary"]
    done = subprocess.run(
        [*prefix, *command, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_self_test_in_portable_mode_writes_nothing_to_the_host(tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    data = tmp_path / "stick" / "SafeDiaryData"
    out = run_app(["--data-dir", str(data), "--self-test"], host_env(host))
    assert "self-test passed" in out
    assert leftovers(host) == []
    location = paths.resolve(data)
    assert scratch_files(location) == [], "the scratch folder is emptied at exit"
    assert not location.selftest_dir.exists(), "the throwaway vault is removed"


@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_gui_start_in_portable_mode_writes_nothing_to_the_host(
    tmp_path: Path, platform: str
) -> None:
    """Start the real app (X11 under Xvfb too, with no session bus, as on a bare desktop)."""
    prefix: tuple[str, ...] = ()
    if platform == "xcb":
        prefix = (require_tool("xvfb-run"), "-a")
    host = tmp_path / "host"
    host.mkdir()
    env = host_env(host)
    env["QT_QPA_PLATFORM"] = platform
    data = tmp_path / "stick" / "SafeDiaryData"
    out = run_app(["--data-dir", str(data)], env, script=GUI_DRIVER, prefix=prefix)
    assert "window shown" in out
    assert leftovers(host) == []
    assert scratch_files(paths.resolve(data)) == []


@pytest.fixture
def restore_process_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let isolate_environment change os.environ and friends; undo it afterwards."""
    import keyring

    previous = keyring.get_keyring()
    for variables in isolation._FOLDERS.values():
        for name in variables:
            monkeypatch.setenv(name, "unchanged")
    for name in isolation._SWITCHES:
        monkeypatch.setenv(name, "unchanged")
    monkeypatch.setattr(sys, "dont_write_bytecode", sys.dont_write_bytecode)
    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)
    monkeypatch.setattr(isolation.atexit, "register", lambda fn: fn)
    yield
    keyring.set_keyring(previous)


@pytest.mark.usefixtures("restore_process_state")
def test_isolation_points_every_cache_into_the_scratch_folder(tmp_path: Path) -> None:
    import keyring
    from keyring.backends import fail

    location = DataLocation(tmp_path / "data", portable=True)
    stale = location.scratch_dir / "tmp" / "left-by-a-crash"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    result = isolation.isolate_environment(location)
    assert not stale.exists(), "leftovers of a crashed run are removed at start"
    for name in (
        "TMPDIR",
        "TEMP",
        "TMP",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "SQLITE_TMPDIR",
    ):
        assert Path(os.environ[name]).is_relative_to(location.scratch_dir), name
        assert Path(os.environ[name]).is_dir()
    assert Path(tempfile.gettempdir()).is_relative_to(location.scratch_dir)
    assert os.environ["PYTHONDONTWRITEBYTECODE"] == "1" and sys.dont_write_bytecode
    assert isinstance(keyring.get_keyring(), fail.Keyring)
    (location.scratch_dir / "cache" / "fontconfig").mkdir()
    (location.scratch_dir / "tmp" / "x").write_bytes(b"x")
    result.clean()
    assert scratch_files(location) == []


@pytest.mark.usefixtures("restore_process_state")
def test_installed_mode_changes_nothing(tmp_path: Path) -> None:
    before = dict(os.environ)
    result = isolation.isolate_environment(DataLocation(tmp_path / "data", portable=False))
    assert result.variables == {}
    assert dict(os.environ) == before
    assert not (tmp_path / "data").exists()


@pytest.mark.slow
def test_portable_build_runs_its_self_test(tmp_path: Path) -> None:
    """Build the one-folder app with PyInstaller and run its --self-test from a copy."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is missing: make test installs it (pip install -e '.[build]')")
    dist = tmp_path / "dist"
    # PyInstaller caches what it analyses in ~/.cache/pyinstaller: keep that in tmp_path too
    build_env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(tmp_path / "pyinstaller-cache")}
    subprocess.run(
        [
            sys.executable,
            str(REPO / "packaging" / "build_portable.py"),
            "--dist",
            str(dist),
            "--work",
            str(tmp_path / "build"),
            "--no-self-test",
        ],
        check=True,
        timeout=1800,
        env=build_env,
    )
    app_dir = dist / "SafeDiary"
    assert (app_dir / paths.PORTABLE_MARKER).is_file()
    stick = tmp_path / "stick"
    shutil.copytree(app_dir, stick / "SafeDiary")
    host = tmp_path / "host"
    host.mkdir()
    env = host_env(host)
    env.pop("PYTHONPATH")
    done = subprocess.run(
        [str(stick / "SafeDiary" / "SafeDiary"), "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test passed" in done.stdout
    assert "(portable mode)" in done.stdout
    assert leftovers(host) == []
    assert (stick / "SafeDiary" / "SafeDiaryData").is_dir()


@pytest.mark.usefixtures("restore_process_state")
@pytest.mark.parametrize("bus", [None, "unix:path=/run/user/1000/bus"])
def test_no_session_bus_is_autolaunched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bus: str | None
) -> None:
    """libdbus must not start a bus of its own (it would leave ~/.dbus behind)."""
    if bus is None:
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
    isolation.isolate_environment(DataLocation(tmp_path / "data", portable=True))
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == (bus or "disabled:")
