"""Scoring a scenario's projections against what happened, beside two baselines.

:class:`Backtest` runs a scenario from its start date under a policy (by default its first;
with a *policy path*, an overlay of what actually happened, run as the policy ``actual``),
and scores the ensemble against observed values of model outputs with the functions of
:mod:`detente.analysis.scores`:

* a continuous variable: coverage of the central 50, 80 and 95 % bands (the share of
  observations inside them, with its Wilson interval for the effective number of points),
  CRPS in the variable's unit and the PIT histogram;
* a 0/1 variable (unit ``switch``, such as ``settled``): Brier and log scores of the
  ensemble's probability that it is 1, and a reliability table;
* beside each, the persistence (no change) and trend (the last year's line extended)
  forecasts made at the start from the observations, and the model's skill against them.

Observations are matched to the simulation at their dates, by linear interpolation between
the recorded time points. Only those dated after the start are scored: one on the start is
inside every band by construction (the start anchor) and one before it is not simulated;
both feed only the baselines. Each ``(variable, source)`` series is scored on its own and
every source of a variable together. An observation names a model output as the
scenario's model names it: what a side owns is ``<side>.<name>`` (``blue.personnel``), so a
series of each side is matched to that side's variable whatever the sides are called
(:func:`output_variables`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.analysis import scores
from detente.analysis._base import Estimator
from detente.analysis._data import Observations, did_you_mean, read_observations
from detente.errors import DataError, InputError
from detente.model import installed, templates
from detente.model.base import template_name
from detente.results import schema
from detente.scenario import load_scenario
from detente.scenario.schema import Policy, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from detente.model.base import VariableSpec
    from detente.results import Results

#: Central band levels scored by default.
DEFAULT_LEVELS: tuple[float, ...] = scores.DEFAULT_LEVELS
#: Bins of the PIT histogram and of reliability tables.
DEFAULT_PIT_BINS = scores.DEFAULT_BINS
#: Name of the policy built from a policy path.
ACTUAL_POLICY = "actual"
#: Unit of a 0/1 model output (scored by Brier and log scores).
BINARY_UNIT = "switch"
#: The baselines scored beside the model (:mod:`detente.analysis.scores`).
BASELINES: tuple[str, ...] = ("persistence", "trend")


# --------------------------------------------------------------------------- variables
def output_variables(scenario: Scenario | str | None = None) -> dict[str, VariableSpec]:
    """Model outputs that observations can refer to, by name.

    Parameters
    ----------
    scenario : Scenario or str, optional
        A scenario (or a built-in name / file path): the outputs of its modules for its
        cast, by their names (``blue.personnel`` for each side). Default: every installed
        module's outputs as templates, named as listings name them (``<side>.personnel``).

    Returns
    -------
    dict of str to VariableSpec
        Each with ``unit`` and ``description``, in module order.
    """
    if scenario is None:
        return {template_name(v): v for name in installed() for v in templates(name)[1]}
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    return {v.name: v for m in sc.enabled_modules for v in m.variables}


def variables_markdown() -> str:
    """Return a Markdown table of every model output (module, name, unit, description).

    What each side or supporter owns is listed once, as ``<side>.name`` or
    ``<supporter>.name``, its description speaking of "the side" or "the supporter".
    """
    lines = ["| module | variable | unit | description |", "|---|---|---|---|"]
    for mname in installed():
        for v in templates(mname)[1]:
            desc = v.description
            if v.per is not None:
                desc = desc.replace("{owner}", f"the {v.per}")
                desc = desc[:1].upper() + desc[1:]
            lines.append(f"| {mname} | `{template_name(v)}` | {v.unit} | {desc} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- policy paths
def read_policy_path(path: str | Path, scenario: Scenario) -> Policy:
    """Read a policy overlay (``description``, ``changes``, ``events``) from YAML.

    Raises
    ------
    InputError
        When the file is missing or malformed, or names a parameter the scenario lacks.
    """
    import yaml
    from pydantic import ValidationError

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such policy-path file")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the policy path as YAML ({exc})") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping with keys description, changes, "
                         f"events; found {type(raw).__name__}")
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise InputError(f"{path}: {where}: {first['msg']} (a policy path has the shape of "
                         "a scenario's policy: description, changes, events)") from exc
    _check_policy_params(str(path), policy, scenario)
    return policy


def _check_policy_params(where: str, policy: Policy, scenario: Scenario) -> None:
    known = list(scenario.table)  # defaults included
    changes = [("changes", c) for c in policy.changes]
    for ev_name, ev in policy.events.items():
        changes += [(f"events.{ev_name}.changes", c) for c in ev.changes]
        if ev.probability is not None and ev.probability not in known:
            raise InputError(f"{where}: events.{ev_name}.probability: unknown parameter "
                             f"{ev.probability!r}.{did_you_mean(ev.probability, known)}")
    for field, change in changes:
        if change.param not in known:
            raise InputError(f"{where}: {field}: unknown parameter {change.param!r} for "
                             f"scenario '{scenario.name}'.{did_you_mean(change.param, known)}")
    events = list(scenario.events)
    named = [(f"cancel[{i}]", name) for i, name in enumerate(policy.cancel)]
    named += [(f"chances.{name}", name) for name in policy.chances]
    for field, name in named:
        if name not in events:
            raise InputError(f"{where}: {field}: unknown event {name!r} of scenario "
                             f"'{scenario.name}' (a policy cancels or changes the chance of "
                             f"the scenario's events: {', '.join(events) or 'none'})."
                             f"{did_you_mean(name, events)}")
    for name, chance in policy.chances.items():
        if isinstance(chance.probability, str) and chance.probability not in known:
            raise InputError(f"{where}: chances.{name}.probability: unknown parameter "
                             f"{chance.probability!r}.{did_you_mean(chance.probability, known)}")


def with_policy(scenario: Scenario, policy: Policy, name: str = ACTUAL_POLICY) -> Scenario:
    """Return a copy of ``scenario`` with ``policy`` added under ``name``."""
    if name in scenario.policies:
        raise InputError(f"scenario '{scenario.name}' already has a policy named '{name}'; "
                         "rename it to use a policy path")
    if policy.extends is not None:
        if policy.extends not in scenario.policies:
            raise InputError(f"policy path: extends: expected one of the policies of "
                             f"scenario '{scenario.name}' ({', '.join(scenario.policies)}), "
                             f"found '{policy.extends}'")
        policy = policy.on_top_of(scenario.policies[policy.extends])
    # a copy, not a re-validation of a dump: the posterior draws read beside the scenario's
    # file stay with it (a dump names the file, which a re-read would resolve elsewhere)
    return scenario.model_copy(update={"policies": {**scenario.policies, name: policy}})


# --------------------------------------------------------------------------- matching
#: How to use observations before a scenario's start, for a backtest.
EARLIER_DATA = "give a scenario that starts earlier (copy it and change time.start)"


def check_after_start(scenario: Scenario, obs: Observations, hint: str = EARLIER_DATA
                      ) -> None:
    """Raise DataError, at its line, for the first observation before the scenario's start.

    ``hint`` says how to use earlier data instead.
    """
    start = scenario.time.start
    for i, d in enumerate(obs.dates):
        if d < start:
            raise DataError(
                f"{obs.where(i)}: observation dated {d} is before the scenario's start "
                f"{start}. The engine simulates forward from the start, so observations are "
                f"matched at their dates after it; to use earlier data, {hint}.")


def horizon_for(scenario: Scenario, obs: Observations) -> int:
    """Return the number of steps needed to reach the last observation (at least one)."""
    check_after_start(scenario, obs)
    start = scenario.time.start
    last = max(obs.dates)
    return max(1, math.ceil((last - start).days / scenario.time.step_days - 1e-9))


def check_observed_variables(obs: Observations, scenario: Scenario) -> None:
    """Raise DataError (with a did-you-mean) for names that are not outputs of the model."""
    known = list(output_variables(scenario))
    obs.check_variables(known, context=f" for scenario '{scenario.name}' "
                                      f"(modules: {', '.join(scenario.modules)})")


def ensemble_at(results: Results, obs: Observations, policy: str) -> FloatArray:
    """Return simulated values at each observation, shape ``(n_obs, n_samples)``.

    Values are interpolated linearly in time between recorded points.
    """
    ds = results.ds
    start = np.datetime64(ds.attrs["start"], "D")
    step_days = float(ds.attrs["step_days"])
    n_t = ds.sizes["time"]
    out = np.empty((len(obs), ds.sizes["sample"]))
    cache: dict[str, FloatArray] = {}
    for i, (d, var) in enumerate(zip(obs.dates, obs.variables, strict=True)):
        if var not in cache:
            values = schema.select(ds, var).sel(policy=policy)
            cache[var] = np.asarray(values.transpose(schema.SAMPLE, schema.TIME).values,
                                    dtype=np.float64)
        arr = cache[var]  # (sample, time)
        x = float((np.datetime64(d, "D") - start).astype(np.float64)) / step_days
        k = min(math.floor(x), n_t - 1)
        w = x - k
        out[i] = arr[:, k] if w <= 0 or k + 1 >= n_t else (1 - w) * arr[:, k] + w * arr[:, k + 1]
    return out


def simulate_at(scenario: Scenario, obs: Observations, *, policy: str | None,
                n_samples: int, seed: SeedLike, processes: int = 1,
                samples: Mapping[str, FloatArray] | None = None
                ) -> tuple[Results, FloatArray, str]:
    """Run ``scenario`` up to the last observation; return results and matched values."""
    # the engine (and its worker pools) loads when a model runs, not with detente.analysis
    from detente.engine import simulate

    check_observed_variables(obs, scenario)
    horizon = horizon_for(scenario, obs)
    pol = policy or next(iter(scenario.policies))
    if pol not in scenario.policies:
        raise InputError(f"unknown policy {pol!r}; scenario '{scenario.name}' defines: "
                         f"{', '.join(scenario.policies)}.{did_you_mean(pol, scenario.policies)}")
    res = simulate(scenario, n_samples=n_samples, seed=seed, policies=[pol], horizon=horizon,
                   record=obs.names, processes=processes, samples=samples)
    return res, ensemble_at(res, obs, pol), pol


# --------------------------------------------------------------------------- scores
@dataclass(frozen=True)
class Excluded:
    """Observations kept out of the scores, and why.

    Attributes
    ----------
    start_anchor : int
        Dated on the scenario's start: inside every band by construction, so they only give
        the baselines' origin value.
    before_start : int
        Dated before the start: the engine does not simulate them; only the baselines use
        them (persistence its last value, trend its last year).
    """

    start_anchor: int = 0
    before_start: int = 0

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{"start_anchor": {"n", "why"}, "before_start": {"n", "why"}}``."""
        return {
            "start_anchor": {"n": self.start_anchor, "why": ANCHOR_WHY},
            "before_start": {"n": self.before_start, "why": BEFORE_WHY},
        }


