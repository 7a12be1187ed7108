"""The dashboard's logic, free of any web framework: levers, validation and one update.

:class:`DashboardModel` draws the ensemble's uncertain parameters once; each update re-runs
the model with the same draws, shocks and events (common random numbers), so a change on
screen is the lever's effect, not noise. It runs as every command does
(:mod:`detente.analysis.defaults`): the scenario's horizon, seed 0, and each lever drawn
from its parameter's distribution while its control is at its starting value; a control
moved away from it sets the parameter in every sample. It runs fewer samples
(:data:`~detente.analysis.defaults.DASHBOARD_SAMPLES`) and gives the Monte Carlo error of
each number it shows (:func:`mc_error`, :func:`median_error`). The Bokeh app
(:mod:`detente.dashboard._app`) only lays out what :meth:`DashboardModel.update` returns,
and the tests and benchmark drive this class directly.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.analysis import as_scenario
from detente.analysis.claims import ClaimResult, Claims
from detente.analysis.defaults import DASHBOARD_SAMPLES, DEFAULT_SEED, describe_settings
from detente.dashboard._cache import DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES, EnsembleCache
from detente.dashboard._outside import scenario_outside_view
from detente.engine import simulate
from detente.errors import InputError
from detente.model.base import split_owned
from detente.present.charts import key_variables
from detente.present.figures import FAN_LEVELS, fan_quantiles
from detente.present.labels import Labels
from detente.present.record import claim_variables, in_model_order
from detente.results.schema import has, param_var, select

if TYPE_CHECKING:
    from detente.analysis.outside_view import BaseRates
    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = [
    "DEFAULT_SAMPLES", "HEADLINE_OUTPUTS", "DashboardModel", "DashboardState",
    "FanQuantiles", "Lever", "LeverError", "levers_of", "mc_error", "median_error",
]

#: Samples per update (:data:`detente.analysis.defaults.DASHBOARD_SAMPLES`): small enough
#: for sub-second updates over the scenario's whole horizon; each number shows its error.
DEFAULT_SAMPLES = DASHBOARD_SAMPLES
#: Key outputs in the numbers table, each for every side that has it (base names; of a
#: ratio over the enemy, the first side's only: the other's is its inverse).
HEADLINE_OUTPUTS: tuple[str, ...] = ("combat_power_ratio", "territory", "viability")
_OVER_ENEMY = frozenset({"combat_power_ratio"})
#: Variables the settlement chart and the numbers read besides the key outputs.
_SETTLEMENT_VARIABLES: tuple[str, ...] = ("months_to_settlement", "settled", "escalated")


class LeverError(InputError):
    """A lever's value is out of range (the dashboard shows ``problems``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Lever:
    """A lever of the dashboard: one scenario parameter, shown in the lever's unit.

    Built from the scenario's ``levers`` (:class:`detente.scenario.schema.Lever`) by
    :meth:`of`.

    Attributes
    ----------
    param : str
        Scenario parameter it fixes.
    label : str
        What the control says.
    unit : str
        The unit as the control writes it.
    low, high : float
        Accepted range, in the lever's unit.
    step : float
        Step of the control.
    factor : float
        A value in the parameter's file unit times ``factor`` is in the lever's unit (from
        the parameter table).
    help : str
        What the lever means.
    """

    param: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    factor: float
    help: str = ""

    @classmethod
    def of(cls, scenario: Scenario, name: str) -> Lever:
        """Resolve the scenario's lever ``name`` against its parameter table.

        Raises
        ------
        InputError
            If the scenario has no such lever or parameter, or (a
            :class:`~detente.errors.UnitError`) if the lever's unit does not convert.
        """
        spec = scenario.levers.get(name)
        if spec is None or name not in scenario.table:
            what = "lever" if spec is None else "parameter"
            raise InputError(f"scenario '{scenario.name}' has no {what} '{name}'")
        factor = scenario.table[name].factor_to(spec.unit)
        return cls(name, spec.label, spec.shown_unit, spec.low, spec.high, spec.step, factor,
                   spec.description)

    def shown(self, value: float) -> float:
        """Return ``value`` (file unit) in the lever's unit."""
        return value * self.factor

    def stated(self, value: float) -> float:
        """Return ``value`` (lever's unit) in the parameter's file unit."""
        return value / self.factor


