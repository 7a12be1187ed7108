"""The distributions' quantile functions: a PERT's fast path draws exactly SciPy's bits."""

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
from detente.scenario.schema import PERT_TAIL, Pert

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
