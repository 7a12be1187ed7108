"""Batch ABC-SMC with ELFI: each batch of particles is one ensemble of the engine.

Sequential Monte Carlo ABC (Toni et al. 2009; Beaumont et al. 2009) moves a population of
particles (parameter values) through generations of falling distance thresholds: the first
generation is drawn from the prior, each later one from a Gaussian kernel around the
previous generation's particles (ELFI's ``SMC``: twice the weighted variance), and a
particle is kept when its simulated series lie within the generation's threshold of the
observations. The kept particles carry importance weights (prior density over the
proposal's), so the last generation approximates the posterior.

ELFI (Lintusaari et al. 2018) hands a simulator a whole batch of parameter values at once,
``fn(*params, batch_size, random_state)``; :func:`run_smc` runs each batch as one call of
the caller's simulator, which runs it as one ensemble (the engine's samples are the
particles). ELFI's own progress bars are off: callers report progress themselves.

**Threshold schedule.** Each generation's threshold is the ``quantile`` (0.5 by default)
of the previous generation's weighted distances, and the first generation keeps that share
of its prior draws (ELFI's ``SMC`` with ``quantiles``). A fixed number of generations with a
fixed quantile costs a known number of simulations per generation at the start (about
``population / quantile``) and grows only as acceptance falls, is reproducible, and needs
no density-ratio fit between generations, which ``AdaptiveThresholdSMC`` does with KLIEP
(Simola et al. 2021) and which costs more than the engine's simulations do here.

**Seeds.** ELFI is seeded from the caller's seed; every batch's ELFI random state (keyed by
the generation and the batch index) draws the seed of its engine run, so the same seed
gives the same posterior, bit for bit.

**Priors, in the prior's quantile space.** The particles live on the unit cube: each
calibrated parameter is its prior's quantile ``u`` (uniform on ``[0, 1]``, ELFI's
``Prior("uniform", 0, 1)``), and the simulator turns ``u`` into the parameter's value through the
scenario distribution's quantile function, as the engine draws it. The posterior is the
same (a change of variables applied to prior and posterior alike), but the Gaussian
kernels see parameters of one scale: rates of 1e-4 per day beside prices of 100 persons per
km2 would make the kernels' covariance numerically singular in the parameters' own units,
and a kernel step never leaves the prior's support unnoticed (its density there is 0).

References
----------
.. [1] Toni, T., Welch, D., Strelkowa, N., Ipsen, A. & Stumpf, M. P. H. (2009).
   Approximate Bayesian computation scheme for parameter inference and model selection
   in dynamical systems. J. R. Soc. Interface 6, 187-202.
.. [2] Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. & Robert, C. P. (2009). Adaptive
   approximate Bayesian computation. Biometrika 96, 983-990.
.. [3] Lintusaari, J. et al. (2018). ELFI: Engine for Likelihood-Free Inference. JMLR 19.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._optional import import_optional
from detente._typing import FloatArray
from detente.errors import DetenteError

if TYPE_CHECKING:
    from detente.scenario.table import ParameterDistribution

__all__ = [
    "DEFAULT_GENERATIONS", "DEFAULT_POPULATION", "DEFAULT_QUANTILE", "SMC_STREAM",
    "Generation", "SmcPosterior", "effective_sample_size", "run_smc",
]

#: Particles per generation.
DEFAULT_POPULATION = 1000
#: Generations (the first drawn from the prior).
DEFAULT_GENERATIONS = 6
#: Share of the previous generation's weighted distances under the next threshold.
DEFAULT_QUANTILE = 0.5
#: Spawn-key element under the root seed of every run an SMC calibration makes.
SMC_STREAM = 0x5AC

#: ``simulate(values, seed) -> (n_obs, batch)``: the matched series of a batch of particles.
BatchSimulator = Callable[[Mapping[str, FloatArray], np.random.SeedSequence], FloatArray]
#: ``distance(matched) -> (batch,)``: the distance of each simulated particle.
BatchDistance = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class Generation:
    """One generation of an SMC run.

    Attributes
    ----------
    index : int
        0 for the generation drawn from the prior.
    threshold : float
        Largest distance accepted.
    n_sim : int
        Simulations it took (the whole batches run).
    accept_rate : float
        Particles kept over simulations run.
    ess : float
        Effective sample size of its weights, ``(sum w)^2 / sum w^2``.
    """

    index: int
    threshold: float
    n_sim: int
    accept_rate: float
    ess: float

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready fields."""
        return {"generation": self.index, "threshold": self.threshold, "n_sim": self.n_sim,
                "accept_rate": self.accept_rate, "ess": self.ess}


