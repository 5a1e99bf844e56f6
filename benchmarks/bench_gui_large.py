"""A large diary in the GUI: 100,000 entries — first paint of the main window and memory.

Runs offscreen. Prints the time from creating the main window to its first painted
list (target < 200 ms), the time to re-list after a save, search and the kind filter,
and resident memory before opening the window, after it, and after scrolling the whole
list page by page (memory must not grow with every entry ever written).

Building 100,000 entries takes a few minutes; set SAFEDIARY_BENCH_VAULT to a folder to
keep the built vault there and reuse it on the next run.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _util import line

N = int(os.environ.get("SAFEDIARY_BENCH_N", "100000"))
PASSPHRASE = "benchmark passphrase words"
TEXT = (
    "He was waiting outside the house again when I came back from work. He stood by the "
    "lamp post opposite and watched me go in. Later he sent three messages saying he "
    "knew where I had been and who I had talked to. I did not answer. "
)


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def build(folder: Path) -> None:
    from safediary.core import Vault
    from safediary.core.timeutil import now

    vault, _ = Vault.create(folder, PASSPHRASE)
    start = now() - timedelta(days=N // 10)
    kinds = [{"text_message"}, {"following", "watching"}, {"phone_call", "threat"}]
    began = time.perf_counter()
    for i in range(N):
        vault.incidents.add(
            occurred_at=start + timedelta(hours=2.4 * i),
            location=f"Outside number {i % 50}, Station Road",
            kinds=kinds[i % 3],
            description=f"Entry {i}: {TEXT * 2}",
            feelings="Frightened; I could not sleep.",
            reported_to="Police (101)" if i % 7 == 0 else "",
            police_reference=f"CR/{i}" if i % 7 == 0 else "",
        )
        if i and i % 10000 == 0:
            print(f"  built {i:,} entries in {time.perf_counter() - began:.0f} s", flush=True)
    vault.lock()


def main() -> int:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from safediary.core import Vault
    from safediary.core.vault import keys

    keys.DEFAULT_KDF = keys.KdfParams.fast()
    app = QApplication.instance() or QApplication([])
    keep = os.environ.get("SAFEDIARY_BENCH_VAULT")
    tmp = None
    if keep:
        folder = Path(keep)
    else:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name) / "vault"
    if not Vault.exists(folder):
        build(folder)

    from safediary.gui.main_window import MainWindow

    vault = Vault.unlock(folder, PASSPHRASE)
    # As in the app, the unlock window was shown first: Qt's first-window costs
    # (style, fonts) are paid before the diary opens.
    from safediary.gui.start.unlock import UnlockWindow

    unlock = UnlockWindow(folder)
    unlock.show()
    app.processEvents()
    unlock.close()
    before = rss_mb()

    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    spy = FirstPaint()
    cpu = time.process_time()
    began = time.perf_counter()
    window = MainWindow(vault)
    window.table.viewport().installEventFilter(spy)
    window.resize(1000, 700)
    window.show()
    while not painted and time.perf_counter() - began < 60:
        app.processEvents()
    line(
        f"main window, first painted list ({vault.incidents.count():,} entries)",
        (painted[0] - began) * 1000,
        "ms",
        "< 200 ms",
    )
    line("  of which this process's CPU time", (time.process_time() - cpu) * 1000, "ms")
    line("memory before the window", before, "MB")
    line("memory after first paint", rss_mb(), "MB")

    for label, action in (
        ("re-list (refresh after a save)", window.refresh),
        (
            "search 'lamp post 99' (typed, then listed)",
            lambda: (window.search_field.setText("lamp post 99"), window.refresh()),
        ),
        (
            "kind filter (threats)",
            lambda: (
                window.search_field.setText(""),
                window.kind_box.setCurrentIndex(window.kind_box.findData("threat")),
            ),
        ),
    ):
        t = time.perf_counter()
        action()
        app.processEvents()
        line(label, (time.perf_counter() - t) * 1000, "ms")
    window.clear_filters()

    table = window.table
    bar = table.verticalScrollBar()
    step = max(1, bar.maximum() // 400)  # 400 jumps through the whole list
    t = time.perf_counter()
    pages = 0
    bar.setValue(0)
    while bar.value() < bar.maximum():
        bar.setValue(min(bar.maximum(), bar.value() + step))
        table.viewport().repaint()
        pages += 1
    line(
        f"scroll through the whole list ({pages} jumps, painted)",
        (time.perf_counter() - t) * 1000 / max(1, pages),
        "ms/jump",
        "< 16 ms",
    )
    line("memory after scrolling everything", rss_mb(), "MB")
    window.close()
    vault.lock()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
