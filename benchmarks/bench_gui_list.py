"""Incident list in the GUI: load 10,000 incidents into the table model, then scroll it all.

Runs offscreen (no display needed). Prints: the time to query and load the model,
the time to search, and the time to scroll the table from top to bottom a page
at a time, painting each page (the figure that decides whether scrolling is smooth).
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _util import line, peak_rss_mb, timed

N = 10_000


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from safediary.core import Vault
    from safediary.core.timeutil import now
    from safediary.core.vault import keys
    from safediary.gui.diary.model import Query, evidence_counts, load_incidents
    from safediary.gui.main_window import MainWindow

    keys.DEFAULT_KDF = keys.KdfParams.fast()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        vault, _ = Vault.create(Path(tmp) / "vault", "benchmark passphrase words")
        start = now() - timedelta(days=N // 10)
        kinds = [{"text_message"}, {"following", "watching"}, {"phone_call", "threat"}]
        for i in range(N):
            vault.incidents.add(
                occurred_at=start + timedelta(hours=2.4 * i),
                location=f"Place {i % 50}",
                kinds=kinds[i % 3],
                description=f"Entry {i}: he sent another message about the party.\nMore.",
                reported_to="Police (101)" if i % 7 == 0 else "",
                police_reference=f"CR/{i}" if i % 7 == 0 else "",
            )
        window = MainWindow(vault)
        window.resize(1180, 720)
        window.show()
        app.processEvents()

        def load() -> None:
            window.model.set_incidents(
                load_incidents(vault, Query(newest_first=True)), evidence_counts(vault)
            )

        seconds, _ = timed(load, repeat=3)
        line(f"load {N:,} incidents into the table model", seconds * 1000, "ms", "< 200 ms")
        seconds, _ = timed(lambda: load_incidents(vault, Query(text="party 99")), repeat=5)
        line("search (query + rows) over them", seconds * 1000, "ms", "< 50 ms core")
        seconds, _ = timed(lambda: window.refresh(), repeat=3)
        line("window.refresh() (query, model, status)", seconds * 1000, "ms")

        table = window.table
        bar = table.verticalScrollBar()
        pages = 0

        def scroll() -> None:
            nonlocal pages
            pages = 0
            bar.setValue(0)
            while bar.value() < bar.maximum():
                bar.setValue(bar.value() + bar.pageStep())
                table.viewport().repaint()
                pages += 1

        seconds, _ = timed(scroll, repeat=2)
        line(f"scroll top to bottom ({pages} pages painted)", seconds * 1000, "ms")
        line("  per page", seconds * 1000 / max(1, pages), "ms", "< 16 ms for smooth")
        line("peak memory", peak_rss_mb(), "MB")
        window.close()
        vault.lock()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
