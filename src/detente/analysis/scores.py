"""Proper scores of ensemble forecasts, the baselines they are judged against, and intervals.

The building blocks of :class:`~detente.analysis.Backtest` and of hindcasts, as plain
functions over arrays:

* continuous variables: :func:`crps` (``scoringrules.crps_ensemble``), :func:`pit` from
  ensemble ranks, :func:`band_edges` of central bands;
* 0/1 variables: :func:`brier` and :func:`log_score` (``scoringrules``), :func:`reliability`;
* what a score means: :func:`skill` against a baseline forecast, :func:`persistence` (no
  change) and :func:`trend` (the last year's line extended) as baselines,
  :func:`binomial_interval` of a coverage share and :func:`effective_n`, how many
  independent points a set of correlated ones is worth;
* :func:`score_continuous` and :func:`score_binary`, which put them together into one
  summary per set of points.

A baseline is a point forecast; its CRPS is its absolute error (the CRPS of a one-member
ensemble), so model and baselines are compared in one unit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from detente._optional import import_optional
from detente._typing import BoolArray, FloatArray
from detente.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

IntArray: TypeAlias = NDArray[np.int64]
#: Dates accepted by the baselines: ``datetime.date`` objects or ``datetime64`` values.
DateLike: TypeAlias = dt.date | np.datetime64
Dates: TypeAlias = Sequence[dt.date] | NDArray[np.datetime64]

#: Central band levels scored by default.
DEFAULT_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.95)
#: Bins of PIT histograms and reliability tables.
DEFAULT_BINS = 10
#: Window of the trend baseline, in days.
TREND_WINDOW_DAYS = 365.0

__all__ = [
    "DEFAULT_BINS", "DEFAULT_LEVELS", "TREND_WINDOW_DAYS", "band_edges", "binomial_interval",
    "brier", "crps", "effective_n", "event_probability", "level_tag", "log_score", "median",
    "persistence", "pit", "pit_histogram", "point_columns", "reliability", "score_binary",
    "score_continuous", "skill", "trend",
]


# --------------------------------------------------------------------------- continuous
def crps(ens: FloatArray, y: FloatArray) -> FloatArray:
    """CRPS of ensembles against observations (``scoringrules.crps_ensemble``).

    Parameters
    ----------
    ens : FloatArray
        Shape ``(n, m)``: one ensemble per observation; NaN members are dropped per row.
    y : FloatArray
        Shape ``(n,)``.

    Returns
    -------
    FloatArray
        Shape ``(n,)``, in the variable's unit; NaN where a row has no finite member or
        ``y`` is NaN. The score of the empirical distribution of the members,
        ``E|X - y| - E|X - X'| / 2`` (the ``qd`` estimator, exact for it); for a
        one-member ensemble it is the absolute error.
    """
    sr = import_optional("scoringrules", extra="scores", purpose="Proper scores")
    ens2 = np.atleast_2d(np.asarray(ens, dtype=np.float64))
    obs = np.asarray(y, dtype=np.float64)
    out = np.full(obs.shape[0], math.nan)
    ordered = np.sort(ens2, axis=1)  # NaN last: the finite members come first
    counts = np.isfinite(ens2).sum(axis=1)
    # rows with the same number of finite members are scored together
    for m in np.unique(counts[counts > 0]):
        rows = np.flatnonzero(counts == m)
        out[rows] = sr.crps_ensemble(obs[rows], ordered[rows, :m], sorted_ensemble=True,
                                     backend="numpy")
    return out


def pit(ens: FloatArray, y: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Randomised PIT of each observation from its rank in the ensemble.

    With ``b`` finite members below ``y`` and ``t`` equal to it out of ``m``, the rank of
    ``y`` among the ``m + 1`` values is uniform on ``b, ..., b + t``; the PIT is
    ``(b + U (t + 1)) / (m + 1)`` with ``U`` uniform on (0, 1). It is exactly uniform on
    [0, 1] when ``y`` and the members are exchangeable, ties or not.

    Parameters
    ----------
    ens : FloatArray
        Shape ``(n, m)``; NaN members are dropped per row.
    y : FloatArray
        Shape ``(n,)``.
    rng : numpy.random.Generator
        Source of ``U`` (one draw per observation).

    Returns
    -------
    FloatArray
        Shape ``(n,)`` in [0, 1]; NaN where a row has no finite member or ``y`` is NaN.
    """
    ens2 = np.atleast_2d(np.asarray(ens, dtype=np.float64))
    obs = np.asarray(y, dtype=np.float64)
    finite = np.isfinite(ens2)
    m = finite.sum(axis=1)
    below = np.sum((ens2 < obs[:, None]) & finite, axis=1)
    ties = np.sum((ens2 == obs[:, None]) & finite, axis=1)
    u = rng.random(obs.shape[0])
    value = (below + u * (ties + 1)) / (m + 1)
    return np.asarray(np.where((m > 0) & np.isfinite(obs), value, math.nan), dtype=np.float64)


