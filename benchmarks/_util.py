"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Median wall time in seconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result  # type: ignore[return-value]


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(label: str, value: float, unit: str, target: str = "") -> None:
    """Print one figure, aligned, with its target."""
    suffix = f"   (target {target})" if target else ""
    print(f"{label:<46} {value:10.2f} {unit}{suffix}", flush=True)
