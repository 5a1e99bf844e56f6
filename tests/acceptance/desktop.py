"""A real desktop for acceptance tests: Xvfb at 1024×768, openbox, a session bus with AT-SPI.

The app under test is the real ``safediary`` process on that display, driven by real
X key and mouse events from ``xdotool``. What a person sees is read back two ways:
the window manager's view (``xwininfo`` window geometry) and the app's accessibility
tree over AT-SPI (the same names, roles and screen positions a screen reader uses),
read with ``jeepney``. Nothing here needs a hook inside the product: accessibility is
switched on the way a screen reader does it, through ``org.a11y.Status.IsEnabled``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, Properties, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

SCREEN_W, SCREEN_H = 1024, 768
TOOLS = {
    "Xvfb": "xvfb",
    "openbox": "openbox",
    "xdotool": "xdotool",
    "xwininfo": "x11-utils",
    "xprop": "x11-utils",
    "dbus-daemon": "dbus",
    "/usr/libexec/at-spi-bus-launcher": "at-spi2-core",
}

# AT-SPI state bits (atspi-constants.h)
STATE_ACTIVE = 1
STATE_EDITABLE = 7
STATE_ENABLED = 8
STATE_FOCUSED = 12
STATE_SHOWING = 25

ROOT = "/org/a11y/atspi/accessible/root"
ACCESSIBLE = "org.a11y.atspi.Accessible"


def missing_tools() -> list[str]:
    """Debian packages to install for the tools this desktop needs that are not there."""
    missing = {pkg for tool, pkg in TOOLS.items() if not shutil.which(tool)}
    return sorted(missing)


class DesktopError(AssertionError):
    """The desktop could not be set up or the app did not do what a person expects."""


def wait_for(
    condition: Callable[[], object], timeout: float, what: str, step: float = 0.05
) -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s."""
    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise DesktopError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(step)


