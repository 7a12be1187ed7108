"""The analytic checks every negotiation model must pass (hypothesis for the invariances).

One actor holding all capability: every model forecasts its position (the expected-utility
model by Scholz et al.'s program's rules only where that actor's salience is 1: its pooled
P lets actors without capability move it otherwise, ``test_negotiation_published.py``
works the case by hand). Equal capabilities
and saliences: the weighted median is the median position. Relabelling the actors and an
affine change of the position scale (``a x + b``, ``a > 0``) change no forecast. In the
exchange model, actors with identical saliences make no exchange, and every exchange made
raises both parties' utility. Every sample is played apart from the others.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from detente.analysis.negotiation import (
    NegotiationForecast,
    NegotiationInputs,
    exchange_model,
    expected_utility_model,
    utilities,
    weighted_mean,
    weighted_median,
)
from detente.analysis.negotiation.exchange import _Pairs, candidate_exchanges

ROUNDS = 4
unit = st.floats(0.0, 1.0, allow_nan=False)
positive = st.floats(0.05, 1.0, allow_nan=False)


@st.composite
def cases(draw: st.DrawFn, *, grid: bool = False) -> tuple[np.ndarray, ...]:
    """Positions (n, m), capabilities (n,), saliences (n, m) for 3-5 actors, 1-3 issues.

    With ``grid`` the positions are whole numbers 0..8, so that scaling by a power of two
    and shifting by a whole number is exact in floating point.
    """
    n = draw(st.integers(3, 5))
    m = draw(st.integers(1, 3))
    elem = st.integers(0, 8).map(float) if grid else unit
    x = draw(arrays(np.float64, (n, m), elements=elem))
    c = draw(arrays(np.float64, (n,), elements=positive))
    s = draw(arrays(np.float64, (n, m), elements=positive))
    return x, c, s


def _forecasts(x: np.ndarray, c: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
    """Every model's final forecast per issue, for one sample (the expected-utility model
    in both formulations)."""
    inp = NegotiationInputs(tuple(f"a{i}" for i in range(len(c))),
                            tuple(f"i{k}" for k in range(x.shape[1])), c[None], x[None],
                            s[None])
    ds = NegotiationForecast(rounds=ROUNDS).fit(inp).forecast_
    out = {"baseline_mean": ds["baseline_mean"].values[0],
           "baseline_median": ds["baseline_median"].values[0]}
    for model in ("expected_utility", "exchange"):
        out[model] = ds[f"{model}_forecast"].isel(round=-1).values[0]
    code = expected_utility_model(x.T, np.tile(c, (x.shape[1], 1)), s.T, rounds=ROUNDS,
                                  formulation="scholz_code")
    out["expected_utility_scholz_code"] = code.median[:, -1]
    return out


def _all_capability(case, k):
    """The case with actor ``k % n`` holding all the capability, and that actor."""
    x, c, s = case
    k = k % len(c)
    c = np.zeros_like(c)
    c[k] = 1.0
    return x, c, s, k


@settings(max_examples=40, deadline=None)
@given(cases(), st.integers(0, 4))
def test_one_actor_with_all_capability_decides(case, k):
    x, c, s, k = _all_capability(case, k)
    for model, forecast in _forecasts(x, c, s).items():
        if model != "expected_utility_scholz_code":
            np.testing.assert_allclose(forecast, x[k], atol=1e-12, err_msg=model)


@settings(max_examples=40, deadline=None)
@given(cases(), st.integers(0, 4))
def test_one_actor_with_all_capability_and_salience_decides_by_the_programs_rules(case, k):
    """E(j, k) - E(k, j) = (U_s - U_f)(s_j (1 - P(k, j)) - s_k) < 0 where s_k = 1."""
    x, c, s, k = _all_capability(case, k)
    s[k] = 1.0
    path = expected_utility_model(x.T, np.tile(c, (x.shape[1], 1)), s.T, rounds=ROUNDS,
                                  formulation="scholz_code")
    np.testing.assert_allclose(path.median, np.broadcast_to(x[k][:, None], path.median.shape),
                               atol=1e-12)
    assert np.all(path.offer[..., k] == 0)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 9), st.integers(1, 3)), elements=unit))
def test_weighted_median_with_equal_weights_is_the_median(x):
    np.testing.assert_allclose(weighted_median(x, np.ones_like(x)), np.median(x, axis=0),
                               atol=1e-15)


def _relabelled_forecasts_agree(case: tuple[np.ndarray, ...], rnd: Any) -> None:
    """Every model's forecast is the same with the actors in a shuffled order."""
    x, c, s = case
    perm = list(range(len(c)))
    rnd.shuffle(perm)
    before, after = _forecasts(x, c, s), _forecasts(x[perm], c[perm], s[perm])
    for model in before:
        np.testing.assert_allclose(after[model], before[model], atol=1e-9, err_msg=model)


