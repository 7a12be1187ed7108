"""Bueno de Mesquita's expected-utility model of group decisions, as Scholz et al. read it.

The formulation is the one Scholz, Calbert & Smith (2011) reconstructed from Bueno de
Mesquita (1994, 1997) and replicated on the EC car-emissions case. Each issue is a line and
is played on its own; every array carries a leading batch of (sample, issue) pairs, so one
call plays every sample at once. For actor ``i`` with capability ``c_i``, salience
``s_i`` (in ``[0, 1]``) and position ``x_i``, and the positions' range ``R = max x - min
x`` at the start (equations in ``docs/negotiation.md``), the paper's printed equations
(``formulation="equations"``, the default) are:

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

``formulation="scholz_code"`` makes the choices of Scholz et al.'s own program instead, as
its public replication (McKibben-Sanders 2014, Masad 2014) has them; they, not the printed
equations, give the paper's printed rounds of the EC car-emissions case:

* votes with each voter's own risk exponent,
  ``v^k(a, b) = c_k s_k ((|x_k - x_b| / R)^{r_k} - (|x_k - x_a| / R)^{r_k})`` (all
  ``r_k = 1`` while the risks are found; the median voter position uses ``r = 1``);
* ``P(a, b) = sum_k max(v^k(a, b), 0) / sum_k sum_{a', b'} |v^k(a', b')|``, the denominator
  summed over every ordered pair of actors, so ``P(a, b) + P(b, a) < 1``;
* ``E(a, b) = s_b (P U_s + (1 - P) U_f) + (1 - s_b) U_s - Q U_sq`` (no better or worse
  status quo: ``T`` is unused);
* the offers as above, but chosen by kind first: a confrontation if there is one (the least
  move), else the compromise with the lowest ``(|E_ij| x_i + |E_ji| x_j) / (|E_ij| +
  |E_ji|)``, else a capitulation (the least move).

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
.. [3] McKibben-Sanders, J. (2014). bdm-scholz-expected-utility-model (GitHub), a
   replication of Scholz et al.'s program; Masad, D. (2014), its Python 3 update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.analysis.negotiation.baseline import weighted_mean, weighted_median
from detente.errors import InputError

__all__ = ["FORMULATIONS", "OFFERS", "ExpectedUtilityPath", "Formulation",
           "challenge_utility", "code_challenge_utility", "code_success_probability",
           "expected_utility_model", "risk_exponents", "success_probability"]

#: The kinds of offer, by the code :attr:`ExpectedUtilityPath.offer` records (0: none).
OFFERS: tuple[str, ...] = ("none", "confrontation", "compromise", "capitulation")
#: Relative margin within which two expected utilities, exposures or moves count as equal.
EQUAL_TOL = 1e-9
#: The paper's printed equations, or the choices of Scholz et al.'s program.
Formulation = Literal["equations", "scholz_code"]
FORMULATIONS: tuple[str, ...] = ("equations", "scholz_code")


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


def _votes(x: FloatArray, w: FloatArray, span: FloatArray, r: FloatArray | None = None
           ) -> FloatArray:
    """``v[:, k, a, b]``: voter ``k``'s vote for ``a`` over ``b``, shape (B, n, n, n).

    ``w_k ((|x_k - x_b| / R)^r_k - (|x_k - x_a| / R)^r_k)``, with distances as they are
    where ``r`` is None (every ``r_k = 1``).
    """
    dist = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]  # (B, k, y)
    felt = dist if r is None else dist ** r[:, :, None]
    out: FloatArray = w[:, :, None, None] * (felt[:, :, None, :] - felt[:, :, :, None])
    return out


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
    v = _votes(x, w, span)
    pos = np.clip(v, 0.0, None).sum(axis=1)
    tot = np.abs(v).sum(axis=1)
    out: FloatArray = np.divide(pos, tot, out=np.zeros_like(pos), where=tot > 0)
    return out


def code_success_probability(x: FloatArray, w: FloatArray, span: FloatArray,
                               r: FloatArray) -> FloatArray:
    """``P(a, b)`` as Scholz et al.'s program computes it.

    Each voter ``k`` weighs distances with its own risk exponent ``r_k``, and the votes
    for ``a`` over ``b`` are divided by the votes' magnitudes summed over every ordered
    pair of actors (not over the pair ``a, b`` alone).

    Parameters
    ----------
    x, w : ndarray, shape (B, n)
        Positions and vote weights ``c s``.
    span : ndarray, shape (B,)
        The positions' range ``R`` (positive).
    r : ndarray, shape (B, n)
        Each voter's risk exponent.

    Returns
    -------
    ndarray, shape (B, n, n)
        ``P[:, a, b]``, 0 where ``x_a = x_b``; ``P(a, b) + P(b, a) <= 1``.
    """
    v = _votes(x, w, span, r)
    pos = np.clip(v, 0.0, None).sum(axis=1)
    tot = np.abs(v).sum(axis=(1, 2, 3))[:, None, None]
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


def code_challenge_utility(x_a: FloatArray, x_b: FloatArray, s_b: FloatArray,
                           p: FloatArray, span: FloatArray, r: FloatArray, *,
                           q: float = 1.0) -> FloatArray:
    """``E(a, b)`` as Scholz et al.'s program computes it, at risk exponent ``r``.

    ``s_b (P U_s + (1 - P) U_f) + (1 - s_b) U_s - Q U_sq``: the status quo's utility is
    all a challenge forgoes (no better or worse status quo, so no ``T``). Arguments as
    :func:`challenge_utility`'s; ``p`` from :func:`code_success_probability`.
    """
    d = np.abs(x_a - x_b) / span
    u_s = 2.0 - 4.0 * (0.5 - 0.5 * d) ** r
    u_f = 2.0 - 4.0 * (0.5 + 0.5 * d) ** r
    u_sq = 2.0 - 4.0 * 0.5 ** r
    out: FloatArray = s_b * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_b) * u_s - q * u_sq
    return out


def _risk_from_challenges(e1: FloatArray) -> FloatArray:
    """``r_i`` from ``e1[:, a, i] = E(a, i)`` at ``r = 1`` (the diagonal is ignored)."""
    n = e1.shape[1]
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


def risk_exponents(x: FloatArray, s: FloatArray, p: FloatArray, mu: FloatArray,
                   span: FloatArray, *, q: float = 1.0, t: float = 1.0) -> FloatArray:
    """Each actor's risk exponent ``r_i`` from its exposure to challenges at ``r = 1``.

    Returns
    -------
    ndarray, shape (B, n)
        In ``[1/2, 2]``; 1 for everyone where all exposures are equal.
    """
    e1 = challenge_utility(x[:, :, None], x[:, None, :], s[:, None, :], p,
                           mu[:, None, None], span[:, None, None], np.ones(1), q=q, t=t)
    return _risk_from_challenges(e1)


def _offers(x: FloatArray, e_ij: FloatArray,
            e_ji: FloatArray) -> tuple[np.ndarray, FloatArray]:
    """Classify the offer ``j`` makes ``i`` and where it takes ``i`` (batch (B, i, j))."""
    n = x.shape[1]
    xi, xj = x[:, :, None], x[:, None, :]
    other: BoolArray = ~np.eye(n, dtype=bool)[None] & (xi != xj)
    # expected utilities within EQUAL_TOL of each other (or of 0) are equal: the sums
    # behind them round differently when the actors are numbered differently
    tol = EQUAL_TOL * np.maximum(np.abs(e_ij), np.abs(e_ji))
    confront = other & (e_ji > e_ij + tol) & (e_ij > tol)
    giving = other & (e_ji > tol) & (e_ij < -tol)
    compromise = giving & (e_ji > np.abs(e_ij))
    capitulate = giving & ~compromise
    share = np.divide(np.abs(e_ij), e_ji, out=np.ones_like(e_ij), where=compromise)
    target: FloatArray = np.where(compromise, xi + (xj - xi) * share, xj)
    kind = np.select([confront, compromise, capitulate], [1, 2, 3], 0)
    return kind, target


def _take(x: FloatArray, kind: np.ndarray, target: FloatArray, made: BoolArray,
          key: FloatArray, span: FloatArray) -> tuple[FloatArray, np.ndarray, np.ndarray]:
    """Each actor takes, among the offers ``made``, the one of least ``key``.

    At equal keys (up to rounding) it takes the one to the lower position: what the offers
    are decides, never who made them.
    """
    key = np.where(made, key, np.inf)
    least = key.min(axis=-1, keepdims=True)
    near = made & (key <= least + EQUAL_TOL * (np.where(np.isfinite(least), np.abs(least),
                                                        0.0) + span[:, None, None]))
    best = np.argmin(np.where(near, target, np.inf), axis=-1)
    taken = np.take_along_axis(made, best[..., None], axis=-1)[..., 0]
    new = np.where(taken, np.take_along_axis(target, best[..., None], axis=-1)[..., 0], x)
    offer = np.where(taken, np.take_along_axis(kind, best[..., None], axis=-1)[..., 0], 0)
    by = np.where(taken, best, -1)
    return new, offer, by


def _round(x: FloatArray, c: FloatArray, s: FloatArray, span: FloatArray, q: float,
           t: float) -> tuple[FloatArray, FloatArray, np.ndarray, np.ndarray]:
    """One round of the printed equations: new positions, risks, offers, offerers."""
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
    kind, target = _offers(x, e_ij, e_ji)
    made = kind > 0
    # the offer that moves i least
    new, offer, by = _take(x, kind, target, made, np.abs(target - xi), span)
    return new, r, offer, by


def _code_round(x: FloatArray, c: FloatArray, s: FloatArray, span: FloatArray,
                q: float) -> tuple[FloatArray, FloatArray, np.ndarray, np.ndarray]:
    """One round as Scholz et al.'s program plays it (see the module's docstring)."""
    w = c * s
    xi, xj = x[:, :, None], x[:, None, :]
    # the risks, from every challenge's expected utility with every r = 1
    p1 = code_success_probability(x, w, span, np.ones_like(x))
    e1 = code_challenge_utility(xi, xj, s[:, None, :], p1, span[:, None, None],
                                np.ones(1), q=q)
    r = _risk_from_challenges(e1)
    # then every vote with its voter's risk, every challenge through the deciding actor's
    p = code_success_probability(x, w, span, r)
    ri = r[:, :, None]
    e_ij = code_challenge_utility(xi, xj, s[:, None, :], p, span[:, None, None], ri, q=q)
    e_ji = code_challenge_utility(xj, xi, s[:, :, None], np.swapaxes(p, 1, 2),
                                  span[:, None, None], ri, q=q)
    kind, target = _offers(x, e_ij, e_ji)
    # confrontations before compromises before capitulations ...
    first = np.where(kind > 0, kind, len(OFFERS)).min(axis=-1, keepdims=True)
    made = (kind > 0) & (kind == first)
    # ... the least move among confrontations or capitulations, and among compromises the
    # lowest position weighted by the two expected utilities' magnitudes
    a_ij, a_ji = np.abs(e_ij), np.abs(e_ji)
    weighted = np.divide(a_ij * xi + a_ji * xj, a_ij + a_ji, out=np.zeros_like(e_ij),
                         where=kind == 2)
    key = np.where(kind == 2, weighted, np.abs(target - xi))
    new, offer, by = _take(x, kind, target, made, key, span)
    return new, r, offer, by


def expected_utility_model(position: FloatArray, capability: FloatArray,
                           salience: FloatArray, *, rounds: int = 10, q: float = 1.0,
                           t: float = 1.0,
                           formulation: Formulation = "equations") -> ExpectedUtilityPath:
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
        ``Q = 1``, where T does not matter; ``"scholz_code"`` never reads T).
    formulation : {"equations", "scholz_code"}
        The paper's printed equations (the default), or the choices of Scholz et al.'s
        program, which reproduce the paper's printed rounds of the EC car-emissions case
        (module docstring; ``docs/negotiation.md``, section 7).

    Returns
    -------
    ExpectedUtilityPath
        Positions, forecasts (median voter positions), means, risks and offers per round.

    Raises
    ------
    InputError
        If ``formulation`` is not one of :data:`FORMULATIONS`.

    Examples
    --------
    >>> x = np.array([[0.0, 1.0, 1.0]])
    >>> path = expected_utility_model(x, np.ones((1, 3)), np.ones((1, 3)), rounds=2)
    >>> float(path.median[0, -1])
    1.0
    """
    if formulation not in FORMULATIONS:
        raise InputError(f"formulation: expected one of {', '.join(FORMULATIONS)}, found "
                         f"{formulation!r}")
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
        if formulation == "equations":
            new, r, offer, by = _round(xs[-1], c, s, ones, q, t)
        else:
            new, r, offer, by = _code_round(xs[-1], c, s, ones, q)
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
