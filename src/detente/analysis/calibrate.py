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

The calibrated scenario replaces each chosen parameter's distribution by a normal with the
accepted samples' mean and standard deviation, truncated to the prior's support, and
records what was matched and how well in the parameter's ``note`` and in the scenario's
``description``. Only the marginals are kept: the engine draws parameters independently,
so correlations between the accepted parameters are lost (the notes say so).

Observations must lie on or after the scenario's start: the engine simulates forward from
it. To calibrate on, say, 2022–2023 data, give a scenario that starts in 2022.
"""

from __future__ import annotations

import datetime as dt
import math
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
        "adjusted_", "posterior_samples_", "results_", "policy_", "observed_", "distance_",
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
        if self.adjust == "regression" and err.shape[0] + 1 <= n_acc // MIN_PER_REGRESSOR:
            accepted = _regression_adjust(sc, accepted, err[:, acc].T, dist[acc], threshold)
            self.adjusted_ = True
        self.posterior_samples_ = accepted
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
                    f"{mean:.4g}, sd {sd:.4g}, 5-95 % [{q[0]:.4g}, {q[2]:.4g}]. Marginal "
                    "only: correlations with other calibrated parameters are not kept.")
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
        return Scenario.model_validate(data)

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
        }

    def write(self, path: str | Path) -> Path:
        """Write the calibrated scenario as YAML (atomically) and return the path."""
        self.check_is_fitted("calling write()")
        return dump_scenario(self.scenario_, path)


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


def _regression_adjust(sc: Scenario, accepted: pd.DataFrame, x: FloatArray,
                       dist: FloatArray, threshold: float) -> pd.DataFrame:
    """Adjust accepted values by Beaumont et al. (2002): ``theta - beta' (s - s_obs)``.

    ``beta`` comes from Epanechnikov-weighted least squares of the accepted values on their
    standardised errors ``x`` (shape ``(n_acc, n_obs)``; zero at the observations).
    Results are clipped to each prior's support.
    """
    if threshold > 0:
        w = np.clip(1.0 - (dist / threshold) ** 2, _MIN_WEIGHT, None)
    else:
        w = np.ones(dist.size)
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
