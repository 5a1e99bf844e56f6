"""Hostile message exports: time and peak memory of each, every case in its own process.

Usage: python benchmarks/bench_messages_hostile.py [CASE ...]

Each case writes a hostile file (under a temporary folder, deleted after), imports
it into a fresh vault in a child process, and prints what happened (the plain
message or the message count), the wall time and the child's peak RSS.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from _util import peak_rss_mb

MIB = 1 << 20
HEAD = b"Date: Sat, 28 Nov 2026 10:00:00 +0000\nFrom: dan@example.invalid\n"


def chat_bomb(path: Path) -> Path:
    """A 1 GB chat text that deflates to about 1 MB."""
    path = path / "WhatsApp Chat.zip"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("_chat.txt", "w", force_zip64=True) as member,
    ):
        member.write(b"28/11/2026, 21:40 - Daniel: hi\n")
        for _ in range(1024):
            member.write(b"a" * MIB)
    return path


def many_members(path: Path) -> Path:
    path = path / "chat.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("_chat.txt", "28/11/2026, 21:40 - Daniel: hi\n")
        for i in range(200_000):
            z.writestr(f"m{i}", b"")
    return path


def million_lines(path: Path) -> Path:
    path = path / "chat.txt"
    with path.open("w") as fh:
        for i in range(1_000_000):
            fh.write(f"28/11/2026, {i // 60 % 24:02d}:{i % 60:02d} - Daniel: message {i}\n")
    return path


def one_message_million_lines(path: Path) -> Path:
    path = path / "chat.txt"
    with path.open("w") as fh:
        fh.write("28/11/2026, 21:40 - Daniel: hi\n")
        fh.write(("y" * 30 + "\n") * 1_000_000)
    return path


def million_sms(path: Path) -> Path:
    path = path / "sms.xml"
    with path.open("wb") as fh:
        fh.write(b"<?xml version='1.0'?><smses>")
        fh.write(b"<sms date='1795902060000' type='1' address='1' body='x'/>" * 1_000_000)
        fh.write(b"</smses>")
    return path


def huge_mms(path: Path) -> Path:
    path = path / "sms.xml"
    with path.open("wb") as fh:
        fh.write(b"<?xml version='1.0'?><smses><mms date='1' msg_box='1'><parts><part data='")
        for _ in range(500):
            fh.write(b"QUJD" * (MIB // 4))
        fh.write(b"'/></parts></mms></smses>")
    return path


def mbox_no_separators(path: Path) -> Path:
    path = path / "box.mbox"
    with path.open("wb") as fh:
        fh.write(b"From x\n" + HEAD + b"\n")
        for _ in range(1024):
            fh.write(b"z" * MIB)
    return path


def encoded_subject(path: Path) -> Path:
    path = path / "big.eml"
    word = b"=?utf-8?q?" + b"a" * 60 + b"?="
    path.write_bytes(HEAD + b"Subject: " + b" ".join([word] * 20_000) + b"\n\nbody\n")
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (chat_bomb, many_members, million_lines, one_message_million_lines, million_sms,
              huge_mms, mbox_no_separators, encoded_subject)
}


def child(path: str) -> None:
    from zoneinfo import ZoneInfo

    from safediary.core import Vault
    from safediary.core.vault.keys import KdfParams

    root = Path(path).parent / "vault"
    vault, _ = Vault.create(root, "correct horse battery staple",
                            kdf=KdfParams.fast())
    gaps = [0.0]
    running = True

    def ticker() -> None:  # stands in for the GUI thread: how long can it be kept from the GIL?
        last = time.perf_counter()
        while running:
            time.sleep(0.005)
            now = time.perf_counter()
            gaps[0] = max(gaps[0], now - last - 0.005)
            last = now

    thread = threading.Thread(target=ticker, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        conv = vault.messages.import_export(path, tz=ZoneInfo("Europe/London"))
        outcome = f"imported {conv.message_count} messages"
    except Exception as exc:  # report what the person would read
        outcome = f"{type(exc).__name__}: {exc}"
    took = time.perf_counter() - start
    running = False
    thread.join()
    print(f"{took:8.1f} s  {peak_rss_mb():7.0f} MB peak  other thread held off "
          f"{gaps[0] * 1000:5.0f} ms  {outcome[:100]}")
    vault.lock()


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
        return
    for name in sys.argv[1:] or list(CASES):
        with tempfile.TemporaryDirectory() as tmp:
            path = CASES[name](Path(tmp))
            size = path.stat().st_size / MIB
            print(f"{name:28} {size:8.1f} MB file", end="  ", flush=True)
            subprocess.run([sys.executable, __file__, "--child", str(path)], check=False)


if __name__ == "__main__":
    main()
