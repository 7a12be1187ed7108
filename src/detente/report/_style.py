"""Former home of the policy colours, kept for ``benchmarks/bench_report.py``.

The style lives in :mod:`detente.present.style`.
"""

from __future__ import annotations

from detente.present.style import policy_colour

__all__ = ["policy_colour"]
