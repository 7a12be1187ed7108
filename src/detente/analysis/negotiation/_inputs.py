"""The inputs of a negotiation forecast: actors' capabilities, positions and saliences.

Every array has a leading sample axis: capability ``(samples, actors)``, position and
salience ``(samples, actors, issues)``. A scenario's ``actors`` section gives one draw per
sample of every uncertain number (:func:`sample_inputs`); a published table gives one
sample (:meth:`NegotiationInputs.of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["NegotiationInputs", "sample_inputs", "talks_issues"]


@dataclass(frozen=True, eq=False)
class NegotiationInputs:
    """Actors, issues and their numbers, one row per sample.

    Attributes
    ----------
    actors : tuple of str
        The actors' ids, in order.
    issues : tuple of str
        The issues' ids, in order.
    capability : ndarray, shape (samples, actors)
        Potential influence, ``>= 0`` (only ratios matter).
    position : ndarray, shape (samples, actors, issues)
        Preferred outcome on each issue's scale.
    salience : ndarray, shape (samples, actors, issues)
        Share of attention on each issue, in ``[0, 1]``.
    names : tuple of str
        Display names of the actors (their ids when not given).

    Raises
    ------
    InputError
        If the shapes disagree, a number is not finite, a capability is negative, a
        salience is outside ``[0, 1]``, or an issue has no weight in some sample.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    capability: FloatArray
    position: FloatArray
    salience: FloatArray
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n, m = len(self.actors), len(self.issues)
        if n < 2 or m < 1:
            raise InputError(f"a negotiation needs at least two actors and one issue, found "
                             f"{n} actor(s) and {m} issue(s)")
        c, x, s = self.capability, self.position, self.salience
        if c.ndim != 2 or c.shape[1] != n:
            raise InputError(f"capability: expected shape (samples, {n}), found {c.shape}")
        for name, a in (("position", x), ("salience", s)):
            if a.shape != (c.shape[0], n, m):
                raise InputError(f"{name}: expected shape {(c.shape[0], n, m)}, found "
                                 f"{a.shape}")
        for name, a in (("capability", c), ("position", x), ("salience", s)):
            if not np.all(np.isfinite(a)):
                raise InputError(f"{name}: expected finite numbers, found NaN or infinity")
        if np.any(c < 0):
            raise InputError("capability: expected numbers >= 0, found a negative one")
        if np.any((s < 0) | (s > 1)):
            raise InputError("salience: expected numbers in [0, 1], found one outside")
        weight = (c[:, :, None] * s).sum(axis=1)
        if np.any(weight <= 0):
            raise InputError("some issue has no actor with both capability and salience "
                             "above 0 in some sample; its outcome is undefined")
        if self.names and len(self.names) != n:
            raise InputError(f"names: expected {n}, found {len(self.names)}")

    @classmethod
    def of(cls, actors: Sequence[str], issues: Sequence[str], capability: Sequence[float],
           position: Sequence[Sequence[float]], salience: Sequence[Sequence[float]],
           names: Sequence[str] = ()) -> NegotiationInputs:
        """One sample from a table: a row per actor (position and salience per issue).

        Examples
        --------
        >>> inp = NegotiationInputs.of(["a", "b"], ["x"], [1, 1], [[0], [1]], [[1], [1]])
        >>> inp.n_samples
        1
        """
        c = np.asarray(capability, dtype=np.float64)[None, :]
        x = np.asarray(position, dtype=np.float64).reshape(len(actors), len(issues))[None]
        s = np.asarray(salience, dtype=np.float64).reshape(len(actors), len(issues))[None]
        return cls(tuple(actors), tuple(issues), c, x, s, tuple(names))

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.capability.shape[0])

    @property
    def weight(self) -> FloatArray:
        """Capability x salience, shape (samples, actors, issues): each actor's pull."""
        out: FloatArray = self.capability[:, :, None] * self.salience
        return out

    def label(self, actor: str) -> str:
        """Display name of ``actor``."""
        return dict(zip(self.actors, self.names, strict=True)).get(actor, actor) \
            if self.names else actor

    def with_position(self, position: FloatArray) -> NegotiationInputs:
        """Return a copy with other positions (same shape)."""
        return NegotiationInputs(self.actors, self.issues, self.capability, position,
                                 self.salience, self.names)


def talks_issues(scenario: Scenario) -> tuple[str, ...]:
    """Return the issues of ``scenario``'s talks: its own, or the six default ones."""
    from detente.model.bargaining import DIM_NAMES

    return tuple(scenario.issues) or DIM_NAMES


def sample_inputs(scenario: Scenario, n_samples: int, *, seed: SeedLike = None,
                  central: bool = False) -> NegotiationInputs:
    """Draw the inputs of ``scenario``'s actors, one row per sample.

    Each uncertain number gets its own stream of uniform draws (independent across numbers,
    identical for a seed), turned into values by its distribution's quantile function.

    Parameters
    ----------
    scenario : Scenario
        A scenario with an ``actors`` section.
    n_samples : int
        Number of samples (``>= 1``).
    seed : int, SeedSequence or None
        Root seed of the draws.
    central : bool
        Give every number its central value (the value, or the distribution's median) in
        every sample instead.

    Returns
    -------
    NegotiationInputs

    Raises
    ------
    InputError
        If the scenario declares no actors or ``n_samples`` is below 1.
    """
    if not scenario.actors:
        raise InputError(f"scenario '{scenario.name}' declares no actors: add an 'actors' "
                         "section (docs/negotiation.md) to forecast its negotiation")
    if n_samples < 1:
        raise InputError(f"expected at least one sample, found {n_samples}")
    issues = talks_issues(scenario)
    actors = tuple(scenario.actors)
    n, m = len(actors), len(issues)
    # one uniform draw per (sample, number), in a fixed order of the numbers
    k = n * (1 + 2 * m)
    u = np.random.default_rng(np.random.SeedSequence(seed) if not isinstance(
        seed, np.random.SeedSequence) else seed).random((n_samples, k))
    c = np.empty((n_samples, n))
    x = np.empty((n_samples, n, m))
    s = np.empty((n_samples, n, m))
    col = 0
    for a, aid in enumerate(actors):
        actor = scenario.actors[aid]
        for value, out in ((actor.capability, c[:, a]),
                           *((actor.position[i], x[:, a, j]) for j, i in enumerate(issues)),
                           *((actor.salience[i], s[:, a, j]) for j, i in enumerate(issues))):
            out[:] = (np.full(n_samples, value.central()) if central
                      else value.sample(u[:, col]))
            col += 1
    names = tuple(scenario.actors[a].name for a in actors)
    return NegotiationInputs(actors, issues, c, x, s, names)
