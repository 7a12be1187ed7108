"""Scenario discovery: PRIM boxes in parameter space where an outcome is common.

PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999) peels the parameter
space down to a box in which a boolean outcome is dense, then pastes back what it can. It
answers "in which region of the assumptions does this happen?" — for a claim, where it
fails. detente uses the implementation of the EMA Workbench (BSD-3, the optional extra
``[discovery]``) and reads its objects as EMA users do (Bryant and Lempert 2010; Kwakkel
2017):

* the **peeling trajectory** (:attr:`Prim.trajectory_`): coverage (share of the cases that
  fall in the box) against density (share of the box that are cases), and the number of
  restricted dimensions, at every step — the trade-off to choose a box from;
* the **chosen box** (:attr:`Prim.box_`): of the boxes on the trajectory that restrict at
  most ``max_dims`` parameters and reach density ``threshold``, the one of largest
  coverage; each restriction with its **quasi-p-value** (a one-sided binomial test of
  whether the restriction raises the density; large values mark restrictions that do not
  earn their place);
* **resampling stability** (:attr:`Prim.stability_`): PRIM rerun on random halves of the
  data, and the share of reruns whose box at the same coverage (and at the same density)
  restricts each parameter — EMA's ``PrimBox.resample``, drawn here from a seeded
  generator so that it is reproducible;
* the EMA ``PrimBox`` itself (:attr:`Prim.prim_box_`), for ``inspect``,
  ``show_tradeoff``, ``show_pairs_scatter`` and the rest of EMA's tools.

Which parameters to search: :func:`screen_parameters` keeps only those that can move the
outcome under the policy asked, by a one-at-a-time design whose runs share their noise in
each group: a parameter whose moves leave every recorded output bit for bit the same in
every group (a lever of another policy, a parameter of a mechanism that policy never
triggers) cannot matter there, and searching it only lets PRIM fit noise.

Examples
--------
>>> import detente as dt
>>> res = dt.simulate("lanchester-bench", n_samples=2000, seed=0)     # doctest: +SKIP
>>> box = dt.Prim(threshold=0.8).fit(res, where="blue.personnel < red.personnel")  # doctest: +SKIP
>>> box.description_                                                   # doctest: +SKIP
'red.reinforcement > 2.1 k/week and blue.effectiveness < 0.004 1/week'
>>> box.trajectory_[["coverage", "density", "res_dim"]]               # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from detente._optional import import_optional
from detente._typing import SeedLike
from detente.analysis._base import Estimator, as_scenario, check_names
from detente.analysis._design import run_design, unit_to_file_units
from detente.analysis._outputs import (
    OutputReader,
    record_for,
    scenario_expr,
    uncertain_parameters,
)
from detente.errors import InputError
from detente.results import Results
from detente.results.schema import param_var

if TYPE_CHECKING:
    import pandas as pd

    from detente.scenario.schema import Scenario

__all__ = [
    "PEEL_ALPHA", "PRIM_THRESHOLD", "QP_SIGNIFICANT", "Prim", "Screening", "describe_box",
    "format_value", "screen_parameters",
]

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
#: Quasi-p-value above which a restriction is not significant (Bryant and Lempert 2010).
QP_SIGNIFICANT = 0.05
#: Share of the data in each resample (EMA's default).
RESAMPLE_SHARE = 0.5
#: Base points of the one-at-a-time design that screens parameters.
SCREEN_POINTS = 16
#: Parameters a box of at most ``max_dims`` restrictions is searched among (the top by
#: EMA's extra-trees feature scores): every subset of at most ``max_dims`` of them is peeled.
CANDIDATES = 8
#: Trees of the feature scoring that picks the candidates.
N_TREES = 100
#: Threshold EMA's PRIM is built with: it keeps the whole trajectory (EMA replaces it with
#: the initial box when the last box is below its threshold) and counts y = 1 as a case.
_EMA_THRESHOLD = 1e-9
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
        Minimum density (share of cases of interest inside the box) of the chosen box.
    peel_alpha : float
        Share of the remaining data peeled per step.
    paste_alpha : float
        Share pasted back per step.
    mass_min : float
        Smallest box, as a share of all samples.
    parameters : sequence of str, optional
        Parameters to search over (default: every uncertain parameter in the results).
    max_dims : int, optional
        Most restricted parameters in the chosen box (fewer is easier to read and less
        prone to fitting noise; default: no limit).
    resamples : int
        PRIM reruns on random subsets of the data for :attr:`stability_` (0: none).
    resample_share : float
        Share of the data in each rerun.
    candidates : int
        With ``max_dims``: the parameters searched, the top ``candidates`` by EMA's
        extra-trees feature scores (all of them when there are no more); PRIM peels every
        subset of at most ``max_dims`` of them and the trajectory is the frontier of all
        those boxes (constrained PRIM, Kwakkel 2019, as EMA's ``run_constrained_prim``
        builds it). A single peel over every parameter restricts a new one at nearly
        every step, so its boxes of few restrictions are barely peeled.
    seed : int, SeedSequence or None
        Seed of the feature scoring and of the resampling.

    Attributes
    ----------
    box_ : pandas.DataFrame
        The restricted dimensions of the chosen box: index parameter; columns ``low``,
        ``high``, ``unit``, ``low_restricted``, ``high_restricted``, ``qp_low``,
        ``qp_high`` (quasi-p-values of each restricted side, NaN for a side left open),
        and with ``resamples`` ``reproduced`` (share of reruns restricting it at the same
        coverage).
    coverage_ : float
        Share of all cases of interest that fall in the box.
    density_ : float
        Share of the box's samples that are cases of interest.
    mass_ : float
        Share of all samples in the box.
    n_cases_ : int
        Cases of interest in the data.
    found_ : bool
        Whether a box of at most ``max_dims`` restrictions reached ``threshold``; if
        not, ``box_`` is empty and :attr:`reason_` says why.
    chosen_ : int or None
        Row of :attr:`trajectory_` of the chosen box.
    description_ : str
        The box in words (empty when none was found).
    reason_ : str
        Why no box was found (empty when one was).
    trajectory_ : pandas.DataFrame
        PRIM's peeling and pasting trajectory, one row per box: ``coverage``,
        ``density``, ``mass``, ``res_dim`` (restricted dimensions), ``n`` (samples in the
        box), ``k`` (cases in it), ``max_qp`` (its least significant restriction's
        quasi-p-value, NaN with none), ``eligible`` (restricting at least one and at most
        ``max_dims`` parameters, and reaching ``threshold``).
    stability_ : pandas.DataFrame
        Per parameter restricted in some rerun: ``coverage`` and ``density``, the share of
        reruns whose box nearest in coverage (in density) restricts it; empty without
        ``resamples``.
    prim_box_ : ema_workbench.analysis.prim.PrimBox or None
        EMA's box object, its trajectory and limits (None when PRIM did not run).
    candidates_ : list of str
        The parameters PRIM peeled (all those searched without ``max_dims``).
    scores_ : pandas.Series
        EMA's extra-trees feature score of each parameter searched, largest first (empty
        when the candidates were not scored: no ``max_dims``, or no more parameters than
        ``candidates``).
    x_ : pandas.DataFrame
        The inputs searched, one column per parameter that varies in the data.
    y_ : numpy.ndarray
        The outcome of interest per row (bool).
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "n_cases_", "x_", "y_", "box_", "coverage_", "density_", "mass_", "found_",
        "chosen_", "description_", "reason_", "trajectory_", "stability_", "prim_box_",
        "candidates_", "scores_")

    def __init__(self, *, threshold: float = PRIM_THRESHOLD, peel_alpha: float = PEEL_ALPHA,
                 paste_alpha: float = PASTE_ALPHA, mass_min: float = MASS_MIN,
                 parameters: Sequence[str] | None = None,
                 max_dims: int | None = None, resamples: int = 0,
                 resample_share: float = RESAMPLE_SHARE, candidates: int = CANDIDATES,
                 seed: SeedLike = 0) -> None:
        self.threshold = threshold
        self.peel_alpha = peel_alpha
        self.paste_alpha = paste_alpha
        self.mass_min = mass_min
        self.parameters = parameters
        self.max_dims = max_dims
        self.resamples = resamples
        self.resample_share = resample_share
        self.candidates = candidates
        self.seed = seed

    def fit(self, data: Results | pd.DataFrame, where: str | Any = None, *,
            policy: str | None = None, at: Any = "end", over: Sequence[Any] | None = None,
            reduce: str | None = None, units: Mapping[str, str] | None = None) -> Prim:
        """Peel, choose a box, and (with ``resamples``) measure its stability.

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

        self._check_config()
        x, y, unit_map = self._inputs(data, where, policy=policy, at=at, over=over,
                                      reduce=reduce)
        if units:
            unit_map = {**unit_map, **units}
        self.n_cases_ = int(y.sum())
        self.x_, self.y_ = x, y
        self.box_ = pd.DataFrame(
            {c: [] for c in ("low", "high", "unit", "low_restricted", "high_restricted",
                             "qp_low", "qp_high")}, index=pd.Index([], name="parameter"))
        self.coverage_, self.density_, self.mass_ = 0.0, 0.0, 0.0
        self.found_, self.description_ = False, ""
        self.chosen_: int | None = None
        self.trajectory_ = pd.DataFrame()
        self.stability_ = pd.DataFrame({"coverage": [], "density": []},
                                       index=pd.Index([], name="parameter"))
        self.prim_box_: Any = None
        self.candidates_ = list(x.columns)
        self.scores_ = pd.Series(dtype=np.float64, name="score")
        if self.n_cases_ < MIN_CASES:
            self.reason_ = (f"the condition holds in {self.n_cases_} of {y.size} samples, "
                            f"fewer than the {MIN_CASES} PRIM needs")
            return self
        if self.n_cases_ == y.size:
            self.reason_ = f"the condition holds in every one of the {y.size} samples"
            return self
        if x.shape[1] == 0:
            self.reason_ = "no parameter varies in the data"
            return self
        if self.max_dims is None:
            box = _find_box(x, y, self.peel_alpha, self.paste_alpha, self.mass_min)
        else:
            if x.shape[1] > self.candidates:
                self.scores_ = _feature_scores(x, y, self._int_seed())
                self.candidates_ = [str(n) for n in self.scores_.index[:self.candidates]]
            box = self._constrained(x[self.candidates_], y, self.max_dims)
        self.prim_box_ = box
        self.trajectory_ = self._trajectory(box)
        self._choose(box, x, unit_map)
        if self.resamples > 0 and self.found_:
            self._resample(x[self.candidates_], y)
        return self

    def _int_seed(self) -> int | None:
        if isinstance(self.seed, np.random.SeedSequence):
            return int(self.seed.generate_state(1)[0])
        return self.seed

    def _constrained(self, x: pd.DataFrame, y: np.ndarray, max_dims: int) -> Any:
        """Peel every subset of at most ``max_dims`` columns; keep the frontier of boxes."""
        import itertools

        import pandas as pd

        prim = _import_prim()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            whole = prim.Prim(x, np.asarray(y, dtype=np.int64), threshold=_EMA_THRESHOLD,
                              peel_alpha=self.peel_alpha, paste_alpha=self.paste_alpha,
                              mass_min=self.mass_min)
        init = whole.box_init
        stats: list[dict[str, Any]] = []
        lims: list[pd.DataFrame] = []
        qps: list[dict[str, list[float]]] = []
        seen: set[bytes] = set()
        cols = list(x.columns)
        for size in range(1, min(max_dims, len(cols)) + 1):
            for subset in itertools.combinations(cols, size):
                box = _find_box(x[list(subset)], y, self.peel_alpha, self.paste_alpha,
                                self.mass_min)
                traj = box.peeling_trajectory.reset_index(drop=True)
                for i in range(len(traj)):
                    lim = init.copy()
                    for c in subset:
                        lim[c] = box.box_lims[i][c]
                    key = lim.to_numpy(dtype=np.float64).tobytes()
                    if key in seen:
                        continue
                    seen.add(key)
                    stats.append(traj.iloc[i].to_dict())
                    lims.append(lim)
                    qps.append(box.qp[i])
        table = pd.DataFrame(stats)
        # boxes alike in coverage, density and restrictions differ only in noise: keep one
        table = table.drop_duplicates(["coverage", "density", "res_dim"])
        keep = _pareto(table["coverage"].to_numpy(), table["density"].to_numpy(),
                       table["res_dim"].to_numpy())
        order = table[keep].sort_values(["res_dim", "coverage"], ascending=[True, False]).index
        out = prim.PrimBox(whole, init, whole.yi_remaining[:])
        out.peeling_trajectory = table.loc[order].reset_index(drop=True)
        out.peeling_trajectory["id"] = out.peeling_trajectory.index
        out.box_lims = [lims[i] for i in order]
        out.qp = [qps[i] for i in order]
        return out

    # ------------------------------------------------------------------ steps
    def _check_config(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise InputError(f"threshold must be a density in (0, 1], found {self.threshold}")
        if self.max_dims is not None and self.max_dims < 1:
            raise InputError(f"max_dims must be at least 1, found {self.max_dims}")
        if self.resamples < 0:
            raise InputError(f"resamples must be 0 or more, found {self.resamples}")
        if self.candidates < 1:
            raise InputError(f"candidates must be at least 1, found {self.candidates}")
        if not 0.0 < self.resample_share < 1.0:
            raise InputError(f"resample_share must lie in (0, 1), found "
                             f"{self.resample_share}")

    def _trajectory(self, box: Any) -> pd.DataFrame:
        traj = box.peeling_trajectory.reset_index(drop=True)[
            ["coverage", "density", "mass", "res_dim", "n", "k"]].copy()
        traj["res_dim"] = traj["res_dim"].astype(int)
        traj["max_qp"] = [max((v for pair in qp.values() for v in pair if v >= 0),
                              default=np.nan) for qp in box.qp]
        ok = (traj["density"] >= self.threshold) & (traj["res_dim"] >= 1)
        if self.max_dims is not None:
            ok &= traj["res_dim"] <= self.max_dims
        traj["eligible"] = ok
        return traj

    def _choose(self, box: Any, x: pd.DataFrame, unit_map: Mapping[str, str]) -> None:
        import pandas as pd

        traj = self.trajectory_
        base = float(self.n_cases_ / len(x))
        if base >= self.threshold:
            self.reason_ = (f"the condition holds in {base:.0%} of all samples, already at "
                            f"least the density asked ({self.threshold:.0%}): any box "
                            "reaches it; ask for a threshold above that share")
            return
        ok = traj.index[traj["eligible"]]
        if len(ok) == 0:
            self.reason_ = self._why_not(traj)
            return
        best = int(traj.loc[ok].sort_values(["coverage", "res_dim", "density"],
                                            ascending=[False, True, False]).index[0])
        lims, qps = box.box_lims[best], box.qp[best]
        rows = {}
        for name in lims.columns:
            lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
            dmin, dmax = float(x[name].min()), float(x[name].max())
            tol = LIMIT_RTOL * max(1.0, abs(dmax - dmin))
            lo_r, hi_r = lo > dmin + tol, hi < dmax - tol
            if lo_r or hi_r:
                qlo, qhi = qps.get(name, [-1.0, -1.0])
                rows[name] = {"low": lo, "high": hi, "unit": unit_map.get(name, ""),
                              "low_restricted": lo_r, "high_restricted": hi_r,
                              "qp_low": float(qlo) if lo_r and qlo >= 0 else np.nan,
                              "qp_high": float(qhi) if hi_r and qhi >= 0 else np.nan}
        if not rows:
            self.reason_ = "the densest eligible box restricts no parameter"
            return
        self.box_ = pd.DataFrame.from_dict(rows, orient="index")
        self.box_.index.name = "parameter"
        self.chosen_ = best
        self.coverage_ = float(traj.loc[best, "coverage"])
        self.density_ = float(traj.loc[best, "density"])
        self.mass_ = float(traj.loc[best, "mass"])
        self.found_ = True
        self.description_ = describe_box(self.box_)
        self.reason_ = ""

    def _why_not(self, traj: pd.DataFrame) -> str:
        within = traj if self.max_dims is None else traj[traj["res_dim"] <= self.max_dims]
        dims = "" if self.max_dims is None else f" of at most {self.max_dims} parameters"
        if within.empty:
            return f"PRIM's trajectory holds no box{dims}"
        top = within.loc[within["density"].idxmax()]
        return (f"no box{dims} reaches density {self.threshold:.0%}: the densest reaches "
                f"{top['density']:.0%} (coverage {top['coverage']:.0%}, "
                f"{int(top['res_dim'])} restricted; the cases' share of all samples is "
                f"{float(traj['density'].iloc[0]):.0%}). The condition is spread over the "
                "parameters rather than concentrated in a box; try a lower --threshold, "
                "more --max-dims, or a condition that is rarer")

    def _resample(self, x: pd.DataFrame, y: np.ndarray) -> None:
        import pandas as pd

        # EMA's PrimBox.resample, with the subsets drawn from a seeded generator (EMA
        # draws them from NumPy's global one, so its scores are not reproducible)
        rng = np.random.default_rng(self.seed)
        n = len(x)
        size = int(n * self.resample_share)
        counts = {"coverage": dict.fromkeys(x.columns, 0.0),
                  "density": dict.fromkeys(x.columns, 0.0)}
        for _ in range(self.resamples):
            idx = np.sort(rng.choice(n, size=size, replace=False))
            ys = y[idx]
            if ys.all() or not ys.any():
                continue
            box = _find_box(x.iloc[idx].reset_index(drop=True), ys, self.peel_alpha,
                            self.paste_alpha, self.mass_min)
            traj = box.peeling_trajectory
            for what, value in (("coverage", self.coverage_), ("density", self.density_)):
                at = int((traj[what] - value).abs().to_numpy().argmin())
                for name in box.qp[at]:
                    counts[what][name] += 1.0 / self.resamples
        df = pd.DataFrame(counts)
        df.index.name = "parameter"
        df = df[(df["coverage"] > 0) | (df["density"] > 0) | df.index.isin(self.box_.index)]
        self.stability_ = df.sort_values(["coverage", "density"], ascending=False)
        self.box_["reproduced"] = [float(df["coverage"].get(p, 0.0)) for p in self.box_.index]

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


def _pareto(coverage: np.ndarray, density: np.ndarray, res_dim: np.ndarray) -> np.ndarray:
    """Boxes no other box beats on coverage and density with as few restrictions."""
    # other[j] against this[i]: rows i, columns j
    c, d, r = (np.asarray(a, dtype=np.float64) for a in (coverage, density, res_dim))
    this_c, this_d, this_r = c[:, None], d[:, None], r[:, None]
    other_c, other_d, other_r = c[None, :], d[None, :], r[None, :]
    no_worse = (other_c >= this_c) & (other_d >= this_d) & (other_r <= this_r)
    better = (other_c > this_c) | (other_d > this_d) | (other_r < this_r)
    return np.asarray(~np.any(no_worse & better, axis=1), dtype=bool)


def _feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int | None) -> pd.Series:
    """EMA's extra-trees feature scores of ``x`` for the outcome ``y``, largest first."""
    import pandas as pd

    _import_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring

        scores, _ = feature_scoring.get_ex_feature_scores(
            x, np.asarray(y, dtype=np.int64), nr_trees=N_TREES, random_state=seed)
    series = pd.Series(scores.iloc[:, 0].to_numpy(dtype=np.float64),
                       index=[str(i) for i in scores.index], name="score")
    series.index.name = "parameter"
    return series


