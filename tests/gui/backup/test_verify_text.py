""""Check my diary" says what the fingerprint covers and shows clock warnings apart (issue 14)."""

from __future__ import annotations

from safediary.core import VerifyReport
from safediary.gui.backup.dialogs import verify_text


def test_clean_check_says_what_the_fingerprint_covers_and_lists_warnings() -> None:
    report = VerifyReport(incidents=2, revisions=3, fingerprint="ab" * 32)
    report.warnings.append("The time entry 2 was written down is in the future.")
    text = verify_text(report)
    assert text.startswith("Everything checked out")
    assert "people" in text and "court orders" in text and "computer's clock" in text
    assert "Worth knowing:\n- The time entry 2" in text


def test_problems_come_first_and_warnings_after() -> None:
    report = VerifyReport(problems=["A person (3) was changed without SafeDiary."])
    report.warnings.append("A clock oddity.")
    text = verify_text(report)
    assert text.index("changed without SafeDiary") < text.index("Worth knowing")
