"""Plotting helpers on results, in the idiom EMA Workbench users know (matplotlib).

Each function takes :class:`~detente.results.Results` and a variable by the model's name
(``"blue.personnel"``) and returns a :class:`matplotlib.figure.Figure` (drawn on ``ax``
when one is given), labelled from the scenario (:class:`~detente.present.labels.Labels`):

* :func:`lines` — a sample of trajectories per policy (EMA's ``lines``);
* :func:`envelopes` — the central bands of each policy over time, a fan (EMA's
  ``envelopes``);
* :func:`overlay` — every policy's median and one band on one axis;
* :func:`kde_over_time` — the distribution at each point in time as a density map (EMA's
  ``kde_over_time``);
* :func:`pairs` — a scatter matrix of several variables at one month (EMA's
  ``pairs_scatter``), coloured by policy.

matplotlib is in the ``[report]`` extra and is imported when a figure is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._optional import import_optional
from detente.errors import InputError
from detente.present.labels import Labels
from detente.present.style import BANDS, policy_colour

if TYPE_CHECKING:
    from detente._typing import FloatArray
    from detente.results import Results

__all__ = ["envelopes", "kde_over_time", "lines", "overlay", "pairs"]

#: Trajectories :func:`lines` draws per policy by default (a sample, not all of them).
N_LINES = 50
#: Points :func:`pairs` draws per policy by default.
N_POINTS = 500
#: Bins of :func:`kde_over_time`'s density along the variable's axis.
KDE_BINS = 60


def _plt() -> Any:
    import_optional("matplotlib", extra="report", purpose="Plotting results")
    import matplotlib.pyplot as plt

    return plt


def _figure(ax: Any, *, ncols: int = 1, nrows: int = 1, size: tuple[float, float] = (7, 4)
            ) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    plt = _plt()
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False)
    return fig, axes[0, 0] if nrows == ncols == 1 else axes


def _chosen(res: Results, policies: Sequence[str] | None) -> list[str]:
    known = res.policies
    chosen = list(policies) if policies is not None else known
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise InputError(f"unknown policies {unknown}; the results hold {known}")
    return chosen


def _values(res: Results, variable: str, policy: str) -> FloatArray:
    """Return the trajectories of ``variable`` under ``policy``: (sample, time)."""
    if variable not in res:
        shown = ", ".join(res.variables[:12]) + (" ..." if len(res.variables) > 12 else "")
        raise InputError(f"'{variable}' is not recorded in these results (recorded: "
                         f"{shown})")
    da = res[variable].sel(policy=policy)
    out: FloatArray = np.asarray(da.transpose("sample", "time").values, dtype=np.float64)
    return out


def _label_axes(ax: Any, res: Results, variable: str) -> None:
    labels = Labels.of_results(res)
    ax.set_title(labels.title(variable), fontsize=10)
    ax.set_xlabel("months since the start")
    ax.set_ylabel(labels.unit(variable))


def lines(res: Results, variable: str, *, policies: Sequence[str] | None = None,
          n_lines: int = N_LINES, seed: int = 0, ax: Any = None) -> Any:
    """Draw a sample of ``n_lines`` trajectories of ``variable`` per policy.

    The same samples under every policy (common random numbers), chosen by ``seed``.
    """
    fig, ax = _figure(ax)
    months = res.ds["month"].values
    n = res.ds.sizes["sample"]
    pick = np.random.default_rng(seed).choice(n, size=min(n_lines, n), replace=False)
    for pol in _chosen(res, policies):
        y = _values(res, variable, pol)[np.sort(pick)]
        colour = policy_colour(res.policies.index(pol))
        ax.plot(months, y.T, color=colour, lw=0.6, alpha=0.35)
        ax.plot([], [], color=colour, label=pol)
    ax.legend(fontsize=8, frameon=False)
    _label_axes(ax, res, variable)
    return fig


def _bands(y: FloatArray, levels: Sequence[float]) -> list[tuple[float, FloatArray, FloatArray]]:
    out = []
    for level in sorted(levels, reverse=True):
        lo, hi = np.nanquantile(y, [(1 - level) / 2, (1 + level) / 2], axis=0)
        out.append((level, lo, hi))
    return out


def envelopes(res: Results, variable: str, *, policies: Sequence[str] | None = None,
              levels: Sequence[float] = BANDS, ax: Any = None) -> Any:
    """Draw each policy's central bands (``levels``, e.g. 50 and 80 %) and median over time.

    One panel per policy, on shared axes, so the policies' fans compare at a glance.
    """
    chosen = _chosen(res, policies)
    if ax is not None and len(chosen) != 1:
        raise InputError("envelopes: give one policy to draw on a given axis")
    fig, axes = _figure(ax, ncols=len(chosen), size=(3.2 * len(chosen) + 1, 3.6))
    axes = [axes] if ax is not None or len(chosen) == 1 else list(axes[0])
    months = res.ds["month"].values
    for ax_i, pol in zip(axes, chosen, strict=True):
        y = _values(res, variable, pol)
        colour = policy_colour(res.policies.index(pol))
        for k, (level, lo, hi) in enumerate(_bands(y, levels)):
            ax_i.fill_between(months, lo, hi, color=colour, alpha=0.18 + 0.17 * k, lw=0,
                              label=f"{level:.0%}")
        ax_i.plot(months, np.nanmedian(y, axis=0), color=colour, lw=1.5, label="median")
        _label_axes(ax_i, res, variable)
        ax_i.set_title(pol, fontsize=9)
        ax_i.legend(fontsize=7, frameon=False)
    if len(axes) > 1:
        for a in axes[1:]:
            a.sharey(axes[0])
            a.set_ylabel("")
    fig.suptitle(Labels.of_results(res).title(variable), fontsize=10)
    return fig


def overlay(res: Results, variable: str, *, policies: Sequence[str] | None = None,
            level: float = 0.8, ax: Any = None) -> Any:
    """Draw every policy's median and ``level`` band of ``variable`` on one axis."""
    fig, ax = _figure(ax)
    months = res.ds["month"].values
    for pol in _chosen(res, policies):
        y = _values(res, variable, pol)
        colour = policy_colour(res.policies.index(pol))
        (_, lo, hi), = _bands(y, [level])
        ax.fill_between(months, lo, hi, color=colour, alpha=0.15, lw=0)
        ax.plot(months, np.nanmedian(y, axis=0), color=colour, lw=1.5, label=pol)
    ax.legend(fontsize=8, frameon=False, title=f"median, {level:.0%} band", title_fontsize=8)
    _label_axes(ax, res, variable)
    return fig


