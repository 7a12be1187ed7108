"""Published and hand-computed examples of the negotiation models.

The EC car-emissions case: Scholz, Calbert & Smith (2011), Table 1, which reprints Bueno de
Mesquita (1994, p. 78): the date (years) by which emission standards for medium-sized cars
should apply, as each member state preferred it at the outset. The round-by-round figures
of the paper were not reachable in full text; the start values are checked against the
printed log of the replication of Scholz et al.'s own code (D. Masad, 2014,
``bdm-scholz-expected-utility-model/Example.log``: "Median position: 7.0", "Mean position:
7.389955686853767"), and the rounds by hand-computed cases and the analytic checks
(``test_negotiation_invariants.py``).

No worked example of the exchange model with its numbers was reachable (Stokman & Van
Oosten 1994 is in a book; Dijkstra et al. 2008 gives its algebra only): its algebra is
checked on cases computed here by hand, in fractions.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from detente.analysis.negotiation import (
    NegotiationInputs,
    exchange_model,
    expected_utility_model,
    utilities,
    weighted_mean,
    weighted_median,
)
from detente.analysis.negotiation.expected_utility import (
    challenge_utility,
    risk_exponents,
    success_probability,
)

#: Scholz et al. (2011), Table 1 (Bueno de Mesquita 1994, p. 78): capability, position
#: (years), salience (0-100).
EC_CARS = {
    "Netherlands": (8, 4, 80), "Belgium": (8, 7, 40), "Luxembourg": (3, 4, 20),
    "Germany": (16, 4, 80), "France": (16, 10, 60), "Italy": (16, 10, 60),
    "UK": (16, 10, 90), "Ireland": (5, 7, 10), "Denmark": (5, 4, 100), "Greece": (8, 7, 70),
}


def ec_cars() -> NegotiationInputs:
    names = list(EC_CARS)
    c, x, s = (np.array([EC_CARS[n][k] for n in names], dtype=float) for k in range(3))
    return NegotiationInputs.of(names, ["emission_date"], c, x[:, None], s[:, None] / 100)


def test_ec_cars_start_median_voter_and_mean():
    inp = ec_cars()
    assert weighted_median(inp.position, inp.weight)[0, 0] == 7.0
    assert weighted_mean(inp.position, inp.weight)[0, 0] == pytest.approx(7.389955686853767,
                                                                          abs=1e-15)
    path = expected_utility_model(inp.position[..., 0], inp.capability,
                                  inp.salience[..., 0], rounds=0)
    assert path.median[0, 0] == 7.0


def test_ec_cars_rounds_stay_between_the_extremes_and_move_the_low_salience_actors():
    inp = ec_cars()
    path = expected_utility_model(inp.position[..., 0], inp.capability,
                                  inp.salience[..., 0], rounds=10)
    assert np.all((path.position >= 4.0 - 1e-12) & (path.position <= 10.0 + 1e-12))
    # Luxembourg and Ireland, the least salient, take an offer in the first round
    first = dict(zip(EC_CARS, path.offer[0, 0], strict=True))
    assert first["Luxembourg"] > 0
    assert first["Ireland"] > 0


# ------------------------------------------------------------------ expected utility, by hand
def test_three_actor_round_by_hand():
    """x = (0, 1/2, 1), c = 1, s = (1, 1/2, 1): every quantity of one round by hand."""
    x = np.array([[0.0, 0.5, 1.0]])
    w = np.array([[1.0, 0.5, 1.0]])
    s = w.copy()
    p = success_probability(x, w, np.ones(1))
    # v^k(0, 2) = w_k (|x_k - 1| - |x_k - 0|): +1, 0, -1, so P(0, 2) = 1 / 2
    assert p[0, 0, 2] == pytest.approx(0.5)
    # v^k(1, 0) = w_k (|x_k| - |x_k - 1/2|): -1/2, +1/4, +1/2 -> P = (3/4) / (5/4)
    assert p[0, 1, 0] == pytest.approx(0.6)
    assert p[0, 0, 1] == pytest.approx(0.4)
    mu = weighted_median(x[:, :, None], w[:, :, None])[:, 0]
    assert mu[0] == 0.5
    # E(0, 2) at r = 1: d = 1, e = 1/2: U_s = 2, U_f = -2, U_sq = 0, s_2 = 1:
    # 1 * (1/2 * 2 + 1/2 * -2) + 0 - 0 = 0
    e02 = challenge_utility(x[0, 0], x[0, 2], s[0, 2], p[0, 0, 2], mu[0], 1.0, 1.0)
    assert e02 == pytest.approx(0.0)
    # E(1, 0) at r = 1: d = 1/2: U_s = 1, U_f = -1, s_0 = 1: 0.6 - 0.4 = 0.2
    e10 = challenge_utility(x[0, 1], x[0, 0], s[0, 0], p[0, 1, 0], mu[0], 1.0, 1.0)
    assert e10 == pytest.approx(0.2)
    # the actors at the ends are exposed alike, the centre's exposure differs: r by hand
    r = risk_exponents(x, s, p, mu, np.ones(1))
    assert r[0, 0] == pytest.approx(r[0, 2])
    e = {(a, b): float(challenge_utility(x[0, a], x[0, b], s[0, b], p[0, a, b], mu[0], 1.0,
                                         1.0)) for a in range(3) for b in range(3) if a != b}
    exposure = [sum(e[a, i] for a in range(3) if a != i) for i in range(3)]
    hi, lo = max(exposure), min(exposure)
    big_r = [(2 * d - hi - lo) / (hi - lo) for d in exposure]
    assert r[0].tolist() == pytest.approx([(1 - b / 3) / (1 + b / 3) for b in big_r])


def test_compromise_moves_the_share_of_the_two_expected_utilities():
    """Two actors: the weak, barely salient one gives way to the strong, salient one."""
    x = np.array([[0.0, 1.0]])
    c = np.array([[1.0, 9.0]])
    s = np.array([[0.1, 1.0]])
    path = expected_utility_model(x, c, s, rounds=1)
    p = success_probability(x, c * s, np.ones(1))
    mu = 1.0  # the strong actor's position is the weighted median
    r = risk_exponents(x, s, p, np.array([mu]), np.ones(1))
    e_ij = challenge_utility(0.0, 1.0, s[0, 1], p[0, 0, 1], mu, 1.0, r[0, 0])
    e_ji = challenge_utility(1.0, 0.0, s[0, 0], p[0, 1, 0], mu, 1.0, r[0, 0])
    assert e_ji > 0
    if e_ij > 0:  # a confrontation the weak actor loses: it moves all the way
        expected = 1.0 if e_ji > e_ij else 0.0
    elif e_ji > abs(e_ij):  # a compromise: a share |E_ij / E_ji| of the way
        expected = abs(e_ij / e_ji)
    else:  # a capitulation
        expected = 1.0
    assert path.position[0, 1, 0] == pytest.approx(expected)
    assert path.position[0, 1, 1] == 1.0  # the strong one is offered nothing it takes


# ------------------------------------------------------------------ exchange model, by hand
def _two_by_two() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actor 0 at (0, 0) with saliences (4/5, 1/5); actor 1 at (1, 1) with (3/10, 3/5)."""
    x = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    s = np.array([[[0.8, 0.2], [0.3, 0.6]]])
    return x, np.ones((1, 2)), s


