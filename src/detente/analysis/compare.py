"""Policies side by side: settlement odds and terms, escalation, outcomes, differences.

Every figure is a Monte Carlo estimate over the ensemble's samples. Differences from the
baseline policy are paired by sample (common random numbers), so their standard errors
(``sd(x_policy - x_baseline) / sqrt(n)``) are much tighter than those of the levels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.results import Results

#: Outcomes compared at the last month asked for, with how to read them off the dataset.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("territory_ru_km2", "km2", "territory held by Russia"),
    ("casualties", "persons", "military casualties, both sides, cumulative"),
    ("refugees_returned", "persons", "refugees returned since the start (net)"),
    ("reconstruction_cum", "USD bn", "reconstruction invested, cumulative"),
    ("viability", "index", "Ukraine viability index (0 failed state – 1 fortress state)"),
)


#: Variables the comparison reads (those a scenario's model lacks are simply not reported).
NEEDED: tuple[str, ...] = (
    "months_to_settlement", "escalated", "territory_ru_km2", "ua_casualties_cum",
    "ru_casualties_cum", "refugees_returned_cum", "refugees_abroad", "reconstruction_cum",
    "viability", "deal_territory", "deal_alignment", "deal_guarantees", "deal_sanctions",
    "deal_european_security", "deal_armed_forces",
)


def _outcome(res: Results, name: str, k: int) -> FloatArray | None:
    ds = res.ds
    if name == "casualties":
        if "ua_casualties_cum" not in ds or "ru_casualties_cum" not in ds:
            return None
        v = ds["ua_casualties_cum"].isel(time=k) + ds["ru_casualties_cum"].isel(time=k)
    elif name == "refugees_returned":
        if "refugees_returned_cum" in ds:
            v = ds["refugees_returned_cum"].isel(time=k)
        elif "refugees_abroad" in ds:
            v = ds["refugees_abroad"].isel(time=0) - ds["refugees_abroad"].isel(time=k)
        else:
            return None
    elif name in ds:
        v = ds[name].isel(time=k)
    else:
        return None
    return np.asarray(v.values, dtype=np.float64)  # (policy, sample)


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


def compare(res: Results, *, months: Sequence[float] = (12, 24, 36),
            baseline: str = "status_quo") -> dict[str, Any]:
    """Compare the policies of an ensemble.

    Parameters
    ----------
    res : Results
        An ensemble run under several policies (with the settlement modules for the
        settlement and escalation figures).
    months : sequence of float
        Months at which settlement odds are reported; outcomes are read at the last one.
    baseline : str
        Policy that differences are taken against (skipped when it was not run).

    Returns
    -------
    dict
        ``{"meta": {...}, "policies": {NAME: {...}}}``; each policy holds ``p_settlement``
        (keys ``"12"``, ``"24"``, ``"36"``), ``p_settlement_se``, ``p_escalation``,
        ``median_months_to_settlement`` (None when under half settle), ``terms``
        (share of settled samples at each level of each deal dimension), ``outcomes``
        (quantiles at the last month), ``viability_36m`` (median) and ``vs_baseline``
        (paired differences with standard errors).
    """
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
    has_deals = "months_to_settlement" in ds
    mts = (np.asarray(ds["months_to_settlement"].isel(time=-1).values, dtype=np.float64)
           if has_deals else None)
    esc = (np.asarray(ds["escalated"].isel(time=k_last).values, dtype=np.float64)
           if "escalated" in ds else None)
    outcomes = {name: _outcome(res, name, k_last) for name, _u, _d in OUTCOMES}
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
        via = outcomes.get("viability")
        entry["viability_36m"] = (_finite(float(np.median(via[ip]))) if via is not None
                                  else None)
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
            "outcomes": {name: {"units": u, "description": d} for name, u, d in OUTCOMES},
        },
        "policies": out,
    }


def _terms(res: Results, ip: int, k: int) -> dict[str, dict[str, float | None]]:
    """Share of samples with a deal in force (or once signed) at each level of each dimension."""
    # the deal module (and numpy.ma) loads when terms are compared, not with detente.analysis
    from detente.model.bargaining import DIMENSIONS

    ds = res.ds
    terms: dict[str, dict[str, float | None]] = {}
    for dim in DIMENSIONS:
        var = f"deal_{dim.name}"
        if var not in ds:
            continue
        lev = np.asarray(ds[var].isel(policy=ip, time=k).values, dtype=np.float64)
        signed = lev >= 0
        n_signed = int(signed.sum())
        terms[dim.name] = {
            name: (float(np.mean(lev[signed] == i)) if n_signed else None)
            for i, name in enumerate(dim.levels)
        }
    return terms
