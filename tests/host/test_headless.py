"""Started where there is no screen, SafeDiary says so in a sentence instead of Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from safediary.app import NO_DESKTOP, missing_desktop


def test_a_headless_start_gets_a_plain_sentence(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-m", "safediary", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == NO_DESKTOP
    assert "qt.qpa" not in done.stderr and "core dumped" not in done.stderr


def test_which_environments_count_as_a_desktop() -> None:
    assert missing_desktop({}, "linux")
    assert not missing_desktop({"DISPLAY": ":0"}, "linux")
    assert not missing_desktop({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert missing_desktop({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, "linux")
    assert missing_desktop({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, "linux")
    assert not missing_desktop({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not missing_desktop({}, "win32")
    assert not missing_desktop({}, "darwin")
