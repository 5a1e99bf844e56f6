"""Decode untrusted files in a separate, limited process that the app can kill at any time.

A file a stalker sends can be built to hang or exhaust a decoder (a PDF whose
page tree lists itself spins pdfium for ever). Such work never runs in the app:
:class:`DecodeJob` starts ``safediary --render-worker`` (see
:mod:`safediary.decoder`), writes the decrypted bytes to its stdin and reads
pictures back from its stdout, so no plaintext touches the disk. The child limits
itself (data memory, CPU time, no file writes, no core dumps, dies with its
parent); the parent kills it after ``timeout`` seconds, and :func:`kill_all` ends
every running child on lock and on quick exit.

Wire format (both ways): a request is one JSON line followed by the raw bytes;
the answer is a series of frames, each a 4-byte big-endian length and a payload:
JSON frames (``{"image": {...}}``, ``{"done": {...}}``, ``{"error": "..."}``),
each ``image`` frame followed by one frame of raw pixels.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

WORKER_FLAG = "--render-worker"
DEFAULT_TIMEOUT_S = 15.0
MAX_ANSWER = 768 << 20  # pixels of a batch of pages; more means a confused child
MAX_SIDE = 16384
_FORMATS = {"RGB888": 3, "RGBA8888": 4}

_live: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()


class DecodeFailed(Exception):
    """The file could not be shown (it hung, used too much memory, or is broken)."""


@dataclass
class Picture:
    """Raw pixels from the child: ``fmt`` is "RGB888" or "RGBA8888", rows ``stride`` bytes."""

    width: int
    height: int
    stride: int
    fmt: str
    pixels: bytes
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Decoded:
    pictures: list[Picture]
    info: dict[str, Any]


def worker_command() -> list[str]:
    """How to start the decoder: the frozen app itself, or this Python with ``-m safediary``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "safediary", WORKER_FLAG]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def _frames(answer: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(answer):
        if pos + 4 > len(answer):
            raise DecodeFailed("The decoder's answer was cut short.")
        (size,) = struct.unpack(">I", answer[pos : pos + 4])
        pos += 4
        if pos + size > len(answer):
            raise DecodeFailed("The decoder's answer was cut short.")
        out.append(answer[pos : pos + size])
        pos += size
    return out


def _picture(meta: Any, pixels: bytes) -> Picture:
    """Check the child's claims about a picture before the GUI builds an image from it."""
    if not isinstance(meta, dict):
        raise DecodeFailed("The decoder sent a malformed picture.")
    w, h, stride, fmt = meta.get("w"), meta.get("h"), meta.get("stride"), meta.get("format")
    if not (isinstance(w, int) and isinstance(h, int) and isinstance(stride, int)):
        raise DecodeFailed("The decoder sent a malformed picture.")
    if not isinstance(fmt, str) or fmt not in _FORMATS:
        raise DecodeFailed("The decoder sent a malformed picture.")
    if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE and stride >= w * _FORMATS[fmt]):
        raise DecodeFailed("The decoder sent a malformed picture.")
    if len(pixels) != stride * h:
        raise DecodeFailed("The decoder sent a malformed picture.")
    info = {k: v for k, v in meta.items() if k not in ("w", "h", "stride", "format")}
    return Picture(w, h, stride, fmt, pixels, info)


def parse_answer(answer: bytes) -> Decoded:
    """Pictures and the closing ``done`` information; DecodeFailed for anything else."""
    parts = _frames(answer)
    pictures: list[Picture] = []
    i = 0
    while i < len(parts):
        try:
            message = json.loads(parts[i])
        except (ValueError, UnicodeDecodeError) as exc:
            raise DecodeFailed("The decoder's answer was not understood.") from exc
        if not isinstance(message, dict):
            raise DecodeFailed("The decoder's answer was not understood.")
        if "error" in message:
            raise DecodeFailed(str(message["error"])[:300])
        if "done" in message:
            done = message["done"]
            return Decoded(pictures, done if isinstance(done, dict) else {})
        if "image" in message and i + 1 < len(parts):
            pictures.append(_picture(message["image"], parts[i + 1]))
            i += 2
            continue
        raise DecodeFailed("The decoder's answer was not understood.")
    raise DecodeFailed("The decoder stopped before it finished.")


class DecodeJob:
    """One decode in a child process; :meth:`run` blocks (call it off the GUI thread)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._killed = threading.Event()

    def run(
        self, request: dict[str, Any], data: bytes, timeout: float = DEFAULT_TIMEOUT_S
    ) -> Decoded:
        """Start the child, hand it the bytes, wait at most ``timeout`` seconds."""
        if self._killed.is_set():
            raise DecodeFailed("Stopped.")
        header = json.dumps(request).encode() + b"\n"
        proc = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
            close_fds=True,
        )
        with _lock:
            self._proc = proc
            _live.add(proc)
        if self._killed.is_set():  # killed while starting
            proc.kill()
        try:
            answer, _ = proc.communicate(header + data, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise DecodeFailed(f"It took longer than {timeout:g} seconds to open.") from exc
        except OSError as exc:  # the child died before reading everything (broken pipe)
            proc.kill()
            proc.wait()
            raise DecodeFailed("The decoder stopped unexpectedly.") from exc
        finally:
            with _lock:
                _live.discard(proc)
        if self._killed.is_set():
            raise DecodeFailed("Stopped.")
        if proc.returncode != 0:
            raise DecodeFailed("The decoder stopped unexpectedly (too big or damaged).")
        if len(answer) > MAX_ANSWER:
            raise DecodeFailed("The decoder's answer was too large.")
        return parse_answer(answer)

    def kill(self) -> None:
        """Stop the child now (safe from any thread, before, during or after :meth:`run`)."""
        self._killed.set()
        with _lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        proc.kill()


def kill_all() -> int:
    """Kill every running decoder (lock, quick exit); returns how many were running."""
    with _lock:
        procs = list(_live)
    for proc in procs:
        _kill(proc)
    return len(procs)


def running() -> int:
    """How many decoder processes are alive."""
    with _lock:
        return sum(1 for p in _live if p.poll() is None)


def decode(request: dict[str, Any], data: bytes, timeout: float = DEFAULT_TIMEOUT_S) -> Decoded:
    """Run one decode job to the end (a convenience for core code and tests)."""
    return DecodeJob().run(request, data, timeout)
