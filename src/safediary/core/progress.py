"""The one contract for long work (import, report, backup, restore, verify, rekey).

A long operation takes two optional keyword arguments:

- ``progress(done, total)``: called from the worker as work advances; ``total`` is None
  while it is not known yet. It may raise to stop the work.
- ``cancel()``: returns True once the person asked to stop; the operation then stops at
  its next step, leaves nothing half-written and raises its own "cancelled" error.

The GUI wraps any such function once (``safediary.gui.workers.Task``) to turn both into
Qt signals and a Cancel button.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[int, int | None], None]
CancelFn = Callable[[], bool]

__all__ = ["CancelFn", "ProgressFn"]
