"""Global sensitivity analysis: Sobol and Morris indices of any output, via SALib.

Both analyses sample the uncertain parameters in the unit hypercube and map each column
through the parameter's own quantile function, so non-uniform distributions (PERT,
log-normal, ...) are honoured; the indices are therefore with respect to the scenario's
distributions. Model runs in one Saltelli group (a base row and its ``D + 1`` variants) or
one Morris trajectory share the same random shocks and chance-event draws (common random
numbers), so the model's own noise is not attributed to the parameters.

Examples
--------
>>> import detente as dt
>>> si = dt.Sobol(n_base=64, seed=1).fit("lanchester-bench", output="blue.personnel",
...                                      at="end")          # doctest: +SKIP
>>> si.indices_.sort_values("ST", ascending=False).head()    # doctest: +SKIP

A plain function of named inputs (for checks against known answers):

>>> import numpy as np
>>> ishigami = FunctionModel(
...     lambda x: np.sin(x["x1"]) + 7 * np.sin(x["x2"]) ** 2
...     + 0.1 * x["x3"] ** 4 * np.sin(x["x1"]),
...     bounds={"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi), "x3": (-np.pi, np.pi)})
>>> si = Sobol(n_base=1024, seed=0).fit(ishigami)            # doctest: +SKIP
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from detente._optional import import_optional
from detente._typing import FloatArray, SeedLike
from detente.analysis._base import Estimator, as_scenario, check_names
from detente.analysis._design import run_design, unit_to_file_units
from detente.analysis._outputs import OutputReader, record_for, scenario_expr
from detente.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = ["CONF_LEVEL", "FunctionModel", "Morris", "Sobol", "sensitivity_output"]

#: Confidence level of bootstrap intervals on the indices.
CONF_LEVEL = 0.9
#: Bootstrap resamples for the intervals.
N_BOOTSTRAP = 100
#: Morris grid levels.
MORRIS_LEVELS = 4

OutputFn = Callable[["Results"], FloatArray]


@dataclass(frozen=True)
class FunctionModel:
    """A vectorised function of named, uniformly distributed inputs.

    Parameters
    ----------
    func : callable
        ``func(x)`` with ``x`` a mapping name -> array of shape ``(n,)``; returns ``(n,)``.
    bounds : mapping of str to (low, high)
        Each input's uniform range, in order.
    """

    func: Callable[[Mapping[str, FloatArray]], FloatArray]
    bounds: Mapping[str, tuple[float, float]]

    @property
    def names(self) -> list[str]:
        """Input names, in order."""
        return list(self.bounds)

    def evaluate(self, u: FloatArray) -> FloatArray:
        """Values at unit-hypercube points ``u`` (shape ``(n, D)``)."""
        x = {name: lo + (hi - lo) * u[:, j]
             for j, (name, (lo, hi)) in enumerate(self.bounds.items())}
        return np.asarray(self.func(x), dtype=np.float64)


def sensitivity_output(
    output: str, *, policy: str | None = None, at: Any = "end",
    over: Sequence[Any] | None = None, reduce: str | None = None,
) -> OutputFn:
    """Turn an output expression into a function ``Results -> (sample,)``.

    Parameters
    ----------
    output : str
        An expression over outputs, parameters and events (see
        :mod:`detente.scenario.expr`), e.g. ``"blue.personnel / red.personnel"``.
    policy : str, optional
        Policy to read (default: the first the results hold).
    at : date, "start" or "end"
        Time point (ignored when ``over`` is given).
    over : (from, to), optional
        A window, reduced with ``reduce``.
    reduce : str, optional
        ``mean``, ``min``, ``max``, ``sum``, ``integral``, ``first``, ``last``, ``any``,
        ``all``.
    """

    def fn(res: Results) -> FloatArray:
        reader = OutputReader(res)
        expr = reader.compile(output)
        pol = policy or reader.policies[0]
        if over is not None:
            return reader.reading(expr, pol, over=over, reduce=reduce or "mean")
        return reader.reading(expr, pol, at=at)

    fn.__name__ = f"output({output})"
    return fn


class _GlobalSA(Estimator, ABC):
    """Sampling, running and reading shared by Sobol and Morris."""

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "names_", "u_", "x_", "y_", "results_", "indices_")

    seed: SeedLike
    parameters: Sequence[str] | None

    names_: list[str]
    u_: FloatArray
    x_: FloatArray
    y_: FloatArray
    results_: Results | None
    indices_: pd.DataFrame

    def _quantiles(self, u: FloatArray) -> FloatArray:
        """Quantiles at which a scenario's parameters are read for design points ``u``."""
        return u

    def _int_seed(self) -> int | None:
        """Return the seed as SALib's samplers take it (an int or None)."""
        if isinstance(self.seed, np.random.SeedSequence):
            return int(self.seed.generate_state(1)[0])
        return self.seed

    @abstractmethod
    def _sample(self, d: int) -> FloatArray:
        """Return design points in the unit hypercube, one row per run."""

    @abstractmethod
    def _group(self, d: int) -> int:
        """Return the rows per group of runs that share their random shocks."""

    @abstractmethod
    def _analyse(self, y: FloatArray) -> pd.DataFrame:
        """Compute the indices from the outputs ``y`` of the design."""

    def _problem(self, names: Sequence[str], bounds: Sequence[tuple[float, float]] | None = None,
                 ) -> dict[str, Any]:
        b = [list(x) for x in bounds] if bounds is not None else [[0.0, 1.0]] * len(names)
        return {"num_vars": len(names), "names": list(names), "bounds": b}

    def _run(self, model: Any, output: str | OutputFn | None, *, policy: str | None,
             policies: Sequence[str] | None, horizon: int | None, at: Any,
             over: Sequence[Any] | None, reduce: str | None,
             record: Sequence[str] | None,
             progress: Callable[[int, int], None] | None) -> None:
        import_optional("SALib", extra="analysis", purpose="Sensitivity analysis")
        if isinstance(model, FunctionModel):
            self.names_ = model.names
            self._bounds: list[tuple[float, float]] | None = [model.bounds[n]
                                                              for n in self.names_]
            self.u_ = self._sample(len(self.names_))
            lo = np.array([b[0] for b in self._bounds])
            hi = np.array([b[1] for b in self._bounds])
            self.x_ = lo + (hi - lo) * self.u_
            self.y_ = model.evaluate(self.u_)
            self.results_ = None
        else:
            self._bounds = None
            scenario = as_scenario(model)
            self.y_, self.results_ = self._run_scenario(
                scenario, output, policy=policy, policies=policies, horizon=horizon, at=at,
                over=over, reduce=reduce, record=record, progress=progress)
            self.x_ = self.u_
        self.indices_ = self._analyse(self.y_)

    def _run_scenario(self, scenario: Scenario, output: str | OutputFn | None, *,
                      policy: str | None, policies: Sequence[str] | None,
                      horizon: int | None, at: Any, over: Sequence[Any] | None,
                      reduce: str | None, record: Sequence[str] | None,
                      progress: Callable[[int, int], None] | None,
                      ) -> tuple[FloatArray, Results]:
        if output is None:
            raise InputError("a scenario needs an output: an expression such as "
                             "'blue.personnel' or a function of the results")
        names = list(self.parameters) if self.parameters else list(scenario.uncertain)
        check_names(names, list(scenario.uncertain), "uncertain parameter")
        if not names:
            raise InputError(f"scenario '{scenario.name}' has no uncertain parameters")
        self.names_ = names
        self.u_ = self._sample(len(names))
        design = unit_to_file_units(scenario, names, self._quantiles(self.u_))
        if isinstance(output, str):
            expr = scenario_expr(scenario, output)
            rec = record or record_for(scenario, [expr])
            pols = [policy] if policy else [next(iter(scenario.policies))]
            fn = sensitivity_output(output, policy=pols[0], at=at, over=over, reduce=reduce)
        else:
            rec = list(record) if record else record_for(scenario, [], defaults=True)
            pols = list(policies) if policies else [policy or next(iter(scenario.policies))]
            fn = output
        res = run_design(scenario, design, group=self._group(len(names)), seed=self.seed,
                         policies=pols, horizon=horizon, record=rec, progress=progress)
        y = np.asarray(fn(res), dtype=np.float64)
        return y, res

    @property
    def ranking_(self) -> list[str]:
        """Parameters from the most to the least influential."""
        key = "ST" if "ST" in self.indices_.columns else "mu_star"
        return [str(n) for n in self.indices_.sort_values(key, ascending=False).index]