def kde_over_time(res: Results, variable: str, *, policy: str | None = None,
                  bins: int = KDE_BINS, ax: Any = None) -> Any:
    """Draw the distribution of ``variable`` at each time as a density map (one policy).

    Each column is the histogram density of the samples at that time (normalised to its
    own maximum, so a narrow spread and a wide one both read), with the median on top.
    """
    pol = _chosen(res, [policy] if policy is not None else res.policies[:1])[0]
    y = _values(res, variable, pol)
    finite = y[np.isfinite(y)]
    if finite.size == 0:
        raise InputError(f"kde_over_time: '{variable}' has no finite values under '{pol}'")
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        hi = lo + max(abs(lo), 1.0) * 1e-6
    edges = np.linspace(lo, hi, bins + 1)
    dens = np.stack([np.histogram(col[np.isfinite(col)], bins=edges)[0] for col in y.T], 1)
    dens = dens / np.maximum(dens.max(axis=0, keepdims=True), 1)
    fig, ax = _figure(ax)
    months = res.ds["month"].values
    ax.pcolormesh(months, 0.5 * (edges[:-1] + edges[1:]), dens, shading="nearest",
                  cmap="Blues")
    ax.plot(months, np.nanmedian(y, axis=0), color="black", lw=1.0, label="median")
    ax.legend(fontsize=8, frameon=False)
    _label_axes(ax, res, variable)
    ax.set_title(f"{ax.get_title()} ({pol})", fontsize=10)
    return fig


def pairs(res: Results, variables: Sequence[str], *, month: float,
          policies: Sequence[str] | None = None, n_points: int = N_POINTS,
          seed: int = 0) -> Any:
    """Draw a scatter matrix of ``variables`` at ``month``, coloured by policy.

    The diagonal holds each variable's histogram; ``n_points`` samples per policy (the
    same under each).
    """
    names = list(variables)
    if len(names) < 2:
        raise InputError("pairs: give at least two variables")
    k = res.step_at_month(month)
    if k is None:
        raise InputError(f"pairs: month {month:g} is past the results' horizon")
    chosen = _chosen(res, policies)
    n = res.ds.sizes["sample"]
    pick = np.sort(np.random.default_rng(seed).choice(n, size=min(n_points, n),
                                                      replace=False))
    data = {p: np.stack([_values(res, v, p)[pick, k] for v in names]) for p in chosen}
    m = len(names)
    fig, axes = _figure(None, ncols=m, nrows=m, size=(2.3 * m + 0.5, 2.3 * m))
    labels = Labels.of_results(res)
    for i in range(m):
        for j in range(m):
            a = axes[i, j]
            for p in chosen:
                colour = policy_colour(res.policies.index(p))
                if i == j:
                    a.hist(data[p][i][np.isfinite(data[p][i])], bins=25, color=colour,
                           alpha=0.5)
                else:
                    a.scatter(data[p][j], data[p][i], s=3, color=colour, alpha=0.4)
            if i == m - 1:
                a.set_xlabel(labels.heading(names[j]), fontsize=7)
            if j == 0:
                a.set_ylabel(labels.heading(names[i]), fontsize=7)
            a.tick_params(labelsize=6)
    for p in chosen:
        axes[0, 0].plot([], [], "o", color=policy_colour(res.policies.index(p)), label=p)
    axes[0, 0].legend(fontsize=6, frameon=False)
    fig.suptitle(f"at month {month:g}", fontsize=9)
    return fig