ANCHOR_WHY = ("dated on the start: inside every band by construction; used only as the "
              "baselines' origin value")
BEFORE_WHY = ("dated before the start: not simulated; used only by the baselines "
              "(persistence: the last value; trend: the last year)")


def split_at_start(obs: Observations, start: dt.date) -> tuple[Observations, Excluded]:
    """Return the observations dated after ``start`` and what was left out."""
    after = [i for i, d in enumerate(obs.dates) if d > start]
    return obs.take(after), Excluded(
        start_anchor=sum(d == start for d in obs.dates),
        before_start=sum(d < start for d in obs.dates))


def binary_variables(scenario: Scenario) -> set[str]:
    """Names of the scenario's 0/1 outputs (unit ``switch``)."""
    return {n for n, v in output_variables(scenario).items() if v.unit == BINARY_UNIT}


def check_binary_values(obs: Observations, binary: set[str]) -> None:
    """Raise DataError at the first observation of a 0/1 output that is not 0 or 1."""
    for i, (var, x) in enumerate(zip(obs.variables, obs.values, strict=True)):
        if var in binary and x not in (0.0, 1.0):
            raise DataError(
                f"{obs.where(i)}: column 'value': '{var}' is a 0/1 variable (unit "
                f"{BINARY_UNIT}); expected 0 or 1, found {x:g}. It is scored by Brier and log "
                "scores of the ensemble's probability that it is 1."
            )


