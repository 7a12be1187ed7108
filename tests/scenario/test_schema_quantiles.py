"""The distributions' quantile functions draw exactly the bits ``scipy.stats`` draws.

A PERT goes through ``scipy.special.betaincinv`` and a truncated normal through
``scipy.special`` alone; both must give what the ``scipy.stats`` distributions give.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from detente._typing import FloatArray
from detente.engine import compile_plan
from detente.engine.streams import draw_design, seed_sequence
from detente.scenario import load_scenario
from detente.scenario.schema import PERT_TAIL, Pert, TruncNormal

#: Probabilities where the computation changes hands or SciPy's root finding struggles:
#: the ends, the smallest floats, both sides of each tail limit, and outside [0, 1].
EDGES = np.array([0.0, -0.0, 1.0, 5e-324, 1e-310, 1e-300, 1e-150, 1e-70, 1e-40, 1e-20,
         np.nextafter(PERT_TAIL, 0.0), PERT_TAIL, np.nextafter(PERT_TAIL, 1.0),
         np.nextafter(1.0 - PERT_TAIL, 0.0), 1.0 - PERT_TAIL,
         np.nextafter(1.0 - PERT_TAIL, 1.0), 1.0 - 2.0**-53, 0.5, np.nan, -1e-300, -0.5,
         1.0 + 2.0**-52, 2.0, np.inf, -np.inf])


def scipy_pert(d: Pert, u: FloatArray) -> FloatArray:
    """A PERT's quantiles as ``scipy.stats`` computes them (the draws' definition)."""
    span = d.high - d.low
    a = 1.0 + d.lamb * (d.mode - d.low) / span
    b = 1.0 + d.lamb * (d.high - d.mode) / span
    return np.asarray(d.low + span * stats.beta.ppf(u, a, b), dtype=np.float64)


def same_bits(x: FloatArray, y: FloatArray) -> bool:
    """True when ``x`` and ``y`` hold the same numbers bit for bit (NaNs, signs of zero)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return x.shape == y.shape and bool(np.all(x.view(np.int64) == y.view(np.int64)))


@st.composite
def perts(draw: st.DrawFn) -> Pert:
    """PERTs of any shape the schema accepts, with modes at the ends and tiny spans."""
    low = draw(st.floats(-1e6, 1e6))
    span = draw(st.one_of(st.floats(1e-9, 1e6), st.just(0.0)))  # 0: the next float up
    high = low + span if low + span > low else float(np.nextafter(low, np.inf))
    mode = draw(st.one_of(st.just(low), st.just(high), st.floats(low, high)))
    lamb = draw(st.one_of(st.sampled_from([4.0, 1000.0]), st.floats(1e-6, 1000.0)))
    return Pert(dist="pert", low=low, mode=mode, high=high, lamb=lamb)


probabilities = st.one_of(
    st.floats(0.0, 1.0),
    st.sampled_from(EDGES),
    st.floats(-330.0, 0.0).map(lambda e: 10.0**e),          # the lower tail, to subnormals
    st.floats(-17.0, 0.0).map(lambda e: 1.0 - 10.0**e),     # the upper tail
)