@dataclass(frozen=True)
class SmcPosterior:
    """The last generation of an SMC run and how it was reached.

    Attributes
    ----------
    names : tuple of str
        The calibrated parameters, in the order of ``values``' columns.
    values : FloatArray
        Shape ``(population, len(names))``: the particles (file units).
    weights : FloatArray
        Shape ``(population,)``: their importance weights, summing to one.
    distances : FloatArray
        Each particle's distance.
    matched : FloatArray
        Shape ``(n_obs, population)``: each particle's simulated values at the
        observations.
    generations : tuple of Generation
        Every generation, the first drawn from the prior.
    engine_calls : int
        Batches simulated, each one call of the simulator.
    """

    names: tuple[str, ...]
    values: FloatArray
    weights: FloatArray
    distances: FloatArray
    matched: FloatArray
    generations: tuple[Generation, ...]
    engine_calls: int

    @property
    def n_sim(self) -> int:
        """Simulations run over every generation."""
        return sum(g.n_sim for g in self.generations)


def effective_sample_size(weights: FloatArray) -> float:
    """Return Kish's effective sample size ``(sum w)^2 / sum w^2`` (0 for no weight)."""
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    square = float(np.square(w).sum())
    return total * total / square if square > 0 else 0.0


def _elfi_seed(root: np.random.SeedSequence) -> int:
    """ELFI's seed (below 2**31, as its sub-seeds need) from the root seed."""
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, SMC_STREAM))
    return int(child.generate_state(1)[0] >> 1)


