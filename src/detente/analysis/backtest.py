"""Scoring a scenario's projections against what happened.

:class:`Backtest` runs a scenario from its start date under a policy (by default its first;
with a *policy path*, an overlay of what actually happened, run as the policy ``actual``),
and scores the ensemble against observed values of model outputs:

* coverage of the central 50, 80 and 95 % bands: the share of observations inside them
  (a calibrated ensemble covers about 50, 80 and 95 %);
* CRPS, the continuous ranked probability score, in the variable's unit (lower is better;
  for a point forecast it is the absolute error), from the ensemble by the energy form
  ``E|X - y| - E|X - X'| / 2``;
* the PIT (probability integral transform) of each observation, ``P(X <= y)`` under the
  ensemble (randomised between ties), and its histogram: flat when calibrated,
  U-shaped when the bands are too narrow, hump-shaped when too wide, sloped when biased.

Observations are matched to the simulation at their dates, by linear interpolation between
the recorded time points; they must lie on or after the scenario's start. An observation
names a model output as the scenario's model names it: what a side owns is
``<side>.<name>`` (``blue.personnel``), so a series of each side is matched to that side's
variable whatever the sides are called (:func:`output_variables`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from detente._typing import FloatArray, SeedLike
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
DEFAULT_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.95)
#: Bins of the PIT histogram.
DEFAULT_PIT_BINS = 10
#: Name of the policy built from a policy path.
ACTUAL_POLICY = "actual"


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
    data = scenario.model_dump(by_alias=True)
    data["policies"] = {**data["policies"], name: policy.model_dump(by_alias=True)}
    return Scenario.model_validate(data)


# --------------------------------------------------------------------------- matching
def horizon_for(scenario: Scenario, obs: Observations) -> int:
    """Return the number of steps needed to reach the last observation (at least one)."""
    start = scenario.time.start
    for i, d in enumerate(obs.dates):
        if d < start:
            raise DataError(
                f"{obs.where(i)}: observation dated {d} is before the scenario's start "
                f"{start}. The engine simulates forward from the start, so observations are "
                "matched at their dates after it; to use earlier data, give a scenario that "
                "starts earlier (copy it and change time.start)."
            )
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
def crps_ensemble(samples: FloatArray, y: FloatArray) -> FloatArray:
    """CRPS of ensembles against observations, by the energy form.

    Parameters
    ----------
    samples : FloatArray
        Shape ``(n_obs, m)``: one ensemble per observation (NaN members are dropped).
    y : FloatArray
        Shape ``(n_obs,)``.

    Returns
    -------
    FloatArray
        ``mean|X - y| - mean|X - X'| / 2`` per observation (in the variable's unit).
    """
    out = np.empty(y.shape[0])
    for i in range(y.shape[0]):
        x = np.sort(samples[i][np.isfinite(samples[i])])
        m = x.size
        if m == 0:
            out[i] = math.nan
            continue
        first = float(np.mean(np.abs(x - y[i])))
        # sum over pairs |xi - xj| = 2 sum_k (2k - m - 1) x_(k), k = 1..m
        pairs = 2.0 * float(np.sum((2.0 * np.arange(1, m + 1) - m - 1.0) * x))
        out[i] = first - pairs / (2.0 * m * m)
    return out


def pit_values(samples: FloatArray, y: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Randomised PIT: ``(#X < y + V * #(X == y)) / m`` with ``V`` uniform(0, 1)."""
    finite = np.isfinite(samples)
    m = finite.sum(axis=1)
    below = np.sum((samples < y[:, None]) & finite, axis=1)
    ties = np.sum((samples == y[:, None]) & finite, axis=1)
    v = rng.random(y.shape[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(m > 0, (below + v * ties) / m, np.nan), dtype=np.float64)


def coverage_key(level: float) -> str:
    """JSON key of a band level: ``coverage_80`` for 0.8."""
    return f"coverage_{round(100 * level):d}"


def score_ensemble(
    ens: FloatArray, obs: Observations, *, levels: Sequence[float] = DEFAULT_LEVELS,
    pit_bins: int = DEFAULT_PIT_BINS, seed: SeedLike = 0,
) -> tuple[dict[str, dict[str, float]], pd.DataFrame]:
    """Scores per variable and a per-observation table.

    Parameters
    ----------
    ens : FloatArray
        Ensemble values at each observation, shape ``(n_obs, m)`` (see :func:`ensemble_at`).
    obs : Observations
        The observations.
    levels : sequence of float
        Central band levels.
    pit_bins : int
        Bins of the PIT histograms.
    seed : int, SeedSequence or None
        Seed of the PIT randomisation between ties.

    Returns
    -------
    scores : dict
        ``{variable: {coverage_50, coverage_80, coverage_95, crps, n_obs}}``.
    table : pandas.DataFrame
        One row per observation: ``date, variable, value, median``, the band edges
        ``low_XX, high_XX``, ``inside_XX``, ``pit`` and ``crps``.
    """
    import pandas as pd

    y = obs.values
    tails = [((1 - lv) / 2, (1 + lv) / 2) for lv in levels]
    qs = sorted({0.5, *[q for pair in tails for q in pair]})
    with np.errstate(all="ignore"):
        quant = np.nanquantile(ens, qs, axis=1)  # (len(qs), n_obs)
    qi = {q: quant[j] for j, q in enumerate(qs)}
    table = pd.DataFrame({"date": list(obs.dates), "variable": list(obs.variables),
                          "value": y, "median": qi[0.5]})
    for lv, (lo, hi) in zip(levels, tails, strict=True):
        tag = coverage_key(lv).removeprefix("coverage_")
        table[f"low_{tag}"] = qi[lo]
        table[f"high_{tag}"] = qi[hi]
        table[f"inside_{tag}"] = (y >= qi[lo]) & (y <= qi[hi])
    table["pit"] = pit_values(ens, y, np.random.default_rng(seed))
    table["crps"] = crps_ensemble(ens, y)
    scores: dict[str, dict[str, float]] = {}
    for var in obs.names:
        sub = table[table["variable"] == var]
        entry: dict[str, float] = {}
        for lv in levels:
            tag = coverage_key(lv).removeprefix("coverage_")
            entry[coverage_key(lv)] = float(sub[f"inside_{tag}"].mean())
        entry["crps"] = float(sub["crps"].mean())
        entry["n_obs"] = len(sub)
        scores[var] = entry
    return scores, table


def pit_histogram(pit: FloatArray, bins: int = DEFAULT_PIT_BINS) -> FloatArray:
    """Count PIT values in ``bins`` equal bins of [0, 1]."""
    counts, _ = np.histogram(pit[np.isfinite(pit)], bins=bins, range=(0.0, 1.0))
    return np.asarray(counts, dtype=np.float64)


# --------------------------------------------------------------------------- the estimator
class Backtest(Estimator):
    """Score a scenario's ensemble against observed series.

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
        Bins of the PIT histograms.
    processes : int
        Worker processes of the simulation.

    Attributes
    ----------
    scores_ : dict
        ``{variable: {coverage_50, coverage_80, coverage_95, crps, n_obs}}``.
    table_ : pandas.DataFrame
        One row per observation (see :func:`score_ensemble`).
    pit_ : dict of str to FloatArray
        PIT values per variable.
    pit_hist_ : dict of str to FloatArray
        PIT histogram counts per variable.
    results_ : Results
        The simulation that was scored.
    policy_ : str
        The policy that was scored.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "scores_", "table_", "pit_", "pit_hist_", "results_", "policy_")

    def __init__(
        self,
        *,
        n_samples: int = 1000,
        seed: SeedLike = 0,
        policy: str | None = None,
        levels: Sequence[float] = DEFAULT_LEVELS,
        pit_bins: int = DEFAULT_PIT_BINS,
        processes: int = 1,
    ) -> None:
        self.n_samples = n_samples
        self.seed = seed
        self.policy = policy
        self.levels = levels
        self.pit_bins = pit_bins
        self.processes = processes

    def fit(self, scenario: Scenario | str, observed: Observations | str | Path,
            policy_path: Policy | str | Path | None = None) -> Self:
        """Simulate ``scenario`` and score it against ``observed``.

        Parameters
        ----------
        scenario : Scenario or str
            A scenario, a built-in name or a file path.
        observed : Observations, str or Path
            Observations, or a CSV file of ``date, variable, value`` rows.
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
        sc, obs, policy = prepare(scenario, observed, policy_path, self.policy)
        res, ens, pol = simulate_at(sc, obs, policy=policy, n_samples=self.n_samples,
                                    seed=self.seed, processes=self.processes)
        scores, table = score_ensemble(ens, obs, levels=self.levels, pit_bins=self.pit_bins,
                                       seed=self.seed)
        self.scores_ = scores
        self.table_ = table
        self.pit_ = {v: table.loc[table["variable"] == v, "pit"].to_numpy(dtype=np.float64)
                     for v in obs.names}
        self.pit_hist_ = {v: pit_histogram(p, self.pit_bins) for v, p in self.pit_.items()}
        self.results_ = res
        self.policy_ = pol
        return self

    def to_dict(self) -> dict[str, Any]:
        """``{"variables": {NAME: {coverage_50, coverage_80, coverage_95, crps, n_obs}}}``."""
        self.check_is_fitted("calling to_dict()")
        return {"variables": {v: dict(s) for v, s in self.scores_.items()}}


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
