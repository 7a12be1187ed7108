"""Medians and bands of an ensemble's variables at chosen months, by their model names.

What the command line's ``run`` table and its ``--json`` show, and the report's summary:
each variable read through :func:`detente.results.schema.select`, so what a side owns is
named as the model names it (``blue.personnel``) whatever the dataset's layout.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.results.schema import has, select

if TYPE_CHECKING:
    from detente.results import Results

__all__ = ["bands_at", "changes_at", "drawable"]


def drawable(ds: Any, name: str) -> bool:
    """Whether the dataset holds the model variable ``name`` with something to show.

    A variable that is not recorded, or that takes one value in every sample at every time
    under every policy (missing values aside), is not: its mechanism is off for that side
    (a territory that stays 0, a viability that stays 1), and a flat line says nothing.
    """
    if not has(ds, name):
        return False
    values = np.asarray(select(ds, name).values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    return bool(finite.size and finite.min() != finite.max())


def bands_at(res: Results, months: Sequence[float], names: Sequence[str],
             quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9)) -> list[dict[str, Any]]:
    """Median and band of each variable, per policy, at each month the run reaches.

    Parameters
    ----------
    res : Results
        The ensemble.
    months : sequence of float
        Months since the start; those past the run's end are left out.
    names : sequence of str
        Model names of the variables (each must be in the results).
    quantiles : (float, float, float)
        The band's lower end, the middle and its upper end (default: 10th, 50th, 90th).

    Returns
    -------
    list of dict
        One row per month, variable and policy: ``policy``, ``month``, ``variable``,
        ``units``, ``low``, ``median``, ``high`` (in the variable's unit).
    """
    return _quantile_rows(res, months, names, quantiles, since_start=False)


def changes_at(res: Results, months: Sequence[float], names: Sequence[str],
               quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9)
               ) -> list[dict[str, Any]]:
    """Median and band of each variable's change since the start, per policy and month.

    Each sample's change (its value at the month less its own value at the start) is taken
    first, so the band is of the change, not the difference of two bands.

    Parameters
    ----------
    res, months, names, quantiles
        As for :func:`bands_at`.

    Returns
    -------
    list of dict
        Rows as :func:`bands_at` gives them, of the change (in the variable's unit).
    """
    return _quantile_rows(res, months, names, quantiles, since_start=True)


def _quantile_rows(res: Results, months: Sequence[float], names: Sequence[str],
                   quantiles: tuple[float, float, float], *, since_start: bool
                   ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    arrays = {name: select(res.ds, name) for name in names}
    for month in months:
        k = res.step_at_month(month)
        if k is None:
            continue
        for name, arr in arrays.items():
            values = np.asarray(arr.isel(time=k).values, dtype=np.float64)  # (policy, sample)
            if since_start:
                values = values - np.asarray(arr.isel(time=0).values, dtype=np.float64)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a policy all NaN: NaN
                q = np.nanquantile(values, quantiles, axis=1)
            for ip, pol in enumerate(res.policies):
                rows.append({"policy": pol, "month": month, "variable": name,
                             "units": str(arr.attrs.get("units", "")),
                             "low": float(q[0, ip]), "median": float(q[1, ip]),
                             "high": float(q[2, ip])})
    return rows
