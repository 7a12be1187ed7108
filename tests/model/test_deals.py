"""Analytic and property tests of the pure settlement core (detente.model._deals)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from detente.errors import InputError
from detente.model._deals import (
    acceptable,
    additive_utility,
    annuity,
    attrition_expected_duration,
    attrition_quit_hazards,
    channel_deals,
    enumerate_deals,
    joint_veto_risk,
    level_positions,
    nash_choice,
    step_probability,
    veto_risk,
    victory_probabilities,
    war_value,
    zone_of_agreement,
)

GRID = 1000  # 1-D deal grid: A's share x = k / GRID


def _fearon_zone(p: float, c_a: float, c_b: float) -> tuple[float, float]:
    """The zone our functions find for Fearon's two risk-neutral actors."""
    deals = enumerate_deals([GRID + 1])
    pos = level_positions(GRID + 1)
    w = np.ones((1, 1))
    u_a = additive_utility(w, deals, [pos])              # A's utility: its share x
    u_b = 1.0 - u_a                                       # B's: 1 - x
    one = np.ones(1)
    # war: A wins everything with probability p; costs accrue over a unit period, undiscounted
    v_a = war_value(one * p, one * p, one * c_a, one * 0.0, one)
    v_b = war_value(one * (1 - p), one * (1 - p), one * c_b, one * 0.0, one)
    ok = acceptable([u_a - v_a[:, None], u_b - v_b[:, None]], [one * 0.0, one * 0.0])
    low, high = zone_of_agreement(ok, pos)
    return float(low[0]), float(high[0])


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.5, 0.1, 0.1), (0.7, 0.05, 0.2),
                                               (0.3, 0.25, 0.02), (0.62, 0.113, 0.071)])
def test_fearon_bargaining_range(p: float, c_a: float, c_b: float) -> None:
    low, high = _fearon_zone(p, c_a, c_b)
    step = 1.0 / GRID + 1e-9
    assert low == pytest.approx(p - c_a, abs=step)
    assert high == pytest.approx(p + c_b, abs=step)
    # the zone is exactly the grid points inside [p - c_a, p + c_b]
    assert low >= p - c_a - 1e-12
    assert high <= p + c_b + 1e-12


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.2, 0.8), c_a=st.floats(0.01, 0.19), c_b=st.floats(0.01, 0.19))
def test_fearon_bargaining_range_property(p: float, c_a: float, c_b: float) -> None:
    low, high = _fearon_zone(p, c_a, c_b)
    res = 1.0 / GRID + 1e-9  # grid resolution (plus rounding of p - c at a grid point)
    assert low == pytest.approx(p - c_a, abs=res)
    assert high == pytest.approx(p + c_b, abs=res)


def test_no_costs_and_a_margin_leave_no_zone() -> None:
    deals = enumerate_deals([GRID + 1])
    pos = level_positions(GRID + 1)
    u_a = additive_utility(np.ones((1, 1)), deals, [pos])
    one = np.ones(1)
    ok = acceptable([u_a - 0.5, (1 - u_a) - 0.5], [one * 0.01, one * 0.01])
    low, high = zone_of_agreement(ok, pos)
    assert np.isnan(low[0])
    assert np.isnan(high[0])


def test_war_value_discounts_the_outcome_and_the_costs() -> None:
    r, h = np.array([0.1]), np.array([2.0])
    v = war_value(np.array([0.4]), np.array([0.6]), np.array([0.05]), r, h)
    d = math.exp(-0.2)
    assert v[0] == pytest.approx((1 - d) * 0.4 + d * 0.6 - 0.05 * (1 - d) / 0.1)
    assert annuity(0.0, 3.0) == pytest.approx(3.0)
    assert annuity(1e-9, 3.0) == pytest.approx(3.0)