class Sobol(_GlobalSA):
    """First- and total-order Sobol indices (Saltelli sampling, SALib's estimator).

    Parameters
    ----------
    n_base : int
        Base sample size ``N`` (a power of two); the model runs ``N (D + 2)`` times for
        ``D`` parameters (``N (2 D + 2)`` with ``second_order``).
    second_order : bool
        Also estimate second-order indices (``indices2_``).
    n_bootstrap : int
        Bootstrap resamples for the confidence intervals.
    conf_level : float
        Confidence level of the intervals.
    seed : int, SeedSequence or None
        Seed of the design scrambling and of the model's noise.
    parameters : sequence of str, optional
        Parameters to vary (default: every uncertain parameter of the scenario).

    Attributes
    ----------
    indices_ : pandas.DataFrame
        Index: parameter; columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    indices2_ : pandas.DataFrame or None
        Second-order indices ``S2`` (parameter × parameter), with ``second_order``.
    ranking_ : list of str
        Parameters from the most to the least influential (by ``ST``).
    names_ : list of str
        The parameters varied, in design column order.
    u_ : ndarray
        The design in the unit hypercube, one row per model run.
    x_ : ndarray
        The design in the inputs' units for a :class:`FunctionModel`; for a scenario the
        quantiles at which each parameter was read (as ``u_``).
    y_ : ndarray
        The output per design row.
    results_ : Results or None
        The design's model runs (None for a :class:`FunctionModel`).
    constant_ : bool
        True when the output did not vary (all indices are then 0).
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        *_GlobalSA.fitted_attributes, "indices2_", "constant_")

    def __init__(self, *, n_base: int = 256, second_order: bool = False,
                 n_bootstrap: int = N_BOOTSTRAP, conf_level: float = CONF_LEVEL,
                 seed: SeedLike = 0, parameters: Sequence[str] | None = None) -> None:
        self.n_base = n_base
        self.second_order = second_order
        self.n_bootstrap = n_bootstrap
        self.conf_level = conf_level
        self.seed = seed
        self.parameters = parameters

    def _group(self, d: int) -> int:
        return 2 * d + 2 if self.second_order else d + 2

    def _sample(self, d: int) -> FloatArray:
        from SALib.sample import sobol as sobol_sample

        if self.n_base <= 0:
            raise InputError(f"n_base must be a positive integer, found {self.n_base}")
        if self.n_base & (self.n_base - 1):
            raise InputError(f"n_base must be a power of two (Sobol' sequences), found "
                             f"{self.n_base}; try {2 ** math.ceil(math.log2(self.n_base))}")
        problem = self._problem([f"x{j}" for j in range(d)])
        return np.asarray(sobol_sample.sample(problem, self.n_base,
                                              calc_second_order=self.second_order,
                                              scramble=True, seed=self._int_seed()),
                          dtype=np.float64)

    def _analyse(self, y: FloatArray) -> pd.DataFrame:
        import pandas as pd
        from SALib.analyze import sobol as sobol_analyze

        names = self.names_
        self.constant_ = bool(np.nanstd(y) == 0.0)
        bad = ~np.isfinite(y)
        if bad.any():
            raise InputError(f"the output is not finite in {int(bad.sum())} of {y.size} "
                             "model runs (NaN or infinite); choose an output defined in "
                             "every sample (e.g. guard a division)")
        if self.constant_:
            zeros = np.zeros(len(names))
            self.indices2_ = None
            return pd.DataFrame({"S1": zeros, "S1_conf": zeros, "ST": zeros,
                                 "ST_conf": zeros}, index=pd.Index(names, name="parameter"))
        problem = self._problem(names)
        with warnings.catch_warnings():
            # SALib warns when some bootstrap subsets are constant (common for 0/1 outputs)
            warnings.simplefilter("ignore", UserWarning)
            # a Generator, not the int: SALib reads ``seed=0`` as "unseeded" and would
            # draw the bootstrap from the global RNG (a Generator from a non-zero int is
            # what SALib builds from that int itself, so those results do not change)
            si = sobol_analyze.analyze(problem, y, calc_second_order=self.second_order,
                                       num_resamples=self.n_bootstrap,
                                       conf_level=self.conf_level,
                                       seed=np.random.default_rng(self._int_seed()))
        df = pd.DataFrame({k: np.asarray(si[k], dtype=np.float64)
                           for k in ("S1", "S1_conf", "ST", "ST_conf")},
                          index=pd.Index(names, name="parameter"))
        self.indices2_ = (pd.DataFrame(np.asarray(si["S2"]), index=names, columns=names)
                          if self.second_order else None)
        return df

    def fit(self, model: Scenario | str | FunctionModel,
            output: str | OutputFn | None = None, *, policy: str | None = None,
            policies: Sequence[str] | None = None, horizon: int | None = None,
            at: Any = "end", over: Sequence[Any] | None = None, reduce: str | None = None,
            record: Sequence[str] | None = None,
            progress: Callable[[int, int], None] | None = None) -> Sobol:
        """Sample, run the model and estimate the indices.

        Parameters
        ----------
        model : Scenario, str or FunctionModel
            A scenario (or a built-in name / file path), or a function of named inputs.
        output : str or callable, optional
            For a scenario: an expression over outputs (see
            :func:`sensitivity_output`), or a function ``Results -> (rows,)``.
        policy : str, optional
            Policy whose output to read (default: the scenario's first).
        policies : sequence of str, optional
            Policies to run when ``output`` is a function (default: ``[policy]``).
        horizon : int, optional
            Steps to simulate.
        at, over, reduce
            When to read an expression output (see :func:`sensitivity_output`).
        record : sequence of str, optional
            Variables to record (default: those the output needs).
        progress : callable, optional
            ``progress(rows_done, rows_total)``.

        Returns
        -------
        Sobol
            ``self``, fitted.
        """
        self._run(model, output, policy=policy, policies=policies, horizon=horizon, at=at,
                  over=over, reduce=reduce, record=record, progress=progress)
        return self


class Morris(_GlobalSA):
    """Morris elementary effects (screening), via SALib.

    For a scenario the effects are per unit of quantile: moving a parameter from its 0th
    to its 100th percentile. For a :class:`FunctionModel` they are in the inputs' units.

    Parameters
    ----------
    n_trajectories : int
        Number of trajectories ``r``; the model runs ``r (D + 1)`` times.
    num_levels : int
        Grid levels.
    n_bootstrap : int
        Bootstrap resamples for ``mu_star_conf``.
    conf_level : float
        Confidence level.
    seed : int, SeedSequence or None
        Seed of the trajectories and of the model's noise.
    parameters : sequence of str, optional
        Parameters to vary (default: every uncertain parameter).

    Attributes
    ----------
    indices_ : pandas.DataFrame
        Index: parameter; columns ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``.
    ranking_ : list of str
        Parameters from the most to the least influential (by ``mu_star``).
    names_ : list of str
        The parameters varied, in design column order.
    u_ : ndarray
        The trajectories' grid points in the unit hypercube, one row per model run.
    x_ : ndarray
        The same in the inputs' units for a :class:`FunctionModel` (for a scenario, as
        ``u_``).
    y_ : ndarray
        The output per model run.
    results_ : Results or None
        The model runs (None for a :class:`FunctionModel`).
    """

    def __init__(self, *, n_trajectories: int = 20, num_levels: int = MORRIS_LEVELS,
                 n_bootstrap: int = N_BOOTSTRAP, conf_level: float = CONF_LEVEL,
                 seed: SeedLike = 0, parameters: Sequence[str] | None = None) -> None:
        self.n_trajectories = n_trajectories
        self.num_levels = num_levels
        self.n_bootstrap = n_bootstrap
        self.conf_level = conf_level
        self.seed = seed
        self.parameters = parameters

    def _group(self, d: int) -> int:
        return d + 1

    def _quantiles(self, u: FloatArray) -> FloatArray:
        # grid levels 0..1 become the mid-quantiles 1/(2L) .. (2L-1)/(2L), so unbounded
        # distributions stay finite and every level has equal probability mass
        levels = self.num_levels
        return np.asarray((u * (levels - 1) + 0.5) / levels, dtype=np.float64)

    def _sample(self, d: int) -> FloatArray:
        from SALib.sample import morris as morris_sample

        if self.n_trajectories <= 1:
            raise InputError(f"n_trajectories must be at least 2, found {self.n_trajectories}")
        problem = self._problem([f"x{j}" for j in range(d)])
        return np.asarray(morris_sample.sample(problem, self.n_trajectories,
                                               num_levels=self.num_levels,
                                               seed=self._int_seed()), dtype=np.float64)

    def _analyse(self, y: FloatArray) -> pd.DataFrame:
        import pandas as pd
        from SALib.analyze import morris as morris_analyze

        names = self.names_
        if not np.all(np.isfinite(y)):
            raise InputError("the output is not finite in some model runs; choose an output "
                             "defined in every sample")
        problem = self._problem(names, self._bounds)
        x = self.u_ if self._bounds is None else (
            np.array([b[0] for b in self._bounds])
            + (np.array([b[1] for b in self._bounds])
               - np.array([b[0] for b in self._bounds])) * self.u_)
        si = morris_analyze.analyze(problem, x, y, num_resamples=self.n_bootstrap,
                                    conf_level=self.conf_level, num_levels=self.num_levels,
                                    seed=self._int_seed())
        return pd.DataFrame({k: np.asarray(si[k], dtype=np.float64)
                             for k in ("mu", "mu_star", "sigma", "mu_star_conf")},
                            index=pd.Index(names, name="parameter"))

    def fit(self, model: Scenario | str | FunctionModel,
            output: str | OutputFn | None = None, *, policy: str | None = None,
            policies: Sequence[str] | None = None, horizon: int | None = None,
            at: Any = "end", over: Sequence[Any] | None = None, reduce: str | None = None,
            record: Sequence[str] | None = None,
            progress: Callable[[int, int], None] | None = None) -> Morris:
        """Sample trajectories, run the model and compute elementary effects.

        Parameters are as for :meth:`Sobol.fit`.

        Returns
        -------
        Morris
            ``self``, fitted.
        """
        self._run(model, output, policy=policy, policies=policies, horizon=horizon, at=at,
                  over=over, reduce=reduce, record=record, progress=progress)
        return self


SensitivityMethod = Literal["sobol", "morris"]
