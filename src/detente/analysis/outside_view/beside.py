"""The outside view beside the model: base rates next to the model's odds of a settlement.

A scenario that says when its war began (``time.war_began``) has lasted
``start - war_began`` days at its start. :func:`scenario_base_rates` fits
:class:`~.base_rates.BaseRates` for that duration, so that its horizons (12, 24, 36 months)
count from the scenario's start like the model's; :func:`beside` puts, for each policy and
horizon, the model's probability of a settlement next to the base rate's probability that
a war of the reference class ends (any way) and that it ends in a settlement or ceasefire,
with the gaps.

They are not the same question (``docs/outside-view.md``): the model's settlement is a
negotiated deal in force; the base rate counts every way a war ended, and a UCDP
ceasefire or a war that petered out is not the model's settlement. The gap says how far
the model's story is from what usually happened to wars as old as this one, not which of
them is right.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from detente.analysis.outside_view.base_rates import DEFAULT_MONTHS, MONTH_DAYS, BaseRates
from detente.analysis.outside_view.wars import WarTable

if TYPE_CHECKING:
    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = ["MAX_LISTED", "beside", "lasted_days", "scenario_base_rates", "settlement_odds"]

#: Most comparable wars named beside a forecast (more are counted, and listed by
#: ``detente base-rates``).
MAX_LISTED = 25


def lasted_days(scenario: Scenario) -> int | None:
    """Days the scenario's war had lasted at its start (None: it gives no ``war_began``)."""
    began = scenario.time.war_began
    return None if began is None else (scenario.time.start - began).days


def scenario_base_rates(scenario: Scenario, *, months: Sequence[int] = DEFAULT_MONTHS,
                        wars: WarTable | None = None, estimator: BaseRates | None = None
                        ) -> BaseRates | None:
    """Fit the base rates for a scenario's war at its start.

    Parameters
    ----------
    scenario : Scenario
        Its ``time.war_began`` and ``time.start`` give how long the war had lasted.
    months : sequence of int
        Horizons from the start (ignored when ``estimator`` is given).
    wars : WarTable, optional
        Past wars (default: UCDP's, shipped).
    estimator : BaseRates, optional
        A configured (unfitted) estimator, to choose the reference class; default
        ``BaseRates(months=months)``.

    Returns
    -------
    BaseRates or None
        Fitted; None when the scenario does not say when its war began.
    """
    d = lasted_days(scenario)
    if d is None:
        return None
    est = estimator if estimator is not None else BaseRates(months=months)
    return est.fit(float(d), wars)


def settlement_odds(res: Results, months: Sequence[float]) -> dict[str, dict[str, float]]:
    """Return the model's P(a settlement is signed within each horizon), per policy.

    Read from ``months_to_settlement`` at the last point, as :func:`detente.compare` does.

    Returns
    -------
    dict
        ``{policy: {"12": p, ...}}``; empty when the run has no settlement module.
    """
    import numpy as np

    if "months_to_settlement" not in res:
        return {}
    mts = np.asarray(res["months_to_settlement"].isel(time=-1).values, dtype=np.float64)
    t = np.where(np.isnan(mts), np.inf, mts)
    return {pol: {f"{m:g}": float(np.mean(t[ip] <= m)) for m in months}
            for ip, pol in enumerate(res.policies)}


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def beside(base: BaseRates, p_model: Mapping[str, Mapping[str, float | None]],
           months: Sequence[float] | None = None) -> dict[str, Any]:
    """Put the base rates and the model's odds of a settlement side by side.

    Parameters
    ----------
    base : BaseRates
        Fitted for the war's age at the scenario's start (:func:`scenario_base_rates`).
    p_model : mapping
        ``{policy: {"12": p, ...}}``: the model's P(settlement within m months of the
        start) (:func:`settlement_odds`, or :func:`detente.compare`'s ``p_settlement``).
    months : sequence of float, optional
        Horizons to report (default: those of ``p_model``'s first policy).

    Returns
    -------
    dict
        JSON-ready: ``lasted_days``, ``reference``, ``source``, ``level``, ``n_wars``,
        ``wars`` (names of the comparable wars when there are at most :data:`MAX_LISTED`,
        else empty: ``detente base-rates`` lists them), ``months`` ``{"12": {"p_end",
        "interval", "p_settlement", "settlement_interval"}}`` and ``policies``
        ``{policy: {"12": {"p_model", "gap_end", "gap_settlement", "within"}}}`` where a gap
        is the model's probability minus the base rate's and ``within`` says whether the
        model's probability lies inside the interval of P(the war ends).
    """
    base.check_is_fitted("putting the base rates beside the model")
    keys = ([f"{m:g}" for m in months] if months is not None
            else list(next(iter(p_model.values()), {})))
    rates: dict[str, dict[str, Any]] = {}
    for key in keys:
        days = float(key) * MONTH_DAYS
        p, lo, hi = base.probability(days)
        ps, slo, shi = base.probability(days, "settlement")
        rates[key] = {"p_end": _num(p), "interval": [_num(lo), _num(hi)],
                      "p_settlement": _num(ps), "settlement_interval": [_num(slo), _num(shi)]}
    policies: dict[str, dict[str, Any]] = {}
    for pol, odds in p_model.items():
        row: dict[str, Any] = {}
        for key in keys:
            pm = odds.get(key)
            r = rates[key]
            if pm is None or r["p_end"] is None:
                row[key] = {"p_model": pm, "gap_end": None, "gap_settlement": None,
                            "within": None}
                continue
            lo, hi = r["interval"]
            row[key] = {
                "p_model": pm, "gap_end": pm - r["p_end"],
                "gap_settlement": (pm - r["p_settlement"]
                                   if r["p_settlement"] is not None else None),
                "within": (lo is not None and hi is not None and lo <= pm <= hi)}
        policies[pol] = row
    return {
        "lasted_days": base.lasted_days_, "reference": base.reference_,
        "source": base.source_, "level": base.level, "n_wars": base.n_at_risk_,
        "wars": ([str(n) for n in base.wars_["name"]] if base.n_at_risk_ <= MAX_LISTED
                 else []),
        "months": rates, "policies": policies,
    }
