"""The decoder process: hostile files cost only that process, which is killed on demand."""

from __future__ import annotations

import threading
import time

import pytest

from safediary.host import sandbox
from safediary.host.sandbox import DecodeFailed, DecodeJob, frame
from tests.support.hostile import loop_pdf, png_bomb


def small_pdf(pages: int = 2) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for n in range(pages):
        c.drawString(100, 700, f"page {n + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def test_a_pdf_is_rendered_to_pixels_in_another_process() -> None:
    decoded = sandbox.decode({"job": "pdf", "count": 5, "width": 400}, small_pdf(3))
    assert decoded.info["pages"] == 3
    assert [p.info["page"] for p in decoded.pictures] == [0, 1, 2]
    page = decoded.pictures[0]
    assert page.width == 400 and page.fmt == "RGB888"
    assert len(page.pixels) == page.stride * page.height
    assert page.pixels[:3] == b"\xff\xff\xff"  # flattened onto white paper


def test_a_pdf_whose_page_tree_lists_itself_is_killed_on_time() -> None:
    data = loop_pdf()
    assert len(data) < 400
    start = time.monotonic()
    with pytest.raises(DecodeFailed, match="longer than 2 seconds"):
        sandbox.decode({"job": "pdf"}, data, timeout=2)
    assert time.monotonic() - start < 4
    assert sandbox.running() == 0


def test_kill_all_stops_a_running_decoder_from_another_thread() -> None:
    job = DecodeJob()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            job.run({"job": "pdf"}, loop_pdf(), timeout=30)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while sandbox.running() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    start = time.monotonic()
    assert sandbox.kill_all() == 1
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - start < 2
    assert isinstance(errors[0], DecodeFailed)
    assert sandbox.running() == 0


def test_a_killed_job_never_starts_again() -> None:
    job = DecodeJob()
    job.kill()
    with pytest.raises(DecodeFailed):
        job.run({"job": "pdf"}, small_pdf())


def test_an_image_bomb_is_refused_or_reduced_never_decoded_in_the_app() -> None:
    decoded = sandbox.decode({"job": "image"}, png_bomb(9000, 9000), timeout=30)
    picture = decoded.pictures[0]
    assert max(picture.width, picture.height) <= 4096  # shown reduced
    assert decoded.info == {"width": 9000, "height": 9000}


def test_garbage_is_a_plain_failure() -> None:
    with pytest.raises(DecodeFailed):
        sandbox.decode({"job": "pdf"}, b"%PDF-1.7\n garbage \x00\xff" * 100)
    with pytest.raises(DecodeFailed):
        sandbox.decode({"job": "image"}, b"\x89PNG\r\n\x1a\n" + b"\xff" * 1000)
    with pytest.raises(DecodeFailed):
        sandbox.decode({"job": "nonsense"}, b"")


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"\x00\x00\x00\x09{}",
        frame(b"not json"),
        frame(b'{"image": {"w": 2, "h": 2, "stride": 6, "format": "RGB888"}}') + frame(b"x"),
        frame(b'{"image": {"w": -1, "h": 2, "stride": 6, "format": "RGB888"}}') + frame(b"\0" * 12),
        frame(b'{"image": {"w": 1, "h": 1, "stride": 3, "format": "CMYK"}}') + frame(b"\0" * 3),
        frame(b'{"image": {"w": 1, "h": 1, "stride": 3, "format": "RGB888"}}') + frame(b"\0" * 3),
    ],
)
def test_the_app_checks_every_number_the_decoder_sends(answer: bytes) -> None:
    with pytest.raises(DecodeFailed):
        sandbox.parse_answer(answer)


def test_the_decoder_limits_its_own_memory() -> None:
    import subprocess

    code = (
        "from safediary import decoder; decoder._limit_self();"
        "import resource as r; print(r.getrlimit(r.RLIMIT_DATA)[0],"
        " r.getrlimit(r.RLIMIT_FSIZE)[0], r.getrlimit(r.RLIMIT_CORE)[0])"
    )
    out = subprocess.run(
        [*sandbox.worker_command()[:1], "-c", code], capture_output=True, text=True, check=True
    )
    data, fsize, core = (int(v) for v in out.stdout.split())
    assert data == 1 << 30 and fsize == 0 and core == 0