@dataclass
class Node:
    """One accessible object of the app: a window, button, field …"""

    name: str
    role: str
    x: int
    y: int
    w: int
    h: int
    states: frozenset[int]
    path: str
    window: str = ""
    clipped: bool = False  # not wholly inside its parents: scrolled content, reached by scrolling
    visible: tuple[int, int, int, int] = (0, 0, 0, 0)  # the part inside its parents (x, y, w, h)
    children: list[Node] = field(default_factory=list, repr=False)

    @property
    def showing(self) -> bool:
        return STATE_SHOWING in self.states and self.w > 0 and self.h > 0

    @property
    def focused(self) -> bool:
        return STATE_FOCUSED in self.states

    @property
    def editable(self) -> bool:
        return STATE_EDITABLE in self.states

    @property
    def is_text_field(self) -> bool:
        """A place to type a sentence (not a spin box, not a disabled field)."""
        return (
            self.editable
            and STATE_ENABLED in self.states
            and self.role in ("text", "password text", "entry", "paragraph")
        )

    @property
    def center(self) -> tuple[int, int]:
        """The middle of the part a person can see (and click)."""
        x, y, w, h = self.visible if self.visible[2] and self.visible[3] else self.extents
        x, y = max(x, 0), max(y, 0)
        w, h = min(w, SCREEN_W - x), min(h, SCREEN_H - y)
        return x + w // 2, y + h // 2

    @property
    def extents(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.w, self.h

    def on_screen(self) -> bool:
        return _inside(self.x, self.y, self.w, self.h)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Window:
    """A top-level X window of the app as the window manager placed it."""

    wid: int
    title: str
    x: int
    y: int
    w: int
    h: int

    def on_screen(self) -> bool:
        return _inside(self.x, self.y, self.w, self.h)


def _inside(x: int, y: int, w: int, h: int) -> bool:
    return x >= 0 and y >= 0 and x + w <= SCREEN_W and y + h <= SCREEN_H


def _same_place(node: Node, window: Window) -> bool:
    return (node.x, node.y, node.w, node.h) == (window.x, window.y, window.w, window.h)


def _check(reply: Any, what: str) -> None:
    if reply.header.message_type == MessageType.error:
        raise DesktopError(f"D-Bus error while {what}: {reply.body}")


class Desktop:
    """Xvfb + openbox + a private session bus with accessibility on; one per test session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[subprocess.Popen[bytes]] = []
        self.display = ""
        self.env: dict[str, str] = {}
        self._a11y: DBusConnection | None = None

    # -- set-up ---------------------------------------------------------------------
    def start(self) -> None:
        missing = missing_tools()
        if missing:
            raise DesktopError(
                "the real-X acceptance tests need these Debian packages: "
                f"{' '.join(missing)} (apt-get install {' '.join(missing)}; .ci/run does this)"
            )
        runtime = self.workdir / "runtime"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{SCREEN_W}x{SCREEN_H}x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(xvfb)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            raise DesktopError("Xvfb did not start (no display number)")
        self.display = f":{number}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND"))}
        env.update(DISPLAY=self.display, XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="xcb")
        # openbox, dconf and the app write caches and settings under HOME: keep them here
        home = self.workdir / "home"
        for sub in ("", ".config", ".cache", ".local/share"):
            (home / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(home / ".cache"),
            XDG_DATA_HOME=str(home / ".local/share"),
        )
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        dbus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(dbus)
        assert dbus.stdout is not None
        address = dbus.stdout.readline().decode().strip()
        if not address:
            raise DesktopError("the session bus (dbus-daemon) did not start")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.env = env
        self.procs.append(
            subprocess.Popen(
                ["openbox", "--sm-disable"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(self._wm_running, 10, "the openbox window manager")
        self._enable_accessibility()

    def _wm_running(self) -> bool:
        out = self.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], check=False)
        return "window id" in out

    def _enable_accessibility(self) -> None:
        """Switch AT-SPI on as a screen reader would and connect to the accessibility bus."""
        session = open_dbus_connection(bus=self.env["DBUS_SESSION_BUS_ADDRESS"])
        try:
            bus = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
            status = DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Status")
            reply = session.send_and_get_reply(
                Properties(status).set("IsEnabled", "b", True), timeout=10
            )
            _check(reply, "switching accessibility on")
            reply = session.send_and_get_reply(new_method_call(bus, "GetAddress"), timeout=10)
            _check(reply, "finding the accessibility bus")
            self._a11y = open_dbus_connection(bus=reply.body[0])
        finally:
            session.close()

    def stop(self) -> None:
        if self._a11y is not None:
            with contextlib.suppress(Exception):
                self._a11y.close()
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.procs.clear()

    # -- tools ----------------------------------------------------------------------
    def run(self, args: list[str], check: bool = True, timeout: float = 20) -> str:
        result = subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise DesktopError(f"{args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def xdotool(self, *args: str, check: bool = True) -> str:
        return self.run(["xdotool", *args], check=check)

    def screenshot(self, path: Path) -> Path | None:
        """Save the whole screen as PNG (needs ImageMagick's ``import``); None without it."""
        if not shutil.which("import"):
            return None
        self.run(["import", "-window", "root", str(path)], check=False)
        return path if path.exists() else None

    @property
    def a11y(self) -> DBusConnection:
        assert self._a11y is not None, "desktop not started"
        return self._a11y


class App:
    """One run of the real ``safediary --data-dir DIR`` on the desktop."""

    def __init__(self, desktop: Desktop, data_dir: Path, log: Path) -> None:
        self.desktop = desktop
        self.data_dir = data_dir
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "safediary", "--data-dir", str(data_dir)],
            env={**desktop.env, "PYTHONFAULTHANDLER": "1"},  # a hang shows where it was
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._bus_name: str | None = None

    # -- process --------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def assert_alive(self, what: str) -> None:
        if not self.alive():
            raise DesktopError(
                f"the app ended (status {self.proc.returncode}) {what}\n{self.log()[-3000:]}"
            )

    def wait_exit(self, timeout: float) -> float:
        """Seconds until the process ended (fails after ``timeout``)."""
        start = time.monotonic()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            # faulthandler (on in the app's environment) prints every thread's stack
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
            raise DesktopError(
                f"the app was still running {timeout} s later; where it was:\n{self.log()[-4000:]}"
            ) from exc
        return time.monotonic() - start

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self._log.close()

    # -- windows as the window manager sees them -----------------------------------
    def windows(self) -> list[Window]:
        """The app's visible top-level windows."""
        out = self.desktop.xdotool(
            "search", "--onlyvisible", "--pid", str(self.proc.pid), check=False
        )
        found = []
        for line in out.split():
            wid = int(line)
            info = self.desktop.run(["xwininfo", "-id", str(wid)], check=False)
            numbers = {
                key: int(value)
                for key, value in re.findall(
                    r"(Absolute upper-left X|Absolute upper-left Y|Width|Height):\s+(-?\d+)", info
                )
            }
            title = re.search(r'xwininfo: Window id: \S+ "(.*)"', info)
            if len(numbers) == 4 and numbers["Width"] > 1 and numbers["Height"] > 1:
                found.append(
                    Window(
                        wid,
                        title.group(1) if title else "",
                        numbers["Absolute upper-left X"],
                        numbers["Absolute upper-left Y"],
                        numbers["Width"],
                        numbers["Height"],
                    )
                )
        return found

    def wait_window(self, title: str, timeout: float = 15) -> Window:
        """Wait until a window whose title starts with ``title`` is shown; return it."""

        def find() -> Window | None:
            self.assert_alive(f"while waiting for the window “{title}”")
            for window in reversed(self.windows()):
                if window.title.lower().startswith(title.lower()):
                    return window
            return None

        return wait_for(find, timeout, f"the window “{title}”")  # type: ignore[return-value]

    def wait_no_window(self, title: str, timeout: float = 10) -> None:
        wait_for(
            lambda: all(not w.title.lower().startswith(title.lower()) for w in self.windows()),
            timeout,
            f"the window “{title}” to close",
        )

    def has_keyboard_focus(self) -> bool:
        """Whether one of the app's windows holds the X keyboard focus (keys reach the app)."""
        focus = self.desktop.xdotool("getwindowfocus", "-f", check=False).strip()
        return focus.isdigit() and int(focus) in {w.wid for w in self.windows()}

    # -- real input -----------------------------------------------------------------
    def type(self, text: str) -> None:
        self.desktop.xdotool("type", "--delay", "12", text)

    def key(self, *keys: str) -> None:
        self.desktop.xdotool("key", "--delay", "40", *keys)

    def click(
        self,
        name: str,
        window: str | Window | None = None,
        role: str | None = "push button",
        *,
        double: bool = False,
        timeout: float = 10,
    ) -> Node:
        """Click (or double-click) the middle of the showing control with this accessible name."""
        node = self.wait_node(name, window=window, role=role, timeout=timeout)
        if not (node.visible[2] and node.visible[3]):
            raise DesktopError(f"“{name}” is scrolled out of sight: a person cannot click it")
        x, y = node.center
        repeat = ["--repeat", "2", "--delay", "80"] if double else []
        self.desktop.xdotool("mousemove", "--sync", str(x), str(y), "click", *repeat, "1")
        return node

    # -- accessibility --------------------------------------------------------------
    def _call(
        self, path: str, iface: str, method: str, sig: str | None = None, body: tuple = ()
    ) -> Any:  # type: ignore[type-arg]
        assert self._bus_name is not None
        address = DBusAddress(path, bus_name=self._bus_name, interface=iface)
        reply = self.desktop.a11y.send_and_get_reply(
            new_method_call(address, method, sig, body), timeout=5
        )
        _check(reply, f"{iface}.{method}")
        return reply.body

    def _prop(self, path: str, iface: str, name: str) -> Any:
        assert self._bus_name is not None
        address = DBusAddress(path, bus_name=self._bus_name, interface=iface)
        reply = self.desktop.a11y.send_and_get_reply(Properties(address).get(name), timeout=5)
        _check(reply, f"reading {name}")
        return reply.body[0][1]

    def _find_bus_name(self) -> str | None:
        conn = self.desktop.a11y
        dbus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
        names = conn.send_and_get_reply(new_method_call(dbus, "ListNames"), timeout=5).body[0]
        for name in names:
            if not name.startswith(":"):
                continue
            reply = conn.send_and_get_reply(
                new_method_call(dbus, "GetConnectionUnixProcessID", "s", (name,)), timeout=5
            )
            if reply.header.message_type != MessageType.error and reply.body[0] == self.proc.pid:
                return str(name)
        return None

    def tree(self) -> list[Node]:
        """The app's showing windows as accessible objects, each with its descendants."""
        self.assert_alive("while reading its windows")
        if self._bus_name is None:
            self._bus_name = wait_for(  # type: ignore[assignment]
                self._find_bus_name, 10, "the app on the accessibility bus"
            )

        def top_level() -> tuple[list[tuple[str, str]]] | None:
            try:
                return (list(self._call(ROOT, ACCESSIBLE, "GetChildren")[0]),)
            except DesktopError:  # the app is still putting its accessibility tree up
                self.assert_alive("while reading its windows")
                return None

        windows = []
        (paths,) = wait_for(top_level, 10, "the app's accessible windows")  # type: ignore[misc]
        for _, path in paths:
            with contextlib.suppress(DesktopError):  # a window closing meanwhile
                node = self._node(path, "", None)
                if node.showing:
                    windows.append(node)
        return windows

    def _node(self, path: str, window: str, clip: tuple[int, int, int, int] | None) -> Node:
        name = self._prop(path, ACCESSIBLE, "Name")
        role = self._call(path, ACCESSIBLE, "GetRoleName")[0]
        try:
            x, y, w, h = self._call(path, "org.a11y.atspi.Component", "GetExtents", "u", (0,))[0]
        except DesktopError:
            x = y = w = h = 0
        bits = self._call(path, ACCESSIBLE, "GetState")[0]
        states = frozenset(
            i + 32 * word for word, value in enumerate(bits) for i in range(32) if value >> i & 1
        )
        clipped = clip is not None and not (
            x >= clip[0] and y >= clip[1] and x + w <= clip[2] and y + h <= clip[3]
        )
        node = Node(name, role, x, y, w, h, states, path, window or name, clipped)
        left, top, right, bottom = (x, y, x + w, y + h)
        if clip is not None:
            left, top = max(left, clip[0]), max(top, clip[1])
            right, bottom = min(right, clip[2]), min(bottom, clip[3])
        node.visible = (left, top, max(0, right - left), max(0, bottom - top))
        if STATE_SHOWING not in states:
            return node  # hidden: its children are hidden too
        inner = (x, y, x + w, y + h)
        if clip is not None:
            inner = (max(x, clip[0]), max(y, clip[1]), min(x + w, clip[2]), min(y + h, clip[3]))
        for _, child in self._call(path, ACCESSIBLE, "GetChildren")[0]:
            node.children.append(self._node(child, node.window, inner))
        return node

    def nodes(self, window: str | Window | None = None) -> list[Node]:
        """Every showing accessible object, of one window if given (by X window or title).

        A title matches the accessible name of the window, or the X window whose title
        starts with it (matched by position: the two names may differ).
        """
        tops = self.tree()
        if isinstance(window, str):
            matches = [w for w in self.windows() if w.title.lower().startswith(window.lower())]
            chosen = [t for t in tops if t.name.lower().startswith(window.lower())]
            for match in matches:
                chosen += _pick(match, [t for t in tops if _same_place(t, match)])
            tops = [t for t in tops if any(t is c for c in chosen)]
        elif isinstance(window, Window):
            tops = _pick(window, [t for t in tops if _same_place(t, window)])
        return [n for top in tops for n in top.walk() if n.showing]

    def wait_node(
        self,
        name: str,
        window: str | Window | None = None,
        role: str | None = None,
        timeout: float = 10,
    ) -> Node:
        """Wait until a showing control with this accessible name (and role) is there."""

        def find() -> Node | None:
            self.assert_alive(f"while looking for “{name}”")
            for node in self.nodes(window):
                if node.name == name and (role is None or node.role == role):
                    return node
            return None

        return wait_for(find, timeout, f"“{name}” on screen", step=0.1)  # type: ignore[return-value]

    def focused(self) -> Node | None:
        """The control with the keyboard focus (an editable one first: list items also say so)."""
        found = [n for n in self.nodes() if n.focused]
        editable = [n for n in found if n.editable]
        return (editable or found or [None])[-1]

    def text_of(self, node: Node) -> str:
        """The text inside a field (AT-SPI Text interface)."""
        return str(self._call(node.path, "org.a11y.atspi.Text", "GetText", "ii", (0, -1))[0])


def _pick(window: Window, tops: list[Node]) -> list[Node]:
    """Of accessible windows at the same place, the one named like the X window, or the active."""
    if len(tops) < 2:
        return tops
    named = [t for t in tops if t.name.lower() == window.title.lower()]
    active = [t for t in tops if STATE_ACTIVE in t.states]
    return named[:1] or active[:1] or tops[:1]


@contextlib.contextmanager
def running_desktop() -> Iterator[Desktop]:
    """A desktop for the duration of the block (used by the session fixture)."""
    with tempfile.TemporaryDirectory(prefix="safediary-x-") as tmp:
        desktop = Desktop(Path(tmp))
        try:
            desktop.start()
            yield desktop
        finally:
            desktop.stop()
