"""What a run may never produce: a negative stock of things, or a value that is not a number.

Every module declares, on each of its variables (:class:`~detente.model.base.VariableSpec`),
whether it counts something that cannot be negative (``nonnegative``; persons, rounds, km2
held) and whether it is a finite number at every step (``finite``; False where NaN means
"not yet"). :class:`Invariants` turns those declarations into a check of the state after
every step, and the engine stops a run whose state breaks one with an
:class:`InvariantError` that names the sample, the variable, the step and its date, instead
of handing back silent numbers.

The check is cheap: the variables it watches are copied into one ``(variables, samples)``
buffer per step and reduced twice per group (their minimum and maximum); only where a
reduction says something may be wrong is the precise test made, sample by sample.

A stock the model caps at what it holds may still end a step a rounding error below 0 (the
outflow that empties it is ``stock / dt``); values within :data:`RTOL` of the variable's
scale at the start are not negative for the check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.errors import InputError
from detente.model.base import VariableSpec

__all__ = ["RTOL", "InvariantError", "Invariants", "StateCheck", "Violation"]

#: Relative tolerance, against a variable's largest magnitude at the start (at least 1), of
#: a value below 0 that is a rounding error of a capped outflow, not an overshoot.
RTOL = 1e-9


@dataclass(frozen=True)
class Violation:
    """Where a state first breaks an invariant, as the loop sees it (rows of its block).

    Attributes
    ----------
    variable : str
        The variable.
    row : int
        The sample's row in the block.
    step : int
        The step after which the state is wrong (0 for the first step); -1: the initial
        state.
    value : float
        The value found.
    rule : {"nonnegative", "finite"}
        The invariant broken.
    """

    variable: str
    row: int
    step: int
    value: float
    rule: str


class InvariantError(InputError):
    """A run produced a negative stock or a value that is not a number.

    The model's stocks cannot go below 0 and its variables are finite numbers, so such a
    value is never a result: the scenario's numbers (a step too long for the integration,
    parameter values outside what the model was built for) took the model out of its
    domain. The message names the sample, the variable, the step and its date.

    Attributes
    ----------
    violation : Violation
        The first broken invariant.
    sample : int or None
        The sample's index in the run (None where the block's position is not known).
    policy : str or None
        The policy being run.
    date : datetime.date or None
        The date of the wrong state.
    """

    def __init__(self, violation: Violation, *, unit: str = "", sample: int | None = None,
                 block: int | None = None, policy: str | None = None,
                 date: dt.date | None = None, step_days: float | None = None) -> None:
        self.violation, self.sample, self.policy, self.date = violation, sample, policy, date
        self.unit = unit
        v = violation
        who = f"sample {sample}" if sample is not None else f"sample {v.row} of the block"
        if block is not None and sample is None:
            who += f" {block}"
        under = f" under policy '{policy}'" if policy else ""
        when = "at the start" if v.step < 0 else f"after step {v.step}"
        if date is not None:
            when += f" ({date.isoformat()})"
        found = f"{v.value:.6g}" + (f" {unit}" if unit and np.isfinite(v.value) else "")
        what = ("is negative, and it counts something that cannot be" if v.rule ==
                "nonnegative" else "is not a finite number")
        step = f"; the step is {step_days:g} days" if step_days is not None else ""
        super().__init__(
            f"{who}{under}: {v.variable} = {found} {when} {what}. The model left its "
            f"domain: check the scenario's values for this sample (its param_ values){step}.")


@dataclass(frozen=True)
class Invariants:
    """The invariants of a set of variables, from their declarations.

    Attributes
    ----------
    specs : mapping
        Variable -> its declaration, for every variable with an invariant.
    """

    specs: Mapping[str, VariableSpec]

    @classmethod
    def of(cls, variables: Iterable[VariableSpec]) -> Invariants:
        """Return the invariants the declarations of ``variables`` state."""
        return cls({v.name: v for v in variables if v.nonnegative or v.finite})

    def bind(self, p: Mapping[str, FloatArray], state: Mapping[str, FloatArray]
             ) -> StateCheck:
        """Return the check of states of this run, under parameters ``p``.

        ``state`` is the initial state: it sets each variable's scale for :data:`RTOL`.
        A variable ``guarded_by`` a switch is held non-negative only in the samples where
        the switch is on.
        """
        groups: dict[tuple[bool, bool], list[str]] = {}
        excused: dict[str, BoolArray] = {}
        for name, spec in self.specs.items():
            if name not in state:
                continue
            nonneg: bool = spec.nonnegative
            if nonneg and spec.guarded_by is not None and spec.guarded_by in p:
                on = np.asarray(p[spec.guarded_by]) > 0.0
                if not on.any():
                    nonneg = False
                elif not on.all():
                    excused[name] = ~np.broadcast_to(on, np.shape(state[name]))
            if nonneg or spec.finite:
                groups.setdefault((nonneg, spec.finite), []).append(name)
        order = [(key, names) for key, names in sorted(groups.items(), reverse=True)]
        names = tuple(n for _, group in order for n in group)
        scale: dict[str, float] = {}
        for name in names:
            x = np.abs(np.asarray(state[name], dtype=np.float64))
            seen = x[np.isfinite(x)]
            scale[name] = RTOL * max(1.0, float(seen.max()) if seen.size else 1.0)
        spans: list[tuple[int, int, bool, bool]] = []
        start = 0
        for (nonneg, finite), group in order:
            spans.append((start, start + len(group), nonneg, finite))
            start += len(group)
        return StateCheck(names, tuple(spans), scale, excused,
                          {n: self.specs[n].unit for n in names})


class StateCheck:
    """The check of one run's states (made by :meth:`Invariants.bind`)."""

    def __init__(self, names: tuple[str, ...],
                 spans: tuple[tuple[int, int, bool, bool], ...], tolerance: Mapping[str, float],
                 excused: Mapping[str, BoolArray], units: Mapping[str, str]) -> None:
        self.names = names
        self.spans = spans
        self.tolerance = tolerance
        self.excused = excused
        self.units = units
        self._buffer: FloatArray | None = None

    def __call__(self, state: Mapping[str, FloatArray], step: int) -> Violation | None:
        """Return the first broken invariant of ``state`` after ``step`` (None: none)."""
        if not self.names:
            return None
        arrays = [state[n] for n in self.names]
        n = np.shape(arrays[0])[0] if np.ndim(arrays[0]) else 1
        if self._buffer is None or self._buffer.shape != (len(arrays), n):
            self._buffer = np.empty((len(arrays), n))
        buf = self._buffer
        try:
            np.stack(arrays, out=buf)
        except ValueError:  # a value held as a scalar: broadcast it (rare, slower)
            np.stack([np.broadcast_to(a, (n,)) for a in arrays], out=buf)
        for lo, hi, nonneg, finite in self.spans:
            part = buf[lo:hi]
            if finite:
                low, high = part.min(), part.max()  # NaN propagates into both
                ok = (low >= 0.0 if nonneg else low > -np.inf) and high < np.inf
            else:  # NaN is a value here: only a value below 0 is wrong
                ok = bool(np.fmin.reduce(part, axis=None) >= 0.0)
            if not ok:
                found = self._locate(buf, lo, hi, nonneg, finite, step)
                if found is not None:
                    return found
        return None

    def scan(self, values: Mapping[str, FloatArray]) -> bool:
        """Whether any of ``values`` (whole trajectories or states) breaks an invariant.

        Only the watched variables among ``values`` are tested; rows of a variable's
        samples are its last axis. It says whether, not where: the engine then reruns the
        samples through the checked loop, which locates the first failure.
        """
        for lo, hi, nonneg, finite in self.spans:
            for j in range(lo, hi):
                name = self.names[j]
                if name not in values:
                    continue
                x = np.asarray(values[name], dtype=np.float64)
                if finite and not np.isfinite(x).all():
                    return True
                if nonneg:
                    below = x < -self.tolerance[name]
                    if name in self.excused:
                        below &= ~self.excused[name]
                    if below.any():
                        return True
        return False

    def _locate(self, buf: FloatArray, lo: int, hi: int, nonneg: bool, finite: bool,
                step: int) -> Violation | None:
        """Test rows ``lo:hi`` sample by sample; return the first failure."""
        first: Violation | None = None
        for j in range(lo, hi):
            x, name = buf[j], self.names[j]
            bad = np.zeros(x.shape, dtype=bool)
            if finite:
                bad |= ~np.isfinite(x)
            if nonneg:
                below = x < -self.tolerance[name]
                if name in self.excused:
                    below &= ~self.excused[name]
                bad |= below
            rows = np.flatnonzero(bad)
            if rows.size and (first is None or rows[0] < first.row):
                r = int(rows[0])
                rule = "finite" if finite and not np.isfinite(x[r]) else "nonnegative"
                first = Violation(name, r, step, float(x[r]), rule)
        return first
