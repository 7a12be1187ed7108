"""Bueno de Mesquita's expected-utility model of group decisions, as Scholz et al. read it.

The formulation is the one Scholz, Calbert & Smith (2011) reconstructed from Bueno de
Mesquita (1994, 1997) and replicated on the EC car-emissions case. Each issue is a line and
is played on its own; every array carries a leading batch of (sample, issue) pairs, so one
call plays every sample at once. For actor ``i`` with capability ``c_i``, salience
``s_i`` (in ``[0, 1]``) and position ``x_i``, and the positions' range ``R = max x - min
x`` at the start (equations in ``docs/negotiation.md``):

* votes: ``v^k(a, b) = c_k s_k (|x_k - x_b| - |x_k - x_a|) / R``; the median voter position
  ``mu`` is the position no other beats, the weighted median (:mod:`.baseline`);
* probability that ``a`` prevails over ``b``:
  ``P(a, b) = sum_k max(v^k(a, b), 0) / sum_k |v^k(a, b)|`` (0 when ``x_a = x_b``);
* utilities with risk exponent ``r``, ``d = |x_a - x_b| / R``, ``e = |x_a - mu| / R``:
  ``U_s = 2 - 4 (1/2 - d/2)^r``, ``U_f = 2 - 4 (1/2 + d/2)^r``,
  ``U_b = 2 - 4 (1/2 - (e + d)/4)^r``, ``U_w = 2 - 4 (1/2 + (e + d)/4)^r``,
  ``U_sq = 2 - 4 (1/2)^r``;
* expected utility of ``a`` challenging ``b``, as an actor of risk ``r`` sees it:
  ``E(a, b) = s_b (P U_s + (1 - P) U_f) + (1 - s_b) U_s - Q U_sq``
  ``- (1 - Q)(T U_b + (1 - T) U_w)``;
* risk: with every ``r = 1``, actor ``i``'s exposure ``D_i = sum_{a != i} E(a, i)``,
  ``R_i = (2 D_i - max D - min D) / (max D - min D)`` and ``r_i = (1 - R_i/3) / (1 + R_i/3)``
  (in ``[1/2, 2]``);
* offers: actor ``i`` compares, with its own ``r_i``, ``E_ij = E(i, j)`` and
  ``E_ji = E(j, i)`` for every other actor ``j``: ``E_ji > E_ij > 0`` is a confrontation
  ``i`` loses (it moves to ``x_j``); ``E_ji > 0 > E_ij`` with ``E_ji > |E_ij|`` a
  compromise (it moves ``|E_ij / E_ji|`` of the way to ``x_j``), with ``E_ji <= |E_ij|`` a
  capitulation (it moves to ``x_j``); otherwise ``j`` makes ``i`` no offer. Each actor takes
  the offer that moves it least; all move at once, and the next round begins.

Positions are mapped onto ``[0, 1]`` by their range at the start (``R = 1`` there) and
mapped back at the end. The choices where the literature is ambiguous are listed in
``docs/negotiation.md`` ("Choices"). This is the 1994 model Scholz et al. reconstructed;
the 2002 variant is out of its scope, since no documented account of how it differs was
available to build from.

References
----------
.. [1] Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011). Unravelling Bueno De
   Mesquita's group decision model. Journal of Theoretical Politics 23(4), 510-531.
.. [2] Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
   B. Bueno de Mesquita and F. N. Stokman (eds), the EC decision-making volume (full title
   in docs/negotiation.md), 71-104. Yale University Press.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.analysis.negotiation.baseline import weighted_mean, weighted_median

__all__ = ["OFFERS", "ExpectedUtilityPath", "challenge_utility", "expected_utility_model",
           "risk_exponents", "success_probability"]

#: The kinds of offer, by the code :attr:`ExpectedUtilityPath.offer` records (0: none).
OFFERS: tuple[str, ...] = ("none", "confrontation", "compromise", "capitulation")
#: Relative margin within which two expected utilities, exposures or moves count as equal.
EQUAL_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class ExpectedUtilityPath:
    """The rounds of the expected-utility model, for a batch of issues.

    Attributes
    ----------
    position : ndarray, shape (..., rounds + 1, actors)
        Each actor's position at the start and after each round.
    median : ndarray, shape (..., rounds + 1)
        The median voter position (the model's forecast) at the start and after each round.
    mean : ndarray, shape (..., rounds + 1)
        The capability x salience weighted mean of the positions.
    risk : ndarray, shape (..., rounds, actors)
        Each actor's risk exponent in each round.
    offer : ndarray of int, shape (..., rounds, actors)
        The kind of offer each actor took in each round (:data:`OFFERS`).
    offered_by : ndarray of int, shape (..., rounds, actors)
        The actor whose offer it took (-1: none).
    """

    position: FloatArray
    median: FloatArray
    mean: FloatArray
    risk: FloatArray
    offer: np.ndarray
    offered_by: np.ndarray


def success_probability(x: FloatArray, w: FloatArray, span: FloatArray) -> FloatArray:
    """``P(a, b)``: the chance that ``a``'s position prevails over ``b``'s in a vote.

    Parameters
    ----------
    x, w : ndarray, shape (B, n)
        Positions and vote weights ``c s``.
    span : ndarray, shape (B,)
        The positions' range ``R`` (positive).

    Returns
    -------
    ndarray, shape (B, n, n)
        ``P[:, a, b]``; ``P(a, b) + P(b, a) = 1`` where ``x_a != x_b``, 0 where equal.
    """
    dist = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]  # (B, k, y)
    # v[:, k, a, b] = w_k (|x_k - x_b| - |x_k - x_a|) / R
    v = w[:, :, None, None] * (dist[:, :, None, :] - dist[:, :, :, None])
    pos = np.clip(v, 0.0, None).sum(axis=1)
    tot = np.abs(v).sum(axis=1)
    out: FloatArray = np.divide(pos, tot, out=np.zeros_like(pos), where=tot > 0)
    return out


def challenge_utility(x_a: FloatArray, x_b: FloatArray, s_b: FloatArray, p: FloatArray,
                      mu: FloatArray, span: FloatArray, r: FloatArray, *, q: float = 1.0,
                      t: float = 1.0) -> FloatArray:
    """``E(a, b)``: the expected utility of ``a`` challenging ``b``, at risk exponent ``r``.

    All arguments broadcast against each other; ``mu`` and ``span`` are the median voter
    position and the positions' range, ``q`` the chance that the status quo holds when
    ``a`` does not challenge and ``t`` the chance that it then improves for ``a``.
    """
    d = np.abs(x_a - x_b) / span
    e = np.abs(x_a - mu) / span
    u_s = 2.0 - 4.0 * (0.5 - 0.5 * d) ** r
    u_f = 2.0 - 4.0 * (0.5 + 0.5 * d) ** r
    u_b = 2.0 - 4.0 * np.clip(0.5 - 0.25 * (e + d), 0.0, None) ** r
    u_w = 2.0 - 4.0 * (0.5 + 0.25 * (e + d)) ** r
    u_sq = 2.0 - 4.0 * 0.5 ** r
    out: FloatArray = (s_b * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_b) * u_s
                       - q * u_sq - (1.0 - q) * (t * u_b + (1.0 - t) * u_w))
    return out


def risk_exponents(x: FloatArray, s: FloatArray, p: FloatArray, mu: FloatArray,
                   span: FloatArray, *, q: float = 1.0, t: float = 1.0) -> FloatArray:
    """Each actor's risk exponent ``r_i`` from its exposure to challenges at ``r = 1``.

    Returns
    -------
    ndarray, shape (B, n)
        In ``[1/2, 2]``; 1 for everyone where all exposures are equal.
    """
    n = x.shape[1]
    e1 = challenge_utility(x[:, :, None], x[:, None, :], s[:, None, :], p,
                           mu[:, None, None], span[:, None, None], np.ones(1), q=q, t=t)
    off = ~np.eye(n, dtype=bool)
    exposure = np.where(off[None], e1, 0.0).sum(axis=1)  # D_i = sum_a E(a, i)
    hi = exposure.max(axis=1, keepdims=True)
    lo = exposure.min(axis=1, keepdims=True)
    spread = hi - lo
    # exposures equal up to the sums' rounding (which depends on the actors' order) are
    # equal: no one is more exposed than another
    level = np.maximum(np.abs(hi), np.abs(lo))
    big_r = np.divide(2.0 * exposure - hi - lo, spread, out=np.zeros_like(exposure),
                      where=spread > EQUAL_TOL * level)
    out: FloatArray = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    return out


def _round(x: FloatArray, c: FloatArray, s: FloatArray, span: FloatArray, q: float,
           t: float) -> tuple[FloatArray, FloatArray, np.ndarray, np.ndarray]:
    """One round: new positions, risk exponents, offer kinds and offerers (batch (B, n))."""
    n = x.shape[1]
    w = c * s
    mu = weighted_median(x[:, :, None], w[:, :, None])[:, 0]
    p = success_probability(x, w, span)
    r = risk_exponents(x, s, p, mu, span, q=q, t=t)
    ri = r[:, :, None]  # i's own view, for every counterpart j
    xi, xj = x[:, :, None], x[:, None, :]
    e_ij = challenge_utility(xi, xj, s[:, None, :], p, mu[:, None, None],
                             span[:, None, None], ri, q=q, t=t)
    e_ji = challenge_utility(xj, xi, s[:, :, None], np.swapaxes(p, 1, 2),
                             mu[:, None, None], span[:, None, None], ri, q=q, t=t)
    other: BoolArray = ~np.eye(n, dtype=bool)[None] & (xi != xj)
    # expected utilities within EQUAL_TOL of each other (or of 0) are equal: the sums
    # behind them round differently when the actors are numbered differently
    tol = EQUAL_TOL * np.maximum(np.abs(e_ij), np.abs(e_ji))
    confront = other & (e_ji > e_ij + tol) & (e_ij > tol)
    giving = other & (e_ji > tol) & (e_ij < -tol)
    compromise = giving & (e_ji > np.abs(e_ij))
    capitulate = giving & ~compromise
    share = np.divide(np.abs(e_ij), e_ji, out=np.ones_like(e_ij), where=compromise)
    target = np.where(compromise, xi + (xj - xi) * share, xj)
    kind = np.select([confront, compromise, capitulate], [1, 2, 3], 0)
    made = kind > 0
    # the offer that moves i least; at equal moves (up to rounding), the one to the lower
    # position: what the offers are decides, never who made them
    move = np.where(made, np.abs(target - xi), np.inf)
    least = move.min(axis=-1, keepdims=True)
    near = made & (move <= least + EQUAL_TOL * (np.where(np.isfinite(least), least, 0.0)
                                                + span[:, None, None]))
    best = np.argmin(np.where(near, target, np.inf), axis=-1)
    taken = np.take_along_axis(made, best[..., None], axis=-1)[..., 0]
    new = np.where(taken, np.take_along_axis(target, best[..., None], axis=-1)[..., 0], x)
    offer = np.where(taken, np.take_along_axis(kind, best[..., None], axis=-1)[..., 0], 0)
    by = np.where(taken, best, -1)
    return new, r, offer, by


def expected_utility_model(position: FloatArray, capability: FloatArray,
                           salience: FloatArray, *, rounds: int = 10, q: float = 1.0,
                           t: float = 1.0) -> ExpectedUtilityPath:
    """Play the expected-utility model for ``rounds`` rounds on a batch of issues.

    Parameters
    ----------
    position, capability, salience : ndarray, shape (..., actors)
        One issue per leading index (samples, or samples x issues); saliences in
        ``[0, 1]``, capabilities ``>= 0``.
    rounds : int
        Rounds to play (``>= 0``).
    q, t : float
        The chance that the status quo holds without a challenge, and that it then turns
        in the challenger's favour (Bueno de Mesquita's Q and T; Scholz et al. use
        ``Q = 1``, where T does not matter).

    Returns
    -------
    ExpectedUtilityPath
        Positions, forecasts (median voter positions), means, risks and offers per round.

    Examples
    --------
    >>> x = np.array([[0.0, 1.0, 1.0]])
    >>> path = expected_utility_model(x, np.ones((1, 3)), np.ones((1, 3)), rounds=2)
    >>> float(path.median[0, -1])
    1.0
    """
    lead = position.shape[:-1]
    n = position.shape[-1]
    x = np.asarray(position, dtype=np.float64).reshape(-1, n)
    c = np.broadcast_to(capability, position.shape).reshape(-1, n)
    s = np.broadcast_to(salience, position.shape).reshape(-1, n)
    lo = x.min(axis=1, keepdims=True)
    span0 = x.max(axis=1, keepdims=True) - lo
    settled = span0[:, 0] <= 0
    span = np.where(settled[:, None], 1.0, span0)  # all agree: nothing moves
    # play on [0, 1] (the range R is then 1), so an affine change of scale changes nothing
    unit = (x - lo) / span
    ones = np.ones(x.shape[0])
    xs, risks, offers, bys = [unit], [], [], []
    for _ in range(rounds):
        new, r, offer, by = _round(xs[-1], c, s, ones, q, t)
        new = np.where(settled[:, None], xs[-1], new)
        xs.append(new)
        risks.append(r)
        offers.append(offer)
        bys.append(by)
    # back on the input's scale as moves from the start: (B, rounds + 1, n)
    path = x[:, None, :] + (np.stack(xs, axis=1) - unit[:, None, :]) * span[:, :, None]
    w = np.broadcast_to((c * s)[:, None, :], path.shape)
    med = weighted_median(path[..., None], w[..., None])[..., 0]
    mean = weighted_mean(path[..., None], w[..., None])[..., 0]

    def shaped(a: list[np.ndarray], dtype: type) -> np.ndarray:
        arr = np.stack(a, axis=1) if a else np.zeros((x.shape[0], 0, n), dtype=dtype)
        return arr.astype(dtype).reshape(*lead, rounds, n)

    return ExpectedUtilityPath(
        position=path.reshape(*lead, rounds + 1, n), median=med.reshape(*lead, rounds + 1),
        mean=mean.reshape(*lead, rounds + 1), risk=shaped(risks, np.float64),
        offer=shaped(offers, np.int8), offered_by=shaped(bys, np.int16))