def levers_of(scenario: Scenario) -> list[Lever]:
    """Return the scenario's levers, resolved, in the order of its ``levers`` section."""
    return [Lever.of(scenario, name) for name in scenario.levers]


def mc_error(p: float, n: int) -> float:
    """Return the Monte Carlo standard error of a share ``p`` of ``n`` samples.

    Agresti and Coull's: ``p`` shrunk towards one half by two successes and two failures,
    so a share of 0 or 1 in a few hundred samples does not claim to be exact.

    >>> round(mc_error(0.5, 100), 4), round(mc_error(0.0, 333), 4)
    (0.0481, 0.0077)
    """
    if n <= 0 or not math.isfinite(p):
        return math.nan
    k = p * n + 2.0
    m = n + 4.0
    return math.sqrt((k / m) * (1 - k / m) / m)


def median_error(values: FloatArray) -> float:
    """Return the Monte Carlo standard error of the median of ``values`` (NaN ignored).

    Distribution-free: half the distance between the order statistics ``n/2 ± sqrt(n)/2``
    of the sorted values (the binomial interval of the median's rank, one standard error
    either side).
    """
    x = np.sort(values[np.isfinite(values)])
    n = x.size
    if n < 2:
        return math.nan
    half = math.sqrt(n) / 2
    lo = max(0, math.floor(n / 2 - half))
    hi = min(n - 1, math.ceil(n / 2 + half) - 1)
    return float(x[hi] - x[lo]) / 2


def _round4(x: float) -> float:
    return float(f"{x:.4g}")


def _start(lever: Lever, central: float) -> float:
    """Where a control starts: the central value, rounded, within the lever's range."""
    return min(max(_round4(lever.shown(central)), lever.low), lever.high)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


class FanQuantiles(Mapping[str, FloatArray]):
    """Fan-chart quantiles of an ensemble's variables, each computed when first read.

    A page shows one variable's fan at a time, so an update computes that one only; the
    others follow when a menu asks for them.

    Parameters
    ----------
    results : Results
        The ensemble.
    names : sequence of str
        The variables offered (their order is the mapping's).
    """

    def __init__(self, results: Results, names: Sequence[str]) -> None:
        self._results = results
        self._names = list(names)
        self._done: dict[str, FloatArray] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> FloatArray:
        if name not in self._names:
            raise KeyError(name)
        with self._lock:
            if name not in self._done:
                values = np.asarray(select(self._results.ds, name).values, dtype=np.float64)
                self._done[name] = fan_quantiles(values)
            return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    @property
    def nbytes(self) -> int:
        """Bytes of one variable's quantiles times the variables (what all of them take)."""
        ds = self._results.ds
        if not self._names:
            return 0
        first = select(ds, self._names[0])
        per = len(FAN_LEVELS) * int(first.sizes.get("policy", 1)) * int(first.sizes["time"])
        return 8 * per * len(self._names)


@dataclass
class DashboardState:
    """What one update produced.

    Attributes
    ----------
    values : dict
        Lever values used (display units).
    policies : list of str
        Policies run.
    results : Results
        The ensemble.
    quantiles : FanQuantiles
        ``variable -> (len(FAN_LEVELS), policy, time)`` quantiles for the fan charts,
        computed when first read.
    headline : list of dict
        Per policy: ``policy``, ``p_settlement``, ``p_escalation`` and the median at the
        horizon of each of :attr:`DashboardModel.headline_variables` (by model name); each
        with its Monte Carlo standard error under the key ``<key>_se``.
    claims : list of ClaimResult
        Verdicts (no hinges) of the scenario's claims on this ensemble, once
        :attr:`judged` (:meth:`DashboardModel.judge`).
    claims_error : str
        Why the claims could not be judged (empty when they were).
    judged : bool
        Whether the claims have been judged.
    seconds : float
        Wall time of the simulation and summary (a state shared from the cache keeps its
        own; judging the claims is not counted).
    views : dict
        What the app drew from this state (HTML, figures, chart pages), kept for the next
        session that shows it; a state is shared between sessions and never changed
        otherwise.
    """

    values: dict[str, float]
    policies: list[str]
    results: Results
    quantiles: FanQuantiles
    headline: list[dict[str, Any]]
    claims: list[ClaimResult] = field(default_factory=list)
    claims_error: str = ""
    judged: bool = False
    seconds: float = 0.0
    views: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def nbytes(self) -> int:
        """Bytes of the ensemble and its quantiles (what the cache counts)."""
        return int(self.results.ds.nbytes) + self.quantiles.nbytes