def test_equal_gain_exchange_by_hand():
    # weights: issue 0: 8/11, 3/11 (outcome 3/11); issue 1: 1/4, 3/4 (outcome 3/4).
    # 0 gives way on issue 1, 1 on issue 0: alpha = 4/5 * 3/11, beta = 1/5 * 1/4,
    # gamma = 3/5 * 1/4, delta = 3/10 * 3/11; rate d_1/d_0 = (beta+gamma)/(alpha+delta) = 2/3;
    # 0 moves all the way (d_0 = 1), 1 moves 2/3; each gains alpha * 2/3 - beta = 21/220
    x, c, s = _two_by_two()
    path = exchange_model(x, c, s, rule="equal_gain", rounds=1)
    assert (path.actor_i[0, 0, 0], path.actor_j[0, 0, 0]) == (0, 1)
    assert (path.supply_i[0, 0, 0], path.supply_j[0, 0, 0]) == (1, 0)
    assert path.shift_i[0, 0, 0] == pytest.approx(1.0)
    assert path.shift_j[0, 0, 0] == pytest.approx(2 / 3)
    gain = float(Fraction(4, 5) * Fraction(3, 11) * Fraction(2, 3)
                 - Fraction(1, 5) * Fraction(1, 4))
    assert gain == pytest.approx(21 / 220)
    assert path.gain_i[0, 0, 0] == pytest.approx(gain)
    assert path.gain_j[0, 0, 0] == pytest.approx(gain)
    np.testing.assert_allclose(path.position[0, 1], [[0.0, 1.0], [1 / 3, 1.0]], atol=1e-12)
    # the gains are the change in each one's utility -sum s |x - O|, measured from what
    # each wanted before the exchange
    before = path.position[:, 0]
    du = utilities(path.position[:, 1], c, s, preferred=before) - utilities(before, c, s)
    assert du[0].tolist() == pytest.approx([gain, gain])


