"""The HTML report of an ensemble (one self-contained, offline file) and its PDF print.

:func:`build_report` turns results into an HTML page: a header (scenario, seed, samples,
version, date), fan charts per policy, settlement odds and terms, escalation risk, the
claims with verdicts, a sensitivity tornado and every assumption with its source.
:func:`write_pdf` prints that page to PDF through headless Chromium. Both need the
``[report]`` extra (the PDF also ``[pdf]`` and a Chromium browser).
"""

from __future__ import annotations

from detente.report._build import (
    build_report,
    check_writable_file,
    claims_read,
    default_tornado_output,
    report_record,
    report_variables,
    write_report,
)
from detente.report._pdf import (
    CHROMIUM_ARGS,
    PRINT_CHART_MAX_PX,
    find_chromium,
    require_chromium,
    write_pdf,
)

__all__ = [
    "CHROMIUM_ARGS", "PRINT_CHART_MAX_PX", "build_report", "check_writable_file",
    "claims_read", "default_tornado_output", "find_chromium", "report_record",
    "report_variables", "require_chromium", "write_pdf", "write_report",
]