class DashboardModel:
    """Levers, validation and updates of the dashboard for one scenario.

    The levers are those the scenario's ``levers`` section marks, in its order
    (:func:`levers_of`); each control starts at its parameter's central value, and there
    the parameter keeps its distribution, as every command runs it; a value away from it
    sets the parameter in every sample. A scenario without levers runs its policies at
    their own values.

    Parameters
    ----------
    scenario : Scenario or str
        A loaded scenario, or a built-in name / file path.
    n_samples : int
        Samples per update (default: :data:`DEFAULT_SAMPLES`).
    seed : int, SeedSequence or None
        Root seed: parameter draws, shocks and events stay the same across updates
        (default: :data:`detente.analysis.defaults.DEFAULT_SEED`, the commands' seed).
    policies : sequence of str, optional
        Policies shown at first (default: the scenario's first two).
    horizon : int, optional
        Steps simulated per update (at most the scenario's; default: the scenario's, as
        every command runs).
    cache_entries, cache_bytes : int
        Bounds of the results kept for every session (:attr:`cache`): one ensemble per set
        of lever values and policies, computed once however many sessions ask for it.
    """

    def __init__(self, scenario: Scenario | str, *, n_samples: int = DEFAULT_SAMPLES,
                 seed: SeedLike = DEFAULT_SEED, policies: Sequence[str] | None = None,
                 horizon: int | None = None, cache_entries: int = DEFAULT_CACHE_ENTRIES,
                 cache_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.scenario = as_scenario(scenario)
        sc = self.scenario
        if n_samples < 1:
            raise InputError(f"n_samples must be at least 1, found {n_samples}")
        if horizon is None:
            horizon = sc.time.horizon_steps
        if horizon < 1:
            raise InputError(f"horizon must be at least 1, found {horizon}")
        self.n_samples = n_samples
        self.seed = seed
        self.horizon = min(horizon, sc.time.horizon_steps)
        self.all_policies = list(sc.policies)
        if policies:
            unknown = [p for p in policies if p not in sc.policies]
            if unknown:
                raise InputError(f"unknown policy {', '.join(repr(p) for p in unknown)}; the "
                                 f"scenario '{sc.name}' has {', '.join(sc.policies)}")
            self.default_policies = list(policies)
        else:
            self.default_policies = self.all_policies[:2]
        #: How the scenario names its sides and variables.
        self.labels = Labels.of(sc)
        self.levers = levers_of(sc)
        self.defaults = {lv.param: _start(lv, sc.table[lv.param].distribution.central())
                         for lv in self.levers}
        self.record = self._record(sc)
        self._draws = self._draw_parameters()
        #: The states every session shares, by (lever values, policies).
        self.cache: EnsembleCache[DashboardState] = EnsembleCache(
            max_entries=cache_entries, max_bytes=cache_bytes, size=lambda s: s.nbytes)

    @property
    def settings(self) -> str:
        """What each update runs with: samples, seed, horizon and how the levers are treated.

        As :func:`detente.analysis.defaults.describe_settings` writes it for the commands.
        """
        sc = self.scenario
        months = self.horizon * sc.time.step_days / (365.25 / 12)
        words = "levers drawn from their distributions until a control is moved"
        return describe_settings(self.n_samples, self.seed, months, levers=words)

    def drawn(self, values: Mapping[str, float]) -> list[str]:
        """Return the levers that keep their distributions at ``values`` (those at default)."""
        return [lv.param for lv in self.levers
                if values.get(lv.param, self.defaults[lv.param]) == self.defaults[lv.param]]

    @functools.cached_property
    def outside_view(self) -> BaseRates | str | None:
        """The base rates for the scenario's war at its start, fitted once per scenario.

        None when the scenario does not say when its war began; a message when they
        cannot be had (:func:`detente.dashboard._outside.scenario_outside_view`).
        """
        return scenario_outside_view(self.scenario)

    # ------------------------------------------------------------------ setup
    def _record(self, sc: Scenario) -> list[str]:
        return in_model_order(sc, {*key_variables(self.labels), *self.headline_variables,
                                   *_SETTLEMENT_VARIABLES, *claim_variables(sc)})

    def _draw_parameters(self) -> dict[str, FloatArray]:
        """Every uncertain parameter's draw per sample (file units), drawn once."""
        sc = self.scenario
        res = simulate(sc, n_samples=self.n_samples, seed=self.seed,
                       policies=self.default_policies[:1], horizon=1,
                       record=self.record[:1])
        return {name: np.asarray(select(res.ds, param_var(name)).values, dtype=np.float64)
                for name in sc.uncertain}

    @property
    def fan_variables(self) -> list[str]:
        """Variables offered in the fan chart's menu: the key outputs, side by side."""
        return key_variables(self.labels, self.record)

    @property
    def headline_variables(self) -> list[str]:
        """Variables in the numbers table (:data:`HEADLINE_OUTPUTS`), by model name."""
        first = self.labels.sides[0]
        out = []
        for name in key_variables(self.labels):
            owner, base = split_owned(name)
            if base in HEADLINE_OUTPUTS and (base not in _OVER_ENEMY or owner in (None, first)):
                out.append(name)
        return out

    # ------------------------------------------------------------------ validation
    def validate(self, values: Mapping[str, Any]) -> dict[str, float]:
        """Check lever values (display units); return them as floats.

        Raises
        ------
        LeverError
            With one message per bad value: which lever, the range, what was found.
        """
        problems = []
        out: dict[str, float] = {}
        by_name = {lv.param: lv for lv in self.levers}
        for name, raw in values.items():
            lv = by_name.get(name)
            if lv is None:
                problems.append(f"unknown lever '{name}'")
                continue
            try:
                x = float(raw) if raw is not None and raw != "" else math.nan
            except (TypeError, ValueError):
                x = math.nan
            if not math.isfinite(x):
                problems.append(f"{lv.label}: enter a number between {_fmt(lv.low)} and "
                                f"{_fmt(lv.high)} {lv.unit}; found {raw!r}")
                continue
            if not lv.low <= x <= lv.high:
                problems.append(f"{lv.label} must be between {_fmt(lv.low)} and "
                                f"{_fmt(lv.high)} {lv.unit}; found {_fmt(x)}")
                continue
            out[name] = x
        if problems:
            raise LeverError(problems)
        return out

    def check_policies(self, policies: Sequence[str]) -> list[str]:
        """Return the chosen policies in scenario order (at least one is needed)."""
        chosen = [p for p in self.all_policies if p in set(policies)]
        if not chosen:
            raise LeverError(["choose at least one policy"])
        return chosen

    # ------------------------------------------------------------------ update
    def simulate(self, values: Mapping[str, float], policies: Sequence[str]) -> Results:
        """Run the ensemble with the levers moved from their defaults fixed at ``values``.

        ``values`` are in display units; a lever at its default keeps its parameter's draws.
        """
        samples = dict(self._draws)
        by_name = {lv.param: lv for lv in self.levers}
        drawn = set(self.drawn(values))
        for name, x in values.items():
            if name not in drawn:
                samples[name] = np.full(self.n_samples, by_name[name].stated(x))
        return simulate(self.scenario, n_samples=self.n_samples, seed=self.seed,
                        policies=list(policies), horizon=self.horizon, record=self.record,
                        samples=samples)

    def update(self, values: Mapping[str, Any] | None = None,
               policies: Sequence[str] | None = None, *, claims: bool = True,
               ) -> DashboardState:
        """Validate, simulate and summarise: everything the app shows after a change.

        The state is shared: every session asking for the same values and policies gets the
        same object from :attr:`cache`, computed once (callers must not change it).

        Parameters
        ----------
        values : mapping, optional
            Lever values in display units (missing levers keep their defaults).
        policies : sequence of str, optional
            Policies to run (default: :attr:`default_policies`).
        claims : bool
            Judge the scenario's claims (without hinges) now; otherwise :meth:`judge`
            does when they are wanted (the state is the same either way).

        Raises
        ------
        LeverError
            When a value is out of range or no policy is chosen (nothing is run).
        """
        key, vals, pols = self._inputs(values, policies)
        state = self.cache.get(key, lambda: self._compute(vals, pols))
        if claims:
            self.judge(state)
        return state

    def cached(self, values: Mapping[str, Any] | None = None,
               policies: Sequence[str] | None = None) -> DashboardState | None:
        """Return the state :meth:`update` would, if it is at hand; else None (nothing runs).

        Raises
        ------
        LeverError
            As :meth:`update` does.
        """
        key, _vals, _pols = self._inputs(values, policies)
        return self.cache.peek(key)

    def _inputs(self, values: Mapping[str, Any] | None, policies: Sequence[str] | None,
                ) -> tuple[tuple[tuple[float, ...], tuple[str, ...]], dict[str, float],
                           list[str]]:
        """Return the cache key, the checked lever values and the policies of an update."""
        vals = self.validate({**self.defaults, **(values or {})})
        pols = self.check_policies(policies if policies is not None
                                   else self.default_policies)
        return (tuple(vals[lv.param] for lv in self.levers), tuple(pols)), vals, pols

    def judge(self, state: DashboardState) -> DashboardState:
        """Judge the scenario's claims (without hinges) on ``state``, once; return it.

        An update can show its numbers and charts first and its claims after: the claims
        are judged on the shared state the first time anyone asks.
        """
        with state.lock:
            if state.judged:
                return state
            if self.scenario.claims:
                try:
                    ev = Claims(hinges=()).fit(self.scenario, state.results, seed=self.seed,
                                               horizon=self.horizon)
                except InputError as exc:
                    state.claims_error = str(exc)
                else:
                    state.claims = list(ev.claims_)
            state.judged = True
        return state

    def _compute(self, vals: dict[str, float], pols: list[str]) -> DashboardState:
        t0 = time.perf_counter()
        res = self.simulate(vals, pols)
        state = DashboardState(values=vals, policies=pols, results=res,
                               quantiles=FanQuantiles(res, self.fan_variables),
                               headline=self._headline(res, self.headline_variables))
        state.seconds = time.perf_counter() - t0
        return state

    @staticmethod
    def _headline(res: Results, names: Sequence[str]) -> list[dict[str, Any]]:
        ds = res.ds
        rows = []
        for ip, pol in enumerate(res.policies):
            row: dict[str, Any] = {"policy": pol}
            n = int(ds.sizes["sample"])
            if "months_to_settlement" in ds:
                mts = np.asarray(ds["months_to_settlement"].values[ip, :, -1], dtype=float)
                row["p_settlement"] = float(np.mean(np.isfinite(mts)))
                row["p_settlement_se"] = mc_error(row["p_settlement"], n)
            if "escalated" in ds:
                row["p_escalation"] = float(np.mean(ds["escalated"].values[ip, :, -1] > 0.5))
                row["p_escalation_se"] = mc_error(row["p_escalation"], n)
            for name in names:
                if has(ds, name):
                    values = np.asarray(select(ds, name).values[ip, :, -1], dtype=float)
                    row[name] = (float(np.nanmedian(values)) if np.isfinite(values).any()
                                 else math.nan)
                    row[f"{name}_se"] = median_error(values)
            rows.append(row)
        return rows
