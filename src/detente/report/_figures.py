"""Former home of two figures, kept for ``benchmarks/bench_report.py``.

The figures live in :mod:`detente.present.figures`.
"""

from __future__ import annotations

from detente.present.figures import overlay_fan_figure, settlement_figure

__all__ = ["overlay_fan_figure", "settlement_figure"]