def _mid_pit(ens: FloatArray, y: FloatArray) -> FloatArray:
    """Return the PIT with ``U = 1/2``: deterministic, for measuring serial correlation."""
    finite = np.isfinite(ens)
    m = finite.sum(axis=1)
    below = np.sum((ens < y[:, None]) & finite, axis=1)
    ties = np.sum((ens == y[:, None]) & finite, axis=1)
    return np.asarray((below + 0.5 * (ties + 1)) / (m + 1), dtype=np.float64)


def level_tag(level: float) -> str:
    """Label of a band level in column names and JSON keys: ``"80"`` for 0.8, ``"97.5"``."""
    return f"{100 * level:.10g}"


def pit_histogram(values: FloatArray, bins: int = DEFAULT_BINS) -> FloatArray:
    """Count PIT values (NaN dropped) in ``bins`` equal bins of [0, 1]."""
    v = np.asarray(values, dtype=np.float64)
    counts, _ = np.histogram(v[np.isfinite(v)], bins=bins, range=(0.0, 1.0))
    return np.asarray(counts, dtype=np.float64)


def band_edges(ens: FloatArray, levels: Sequence[float]
               ) -> dict[float, tuple[FloatArray, FloatArray]]:
    """Edges of the central bands of each ensemble.

    Parameters
    ----------
    ens : FloatArray
        Shape ``(n, m)``; NaN members are dropped per row.
    levels : sequence of float
        Band levels in (0, 1): 0.8 is the band from the 10th to the 90th percentile.

    Returns
    -------
    dict of float to (FloatArray, FloatArray)
        ``{level: (low, high)}``, each of shape ``(n,)`` (linear interpolation between
        members, NaN for a row with no finite member).
    """
    for lv in levels:
        if not 0 < lv < 1:
            raise ValueError(f"band levels must lie strictly between 0 and 1, found {lv}")
    ens2 = np.atleast_2d(np.asarray(ens, dtype=np.float64))
    qs = sorted({q for lv in levels for q in ((1 - lv) / 2, (1 + lv) / 2)})
    with _quiet_all_nan():
        quant = np.nanquantile(ens2, qs, axis=1)  # (len(qs), n)
    at = {q: np.asarray(quant[j], dtype=np.float64) for j, q in enumerate(qs)}
    return {lv: (at[(1 - lv) / 2], at[(1 + lv) / 2]) for lv in levels}


def median(ens: FloatArray) -> FloatArray:
    """Median of each ensemble (NaN members dropped), shape ``(n,)``."""
    ens2 = np.atleast_2d(np.asarray(ens, dtype=np.float64))
    with _quiet_all_nan():
        return np.asarray(np.nanmedian(ens2, axis=1), dtype=np.float64)


