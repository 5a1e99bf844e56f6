"""Files past 2 GiB: progress arrives whole (no 32-bit wrap) and is told in MB and time left."""

from __future__ import annotations

from safediary.gui.evidence.panel import CopyMeter, time_left_text
from safediary.gui.workers import Task, runner

GB = 1024**3


def test_progress_past_2_gib_arrives_unwrapped(qtbot) -> None:  # type: ignore[no-untyped-def]
    sizes = [(3 * GB, 50 * GB), (50 * GB, 50 * GB)]

    def copy(progress) -> str:  # type: ignore[no-untyped-def]
        for done, total in sizes:
            progress(done, total)
        return "done"

    seen: list[tuple[int, int]] = []
    task = Task(copy)
    task.signals.progress.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(task.signals.finished, timeout=5000) as finished:
        runner().start(task)
    assert finished.args == ["done"]
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen == sizes


def test_copy_meter_says_megabytes_and_time_left() -> None:
    clock = [100.0]
    meter = CopyMeter(clock=lambda: clock[0])
    assert meter.text(0, 2200 * 1024**2) == "0 MB of 2,200 MB copied"
    clock[0] += 10.0  # 550 MB in 10 s: 1650 MB more take 30 s
    assert meter.text(550 * 1024**2, 2200 * 1024**2) == (
        "550 MB of 2,200 MB copied, about 30 seconds left"
    )
    assert meter.text(2200 * 1024**2, 2200 * 1024**2) == "2,200 MB of 2,200 MB copied"


def test_time_left_wording() -> None:
    assert time_left_text(2) == "about 5 seconds left"
    assert time_left_text(61) == "about 1 minute left"
    assert time_left_text(600) == "about 10 minutes left"
    assert time_left_text(3600) == "about 1 hour left"
    assert time_left_text(3900) == "about 1 hour 5 minutes left"
