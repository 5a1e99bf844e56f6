"""The decoder process (``safediary --render-worker``): untrusted bytes in, pixels out.

Started by :mod:`safediary.host.sandbox`, never by a person. It first limits
itself: no core dumps, no file writes, bounded data memory and CPU time, and it
dies with its parent. Then it reads one request (a JSON line, then the file's
bytes) from stdin and writes frames of pixels to stdout. A file that makes a
decoder spin or balloon only costs this process, which the app kills.

``RLIMIT_AS`` cannot be used: pdfium reserves some 32 GiB of address space up
front (PartitionAlloc), so an address-space cap stops every PDF. ``RLIMIT_DATA``
(private writable memory, Linux ≥ 4.7) caps what decoding can really use.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from typing import Any, BinaryIO

from safediary.host.sandbox import frame

DATA_LIMIT = 1 << 30  # bytes of private writable memory
CPU_LIMIT_S = 60
MAX_REQUEST = 256 << 20
PAGE_WIDTH = 1100
MAX_PAGES = 200
IMAGE_MAX_SIDE = 4096
IMAGE_ALLOCATION_MB = 512


def _limit_self() -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout and kill still apply
        return
    for limit, value in (
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_CPU, CPU_LIMIT_S),
        (getattr(resource, "RLIMIT_DATA", None), DATA_LIMIT),
    ):
        if limit is None:
            continue
        with contextlib.suppress(ValueError, OSError):
            _soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, value))
    with contextlib.suppress(AttributeError, ValueError, OSError):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the app
            libc.prctl(4, 0)  # PR_SET_DUMPABLE 0: no core, no ptrace by others


def _read_request(stream: BinaryIO) -> tuple[dict[str, Any], bytes]:
    line = stream.readline(65536)
    request = json.loads(line)
    if not isinstance(request, dict):
        raise ValueError("bad request")
    data = stream.read(MAX_REQUEST + 1)
    if len(data) > MAX_REQUEST:
        raise ValueError("too large")
    return request, data


def _send(out: BinaryIO, message: dict[str, Any]) -> None:
    out.write(frame(json.dumps(message).encode()))


def _send_image(out: BinaryIO, image: Any, **info: Any) -> None:
    """Send a QImage as raw RGB888/RGBA8888 rows (the parent re-checks every number)."""
    from PySide6.QtGui import QImage

    fmt = "RGBA8888" if image.hasAlphaChannel() else "RGB888"
    image = image.convertToFormat(
        QImage.Format.Format_RGBA8888 if fmt == "RGBA8888" else QImage.Format.Format_RGB888
    )
    meta = {"w": image.width(), "h": image.height(), "stride": image.bytesPerLine(), "format": fmt}
    _send(out, {"image": {**meta, **info}})
    out.write(frame(bytes(image.constBits())[: image.bytesPerLine() * image.height()]))
    out.flush()


def _pdf(request: dict[str, Any], data: bytes, out: BinaryIO) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        _send(
            out, {"error": "This PDF could not be opened. It may be damaged or password-protected."}
        )
        return
    pages = document.pageCount()
    first = max(0, int(request.get("first", 0)))
    count = max(0, min(int(request.get("count", 10)), MAX_PAGES))
    width = max(100, min(int(request.get("width", PAGE_WIDTH)), 3000))
    for page in range(first, min(pages, first + count)):
        size = document.pagePointSize(page)
        ratio = size.height() / size.width() if size.width() > 0 else 1.414
        height = max(1, min(int(width * ratio), 4 * width))
        image = document.render(page, QSize(width, height))
        if image.isNull():
            _send(out, {"error": f"Page {page + 1} could not be drawn."})
            return
        _send_image(out, _on_white(image), page=page)
    _send(out, {"done": {"pages": pages}})


def _on_white(image: Any) -> Any:
    """pdfium draws on a transparent page: flatten it onto paper white."""
    from PySide6.QtGui import QImage, QPainter

    paper = QImage(image.size(), QImage.Format.Format_RGB888)
    paper.fill(0xFFFFFFFF)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper


def _image(request: dict[str, Any], data: bytes, out: BinaryIO) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtGui import QImageReader

    QImageReader.setAllocationLimit(IMAGE_ALLOCATION_MB)
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    full = reader.size()
    max_side = max(64, min(int(request.get("max_side", IMAGE_MAX_SIDE)), IMAGE_MAX_SIDE))
    if full.isValid() and max(full.width(), full.height()) > max_side:
        reader.setScaledSize(full.scaled(QSize(max_side, max_side), _keep_aspect()))
    image = reader.read()
    if image.isNull():
        _send(out, {"error": "This picture could not be shown: " + reader.errorString()})
        return
    if max(image.width(), image.height()) > max_side:
        from PySide6.QtCore import Qt

        image = image.scaled(
            max_side,
            max_side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    _send_image(out, image)
    _send(out, {"done": {"width": full.width(), "height": full.height()}})


def _keep_aspect() -> Any:
    from PySide6.QtCore import Qt

    return Qt.AspectRatioMode.KeepAspectRatio


JOBS = {"pdf": _pdf, "image": _image}


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Run one request; the exit status is 0 when an answer (even an error) was sent."""
    _limit_self()
    out = stdout or sys.stdout.buffer
    try:
        request, data = _read_request(stdin or sys.stdin.buffer)
        job = JOBS.get(str(request.get("job")))
        if job is None:
            _send(out, {"error": "Unknown job."})
        else:
            job(request, data, out)
    except MemoryError:
        _send(out, {"error": "The file needs more memory than SafeDiary allows."})
    except Exception:  # any decoder trouble is just "could not be shown"
        _send(out, {"error": "The file could not be read."})
    out.flush()
    return 0
