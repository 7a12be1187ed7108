"""Pure core of the settlement model: deal space, utilities, war values, zone, Nash solution.

Nothing here knows about the scenario, the conflict or the state layout: every function takes
NumPy arrays and returns arrays, so each piece can be tested against a textbook result alone.
:mod:`detente.model.bargaining` puts the pieces together inside the time loop.

Conventions
-----------
* A *deal space* has ``K`` dimensions; dimension ``k`` has ``L_k`` levels ``0..L_k-1``.
  A deal is one level per dimension; the space is enumerated once as an integer array of
  shape ``(D, K)`` with ``D = prod(L_k)``.
* A *position* maps a level to ``[0, 1]``. Positions may be shared by all samples (shape
  ``(L_k,)``) or differ per sample (shape ``(n, L_k)``), e.g. a line of control measured in
  km² relative to the current front.
* Utilities are additive over dimensions: ``U(deal) = sum_k w_k * pos_k[level_k]``.
* Per-sample, per-deal quantities have shape ``(n, D)``; per-sample ones shape ``(n,)``.

References
----------
.. [1] Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*
   49(3), 379-414.
.. [2] Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155-162; asymmetric
   form: Kalai, E. (1977). Nonsymmetric Nash solutions and replications of 2-person
   bargaining. *International Journal of Game Theory* 6, 179-187.
.. [3] Maynard Smith, J. (1974). The theory of games and the evolution of animal conflicts.
   *Journal of Theoretical Biology* 47, 209-221 (war of attrition); Fudenberg, D. and
   Tirole, J. (1991). *Game Theory*, ch. 4.5.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from detente._typing import BoolArray, FloatArray
from detente.errors import InputError

IntArray = NDArray[np.int64]

#: Smallest surplus the log-Nash objective takes (keeps ``log`` finite at a zero surplus).
_TINY = 1e-300

__all__ = [
    "IntArray",
    "acceptable",
    "additive_utility",
    "annuity",
    "attrition_expected_duration",
    "attrition_quit_hazards",
    "channel_deals",
    "enumerate_deals",
    "joint_veto_risk",
    "level_positions",
    "nash_choice",
    "product_utility",
    "step_probability",
    "veto_risk",
    "victory_probabilities",
    "war_value",
    "zone_of_agreement",
]


# --------------------------------------------------------------------------- the deal space
def enumerate_deals(levels: Sequence[int]) -> IntArray:
    """Every combination of levels, one deal per row.

    Parameters
    ----------
    levels : sequence of int
        Number of levels ``L_k`` of each dimension (each at least 1).

    Returns
    -------
    ndarray of int64, shape (D, K)
        ``D = prod(levels)`` deals; the last dimension varies fastest.

    Raises
    ------
    InputError
        If there are no dimensions or a dimension has no level (an empty deal space).

    Examples
    --------
    >>> enumerate_deals([2, 3]).tolist()
    [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    """
    dims = [int(n) for n in levels]
    if not dims:
        raise InputError("the deal space is empty: expected at least one issue dimension")
    bad = [i for i, n in enumerate(dims) if n < 1]
    if bad:
        raise InputError(
            f"the deal space is empty: dimension(s) {bad} have no level "
            f"(levels per dimension: {dims}); expected at least one level each"
        )
    grid = np.indices(dims).reshape(len(dims), -1).T
    return np.ascontiguousarray(grid, dtype=np.int64)


def level_positions(n_levels: int) -> FloatArray:
    """Evenly spaced positions of ``n_levels`` levels on ``[0, 1]`` (``[0.]`` for one level).

    Examples
    --------
    >>> level_positions(3).tolist()
    [0.0, 0.5, 1.0]
    """
    if n_levels < 1:
        raise InputError(f"a dimension needs at least one level, found {n_levels}")
    if n_levels == 1:
        return np.zeros(1)
    return np.linspace(0.0, 1.0, n_levels)


def channel_deals(deals: IntArray, open_dims: Sequence[bool],
                  status_quo: Sequence[int]) -> IntArray:
    """Return the indices of the deals a channel can reach.

    A channel that does not cover a dimension leaves it at its status-quo level.

    Parameters
    ----------
    deals : ndarray of int, shape (D, K)
        The deal space.
    open_dims : sequence of bool, length K
        Which dimensions the channel may move.
    status_quo : sequence of int, length K
        The level each dimension keeps when the channel cannot move it.

    Returns
    -------
    ndarray of int64
        Row indices into ``deals``, ascending.
    """
    k = deals.shape[1]
    if len(open_dims) != k or len(status_quo) != k:
        raise InputError(f"expected {k} entries in open_dims and status_quo, found "
                         f"{len(open_dims)} and {len(status_quo)}")
    keep = np.ones(deals.shape[0], dtype=bool)
    for d in range(k):
        if not open_dims[d]:
            keep &= deals[:, d] == int(status_quo[d])
    return np.flatnonzero(keep).astype(np.int64)


# --------------------------------------------------------------------------- utilities
def additive_utility(weights: FloatArray, deals: IntArray,
                     positions: Sequence[FloatArray]) -> FloatArray:
    """Additive utility of every deal for every sample.

    Parameters
    ----------
    weights : ndarray, shape (n, K)
        Salience of each dimension per sample (usually summing to 1 over ``K``).
    deals : ndarray of int, shape (D, K)
        Deals as level indices.
    positions : sequence of K arrays
        Position of each level on ``[0, 1]`` (oriented so 1 is what this actor wants most
        or least: the caller chooses), shape ``(L_k,)`` if shared by all samples or
        ``(n, L_k)`` if per sample.

    Returns
    -------
    ndarray, shape (n, D)
        ``U[i, j] = sum_k weights[i, k] * positions[k][(i,) level_jk]``.
    """
    n, k = weights.shape
    if deals.shape[1] != k or len(positions) != k:
        raise InputError(f"expected {k} dimensions in deals and positions, found "
                         f"{deals.shape[1]} and {len(positions)}")
    # a sum over the (few) dimensions rather than a matrix product: no BLAS threads, whose
    # start-up and contention cost more than the arithmetic at these sizes
    u = np.zeros((n, deals.shape[0]))
    for d in range(k):
        pos = np.asarray(positions[d], dtype=np.float64)
        if pos.ndim == 1:
            u += weights[:, d, None] * pos[deals[:, d]][None, :]
        else:
            u += weights[:, d, None] * pos[:, deals[:, d]]
    return u


def product_utility(weights: FloatArray, level_sets: Sequence[IntArray],
                    positions: Sequence[FloatArray]) -> FloatArray:
    """Additive utility of every deal of a product space, built by outer sums.

    Same result as :func:`additive_utility` over the deals ``itertools.product(*level_sets)``
    (last dimension fastest, as :func:`enumerate_deals`), with about ``prod(L)`` additions
    per sample instead of ``K * prod(L)`` multiply-adds.

    Parameters
    ----------
    weights : ndarray, shape (n, K)
        Salience of each dimension per sample.
    level_sets : sequence of K integer arrays
        The levels each dimension may take, in order.
    positions : sequence of K arrays, each (L_k,)
        Position of every level of each dimension (shared by all samples).

    Returns
    -------
    ndarray, shape (n, prod(len(level_sets[k])))
    """
    n, k = weights.shape
    if len(level_sets) != k or len(positions) != k:
        raise InputError(f"expected {k} level sets and positions, found "
                         f"{len(level_sets)} and {len(positions)}")
    u = np.zeros((n, 1))
    for d in range(k):
        part = weights[:, d, None] * np.asarray(positions[d], dtype=np.float64)[level_sets[d]]
        u = (u[:, :, None] + part[:, None, :]).reshape(n, -1)
    return u


# --------------------------------------------------------------------------- value of war
def annuity(rate: FloatArray | float, horizon: FloatArray | float) -> FloatArray:
    """Discounted length of a period: ``(1 - exp(-rate * horizon)) / rate``.

    Parameters
    ----------
    rate : array_like
        Discount rate per unit time (>= 0); zero gives ``horizon``.
    horizon : array_like
        Length of the period (>= 0).

    Returns
    -------
    ndarray
        The present value of a unit flow over the period.
    """
    r = np.asarray(rate, dtype=np.float64)
    h = np.asarray(horizon, dtype=np.float64)
    rh = r * h
    safe = np.where(rh > 0.0, r, 1.0)
    return np.asarray(np.where(rh > 0.0, -np.expm1(-rh) / safe, h), dtype=np.float64)


def war_value(u_now: FloatArray, u_outcome: FloatArray, cost_rate: FloatArray,
              discount_rate: FloatArray, horizon: FloatArray) -> FloatArray:
    """Compute an actor's value of fighting on for ``horizon``.

    ``V = (1 - D) u_now + D u_outcome - cost_rate * A`` with ``D = exp(-r H)`` and
    ``A = annuity(r, H)``: the gain or loss that fighting brings (``u_outcome - u_now``) arrives
    at the horizon and is discounted, while the costs accrue all along. With ``r = 0`` it is
    Fearon's ``u_outcome - cost``: ``V = u_outcome - cost_rate * H``.

    Parameters
    ----------
    u_now : ndarray
        Utility of the status quo (the current line and nothing agreed).
    u_outcome : ndarray
        Expected utility of where fighting leads by the horizon (a lottery over outcomes).
    cost_rate : ndarray
        Cost of fighting per unit time, in utility units.
    discount_rate : ndarray
        Discount rate per unit time.
    horizon : ndarray
        The actor's planning horizon.

    Returns
    -------
    ndarray
        Value of continuing the war, in utility units.
    """
    disc = np.exp(-np.asarray(discount_rate) * np.asarray(horizon))
    return np.asarray((1.0 - disc) * u_now + disc * u_outcome
                      - cost_rate * annuity(discount_rate, horizon), dtype=np.float64)


def victory_probabilities(log_ratio: FloatArray, threshold: FloatArray,
                          width: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Believed chances that either side's front collapses by the horizon.

    A side collapses when the log force ratio against it passes ``threshold``; the belief
    is a logistic of width ``width`` around that: ``P_a = logistic((L - threshold) / width)``
    and ``P_b = logistic((-L - threshold) / width)``, rescaled if they sum to more than 1.

    Parameters
    ----------
    log_ratio : ndarray
        Projected ``ln(force_a / force_b)``.
    threshold : ndarray
        Log force ratio at which the weaker side's front breaks (> 0).
    width : ndarray
        Spread of the belief around the threshold (> 0).

    Returns
    -------
    p_a, p_b : ndarray
        Chances that side a (resp. b) wins outright.
    """
    pa = 0.5 * (1.0 + np.tanh(0.5 * (log_ratio - threshold) / width))
    pb = 0.5 * (1.0 + np.tanh(0.5 * (-log_ratio - threshold) / width))
    total = np.maximum(pa + pb, 1.0)
    return np.asarray(pa / total, dtype=np.float64), np.asarray(pb / total, dtype=np.float64)


def veto_risk(u_deal: FloatArray, u_status_quo: FloatArray, base: FloatArray,
              slope: FloatArray) -> FloatArray:
    """Chance that a domestic veto player blocks a deal, rising with its concessions.

    ``r = clip(base + slope * max(u_status_quo - u_deal, 0), 0, 1)``.

    Parameters
    ----------
    u_deal : ndarray, shape (n, D)
        The government's utility of each deal.
    u_status_quo : ndarray, shape (n,)
        Its utility of the status quo; the concession is the shortfall from it.
    base, slope : ndarray, shape (n,)
        Risk at no concession, and its rise per unit of concession.

    Returns
    -------
    ndarray, shape (n, D)
    """
    concession = np.maximum(u_status_quo[:, None] - u_deal, 0.0)
    return np.asarray(np.clip(base[:, None] + slope[:, None] * concession, 0.0, 1.0),
                      dtype=np.float64)


def joint_veto_risk(risks: Sequence[FloatArray]) -> FloatArray:
    """Chance that at least one of several independent domestic veto players blocks a deal.

    ``1 - prod_i (1 - r_i)``, accumulated as ``r <- r + r_i - r r_i`` from the first risk:
    where every player but one has a risk of exactly 0, the result is that player's risk
    bit for bit (adding and subtracting an exact 0 changes nothing).

    Parameters
    ----------
    risks : sequence of ndarray, all of the same shape
        Each player's chance of blocking (in ``[0, 1]``).

    Returns
    -------
    ndarray
        The joint chance, of the shape of the risks.

    Raises
    ------
    InputError
        If ``risks`` is empty.

    Examples
    --------
    >>> joint_veto_risk([np.array([0.5]), np.array([0.5])]).tolist()
    [0.75]
    """
    if not risks:
        raise InputError("expected the veto risk of at least one player")
    joint = np.asarray(risks[0], dtype=np.float64)
    for r in risks[1:]:
        joint = joint + r - joint * r
    return np.asarray(joint, dtype=np.float64)


# --------------------------------------------------------------------------- agreement
def acceptable(surpluses: Sequence[FloatArray], margins: Sequence[FloatArray]) -> BoolArray:
    """Deals every veto player prefers to fighting on by at least its margin.

    Parameters
    ----------
    surpluses : sequence of ndarray, each (n, D)
        Each veto player's (expected) utility of the deal minus its value of war.
    margins : sequence of ndarray, each (n,)
        The gain each requires before it signs.

    Returns
    -------
    ndarray of bool, shape (n, D)
    """
    if len(surpluses) != len(margins) or not surpluses:
        raise InputError("expected one margin per veto player and at least one player")
    ok = surpluses[0] >= margins[0][:, None]
    for s, m in zip(surpluses[1:], margins[1:], strict=True):
        ok &= s >= m[:, None]
    return np.asarray(ok, dtype=np.bool_)


def nash_choice(surpluses: Sequence[FloatArray], powers: Sequence[FloatArray],
                ok: BoolArray) -> IntArray:
    """Choose the asymmetric Nash bargaining solution over the acceptable deals.

    Maximises ``prod_i s_i ** a_i`` (in logs, ``sum_i a_i log s_i``) over the deals where
    ``ok`` holds; ties go to the first deal.

    Parameters
    ----------
    surpluses : sequence of ndarray, each (n, D)
        Each player's gain over its disagreement value (its value of war).
    powers : sequence of ndarray, each (n,)
        Bargaining power ``a_i >= 0`` of each player.
    ok : ndarray of bool, shape (n, D)
        The acceptable set (see :func:`acceptable`).

    Returns
    -------
    ndarray of int64, shape (n,)
        Column of the chosen deal, or -1 where no deal is acceptable.
    """
    n, _ = ok.shape
    choice = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(ok.any(axis=1))
    if rows.size == 0:
        return choice
    obj = np.zeros((rows.size, ok.shape[1]))
    for s, a in zip(surpluses, powers, strict=True):
        obj += a[rows, None] * np.log(np.maximum(s[rows], _TINY))
    obj[~ok[rows]] = -np.inf
    choice[rows] = np.argmax(obj, axis=1)
    return choice


def zone_of_agreement(ok: BoolArray, positions: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest position of the acceptable deals on a one-dimensional grid.

    Parameters
    ----------
    ok : ndarray of bool, shape (n, D)
        The acceptable set.
    positions : ndarray, shape (D,)
        Each deal's position (e.g. side A's share of the good).

    Returns
    -------
    low, high : ndarray, shape (n,)
        Bounds of the zone; NaN where it is empty.
    """
    pos = np.broadcast_to(positions, ok.shape)
    low = np.where(ok, pos, np.inf).min(axis=1)
    high = np.where(ok, pos, -np.inf).max(axis=1)
    empty = ~ok.any(axis=1)
    return (np.asarray(np.where(empty, np.nan, low), dtype=np.float64),
            np.asarray(np.where(empty, np.nan, high), dtype=np.float64))


# --------------------------------------------------------------------------- timing
def step_probability(rate: FloatArray, dt: float) -> FloatArray:
    """Chance that an event with hazard ``rate`` (per unit time) occurs within ``dt``."""
    return np.asarray(-np.expm1(-np.maximum(rate, 0.0) * dt), dtype=np.float64)


def attrition_quit_hazards(cost: FloatArray, prize: FloatArray) -> FloatArray:
    """Equilibrium quit hazards of the two-player war of attrition.

    In the complete-information game with prize ``V_i`` and flow cost ``c_i``, the mixed
    equilibrium has player ``i`` quit at the constant rate that makes the other indifferent
    between quitting and holding on: ``h_i = c_j / V_j``.

    Parameters
    ----------
    cost, prize : ndarray, shape (2,)
        Flow costs ``c_i`` and prize values ``V_i``.

    Returns
    -------
    ndarray, shape (2,)
        ``[c_1 / V_1, c_0 / V_0]``.
    """
    c = np.asarray(cost, dtype=np.float64)
    v = np.asarray(prize, dtype=np.float64)
    if c.shape != (2,) or v.shape != (2,):
        raise InputError("the war of attrition has two players: expected arrays of shape (2,)")
    return np.asarray((c / v)[::-1], dtype=np.float64)


def attrition_expected_duration(cost: FloatArray, prize: FloatArray) -> float:
    """Return the expected length of the war of attrition, ``1 / sum_i (c_i / V_i)``."""
    return float(1.0 / attrition_quit_hazards(cost, prize).sum())