def baseline_forecasts(history: Observations, points: Observations, origin: dt.date, *,
                       window_days: float = scores.TREND_WINDOW_DAYS,
                       binary: Set[str] = frozenset()) -> dict[str, FloatArray]:
    """Forecasts of the baselines at each point, made at ``origin`` from ``history``.

    Each point's baselines come from the observations of its own variable and source:
    persistence (the last value on or before the origin) and trend (the least-squares line
    through the last ``window_days`` before it, clipped to [0, 1] for a 0/1 variable).
    NaN where the series has nothing on or before the origin.
    """
    out = {name: np.full(len(points), math.nan) for name in BASELINES}
    for var, src in points.series:
        idx = [i for i, key in enumerate(zip(points.variables, points.sources, strict=True))
               if key == (var, src)]
        dates, values = history.subset(var, src)
        targets = [points.dates[i] for i in idx]
        out["persistence"][idx] = scores.persistence(dates, values, origin, targets)
        line = scores.trend(dates, values, origin, targets, window_days)
        out["trend"][idx] = np.clip(line, 0.0, 1.0) if var in binary else line
    return out


def score_points(
    ens: FloatArray, points: Observations, history: Observations, *, origin: dt.date,
    binary: Set[str] = frozenset(), levels: Sequence[float] = DEFAULT_LEVELS,
    pit_bins: int = DEFAULT_PIT_BINS, seed: SeedLike = 0, confidence: float = 0.95,
    window_days: float = scores.TREND_WINDOW_DAYS,
) -> tuple[dict[str, dict[str, Any]], pd.DataFrame]:
    """Score an ensemble at each point and summarise per variable and source.

    Parameters
    ----------
    ens : FloatArray
        Ensemble values at each point, shape ``(n_points, m)`` (see :func:`ensemble_at`).
    points : Observations
        The points scored (all after ``origin``).
    history : Observations
        What the baselines may use (only observations on or before ``origin`` count).
    origin : datetime.date
        When the forecast was made (the scenario's start).
    binary : set of str
        Variables that are 0/1 (scored by Brier and log scores, not coverage and CRPS).
    levels : sequence of float
        Central band levels.
    pit_bins : int
        Bins of the PIT histograms and reliability tables.
    seed : int, SeedSequence or None
        Seed of the PIT randomisation between ties.
    confidence : float
        Level of the coverage intervals.
    window_days : float
        Window of the trend baseline.

    Returns
    -------
    variables : dict
        ``{variable: {"kind", **summary, "sources": {source: summary}}}``: the summary of
        all its points (every source together) and of each source; ``kind`` is
        ``continuous`` (:func:`~detente.analysis.scores.score_continuous`, coverage keyed
        by :func:`~detente.analysis.scores.level_tag`) or ``binary``
        (:func:`~detente.analysis.scores.score_binary`).
    table : pandas.DataFrame
        One row per point, in the order of ``points``: ``date, variable, source, kind,
        value``, the baselines' forecasts ``persistence, trend``; for a continuous variable
        ``median``, ``low_XX, high_XX, inside_XX`` per level, ``pit`` and ``crps``; for a
        0/1 variable ``p`` (the ensemble's share of members at 1), ``brier`` and ``log``.
    """
    import pandas as pd

    y = points.values
    is_bin = np.array([v in binary for v in points.variables], dtype=bool)
    base = baseline_forecasts(history, points, origin, window_days=window_days,
                              binary=set(binary))
    per_point = scores.point_columns(ens, y, is_bin, levels=levels,
                                     rng=np.random.default_rng(seed))
    prob, members, pit_v = per_point["p"], per_point.pop("members"), per_point["pit"]
    columns: dict[str, Any] = {
        "date": list(points.dates), "variable": list(points.variables),
        "source": list(points.sources),
        "kind": np.where(is_bin, "binary", "continuous"), "value": y, **per_point,
        **{name: base[name] for name in BASELINES}}
    table = pd.DataFrame(columns)

    series = points.series
    group_of = {key: g for g, key in enumerate(series)}
    groups = np.array([group_of[k] for k in zip(points.variables, points.sources, strict=True)],
                      dtype=np.int64)

    def summary(idx: list[int], binary_var: bool) -> dict[str, Any]:
        # in series order, dates increasing within each: what effective_n pairs
        order = sorted(idx, key=lambda i: (groups[i], points.dates[i]))
        bl = {name: base[name][order] for name in BASELINES}
        if binary_var:
            return scores.score_binary(prob[order], y[order], baselines=bl,
                                       n_members=members[order], bins=pit_bins)
        out = scores.score_continuous(
            ens[order], y[order], levels=levels, baselines=bl,
            rng=np.random.default_rng(seed), groups=groups[order], confidence=confidence,
            bins=pit_bins, pit_values=pit_v[order])
        out["coverage"] = {scores.level_tag(lv): c for lv, c in out["coverage"].items()}
        return out

    variables: dict[str, dict[str, Any]] = {}
    for var in points.names:
        binary_var = var in binary
        idx = [i for i, v in enumerate(points.variables) if v == var]
        entry: dict[str, Any] = {"kind": "binary" if binary_var else "continuous",
                                 **summary(idx, binary_var)}
        entry["sources"] = {
            src: summary([i for i in idx if points.sources[i] == src], binary_var)
            for v, src in series if v == var}
        variables[var] = entry
    return variables, table


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a per-point table (:attr:`Backtest.table_`) as CSV; return the path.

    Raises
    ------
    InputError
        When the file cannot be written.
    """
    p = Path(path)
    try:
        table.to_csv(p, index=False)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the table ({exc})") from exc
    return p


def points_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a per-point table as JSON-ready dicts (dates in ISO form, blanks ``None``)."""
    import pandas as pd

    records = []
    for row in table.to_dict(orient="records"):
        rec: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, dt.date):
                rec[k] = v.isoformat()
            elif v is pd.NA:
                rec[k] = None
            elif isinstance(v, np.bool_ | bool):
                rec[k] = bool(v)
            elif isinstance(v, np.floating | float):
                rec[k] = float(v)
            else:
                rec[k] = v
        records.append(rec)
    return records