# --------------------------------------------------------------------------- war of attrition
def test_war_of_attrition_hazards_make_the_other_indifferent() -> None:
    c = np.array([2.0, 1.0])
    v = np.array([10.0, 4.0])
    h = attrition_quit_hazards(c, v)
    # holding on for dt gains V_i with probability h_j dt and costs c_i dt: zero net
    assert h[1] * v[0] - c[0] == pytest.approx(0.0)
    assert h[0] * v[1] - c[1] == pytest.approx(0.0)
    assert attrition_expected_duration(c, v) == pytest.approx(1.0 / (2 / 10 + 1 / 4))


def test_war_of_attrition_duration_simulated() -> None:
    c = np.array([2.0, 1.0])
    v = np.array([10.0, 4.0])
    h = attrition_quit_hazards(c, v)
    rng = np.random.default_rng(42)
    n, dt = 20_000, 0.01
    alive = np.ones(n, dtype=bool)
    duration = np.zeros(n)
    for _ in range(5000):  # 50 time units, > 20 expected durations
        quit_ = (rng.random((2, n)) < step_probability(h[:, None] * np.ones((2, n)), dt)).any(0)
        duration[alive] += dt
        alive &= ~quit_
        if not alive.any():
            break
    expected = attrition_expected_duration(c, v)
    se = expected / math.sqrt(n)  # exponential: sd = mean
    assert abs(duration.mean() - expected) < 4 * se + dt


# --------------------------------------------------------------------------- Nash solution
S_A = np.array([[0.1, 0.4, 0.6, 0.8]])
S_B = np.array([[0.8, 0.5, 0.3, 0.1]])


def test_nash_solution_by_hand() -> None:
    # 0.75 ln s_A + 0.25 ln s_B = -1.7827, -0.8605, -0.6841, -0.7430: the third deal
    ok = np.ones((1, 4), dtype=bool)
    assert nash_choice([S_A, S_B], [np.array([0.75]), np.array([0.25])], ok)[0] == 2
    # equal weights: products 0.08, 0.20, 0.18, 0.08: the second deal
    assert nash_choice([S_A, S_B], [np.array([0.5]), np.array([0.5])], ok)[0] == 1
    # A needs at least 0.65: only the fourth deal is acceptable
    ok = acceptable([S_A, S_B], [np.array([0.65]), np.array([0.0])])
    assert ok.tolist() == [[False, False, False, True]]
    assert nash_choice([S_A, S_B], [np.array([0.75]), np.array([0.25])], ok)[0] == 3


def test_no_acceptable_deal_no_choice() -> None:
    ok = acceptable([S_A, S_B], [np.array([0.9]), np.array([0.0])])
    assert not ok.any()
    assert nash_choice([S_A, S_B], [np.array([0.5]), np.array([0.5])], ok)[0] == -1


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 6),
    d=st.integers(1, 30),
    players=st.integers(1, 3),
)
def test_nash_maximiser_is_acceptable_and_best(data: st.DataObject, n: int, d: int,
                                              players: int) -> None:
    surpluses = [data.draw(arrays(np.float64, (n, d), elements=st.floats(-1, 1)))
                 for _ in range(players)]
    margins = [data.draw(arrays(np.float64, (n,), elements=st.floats(0.0, 0.5)))
               for _ in range(players)]
    powers = [data.draw(arrays(np.float64, (n,), elements=st.floats(0.0, 1.0)))
              for _ in range(players)]
    ok = acceptable(surpluses, margins)
    choice = nash_choice(surpluses, powers, ok)
    for i in range(n):
        if not ok[i].any():
            assert choice[i] == -1  # no acceptable deal, no settlement
            continue
        j = choice[i]
        assert ok[i, j]
        obj = [sum(a[i] * math.log(max(s[i, k], 1e-300)) for s, a in zip(surpluses, powers,
                                                                          strict=True))
               for k in range(d)]
        best = max(obj[k] for k in range(d) if ok[i, k])
        assert obj[j] == pytest.approx(best, rel=1e-12, abs=1e-12)