def run_smc(
    priors: Mapping[str, ParameterDistribution],
    simulate: BatchSimulator,
    distance: BatchDistance,
    observed: FloatArray,
    *,
    root: np.random.SeedSequence,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    quantile: float = DEFAULT_QUANTILE,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SmcPosterior:
    """Run ABC-SMC over ``priors`` with ELFI, one call of ``simulate`` per batch.

    Parameters
    ----------
    priors : mapping of str to ParameterDistribution
        The calibrated parameters and their prior distributions (file units).
    simulate : callable
        ``simulate(values, seed)``: the batch's parameter values by name (arrays of the
        batch's length) and the seed of its run; returns the simulated values at the
        observations, shape ``(n_obs, batch)``.
    distance : callable
        The distance of each column of what ``simulate`` returns, shape ``(batch,)``.
    observed : FloatArray
        The observations, shape ``(n_obs,)`` (ELFI's observed data).
    root : numpy.random.SeedSequence
        The root seed: ELFI's seed and every batch's seed come from it.
    population : int
        Particles per generation.
    generations : int
        Generations, the first drawn from the prior.
    quantile : float
        Share of the previous generation's weighted distances under the next threshold
        (and of the first generation's prior draws kept).
    batch_size : int, optional
        Particles per simulator call (default: ``population``).
    progress : callable, optional
        ``progress(done, generations)``: generations finished, after each batch.

    Returns
    -------
    SmcPosterior
        The last generation, its weights and every generation's diagnostics.

    Raises
    ------
    MissingDependencyError
        When ELFI is not installed (the ``calibrate`` extra).
    DetenteError
        When ELFI cannot weight a generation (every weight zero).
    """
    elfi = import_optional("elfi", extra="calibrate", purpose="ABC-SMC calibration")
    names = tuple(priors)
    batch = batch_size or population
    model = elfi.ElfiModel()
    # ELFI sorts parameter names; these keep the scenario's order and any characters
    nodes = [f"theta_{i:03d}" for i in range(len(names))]
    # each parameter's prior quantile, uniform on [0, 1] (ELFI's own scipy prior)
    prior_nodes = [elfi.Prior("uniform", 0.0, 1.0, model=model, name=node) for node in nodes]

    def values_of(quantiles: Sequence[FloatArray]) -> dict[str, FloatArray]:
        # a kernel step may land just outside [0, 1]; its prior density is 0 (weight 0),
        # but it is simulated first: clip it into the support for that
        return {n: np.asarray(priors[n].sample(np.clip(np.asarray(q, dtype=np.float64),
                                                       0.0, 1.0)), dtype=np.float64)
                for n, q in zip(names, quantiles, strict=True)}

    calls = [0]
    sampler: Any = None

    def simulator(*values: FloatArray, batch_size: int = 1, random_state: Any = None
                  ) -> FloatArray:
        # the batch's own ELFI random state (keyed by generation and batch) seeds its run
        key = random_state.randint(0, 2**32, size=2, dtype=np.uint64)
        seed = np.random.SeedSequence(root.entropy, spawn_key=(
            *root.spawn_key, SMC_STREAM, int(key[0]), int(key[1])))
        given = values_of([np.asarray(v, dtype=np.float64).reshape(batch_size)
                           for v in values])
        matched = simulate(given, seed)
        calls[0] += 1
        if progress is not None and sampler is not None:
            progress(min(int(sampler.state["round"]), generations), generations)
        return np.asarray(matched, dtype=np.float64).T

    def discrepancy(sim: FloatArray, observed: Sequence[FloatArray]) -> FloatArray:
        return np.asarray(distance(np.asarray(sim).T), dtype=np.float64)

    sim = elfi.Simulator(simulator, *prior_nodes, observed=np.asarray(observed)[None, :],
                         model=model, name="simulated")
    dist = elfi.Discrepancy(discrepancy, sim, model=model, name="distance")
    sampler = elfi.SMC(dist, output_names=["simulated"], batch_size=batch,
                       seed=_elfi_seed(root))
    # ELFI logs a warning whenever kernel steps leave the unit cube often (near a bound);
    # the weights already account for it, and our own warnings say where a posterior piles
    log = logging.getLogger("elfi")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        result = sampler.sample(population, quantiles=[quantile] * generations, bar=False)
    except RuntimeError as exc:  # ELFI's: every weight of a generation is zero
        raise DetenteError(f"ABC-SMC could not weight a generation ({exc}); raise the "
                           "population or the quantile") from exc
    except np.linalg.LinAlgError as exc:  # the particles collapsed onto a lower dimension
        raise DetenteError(f"ABC-SMC's kernel has no spread in some direction ({exc}): "
                           "calibrate fewer parameters, or raise the population") from exc
    finally:
        log.setLevel(level)
    if progress is not None:
        progress(generations, generations)
    gens = []
    for k, pop in enumerate(result.populations):
        gens.append(Generation(k, float(pop.threshold), int(pop.n_sim),
                               float(pop.accept_rate), effective_sample_size(pop.weights)))
    last = result.populations[-1]
    weights = np.asarray(last.weights, dtype=np.float64)
    total = weights.sum()
    if not (math.isfinite(total) and total > 0):
        raise DetenteError("ABC-SMC's last generation has no weight; raise the population "
                           "or the quantile")
    drawn = values_of([np.asarray(last.outputs[node], dtype=np.float64) for node in nodes])
    values = np.column_stack([drawn[n] for n in names])
    return SmcPosterior(
        names, values, weights / total,
        np.asarray(last.outputs["distance"], dtype=np.float64),
        np.asarray(last.outputs["simulated"], dtype=np.float64).T,
        tuple(gens), calls[0])
