"""Multi-actor negotiation forecasts: the actors' view of the talks beside the settlement's.

A scenario's ``actors`` (:mod:`detente.scenario.actors`) state a capability, and a position
and salience on each issue of the talks. From them, over Monte Carlo samples of every
uncertain number at once (arrays with a leading sample axis), this package forecasts
where the positions converge, which actors move and which exchanges form:

* the baseline every model must beat: the capability x salience weighted mean and median
  (:mod:`.baseline`);
* Bueno de Mesquita's expected-utility model as Scholz, Calbert & Smith (2011)
  reconstructed it, by their printed equations or by their program's choices
  (:mod:`.expected_utility`);
* Stokman's exchange model, with equal-gain or Nash-bargaining exchange rates
  (:mod:`.exchange`);

all played by :class:`NegotiationForecast`, whose results are one xarray Dataset. The
coupling to the settlement model (:mod:`.coupling`) reads each forecast as the issues'
levels beside the bargaining model's Nash terms, and writes a scenario copy whose
bargaining weights the actors' saliences set. Equations and choices: ``docs/negotiation.md``.
"""

from __future__ import annotations

from detente.analysis.negotiation._forecast import BANDS, MODELS, VARIABLES, NegotiationForecast
from detente.analysis.negotiation._inputs import NegotiationInputs, sample_inputs, talks_issues
from detente.analysis.negotiation.baseline import weighted_mean, weighted_median
from detente.analysis.negotiation.coupling import (
    COUPLED_SOURCE,
    coupled_scenario,
    nearest_level,
    predicted_terms,
    write_coupled_scenario,
)
from detente.analysis.negotiation.exchange import RULES, ExchangePath, exchange_model, utilities
from detente.analysis.negotiation.expected_utility import (
    FORMULATIONS,
    OFFERS,
    ExpectedUtilityPath,
    Formulation,
    expected_utility_model,
)

__all__ = [
    "BANDS", "COUPLED_SOURCE", "FORMULATIONS", "MODELS", "OFFERS", "RULES", "VARIABLES",
    "ExchangePath", "ExpectedUtilityPath", "Formulation", "NegotiationForecast",
    "NegotiationInputs", "coupled_scenario", "exchange_model", "expected_utility_model",
    "nearest_level", "predicted_terms", "sample_inputs", "talks_issues", "utilities",
    "weighted_mean", "weighted_median", "write_coupled_scenario",
]
