"""Policies side by side: settlement odds and terms, escalation, outcomes, differences.

Every figure is a Monte Carlo estimate over the ensemble's samples. Differences from the
baseline policy are paired by sample (common random numbers), so their standard errors
(``sd(x_policy - x_baseline) / sqrt(n)``) are much tighter than those of the levels.

:func:`compare` returns a tidy :class:`pandas.DataFrame` (one row per number, the columns
of :data:`COLUMNS`), for the pandas user; :func:`compare_summary` the same numbers as a
nested dict with the base rates and the actors' forecasts beside them, for the command
line's tables, its JSON and the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.errors import InputError
from detente.model.base import Issue, owned, split_owned
from detente.results import schema

if TYPE_CHECKING:
    import pandas as pd

    from detente.results import Results
    from detente.scenario.schema import Scenario

#: Outcomes compared at the last month asked for: (name, units, description). A name with
#: ``{owner}`` in its description is the base name of what each side owns; it is reported
#: for every side that has it, as ``<side>.<name>`` with the side's display name (see
#: :func:`outcomes_of`). ``casualties`` sums every side's ``casualties_cum``;
#: ``refugees_returned`` is the fall of a side's ``refugees_abroad`` since the start.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("territory", "km2", "territory held by {owner}"),
    ("casualties", "persons", "military casualties, all sides, cumulative"),
    ("refugees_returned", "persons", "refugees of {owner} returned since the start (net)"),
    ("reconstruction_cum", "USD bn", "reconstruction of {owner} invested, cumulative"),
    ("viability", "index", "viability index of {owner} (0 failed state – 1 fortress state)"),
)

#: Variables the comparison reads besides each issue's ``deal_<issue>``: plain names, and
#: the base names of what sides own (the variables a scenario's model lacks are simply not
#: reported; :func:`compare_variables` gives a scenario's own names).
NEEDED: tuple[str, ...] = (
    "months_to_settlement", "escalated", "territory", "casualties_cum", "refugees_abroad",
    "reconstruction_cum", "viability",
)

#: The owned variable each owned outcome reads.
_READS = {"territory": "territory", "refugees_returned": "refugees_abroad",
          "reconstruction_cum": "reconstruction_cum", "viability": "viability"}


def compare_variables(scenario: Scenario) -> list[str]:
    """Return the variables of ``scenario``'s model that :func:`compare` reads.

    Every side's variable of :data:`NEEDED`, the plain ones, and each issue's
    ``deal_<issue>`` (the scenario's own issues), in the model's order.
    """
    wanted = set(NEEDED)
    return [v.name for m in scenario.enabled_modules for v in m.variables
            if v.base in wanted or (v.per is None and v.name.startswith("deal_"))]


def deal_issues(res: Results) -> tuple[Issue, ...]:
    """Return the issues a run's deals are over: its scenario's, or the default six.

    Results opened from a file without their scenario fall back on the default issues
    (their ``deal_<issue>`` variables say which of those the run has).
    """
    # the deal module (and numpy.ma) loads when terms are compared, not with detente.analysis
    from detente.model.bargaining import DIMENSIONS, issues_of

    return issues_of(res.scenario.cast) if res.scenario is not None else DIMENSIONS


def _sides(res: Results) -> dict[str, str]:
    """Return the sides, id -> display name: from the scenario, else from the dataset."""
    if res.scenario is not None:
        cast = res.scenario.cast
        return {x: cast.name_of(x) for x in cast.sides}
    return res.owners(schema.SIDE)


def outcomes_of(res: Results) -> dict[str, tuple[str, str]]:
    """Return the outcomes :func:`compare` reports for ``res``: name -> (units, description).

    Owned outcomes are named ``<side>.<outcome>`` (e.g. ``blue.territory``) and described
    with the side's display name; only those the results can compute are listed.
    """
    out: dict[str, tuple[str, str]] = {}
    sides = _sides(res)
    for name, units, desc in OUTCOMES:
        if "{owner}" not in desc:  # casualties: every side's, summed
            if sides and all(owned(x, "casualties_cum") in res for x in sides):
                out[name] = (units, desc)
            continue
        for side, label in sides.items():
            if owned(side, _READS[name]) in res:
                out[owned(side, name)] = (units, desc.replace("{owner}", label))
    return out


def _outcome(res: Results, name: str, k: int, sides: dict[str, str]) -> FloatArray | None:
    """Return outcome ``name`` at time index ``k``, shape ``(policy, sample)`` (None: absent)."""
    if name == "casualties":
        parts = [owned(x, "casualties_cum") for x in sides]
        if not parts or any(p not in res for p in parts):
            return None
        v = res[parts[0]].isel(time=k)
        for p in parts[1:]:
            v = v + res[p].isel(time=k)
    else:
        side, base = split_owned(name)
        if side is None:
            return None
        var = owned(side, _READS.get(base, base))
        if var not in res:
            return None
        if base == "refugees_returned":
            v = res[var].isel(time=0) - res[var].isel(time=k)
        else:
            v = res[var].isel(time=k)
    return np.asarray(v.transpose(schema.POLICY, schema.SAMPLE).values, dtype=np.float64)


def _constant(v: FloatArray) -> bool:
    """Whether ``v`` holds one value throughout (NaN counting as a value)."""
    flat = v.ravel()
    if flat.size == 0:
        return True
    first = flat[0]
    return bool(np.all(np.isnan(flat)) if np.isnan(first) else np.all(flat == first))


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its standard error."""

    value: float
    se: float

    def as_dict(self) -> dict[str, float | None]:
        """JSON-friendly form (NaN becomes None)."""
        return {"value": _finite(self.value), "se": _finite(self.se)}


def _finite(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def _prop(x: FloatArray | BoolArray) -> Estimate:
    p = float(np.mean(x))
    return Estimate(p, math.sqrt(max(p * (1 - p), 0.0) / x.size))


def _paired(a: FloatArray, b: FloatArray) -> Estimate:
    d = a - b
    return Estimate(float(np.mean(d)), float(np.std(d, ddof=1) / math.sqrt(d.size))
                    if d.size > 1 else math.nan)


def _quantiles(x: FloatArray) -> dict[str, float | None]:
    q = np.nanquantile(x, [0.1, 0.5, 0.9]) if np.isfinite(x).any() else [math.nan] * 3
    return {"median": _finite(float(q[1])), "low": _finite(float(q[0])),
            "high": _finite(float(q[2])), "mean": _finite(float(np.nanmean(x)))
            if np.isfinite(x).any() else None}


#: The columns of :func:`compare`'s frame, in order.
COLUMNS: tuple[str, ...] = ("policy", "topic", "quantity", "month", "statistic", "value",
                            "unit")

#: The topic each quantity of :func:`compare` is filed under (by its base name).
TOPICS: dict[str, str] = {
    "p_settlement": "settlement and escalation",
    "median_months_to_settlement": "settlement and escalation",
    "p_escalation": "settlement and escalation",
    "territory": "territory",
    "casualties": "losses",
    "refugees_returned": "people and reconstruction",
    "reconstruction_cum": "people and reconstruction",
    "viability": "people and reconstruction",
    "terms": "terms of settlement",
}

#: The statistics of an outcome in :func:`compare`'s frame, by the summary's names.
_OUTCOME_STATISTICS = {"median": "median", "low": "q10", "high": "q90", "mean": "mean"}


def compare(res: Results, *, months: Sequence[float] = (12, 24, 36),
            baseline: str = "status_quo") -> pd.DataFrame:
    """Compare the policies of an ensemble: a tidy frame, one row per number.

    Parameters
    ----------
    res : Results
        An ensemble run under several policies (with the settlement modules for the
        settlement and escalation figures).
    months : sequence of float
        Months at which the odds of a settlement are given; outcomes, escalation and the
        terms of the deals are read at the last one.
    baseline : str
        Policy that differences are taken against (none when it was not run).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``policy`` (in the order run), ``topic`` (:data:`TOPICS`),
        ``quantity`` (``p_settlement``, ``median_months_to_settlement``, ``p_escalation``,
        the outcomes of :func:`outcomes_of` such as ``<side>.territory`` or
        ``casualties``, and ``terms.<issue>.<level>``), ``month`` (months since the start),
        ``statistic``, ``value`` (NaN where there is none) and ``unit`` (the quantity's,
        as the model states it: ``fraction``, ``months``, ``km2``, ``persons``, ...).
        The statistics are ``mean`` and ``se`` (its Monte Carlo standard error) of a
        probability; ``median``, ``q10``, ``q90`` and ``mean`` of an outcome;
        ``diff_mean`` and ``diff_se`` of the difference from ``baseline``, paired by
        sample; and the ``share`` of the deals signed at each level of each issue.
        ``attrs`` hold the scenario, seed, sample count, months, baseline, and each
        outcome's units and description (:func:`compare_summary`'s ``meta``). An outcome
        with one value in every sample under every policy is left out.

    See Also
    --------
    compare_summary : the same numbers as a nested dict, with the outside view and the
        actors' forecasts beside them.

    Examples
    --------
    >>> res = dt.simulate("mywar.yaml", n_samples=1000, seed=0)       # doctest: +SKIP
    >>> df = dt.compare(res)                                          # doctest: +SKIP
    >>> odds = df.query("quantity == 'p_settlement' and statistic == 'mean'")  # doctest: +SKIP
    >>> odds.pivot(index="policy", columns="month", values="value")   # doctest: +SKIP
    month          12.0   24.0   36.0
    policy
    status_quo    0.000  0.000  0.000
    talks         0.641  0.662  0.668
    >>> medians = df[df.statistic == "median"]                        # doctest: +SKIP
    >>> medians.pivot(index="policy", columns=["topic", "quantity"], values="value")
    ...                                                               # doctest: +SKIP
    """
    import pandas as pd

    summary = _summary(res, months, baseline)
    meta = summary["meta"]
    rows: list[tuple[str, str, str, float, str, float, str]] = []
    last = float(meta["outcome_month"])
    outcomes = meta["outcomes"]

    def add(pol: str, quantity: str, month: float, statistic: str, value: float | None,
            unit: str) -> None:
        base = quantity.split(".", 1)[0] if quantity.startswith("terms.") else (
            split_owned(quantity)[1])
        rows.append((pol, TOPICS.get(base, "other outcomes"), quantity, month, statistic,
                     math.nan if value is None else float(value), unit))

    for pol, entry in summary["policies"].items():
        if entry["p_settlement"] is not None:
            for m in meta["months"]:
                key = f"{m:g}"
                add(pol, "p_settlement", m, "mean", entry["p_settlement"][key], "fraction")
                add(pol, "p_settlement", m, "se", entry["p_settlement_se"][key], "fraction")
            add(pol, "median_months_to_settlement", last, "median",
                entry["median_months_to_settlement"], "months")
        if entry["p_escalation"] is not None:
            add(pol, "p_escalation", last, "mean", entry["p_escalation"], "fraction")
            add(pol, "p_escalation", last, "se", entry["p_escalation_se"], "fraction")
        for name, q in entry["outcomes"].items():
            unit = str(outcomes[name]["units"])
            for key, statistic in _OUTCOME_STATISTICS.items():
                add(pol, name, last, statistic, q[key], unit)
        for name, d in (entry.get("vs_baseline") or {}).items():
            unit = "fraction" if name.startswith("p_") else str(outcomes[name]["units"])
            add(pol, name, last, "diff_mean", d["value"], unit)
            add(pol, name, last, "diff_se", d["se"], unit)
        for issue, shares in (entry.get("terms") or {}).items():
            for level, share in shares.items():
                add(pol, f"terms.{issue}.{level}", last, "share", share, "fraction")
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    frame.attrs.update(meta)
    return frame


def compare_summary(res: Results, *, months: Sequence[float] = (12, 24, 36),
                    baseline: str = "status_quo", negotiation: bool = True
                    ) -> dict[str, Any]:
    """Compare the policies of an ensemble, as a nested dict (what :func:`compare` tabulates).

    Parameters
    ----------
    res : Results
        An ensemble run under several policies (with the settlement modules for the
        settlement and escalation figures).
    months : sequence of float
        Months at which settlement odds are reported; outcomes are read at the last one.
    baseline : str
        Policy that differences are taken against (skipped when it was not run).
    negotiation : bool
        Also forecast the scenario actors' negotiation, beside the Nash terms.

    Returns
    -------
    dict
        ``{"meta": {...}, "policies": {NAME: {...}}}``; each policy holds ``p_settlement``
        (keys ``"12"``, ``"24"``, ``"36"``), ``p_settlement_se``, ``p_escalation``,
        ``median_months_to_settlement`` (None when under half settle), ``terms``
        (share of settled samples at each level of each deal dimension), ``outcomes``
        (quantiles at the last month, by the names of :func:`outcomes_of`:
        ``<side>.territory``, ``casualties``, ...), ``viability_36m`` (each side's median
        viability at the last month; None without viability) and ``vs_baseline`` (paired
        differences with standard errors). ``meta["outcomes"]`` gives each outcome's units
        and description (with the sides' display names), in order; ``meta["sides"]`` the
        sides' display names by id. An outcome that takes one value in every sample under
        every policy (a mechanism left off for a side) is not reported. ``outside_view``
        holds the base rates of war termination beside each policy's odds of a settlement
        (:func:`outside_view_beside`; None when the scenario does not say when its war
        began). With ``negotiation`` and a scenario that declares actors,
        ``"negotiation"`` holds the actors' forecasts beside each policy's Nash terms
        (:func:`negotiation_beside`).
    """
    result = _summary(res, months, baseline)
    result["outside_view"] = outside_view_beside(res, result["policies"])
    n = int(result["meta"]["n_samples"])
    if negotiation and res.scenario is not None and res.scenario.actors:
        result["negotiation"] = negotiation_beside(
            res.scenario, {p: e.get("terms") for p, e in result["policies"].items()},
            n_samples=min(n, NEGOTIATION_SAMPLES))
    return result


def _summary(res: Results, months: Sequence[float], baseline: str) -> dict[str, Any]:
    """Return the ``meta`` and ``policies`` of :func:`compare_summary`."""
    ds = res.ds
    pols = res.policies
    steps = {m: res.step_at_month(m) for m in months}
    missing = [m for m, k in steps.items() if k is None]
    if missing:
        last = float(ds["month"].values[-1])
        raise InputError(f"the run covers {last:.1f} months; cannot report month(s) "
                         f"{', '.join(f'{m:g}' for m in missing)} (run a longer horizon)")
    k_last = steps[months[-1]]
    assert k_last is not None
    mts = (np.asarray(res["months_to_settlement"].isel(time=-1).values, dtype=np.float64)
           if "months_to_settlement" in res else None)
    esc = (np.asarray(res["escalated"].isel(time=k_last).values, dtype=np.float64)
           if "escalated" in res else None)
    sides = _sides(res)
    possible = outcomes_of(res)
    read = {name: _outcome(res, name, k_last, sides) for name in possible}
    # an outcome with one value in every sample under every policy tells the policies
    # apart in nothing (a mechanism the scenario leaves off for a side): it is left out
    outcomes = {name: v for name, v in read.items() if v is not None and not _constant(v)}
    described = {name: d for name, d in possible.items() if name in outcomes}
    n = ds.sizes["sample"]
    out: dict[str, Any] = {}
    for ip, pol in enumerate(pols):
        entry: dict[str, Any] = {}
        if mts is not None:
            settle_t = np.where(np.isnan(mts[ip]), np.inf, mts[ip])
            entry["p_settlement"] = {f"{m:g}": _prop(settle_t <= m).value for m in months}
            entry["p_settlement_se"] = {f"{m:g}": _prop(settle_t <= m).se for m in months}
            med = float(np.median(settle_t))
            entry["median_months_to_settlement"] = _finite(med)
            entry["terms"] = _terms(res, ip, k_last)
        else:
            entry["p_settlement"] = None
            entry["median_months_to_settlement"] = None
        if esc is not None:
            e = _prop(esc[ip] > 0.5)
            entry["p_escalation"] = e.value
            entry["p_escalation_se"] = e.se
        else:
            entry["p_escalation"] = None
        entry["outcomes"] = {name: _quantiles(v[ip]) for name, v in outcomes.items()
                             if v is not None}
        via = {x: v[ip] for x in sides
               if (v := outcomes.get(owned(x, "viability"))) is not None}
        entry["viability_36m"] = ({x: _finite(float(np.median(v))) for x, v in via.items()}
                                  if via else None)
        out[pol] = entry
    if baseline in pols:
        ib = pols.index(baseline)
        for ip, pol in enumerate(pols):
            diffs: dict[str, Any] = {}
            if mts is not None:
                t = np.where(np.isnan(mts), np.inf, mts)
                m_last = months[-1]
                diffs["p_settlement"] = _paired((t[ip] <= m_last).astype(float),
                                                (t[ib] <= m_last).astype(float)).as_dict()
            if esc is not None:
                diffs["p_escalation"] = _paired((esc[ip] > 0.5).astype(float),
                                                (esc[ib] > 0.5).astype(float)).as_dict()
            for name, v in outcomes.items():
                if v is not None:
                    diffs[name] = _paired(v[ip], v[ib]).as_dict()
            out[pol]["vs_baseline"] = diffs
    return {
        "meta": {
            "scenario": ds.attrs.get("scenario"),
            "seed": ds.attrs.get("seed"),
            "n_samples": int(n),
            "months": [float(m) for m in months],
            "baseline": baseline if baseline in pols else None,
            "outcome_month": float(months[-1]),
            "outcomes": {name: {"units": u, "description": d}
                         for name, (u, d) in described.items()},
            "sides": sides,
        },
        "policies": out,
    }


#: Most samples of the actors' inputs the comparison draws for the negotiation forecasts.
NEGOTIATION_SAMPLES = 1000


def negotiation_beside(scenario: Scenario, nash: dict[str, Any], *, n_samples: int = 1000,
                       seed: int = 0, forecast: Any = None) -> dict[str, Any]:
    """Forecast the actors' negotiation and set it beside the settlement model's Nash terms.

    Parameters
    ----------
    scenario : Scenario
        A scenario with ``actors``.
    nash : dict
        Per policy, the terms of its deals (``compare``'s ``terms``; None: no settlement).
    n_samples : int
        Samples of the actors' inputs.
    seed : int
        Seed of those samples.
    forecast : NegotiationForecast, optional
        A forecast of ``scenario`` already fitted (then ``n_samples`` and ``seed`` are its).

    Returns
    -------
    dict
        ``meta`` (samples, seed, rounds, rule), ``issues`` (each issue's levels),
        ``models`` (per model of :data:`detente.analysis.negotiation.MODELS`: each issue's
        median position and 10th/90th percentiles, ``terms``: the share of samples at each
        level) and ``nash`` (per policy, the share of deals at each level).
    """
    from detente.analysis.negotiation import NegotiationForecast, predicted_terms
    from detente.model.bargaining import issues_of

    nf = (forecast if forecast is not None else
          NegotiationForecast(n_samples=max(1, n_samples), seed=seed).fit(scenario))
    data = nf.to_dict()
    terms = predicted_terms(nf, scenario)
    return {
        "meta": {"n_samples": data["meta"]["n_samples"], "seed": nf.seed,
                 "rounds": data["meta"]["rounds"], "rule": data["meta"]["rule"],
                 "formulation": data["meta"].get("formulation", "equations")},
        "issues": {d.name: list(d.levels) for d in issues_of(scenario.cast)},
        "models": {m: {"issues": v["issues"], "terms": terms[m]}
                   for m, v in data["models"].items()},
        "nash": nash,
    }


def outside_view_beside(res: Results, policies: dict[str, Any]) -> dict[str, Any] | None:
    """Put the base rates of war termination beside each policy's odds of a settlement.

    Parameters
    ----------
    res : Results
        The ensemble; its scenario's ``time.war_began`` says how long the war had lasted.
    policies : dict
        :func:`compare`'s ``policies`` (their ``p_settlement``).

    Returns
    -------
    dict or None
        :func:`detente.analysis.outside_view.beside.beside`'s table (base rates of the
        default reference class, UCDP's inter-state wars); ``{"unavailable": why}`` when
        lifelines (the ``outside`` extra) is missing or no past war lasted as long; None
        when the run has no scenario that says when its war began, or no settlement odds.
    """
    sc = res.scenario
    p_model = {pol: e["p_settlement"] for pol, e in policies.items() if e.get("p_settlement")}
    if sc is None or sc.time.war_began is None or not p_model:
        return None
    from detente.analysis.outside_view.beside import beside, scenario_base_rates
    from detente.errors import MissingDependencyError

    try:
        base = scenario_base_rates(sc)
    except (MissingDependencyError, InputError) as exc:
        return {"unavailable": str(exc)}
    assert base is not None  # the scenario says when its war began
    return beside(base, p_model)


def _terms(res: Results, ip: int, k: int) -> dict[str, dict[str, float | None]]:
    """Share of samples with a deal in force (or once signed) at each level of each dimension."""
    terms: dict[str, dict[str, float | None]] = {}
    for dim in deal_issues(res):
        var = f"deal_{dim.name}"
        if var not in res:
            continue
        lev = np.asarray(res[var].isel(policy=ip, time=k).values, dtype=np.float64)
        signed = lev >= 0
        n_signed = int(signed.sum())
        terms[dim.name] = {
            name: (float(np.mean(lev[signed] == i)) if n_signed else None)
            for i, name in enumerate(dim.levels)
        }
    return terms
