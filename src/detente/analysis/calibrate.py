"""Calibrating a scenario's uncertain parameters to observed series.

:class:`Calibrator` narrows the distributions of chosen parameters by approximate Bayesian
computation (ABC) by rejection:

1. run the scenario's ensemble with every uncertain parameter drawn from its distribution
   (the prior; the engine's Latin hypercube), from the start date up to the last
   observation;
2. match each observation at its date (linear interpolation between recorded points) and
   standardise the error by the spread of the prior ensemble there;
3. the distance of a sample is the root mean square of its standardised errors, averaged
   first within each variable, so that every observed variable counts equally;
4. accept the ``accept`` share of samples with the smallest distances; their values of the
   chosen parameters approximate the posterior.

The calibrated scenario keeps the accepted samples themselves, with their weights (equal
after rejection; the Epanechnikov kernel's after the regression adjustment), as a table of
joint posterior draws beside it (``posterior:``, :mod:`detente.scenario.posterior`): the
engine draws each sample's calibrated parameters as one row, so their correlations are
kept. Each chosen parameter's distribution becomes a normal with the accepted samples' mean
and standard deviation, truncated to the prior's support, for what reads one distribution
(the central run, designs over the parameters); what was matched and how well goes in the
parameter's ``note`` and in the scenario's ``description``. A posterior that piles up on a
bound of its prior (more than :data:`BOUND_MASS` of its weight in the outer
:data:`BOUND_SHARE` of the prior's range) is warned of (:attr:`Calibrator.warnings_`): the
prior may be too narrow there.

:meth:`Calibrator.write` edits the scenario's own file when it has one (a YAML file or a
built-in): only the calibrated parameters' entries, ``name``, ``description`` and the
``posterior`` line change, and every comment and every other line stays as it was.

Observations must lie on or after the scenario's start: the engine simulates forward from
it. To calibrate on, say, 2022–2023 data, give a scenario that starts in 2022.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.analysis._base import Estimator
from detente.analysis._data import Observations, did_you_mean
from detente.analysis.backtest import ACTUAL_POLICY, prepare, simulate_at
from detente.errors import InputError
from detente.results.schema import param_var
from detente.scenario.builtin import builtin_names, builtin_path
from detente.scenario.loading import SourceMap, read_scenario_file
from detente.scenario.posterior import (
    POSTERIOR_SUFFIX,
    WEIGHT_COLUMN,
    PosteriorDraws,
    write_posterior,
)
from detente.scenario.schema import Policy, Scenario

if TYPE_CHECKING:
    import pandas as pd

#: Fewest accepted samples for a usable posterior.
MIN_ACCEPTED = 20
#: Quantiles reported for each accepted parameter.
REPORT_QUANTILES = (0.05, 0.5, 0.95)
#: Band whose coverage of the observations is recorded (prior vs accepted).
RECORD_BAND = 0.8
#: Accepted samples needed per regressor (observation) for the regression adjustment.
MIN_PER_REGRESSOR = 3
#: Weight of the farthest accepted sample (the Epanechnikov kernel would give it zero).
_MIN_WEIGHT = 1e-3
#: Share of the prior's range at each end where a posterior's weight is watched.
BOUND_SHARE = 0.05
#: Weight in that share above which the posterior is said to pile up on the bound.
BOUND_MASS = 0.2
#: Longest scenario name allowed by the schema.
_MAX_NAME = 64
_SUFFIX = "-calibrated"


class Calibrator(Estimator):
    """ABC-rejection calibration of chosen scenario parameters.

    Parameters
    ----------
    params : sequence of str
        Parameters to calibrate; each must carry a distribution in the scenario.
    n_samples : int
        Prior samples simulated.
    accept : float
        Share of samples accepted (those closest to the observations).
    seed : int, SeedSequence or None
        Root seed of the simulation.
    policy : str, optional
        Policy to run (default: the scenario's first; ``actual`` with a policy path).
    adjust : {"regression", "none"}
        ``"regression"``: correct the accepted values by a local-linear regression on the
        standardised errors (Beaumont, Zhang & Balding 2002), which removes most of the
        blur a finite acceptance share leaves; skipped (as ``"none"``) when there are too
        few accepted samples for the number of observations.
    processes : int
        Worker processes of the simulation.

    Attributes
    ----------
    distance_ : FloatArray
        Distance of every sample (RMS standardised error).
    accepted_ : numpy.ndarray
        Indices of the accepted samples.
    threshold_ : float
        Largest accepted distance.
    prior_ : pandas.DataFrame
        Every sample's values of the chosen parameters (file units).
    posterior_samples_ : pandas.DataFrame
        The accepted values (regression-adjusted when ``adjusted_``).
    weights_ : FloatArray
        Each accepted sample's weight, summing to one: equal after rejection, the
        Epanechnikov kernel's of its distance after the regression adjustment.
    warnings_ : tuple of str
        A sentence for each calibrated parameter whose posterior piles up on a bound of its
        prior.
    source_ : Path or None
        The scenario's YAML file, which :meth:`write` edits (None: a scenario given as an
        object or read from TOML; :meth:`write` then writes it whole).
    adjusted_ : bool
        Whether the regression adjustment was applied.
    posterior_ : pandas.DataFrame
        Summary per chosen parameter: prior and accepted mean, sd and quantiles.
    fit_ : dict
        How well the observations are matched: median distance and 80 % band coverage,
        prior vs accepted.
    scenario_ : Scenario
        The calibrated scenario.
    results_ : Results
        The prior ensemble.
    policy_ : str
        The policy that was run.
    observed_ : Observations
        The observations calibrated on.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "adjusted_", "posterior_samples_", "weights_", "warnings_", "source_", "results_",
        "policy_", "observed_", "distance_",
        "accepted_", "threshold_", "prior_", "posterior_", "fit_", "scenario_")

    def __init__(
        self,
        params: Sequence[str],
        *,
        n_samples: int = 2000,
        accept: float = 0.1,
        seed: SeedLike = 0,
        policy: str | None = None,
        adjust: Literal["regression", "none"] = "regression",
        processes: int = 1,
    ) -> None:
        self.params = params
        self.n_samples = n_samples
        self.accept = accept
        self.seed = seed
        self.policy = policy
        self.adjust = adjust
        self.processes = processes

    def fit(self, scenario: Scenario | str, observed: Observations | str | Path,
            policy_path: Policy | str | Path | None = None) -> Self:
        """Calibrate ``scenario`` to ``observed``.

        Parameters
        ----------
        scenario : Scenario or str
            A scenario, a built-in name or a file path.
        observed : Observations, str or Path
            Observations, or a CSV file of ``date, variable, value`` rows.
        policy_path : Policy, str or Path, optional
            What happened over the observation window, as a policy overlay (run as
            ``actual``).

        Returns
        -------
        Calibrator
            ``self``, fitted.
        """
        import pandas as pd

        if not 0 < self.accept < 1:
            raise InputError(f"accept must lie strictly between 0 and 1, found {self.accept}")
        n_acc = round(self.accept * self.n_samples)
        if n_acc < MIN_ACCEPTED:
            raise InputError(
                f"accept x samples = {n_acc} accepted samples; need at least {MIN_ACCEPTED} "
                "(raise n_samples or accept)")
        source = _source_file(scenario)
        sc, obs, policy = prepare(scenario, observed, policy_path, self.policy)
        names = list(self.params)
        if not names:
            raise InputError("no parameters to calibrate; name at least one in params")
        for p in names:
            if p not in sc.table:
                raise InputError(f"unknown parameter {p!r} in scenario '{sc.name}'."
                                 f"{did_you_mean(p, sc.table)}")
            if not sc.table[p].distribution.is_uncertain:
                raise InputError(
                    f"parameter {p!r} has a fixed value in scenario '{sc.name}'; give it a "
                    "distribution (its prior) in the scenario file to calibrate it")
        res, ens, pol = simulate_at(sc, obs, policy=policy, n_samples=self.n_samples,
                                    seed=self.seed, processes=self.processes)
        if self.adjust not in ("regression", "none"):
            raise InputError(f"adjust must be 'regression' or 'none', found {self.adjust!r}")
        dist, err = _distances(ens, obs)
        order = np.argsort(dist, kind="stable")
        acc = np.sort(order[:n_acc])
        threshold = float(dist[order[n_acc - 1]])
        prior = pd.DataFrame({p: res[param_var(p)].values.astype(np.float64)
                              for p in names})
        accepted = prior.iloc[acc].reset_index(drop=True)
        self.adjusted_ = False
        weights = np.ones(n_acc)
        if self.adjust == "regression" and err.shape[0] + 1 <= n_acc // MIN_PER_REGRESSOR:
            weights = _kernel(dist[acc], threshold)
            accepted = _regression_adjust(sc, accepted, err[:, acc].T, weights)
            self.adjusted_ = True
        self.posterior_samples_ = accepted
        self.weights_ = weights / weights.sum()
        self.warnings_ = _bound_warnings(sc, prior, accepted, self.weights_)
        self.source_ = source
        self.results_ = res
        self.policy_ = pol
        self.observed_ = obs
        self.distance_ = dist
        self.accepted_ = acc
        self.threshold_ = threshold
        self.prior_ = prior
        self.posterior_ = _summaries(prior, accepted)
        self.fit_ = _fit_quality(ens, obs, dist, acc)
        self.scenario_ = self._calibrated(sc, obs, pol, prior, accepted)
        return self

    # ------------------------------------------------------------------ output
    def _calibrated(self, sc: Scenario, obs: Observations, policy: str, prior: pd.DataFrame,
                    accepted: pd.DataFrame) -> Scenario:
        today = dt.date.today().isoformat()
        where = Path(obs.name).name
        variables = ", ".join(obs.names)
        data = sc.model_dump(by_alias=True)
        if policy == ACTUAL_POLICY and ACTUAL_POLICY in data["policies"]:
            del data["policies"][ACTUAL_POLICY]  # the policy path is not part of the scenario
        n_acc = len(accepted)
        file = f"{data['name']}{POSTERIOR_SUFFIX}"
        how = ("ABC rejection with local-linear regression adjustment" if self.adjusted_
               else "ABC rejection")
        for p in prior.columns:
            par = sc.parameters[p]
            assert par.dist is not None  # checked in fit
            low, high = par.dist.support()
            vals = accepted[p].to_numpy()
            mean, sd = float(np.mean(vals)), float(np.std(vals, ddof=1))
            if not sd > 0:
                sd = max(abs(mean), 1.0) * 1e-6
            new: dict[str, Any] = {"dist": "truncnormal", "mean": mean, "sd": sd}
            if math.isfinite(low):
                new["low"] = low
            if math.isfinite(high):
                new["high"] = high
            q = np.quantile(vals, REPORT_QUANTILES)
            prior_desc = ", ".join(f"{k}={v}" for k, v in
                                   par.dist.model_dump(by_alias=True).items())
            note = (f"Calibrated by {how} (detente calibrate, {today}) on {where}: "
                    f"{len(obs)} observations of {variables}, policy '{policy}'. Prior "
                    f"{prior_desc}; accepted {n_acc} of {len(prior)} samples: mean "
                    f"{mean:.4g}, sd {sd:.4g}, 5-95 % [{q[0]:.4g}, {q[2]:.4g}]. Samples "
                    "draw it jointly with the other calibrated parameters from the "
                    "posterior table; this distribution is its marginal summary.")
            entry = data["parameters"][p]
            entry["dist"] = new
            entry["note"] = (entry.get("note") + " | " if entry.get("note") else "") + note
        f = self.fit_
        first, last = min(obs.dates), max(obs.dates)
        summary = (
            f"Calibrated with detente calibrate on {today}: {', '.join(prior.columns)} "
            f"narrowed by {how} against {where} ({len(obs)} observations of "
            f"{variables}, {first} to {last}, matched at their dates after the start "
            f"{sc.time.start} under policy '{policy}'). Fit (RMS error in prior-ensemble "
            f"standard deviations): median {f['distance_prior_median']:.3g} over the prior, "
            f"{f['distance_accepted_median']:.3g} over the accepted samples (threshold "
            f"{self.threshold_:.3g}); {round(100 * RECORD_BAND)} % band coverage of the "
            f"observations {f['coverage_prior']:.0%} (prior) -> "
            f"{f['coverage_accepted']:.0%} (accepted)."
        )
        data["description"] = (data.get("description") or "").rstrip() + \
            ("\n\n" if data.get("description") else "") + summary
        base = sc.name if sc.name.endswith(_SUFFIX) else sc.name + _SUFFIX
        data["name"] = base[:_MAX_NAME]
        # a table of the scenario's own posterior that leaves calibrated parameters out
        # keeps drawing the others; these draws replace it
        data["posterior"] = {"file": file, "weights": WEIGHT_COLUMN, "note": (
            f"{n_acc} accepted samples with their weights, by {how} on {where} "
            f"(detente calibrate, {today})")}
        out = Scenario.model_validate(data)
        out.__dict__["draws"] = PosteriorDraws(
            file, tuple(prior.columns), accepted.to_numpy(dtype=np.float64),
            self.weights_, data["posterior"]["note"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: parameters (prior and accepted), fit quality, acceptance."""
        self.check_is_fitted("calling to_dict()")
        params = {str(r["param"]): {k: float(v) for k, v in r.items() if k != "param"}
                  for r in self.posterior_.to_dict(orient="records")}
        return {
            "scenario": self.scenario_.name,
            "policy": self.policy_,
            "n_samples": int(self.distance_.size),
            "n_accepted": int(self.accepted_.size),
            "adjusted": self.adjusted_,
            "threshold": self.threshold_,
            "params": params,
            "fit": dict(self.fit_),
            "warnings": list(self.warnings_),
        }

    def write(self, path: str | Path) -> Path:
        """Write the calibrated scenario as YAML and its posterior draws beside it.

        The draws go to ``NAME.posterior.csv`` beside ``path`` (``NAME`` its stem). With
        a source file (:attr:`source_`), the scenario is that file edited: only the
        calibrated parameters' entries, ``name``, ``description`` and ``posterior``
        change, and every comment and other line stays. Both are written atomically.

        Returns
        -------
        Path
            The scenario written.
        """
        self.check_is_fitted("calling write()")
        p = Path(path)
        csv = p.with_name(p.stem + POSTERIOR_SUFFIX)
        ref = self.scenario_.posterior
        assert ref is not None  # set by fit
        sc = self.scenario_.model_copy(
            update={"posterior": ref.model_copy(update={"file": csv.name})})
        if not p.parent.is_dir():
            raise InputError(f"{path}: folder {p.parent} does not exist")
        write_posterior(csv, {c: self.posterior_samples_[c].to_numpy()
                              for c in self.posterior_samples_.columns}, self.weights_)
        text = None
        if self.source_ is not None:
            text = _edited(self.source_, sc, list(self.posterior_samples_.columns))
        # an edit that does not read back as the calibrated scenario is not written
        if text is not None and _write_edited(p, text, sc):
            return p
        return dump_scenario(sc, p)


def _distances(ens: FloatArray, obs: Observations) -> tuple[FloatArray, FloatArray]:
    """Distance per sample and the standardised errors ``(n_obs, n_samples)``.

    The distance is the RMS standardised error, each variable weighted equally;
    observations where the prior ensemble has no spread are left out (error 0).
    """
    spread = np.nanstd(ens, axis=1)
    informative = spread > 0
    err = (ens - obs.values[:, None]) / np.where(informative, spread, 1.0)[:, None]
    err = np.where(informative[:, None] & np.isfinite(err), err, 0.0)
    total = np.zeros(ens.shape[1])
    n_var = 0
    variables = np.array(obs.variables)
    for var in obs.names:
        rows = (variables == var) & informative
        if not rows.any():
            continue
        total += np.mean(err[rows] ** 2, axis=0)
        n_var += 1
    if n_var == 0:
        raise InputError(f"{obs.name}: every observation falls where the ensemble has no "
                         "spread (e.g. at the start date); nothing to calibrate on")
    d = np.sqrt(total / n_var)
    d = np.where(np.all(np.isfinite(ens), axis=0), d, np.inf)
    return np.asarray(d, dtype=np.float64), err


def _kernel(dist: FloatArray, threshold: float) -> FloatArray:
    """Epanechnikov weight of each accepted distance (never below :data:`_MIN_WEIGHT`)."""
    if threshold > 0:
        return np.asarray(np.clip(1.0 - (dist / threshold) ** 2, _MIN_WEIGHT, None),
                          dtype=np.float64)
    return np.ones(dist.size)


def _regression_adjust(sc: Scenario, accepted: pd.DataFrame, x: FloatArray,
                       w: FloatArray) -> pd.DataFrame:
    """Adjust accepted values by Beaumont et al. (2002): ``theta - beta' (s - s_obs)``.

    ``beta`` comes from least squares of the accepted values on their standardised errors
    ``x`` (shape ``(n_acc, n_obs)``; zero at the observations), weighted by ``w`` (the
    Epanechnikov kernel's). Results are clipped to each prior's support.
    """
    design = np.column_stack([np.ones(x.shape[0]), x])
    sw = np.sqrt(w)[:, None]
    out = accepted.copy()
    for p in accepted.columns:
        theta = accepted[p].to_numpy(dtype=np.float64)
        coef, *_ = np.linalg.lstsq(design * sw, theta * sw[:, 0], rcond=None)
        adjusted = theta - x @ coef[1:]
        dist_p = sc.parameters[p].dist
        if dist_p is not None:
            low, high = dist_p.support()
            adjusted = np.clip(adjusted, low, high)
        out[p] = adjusted
    return out


def _bound_warnings(sc: Scenario, prior: pd.DataFrame, accepted: pd.DataFrame,
                    weights: FloatArray) -> tuple[str, ...]:
    """Say where a posterior piles up on a bound of its prior.

    The prior's range is its support, or where it is unbounded the prior samples' extreme;
    a posterior piles up on a bound when more than :data:`BOUND_MASS` of its weight lies in
    the outer :data:`BOUND_SHARE` of that range.
    """
    out: list[str] = []
    for p in accepted.columns:
        dist = sc.parameters[p].dist
        assert dist is not None  # checked in fit
        low, high = dist.support()
        drawn = prior[p].to_numpy(dtype=np.float64)
        low = low if math.isfinite(low) else float(np.min(drawn))
        high = high if math.isfinite(high) else float(np.max(drawn))
        span = high - low
        if not span > 0:
            continue
        vals = accepted[p].to_numpy(dtype=np.float64)
        for side, near in (("lower", vals <= low + BOUND_SHARE * span),
                           ("upper", vals >= high - BOUND_SHARE * span)):
            mass = float(weights[near].sum())
            if mass > BOUND_MASS:
                out.append(f"{p}: {mass:.0%} of the posterior's weight lies in the {side} "
                           f"{BOUND_SHARE:.0%} of its prior's range [{low:.4g}, {high:.4g}]: "
                           "the prior may cut the posterior off there (widen it if the "
                           "evidence allows)")
    return tuple(out)


def _summaries(prior: pd.DataFrame, accepted: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for p in prior.columns:
        row: dict[str, Any] = {"param": p}
        for tag, v in (("prior", prior[p].to_numpy()), ("accepted", accepted[p].to_numpy())):
            row[f"{tag}_mean"] = float(np.mean(v))
            row[f"{tag}_sd"] = float(np.std(v, ddof=1))
            for q, val in zip(REPORT_QUANTILES, np.quantile(v, REPORT_QUANTILES), strict=True):
                row[f"{tag}_q{round(100 * q):02d}"] = float(val)
        rows.append(row)
    return pd.DataFrame(rows)


def _fit_quality(ens: FloatArray, obs: Observations, dist: FloatArray,
                 acc: np.ndarray) -> dict[str, float]:
    lo, hi = (1 - RECORD_BAND) / 2, (1 + RECORD_BAND) / 2

    def coverage(e: FloatArray) -> float:
        q = np.nanquantile(e, [lo, hi], axis=1)
        return float(np.mean((obs.values >= q[0]) & (obs.values <= q[1])))

    return {
        "distance_prior_median": float(np.median(dist)),
        "distance_accepted_median": float(np.median(dist[acc])),
        "coverage_prior": coverage(ens),
        "coverage_accepted": coverage(ens[:, acc]),
    }


def _source_file(scenario: Scenario | str | Path) -> Path | None:
    """Return the YAML file a scenario named by path or built-in name is read from, or None."""
    if isinstance(scenario, Scenario):
        return None
    text = str(scenario).strip()
    if Path(text).is_file():
        path = Path(text)
    elif text in builtin_names():
        path = builtin_path(text)
    else:
        return None
    return path if path.suffix.lower() in (".yaml", ".yml") else None


# --------------------------------------------------------------------------- editing a file
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _/.()\-]*")


def _scalar(value: Any) -> str:
    """One YAML scalar on one line: plain where that reads back the same, else quoted."""
    import yaml

    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value == value.strip() and \
                yaml.safe_load(value) == value:
            return value
        return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML's double-quoted
    return str(yaml.safe_dump(value, default_flow_style=True)).removesuffix("\n...\n").strip()


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in mapping.items()) + "}"


def _entry(par: Any) -> dict[str, Any]:
    """Return a parameter as a file writes it: its distribution's fields first, inline."""
    data: dict[str, Any] = par.model_dump(mode="json", by_alias=True, exclude_none=True)
    dist = data.pop("dist", None)
    if isinstance(dist, dict):
        data.pop("value", None)
        data = {**{k: v for k, v in dist.items() if v is not None}, **data}
    if not data.get("note"):
        data.pop("note", None)
    return data


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_aside(line: str) -> bool:
    """Tell a blank or comment-only line (it belongs to no field)."""
    return not line.strip() or line.lstrip().startswith("#")


def _span(lines: list[str], smap: SourceMap, path: tuple[str, ...]) -> tuple[int, int, int]:
    """Lines ``[start, stop)`` that field ``path`` is written on, and its key's indent.

    The comments and blank lines after it are left to what follows.
    """
    pos = smap.where(path, at="key")
    assert pos is not None  # the field is in the file
    start, indent = pos[0] - 1, pos[1] - 1
    stop = start + 1
    while stop < len(lines) and (_is_aside(lines[stop]) or _indent(lines[stop]) > indent):
        stop += 1
    while stop - 1 > start and _is_aside(lines[stop - 1]):
        stop -= 1
    return start, stop, indent


def _parameter_lines(lines: list[str], span: tuple[int, int, int], name: str,
                     entry: dict[str, Any]) -> list[str]:
    """Return the calibrated entry, written as the original was: one flow line or a block."""
    import yaml

    start, stop, indent = span
    pad = " " * indent
    first = lines[start]
    value = first.split(":", 1)[1].strip() if ":" in first else ""
    if stop - start == 1 and value.startswith("{"):
        close = first.rfind("}")
        rest = first[close + 1:].rstrip("\n")
        comment = rest if rest.strip().startswith("#") else ""
        return [f"{pad}{name}: {_flow(entry)}{comment}\n"]
    block = yaml.safe_dump({name: entry}, sort_keys=False, allow_unicode=True, width=100)
    return [pad + line + "\n" for line in block.splitlines()]


def _description_lines(lines: list[str], span: tuple[int, int, int] | None,
                       text: str) -> list[str]:
    """Return the new description: the old lines with the summary folded on, if that reads back.

    Else the whole description as the YAML library writes it.
    """
    import yaml

    if span is not None:
        start, stop, _ = span
        head = lines[start].split(":", 1)[1].strip() if ":" in lines[start] else ""
        old = lines[start:stop]
        if head in (">", ">-") and stop - start > 1:
            pad = " " * _indent(lines[start + 1])
            tail = text.rsplit("\n\n", 1)[-1]
            kept = [*old, "\n", "\n",
                    *(pad + line + "\n" for line in textwrap.wrap(tail, 90, break_long_words=False,
                                                         break_on_hyphens=False))]
            if yaml.safe_load("".join(kept)) == {"description": text}:
                return kept
    dumped = yaml.safe_dump({"description": text}, allow_unicode=True, width=92)
    return dumped.splitlines(keepends=True)


def _edited(source: Path, scenario: Scenario, params: Sequence[str]) -> str | None:
    """Return the text of ``source`` with the calibration written in, every other line kept.

    None when the file cannot be edited so (it does not read as a mapping).
    """
    data, smap, _problems, _bad = read_scenario_file(source)
    if not isinstance(data, dict) or "parameters" not in data or "name" not in data:
        return None
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    edits: list[tuple[int, int, list[str]]] = []
    for name in params:
        span = _span(lines, smap, ("parameters", name))
        edits.append((span[0], span[1], _parameter_lines(
            lines, span, name, _entry(scenario.parameters[name]))))
    start, stop, _ = _span(lines, smap, ("name",))
    edits.append((start, stop, [f"name: {scenario.name}\n"]))
    if "description" in data:
        span = _span(lines, smap, ("description",))
        edits.append((span[0], span[1],
                      _description_lines(lines, span, scenario.description)))
    else:
        after = _span(lines, smap, ("title",))[1]
        edits.append((after, after, _description_lines(lines, None, scenario.description)))
    ref = scenario.posterior
    assert ref is not None  # the calibration sets it
    line = f"posterior: {_flow(ref.model_dump(exclude_none=True))}\n"
    if "posterior" in data:
        start, stop, _ = _span(lines, smap, ("posterior",))
        edits.append((start, stop, [line]))
    else:  # above the parameters and the comments that head them
        at = _span(lines, smap, ("parameters",))[0]
        while at > 0 and lines[at - 1].lstrip().startswith("#"):
            at -= 1
        edits.append((at, at, [line, "\n"]))
    for start, stop, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[start:stop] = new
    return "".join(lines)


def _write_edited(path: Path, text: str, scenario: Scenario) -> bool:
    """Write ``text`` to ``path`` atomically if it reads back as ``scenario``."""
    tmp = path.with_name(f".{path.stem}.part{path.suffix}")  # read back as the suffix says
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            data, _smap, problems, _bad = read_scenario_file(tmp)
            same = not problems and (Scenario.model_validate(data).model_dump()
                                     == scenario.model_dump())
        except ValueError:  # pydantic's and the reader's errors alike
            same = False
        if not same:
            tmp.unlink()
            return False
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the calibrated scenario ({exc.strerror})"
                         ) from exc
    return True


def dump_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` as YAML with distributions written inline, atomically.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    path : str or Path
        Destination (``.yaml``); its folder must exist.

    Returns
    -------
    Path
        The written file.
    """
    import yaml

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for name, par in data["parameters"].items():
        dist = par.pop("dist", None)
        if isinstance(dist, dict):
            par.pop("value", None)
            inline = {k: v for k, v in dist.items() if v is not None}
            data["parameters"][name] = {**inline, **par}
    p = Path(path)
    if not p.parent.is_dir():
        raise InputError(f"{path}: folder {p.parent} does not exist")
    tmp = p.with_name(p.name + ".part")
    try:
        tmp.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
                       encoding="utf-8")
        tmp.replace(p)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the calibrated scenario ({exc.strerror})"
                         ) from exc
    return p


__all__ = ["Calibrator", "dump_scenario"]