def _find_box(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, paste_alpha: float,
              mass_min: float) -> Any:
    """Run EMA's PRIM once and return its first box (the whole trajectory)."""
    prim = _import_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algo = prim.Prim(x, np.asarray(y, dtype=np.int64), threshold=_EMA_THRESHOLD,
                         peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
        return algo.find_box()


# --------------------------------------------------------------------------- screening
@dataclass(frozen=True)
class Screening:
    """Which parameters can move an outcome under a policy, from a one-at-a-time design.

    Attributes
    ----------
    kept : list of str
        Parameters whose move changed some recorded output (or that the condition names).
    dropped : list of str
        Parameters whose every move left every recorded output unchanged, bit for bit.
    policy : str
        The policy screened.
    n_points : int
        Base points of the design (each parameter moved once from each).
    runs : int
        Model runs of the design.
    """

    kept: list[str]
    dropped: list[str]
    policy: str
    n_points: int
    runs: int


def screen_parameters(scenario: Scenario | str, where: str, *, policy: str | None = None,
                      horizon: int | None = None, parameters: Sequence[str] | None = None,
                      n_points: int = SCREEN_POINTS, seed: SeedLike = 0) -> Screening:
    """Keep the parameters that can move the outputs a condition reads under a policy.

    From each of ``n_points`` random base points (quantiles of every parameter), every
    parameter is moved alone by half its quantile range (wrapping around), in one noise
    group per base point, so a difference comes from the parameter and not from chance.
    A parameter is dropped when no move changes any recorded variable or event the
    condition reads, at any step, in any group: under this policy it cannot matter (a
    lever of another policy, a parameter of a mechanism this policy never triggers). A
    parameter the condition names is always kept.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario (or a built-in name / file path).
    where : str
        The condition (or any expression) whose inputs to screen for.
    policy : str, optional
        The policy (default: the scenario's first).
    horizon : int, optional
        Steps to simulate.
    parameters : sequence of str, optional
        Candidates (default: every uncertain parameter).
    n_points : int
        Base points; ``n_points (D + 1)`` model runs for ``D`` candidates.
    seed : int, SeedSequence or None
        Seed of the base points and of the model's noise.

    Returns
    -------
    Screening
    """
    sc = as_scenario(scenario)
    names = list(parameters) if parameters else list(sc.uncertain)
    check_names(names, list(sc.uncertain), "uncertain parameter")
    if n_points < 1:
        raise InputError(f"n_points must be at least 1, found {n_points}")
    pol = policy or next(iter(sc.policies))
    if pol not in sc.policies:
        check_names([pol], list(sc.policies), "policy")
    expr = scenario_expr(sc, where)
    d = len(names)
    group = d + 1
    rng = np.random.default_rng(seed)
    base = rng.random((n_points, d))
    u = np.repeat(base, group, axis=0)
    for j in range(d):  # row j + 1 of each group moves parameter j alone
        rows = np.arange(n_points) * group + j + 1
        u[rows, j] = (u[rows, j] + 0.5) % 1.0
    design = unit_to_file_units(sc, names, u)
    res = run_design(sc, design, group=group, seed=seed, policies=[pol], horizon=horizon,
                     record=record_for(sc, [expr]))
    moved = np.zeros(d, dtype=bool)
    for var in res.ds.data_vars:
        if str(var).startswith("param_"):
            continue
        arr = res.ds[var]
        if "sample" not in arr.dims:
            continue
        a = np.moveaxis(np.asarray(arr.values, dtype=np.float64), arr.dims.index("sample"), 0)
        a = a.reshape(n_points, group, -1)
        ref, var_rows = a[:, :1, :], a[:, 1:, :]
        same = (var_rows == ref) | (np.isnan(var_rows) & np.isnan(ref))
        moved |= ~same.all(axis=(0, 2))
    named = set(expr.names)
    kept = [n for j, n in enumerate(names) if moved[j] or n in named]
    dropped = [n for n in names if n not in kept]
    return Screening(kept, dropped, pol, n_points, int(u.shape[0]))


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
