"""Global sensitivity analysis: Sobol and Morris indices of any output, via SALib.

Both analyses sample the uncertain parameters in the unit hypercube and map each column
through the parameter's own quantile function, so non-uniform distributions (PERT,
log-normal, ...) are honoured; the indices are therefore with respect to the scenario's
distributions. Model runs in one Saltelli group (a base row and its ``D + 1`` variants) or
one Morris trajectory share the same random shocks and chance-event draws (common random
numbers), so the model's own noise is not attributed to the parameters.

Every result checks itself. Each index carries a bootstrap interval (SALib's, at
:data:`CONF_LEVEL`), and :attr:`Sobol.convergence_` / :attr:`Morris.convergence_` say
whether it can be read as a finding: whether the intervals of the top ranks overlap (their
order is then not resolved) and whether an index leaves [0, 1] beyond its error (the
estimator has not converged). :class:`Sobol` can grow its design until the widest interval
among the top ranks is below a target (``target_ci``): each step doubles the base of the
scrambled Sobol' sequence, whose first ``N`` points are the design of base ``N``, and runs
only the new rows (the design runs in chunks of a power-of-two number of groups, each with
noise keyed by its index, so a grown design is the design of its final base, run by run).

Examples
--------
>>> import detente as dt
>>> si = dt.Sobol(n_base=64, seed=1).fit("lanchester-bench", output="blue.personnel",
...                                      at="end")          # doctest: +SKIP
>>> si.indices_.sort_values("ST", ascending=False).head()    # doctest: +SKIP
>>> print(si.convergence_.summary())                         # doctest: +SKIP

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

__all__ = [
    "CONF_LEVEL", "MAX_BASE", "TOP_K", "Agreement", "Convergence", "DesignChunk",
    "FunctionModel", "Morris", "Sobol", "agreement", "concat_results", "design_chunks",
    "morris_convergence", "rank_ranges", "run_chunk", "sensitivity_output",
    "sobol_convergence",
]

#: Confidence level of bootstrap intervals on the indices.
CONF_LEVEL = 0.9
#: Bootstrap resamples for the intervals.
N_BOOTSTRAP = 100
#: Morris grid levels.
MORRIS_LEVELS = 4
#: Top ranks whose intervals the convergence verdict checks (and ``target_ci`` measures).
TOP_K = 3
#: Largest Sobol base a design grows to by default when it aims at ``target_ci``.
MAX_BASE = 1024
#: Spawn-key element of the noise of a Sobol design's chunks (apart from other streams).
CHUNK_KEY = 0x50B0

OutputFn = Callable[["Results"], FloatArray]


# --------------------------------------------------------------------------- verdicts
def rank_ranges(values: FloatArray, conf: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Best and worst rank each index could hold given its interval (1 = largest).

    Parameters
    ----------
    values, conf : ndarray
        Point estimates and the half-widths of their intervals.

    Returns
    -------
    (ndarray, ndarray)
        ``best[i]`` is one plus the number of indices whose interval lies wholly above
        that of ``i``; ``worst[i]`` is the number whose interval reaches ``i``'s or above.
    """
    v = np.asarray(values, dtype=np.float64)
    c = np.abs(np.asarray(conf, dtype=np.float64))
    lo, hi = v - c, v + c
    best = 1 + (lo[None, :] > hi[:, None]).sum(axis=1)
    worst = (hi[None, :] >= lo[:, None]).sum(axis=1)
    return best.astype(np.float64), worst.astype(np.float64)


