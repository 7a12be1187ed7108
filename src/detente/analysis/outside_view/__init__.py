"""The outside view: how past wars ended, beside what the model says of this one.

* :mod:`.wars`: tables of past wars (UCDP's, shipped; COW's, read from the user's copy);
* :mod:`.base_rates`: :class:`BaseRates`, P(a war ends within k months | it has lasted d)
  and how it ends (Kaplan-Meier and Aalen-Johansen, from ``lifelines``);
* :mod:`.beside`: the base rates next to a model's odds of a settlement, per policy;
* :mod:`.claims`: a claim kind comparing a model probability with the base rate;
* :mod:`.questions` and :mod:`.skill`: resolved crowd forecasts, each with a test on model
  outputs, and :class:`ForecastSkill`, which scores the model on them beside the crowd
  and the base rate.

``lifelines`` is the optional extra ``outside``; it is imported only when a base rate is
estimated.
"""

from __future__ import annotations

from detente.analysis.outside_view.base_rates import (
    DEFAULT_LEVEL,
    DEFAULT_MONTHS,
    BaseRates,
    ReferenceClass,
    parse_duration,
)
from detente.analysis.outside_view.wars import (
    OUTCOME_LABELS,
    OUTCOMES,
    WarTable,
    read_cow,
    ucdp_wars,
)

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_MONTHS",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "BaseRates",
    "ReferenceClass",
    "WarTable",
    "parse_duration",
    "read_cow",
    "ucdp_wars",
]
