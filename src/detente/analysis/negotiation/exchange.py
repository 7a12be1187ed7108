"""Stokman's exchange model: actors trade position shifts on issues they care less about.

After Stokman & Van Oosten (1994) and Dijkstra, van Assen & Stokman (2008). The outcome of
issue ``a`` is the weighted mean ``O_a = sum_k w_ka x_ka`` with ``w_ka = c_k s_ka / sum_k
c_k s_ka``; actor ``i``'s utility is ``-sum_a s_ia |x_ia - O_a|``. In an exchange actor
``i`` gives way on issue ``q`` (it moves its position a distance ``d_i`` towards ``j``'s)
and ``j`` gives way on issue ``p`` (a distance ``d_j`` towards ``i``'s). Each shift moves
an outcome by the mover's weight times the distance, so (``docs/negotiation.md``)::

    gain_i = s_ip w_jp d_j - s_iq w_iq d_i      gain_j = s_jq w_iq d_i - s_jp w_jp d_j

An exchange is possible when ``i`` and ``j`` stand on opposite sides of the outcome on both
issues (each shift helps the other and costs the mover) and their saliences differ in
ratio, ``s_ip s_jq > s_iq s_jp``: only then can both gain. A shift goes at most to the
other's position, and never carries an outcome past the position of the actor it helps.
The rate ``d_j / d_i`` is set by the rule:

* ``"equal_gain"`` (Stokman & Van Oosten): both gain the same, and one of the two moves as
  far as it can;
* ``"nash"``: the shifts maximise the product of the two gains (the Nash bargaining
  solution from no exchange), within the same limits.

Rounds: every possible exchange is valued at the round's outcomes (its common gain under
equal gain, the product of the gains under Nash); the best is made (ties broken by what
the two parties are, never by their numbers, so relabelling the actors changes nothing),
every exchange that would use one of its four actor-issue pairs is dropped, and so on
until none is left; then the positions move and the next round begins. Positions are
first mapped onto ``[0, 1]`` by the range of all positions (the scale all issues share)
and mapped back at the end, so an affine change of the scale changes nothing else.

References
----------
.. [1] Stokman, F. N. and Van Oosten, R. (1994). The exchange of voting positions: an
   object-oriented model of policy networks. In B. Bueno de Mesquita and F. N. Stokman
   (eds), the EC decision-making volume (full title in docs/negotiation.md), 105-127.
   Yale University Press.
.. [2] Dijkstra, J., van Assen, M. A. L. M. and Stokman, F. N. (2008). Outcomes of
   collective decisions with externalities predicted. Journal of Theoretical Politics
   20(4), 415-441.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente._typing import FloatArray
from detente.analysis.negotiation.baseline import weighted_mean

__all__ = ["RULES", "ExchangePath", "Rule", "candidate_exchanges", "exchange_model",
           "utilities"]

#: How an exchange's rate is set.
Rule = Literal["equal_gain", "nash"]
RULES: tuple[str, ...] = ("equal_gain", "nash")
#: Relative margin below which two salience ratios count as equal (no gain to share).
_RATIO_TOL = 1e-12
#: Smallest gain (on the ``[0, 1]`` scale the model plays on) an exchange must bring each
#: party: below it a gain is rounding, not a reason to move.
MIN_GAIN = 1e-12
#: Relative margin within which two exchanges' values (or tie-break keys) count as equal.
TIE_TOL = 1e-9
#: Distance (on the ``[0, 1]`` scale) within which a position counts as on an outcome.
AT_OUTCOME = 1e-9


@dataclass(frozen=True, eq=False)
class ExchangePath:
    """The rounds of the exchange model.

    Attributes
    ----------
    position : ndarray, shape (samples, rounds + 1, actors, issues)
        Positions at the start and after each round.
    outcome : ndarray, shape (samples, rounds + 1, issues)
        The expected outcomes (weighted means) at the start and after each round.
    actor_i, actor_j : ndarray of int, shape (samples, rounds, slots)
        The two actors of each exchange made (-1: an empty slot).
    supply_i, supply_j : ndarray of int, shape (samples, rounds, slots)
        The issue on which each gives way (``q`` for ``i``, ``p`` for ``j``; -1: empty).
    shift_i, shift_j : ndarray, shape (samples, rounds, slots)
        How far each moves, on the positions' scale.
    gain_i, gain_j : ndarray, shape (samples, rounds, slots)
        Each one's gain in utility, at the round's outcomes (NaN: empty).
    """

    position: FloatArray
    outcome: FloatArray
    actor_i: np.ndarray
    actor_j: np.ndarray
    supply_i: np.ndarray
    supply_j: np.ndarray
    shift_i: FloatArray
    shift_j: FloatArray
    gain_i: FloatArray
    gain_j: FloatArray


def utilities(position: FloatArray, capability: FloatArray, salience: FloatArray, *,
              preferred: FloatArray | None = None) -> FloatArray:
    """Each actor's utility ``-sum_a s_ia |y_ia - O_a|`` at the outcomes of ``position``.

    Parameters
    ----------
    position, salience : ndarray, shape (..., actors, issues)
        The positions the outcomes ``O`` are the weighted means of, and the saliences.
    capability : ndarray, shape (..., actors)
    preferred : ndarray, shape (..., actors, issues), optional
        What each actor wants, ``y`` (default: ``position``). An exchange moves positions,
        not what the movers want: its gains are measured from the positions before it.

    Returns
    -------
    ndarray, shape (..., actors)
    """
    w = capability[..., None] * salience
    o = weighted_mean(position, w)
    y = position if preferred is None else preferred
    out: FloatArray = -(salience * np.abs(y - o[..., None, :])).sum(axis=-1)
    return out


@dataclass(frozen=True)
class _Pairs:
    """Every (i < j, p != q) exchange, as index arrays of length K."""

    i: np.ndarray
    j: np.ndarray
    p: np.ndarray
    q: np.ndarray
    conflict: np.ndarray  # (K, K): the two share an actor-issue pair

    @classmethod
    def of(cls, n: int, m: int) -> _Pairs:
        ii, jj, pp, qq = np.meshgrid(np.arange(n), np.arange(n), np.arange(m), np.arange(m),
                                     indexing="ij")
        keep = (ii < jj) & (pp != qq)
        i, j, p, q = (a[keep] for a in (ii, jj, pp, qq))
        # the four actor-issue pairs each exchange uses
        used = np.stack([i * m + p, i * m + q, j * m + p, j * m + q], axis=1)
        onehot = np.zeros((i.size, n * m), dtype=bool)
        onehot[np.arange(i.size)[:, None], used] = True
        conflict = (onehot.astype(np.int32) @ onehot.T.astype(np.int32)) > 0
        return cls(i, j, p, q, conflict)


def _side(offset: FloatArray) -> FloatArray:
    """Which side of an outcome a position lies on (-1, 0 or 1), up to :data:`AT_OUTCOME`."""
    out: FloatArray = np.where(np.abs(offset) > AT_OUTCOME, np.sign(offset), 0.0)
    return out


def candidate_exchanges(x: FloatArray, c: FloatArray, s: FloatArray, rule: Rule,
                        pairs: _Pairs) -> dict[str, FloatArray]:
    """Value every exchange of ``pairs`` at the outcomes of positions ``x``.

    Parameters
    ----------
    x, s : ndarray, shape (S, n, m)
        Positions (on ``[0, 1]``) and saliences.
    c : ndarray, shape (S, n)
        Capabilities.
    rule : {"equal_gain", "nash"}
        How the rate is set.
    pairs : _Pairs
        The exchanges to value.

    Returns
    -------
    dict
        ``value`` (S, K): the criterion (-inf where impossible); ``d_i``, ``d_j``,
        ``gain_i``, ``gain_j`` (S, K).
    """
    w = c[:, :, None] * s
    w = w / w.sum(axis=1, keepdims=True)
    o = (w * x).sum(axis=1)  # (S, m)
    i, j, p, q = pairs.i, pairs.j, pairs.p, pairs.q
    x_ip, x_iq, x_jp, x_jq = x[:, i, p], x[:, i, q], x[:, j, p], x[:, j, q]
    s_ip, s_iq, s_jp, s_jq = s[:, i, p], s[:, i, q], s[:, j, p], s[:, j, q]
    w_iq, w_jp = w[:, i, q], w[:, j, p]
    o_p, o_q = o[:, p], o[:, q]
    # an actor within AT_OUTCOME of an outcome stands on it (a shift that stopped at the
    # helped actor's position leaves it there up to the sum's rounding, which depends on
    # the actors' order): on neither side
    side_ip, side_jp = _side(x_ip - o_p), _side(x_jp - o_p)
    side_iq, side_jq = _side(x_iq - o_q), _side(x_jq - o_q)
    opposite = (side_ip * side_jp < 0) & (side_iq * side_jq < 0)
    cross = s_ip * s_jq - s_iq * s_jp
    ratio_differs = cross > _RATIO_TOL * (s_ip * s_jq + s_iq * s_jp)
    ok = opposite & ratio_differs & (w_iq > 0) & (w_jp > 0)
    # the furthest each may move: to the other's position, and not past the helped one's
    safe_iq = np.where(w_iq > 0, w_iq, 1.0)
    safe_jp = np.where(w_jp > 0, w_jp, 1.0)
    cap_i = np.minimum(np.abs(x_jq - x_iq), np.abs(x_jq - o_q) / safe_iq)
    cap_j = np.minimum(np.abs(x_ip - x_jp), np.abs(x_ip - o_p) / safe_jp)
    alpha, beta = s_ip * w_jp, s_iq * w_iq  # i's gain per unit of d_j, loss per unit of d_i
    gamma, delta = s_jq * w_iq, s_jp * w_jp  # j's gain per unit of d_i, loss per unit of d_j
    with np.errstate(divide="ignore", invalid="ignore"):
        if rule == "equal_gain":
            rate = (beta + gamma) / (alpha + delta)  # d_j / d_i
            d_i = np.minimum(cap_i, cap_j / rate)
            d_j = rate * d_i
        else:
            # on d_i = cap_i the product is a concave quadratic in d_j, largest midway
            # between the two zero-gain rates; likewise on d_j = cap_j
            mid = alpha * gamma + beta * delta
            a_j = np.clip(cap_i * mid / (2.0 * alpha * delta), 0.0, cap_j)
            b_i = np.clip(cap_j * mid / (2.0 * beta * gamma), 0.0, cap_i)
            prod_a = (alpha * a_j - beta * cap_i) * (gamma * cap_i - delta * a_j)
            prod_b = (alpha * cap_j - beta * b_i) * (gamma * b_i - delta * cap_j)
            first = prod_a >= prod_b
            d_i = np.where(first, cap_i, b_i)
            d_j = np.where(first, a_j, cap_j)
    gain_i = alpha * d_j - beta * d_i
    gain_j = gamma * d_i - delta * d_j
    ok &= (np.isfinite(gain_i) & np.isfinite(gain_j) & (gain_i > MIN_GAIN)
           & (gain_j > MIN_GAIN))
    value = np.where(ok, gain_i if rule == "equal_gain" else gain_i * gain_j, -np.inf)
    return {"value": value, "d_i": np.where(ok, d_i, 0.0), "d_j": np.where(ok, d_j, 0.0),
            "gain_i": np.where(ok, gain_i, np.nan), "gain_j": np.where(ok, gain_j, np.nan)}


def _tie_keys(x: FloatArray, c: FloatArray, s: FloatArray, cand: dict[str, FloatArray],
              pairs: _Pairs) -> list[FloatArray]:
    """Label-free keys that order exchanges of equal value, each of shape (S, K).

    An exchange is the same whichever of its two actors is numbered first, so its keys
    describe each party by the issue it gives way on, never by its number: the issues
    traded, then (for the party giving way on the lower-numbered issue, then the other)
    its shift, capability, and its saliences and positions on every issue. Two exchanges
    equal on every key are between actors alike in everything the model reads, and making
    either gives the same outcomes.
    """
    i, j, p, q = pairs.i, pairs.j, pairs.p, pairs.q
    lo, hi = np.minimum(p, q), np.maximum(p, q)
    # i gives way on q: it is the party of the lower issue where q is the lower one
    i_low = q == lo
    low = np.where(i_low, i, j)
    high = np.where(i_low, j, i)
    d_low = np.where(i_low, cand["d_i"], cand["d_j"])
    d_high = np.where(i_low, cand["d_j"], cand["d_i"])
    keys: list[FloatArray] = [np.broadcast_to(-lo.astype(np.float64), d_low.shape),
                              np.broadcast_to(-hi.astype(np.float64), d_low.shape)]
    for party, d in ((low, d_low), (high, d_high)):
        keys += [d, c[:, party]]
        # then the party on every issue, not only the two traded: actors alike on those
        # may differ elsewhere, and the next rounds then differ too
        keys += [s[:, party, a] for a in range(x.shape[2])]
        keys += [x[:, party, a] for a in range(x.shape[2])]
    return keys


def _best(value: FloatArray, keys: list[FloatArray]) -> np.ndarray:
    """Index of the best exchange per sample: the highest value, ties broken by ``keys``.

    Values within a relative :data:`TIE_TOL` of the best count as equal (the same exchange
    valued with its parties in the other order can differ in the last bits); each key then
    keeps the candidates at its largest value, and the first left is made.
    """
    top = value.max(axis=1, keepdims=True)
    finite = np.isfinite(top)
    tol = TIE_TOL * np.where(finite, np.abs(top), 0.0)
    keep = np.isfinite(value) & (value >= np.where(finite, top, np.inf) - tol)
    for key in keys:
        masked = np.where(keep, key, -np.inf)
        kmax = masked.max(axis=1, keepdims=True)
        ktol = TIE_TOL * np.where(np.isfinite(kmax), np.abs(kmax), 0.0)
        keep &= masked >= kmax - ktol
    best: np.ndarray = np.where(finite[:, 0], np.argmax(keep, axis=1), np.argmax(value, axis=1))
    return best


def exchange_model(position: FloatArray, capability: FloatArray, salience: FloatArray, *,
                   rule: Rule = "equal_gain", rounds: int = 10) -> ExchangePath:
    """Play the exchange model for ``rounds`` rounds, every sample at once.

    Parameters
    ----------
    position, salience : ndarray, shape (samples, actors, issues)
        Positions (any scale shared by the issues) and saliences in ``[0, 1]``.
    capability : ndarray, shape (samples, actors)
        Capabilities ``>= 0``.
    rule : {"equal_gain", "nash"}
        How each exchange's rate is set.
    rounds : int
        Rounds to play (``>= 0``).

    Returns
    -------
    ExchangePath

    Examples
    --------
    Two actors who care about different issues trade:

    >>> x = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    >>> s = np.array([[[0.9, 0.1], [0.1, 0.9]]])
    >>> path = exchange_model(x, np.ones((1, 2)), s, rounds=1)
    >>> int(path.actor_i[0, 0, 0]), int(path.actor_j[0, 0, 0])
    (0, 1)
    """
    if rule not in RULES:
        from detente.errors import InputError

        raise InputError(f"rule: expected one of {', '.join(RULES)}, found {rule!r}")
    x0 = np.asarray(position, dtype=np.float64)
    n_s, n, m = x0.shape
    lo = x0.min(axis=(1, 2), keepdims=True)
    span = x0.max(axis=(1, 2), keepdims=True) - lo
    span = np.where(span > 0, span, 1.0)
    x = (x0 - lo) / span
    c = np.asarray(capability, dtype=np.float64)
    s = np.asarray(salience, dtype=np.float64)
    pairs = _Pairs.of(n, m)
    slots = max(1, (n * m) // 4)  # each exchange uses four actor-issue pairs
    rows = np.arange(n_s)
    shape = (n_s, rounds, slots)
    ai, aj, qi, pj = (np.full(shape, -1, dtype=np.int16) for _ in range(4))
    di, dj = np.zeros(shape), np.zeros(shape)
    gi, gj = np.full(shape, np.nan), np.full(shape, np.nan)
    xs = [x]
    for r in range(rounds):
        cur = xs[-1]
        if pairs.i.size == 0:  # one issue, or one actor: nothing to trade
            xs.append(cur)
            continue
        cand = candidate_exchanges(cur, c, s, rule, pairs)
        value = cand["value"].copy()
        new = cur.copy()
        keys = _tie_keys(cur, c, s, cand, pairs)
        for k in range(slots):
            best = _best(value, keys)
            made = np.isfinite(value[rows, best])
            if not made.any():
                break
            b = best[made]
            sel = rows[made]
            i, j, p, q = pairs.i[b], pairs.j[b], pairs.p[b], pairs.q[b]
            d_i, d_j = cand["d_i"][sel, b], cand["d_j"][sel, b]
            # i gives way on q towards j, j on p towards i (positions at the round's start)
            new[sel, i, q] += np.sign(cur[sel, j, q] - cur[sel, i, q]) * d_i
            new[sel, j, p] += np.sign(cur[sel, i, p] - cur[sel, j, p]) * d_j
            ai[sel, r, k], aj[sel, r, k], qi[sel, r, k], pj[sel, r, k] = i, j, q, p
            di[sel, r, k], dj[sel, r, k] = d_i, d_j
            gi[sel, r, k], gj[sel, r, k] = cand["gain_i"][sel, b], cand["gain_j"][sel, b]
            value[sel] = np.where(pairs.conflict[b], -np.inf, value[sel])
        xs.append(new)
    # back on the input's scale, as moves from the start (a position that never moved is
    # given back exactly)
    path = x0[:, None] + (np.stack(xs, axis=1) - x[:, None]) * span[:, None]
    w = np.broadcast_to((c[:, :, None] * s)[:, None], path.shape)
    outcome = weighted_mean(path, w)
    # shifts and gains are linear in distances: back on the input's scale they scale with it
    scale = span[:, :, 0][:, :, None]
    return ExchangePath(position=path, outcome=outcome, actor_i=ai, actor_j=aj,
                        supply_i=qi, supply_j=pj, shift_i=di * scale, shift_j=dj * scale,
                        gain_i=gi * scale, gain_j=gj * scale)
