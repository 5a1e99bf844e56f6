"""The two commands' set-up scripts: the package lists, other systems, a .venv that mends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEPS = REPO / "scripts" / "install-system-deps"
VENV = REPO / "scripts" / "setup-venv"


def _run(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_the_run_list_is_complete_and_the_test_list_adds_to_it() -> None:
    run = _run(DEPS, "--list", env={**os.environ, "PY": "/nonexistent"}).stdout.split()
    test = _run(DEPS, "--list", "--test", env={**os.environ, "PY": "/nonexistent"}).stdout.split()
    assert "libglib2.0-0" in run  # Qt cannot start without it on a minimal system
    assert {"python3", "python3-venv", "make", "libxcb-cursor0", "libegl1"} <= set(run)
    assert set(run) < set(test)
    assert {"xvfb", "xauth", "openbox", "xdotool", "x11-utils", "imagemagick"} <= set(test)
    assert {"poppler-utils", "gnome-keyring", "dbus", "dbus-x11", "binutils"} <= set(test)
    assert not {"xvfb", "gnome-keyring", "poppler-utils"} & set(run), "tests' tools stay out"


def test_a_system_python_adds_its_own_venv_package() -> None:
    if not Path("/usr/bin/python3").exists():
        pytest.fail("this Debian/Ubuntu check needs /usr/bin/python3")
    out = _run(DEPS, "--list", env={**os.environ, "PY": "/usr/bin/python3"}).stdout.split()
    build = _run(DEPS, "--list", "--build", env={**os.environ, "PY": "/usr/bin/python3"})
    major, minor = _run("/usr/bin/python3", "-c", "import sys; print(*sys.version_info[:2])")\
        .stdout.split()
    assert f"python{major}.{minor}-venv" in out
    assert f"libpython{major}.{minor}" not in out  # only PyInstaller needs it
    assert f"libpython{major}.{minor}" in build.stdout.split()


def test_another_system_gets_the_list_and_what_to_do(tmp_path: Path) -> None:
    """No dpkg or apt-get on PATH: a plain message with the exact list, and no failure."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", "sed", "cat", "env"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    done = _run(
        bin_dir / "bash", DEPS, env={"PATH": str(bin_dir), "HOME": str(tmp_path)}
    )
    assert done.returncode == 0, done.stderr
    assert "not a Debian or Ubuntu system" in done.stderr
    listed = _run(DEPS, "--list", env={**os.environ, "PY": "/nonexistent"}).stdout.split()
    assert " ".join(listed) in done.stderr


def _fake_python(path: Path, version: str) -> Path:
    """An interpreter that says it is ``version`` (too old) and can do nothing else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\n[ "$1" = -V ] && echo "Python {version}"\nexit 1\n')
    path.chmod(0o755)
    return path


def test_an_old_python_is_refused_with_what_to_do(tmp_path: Path) -> None:
    old = _fake_python(tmp_path / "python3.10", "3.10.12")
    done = _run(VENV, "run", env={**os.environ, "PY": str(old)})
    assert done.returncode == 1
    assert "SafeDiary needs Python 3.11 or newer" in done.stderr
    assert "PY=python3.11" in done.stderr


@pytest.mark.slow
def test_a_venv_from_an_old_python_or_half_installed_is_rebuilt(tmp_path: Path) -> None:
    """The next run rebuilds what a failed first set-up left (here pip may not download)."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(VENV, project / "scripts" / "setup-venv")
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    _fake_python(project / ".venv" / "bin" / "python", "3.9.2")
    env = {**os.environ, "PY": sys.executable, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": ""}
    done = _run(project / "scripts" / "setup-venv", "run", env=env)
    assert "Rebuilding .venv: it was made by a Python older than 3.11" in done.stdout
    assert done.returncode != 0  # nothing can be installed without an index here ...
    assert "starting again from an empty .venv" in done.stderr
    assert not (project / ".venv" / ".installed-run").exists()  # ... so no stamp says it was
    fresh = project / ".venv" / "bin" / "python"
    assert _run(fresh, "-c", "import sys; assert sys.version_info >= (3, 11)").returncode == 0
    # half-installed: the venv's pip is gone (an interrupted ensurepip)
    pip_dirs = list((project / ".venv" / "lib").glob("python3*/site-packages/pip"))
    assert pip_dirs
    shutil.rmtree(pip_dirs[0])
    again = _run(project / "scripts" / "setup-venv", "run", env=env)
    assert "Rebuilding .venv: it has no working pip" in again.stdout