def spread(seed: int, n: int = 300) -> FloatArray:
    """``n`` probabilities spread over (0, 1) and over both tails' orders of magnitude."""
    rng = np.random.default_rng(seed)
    tiny = 10.0 ** rng.uniform(-324.0, 0.0, n // 3)
    return np.concatenate([rng.random(n - 2 * (n // 3)), tiny, 1.0 - tiny])


@settings(max_examples=300, deadline=None)
@given(perts(), st.lists(probabilities, max_size=20), st.integers(0, 2**32 - 1))
def test_a_pert_draws_the_bits_scipy_stats_draws(d: Pert, u: list[float], seed: int) -> None:
    uu = np.concatenate([np.array(u, dtype=np.float64), EDGES, spread(seed)])
    with warnings.catch_warnings():  # SciPy warns where its root finding gives up
        warnings.simplefilter("ignore", RuntimeWarning)
        ours, theirs = d.ppf(uu), scipy_pert(d, uu)
    assert same_bits(ours, theirs), (ours, theirs)


@pytest.mark.parametrize("u", [1e-300, 1e-150])
def test_far_in_the_tail_a_pert_draws_what_scipy_stats_gives_up_with(u: float) -> None:
    # beta(2.6, 3.4): Boost's root finding gives up here, and scipy.special.betaincinv
    # returns NaN or another number where scipy.stats.beta.ppf returns its last iterate
    d = Pert(dist="pert", low=0.0, mode=0.4, high=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert same_bits(d.ppf(np.array([u])), scipy_pert(d, np.array([u])))


@pytest.mark.parametrize("u", [0.0, 0.3, 1.0, 1e-300])
def test_a_pert_takes_a_single_probability(u: float) -> None:
    d = Pert(dist="pert", low=2.0, mode=3.0, high=7.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ours, theirs = d.ppf(np.array(u)), scipy_pert(d, np.array(u))
    assert np.shape(ours) == ()
    assert same_bits(ours, theirs)


def test_every_pert_of_ukraine_2023_draws_scipy_stats_bits() -> None:
    plan = compile_plan(load_scenario("ukraine-2023"))
    u = draw_design(plan, seed_sequence(0), 0, 1024)
    perts_seen = 0
    for j, name in enumerate(plan.uncertain):
        d = plan.table[name].distribution.dist
        if isinstance(d, Pert):
            perts_seen += 1
            assert same_bits(d.ppf(u[:, j]), scipy_pert(d, u[:, j])), name
    assert perts_seen > 100


@st.composite
def truncnormals(draw: st.DrawFn) -> TruncNormal:
    """Truncated normals: bounds on either side of the mean, far out, one-sided, none."""
    mean = draw(st.floats(-1e6, 1e6))
    sd = draw(st.floats(1e-6, 1e6))
    ends = st.one_of(st.floats(-40.0, 40.0), st.sampled_from([0.0, 1e-12, 8.0, 38.0]))
    lo, hi = sorted((draw(ends), draw(ends)))
    if lo == hi:
        hi = lo + 1.0
    low = draw(st.one_of(st.just(-np.inf), st.just(mean + lo * sd)))
    high = draw(st.one_of(st.just(np.inf), st.just(mean + hi * sd)))
    if not low < high:
        high = np.inf
    return TruncNormal(dist="truncnormal", mean=mean, sd=sd, low=low, high=high)


@settings(max_examples=300, deadline=None)
@given(truncnormals(), st.lists(probabilities, max_size=20), st.integers(0, 2**32 - 1))
def test_a_truncated_normal_draws_the_bits_scipy_stats_draws(d: TruncNormal, u: list[float],
                                                             seed: int) -> None:
    uu = np.concatenate([np.array(u, dtype=np.float64), EDGES, spread(seed)])
    a, b = (d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        ours = d.ppf(uu)
        theirs = np.asarray(stats.truncnorm.ppf(uu, a, b, loc=d.mean, scale=d.sd))
    assert same_bits(ours, theirs), (ours, theirs)


@pytest.mark.parametrize(("low", "high"), [(-np.inf, np.inf), (1.0, np.inf), (-np.inf, -2.0),
                                           (3.0, 9.0), (-9.0, -3.0), (-1.0, 2.0),
                                           (30.0, 31.0)])
def test_each_case_of_a_truncated_normal_draws_scipy_stats_bits(low: float,
                                                                high: float) -> None:
    # every branch: the left or right tail's formula, the mass astride, left or right of 0
    d = TruncNormal(dist="truncnormal", mean=0.5, sd=2.0, low=low, high=high)
    u = np.concatenate([EDGES, spread(7)])
    a, b = (low - 0.5) / 2.0, (high - 0.5) / 2.0
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = np.asarray(stats.truncnorm.ppf(u, a, b, loc=0.5, scale=2.0))
        assert same_bits(d.ppf(u), theirs)
        assert same_bits(d.ppf(np.array(0.25)), np.asarray(stats.truncnorm.ppf(0.25, a, b,
                                                                               0.5, 2.0)))


def test_drawing_needs_no_scipy_stats() -> None:
    # its import is longer than a block's draws: a run's start-up should not pay it
    import subprocess
    import sys

    code = ("import sys, numpy as np; import detente; sc = detente.load('ukraine-2023'); "
            "[sc.table[n].distribution.sample(np.array([0.3, 0.7])) for n in sc.uncertain]; "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