def test_nash_exchange_by_hand():
    # on d_0 = 1 the product (alpha d_1 - beta)(gamma - delta d_1) peaks at
    # d_1 = (alpha gamma + beta delta) / (2 alpha delta) = 33/32 > 1: both move all the way;
    # gains alpha - beta = 37/220 and gamma - delta = 15/220
    x, c, s = _two_by_two()
    path = exchange_model(x, c, s, rule="nash", rounds=1)
    alpha, beta = Fraction(4, 5) * Fraction(3, 11), Fraction(1, 5) * Fraction(1, 4)
    gamma, delta = Fraction(3, 5) * Fraction(1, 4), Fraction(3, 10) * Fraction(3, 11)
    assert (alpha * gamma + beta * delta) / (2 * alpha * delta) == Fraction(33, 32)
    assert path.shift_i[0, 0, 0] == pytest.approx(1.0)
    assert path.shift_j[0, 0, 0] == pytest.approx(1.0)
    assert path.gain_i[0, 0, 0] == pytest.approx(float(alpha - beta))
    assert path.gain_j[0, 0, 0] == pytest.approx(float(gamma - delta))
    assert float(alpha - beta) == pytest.approx(37 / 220)


def test_nash_exchange_interior_rate_by_hand():
    """Where the peak lies inside the limits, the rate is midway between the zero gains."""
    x = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    s = np.array([[[0.6, 0.4], [0.2, 0.8]]])
    c = np.array([[1.0, 1.0]])
    path = exchange_model(x, c, s, rule="nash", rounds=1)
    # weights: issue 0: 3/4, 1/4 (outcome 1/4); issue 1: 1/3, 2/3 (outcome 2/3)
    alpha, beta = Fraction(3, 5) * Fraction(1, 4), Fraction(2, 5) * Fraction(1, 3)
    gamma, delta = Fraction(4, 5) * Fraction(1, 3), Fraction(1, 5) * Fraction(1, 4)
    on_i = (alpha * gamma + beta * delta) / (2 * alpha * delta)  # d_1 with d_0 = 1
    on_j = (alpha * gamma + beta * delta) / (2 * beta * gamma)  # d_0 with d_1 = 1
    prod_a = (alpha * min(on_i, 1) - beta) * (gamma - delta * min(on_i, 1))
    prod_b = (alpha - beta * min(on_j, 1)) * (gamma * min(on_j, 1) - delta)
    d0, d1 = (1, min(on_i, 1)) if prod_a >= prod_b else (min(on_j, 1), 1)
    assert path.shift_i[0, 0, 0] == pytest.approx(float(d0))
    assert path.shift_j[0, 0, 0] == pytest.approx(float(d1))
    assert path.gain_i[0, 0, 0] * path.gain_j[0, 0, 0] == pytest.approx(
        float(max(prod_a, prod_b)))