@dataclass(frozen=True)
class Convergence:
    """Whether a sensitivity result can be read as a finding, and why not.

    Attributes
    ----------
    index : str
        The index the ranking is by (``"ST"`` or ``"mu_star"``).
    top : tuple of str
        The ``top_k`` parameters by that index, largest first.
    overlaps : tuple of (int, str, str)
        Adjacent ranks among the top ``top_k + 1`` whose intervals overlap: the upper
        rank (1-based) and the two parameters. The last pair (rank ``top_k`` against the
        next) says whether the top set is separated from the rest.
    out_of_range : tuple of str
        Indices outside [0, 1] beyond their error, in words (``"ST of x = 1.67 ± 0.30"``).
    widest : float
        Widest half-width of the intervals of the top ``top_k`` (in the index's units).
    target : float or None
        The half-width aimed at, if any.
    n_runs : int
        Model runs behind the result.
    constant : bool
        The output did not vary: there is nothing to apportion.
    """

    index: str
    top: tuple[str, ...]
    overlaps: tuple[tuple[int, str, str], ...]
    out_of_range: tuple[str, ...]
    widest: float
    target: float | None
    n_runs: int
    constant: bool = False

    @property
    def resolved(self) -> bool:
        """Whether the order of the top ranks is resolved (no overlapping intervals)."""
        return not self.overlaps

    @property
    def precise(self) -> bool:
        """Whether the top ranks' widest interval meets the target (True without one)."""
        return self.target is None or self.widest <= self.target

    @property
    def converged(self) -> bool:
        """Whether the result can be read as a finding: resolved, in range, precise."""
        return self.constant or (self.resolved and not self.out_of_range and self.precise)

    @property
    def problems(self) -> list[str]:
        """What keeps the result from being a finding, in words (empty when converged)."""
        if self.constant:
            return []
        out = [f"{t} lies outside [0, 1] beyond its error: the estimator has not "
               "converged" for t in self.out_of_range]
        k = len(self.top)
        for rank, a, b in self.overlaps:
            if rank < k:
                out.append(f"the intervals of ranks {rank} and {rank + 1} ({a}, {b}) "
                           "overlap: their order is not resolved")
            else:
                out.append(f"the interval of rank {rank} ({a}) overlaps that of rank "
                           f"{rank + 1} ({b}): the top {k} is not separated from the rest")
        if not self.precise:
            out.append(f"the widest interval among the top {k} is ±{self.widest:.3g}, "
                       f"above the target ±{self.target:.3g}")
        return out

    def summary(self) -> str:
        """Return the verdict in one paragraph."""
        if self.constant:
            return "the output does not vary: every index is 0, nothing to apportion"
        head = ", ".join(self.top)
        if self.converged:
            return (f"converged: the top {len(self.top)} ({head}) are resolved, every index "
                    f"lies in [0, 1] within its error, the widest interval among them is "
                    f"±{self.widest:.3g} ({self.n_runs:,} model runs)")
        return (f"not converged ({self.n_runs:,} model runs; read the ranking as "
                "provisional): " + "; ".join(self.problems))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {"converged": self.converged, "resolved": self.resolved, "index": self.index,
                "top": list(self.top), "widest": self.widest, "target": self.target,
                "n_runs": self.n_runs, "constant": self.constant,
                "out_of_range": list(self.out_of_range),
                "overlaps": [{"rank": r, "parameters": [a, b]} for r, a, b in self.overlaps],
                "problems": self.problems, "summary": self.summary()}


def _convergence(indices: pd.DataFrame, key: str, conf: str, *, top_k: int,
                 target: float | None, n_runs: int, bounded: Sequence[str],
                 constant: bool) -> Convergence:
    df = indices.sort_values(key, ascending=False)
    names = [str(n) for n in df.index]
    v = df[key].to_numpy(dtype=np.float64)
    c = np.abs(df[conf].to_numpy(dtype=np.float64))
    k = min(top_k, len(names))
    overlaps = tuple((i + 1, names[i], names[i + 1]) for i in range(min(k, len(names) - 1))
                     if v[i] - c[i] <= v[i + 1] + c[i + 1])
    out: list[str] = []
    for col in bounded:
        ccol = f"{col}_conf"
        for name, row in indices.iterrows():
            val, err = float(row[col]), abs(float(row[ccol]))
            if val - err > 1.0 or val + err < 0.0:
                out.append(f"{col} of {name} = {val:.3g} ± {err:.3g}")
    widest = float(c[:k].max()) if k else 0.0
    return Convergence(index=key, top=tuple(names[:k]), overlaps=() if constant else overlaps,
                       out_of_range=() if constant else tuple(out), widest=widest,
                       target=target, n_runs=n_runs, constant=constant)