# --------------------------------------------------------------------------- deal space
def test_enumerate_deals_and_positions() -> None:
    deals = enumerate_deals([4, 3, 3])
    assert deals.shape == (36, 3)
    assert len({tuple(r) for r in deals.tolist()}) == 36
    assert level_positions(4).tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert level_positions(1).tolist() == [0.0]


@pytest.mark.parametrize("levels", [[], [3, 0]])
def test_empty_deal_space_is_an_input_error(levels: list[int]) -> None:
    with pytest.raises(InputError, match="deal space is empty"):
        enumerate_deals(levels)


def test_channel_keeps_closed_dimensions_at_status_quo() -> None:
    deals = enumerate_deals([4, 3, 3])
    idx = channel_deals(deals, [True, False, True], [1, 2, 0])
    assert idx.size == 12
    assert np.all(deals[idx, 1] == 2)


def test_additive_utility_matches_a_loop() -> None:
    rng = np.random.default_rng(0)
    deals = enumerate_deals([4, 3, 3])
    w = rng.random((5, 3))
    per_sample = rng.random((5, 4))
    pos = [per_sample, level_positions(3), level_positions(3)]
    u = additive_utility(w, deals, pos)
    for i in range(5):
        for j, deal in enumerate(deals):
            expect = (w[i, 0] * per_sample[i, deal[0]] + w[i, 1] * pos[1][deal[1]]
                      + w[i, 2] * pos[2][deal[2]])
            assert u[i, j] == pytest.approx(expect)


def test_veto_risk_rises_with_concessions_only() -> None:
    u = np.array([[0.2, 0.4, 0.6]])
    r = veto_risk(u, np.array([0.4]), np.array([0.05]), np.array([2.0]))
    assert r[0].tolist() == pytest.approx([0.45, 0.05, 0.05])
    assert veto_risk(u, np.array([0.9]), np.array([0.5]), np.array([5.0])).max() == 1.0


@settings(max_examples=60, deadline=None)
@given(risks=st.lists(arrays(np.float64, (5,), elements=st.floats(0.0, 1.0)), min_size=1,
                      max_size=4),
       alone=st.integers(0, 3))
def test_joint_veto_risk_is_that_of_independent_vetoes(risks: list[np.ndarray],
                                                       alone: int) -> None:
    joint = joint_veto_risk(risks)
    hold = np.prod([1.0 - r for r in risks], axis=0)
    np.testing.assert_allclose(joint, 1.0 - hold, rtol=0, atol=1e-12)
    assert np.all((joint >= 0.0) & (joint <= 1.0))
    # one player with a risk and the others with exactly none: that player's risk, bit for bit
    k = alone % len(risks)
    only = [r if i == k else np.zeros(5) for i, r in enumerate(risks)]
    np.testing.assert_array_equal(joint_veto_risk(only), risks[k])


def test_joint_veto_risk_needs_a_player() -> None:
    with pytest.raises(InputError, match="at least one"):
        joint_veto_risk([])


def test_victory_probabilities_are_a_lottery() -> None:
    L = np.linspace(-3, 3, 61)
    pa, pb = victory_probabilities(L, np.full(61, 0.1), np.full(61, 1.0))
    assert np.all(pa >= 0)
    assert np.all(pb >= 0)
    assert np.all(pa + pb <= 1 + 1e-12)
    assert np.all(np.diff(pa) > 0)
    assert np.all(np.diff(pb) < 0)


def test_product_utility_equals_additive_utility() -> None:
    from detente.model._deals import product_utility

    rng = np.random.default_rng(1)
    sets = [np.array([0, 2]), np.array([1]), np.array([0, 1, 2])]
    pos = [level_positions(3)] * 3
    w = rng.random((4, 3))
    deals = np.array([[a, b, c] for a in sets[0] for b in sets[1] for c in sets[2]])
    np.testing.assert_allclose(product_utility(w, sets, pos), additive_utility(w, deals, pos))
