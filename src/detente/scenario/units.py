"""Units of scenario parameters: :mod:`detente.units` under its former name.

The unit algebra moved below every layer, to :mod:`detente.units`, so that the model and
the engine can use it; this module keeps the old import path working.
"""

from __future__ import annotations

from detente.units import Unit, conversion_factor, convert, parse_unit

__all__ = ["Unit", "conversion_factor", "convert", "parse_unit"]
