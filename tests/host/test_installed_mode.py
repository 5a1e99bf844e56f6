"""Installed mode on a desktop without a session bus starts no bus of its own.

libdbus "autolaunches" a session bus (dbus-launch, then a dbus-daemon) for any program that
asks for one on X11 while DBUS_SESSION_BUS_ADDRESS is unset. Those processes live as long as
the X session and leave ~/.dbus/session-bus/ behind: traces of SafeDiary on a shared computer.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from safediary.host import isolation
from tests.host.test_portable import host_env, leftovers

pytestmark = pytest.mark.gui

# The real start-up in installed mode; once a window shows, ask for the keychain as the
# unlock window's "remember me" does, then quit.
DRIVER = textwrap.dedent(
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
                from safediary.core.vault import keychain
                print("keychain available:", keychain.is_available(), flush=True)
                print("window shown", flush=True)
                timer.stop()
                app.quit()

        timer.timeout.connect(poll)
        timer.start(20)
        return _exec()

    QApplication.exec = _exec_until_shown
    from safediary.app import main
    sys.exit(main([]))
    """
)


def _processes_with_home(home: Path) -> dict[int, str]:
    """Live processes whose environment says HOME=home: {pid: command line}."""
    wanted = b"HOME=" + os.fsencode(home)
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if wanted in environ:
            found[int(entry.name)] = cmdline.decode(errors="replace").strip()
    return found


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private X server that stays up for the whole test, as a desktop session does."""
    for tool in ("Xvfb", "dbus-launch"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: scripts/install-system-deps --test installs it")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_no_session_bus_is_started_or_left_behind(tmp_path: Path, x_display: str) -> None:
    host = tmp_path / "host"
    host.mkdir()
    env = host_env(host)
    env["QT_QPA_PLATFORM"] = "xcb"
    env["DISPLAY"] = x_display
    home = host / "home"
    try:
        done = subprocess.run(
            [sys.executable, "-c", DRIVER],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "window shown" in done.stdout
        assert "keychain available: False" in done.stdout
        assert _processes_with_home(home) == {}, "a session bus was started and left running"
        assert not (home / ".dbus").exists()
        assert [p for p in leftovers(host) if "dbus" in p] == []
    finally:
        for pid in _processes_with_home(home):  # what this test's app started, if anything
            os.kill(pid, signal.SIGTERM)


def test_a_systemd_user_bus_is_named_and_none_is_refused(tmp_path: Path) -> None:
    import socket

    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env: dict[str, str] = {"XDG_RUNTIME_DIR": str(runtime)}
    assert isolation.no_bus_autolaunch(env) == isolation.NO_BUS
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    with socket.socket(socket.AF_UNIX) as bus:
        bus.bind(str(runtime / "bus"))
        assert isolation.no_bus_autolaunch(env) == f"unix:path={runtime / 'bus'}"
    given = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}
    assert isolation.no_bus_autolaunch(given) is None
    assert given["DBUS_SESSION_BUS_ADDRESS"] == "unix:path=/run/user/1000/bus"
