"""The report: a PDF for the police, a bundle of exhibits, CSV/JSON export. No Qt here.

from safediary.core.report import ReportOptions, write_report
write_report(vault, dest_pdf_path, ReportOptions())
"""

from safediary.core.report.document import (
    ReportCancelled,
    ReportOptions,
    render_report,
    save_pdf,
    select_incidents,
    write_bundle,
    write_report,
)

__all__ = [
    "ReportCancelled",
    "ReportOptions",
    "render_report",
    "save_pdf",
    "select_incidents",
    "write_bundle",
    "write_report",
]
