"""Process hardening that needs no Qt: no core dumps of a process holding keys."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

_PR_SET_DUMPABLE = 4


def disable_core_dumps() -> None:
    """Forbid core dumps (RLIMIT_CORE = 0) and, on Linux, ptrace/dumps by other users."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def core_dumps_disabled() -> bool:
    """True when the core-dump size limit is zero."""
    try:
        import resource
    except ImportError:
        return False
    return resource.getrlimit(resource.RLIMIT_CORE)[0] == 0