# --------------------------------------------------------------------------- the estimator
class Backtest(Estimator):
    """Score a scenario's ensemble against observed series, beside two baselines.

    Parameters
    ----------
    n_samples : int
        Ensemble size.
    seed : int, SeedSequence or None
        Root seed of the simulation (and of the PIT randomisation).
    policy : str, optional
        Policy to score (default: the scenario's first; ``actual`` with a policy path).
    levels : sequence of float
        Central band levels whose coverage is scored.
    pit_bins : int
        Bins of the PIT histograms and reliability tables.
    processes : int
        Worker processes of the simulation.
    confidence : float
        Level of the binomial intervals of the coverages.
    trend_window_days : float
        Window of the trend baseline before the start.

    Attributes
    ----------
    scores_ : dict
        ``{variable: {"kind", **summary, "sources": {source: summary}}}`` (see
        :func:`score_points`).
    table_ : pandas.DataFrame
        One row per scored observation (see :func:`score_points`).
    excluded_ : Excluded
        Observations left out of the scores, and why.
    results_ : Results
        The simulation that was scored.
    policy_ : str
        The policy that was scored.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "scores_", "table_", "excluded_", "results_", "policy_")

    def __init__(
        self,
        *,
        n_samples: int = 1000,
        seed: SeedLike = 0,
        policy: str | None = None,
        levels: Sequence[float] = DEFAULT_LEVELS,
        pit_bins: int = DEFAULT_PIT_BINS,
        processes: int = 1,
        confidence: float = 0.95,
        trend_window_days: float = scores.TREND_WINDOW_DAYS,
    ) -> None:
        self.n_samples = n_samples
        self.seed = seed
        self.policy = policy
        self.levels = levels
        self.pit_bins = pit_bins
        self.processes = processes
        self.confidence = confidence
        self.trend_window_days = trend_window_days

    def fit(self, scenario: Scenario | str, observed: Observations | str | Path,
            policy_path: Policy | str | Path | None = None) -> Self:
        """Simulate ``scenario`` and score it against ``observed``.

        Parameters
        ----------
        scenario : Scenario or str
            A scenario, a built-in name or a file path.
        observed : Observations, str or Path
            Observations, or a CSV file of ``date, variable, value[, source]`` rows. Those
            dated on or before the scenario's start only feed the baselines.
        policy_path : Policy, str or Path, optional
            What actually happened, as a policy overlay (or a YAML file of one); run as the
            policy ``actual``.

        Returns
        -------
        Backtest
            ``self``, fitted.
        """
        for lv in self.levels:
            if not 0 < lv < 1:
                raise InputError(f"band levels must lie strictly between 0 and 1, found {lv}")
        if not 0 < self.confidence < 1:
            raise InputError("the confidence of the coverage intervals must lie strictly "
                             f"between 0 and 1, found {self.confidence}")
        sc, obs, policy = prepare(scenario, observed, policy_path, self.policy)
        check_observed_variables(obs, sc)
        binary = binary_variables(sc)
        check_binary_values(obs, binary)
        start = sc.time.start
        points, excluded = split_at_start(obs, start)
        if not len(points):
            raise DataError(
                f"{obs.name}: no observation after the scenario's start {start} to score "
                f"({excluded.start_anchor} on the start, {excluded.before_start} before it; "
                "those only feed the baselines). Add observations dated after the start."
            )
        res, ens, pol = simulate_at(sc, points, policy=policy, n_samples=self.n_samples,
                                    seed=self.seed, processes=self.processes)
        self.scores_, self.table_ = score_points(
            ens, points, obs, origin=start, binary=binary, levels=self.levels,
            pit_bins=self.pit_bins, seed=self.seed, confidence=self.confidence,
            window_days=self.trend_window_days)
        self.excluded_ = excluded
        self.results_ = res
        self.policy_ = pol
        return self

    def to_dict(self) -> dict[str, Any]:
        """Everything the backtest's tables show, and every point.

        Returns
        -------
        dict
            ``scenario``, ``policy``, ``start``, ``n_samples``, ``levels`` (their tags),
            ``confidence``, ``baselines`` (names), ``excluded``
            (:meth:`Excluded.to_dict`), ``variables`` (:attr:`scores_`) and ``points``
            (the rows of :attr:`table_`).
        """
        self.check_is_fitted("calling to_dict()")
        attrs = self.results_.ds.attrs
        return {
            "scenario": attrs["scenario"], "policy": self.policy_, "start": attrs["start"],
            "n_samples": int(attrs["n_samples"]),
            "levels": [scores.level_tag(lv) for lv in self.levels],
            "confidence": self.confidence, "baselines": list(BASELINES),
            "excluded": self.excluded_.to_dict(),
            "variables": self.scores_,
            "points": points_records(self.table_),
        }



def prepare(scenario: Scenario | str, observed: Observations | str | Path,
            policy_path: Policy | str | Path | None, policy: str | None
            ) -> tuple[Scenario, Observations, str | None]:
    """Load the scenario and observations and add the policy path, if any."""
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    obs = observed if isinstance(observed, Observations) else read_observations(observed)
    if policy_path is not None:
        if isinstance(policy_path, Policy):
            pol_obj = policy_path
            _check_policy_params("<policy path>", pol_obj, sc)
        else:
            pol_obj = read_policy_path(policy_path, sc)
        sc = with_policy(sc, pol_obj)
        if policy is None:
            policy = ACTUAL_POLICY
    return sc, obs, policy