@settings(max_examples=200, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_relabelling_the_actors_changes_no_forecast(case, rnd):
    _relabelled_forecasts_agree(case, rnd)


@st.composite
def tied_cases(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Cases from a coarse grid, where exchanges of exactly equal value are common."""
    n = draw(st.integers(3, 5))
    m = draw(st.integers(2, 3))
    x = draw(arrays(np.float64, (n, m), elements=st.sampled_from([0.0, 0.5, 1.0])))
    c = draw(arrays(np.float64, (n,), elements=st.sampled_from([0.5, 1.0])))
    s = draw(arrays(np.float64, (n, m), elements=st.sampled_from([0.25, 0.5, 1.0])))
    return x, c, s


@settings(max_examples=200, deadline=None)
@given(tied_cases(), st.randoms(use_true_random=False))
def test_relabelling_changes_no_forecast_when_exchanges_tie(case, rnd):
    _relabelled_forecasts_agree(case, rnd)


def test_two_equal_exchanges_are_chosen_by_what_the_actors_are_not_their_numbers():
    """The case that once failed: actors alike in position and capability, unlike in
    salience, offer the third exchanges of exactly equal value."""
    x = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    c = np.ones(3)
    s = np.array([[1.0, 0.5], [0.5, 0.25], [0.25, 1.0]])
    forecasts = {tuple(perm): _forecasts(x[list(perm)], c[list(perm)], s[list(perm)])
                 for perm in ((0, 1, 2), (1, 0, 2), (2, 1, 0), (1, 2, 0))}
    first = next(iter(forecasts.values()))
    for f in forecasts.values():
        np.testing.assert_allclose(f["exchange"], first["exchange"], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(cases(grid=True), st.integers(-3, 3), st.integers(-20, 20))
def test_an_affine_change_of_scale_changes_no_forecast(case, power, shift):
    x, c, s = case
    a = 2.0 ** power
    before, after = _forecasts(x, c, s), _forecasts(a * x + shift, c, s)
    for model in before:
        np.testing.assert_allclose(after[model], a * before[model] + shift, atol=1e-9,
                                   err_msg=model)


def test_an_affine_change_of_scale_by_any_factor_keeps_the_baseline():
    rng = np.random.default_rng(3)
    x, w = rng.random((50, 5, 3)), rng.random((50, 5, 3))
    for a, b in ((3.7, -2.0), (0.01, 100.0)):
        np.testing.assert_allclose(weighted_mean(a * x + b, w), a * weighted_mean(x, w) + b)
        np.testing.assert_allclose(weighted_median(a * x + b, w),
                                   a * weighted_median(x, w) + b)


@settings(max_examples=40, deadline=None)
@given(cases(), arrays(np.float64, (3,), elements=positive))
def test_identical_salience_profiles_make_no_exchange(case, profile):
    x, c, _ = case
    m = x.shape[1]
    s = np.broadcast_to(np.resize(profile, m), x.shape).copy()
    path = exchange_model(x[None], c[None], s[None], rounds=ROUNDS)
    assert np.all(path.actor_i == -1)
    np.testing.assert_array_equal(path.position[0, -1], x)


@settings(max_examples=60, deadline=None)
@given(cases(), st.sampled_from(["equal_gain", "nash"]))
def test_every_exchange_raises_both_parties_utility(case, rule):
    x, c, s = case
    if x.shape[1] < 2:
        x, s = np.hstack([x, x[:, ::-1]]), np.hstack([s, s[::-1]])
    pairs = _Pairs.of(*x.shape)
    cand = candidate_exchanges(x[None], c[None], s[None], rule, pairs)
    made = np.flatnonzero(np.isfinite(cand["value"][0]))
    before = utilities(x, c, s)
    for k in made:
        i, j, p, q = pairs.i[k], pairs.j[k], pairs.p[k], pairs.q[k]
        y = x.copy()
        y[i, q] += np.sign(x[j, q] - x[i, q]) * cand["d_i"][0, k]
        y[j, p] += np.sign(x[i, p] - x[j, p]) * cand["d_j"][0, k]
        gain = utilities(y, c, s, preferred=x) - before
        assert gain[i] > 0
        assert gain[j] > 0
        assert gain[i] == pytest.approx(cand["gain_i"][0, k], rel=1e-9, abs=1e-12)
        assert gain[j] == pytest.approx(cand["gain_j"][0, k], rel=1e-9, abs=1e-12)


def test_each_sample_is_played_apart_from_the_others():
    """The vectorised models give every sample what it would get alone."""
    rng = np.random.default_rng(7)
    x, c, s = rng.random((6, 5, 3)), rng.random((6, 5)) + 0.1, rng.random((6, 5, 3))
    together = exchange_model(x, c, s, rounds=ROUNDS)
    eu = expected_utility_model(np.moveaxis(x, 1, 2), c[:, None, :].repeat(3, 1),
                                np.moveaxis(s, 1, 2), rounds=ROUNDS)
    code = expected_utility_model(np.moveaxis(x, 1, 2), c[:, None, :].repeat(3, 1),
                                  np.moveaxis(s, 1, 2), rounds=ROUNDS,
                                  formulation="scholz_code")
    for k in range(6):
        alone = exchange_model(x[k:k + 1], c[k:k + 1], s[k:k + 1], rounds=ROUNDS)
        np.testing.assert_allclose(together.position[k], alone.position[0])
        eu_k = expected_utility_model(x[k].T, np.tile(c[k], (3, 1)), s[k].T, rounds=ROUNDS)
        np.testing.assert_allclose(eu.position[k], eu_k.position)
        code_k = expected_utility_model(x[k].T, np.tile(c[k], (3, 1)), s[k].T, rounds=ROUNDS,
                                        formulation="scholz_code")
        np.testing.assert_allclose(code.position[k], code_k.position)
