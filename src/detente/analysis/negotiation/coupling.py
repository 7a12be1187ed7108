"""The negotiation forecast beside the settlement model: predicted terms, coupled scenarios.

A forecast position on an issue's ``[0, 1]`` scale reads as the issue's nearest level
(level ``k`` of ``L`` sits at ``k / (L - 1)``): :func:`predicted_terms` gives, per model,
the share of samples whose final forecast falls on each level, the same shape as the
settlement model's terms in :func:`detente.analysis.compare.compare`.

:func:`coupled_scenario` goes the other way, downwards: it returns a copy of the scenario
whose bargaining weights (``<party>.weight_<issue>``) the actors' saliences set, each
seated party's from its ``lead`` actor's saliences normalised to sum to 1. Running both
lets an analyst ask whether the two views of the talks agree. The model never reads the
actors; only this copy carries them into the dynamics.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from detente._typing import FloatArray
from detente.analysis.negotiation._forecast import MODELS, NegotiationForecast
from detente.analysis.negotiation._inputs import talks_issues
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["COUPLED_SOURCE", "coupled_scenario", "nearest_level", "predicted_terms",
           "write_coupled_scenario"]

#: The reference a coupled scenario adds to ``sources`` and its weights cite.
COUPLED_SOURCE = "negotiation_actors"
#: What :func:`coupled_scenario` sets.
Coupling = Literal["weights"]


def nearest_level(position: FloatArray, n_levels: int) -> np.ndarray:
    """Return the index of the level nearest each position on ``[0, 1]`` (ties go up).

    Examples
    --------
    >>> nearest_level(np.array([0.0, 0.2, 0.5, 0.9]), 3).tolist()
    [0, 0, 1, 2]
    """
    k = np.floor(np.clip(position, 0.0, 1.0) * (n_levels - 1) + 0.5)
    return np.minimum(k, n_levels - 1).astype(np.int64)


def _final(forecast: NegotiationForecast, model: str) -> FloatArray:
    ds = forecast.forecast_
    var = model if model.startswith("baseline") else f"{model}_forecast"
    da = ds[var].isel(round=-1) if "round" in ds[var].dims else ds[var]
    return np.asarray(da.transpose("sample", "issue").values, dtype=np.float64)


def predicted_terms(forecast: NegotiationForecast, scenario: Scenario
                    ) -> dict[str, dict[str, dict[str, float]]]:
    """Each model's predicted terms: the share of samples at each level of each issue.

    Parameters
    ----------
    forecast : NegotiationForecast
        A fitted forecast of ``scenario``'s actors.
    scenario : Scenario
        The scenario (its issues' levels).

    Returns
    -------
    dict
        ``{model: {issue: {level: share}}}`` for the models of :data:`MODELS`.
    """
    from detente.model.bargaining import issues_of

    forecast.check_is_fitted("reading its terms")
    levels = {d.name: d.levels for d in issues_of(scenario.cast)}
    issues = [str(i) for i in forecast.forecast_["issue"].values]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for model in MODELS:
        final = _final(forecast, model)
        out[model] = {}
        for k, iss in enumerate(issues):
            names = levels[iss]
            at = nearest_level(final[:, k], len(names))
            out[model][iss] = {name: float(np.mean(at == j)) for j, name in enumerate(names)}
    return out


def coupled_scenario(scenario: Scenario, forecast: NegotiationForecast | None = None, *,
                     sets: Coupling = "weights") -> Scenario:
    """Return a copy of ``scenario`` whose bargaining weights its actors' saliences set.

    Each party seated at a channel that has a ``lead`` actor gets ``<party>.weight_<issue>``
    from the lead's saliences, normalised per sample to sum to 1: a fixed value where they
    do not vary, else a PERT over their 5th to 95th percentiles over the forecast's samples
    whose mode is the share of the central saliences (so the nominal weights sum to 1, as
    the bargaining module asks). The weights cite a derived reference
    (:data:`COUPLED_SOURCE`) whose notes name the facts the saliences cite, so the
    look-ahead check still applies.

    Parameters
    ----------
    scenario : Scenario
        A scenario with actors and the bargaining module.
    forecast : NegotiationForecast, optional
        A fitted forecast of ``scenario`` (default: one of 1,000 samples, seed 0).
    sets : {"weights"}
        What the actors set.

    Returns
    -------
    Scenario
        The validated copy (same name; its table built afresh).

    Raises
    ------
    InputError
        If no seated party has a lead actor, or ``sets`` is unknown.
    """
    from detente.scenario.schema import Scenario as ScenarioModel

    if sets != "weights":
        raise InputError(f"sets: expected 'weights', found {sets!r}")
    if forecast is None:
        forecast = NegotiationForecast().fit(scenario)
    forecast.check_is_fitted("coupling a scenario to it")
    seated = scenario.cast.parties
    leads = {a.party: aid for aid, a in scenario.actors.items()
             if a.role == "lead" and a.party in seated}
    if not leads:
        raise InputError(f"scenario '{scenario.name}': no party at a table has a lead actor "
                         f"(parties: {', '.join(seated) or 'none'}); give one actor "
                         "'role: lead' for each party whose weights the actors should set")
    ds = forecast.forecast_
    issues = talks_issues(scenario)
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    params: dict[str, Any] = data["parameters"]
    for party, aid in leads.items():
        sal = np.asarray(ds["salience"].sel(actor=aid).transpose("sample", "issue").values)
        total = sal.sum(axis=1, keepdims=True)
        share = np.divide(sal, total, out=np.full_like(sal, 1.0 / sal.shape[1]),
                          where=total > 0)
        actor = scenario.actors[aid]
        facts = sorted({v.source.strip() for v in actor.salience.values()
                        if v.source.strip().startswith(("fact:", "ref:"))})
        # the mode: the central saliences' shares, so the weights' nominal values sum to 1
        central = np.array([actor.salience[i].central() for i in issues])
        modes = (central / central.sum() if central.sum() > 0
                 else np.full(len(issues), 1.0 / len(issues)))
        for k, iss in enumerate(issues):
            q05, q95 = (float(v) for v in np.quantile(share[:, k], [0.05, 0.95]))
            mid = float(modes[k])
            lo, hi = min(q05, mid), max(q95, mid)
            name = f"{party}.weight_{iss}"
            note = (f"set by the salience of {actor.name} ({aid}) on {iss}, normalised over "
                    "the issues (detente negotiate --coupled)"
                    + (f"; its sources: {', '.join(facts)}" if facts else ""))
            entry: dict[str, Any] = (
                {"value": mid} if hi - lo <= 1e-12
                else {"dist": "pert", "low": lo, "mode": mid, "high": hi})
            params[name] = {**entry, "unit": "fraction", "source": f"ref:{COUPLED_SOURCE}",
                            "note": note}
    data.setdefault("sources", {})[COUPLED_SOURCE] = {
        "citation": "The saliences of the scenario's actors (its 'actors' section), "
                    "normalised into issue weights by detente's negotiation coupling",
        "derived": True}
    coupled = ScenarioModel.model_validate(_lift(data))
    from detente.errors import ScenarioError
    from detente.scenario.loading import validate_scenario

    problems = validate_scenario(coupled, file=f"{scenario.name} (coupled)")
    if problems:
        raise ScenarioError(problems)
    if scenario.posterior is not None and "draws" in scenario.__dict__:
        coupled.__dict__["draws"] = scenario.__dict__["draws"]
    return coupled


def _lift(data: dict[str, Any]) -> dict[str, Any]:
    """Write each parameter's distribution inline, as a file does."""
    for name, par in data["parameters"].items():
        dist = par.get("dist")
        if isinstance(dist, dict):
            rest = {k: v for k, v in par.items() if k not in ("dist", "value")}
            data["parameters"][name] = {**{k: v for k, v in dist.items() if v is not None},
                                        **rest}
    return data


def write_coupled_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> Path:
    """Write a (coupled) scenario as YAML, with its posterior draws beside it.

    Returns
    -------
    Path
        The scenario file written.
    """
    from detente.analysis.calibrate import dump_scenario

    out = dump_scenario(scenario, Path(path))
    draws = scenario.draws
    if draws is not None and scenario.posterior is not None:
        from detente.scenario.posterior import write_posterior

        column = scenario.posterior.weights
        write_posterior(out.parent / scenario.posterior.file,
                        {c: draws.values[:, j] for j, c in enumerate(draws.columns)},
                        draws.weights if column is not None else None,
                        **({"weight_column": column} if column is not None else {}))
    return out
