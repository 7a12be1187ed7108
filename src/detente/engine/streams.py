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
  chance event happens in each sample.

Nothing depends on the policy, on the number of workers or on which other policies run, so
sample *i* sees the same parameters, events and shocks under every policy (common random
numbers), and a run is bit-identical whatever the executor.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import BoolArray, FloatArray, SeedLike

if TYPE_CHECKING:
    from detente.engine.plan import Plan

__all__ = [
    "BLOCK_SIZE", "DESIGN_KEY", "ROWS_PER_CHUNK", "STREAM_DESIGN", "STREAM_EVENTS",
    "STREAM_SHOCKS", "Noise", "block_noise", "block_parameters", "blocks", "constant_array",
    "design_noise", "draw_design", "event_draws", "latin_hypercube", "seed_sequence",
    "stream",
]

#: Samples per block. Part of the reproducibility contract: changing it changes results.
BLOCK_SIZE = 1024

#: Stream of a block's Latin hypercube.
STREAM_DESIGN = 0
#: Stream of a block's (or a design chunk's) per-step shocks.
STREAM_SHOCKS = 1
#: First stream of the chance events; an event's stream adds crc32 of its name.
STREAM_EVENTS = 2

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


def block_parameters(
    plan: Plan, root: np.random.SeedSequence, block: int, n: int,
    given: Mapping[str, FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """Parameter values of one block, in the scenario file's units.

    ``given`` (name -> array of length ``n``) overrides draws, e.g. for an external design.
    Parameters without a distribution are read-only broadcast views of their value.
    """
    u = draw_design(plan, root, block, n)
    col = {name: j for j, name in enumerate(plan.uncertain)}
    out: dict[str, FloatArray] = {}
    for name, entry in plan.table.items():
        if given is not None and name in given:
            out[name] = np.asarray(given[name], dtype=np.float64)
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
        Per sample: whether each event of the plan happens (True for certain events).
    draw_shocks : callable
        Returns the uniform shocks, shape ``(n_steps, n_shocks, n)`` in the plan's shock
        order; called at most once, and only by a run that needs them (a compiled kernel
        may need none).
    """

    events: Mapping[str, BoolArray]
    draw_shocks: Callable[[], FloatArray]

    @functools.cached_property
    def shocks(self) -> FloatArray:
        """The shocks, drawn on first use."""
        return self.draw_shocks()

    @classmethod
    def given(cls, events: Mapping[str, BoolArray], shocks: FloatArray) -> Noise:
        """Noise from arrays already drawn (tests, external designs)."""
        return cls(events, lambda: shocks)


def event_draws(plan: Plan, root: np.random.SeedSequence, block: int, n: int,
                params_file_units: Mapping[str, FloatArray]) -> dict[str, BoolArray]:
    """Per-sample booleans of one block: did each chance event happen."""
    out: dict[str, BoolArray] = {}
    for name, ev in plan.events.items():
        if ev.probability is None:
            out[name] = np.ones(n, dtype=bool)
            continue
        u = stream(root, block, event_stream(name)).random(n)
        prob = params_file_units[ev.probability] * plan.factors[ev.probability]
        out[name] = u < prob
    return out


def block_noise(plan: Plan, root: np.random.SeedSequence, block: int, n: int,
                params_file_units: Mapping[str, FloatArray]) -> Noise:
    """Return the noise of block ``block``: its events now, its shocks on first use."""
    events = event_draws(plan, root, block, n, params_file_units)

    def draw() -> FloatArray:
        return stream(root, block, STREAM_SHOCKS).random((plan.n_steps, len(plan.shocks), n))

    return Noise(events, draw)


def design_noise(plan: Plan, root: np.random.SeedSequence, chunk: int, n_groups: int,
                 group: int, params_file_units: Mapping[str, FloatArray]) -> Noise:
    """Return the noise of a design's chunk: one draw per group of ``group`` rows."""

    def gen(key: int) -> np.random.Generator:
        return stream(root, DESIGN_KEY, chunk, key)

    n = n_groups * group
    events: dict[str, BoolArray] = {}
    for name, ev in plan.events.items():
        if ev.probability is None:
            events[name] = np.ones(n, dtype=bool)
            continue
        u = np.repeat(gen(event_stream(name)).random(n_groups), group)
        events[name] = u < params_file_units[ev.probability] * plan.factors[ev.probability]
    shocks = np.repeat(gen(STREAM_SHOCKS).random((plan.n_steps, len(plan.shocks), n_groups)),
                       group, axis=2)
    return Noise.given(events, shocks)