def sobol_convergence(indices: pd.DataFrame, *, top_k: int = TOP_K,
                      target: float | None = None, n_runs: int = 0,
                      constant: bool = False) -> Convergence:
    """Judge whether Sobol indices have converged.

    Parameters
    ----------
    indices : pandas.DataFrame
        As :attr:`Sobol.indices_` (``S1``, ``S1_conf``, ``ST``, ``ST_conf``).
    top_k : int
        Top ranks (by ``ST``) whose intervals must not overlap.
    target : float, optional
        Largest acceptable half-width of the top ranks' ``ST`` intervals.
    n_runs : int
        Model runs behind the indices (for the summary).
    constant : bool
        The output did not vary.

    Returns
    -------
    Convergence
    """
    return _convergence(indices, "ST", "ST_conf", top_k=top_k, target=target,
                        n_runs=n_runs, bounded=("S1", "ST"), constant=constant)


def morris_convergence(indices: pd.DataFrame, *, top_k: int = TOP_K,
                       n_runs: int = 0) -> Convergence:
    """Judge whether Morris elementary effects have converged (by ``mu_star``).

    Parameters
    ----------
    indices : pandas.DataFrame
        As :attr:`Morris.indices_` (``mu_star``, ``mu_star_conf``, ...).
    top_k : int
        Top ranks whose intervals must not overlap.
    n_runs : int
        Model runs behind the effects.

    Returns
    -------
    Convergence
        ``mu_star`` is in the output's units, so there is no range to leave.
    """
    constant = bool((indices["mu_star"] == 0).all())
    return _convergence(indices, "mu_star", "mu_star_conf", top_k=top_k, target=None,
                        n_runs=n_runs, bounded=(), constant=constant)


@dataclass(frozen=True)
class Agreement:
    """Whether two rankings name the same top drivers.

    Attributes
    ----------
    same_set : bool
        The top ``k`` of both are the same parameters.
    same_order : bool
        ... in the same order.
    text : str
        The comparison in words.
    """

    same_set: bool
    same_order: bool
    text: str


def agreement(rankings: Mapping[str, Sequence[str]], *, k: int = TOP_K,
              resolved: Mapping[str, bool] | None = None) -> Agreement:
    """Compare the top ``k`` of two rankings (e.g. Sobol's and Morris's).

    Parameters
    ----------
    rankings : mapping of str to sequence of str
        Two named rankings, most influential first.
    k : int
        Ranks compared.
    resolved : mapping of str to bool, optional
        Whether each ranking's top is resolved (its verdict); an unresolved one makes a
        disagreement expected, and the text says so.

    Returns
    -------
    Agreement
    """
    if len(rankings) != 2:
        raise InputError(f"agreement compares two rankings, found {len(rankings)}")
    (na, ra), (nb, rb) = rankings.items()
    a, b = list(ra)[:k], list(rb)[:k]
    kk = min(len(a), len(b))
    same_order = a[:kk] == b[:kk]
    same_set = set(a[:kk]) == set(b[:kk])
    if same_order:
        text = f"{na} and {nb} agree on the top {kk}: {', '.join(a[:kk])}"
    elif same_set:
        text = (f"{na} and {nb} agree on the top {kk} as a set ({', '.join(sorted(a[:kk]))}) "
                f"but not on their order ({na}: {', '.join(a[:kk])}; {nb}: "
                f"{', '.join(b[:kk])})")
    else:
        shared = [x for x in a[:kk] if x in b[:kk]]
        text = (f"{na} and {nb} disagree on the top {kk}: {na} ranks {', '.join(a[:kk])}; "
                f"{nb} ranks {', '.join(b[:kk])}"
                + (f" (both name {', '.join(shared)})" if shared else ""))
    unresolved = [n for n, ok in (resolved or {}).items() if not ok]
    if unresolved and not same_order:
        text += (f"; {' and '.join(unresolved)} "
                 f"{'does' if len(unresolved) == 1 else 'do'} not resolve "
                 f"{'its' if len(unresolved) == 1 else 'their'} top ranks, so a "
                 "difference in order is within the estimates' error")
    return Agreement(same_set, same_order, text)