@contextlib.contextmanager
def _quiet_all_nan() -> Iterator[None]:
    """Silence NumPy's "All-NaN slice" warnings: such a row's NaN is the answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# --------------------------------------------------------------------------- binary
def _check_binary(y: FloatArray) -> FloatArray:
    obs = np.asarray(y, dtype=np.float64)
    bad = np.flatnonzero(np.isfinite(obs) & (obs != 0) & (obs != 1))
    if bad.size:
        raise DataError(f"a 0/1 outcome must be 0 or 1; found {obs[bad[0]]:g} at point "
                        f"{int(bad[0]) + 1}")
    return obs


def _check_probability(p: FloatArray) -> FloatArray:
    prob = np.asarray(p, dtype=np.float64)
    if np.any((prob < 0) | (prob > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    return prob


def event_probability(ens: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Share of members at 1 in an ensemble of 0/1 members, and the number of members.

    Parameters
    ----------
    ens : FloatArray
        Shape ``(n, m)`` of 0/1 values (a member counts as 1 above 1/2); NaN dropped.

    Returns
    -------
    p, n_members : FloatArray
        Shape ``(n,)`` each; ``p`` is NaN where a row has no finite member.
    """
    ens2 = np.atleast_2d(np.asarray(ens, dtype=np.float64))
    finite = np.isfinite(ens2)
    m = finite.sum(axis=1).astype(np.float64)
    k = np.sum((ens2 > 0.5) & finite, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(m > 0, k / m, math.nan)
    return np.asarray(p, dtype=np.float64), m


def brier(p: FloatArray, y: FloatArray) -> FloatArray:
    """Brier score ``(p - y)^2`` of each probability forecast (``scoringrules.brier_score``).

    Parameters
    ----------
    p : FloatArray
        Forecast probabilities of the event, in [0, 1].
    y : FloatArray
        Outcomes, 0 or 1 (NaN scores NaN).

    Raises
    ------
    DataError
        When an outcome is neither 0 nor 1.
    """
    sr = import_optional("scoringrules", extra="scores", purpose="Proper scores")
    obs = _check_binary(y)
    return np.asarray(sr.brier_score(obs, _check_probability(p), backend="numpy"),
                      dtype=np.float64)


def log_score(p: FloatArray, y: FloatArray, *,
              n_members: FloatArray | float | None = None) -> FloatArray:
    """Logarithmic score ``-log P(y)`` of each probability forecast (``scoringrules.log_score``).

    Parameters
    ----------
    p : FloatArray
        Forecast probabilities of the event, in [0, 1].
    y : FloatArray
        Outcomes, 0 or 1.
    n_members : FloatArray or float, optional
        When ``p`` is the share ``k / m`` of an ensemble's ``m`` members at 1, give ``m``:
        ``p`` is then replaced by ``(k + 1/2) / (m + 1)`` (the Krichevsky-Trofimov
        estimate, the posterior mean under a Jeffreys prior), which keeps it away from 0
        and 1, so that an event that no member foresaw scores ``log(2 (m + 1))`` rather
        than infinity. Without it ``p`` is used as given, and a forecast of 0 or 1 that
        misses scores infinity (what the log score means).

    Raises
    ------
    DataError
        When an outcome is neither 0 nor 1.
    """
    sr = import_optional("scoringrules", extra="scores", purpose="Proper scores")
    obs = _check_binary(y)
    prob = _check_probability(p)
    if n_members is not None:
        m = np.asarray(n_members, dtype=np.float64)
        prob = (prob * m + 0.5) / (m + 1.0)
    with np.errstate(divide="ignore"):
        return np.asarray(sr.log_score(obs, prob, backend="numpy"), dtype=np.float64)


def reliability(p: FloatArray, y: FloatArray, bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """Reliability table: forecast probabilities in equal bins against observed frequencies.

    Parameters
    ----------
    p : FloatArray
        Forecast probabilities in [0, 1].
    y : FloatArray
        Outcomes, 0 or 1 (points with NaN in either are dropped).
    bins : int
        Number of equal bins of [0, 1]; the last includes 1.

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``bin`` (0-based), ``low``, ``high`` (its edges), ``p_mean`` (mean
        forecast), ``observed_freq`` (share of outcomes at 1) and ``n`` (points; the means
        are NaN in an empty bin). A reliable forecast has ``observed_freq`` close to
        ``p_mean`` in every bin with enough points.
    """
    import pandas as pd

    prob = _check_probability(p)
    obs = _check_binary(y)
    keep = np.isfinite(prob) & np.isfinite(obs)
    prob, obs = prob[keep], obs[keep]
    idx = np.minimum((prob * bins).astype(np.int64), bins - 1)
    rows = []
    for b in range(bins):
        sel = idx == b
        n = int(sel.sum())
        rows.append({"bin": b, "low": b / bins, "high": (b + 1) / bins,
                     "p_mean": float(prob[sel].mean()) if n else math.nan,
                     "observed_freq": float(obs[sel].mean()) if n else math.nan, "n": n})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- meaning
def skill(score: float, reference: float) -> float:
    """Skill score ``1 - score / reference`` of a negatively oriented score.

    1 is perfect, 0 no better than the reference, negative worse; NaN when the reference
    scores 0 (or either is NaN).
    """
    if not (math.isfinite(score) and math.isfinite(reference)) or reference == 0:
        return math.nan
    return 1.0 - score / reference


def binomial_interval(k: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n``.

    Parameters
    ----------
    k : float
        Successes (e.g. observations inside a band); may be fractional when ``n`` is an
        effective count (``share * n_eff``).
    n : float
        Trials; may be an effective, non-integer count (:func:`effective_n`).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    (float, float)
        ``(low, high)`` within [0, 1]; ``(0, 1)`` when ``n`` is 0. Unlike the normal
        approximation, Wilson's interval stays inside [0, 1] and is not empty at
        ``k = 0`` or ``k = n``; its width shrinks like ``1 / sqrt(n)``.
    """
    from scipy.stats import norm

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, found {confidence}")
    if n <= 0 or not math.isfinite(n):
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise ValueError(f"k must lie in [0, n]; found k = {k}, n = {n}")
    z = float(norm.ppf(0.5 + confidence / 2))
    share = k / n
    denom = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denom
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denom
    # at k = 0 (k = n) the lower (upper) bound is 0 (1) exactly, not a rounding away from it
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return (low, high)


def effective_n(hits: BoolArray | FloatArray, groups: IntArray | None = None) -> float:
    """How many independent points a set of serially correlated points is worth.

    The estimator: the lag-1 autocorrelation ``r`` of the values, pooled over the pairs of
    consecutive points within each group (in the order given), about the overall mean:
    ``r = mean over pairs of d_t d_(t+1) / mean over points of d_t^2``; then
    ``n_eff = n (1 - r) / (1 + r)``, the variance-inflation factor of the mean of an AR(1)
    series, clipped to [1, n] (a negative ``r`` does not buy more than ``n``).

    Parameters
    ----------
    hits : BoolArray or FloatArray
        Shape ``(n,)``: 0/1 outcomes (inside a band or not) or any real values (e.g. PIT
        values); NaN points are dropped.
    groups : IntArray, optional
        Shape ``(n,)``: the series each point belongs to (a variable and source, a lead);
        consecutive points of different groups are not paired. Default: one series.

    Returns
    -------
    float
        Between 1 and ``n`` (0 when there are no points).

    Notes
    -----
    Limits: the AR(1) form assumes correlation decaying geometrically with the lag, so a
    longer memory (a forecast that runs low for a year) is undercounted; correlation
    *between* groups (two variables on the same date, hindcasts from nearby origins that
    overlap) is ignored, so ``n_eff`` is then an upper bound; with a handful of points ``r``
    is itself very uncertain. A constant series gives no evidence of independence and is
    what a perfectly persistent one looks like: it counts as 1.
    """
    v = np.asarray(hits, dtype=np.float64)
    g = np.zeros(v.shape[0], dtype=np.int64) if groups is None else np.asarray(groups)
    keep = np.isfinite(v)
    v, g = v[keep], g[keep]
    n = v.shape[0]
    if n == 0:
        return 0.0
    d = v - v.mean()
    var = float(np.mean(d * d))
    if var <= 1e-12 * max(1.0, float(np.mean(v * v))):
        return 1.0
    same = g[1:] == g[:-1]
    if not same.any():
        return float(n)
    r = float(np.mean((d[1:] * d[:-1])[same])) / var
    r = min(max(r, -0.999), 0.999)
    return float(min(max(n * (1 - r) / (1 + r), 1.0), float(n)))


# --------------------------------------------------------------------------- baselines
def _days(dates: Dates | Sequence[DateLike]) -> FloatArray:
    arr = np.asarray(dates, dtype="datetime64[D]")
    return np.asarray(arr.astype(np.int64), dtype=np.float64)


def _day(date: DateLike) -> float:
    return float(np.asarray(date, dtype="datetime64[D]").astype(np.int64))


def persistence(dates: Dates, values: FloatArray, origin: DateLike,
                targets: Dates) -> FloatArray:
    """No-change baseline: the last observed value on or before ``origin``.

    Parameters
    ----------
    dates, values : sequence of dates, FloatArray
        The observed series (any order; NaN values are ignored).
    origin : date
        When the forecast is made.
    targets : sequence of dates
        Dates forecast.

    Returns
    -------
    FloatArray
        Shape ``(len(targets),)``: that value at every target; NaN when nothing was
        observed on or before ``origin``.
    """
    t = _days(dates)
    v = np.asarray(values, dtype=np.float64)
    n_targets = len(targets)
    known = np.flatnonzero((t <= _day(origin)) & np.isfinite(v))
    if known.size == 0:
        return np.full(n_targets, math.nan)
    last = known[np.argmax(t[known])]
    return np.full(n_targets, float(v[last]))


def trend(dates: Dates, values: FloatArray, origin: DateLike, targets: Dates,
          window_days: float = TREND_WINDOW_DAYS) -> FloatArray:
    """Trend baseline: the last ``window_days``' least-squares line, extended.

    Parameters
    ----------
    dates, values : sequence of dates, FloatArray
        The observed series (any order; NaN values are ignored).
    origin : date
        When the forecast is made; the line is fitted to the observations dated in
        ``(origin - window_days, origin]``.
    targets : sequence of dates
        Dates forecast.
    window_days : float
        Length of the fitting window.

    Returns
    -------
    FloatArray
        Shape ``(len(targets),)``: the line at each target date; :func:`persistence` when
        the window holds fewer than two distinct dates.
    """
    t = _days(dates)
    v = np.asarray(values, dtype=np.float64)
    o = _day(origin)
    sel = (t <= o) & (t > o - window_days) & np.isfinite(v)
    if np.unique(t[sel]).size < 2:
        return persistence(dates, values, origin, targets)
    x = t[sel] - o
    slope, intercept = np.polyfit(x, v[sel], 1)
    return np.asarray(intercept + slope * (_days(targets) - o), dtype=np.float64)


# --------------------------------------------------------------------------- summaries
def score_continuous(
    ens: FloatArray, y: FloatArray, *, levels: Sequence[float] = DEFAULT_LEVELS,
    baselines: Mapping[str, FloatArray], rng: np.random.Generator,
    groups: IntArray | None = None, confidence: float = 0.95, bins: int = DEFAULT_BINS,
    pit_values: FloatArray | None = None,
) -> dict[str, Any]:
    """One summary of an ensemble's forecasts of a continuous variable.

    Parameters
    ----------
    ens : FloatArray
        Shape ``(n, m)``, the ensemble at each point.
    y : FloatArray
        Shape ``(n,)``, what was observed.
    levels : sequence of float
        Central band levels whose coverage is scored.
    baselines : mapping of str to FloatArray
        Point forecasts of shape ``(n,)`` by name (e.g. ``persistence``, ``trend``); NaN
        where a baseline has no forecast.
    rng : numpy.random.Generator
        PIT randomisation between ties.
    groups : IntArray, optional
        Series of each point, for :func:`effective_n` (points in time order within each).
    confidence : float
        Level of the coverage intervals.
    bins : int
        Bins of the PIT histogram.
    pit_values : FloatArray, optional
        The points' PIT values, when already drawn (so that a per-point table and the
        histogram agree); default: drawn here with ``rng``.

    Returns
    -------
    dict
        ``n`` (points), ``n_eff`` (:func:`effective_n` of the points' PIT values, which
        sizes every coverage interval), ``coverage`` ``{level: {"share", "low", "high"}}``
        (share inside the band and its Wilson interval for ``n_eff`` points), ``crps`` (mean),
        ``baselines`` ``{name: {"n", "crps", "skill"}}`` (the baseline's mean absolute error
        and the model's CRPS skill against it, both over the points where the baseline
        has a forecast), ``pit_hist`` (counts per bin).
    """
    ens2 = np.atleast_2d(np.asarray(ens, dtype=np.float64))
    obs = np.asarray(y, dtype=np.float64)
    n = int(obs.shape[0])
    edges = band_edges(ens2, levels)
    n_eff = effective_n(_mid_pit(ens2, obs), groups) if n else 0.0
    coverage: dict[float, dict[str, float]] = {}
    for lv, (low, high) in edges.items():
        share = float(np.mean((obs >= low) & (obs <= high))) if n else math.nan
        lo, hi = binomial_interval(share * n_eff, n_eff, confidence) if n else (0.0, 1.0)
        coverage[lv] = {"share": share, "low": lo, "high": hi}
    model = crps(ens2, obs)
    out_base: dict[str, dict[str, float]] = {}
    for name, forecast in baselines.items():
        f = np.asarray(forecast, dtype=np.float64)
        ok = np.isfinite(f) & np.isfinite(model)
        ref = float(np.mean(np.abs(f[ok] - obs[ok]))) if ok.any() else math.nan
        mine = float(np.mean(model[ok])) if ok.any() else math.nan
        out_base[name] = {"n": int(ok.sum()), "crps": ref, "skill": skill(mine, ref)}
    return {
        "n": n, "n_eff": n_eff, "coverage": coverage,
        "crps": float(np.nanmean(model)) if np.isfinite(model).any() else math.nan,
        "baselines": out_base,
        "pit_hist": [int(c) for c in pit_histogram(
            pit(ens2, obs, rng) if pit_values is None else pit_values, bins)],
    }


def score_binary(
    p: FloatArray, y: FloatArray, *, baselines: Mapping[str, FloatArray],
    n_members: FloatArray | float | None = None, bins: int = DEFAULT_BINS,
) -> dict[str, Any]:
    """One summary of probability forecasts of a 0/1 variable.

    Parameters
    ----------
    p : FloatArray
        Shape ``(n,)``, forecast probabilities that the variable is 1 (an ensemble's share
        of members at 1: :func:`event_probability`).
    y : FloatArray
        Shape ``(n,)``, outcomes 0 or 1.
    baselines : mapping of str to FloatArray
        Forecasts by name, probabilities in [0, 1] (a persistence forecast of a 0/1
        variable is 0 or 1); NaN where a baseline has no forecast.
    n_members : FloatArray or float, optional
        Members behind each ``p``, for the log score's clipping (:func:`log_score`).
    bins : int
        Bins of the reliability table.

    Returns
    -------
    dict
        ``n``, ``brier`` and ``log`` (means), ``reliability`` (rows of
        :func:`reliability` as dicts), ``baselines`` ``{name: {"n", "brier", "skill"}}``
        (the baseline's mean Brier score and the model's Brier skill against it, over the
        points where the baseline has a forecast).

    Raises
    ------
    DataError
        When an outcome is neither 0 nor 1.
    """
    prob = np.asarray(p, dtype=np.float64)
    obs = _check_binary(y)
    model = brier(prob, obs)
    logs = log_score(prob, obs, n_members=n_members)
    out_base: dict[str, dict[str, float]] = {}
    for name, forecast in baselines.items():
        f = np.asarray(forecast, dtype=np.float64)
        ok = np.isfinite(f) & np.isfinite(model)
        ref = float(np.mean(brier(f[ok], obs[ok]))) if ok.any() else math.nan
        mine = float(np.mean(model[ok])) if ok.any() else math.nan
        out_base[name] = {"n": int(ok.sum()), "brier": ref, "skill": skill(mine, ref)}
    table = reliability(prob, obs, bins)
    return {
        "n": int(obs.shape[0]),
        "brier": float(np.nanmean(model)) if np.isfinite(model).any() else math.nan,
        "log": float(np.nanmean(logs)) if np.isfinite(logs).any() else math.nan,
        "reliability": table.to_dict(orient="records"),
        "baselines": out_base,
    }


# --------------------------------------------------------------------------- per point
def point_columns(ens: FloatArray, y: FloatArray, binary: BoolArray, *,
                  levels: Sequence[float], rng: np.random.Generator) -> dict[str, Any]:
    """Every per-point score of a mixed set of points, as the columns of a table.

    Parameters
    ----------
    ens : FloatArray
        Shape ``(n, m)``: each point's ensemble.
    y : FloatArray
        Shape ``(n,)``: what happened.
    binary : BoolArray
        Shape ``(n,)``: which points are of a 0/1 variable.
    levels : sequence of float
        Central band levels.
    rng : numpy.random.Generator
        Randomises the PIT between ties.

    Returns
    -------
    dict
        ``median``, ``low_XX``, ``high_XX`` and ``inside_XX`` per level (a nullable
        boolean: missing for a 0/1 point), ``pit`` and ``crps`` for the continuous points;
        ``p`` (the share of members at 1), ``members`` (how many are finite), ``brier`` and
        ``log`` for the 0/1 points; NaN where a score does not apply.
    """
    import pandas as pd

    n = y.shape[0]
    cont = ~binary
    nan = np.full(n, math.nan)
    med, pit_v, crps_v = nan.copy(), nan.copy(), nan.copy()
    edges = {lv: (nan.copy(), nan.copy()) for lv in levels}
    if cont.any():
        ec, yc = ens[cont], y[cont]
        med[cont] = median(ec)
        for lv, (lo, hi) in band_edges(ec, levels).items():
            edges[lv][0][cont], edges[lv][1][cont] = lo, hi
        pit_v[cont] = pit(ec, yc, rng)
        crps_v[cont] = crps(ec, yc)
    prob, members, brier_v, log_v = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    if binary.any():
        pb, mb = event_probability(ens[binary])
        prob[binary], members[binary] = pb, mb
        brier_v[binary] = brier(pb, y[binary])
        log_v[binary] = log_score(pb, y[binary], n_members=mb)
    columns: dict[str, Any] = {"median": med}
    for lv in levels:
        tag = level_tag(lv)
        lo, hi = edges[lv]
        columns[f"low_{tag}"], columns[f"high_{tag}"] = lo, hi
        columns[f"inside_{tag}"] = pd.array(
            [bool(lo[i] <= y[i] <= hi[i]) if cont[i] else None for i in range(n)],
            dtype="boolean")
    columns.update({"pit": pit_v, "crps": crps_v, "p": prob, "members": members,
                    "brier": brier_v, "log": log_v})
    return columns
