"""Calibrating a scenario's uncertain parameters to observed series.

:class:`Calibrator` narrows the distributions of chosen parameters by approximate Bayesian
computation (ABC), with one of two methods:

* ``method="smc"`` (the default): sequential Monte Carlo ABC with ELFI
  (:mod:`detente.analysis.abc_smc`): a population of particles moves through generations
  of falling thresholds, each generation's proposals simulated in whole batches, one
  engine ensemble per batch; the last generation, with its importance weights, is the
  posterior;
* ``method="rejection"``: one prior ensemble (the engine's Latin hypercube), of which the
  ``accept`` share closest to the observations is kept, optionally corrected by a
  local-linear regression (Beaumont, Zhang & Balding 2002).

**The distance** is the same for both. Every uncertain parameter is drawn from its
distribution (the prior) in a prior ensemble run from the start up to the last
observation (under SMC, a pilot of ``n_samples`` that fixes the distance's scale once, so
that every generation's threshold means the same); each observation is matched at its
date (linear interpolation between recorded points) and:

1. its *miss* is the simulated value minus the observed one; for a row with a range or a
   bound (``low``/``high``, :class:`~detente.analysis.Observations`) the distance from the
   range, zero inside it (a lower bound, as Oryx's confirmed losses are, counts only when
   the model is below it);
2. the miss is standardised by ``sqrt(s**2 + sd**2)``, where ``s`` is the prior
   ensemble's spread there and ``sd`` the row's own uncertainty (0 when not given);
3. within each variable the squared standardised errors are summed and divided by the
   rows' *information* ``sum(w)``, ``w = s**2 / (s**2 + sd**2)`` (1 for a row without an
   sd): a row whose sd is as wide as the prior's spread counts half, one three times as
   wide a tenth. This is a weighted mean, with weights ``w``, of each row's squared error
   in prior spreads, ``(miss / s)**2``, so a source whose rows carry a wide sd (a side's claims of
   the other's losses) pulls less, and a variable given by such a source alone still
   counts as one variable, not less;
4. the distance is the root of the mean of those per-variable terms: every observed
   variable counts equally. Rows where the prior ensemble has no spread (the start) are
   left out.

**Calibrating before the scenario's start**: with ``origin``, the scenario is restarted
there (:func:`detente.analysis.hindcast.restart`: the state from the record at the origin,
the unobserved state's priors widened) and calibrated on the observations after it; a
variable counted from the start is rebased to the origin as hindcasts rebase it. The
calibrated parameters are not state (a parameter that describes the start is refused), so
their posterior is written for the original scenario and applies at its own start.

The calibrated scenario keeps the posterior particles themselves, with their weights (the
SMC importance weights; equal after rejection, the Epanechnikov kernel's after the
regression adjustment), as a table of joint posterior draws beside it (``posterior:``,
:mod:`detente.scenario.posterior`): the engine draws each sample's calibrated parameters
as one row, so their correlations are kept. Each chosen parameter's distribution becomes a
normal with the particles' weighted mean and standard deviation, truncated to the prior's
support, for what reads one distribution (the central run, designs over the parameters);
what was matched and how well goes in the parameter's ``note`` and in the scenario's
``description``.

**Diagnostics** (:attr:`Calibrator.diagnostics_`, :meth:`Calibrator.to_dict`): per
generation the threshold, acceptance rate, simulations and effective sample size of the
weights; the prior's and the posterior's quantiles (:attr:`Calibrator.posterior_`) and 80 %
band coverage of the observations. Warnings (:attr:`Calibrator.warnings_`): a posterior
that piles up on a bound of its prior (more than :data:`BOUND_MASS` of its weight in the
outer :data:`BOUND_SHARE` of the prior's range: the prior may be too narrow there); an
effective sample size below :data:`ESS_FLOOR` of the particles; a last generation that
accepted less than :data:`MIN_ACCEPT_RATE` of its proposals; observations left out.

:meth:`Calibrator.write` edits the scenario's own file when it has one (a YAML file or a
built-in): only the calibrated parameters' entries, ``name``, ``description`` and the
``posterior`` line change, and every comment and every other line stays as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.analysis._base import Estimator
from detente.analysis._data import Observations, did_you_mean, read_observations
from detente.analysis.abc_smc import (
    DEFAULT_GENERATIONS,
    DEFAULT_POPULATION,
    DEFAULT_QUANTILE,
    Generation,
    SmcPosterior,
    effective_sample_size,
    run_smc,
)
from detente.analysis.backtest import (
    ACTUAL_POLICY,
    check_after_start,
    check_observed_variables,
    output_variables,
    prepare,
    simulate_at,
)
from detente.analysis.hindcast import (
    BUNDLED,
    DEFAULT_WIDEN,
    STATE_WINDOW_DAYS,
    _last_before,
    bundled_record,
    parse_origins,
    restart,
    start_state,
)
from detente.engine.streams import seed_sequence
from detente.errors import DataError, InputError
from detente.results.schema import param_var
from detente.scenario.builtin import builtin_names, builtin_path
from detente.scenario.loading import SourceMap, load_scenario, read_scenario_file
from detente.scenario.posterior import (
    POSTERIOR_SUFFIX,
    WEIGHT_COLUMN,
    PosteriorDraws,
    write_posterior,
)
from detente.scenario.schema import Policy, Scenario

if TYPE_CHECKING:
    import pandas as pd

#: Calibration methods.
Method = Literal["smc", "rejection"]
METHODS: tuple[Method, ...] = ("smc", "rejection")
#: Fewest accepted samples (or particles) for a usable posterior.
MIN_ACCEPTED = 20
#: Quantiles reported for each accepted parameter.
REPORT_QUANTILES = (0.05, 0.5, 0.95)
#: Band whose coverage of the observations is recorded (prior vs posterior).
RECORD_BAND = 0.8
#: Accepted samples needed per regressor (observation) for the regression adjustment.
MIN_PER_REGRESSOR = 3
#: Weight of the farthest accepted sample (the Epanechnikov kernel would give it zero).
_MIN_WEIGHT = 1e-3
#: Share of the prior's range at each end where a posterior's weight is watched.
BOUND_SHARE = 0.05
#: Weight in that share above which the posterior is said to pile up on the bound.
BOUND_MASS = 0.2
#: Effective sample size, as a share of the particles, below which the weights are warned of.
ESS_FLOOR = 0.25
#: Acceptance rate of the last generation below which it is warned of.
MIN_ACCEPT_RATE = 0.02
#: Longest scenario name allowed by the schema.
_MAX_NAME = 64
_SUFFIX = "-calibrated"
#: ``progress(stage, done, total)``.
OnStage = Callable[[str, int, int], None]


class Calibrator(Estimator):
    """ABC calibration of chosen scenario parameters: batch ABC-SMC or rejection.

    Parameters
    ----------
    params : sequence of str
        Parameters to calibrate; each must carry a distribution in the scenario.
    method : {"smc", "rejection"}
        ``"smc"``: ABC-SMC with ELFI (the ``calibrate`` extra), one engine ensemble per
        batch of particles; ``"rejection"``: ABC by rejection from one prior ensemble.
    population : int
        SMC: particles per generation (the posterior's size).
    generations : int
        SMC: generations, the first drawn from the prior.
    quantile : float
        SMC: each generation's threshold is this quantile of the previous generation's
        weighted distances (the first keeps this share of its prior draws).
    batch_size : int, optional
        SMC: particles simulated per engine call (default: ``population``).
    n_samples : int
        Prior samples simulated: rejection's ensemble; SMC's pilot, which fixes the
        distance's scale and gives the prior's diagnostics.
    accept : float
        Rejection: share of samples accepted (those closest to the observations).
    seed : int, SeedSequence or None
        Root seed: the same seed gives the same posterior.
    policy : str, optional
        Policy to run (default: the scenario's first; ``actual`` with a policy path).
    adjust : {"auto", "regression", "none"}
        ``"regression"``: correct rejection's accepted values by a local-linear regression
        on the standardised errors (Beaumont, Zhang & Balding 2002), which removes most of
        the blur a finite acceptance share leaves; skipped (as ``"none"``) when there are
        too few accepted samples for the number of observations. ``"auto"``: regression
        for rejection, none for SMC (whose last threshold is already tight).
    origin : datetime.date or str, optional
        Calibrate on the record after this date, with the scenario restarted there
        (:func:`~detente.analysis.hindcast.restart`); the posterior is written for the
        scenario itself. A string is a date ``YYYY-MM-DD`` or a month ``YYYY-MM``.
    widen : float
        With ``origin``: how fast the unobserved state's priors widen per year away from
        the scenario's as-of date (:func:`~detente.analysis.hindcast.widened_parameter`).
    processes : int
        Worker processes of each simulation.

    Attributes
    ----------
    method_ : str
        The method used.
    distance_ : FloatArray
        Distance of every prior sample (rejection's ensemble, SMC's pilot).
    accepted_ : numpy.ndarray
        Rejection: indices of the accepted prior samples. SMC: empty (its particles are
        not prior samples).
    threshold_ : float
        Largest distance accepted in the last generation.
    prior_ : pandas.DataFrame
        Every prior sample's values of the chosen parameters (file units).
    posterior_samples_ : pandas.DataFrame
        The posterior particles (regression-adjusted when ``adjusted_``).
    weights_ : FloatArray
        Each particle's weight, summing to one.
    particle_distance_ : FloatArray
        Each particle's distance.
    generations_ : tuple of Generation
        Threshold, simulations, acceptance rate and effective sample size per generation
        (rejection: one).
    n_sim_ : int
        Simulations run in all (SMC: the pilot's and every generation's).
    engine_calls_ : int
        Ensembles the engine ran (SMC: the pilot and one per batch).
    origin_ : datetime.date or None
        Where the scenario was restarted to calibrate it.
    excluded_ : list of dict
        Observations left out (date, variable, source, reason).
    warnings_ : tuple of str
        A sentence for each problem the diagnostics found (see the module docstring).
    diagnostics_ : dict
        Everything the calibration reports on itself, JSON-ready (see :meth:`to_dict`).
    source_ : Path or None
        The scenario's YAML file, which :meth:`write` edits (None: a scenario given as an
        object or read from TOML; :meth:`write` then writes it whole).
    adjusted_ : bool
        Whether the regression adjustment was applied.
    posterior_ : pandas.DataFrame
        Summary per chosen parameter: prior and posterior (``accepted_*``) mean, sd and
        quantiles, the posterior's weighted.
    fit_ : dict
        How well the observations are matched: median distance and 80 % band coverage,
        prior vs posterior (``*_accepted``).
    scenario_ : Scenario
        The calibrated scenario.
    results_ : Results
        The prior ensemble.
    policy_ : str
        The policy that was run.
    observed_ : Observations
        The observations calibrated on (after the origin, rebased, with ``origin``).
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "method_", "adjusted_", "posterior_samples_", "weights_", "particle_distance_",
        "generations_", "n_sim_", "engine_calls_", "origin_", "excluded_", "warnings_",
        "diagnostics_", "source_", "results_", "policy_", "observed_", "distance_",
        "accepted_", "threshold_", "prior_", "posterior_", "fit_", "scenario_")

    def __init__(
        self,
        params: Sequence[str],
        *,
        method: Method = "smc",
        population: int = DEFAULT_POPULATION,
        generations: int = DEFAULT_GENERATIONS,
        quantile: float = DEFAULT_QUANTILE,
        batch_size: int | None = None,
        n_samples: int = 2000,
        accept: float = 0.1,
        seed: SeedLike = 0,
        policy: str | None = None,
        adjust: Literal["auto", "regression", "none"] = "auto",
        origin: dt.date | str | None = None,
        widen: float = DEFAULT_WIDEN,
        processes: int = 1,
    ) -> None:
        self.params = params
        self.method = method
        self.population = population
        self.generations = generations
        self.quantile = quantile
        self.batch_size = batch_size
        self.n_samples = n_samples
        self.accept = accept
        self.seed = seed
        self.policy = policy
        self.adjust = adjust
        self.origin = origin
        self.widen = widen
        self.processes = processes

    # ------------------------------------------------------------------ fit
    def fit(self, scenario: Scenario | str, observed: Observations | str | Path | None = None,
            policy_path: Policy | str | Path | None = None, *,
            progress: OnStage | None = None) -> Self:
        """Calibrate ``scenario`` to ``observed``.

        Parameters
        ----------
        scenario : Scenario or str
            A scenario, a built-in name or a file path.
        observed : Observations, str, Path or None
            Observations, or a CSV file of ``date, variable, value[, source, sd, low,
            high]`` rows; None: the scenario's bundled record
            (:func:`~detente.analysis.hindcast.bundled_record`).
        policy_path : Policy, str or Path, optional
            What happened over the observation window, as a policy overlay (run as
            ``actual``).
        progress : callable, optional
            ``progress(stage, done, total)``: ``"prior ensemble"`` (once done) and, under
            SMC, ``"ABC-SMC generations"`` after each batch.

        Returns
        -------
        Calibrator
            ``self``, fitted.

        Raises
        ------
        InputError
            On bad configuration, an unknown parameter or one without a distribution, a
            parameter that describes the start with ``origin``, or an origin outside the
            record.
        DataError
            On observations that do not fit (an unknown variable, one before the start
            without ``origin``, none after the origin), named by file and line.
        MissingDependencyError
            With ``method="smc"`` when ELFI (the ``calibrate`` extra) is not installed.
        """
        import pandas as pd

        method = self._check_config()
        source = _source_file(scenario)
        sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
        sc, obs, policy = prepare(sc, _observed_or_bundled(sc, observed), policy_path,
                                  self.policy)
        names = _checked_params(sc, self.params)
        origin = _as_origin(self.origin)
        check_observed_variables(obs, sc)
        run_sc, obs, excluded = _setup(sc, obs, origin, names, self.widen)
        if method == "smc":
            # fail before any simulation when the extra is missing
            from detente._optional import import_optional

            import_optional("elfi", extra="calibrate", purpose="ABC-SMC calibration")
        res, ens, pol = simulate_at(run_sc, obs, policy=policy, n_samples=self.n_samples,
                                    seed=self.seed, processes=self.processes)
        if progress is not None:
            progress("prior ensemble", self.n_samples, self.n_samples)
        spread = prior_spread(ens)
        dist, err = distances(ens, obs, spread)
        prior = pd.DataFrame({p: res[param_var(p)].values.astype(np.float64)
                              for p in names})
        self.adjusted_ = False
        if method == "rejection":
            n_acc = round(self.accept * self.n_samples)
            order = np.argsort(dist, kind="stable")
            acc = np.sort(order[:n_acc])
            threshold = float(dist[order[n_acc - 1]])
            accepted = prior.iloc[acc].reset_index(drop=True)
            weights = np.ones(n_acc)
            if self.adjust != "none" and err.shape[0] + 1 <= n_acc // MIN_PER_REGRESSOR:
                weights = _kernel(dist[acc], threshold)
                accepted = _regression_adjust(sc, accepted, err[:, acc].T, weights)
                self.adjusted_ = True
            self.weights_ = weights / weights.sum()
            matched, particle_dist = ens[:, acc], dist[acc]
            one = Generation(0, threshold, self.n_samples, n_acc / self.n_samples,
                             effective_sample_size(self.weights_))
            self.generations_: tuple[Generation, ...] = (one,)
            self.n_sim_, self.engine_calls_ = self.n_samples, 1
            self.accepted_ = acc
        else:
            post = self._smc(run_sc, obs, pol, names, spread, progress)
            accepted = pd.DataFrame(post.values, columns=list(names))
            self.weights_ = post.weights
            matched, particle_dist = post.matched, post.distances
            self.generations_ = post.generations
            self.n_sim_ = self.n_samples + post.n_sim
            self.engine_calls_ = 1 + post.engine_calls
            self.accepted_ = np.empty(0, dtype=np.intp)
            threshold = post.generations[-1].threshold
        self.method_ = method
        self.posterior_samples_ = accepted
        self.particle_distance_ = particle_dist
        self.source_ = source
        self.results_ = res
        self.policy_ = pol
        self.observed_ = obs
        self.origin_ = origin
        self.excluded_ = excluded
        self.distance_ = dist
        self.threshold_ = threshold
        self.prior_ = prior
        self.posterior_ = _summaries(prior, accepted, self.weights_)
        self.fit_ = _fit_quality(ens, obs, dist, matched, particle_dist,
                                 None if method == "rejection" else self.weights_)
        self.warnings_ = (*_bound_warnings(sc, accepted, self.weights_),
                          *self._weight_warnings(), *_excluded_warnings(excluded))
        self.diagnostics_ = self._diagnostics()
        self.scenario_ = self._calibrated(sc, obs, pol, prior, accepted)
        return self

    def _check_config(self) -> Method:
        """Check the configuration before anything is read or run; return the method."""
        if self.method not in METHODS:
            raise InputError(f"method must be 'smc' or 'rejection', found {self.method!r}")
        if self.adjust not in ("auto", "regression", "none"):
            raise InputError(f"adjust must be 'auto', 'regression' or 'none', found "
                             f"{self.adjust!r}")
        if not (isinstance(self.n_samples, int) and self.n_samples >= 2):
            raise InputError(f"n_samples must be an integer >= 2, found {self.n_samples!r}")
        if not (math.isfinite(self.widen) and self.widen >= 0):
            raise InputError(f"widen must be a number >= 0 (per year), found {self.widen!r}")
        if self.method == "rejection":
            if not 0 < self.accept < 1:
                raise InputError(f"accept must lie strictly between 0 and 1, found "
                                 f"{self.accept}")
            n_acc = round(self.accept * self.n_samples)
            if n_acc < MIN_ACCEPTED:
                raise InputError(
                    f"accept x samples = {n_acc} accepted samples; need at least "
                    f"{MIN_ACCEPTED} (raise n_samples or accept)")
            return "rejection"
        if self.adjust == "regression":
            raise InputError("adjust='regression' corrects rejection's accepted samples; "
                             "with method='smc' use adjust='auto' or 'none'")
        if not (isinstance(self.population, int) and self.population >= MIN_ACCEPTED):
            raise InputError(f"population must be an integer >= {MIN_ACCEPTED} (particles "
                             f"per generation), found {self.population!r}")
        if not (isinstance(self.generations, int) and self.generations >= 1):
            raise InputError(f"generations must be a positive integer, found "
                             f"{self.generations!r}")
        if not 0 < self.quantile < 1:
            raise InputError(f"quantile must lie strictly between 0 and 1, found "
                             f"{self.quantile}")
        if self.batch_size is not None and not (
                isinstance(self.batch_size, int) and self.batch_size >= 1):
            raise InputError(f"batch_size must be a positive integer, found "
                             f"{self.batch_size!r}")
        return "smc"

    def _smc(self, run_sc: Scenario, obs: Observations, policy: str, names: Sequence[str],
             spread: FloatArray, progress: OnStage | None) -> SmcPosterior:
        """Run ABC-SMC, each batch of particles one ensemble of ``run_sc``."""

        def simulate(values: Mapping[str, FloatArray], seed: np.random.SeedSequence
                     ) -> FloatArray:
            n = len(next(iter(values.values())))
            return simulate_at(run_sc, obs, policy=policy, n_samples=n, seed=seed,
                               processes=self.processes, samples=values)[1]

        def distance(matched: FloatArray) -> FloatArray:
            return distances(matched, obs, spread)[0]

        stage = "ABC-SMC generations"
        return run_smc(
            {p: run_sc.table[p].distribution for p in names}, simulate, distance,
            np.asarray(obs.values, dtype=np.float64), root=seed_sequence(self.seed),
            population=self.population, generations=self.generations,
            quantile=self.quantile, batch_size=self.batch_size,
            progress=None if progress is None else
            (lambda done, total: progress(stage, done, total)))

    def _weight_warnings(self) -> tuple[str, ...]:
        out = []
        n = self.weights_.size
        ess = effective_sample_size(self.weights_)
        if ess < ESS_FLOOR * n:
            out.append(f"the posterior's effective sample size is {ess:.0f} of {n} "
                       f"particles (below {ESS_FLOOR:.0%}): a few particles carry most of "
                       "the weight; raise the population (or, under SMC, the quantile)")
        last = self.generations_[-1]
        if self.method_ == "smc" and last.accept_rate < MIN_ACCEPT_RATE:
            out.append(f"the last generation accepted {last.accept_rate:.1%} of its "
                       f"{last.n_sim} proposals (below {MIN_ACCEPT_RATE:.0%}): its "
                       f"threshold {last.threshold:.3g} is near the closest the model comes "
                       "to the observations; more generations would cost much and narrow "
                       "little, and the posterior may be fitting noise")
        return tuple(out)

    # ------------------------------------------------------------------ output
    def _how(self) -> str:
        """Name the method as notes and descriptions do."""
        if self.method_ == "smc":
            return (f"ABC-SMC (ELFI; {len(self.generations_)} generations of "
                    f"{self.weights_.size} particles, {self.n_sim_} simulations)")
        return ("ABC rejection with local-linear regression adjustment" if self.adjusted_
                else "ABC rejection")

    def _diagnostics(self) -> dict[str, Any]:
        f = self.fit_
        gens = [g.to_dict() for g in self.generations_]
        return {
            "method": self.method_,
            "origin": None if self.origin_ is None else self.origin_.isoformat(),
            "particles": int(self.weights_.size),
            "prior_samples": int(self.distance_.size),
            "simulations": int(self.n_sim_),
            "engine_calls": int(self.engine_calls_),
            "generations": gens,
            "ess": effective_sample_size(self.weights_),
            "threshold": float(self.threshold_),
            "band": RECORD_BAND,
            "coverage": {"prior": f["coverage_prior"], "posterior": f["coverage_accepted"]},
            "excluded": [{**e, "date": e["date"].isoformat()} for e in self.excluded_],
        }

    def _calibrated(self, sc: Scenario, obs: Observations, policy: str, prior: pd.DataFrame,
                    accepted: pd.DataFrame) -> Scenario:
        today = dt.date.today().isoformat()
        where = Path(obs.name).name
        variables = ", ".join(obs.names)
        data = sc.model_dump(by_alias=True, exclude_none=True)
        if policy == ACTUAL_POLICY and ACTUAL_POLICY in data["policies"]:
            del data["policies"][ACTUAL_POLICY]  # the policy path is not part of the scenario
        n_acc = len(accepted)
        file = f"{data['name']}{POSTERIOR_SUFFIX}"
        how = self._how()
        ess = effective_sample_size(self.weights_)
        kept = (f"accepted {n_acc} of {len(prior)} samples" if self.method_ == "rejection"
                else f"{n_acc} particles after {len(self.generations_)} generations "
                     f"({self.n_sim_} simulations; effective sample size {ess:.0f})")
        for p in prior.columns:
            par = sc.parameters[p]
            assert par.dist is not None  # checked in fit
            low, high = par.dist.support()
            vals = accepted[p].to_numpy(dtype=np.float64)
            mean, sd, q = _weighted_stats(vals, self.weights_)
            if not sd > 0:
                sd = max(abs(mean), 1.0) * 1e-6
            new: dict[str, Any] = {"dist": "truncnormal", "mean": mean, "sd": sd}
            if math.isfinite(low):
                new["low"] = low
            if math.isfinite(high):
                new["high"] = high
            prior_desc = ", ".join(f"{k}={v}" for k, v in
                                   par.dist.model_dump(by_alias=True).items())
            note = (f"Calibrated by {how} (detente calibrate, {today}) on {where}: "
                    f"{len(obs)} observations of {variables}, policy '{policy}'"
                    f"{self._origin_clause(sc)}. Prior {prior_desc}; {kept}: mean "
                    f"{mean:.4g}, sd {sd:.4g}, 5-95 % [{q[0]:.4g}, {q[2]:.4g}]. Samples "
                    "draw it jointly with the other calibrated parameters from the "
                    "posterior table; this distribution is its marginal summary.")
            entry = data["parameters"][p]
            entry["dist"] = new
            entry["note"] = (entry.get("note") + " | " if entry.get("note") else "") + note
        f = self.fit_
        first, last = min(obs.dates), max(obs.dates)
        after = (f"after the start {sc.time.start}" if self.origin_ is None else
                 f"after the origin {self.origin_}")
        per_gen = "; ".join(
            f"{g.index + 1}: {g.threshold:.3g}, {g.accept_rate:.0%}, {g.ess:.0f}"
            for g in self.generations_)
        generations = ("" if self.method_ == "rejection" else
                       f" Generations (threshold, acceptance, effective sample size): "
                       f"{per_gen}.")
        summary = (
            f"Calibrated with detente calibrate on {today}: {', '.join(prior.columns)} "
            f"narrowed by {how} against {where} ({len(obs)} observations of "
            f"{variables}, {first} to {last}, matched at their dates {after} under policy "
            f"'{policy}'{self._origin_clause(sc)}). Fit (RMS error in prior-ensemble "
            f"standard deviations): median {f['distance_prior_median']:.3g} over the prior, "
            f"{f['distance_accepted_median']:.3g} over the posterior (threshold "
            f"{self.threshold_:.3g}); {round(100 * RECORD_BAND)} % band coverage of the "
            f"observations {f['coverage_prior']:.0%} (prior) -> "
            f"{f['coverage_accepted']:.0%} (posterior).{generations}"
        )
        data["description"] = (data.get("description") or "").rstrip() + \
            ("\n\n" if data.get("description") else "") + summary
        base = sc.name if sc.name.endswith(_SUFFIX) else sc.name + _SUFFIX
        data["name"] = base[:_MAX_NAME]
        # a table of the scenario's own posterior that leaves calibrated parameters out
        # keeps drawing the others; these draws replace it
        data["posterior"] = {"file": file, "weights": WEIGHT_COLUMN, "note": (
            f"{n_acc} posterior particles with their weights, by {how} on {where} "
            f"(detente calibrate, {today})")}
        out = Scenario.model_validate(data)
        out.__dict__["draws"] = PosteriorDraws(
            file, tuple(prior.columns), accepted.to_numpy(dtype=np.float64),
            self.weights_, data["posterior"]["note"])
        return out

    def _origin_clause(self, sc: Scenario) -> str:
        if self.origin_ is None:
            return ""
        return (f", restarted on {self.origin_} from the record's state there; the "
                f"calibrated parameters are not state, so this posterior applies at the "
                f"scenario's start {sc.time.start}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: parameters (prior and posterior), fit, diagnostics, warnings.

        Returns
        -------
        dict
            ``scenario``, ``policy``, ``method``, ``n_samples`` (prior samples),
            ``n_accepted`` (particles), ``adjusted``, ``threshold``, ``params`` (per
            parameter: prior and posterior mean, sd and quantiles), ``fit``,
            ``diagnostics`` (:attr:`diagnostics_`: per generation threshold, acceptance
            rate, simulations and effective sample size; simulations and engine calls in
            all; coverage prior vs posterior; observations left out) and ``warnings``.
        """
        self.check_is_fitted("calling to_dict()")
        params = {str(r["param"]): {k: float(v) for k, v in r.items() if k != "param"}
                  for r in self.posterior_.to_dict(orient="records")}
        return {
            "scenario": self.scenario_.name,
            "policy": self.policy_,
            "method": self.method_,
            "n_samples": int(self.distance_.size),
            "n_accepted": int(self.weights_.size),
            "adjusted": self.adjusted_,
            "threshold": self.threshold_,
            "params": params,
            "fit": dict(self.fit_),
            "diagnostics": self.diagnostics_,
            "warnings": list(self.warnings_),
        }

    def write(self, path: str | Path) -> Path:
        """Write the calibrated scenario as YAML and its posterior draws beside it.

        The draws go to ``NAME.posterior.csv`` beside ``path`` (``NAME`` its stem). With
        a source file (:attr:`source_`), the scenario is that file edited: only the
        calibrated parameters' entries, ``name``, ``description`` and ``posterior``
        change, and every comment and other line stays; written over that file itself,
        the scenario keeps its name. Both are written atomically.

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
        update: dict[str, Any] = {"posterior": ref.model_copy(update={"file": csv.name})}
        if self.source_ is not None and p.resolve() == self.source_.resolve() \
                and self.scenario_.name.endswith(_SUFFIX):
            # calibrated in place: the file stays the scenario it was (a built-in keeps
            # the name it is loaded by)
            update["name"] = self.scenario_.name[:-len(_SUFFIX)]
        sc = self.scenario_.model_copy(update=update)
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


# --------------------------------------------------------------------------- set-up
def _observed_or_bundled(sc: Scenario, observed: Observations | str | Path | None
                         ) -> Observations | str | Path:
    if observed is not None:
        return observed
    bundled = bundled_record(sc)
    if bundled is None:
        raise InputError(f"scenario '{sc.name}' has no bundled record ({BUNDLED}/"
                         f"{sc.name}.csv); give the observations (a CSV of date, variable, "
                         "value[, source, sd, low, high])")
    return read_observations(bundled)


def _checked_params(sc: Scenario, params: Sequence[str]) -> list[str]:
    names = list(params)
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
    dup = sorted({p for p in names if names.count(p) > 1})
    if dup:
        raise InputError(f"parameter(s) {', '.join(dup)} named twice in params")
    return names


def _as_origin(origin: dt.date | str | None) -> dt.date | None:
    if origin is None or isinstance(origin, dt.date):
        return origin
    dates = parse_origins(origin, what="origin")
    if len(dates) != 1:
        raise InputError(f"origin: expected one date, found {len(dates)} in {origin!r}")
    return dates[0]


def _setup(sc: Scenario, obs: Observations, origin: dt.date | None, names: Sequence[str],
           widen: float) -> tuple[Scenario, Observations, list[dict[str, Any]]]:
    """Return the scenario to run, the observations to match and those left out.

    Without an origin: ``sc`` itself, every observation (each on or after its start).
    With one: ``sc`` restarted at the origin, the observations after it (a count from
    the start rebased to the origin).
    """
    if origin is None:
        check_after_start(sc, obs, "restart the scenario at an earlier origin from the "
                                   "record (origin=..., detente calibrate --from DATE)")
        return sc, obs, []
    first, last = min(obs.dates), max(obs.dates)
    if origin < first:
        raise InputError(f"origin {origin} is before the record starts ({first}, "
                         f"{obs.name}): nothing is known of the state then")
    state = start_state(sc, origin, obs, widen=widen)
    for p in names:
        if p in state:
            raise InputError(
                f"parameter {p!r} describes the state at the start; with an origin the "
                f"restart on {origin} takes the state from the record there (or widens "
                "its prior), and a posterior for it would not apply at the scenario's "
                "own start. Calibrate parameters that are not state, or leave out the "
                "origin")
    after = [i for i, d in enumerate(obs.dates) if d > origin]
    if not after:
        raise DataError(f"{obs.name}: no observation after the origin {origin} to "
                        f"calibrate on (the record ends {last}); give a record that goes "
                        "past the origin, or an earlier origin")
    kept, excluded, rebased = _rebased(sc, obs, origin, after)
    if not kept:
        raise DataError(f"{obs.name}: no observation after the origin {origin} can be "
                        "matched: " + "; ".join(sorted({e['reason'] for e in excluded})))
    months = (last.year - origin.year) * 12 + last.month - origin.month + 1
    # the calibration fits the record to its end: the war's events known by then are in it
    return restart(sc, origin, obs, widen=widen, months=max(1, months), known=last), \
        rebased.take(kept), excluded


def _rebased(sc: Scenario, obs: Observations, origin: dt.date, rows: Sequence[int]
             ) -> tuple[list[int], list[dict[str, Any]], Observations]:
    """Rebase the rows of counts from the start to ``origin``; say which cannot be.

    A variable counted from the start (``from_start``) is the record's value minus (or,
    for an index, divided by) the same series' value at the origin, as hindcasts rebase
    it; a row whose series has no value at the origin is left out.
    """
    specs = output_variables(sc)
    values, sd, low, high = (a.copy() for a in (obs.values, obs.sd, obs.low, obs.high))
    kept: list[int] = []
    excluded: list[dict[str, Any]] = []
    for i in rows:
        var, src = obs.variables[i], obs.sources[i]
        how = specs[var].from_start
        if how is None:
            kept.append(i)
            continue
        i0 = _last_before(obs, var, src, origin, STATE_WINDOW_DAYS)
        reason = None
        if i0 is None:
            reason = (f"counted from the start, and nothing observed in the "
                      f"{STATE_WINDOW_DAYS} days up to the origin to rebase to")
        elif how == "ratio" and obs.values[i0] == 0:
            reason = "an index relative to the start, and 0 at the origin"
        if reason is not None or i0 is None:
            excluded.append({"date": obs.dates[i], "variable": var, "source": src,
                             "reason": reason})
            continue
        y0 = float(obs.values[i0])
        if how == "difference":
            values[i], low[i], high[i] = values[i] - y0, low[i] - y0, high[i] - y0
        else:
            values[i], low[i], high[i] = values[i] / y0, low[i] / y0, high[i] / y0
            sd[i] = sd[i] / abs(y0)
        kept.append(i)
    out = Observations(obs.name, obs.dates, obs.variables, values, obs.lines, obs.sources,
                       sd, low, high)
    return kept, excluded, out


def _excluded_warnings(excluded: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    if not excluded:
        return ()
    counts: dict[tuple[str, str], int] = {}
    for e in excluded:
        key = (str(e["variable"]), str(e["reason"]))
        counts[key] = counts.get(key, 0) + 1
    return tuple(f"{n} observation{'s' if n > 1 else ''} of {var} left out: {reason}"
                 for (var, reason), n in counts.items())


# --------------------------------------------------------------------------- the distance
def prior_spread(ens: FloatArray) -> FloatArray:
    """Spread of the prior ensemble at each observation, the distance's scale ``s``.

    Parameters
    ----------
    ens : FloatArray
        Simulated values at the observations, shape ``(n_obs, n_samples)``.

    Returns
    -------
    FloatArray
        The standard deviation over samples, shape ``(n_obs,)``.
    """
    return np.asarray(np.nanstd(ens, axis=1), dtype=np.float64)


def misses(ens: FloatArray, obs: Observations) -> FloatArray:
    """Return simulated minus observed values; for a range or a bound, the distance from it.

    Parameters
    ----------
    ens : FloatArray
        Simulated values at the observations, shape ``(n_obs, n)``.
    obs : Observations
        The observations.

    Returns
    -------
    FloatArray
        Shape ``(n_obs, n)``: zero inside a row's range, negative below it, positive
        above.
    """
    point = ens - obs.values[:, None]
    bounded = obs.bounded
    if not bounded.any():
        return np.asarray(point, dtype=np.float64)
    low = np.where(np.isnan(obs.low), -np.inf, obs.low)[:, None]
    high = np.where(np.isnan(obs.high), np.inf, obs.high)[:, None]
    with np.errstate(invalid="ignore"):
        ranged = np.where(ens < low, ens - low, np.where(ens > high, ens - high, 0.0))
    return np.asarray(np.where(bounded[:, None], ranged, point), dtype=np.float64)


def distances(ens: FloatArray, obs: Observations, spread: FloatArray | None = None
              ) -> tuple[FloatArray, FloatArray]:
    """Distance per sample and the standardised errors ``(n_obs, n_samples)``.

    The rule is the module docstring's: each miss (:func:`misses`) over ``sqrt(s**2 +
    sd**2)``; per variable, the squared errors' sum over the rows' information ``sum(s**2
    / (s**2 + sd**2))``; the root of the mean over variables. Observations where the prior
    ensemble has no spread are left out (error 0); a sample with a non-finite value
    anywhere is infinitely far.

    Parameters
    ----------
    ens : FloatArray
        Simulated values at the observations, shape ``(n_obs, n_samples)``.
    obs : Observations
        The observations.
    spread : FloatArray, optional
        The scale ``s`` per observation (default: ``ens``'s own, :func:`prior_spread`).

    Raises
    ------
    InputError
        When every observation falls where the prior has no spread.
    """
    s = prior_spread(ens) if spread is None else spread
    informative = s > 0
    sd = np.nan_to_num(obs.sd, nan=0.0)
    own = sd > 0
    scale = np.where(own, np.hypot(s, sd), s)
    info = np.where(own, np.square(s / np.where(own, scale, 1.0)), 1.0)
    err = misses(ens, obs) / np.where(informative, scale, 1.0)[:, None]
    err = np.where(informative[:, None] & np.isfinite(err), err, 0.0)
    total = np.zeros(ens.shape[1])
    n_var = 0
    variables = np.array(obs.variables)
    for var in obs.names:
        rows = (variables == var) & informative
        if not rows.any():
            continue
        if own[rows].any():
            total += np.sum(err[rows] ** 2, axis=0) / float(np.sum(info[rows]))
        else:
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


# --------------------------------------------------------------------------- diagnostics
def weighted_quantile(values: FloatArray, weights: FloatArray, q: Sequence[float]
                      ) -> FloatArray:
    """Quantiles ``q`` of weighted values (the weighted empirical CDF, interpolated).

    Each value sits at the middle of its weight's step of the CDF; quantiles between
    interpolate linearly, those outside take the extreme value.
    """
    order = np.argsort(values, kind="stable")
    x = np.asarray(values, dtype=np.float64)[order]
    w = np.asarray(weights, dtype=np.float64)[order]
    at = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.asarray(np.interp(np.asarray(q, dtype=np.float64), at, x), dtype=np.float64)


def _weighted_stats(values: FloatArray, weights: FloatArray
                    ) -> tuple[float, float, FloatArray]:
    """Mean, sd and :data:`REPORT_QUANTILES` of weighted values (equal weights: plain)."""
    if np.all(weights == weights[0]):
        return (float(np.mean(values)), float(np.std(values, ddof=1)),
                np.quantile(values, REPORT_QUANTILES))
    w = weights / weights.sum()
    mean = float(w @ values)
    # the unbiased estimate for reliability weights
    var = float(w @ np.square(values - mean)) / max(1.0 - float(w @ w), 1e-12)
    return mean, math.sqrt(var), weighted_quantile(values, w, REPORT_QUANTILES)


def _bound_warnings(sc: Scenario, accepted: pd.DataFrame, weights: FloatArray
                    ) -> tuple[str, ...]:
    """Say where a posterior piles up on a bound (or the far tail) of its prior.

    Measured in the prior's own quantiles, so a skewed prior (a lognormal's mass near 0)
    does not look like a pile-up: a posterior piles up when more than :data:`BOUND_MASS`
    of its weight lies in the prior's outer :data:`BOUND_SHARE` (below its
    ``BOUND_SHARE`` quantile, or above its ``1 - BOUND_SHARE`` quantile), where the prior
    itself puts only ``BOUND_SHARE``.
    """
    out: list[str] = []
    for p in accepted.columns:
        frozen = sc.table[p].distribution.to_scipy()
        vals = accepted[p].to_numpy(dtype=np.float64)
        u = np.asarray(frozen.cdf(vals), dtype=np.float64)
        for side, near, edge in (
                ("lowest", u <= BOUND_SHARE, float(frozen.ppf(BOUND_SHARE))),
                ("highest", u >= 1.0 - BOUND_SHARE, float(frozen.ppf(1.0 - BOUND_SHARE)))):
            mass = float(weights[near].sum())
            if mass > BOUND_MASS:
                where = "below" if side == "lowest" else "above"
                out.append(f"{p}: {mass:.0%} of the posterior's weight lies in the {side} "
                           f"{BOUND_SHARE:.0%} of its prior ({where} {edge:.4g}), where the "
                           f"prior puts {BOUND_SHARE:.0%}: the prior may cut the posterior "
                           "off there (widen it if the evidence allows)")
    return tuple(out)


def _summaries(prior: pd.DataFrame, accepted: pd.DataFrame, weights: FloatArray
               ) -> pd.DataFrame:
    import pandas as pd

    rows = []
    equal = np.ones(len(prior))
    for p in prior.columns:
        row: dict[str, Any] = {"param": p}
        for tag, v, w in (("prior", prior[p].to_numpy(dtype=np.float64), equal),
                          ("accepted", accepted[p].to_numpy(dtype=np.float64), weights)):
            mean, sd, q = _weighted_stats(v, w)
            row[f"{tag}_mean"] = mean
            row[f"{tag}_sd"] = sd
            for level, val in zip(REPORT_QUANTILES, q, strict=True):
                row[f"{tag}_q{round(100 * level):02d}"] = float(val)
        rows.append(row)
    return pd.DataFrame(rows)


def _coverage(ens: FloatArray, obs: Observations, weights: FloatArray | None) -> float:
    """Share of observations inside the ensemble's central :data:`RECORD_BAND` band.

    A range or a bound is inside when the band reaches it.
    """
    lo, hi = (1 - RECORD_BAND) / 2, (1 + RECORD_BAND) / 2
    if weights is None:
        q = np.nanquantile(ens, [lo, hi], axis=1)
    else:
        q = np.stack([weighted_quantile(row, weights, [lo, hi]) for row in ens], axis=1)
    inside = (obs.values >= q[0]) & (obs.values <= q[1])
    if obs.bounded.any():
        low = np.where(np.isnan(obs.low), -np.inf, obs.low)
        high = np.where(np.isnan(obs.high), np.inf, obs.high)
        inside = np.where(obs.bounded, (q[1] >= low) & (q[0] <= high), inside)
    return float(np.mean(inside))


def _fit_quality(ens: FloatArray, obs: Observations, dist: FloatArray, matched: FloatArray,
                 particle_dist: FloatArray, weights: FloatArray | None) -> dict[str, float]:
    return {
        "distance_prior_median": float(np.median(dist)),
        "distance_accepted_median": float(np.median(particle_dist)),
        "coverage_prior": _coverage(ens, obs, None),
        "coverage_accepted": _coverage(matched, obs, weights),
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


__all__ = [
    "BOUND_MASS", "BOUND_SHARE", "ESS_FLOOR", "METHODS", "MIN_ACCEPTED", "MIN_ACCEPT_RATE",
    "RECORD_BAND", "Calibrator", "Method", "distances", "dump_scenario", "misses",
    "prior_spread", "weighted_quantile",
]
