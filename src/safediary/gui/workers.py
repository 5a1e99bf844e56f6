"""Run slow core calls off the GUI thread and hand results back through signals.

A :class:`Task` wraps a plain function. The function may accept a
``progress`` callback ``(done, total)`` and a ``cancel`` callable (see core/progress.py); both are
passed when the function's signature asks for them. Results, errors and
progress arrive on the GUI thread as Qt signals. Cancelling only sets a flag:
threads are never terminated.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

PROGRESS_INTERVAL_S = 0.1


class Cancelled(Exception):
    """Raised inside a task's progress callback once the user pressed Cancel."""


class TaskSignals(QObject):
    """Signals of one task; they are delivered on the thread that owns this object."""

    # Python ints, not C++ ints: a 32-bit int wraps past 2 GiB (a phone video) and the bar
    # sat at 0 % while the overflow warnings ended in a fatal error.
    progress = Signal(object, object)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal(object)


class Task(QRunnable):
    """One call of ``fn`` in the global thread pool."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self._last_emit = 0.0
        self.running = False
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        if "progress" in params and "progress" not in kwargs:
            self.kwargs["progress"] = self._progress
        if "cancel" in params and "cancel" not in kwargs:
            self.kwargs["cancel"] = self._cancel.is_set

    def connect(
        self,
        *,
        progress: Callable[[int, int], Any],
        finished: Callable[[Any], Any],
        failed: Callable[[Any], Any],
        cancelled: Callable[[], Any],
    ) -> Task:
        """Connect the four outcomes a long task reports (on the GUI thread); returns itself."""
        self.signals.progress.connect(progress)
        self.signals.finished.connect(finished)
        self.signals.failed.connect(failed)
        self.signals.cancelled.connect(cancelled)
        return self

    def cancel(self) -> None:
        """Ask the task to stop at its next progress report."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int | None) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last_emit < PROGRESS_INTERVAL_S:
            return  # a 50 GB import reports every MiB: the bar needs a few updates a second
        self._last_emit = now
        self.signals.progress.emit(int(done), int(total or 0))

    def run(self) -> None:
        self.running = True
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Cancelled:
            self.signals.cancelled.emit()
        except BaseException as exc:  # delivered to the GUI, which shows a calm message
            if self._cancel.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.failed.emit(exc)
        else:
            if self._cancel.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.running = False
            self.signals.done.emit(self)


class _Relay(QObject):
    """Calls plain callbacks on the GUI thread (a QObject slot is queued to its thread)."""

    def __init__(
        self,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error

    @Slot(object)
    def finished(self, result: Any) -> None:
        if self._on_done is not None:
            self._on_done(result)

    @Slot(object)
    def failed(self, exc: Any) -> None:
        if self._on_error is not None:
            self._on_error(exc)


class TaskRunner(QObject):
    """Starts tasks and keeps them alive until they end; one place to cancel them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[Task, _Relay | None] = {}
        # Our own pool: a long report or import elsewhere must never queue an unlock.
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(4, QThreadPool.globalInstance().maxThreadCount()))

    def start(self, task: Task, relay: _Relay | None = None) -> Task:
        self._tasks[task] = relay
        task.signals.done.connect(self._forget)
        self.pool.start(task)
        return task

    @Slot(object)
    def _forget(self, task: Task) -> None:
        self._tasks.pop(task, None)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Task:
        task = Task(fn, *args, **kwargs)
        relay = _Relay(on_done, on_error)
        task.signals.finished.connect(relay.finished)
        task.signals.failed.connect(relay.failed)
        return self.start(task, relay)

    @property
    def active(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def wait(self, msecs: int = 5000) -> bool:
        """Cancel everything and wait for the workers to return (used when locking)."""
        self.cancel_all()
        return self.pool.waitForDone(msecs)


_runner: TaskRunner | None = None


def runner() -> TaskRunner:
    """The application's task runner (created on first use)."""
    global _runner
    if _runner is None:
        _runner = TaskRunner()
    return _runner
