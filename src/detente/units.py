"""The calendar and the unit algebra shared by every layer.

The model's time unit is the day; a month is a twelfth of a Julian year.
"""

from __future__ import annotations

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_YEAR"]

#: Days in a Julian year, used for unit conversion and for annual rates.
DAYS_PER_YEAR = 365.25
#: Days in a month (a twelfth of a year), used for unit conversion and month counting.
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
