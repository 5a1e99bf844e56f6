"""What a person at a 1024×768 screen needs from every window, as lists of plain problems."""

from __future__ import annotations

import time

from tests.acceptance.conftest import SENTENCE
from tests.acceptance.desktop import SCREEN_H, SCREEN_W, App, DesktopError, Node, Window

QUICK_EXIT_BUDGET_S = 1.0
CORNER_PX = 24  # Quick exit's distance from the window's top-right corner, at most


def layout_problems(app: App, window: Window) -> list[str]:
    """What a person at 1024×768 could not see or reach in this window."""
    problems = []
    if not window.on_screen():
        problems.append(
            f"window “{window.title}” is {window.w}×{window.h} at ({window.x}, {window.y}): "
            f"not wholly on the {SCREEN_W}×{SCREEN_H} screen"
        )
    nodes = [n for n in app.nodes(window) if n.role == "push button"]
    for node in nodes:
        if not node.clipped and not node.on_screen():
            problems.append(
                f"button “{node.name}” at {node.x},{node.y} {node.w}×{node.h} is off-screen"
            )
    exits = [n for n in nodes if n.name == "Quick exit"]
    if not exits:
        problems.append(f"window “{window.title}” has no Quick exit")
    for node in exits:
        right = window.x + window.w - (node.x + node.w)
        top = node.y - window.y
        if not 0 <= right <= CORNER_PX or not 0 <= top <= CORNER_PX:
            problems.append(
                f"Quick exit is {right} px from the right edge and {top} px below the top of "
                f"“{window.title}”, not in the top-right corner"
            )
        if node.focused:
            problems.append(f"Quick exit holds the keyboard focus in “{window.title}”")
    return problems


def typing_problems(app: App, window: Window, before: list[Window]) -> list[str]:
    """Type a sentence as the window opens: it must land in a field or do nothing."""
    fields = [n for n in app.nodes(window) if n.is_text_field and not n.clipped]
    app.type(SENTENCE)
    time.sleep(0.5)
    if not app.alive():
        return [f"typing “{SENTENCE}” into “{window.title}” ended the app"]
    problems = []
    after = app.windows()
    if {w.title for w in after} != {w.title for w in before}:
        problems.append(
            f"typing in “{window.title}” changed the windows: "
            f"{sorted(w.title for w in before)} → {sorted(w.title for w in after)}"
        )
    if fields:
        focused: Node | None = app.focused()
        text = app.text_of(focused) if focused is not None and focused.editable else ""
        # the whole sentence, or as much as the field takes (a recovery-key group: 12)
        if not text or not (SENTENCE in text or SENTENCE.startswith(text.strip())):
            where = f"“{focused.name}” ({focused.role})" if focused else "nowhere"
            problems.append(
                f"“{window.title}” has text fields but the sentence went to {where}, "
                "not into the first field"
            )
    return problems


def shift_three_times(app: App) -> float:
    """Press Shift three times; seconds from the third press until the process ended."""
    app.key("shift", "shift")
    start = time.monotonic()
    app.key("shift")
    app.wait_exit(5.0)
    return time.monotonic() - start


def quick_exit_problems(app: App, where: str) -> list[str]:
    """Shift×3 must end the app within the budget."""
    if not app.alive():
        return []
    if not app.has_keyboard_focus():
        return [f"no window of the app has the keyboard focus in “{where}”: Shift×3 cannot work"]
    try:
        took = shift_three_times(app)
    except DesktopError:
        return [f"Shift×3 in “{where}” did not end the app within 5 s"]
    print(f"quick exit from {where}: {took * 1000:.0f} ms")
    if took > QUICK_EXIT_BUDGET_S:
        return [f"Shift×3 in “{where}” took {took:.2f} s to end the app"]
    return []
