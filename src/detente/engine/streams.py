"""The reproducibility contract: seeds, stream keys, block size, designs, noise.

Every random number a run uses comes from here, drawn with NumPy ``Generator`` s.

Blocks
------
Samples are simulated in blocks of :data:`BLOCK_SIZE` (or the ``block_size`` a run chooses,
which then is part of its identity). Block *k* draws everything it needs from
``SeedSequence(seed, spawn_key=(k, stream))``:

* stream :data:`STREAM_DESIGN` (0): the Latin hypercube over the uncertain parameters;
* stream :data:`STREAM_SHOCKS` (1): the per-step uniform shocks the modules declare,
  shape ``(n_steps, n_shocks, n)``;
* stream :data:`STREAM_EVENTS` (2) + crc32(event name): the uniform deciding whether a
  chance event happens in each sample;
* for a scenario with joint posterior draws (``posterior:``), the design stream's second
  child, key ``(k, STREAM_DESIGN, POSTERIOR_CHILD)`` (the Latin hypercube takes its first):
  a one-dimensional Latin hypercube that picks each sample's row of the draws
  (:func:`posterior_rows`). The hypercube over the other parameters is the same with and
  without the draws.

Nothing depends on the policy, on the number of workers or on which other policies run, so
sample *i* sees the same parameters, events and shocks under every policy (common random
numbers), and a run is bit-identical whatever the executor. A policy that cancels an event
or changes its probability changes only the threshold its uniform is compared with
(:class:`~detente.engine.plan.Chance`): sample *i* draws the same uniform for the event
under every policy, so the samples in which a less likely event happens are among those in
which a likelier one does.

Designs
-------
An external design (Saltelli, Morris) is run in groups of rows that share their noise (one
base row with its variants), so that indices measure parameters, not noise. Chunk *c* of a
design draws from ``SeedSequence(seed, spawn_key=(DESIGN_KEY, c, stream))`` with the same
stream numbers, one draw per group repeated over the group's rows.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import BoolArray, FloatArray, SeedLike

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from detente.engine.plan import Plan
    from detente.scenario.posterior import PosteriorDraws

__all__ = [
    "BLOCK_SIZE", "DESIGN_KEY", "POSTERIOR_CHILD", "ROWS_PER_CHUNK", "STREAM_DESIGN",
    "STREAM_EVENTS", "STREAM_SHOCKS", "Noise", "block_noise", "block_parameters", "blocks",
    "constant_array", "design_noise", "draw_design", "event_draws", "event_uniforms",
    "latin_hypercube", "posterior_rows", "seed_sequence", "stream",
]

#: Samples per block. Part of the reproducibility contract: changing it changes results.
BLOCK_SIZE = 1024

#: Stream of a block's Latin hypercube.
STREAM_DESIGN = 0
#: Stream of a block's (or a design chunk's) per-step shocks.
STREAM_SHOCKS = 1
#: First stream of the chance events; an event's stream adds crc32 of its name.
STREAM_EVENTS = 2

#: Child of a block's design stream that picks the rows of a scenario's posterior draws.
POSTERIOR_CHILD = 1

#: First spawn-key element of design noise streams (apart from the blocks' streams).
DESIGN_KEY = 0x5A17
#: Rows of a design simulated at once (memory and vectorisation trade-off).
ROWS_PER_CHUNK = 4096


def seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Return the root ``SeedSequence`` of a run's ``seed``."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def stream(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """Return the generator of stream ``key`` under ``root`` (spawn key appended)."""
    ss = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))
    return np.random.default_rng(ss)


def event_stream(name: str) -> int:
    """Stream number of the chance event ``name``."""
    return STREAM_EVENTS + zlib.crc32(name.encode())


def blocks(n_samples: int, block_size: int = BLOCK_SIZE) -> list[tuple[int, int]]:
    """``(block index, size)`` of each block of a run (the last may be shorter)."""
    full, rest = divmod(n_samples, block_size)
    sizes = [block_size] * full + ([rest] if rest else [])
    return list(enumerate(sizes))


# --------------------------------------------------------------------------- parameters
def latin_hypercube(rng: np.random.Generator, n: int, d: int) -> FloatArray:
    """Draw a scrambled Latin hypercube of ``n`` points in ``[0, 1)^d``.

    The same draws, in the same order, as ``scipy.stats.qmc.LatinHypercube(d, rng=rng)
    .random(n)`` (SciPy >= 1.15, which first spawns a child of ``rng``'s seed sequence), so
    results do not depend on the installed SciPy and skip its per-call set-up
    (``tests/engine/test_streams.py`` checks the equality).
    """
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):
        raise TypeError("latin_hypercube needs a generator seeded by a SeedSequence")
    own = np.random.Generator(type(rng.bit_generator)(seq.spawn(1)[0]))
    jitter = own.uniform(size=(n, d))
    perms = np.tile(np.arange(1, n + 1), (d, 1))
    for row in perms:
        own.shuffle(row)
    return np.asarray((perms.T - jitter) / n, dtype=np.float64)


def draw_design(plan: Plan, root: np.random.SeedSequence, block: int, n: int) -> FloatArray:
    """Latin-hypercube uniforms of shape ``(n, len(plan.uncertain))`` for one block."""
    d = len(plan.uncertain)
    if d == 0:
        return np.empty((n, 0))
    return latin_hypercube(stream(root, block, STREAM_DESIGN), n, d)


def posterior_rows(draws: PosteriorDraws, root: np.random.SeedSequence, block: int,
                   n: int) -> NDArray[np.intp]:
    """Return the row of ``draws`` each of one block's ``n`` samples takes.

    Rows are picked with probability proportional to their weight, by a one-dimensional
    Latin hypercube (stratified: a block's samples spread over the weights' CDF) from the
    block's own stream, so sample *i* takes the same row whatever the number of processes,
    and under every policy.
    """
    u = latin_hypercube(stream(root, block, STREAM_DESIGN, POSTERIOR_CHILD), n, 1)
    return draws.rows(u[:, 0])


def block_parameters(
    plan: Plan, root: np.random.SeedSequence, block: int, n: int,
    given: Mapping[str, FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """Parameter values of one block, in the scenario file's units.

    ``given`` (name -> array of length ``n``) overrides draws, e.g. for an external design.
    The parameters of the scenario's posterior draws take their values from one row per
    sample (:func:`posterior_rows`); the others are drawn from their distributions.
    Parameters without a distribution are read-only broadcast views of their value.
    """
    u = draw_design(plan, root, block, n)
    col = {name: j for j, name in enumerate(plan.uncertain)}
    draws = plan.scenario.draws
    joint = ({} if draws is None
             else draws.take(posterior_rows(draws, root, block, n)))
    out: dict[str, FloatArray] = {}
    for name, entry in plan.table.items():
        if given is not None and name in given:
            out[name] = np.asarray(given[name], dtype=np.float64)
        elif name in joint:
            out[name] = joint[name]
        elif name in col:
            out[name] = entry.distribution.sample(u[:, col[name]])
        else:
            out[name] = constant_array(plan.constants[name], n)
    return out


def constant_array(value: float, n: int) -> FloatArray:
    """``value`` for each of ``n`` samples: a read-only view of one number (stride 0).

    What ``np.broadcast_to`` returns, cached: this is asked for every constant parameter of
    every block, mostly with the same few block sizes. Neither the view nor the number
    under it can be made writeable, so sharing them is safe.
    """
    # the sign is part of the key: 0.0 == -0.0, yet they are different numbers
    return _constant_view(value, math.copysign(1.0, value), n)


@functools.lru_cache(maxsize=4096)
def _constant_view(value: float, sign: float, n: int) -> FloatArray:
    one = np.array([value], np.float64)
    one.flags.writeable = False
    arr: FloatArray = np.ndarray((n,), np.float64, buffer=one, strides=(0,))
    arr.flags.writeable = False
    return arr


# --------------------------------------------------------------------------- noise
@dataclass
class Noise:
    """The chance a set of samples sees: chance events and per-step shocks.

    Attributes
    ----------
    events : mapping of str to bool ndarray
        Per sample: whether each event of the plan happens with the chance it was first
        stated with (True for certain events): what a run records.
    draw_shocks : callable
        Returns the uniform shocks, shape ``(n_steps, n_shocks, n)`` in the plan's shock
        order; called at most once, and only by a run that needs them (a compiled kernel
        may need none).
    uniforms : mapping of str to float ndarray
        Per sample: the uniform draw of each event some chance reads (``plan.drawn``); a
        policy that changes an event's chance compares it with its own threshold.
    """

    events: Mapping[str, BoolArray]
    draw_shocks: Callable[[], FloatArray]
    uniforms: Mapping[str, FloatArray] = field(default_factory=dict)

    @functools.cached_property
    def shocks(self) -> FloatArray:
        """The shocks, drawn on first use."""
        return self.draw_shocks()

    @classmethod
    def given(cls, events: Mapping[str, BoolArray], shocks: FloatArray,
              uniforms: Mapping[str, FloatArray] | None = None) -> Noise:
        """Noise from arrays already drawn (tests, external designs)."""
        return cls(events, lambda: shocks, dict(uniforms or {}))

    def under(self, plan: Plan, policy: str, params_file_units: Mapping[str, FloatArray]
              ) -> Mapping[str, BoolArray]:
        """Per sample: whether each event happens under ``policy``.

        The recorded events, except those whose chance the policy changes
        (``plan.chances``): each of those is its uniform draw against the policy's
        threshold.

        Raises
        ------
        InputError
            If a changed chance needs an event's uniform draw and the noise lacks it.
        """
        own = plan.chances.get(policy, {})
        if not own:
            return self.events
        n = len(next(iter(self.events.values()))) if self.events else 0
        return {**self.events, **{
            name: chance.happened(self.uniforms.get(name), params_file_units, n)
            for name, chance in own.items()}}


def event_uniforms(plan: Plan, root: np.random.SeedSequence, block: int, n: int
                   ) -> dict[str, FloatArray]:
    """Return the uniform draw of one block, per sample, of each event some chance reads."""
    return {name: stream(root, block, event_stream(name)).random(n) for name in plan.drawn}


def _stated_events(plan: Plan, uniforms: Mapping[str, FloatArray],
                   params_file_units: Mapping[str, FloatArray], n: int
                   ) -> dict[str, BoolArray]:
    return {name: plan.stated[name].happened(uniforms.get(name), params_file_units, n)
            for name in plan.events}


def event_draws(plan: Plan, root: np.random.SeedSequence, block: int, n: int,
                params_file_units: Mapping[str, FloatArray]) -> dict[str, BoolArray]:
    """Per-sample booleans of one block: did each chance event happen (as first stated)."""
    return _stated_events(plan, event_uniforms(plan, root, block, n), params_file_units, n)


def block_noise(plan: Plan, root: np.random.SeedSequence, block: int, n: int,
                params_file_units: Mapping[str, FloatArray]) -> Noise:
    """Return the noise of block ``block``: its events now, its shocks on first use."""
    uniforms = event_uniforms(plan, root, block, n)
    events = _stated_events(plan, uniforms, params_file_units, n)

    def draw() -> FloatArray:
        return stream(root, block, STREAM_SHOCKS).random((plan.n_steps, len(plan.shocks), n))

    return Noise(events, draw, uniforms)


def design_noise(plan: Plan, root: np.random.SeedSequence, chunk: int, n_groups: int,
                 group: int, params_file_units: Mapping[str, FloatArray]) -> Noise:
    """Return the noise of a design's chunk: one draw per group of ``group`` rows."""

    def gen(key: int) -> np.random.Generator:
        return stream(root, DESIGN_KEY, chunk, key)

    n = n_groups * group
    uniforms = {name: np.repeat(gen(event_stream(name)).random(n_groups), group)
                for name in plan.drawn}
    events = _stated_events(plan, uniforms, params_file_units, n)
    shocks = np.repeat(gen(STREAM_SHOCKS).random((plan.n_steps, len(plan.shocks), n_groups)),
                       group, axis=2)
    return Noise.given(events, shocks, uniforms)
