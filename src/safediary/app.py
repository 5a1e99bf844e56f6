"""Command line and start-up: hardening first, then the self-test or the GUI."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from safediary import __version__
from safediary.core.fsutil import set_private_umask
from safediary.host import paths
from safediary.host.sandbox import WORKER_FLAG


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="safediary", description="SafeDiary: an offline, encrypted incident diary."
    )
    parser.add_argument("--data-dir", metavar="DIR", help="keep the diary and settings in DIR")
    parser.add_argument(
        "--self-test", action="store_true", help="check this build without a screen, then exit"
    )
    parser.add_argument("--version", action="version", version=f"SafeDiary {__version__}")
    return parser.parse_args(argv)


NO_DESKTOP = (
    "SafeDiary needs a desktop session: please start it from your desktop, not from a text "
    "console or a remote shell without a display. (To check this copy without a screen, run "
    "it with --self-test.)"
)


def missing_desktop(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """True when Qt would find no screen to open a window on (Linux and other X11 systems).

    Qt's own answer is an abort with a core-dump message; this lets us say it plainly first.
    """
    if platform in ("win32", "darwin"):
        return False
    qpa = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if qpa == "":
        return not (x11 or wayland)
    if qpa == "xcb":
        return not x11
    if qpa.startswith("wayland"):
        return not wayland
    return False  # offscreen, vnc, eglfs...: the person chose a platform that needs no session


def main(
    argv: Sequence[str] | None = None, on_started: Callable[[Any], None] | None = None
) -> int:
    """Entry point of the ``safediary`` command.

    ``on_started`` is handed to :func:`safediary.gui.application.run_gui` (tests and
    benchmarks drive the real app through it; the command never sets it).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == [WORKER_FLAG]:  # the app starting its own decoder process: not for people
        from safediary.decoder import serve

        return serve()
    args = parse_args(argv)
    set_private_umask()
    from safediary.host.hardening import disable_core_dumps

    disable_core_dumps()
    location = paths.resolve(args.data_dir)
    if location.portable:
        from safediary.host.isolation import isolate_environment

        isolate_environment(location)  # before Qt or any cache-writing library loads
    elif os.name == "posix" and sys.platform != "darwin":
        from safediary.host.isolation import no_bus_autolaunch

        no_bus_autolaunch()  # before Qt or keyring can start a session bus of their own
    if args.self_test:
        from safediary.selftest import run_self_test

        return run_self_test(location)
    if missing_desktop():
        print(NO_DESKTOP, file=sys.stderr)
        return 2
    from safediary.gui.application import run_gui

    return run_gui(location, on_started=on_started)


if __name__ == "__main__":
    raise SystemExit(main())