# --------------------------------------------------------------------------- designs
@dataclass(frozen=True)
class DesignChunk:
    """One chunk of a design run in groups: its index and its groups ``[first, end)``."""

    index: int
    first: int
    end: int


def design_chunks(n_groups: int, group: int) -> list[DesignChunk]:
    """Split a design of ``n_groups`` groups into chunks of a power-of-two group count.

    The chunk size depends only on ``group`` (the largest power of two of groups that
    fits the engine's rows per chunk), so chunk ``c`` of a design of base ``N`` holds the
    same groups as chunk ``c`` of the design of base ``2 N``: doubling a Sobol design adds
    whole chunks, and those already run keep their rows and their noise.

    Parameters
    ----------
    n_groups : int
        Groups in the design.
    group : int
        Rows per group.
    """
    from detente.engine.streams import ROWS_PER_CHUNK

    per = max(1, ROWS_PER_CHUNK // max(1, group))
    size = 1 << (per.bit_length() - 1)
    return [DesignChunk(c, g0, min(n_groups, g0 + size))
            for c, g0 in enumerate(range(0, n_groups, size))]


def run_chunk(scenario: Scenario, design: Mapping[str, FloatArray], chunk: DesignChunk, *,
              group: int, seed: SeedLike, policies: Sequence[str] | None,
              horizon: int | None, record: Sequence[str] | None,
              dtype: type[np.floating] = np.float64) -> Results:
    """Simulate one chunk of a design, with noise keyed by the chunk's index.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    design : mapping of str to ndarray
        The chunk's rows only (file units), ``(chunk.end - chunk.first) * group`` each.
    chunk : DesignChunk
        From :func:`design_chunks`.
    group : int
        Rows per noise group.
    seed : int, SeedSequence or None
        The design's root seed (the same for every chunk).
    policies, horizon, record
        As for :func:`detente.simulate`.
    dtype : numpy floating type
        Storage type of the recorded trajectories (:func:`run_design`).
    """
    from detente.engine.streams import seed_sequence

    root = seed_sequence(seed)
    key = np.random.SeedSequence(root.entropy,
                                 spawn_key=(*root.spawn_key, CHUNK_KEY, chunk.index))
    return run_design(scenario, design, group=group, seed=key, policies=policies,
                      horizon=horizon, record=record, dtype=dtype)


def concat_results(parts: Sequence[Results]) -> Results:
    """Join results of consecutive design chunks into one (samples renumbered)."""
    import xarray as xr

    from detente.results import Results

    if len(parts) == 1:
        return parts[0]
    ds = xr.concat([p.ds for p in parts], dim="sample", data_vars="minimal",
                   coords="minimal", compat="override", join="override")
    n = int(ds.sizes["sample"])
    ds = ds.assign_coords(sample=np.arange(n))
    ds.attrs["n_samples"] = n
    return Results(ds)


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
        # with the run's scenario, parameters read in the expression are in its file's
        # units, as the claims read them (without it, in the model's canonical ones)
        reader = OutputReader(res, res.scenario)
        expr = reader.compile(output)
        pol = policy or reader.policies[0]
        if over is not None:
            return reader.reading(expr, pol, over=over, reduce=reduce or "mean")
        return reader.reading(expr, pol, at=at)

    fn.__name__ = f"output({output})"
    return fn


class _Runs:
    """Model runs of a design's rows, kept by chunk so that a grown design reuses them."""

    def __init__(self, scenario: Scenario, names: Sequence[str], fn: OutputFn, *,
                 quantiles: Callable[[FloatArray], FloatArray], group: int, seed: SeedLike,
                 policies: Sequence[str], horizon: int | None, record: Sequence[str],
                 progress: Callable[[int, int], None] | None, chunked: bool) -> None:
        from detente.engine.streams import seed_sequence

        self.scenario, self.names, self.fn = scenario, list(names), fn
        self.quantiles, self.group, self.policies = quantiles, group, list(policies)
        self.horizon, self.record, self.progress = horizon, list(record), progress
        self.chunked = chunked
        # one root for every chunk, also when the seed is None (fresh entropy)
        self.seed: SeedLike = seed_sequence(seed) if chunked else seed
        self.results: Results | None = None
        self._done: dict[int, tuple[int, FloatArray, Results]] = {}

    def outputs(self, u: FloatArray) -> FloatArray:
        """Return the output at each row of the design ``u`` (unit hypercube)."""
        sc, g = self.scenario, self.group
        if not self.chunked:
            design = unit_to_file_units(sc, self.names, self.quantiles(u))
            res = run_design(sc, design, group=g, seed=self.seed, policies=self.policies,
                             horizon=self.horizon, record=self.record,
                             progress=self.progress)
            self.results = res
            return np.asarray(self.fn(res), dtype=np.float64)
        chunks = design_chunks(len(u) // g, g)
        pending = [c for c in chunks
                if c.index not in self._done or self._done[c.index][0] != c.end - c.first]
        total = sum((c.end - c.first) * g for c in pending)
        done = 0
        for c in pending:
            r0, r1 = c.first * g, c.end * g
            design = unit_to_file_units(sc, self.names, self.quantiles(u[r0:r1]))
            res = run_chunk(sc, design, c, group=g, seed=self.seed, policies=self.policies,
                            horizon=self.horizon, record=self.record)
            self._done[c.index] = (c.end - c.first,
                                   np.asarray(self.fn(res), dtype=np.float64), res)
            done += r1 - r0
            if self.progress is not None:
                self.progress(done, total)
        parts = [self._done[c.index] for c in chunks]
        self.results = concat_results([p[2] for p in parts])
        return np.concatenate([p[1] for p in parts])


class _GlobalSA(Estimator, ABC):
    """Sampling, running and reading shared by Sobol and Morris."""

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "names_", "u_", "x_", "y_", "results_", "indices_", "convergence_")

    seed: SeedLike
    parameters: Sequence[str] | None
    top_k: int

    names_: list[str]
    u_: FloatArray
    x_: FloatArray
    y_: FloatArray
    results_: Results | None
    indices_: pd.DataFrame
    convergence_: Convergence

    #: Whether the design runs in chunks that a larger design reuses (Sobol's can grow).
    _chunked: ClassVar[bool] = False

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

    @abstractmethod
    def _fit_design(self, evaluate: Callable[[FloatArray], FloatArray]) -> None:
        """Sample, evaluate and analyse: set ``u_``, ``y_``, ``indices_``, ``convergence_``."""

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
        if self.top_k < 1:
            raise InputError(f"top_k must be at least 1, found {self.top_k}")
        if isinstance(model, FunctionModel):
            self.names_ = model.names
            self._bounds: list[tuple[float, float]] | None = [model.bounds[n]
                                                              for n in self.names_]
            self._fit_design(model.evaluate)
            lo = np.array([b[0] for b in self._bounds])
            hi = np.array([b[1] for b in self._bounds])
            self.x_ = lo + (hi - lo) * self.u_
            self.results_ = None
        else:
            self._bounds = None
            runs = self._scenario_runs(as_scenario(model), output, policy=policy,
                                       policies=policies, horizon=horizon, at=at, over=over,
                                       reduce=reduce, record=record, progress=progress)
            self._fit_design(runs.outputs)
            self.results_ = runs.results
            self.x_ = self.u_

    def _scenario_runs(self, scenario: Scenario, output: str | OutputFn | None, *,
                       policy: str | None, policies: Sequence[str] | None,
                       horizon: int | None, at: Any, over: Sequence[Any] | None,
                       reduce: str | None, record: Sequence[str] | None,
                       progress: Callable[[int, int], None] | None) -> _Runs:
        if output is None:
            raise InputError("a scenario needs an output: an expression such as "
                             "'blue.personnel' or a function of the results")
        names = list(self.parameters) if self.parameters else list(scenario.uncertain)
        check_names(names, list(scenario.uncertain), "uncertain parameter")
        if not names:
            raise InputError(f"scenario '{scenario.name}' has no uncertain parameters")
        self.names_ = names
        if isinstance(output, str):
            expr = scenario_expr(scenario, output)
            rec = list(record) if record else record_for(scenario, [expr])
            pols = [policy] if policy else [next(iter(scenario.policies))]
            fn = sensitivity_output(output, policy=pols[0], at=at, over=over, reduce=reduce)
        else:
            rec = list(record) if record else record_for(scenario, [], defaults=True)
            pols = list(policies) if policies else [policy or next(iter(scenario.policies))]
            fn = output
        return _Runs(scenario, names, fn, quantiles=self._quantiles,
                     group=self._group(len(names)), seed=self.seed, policies=pols,
                     horizon=horizon, record=rec, progress=progress, chunked=self._chunked)

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
    target_ci : float, optional
        Grow the design until the widest half-width of the ``ST`` intervals of the top
        ``top_k`` parameters is at most this: the base doubles (running only the new
        rows) until it is, or until ``max_base``.
    max_base : int
        Largest base the design grows to (a power of two).
    top_k : int
        Top ranks the convergence verdict checks and ``target_ci`` measures.

    Attributes
    ----------
    indices_ : pandas.DataFrame
        Index: parameter; columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (``_conf``: the
        half-width of the bootstrap interval at ``conf_level``).
    convergence_ : Convergence
        Whether the indices can be read as findings (resolved top ranks, indices in
        [0, 1] within their error, the target met).
    indices2_ : pandas.DataFrame or None
        Second-order indices ``S2`` (parameter × parameter), with ``second_order``.
    ranking_ : list of str
        Parameters from the most to the least influential (by ``ST``).
    n_base_ : int
        The base of the final design (``n_base``, or more after growing).
    growth_ : pandas.DataFrame
        One row per design tried: ``n_base``, ``runs``, ``widest`` (half-width),
        ``top`` (the top ranks, comma-separated), ``converged``.
    stopped_ : {"target", "cap", "constant"} or None
        Why growing stopped: the target was met, ``max_base`` was reached, or the output
        does not vary; None without ``target_ci``.
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
        *_GlobalSA.fitted_attributes, "indices2_", "constant_", "n_base_", "growth_",
        "stopped_")
    _chunked: ClassVar[bool] = True

    def __init__(self, *, n_base: int = 256, second_order: bool = False,
                 n_bootstrap: int = N_BOOTSTRAP, conf_level: float = CONF_LEVEL,
                 seed: SeedLike = 0, parameters: Sequence[str] | None = None,
                 target_ci: float | None = None, max_base: int = MAX_BASE,
                 top_k: int = TOP_K) -> None:
        self.n_base = n_base
        self.second_order = second_order
        self.n_bootstrap = n_bootstrap
        self.conf_level = conf_level
        self.seed = seed
        self.parameters = parameters
        self.target_ci = target_ci
        self.max_base = max_base
        self.top_k = top_k

    def _group(self, d: int) -> int:
        return 2 * d + 2 if self.second_order else d + 2

    @staticmethod
    def _check_base(n: int, what: str) -> None:
        if n <= 0:
            raise InputError(f"{what} must be a positive integer, found {n}")
        if n & (n - 1):
            raise InputError(f"{what} must be a power of two (Sobol' sequences), found "
                             f"{n}; try {2 ** math.ceil(math.log2(n))}")

    def _sample(self, d: int) -> FloatArray:
        return self._sample_base(d, self.n_base)

    def _sample_base(self, d: int, n: int) -> FloatArray:
        from SALib.sample import sobol as sobol_sample

        self._check_base(n, "n_base")
        problem = self._problem([f"x{j}" for j in range(d)])
        # the first N points of the scrambled sequence do not depend on how many are drawn,
        # so the design of base N is the first N (D + 2) rows of the design of base 2 N
        return np.asarray(sobol_sample.sample(problem, n,
                                              calc_second_order=self.second_order,
                                              scramble=True, seed=self._int_seed()),
                          dtype=np.float64)

    def _fit_design(self, evaluate: Callable[[FloatArray], FloatArray]) -> None:
        import pandas as pd

        self._check_base(self.n_base, "n_base")
        if self.target_ci is not None:
            if not self.target_ci > 0:
                raise InputError(f"target_ci must be a positive half-width, found "
                                 f"{self.target_ci}")
            self._check_base(self.max_base, "max_base")
        d = len(self.names_)
        n = self.n_base
        steps: list[dict[str, Any]] = []
        while True:
            u = self._sample_base(d, n)
            y = np.asarray(evaluate(u), dtype=np.float64)
            indices = self._analyse(y)
            conv = sobol_convergence(indices, top_k=self.top_k, target=self.target_ci,
                                     n_runs=int(y.size), constant=self.constant_)
            steps.append({"n_base": n, "runs": int(y.size), "widest": conv.widest,
                          "top": ", ".join(conv.top), "converged": conv.converged})
            if self.target_ci is None or conv.constant or conv.precise or 2 * n > self.max_base:
                break
            n *= 2
        self.u_, self.y_, self.indices_, self.convergence_ = u, y, indices, conv
        self.n_base_ = n
        self.growth_ = pd.DataFrame(steps)
        self.stopped_: Literal["target", "cap", "constant"] | None = None
        if self.target_ci is not None:
            self.stopped_ = ("constant" if conv.constant else
                             "target" if conv.precise else "cap")

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
        """Sample, run the model and estimate the indices (growing the design if asked).

        Parameters
        ----------
        model : Scenario, str or FunctionModel
            A scenario (or a built-in name / file path), or a function of named inputs.
        output : str or callable, optional
            For a scenario: an expression over outputs (see
            :func:`sensitivity_output`), or a function ``Results -> (rows,)`` (applied to
            each chunk of the design's runs in turn).
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
            ``progress(rows_done, rows_total)``, for each design run (a grown design
            counts only its new rows).

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
    top_k : int
        Top ranks the convergence verdict checks.

    Attributes
    ----------
    indices_ : pandas.DataFrame
        Index: parameter; columns ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``
        (the half-width of the bootstrap interval on ``mu_star``).
    convergence_ : Convergence
        Whether the ranking by ``mu_star`` is resolved among the top ranks.
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
                 seed: SeedLike = 0, parameters: Sequence[str] | None = None,
                 top_k: int = TOP_K) -> None:
        self.n_trajectories = n_trajectories
        self.num_levels = num_levels
        self.n_bootstrap = n_bootstrap
        self.conf_level = conf_level
        self.seed = seed
        self.parameters = parameters
        self.top_k = top_k

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

    def _fit_design(self, evaluate: Callable[[FloatArray], FloatArray]) -> None:
        self.u_ = self._sample(len(self.names_))
        self.y_ = np.asarray(evaluate(self.u_), dtype=np.float64)
        self.indices_ = self._analyse(self.y_)
        self.convergence_ = morris_convergence(self.indices_, top_k=self.top_k,
                                               n_runs=int(self.y_.size))

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
