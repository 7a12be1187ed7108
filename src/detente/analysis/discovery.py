"""Scenario discovery: PRIM boxes in parameter space where an outcome is common.

PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999) peels the parameter
space down to a box in which a boolean outcome is dense, then pastes back what it can. It
answers "in which region of the assumptions does this happen?" — for a claim, where it
fails. detente uses the implementation of the EMA Workbench (BSD-3, the optional extra
``[discovery]``); from the peeling trajectory it picks the box of largest coverage whose
density reaches ``threshold``.

Examples
--------
>>> import detente as dt
>>> res = dt.simulate("lanchester-bench", n_samples=2000, seed=0)     # doctest: +SKIP
>>> box = dt.Prim(threshold=0.8).fit(res, where="blue.personnel < red.personnel")  # doctest: +SKIP
>>> box.description_                                                   # doctest: +SKIP
'red.reinforcement > 2.1 k/week and blue.effectiveness < 0.004 1/week'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from detente._optional import import_optional
from detente.analysis._base import Estimator, check_names
from detente.analysis._outputs import OutputReader, uncertain_parameters
from detente.errors import InputError
from detente.results import Results
from detente.results.schema import param_var

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PEEL_ALPHA", "PRIM_THRESHOLD", "Prim", "describe_box", "format_value"]

#: Default minimum density of the box PRIM reports.
PRIM_THRESHOLD = 0.8
#: Share of the remaining data peeled away per step.
PEEL_ALPHA = 0.05
#: Share of the data pasted back per step.
PASTE_ALPHA = 0.05
#: Smallest box, as a share of the data.
MASS_MIN = 0.05
#: Fewest cases of interest PRIM needs before it tries.
MIN_CASES = 5
#: Relative tolerance below which a box limit equals the data's extreme (not restricted).
LIMIT_RTOL = 1e-12
_SIG_DIGITS = 3


def format_value(x: float) -> str:
    """Format a number with three significant digits, compactly (``2.1e+06`` -> ``2.1e6``)."""
    text = f"{x:.{_SIG_DIGITS}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


def describe_box(box: pd.DataFrame) -> str:
    """Describe the restricted dimensions of a box in words.

    Parameters
    ----------
    box : pandas.DataFrame
        As :attr:`Prim.box_`: index parameter, columns ``low``, ``high``, ``unit``,
        ``low_restricted``, ``high_restricted``.

    Returns
    -------
    str
        E.g. ``"blue.shell_production > 2.1e6 rounds/year and red.fire_rate < 0.5 1/day"``.
    """
    parts: list[str] = []
    for name, row in box.iterrows():
        unit = f" {row['unit']}" if row.get("unit") else ""
        lo, hi = bool(row["low_restricted"]), bool(row["high_restricted"])
        if lo and hi:
            parts.append(f"{format_value(row['low'])} < {name} < "
                         f"{format_value(row['high'])}{unit}")
        elif lo:
            parts.append(f"{name} > {format_value(row['low'])}{unit}")
        elif hi:
            parts.append(f"{name} < {format_value(row['high'])}{unit}")
    return " and ".join(parts)


class Prim(Estimator):
    """Find the box of parameter space where a boolean outcome is dense (PRIM).

    Parameters
    ----------
    threshold : float
        Minimum density (share of cases of interest inside the box) of the reported box.
    peel_alpha : float
        Share of the remaining data peeled per step.
    paste_alpha : float
        Share pasted back per step.
    mass_min : float
        Smallest box, as a share of all samples.
    parameters : sequence of str, optional
        Parameters to search over (default: every uncertain parameter in the results).
    max_dims : int, optional
        Most restricted parameters in the reported box (fewer is easier to read and less
        prone to fitting noise; default: no limit).

    Attributes
    ----------
    box_ : pandas.DataFrame
        The restricted dimensions: index parameter; columns ``low``, ``high``, ``unit``,
        ``low_restricted``, ``high_restricted``.
    coverage_ : float
        Share of all cases of interest that fall in the box.
    density_ : float
        Share of the box's samples that are cases of interest.
    mass_ : float
        Share of all samples in the box.
    n_cases_ : int
        Cases of interest in the data.
    found_ : bool
        Whether a box reached ``threshold``; if not, ``box_`` is empty.
    description_ : str
        The box in words (empty when none was found).
    trajectory_ : pandas.DataFrame
        PRIM's peeling trajectory (coverage, density, mass, res_dim per step).
    x_ : pandas.DataFrame
        The inputs searched, one column per parameter that varies in the data.
    y_ : numpy.ndarray
        The outcome of interest per row (bool).
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "n_cases_", "x_", "y_", "box_", "coverage_", "density_", "mass_", "found_",
        "description_", "trajectory_")

    def __init__(self, *, threshold: float = PRIM_THRESHOLD, peel_alpha: float = PEEL_ALPHA,
                 paste_alpha: float = PASTE_ALPHA, mass_min: float = MASS_MIN,
                 parameters: Sequence[str] | None = None,
                 max_dims: int | None = None) -> None:
        self.threshold = threshold
        self.peel_alpha = peel_alpha
        self.paste_alpha = paste_alpha
        self.mass_min = mass_min
        self.parameters = parameters
        self.max_dims = max_dims

    def fit(self, data: Results | pd.DataFrame, where: str | Any = None, *,
            policy: str | None = None, at: Any = "end", over: Sequence[Any] | None = None,
            reduce: str | None = None, units: Mapping[str, str] | None = None) -> Prim:
        """Find the box.

        Parameters
        ----------
        data : Results or pandas.DataFrame
            An ensemble (the inputs are its uncertain parameters) or a table of inputs,
            one row per case.
        where : str or array of bool
            The outcome of interest: for results, a condition expression over outputs,
            parameters and events (e.g. ``"escalated > 0"``); or a boolean array, one value
            per sample/row.
        policy : str, optional
            Policy whose outputs ``where`` reads (default: the first in the results).
        at, over, reduce
            When the condition is read: at a time point, or over a window with
            ``reduce`` ``any`` (it holds at some point) or ``all``.
        units : mapping of str to str, optional
            Units of the inputs, for the description (read from the results by default).

        Returns
        -------
        Prim
            ``self``, fitted.
        """
        import pandas as pd

        x, y, unit_map = self._inputs(data, where, policy=policy, at=at, over=over,
                                      reduce=reduce)
        if units:
            unit_map = {**unit_map, **units}
        self.n_cases_ = int(y.sum())
        self.x_, self.y_ = x, y
        empty = pd.DataFrame({"low": [], "high": [], "unit": [], "low_restricted": [],
                              "high_restricted": []}, index=pd.Index([], name="parameter"))
        self.box_, self.coverage_, self.density_, self.mass_ = empty, 0.0, 0.0, 0.0
        self.found_, self.description_ = False, ""
        self.trajectory_ = pd.DataFrame()
        if self.n_cases_ < MIN_CASES or self.n_cases_ == y.size:
            return self
        prim = _import_prim()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            algo = prim.Prim(x, y, threshold=self.threshold, peel_alpha=self.peel_alpha,
                             paste_alpha=self.paste_alpha, mass_min=self.mass_min)
            box = algo.find_box()
        if box is None:
            return self
        traj = box.peeling_trajectory.reset_index(drop=True)
        self.trajectory_ = traj
        good = traj["density"] >= self.threshold
        if self.max_dims is not None:
            good &= traj["res_dim"] <= self.max_dims
        ok = traj.index[good]
        if len(ok) == 0:
            return self
        best = traj.loc[ok].sort_values(["coverage", "res_dim"],
                                         ascending=[False, True]).index[0]
        lims = box.box_lims[int(best)]
        rows = {}
        for name in x.columns:
            lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
            dmin, dmax = float(x[name].min()), float(x[name].max())
            tol = LIMIT_RTOL * max(1.0, abs(dmax - dmin))
            lo_r, hi_r = lo > dmin + tol, hi < dmax - tol
            if lo_r or hi_r:
                rows[name] = {"low": lo, "high": hi, "unit": unit_map.get(name, ""),
                              "low_restricted": lo_r, "high_restricted": hi_r}
        self.box_ = pd.DataFrame.from_dict(rows, orient="index")
        self.box_.index.name = "parameter"
        self.coverage_ = float(traj.loc[best, "coverage"])
        self.density_ = float(traj.loc[best, "density"])
        self.mass_ = float(traj.loc[best, "mass"])
        self.found_ = bool(rows)
        self.description_ = describe_box(self.box_) if rows else ""
        return self

    def _inputs(self, data: Any, where: Any, *, policy: str | None, at: Any,
                over: Sequence[Any] | None, reduce: str | None,
                ) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
        import pandas as pd

        if isinstance(data, Results):
            units = uncertain_parameters(data)
            names = list(units)
            if self.parameters:
                check_names(self.parameters, names, "uncertain parameter")
                names = list(self.parameters)
            if not names:
                raise InputError("the results have no uncertain parameters to search over")
            x = pd.DataFrame({n: np.asarray(data[param_var(n)].values, dtype=np.float64)
                              for n in names})
            units = {n: units[n] for n in names}
            if isinstance(where, str):
                reader = OutputReader(data)
                expr = reader.compile(where, expect="condition")
                pol = policy or reader.policies[0]
                if over is not None:
                    y = reader.reading(expr, pol, over=over, reduce=reduce or "any") > 0
                else:
                    y = reader.reading(expr, pol, at=at) > 0
            else:
                y = np.asarray(where, dtype=bool)
        else:
            if not isinstance(data, pd.DataFrame):
                raise InputError(f"expected Results or a pandas DataFrame, found "
                                 f"{type(data).__name__}")
            x = data.reset_index(drop=True).astype(np.float64)
            if self.parameters:
                check_names(self.parameters, list(x.columns), "column")
                x = x[list(self.parameters)]
            units = {}
            if where is None or isinstance(where, str):
                raise InputError("with a table of inputs, 'where' must be a boolean array, "
                                 "one value per row")
            y = np.asarray(where, dtype=bool)
        if y.shape != (len(x),):
            raise InputError(f"'where' has shape {y.shape}, expected ({len(x)},)")
        keep = [c for c in x.columns if float(x[c].max()) > float(x[c].min())]
        return x[keep], y, units


def _import_prim() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import_optional("ema_workbench", extra="discovery", purpose="PRIM scenario discovery")
        from ema_workbench.analysis import prim
    return prim


def prim_available() -> bool:
    """Whether the optional EMA Workbench (for PRIM) is installed."""
    import importlib.util

    return importlib.util.find_spec("ema_workbench") is not None
