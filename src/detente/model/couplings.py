"""How enabled modules fit together: who writes what, step order, neutral values, views.

:func:`couple` resolves a set of modules once (the engine calls it when it compiles a plan):

* every declared :class:`~detente.model.base.Read` names a variable some module of the
  installation writes (else an :class:`~detente.errors.InputError` naming the module and the
  variable, with a did-you-mean); no variable has two writers among the enabled modules;
* the **step order** is a topological order of "reads this step's value of" (a module
  reading ``x[name]`` steps after the writer of ``name``), ties broken by
  :data:`detente.model.MODULE_ORDER`; a cycle is an error;
* a read whose writer is not enabled sees the reader's neutral value (or a caller's input,
  see :meth:`Couplings.stepper`).

:class:`Stepper` runs one step of every module. Each module sees a view of the state that
holds its own variables and its declared reads only; any other name raises
:class:`UndeclaredReadError`, so a read that was not declared fails at once instead of
running with a silent default. A view is a ``dict`` built for each call (a few
microseconds), so reading from it costs what reading a ``dict`` costs.
"""

from __future__ import annotations

import difflib
import heapq
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detente._typing import FloatArray, Params
from detente.errors import InputError, UndeclaredReadError
from detente.model.base import Module, Read, StepContext
from detente.model.registry import MODULE_ORDER, available_modules

__all__ = ["Couplings", "Stepper", "UndeclaredReadError", "couple"]


def _suggest(word: str, candidates: Iterable[str]) -> str:
    best = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{best[0]}'?" if best else ""


@dataclass(frozen=True)
class _Access:
    """Who reads through a view, and what it may read (for the error message)."""

    module: str
    what: str
    allowed: tuple[str, ...]

    def error(self, name: str) -> UndeclaredReadError:
        return UndeclaredReadError(
            f"module '{self.module}' read '{name}' from {self.what}, which it does not "
            f"declare{_suggest(name, self.allowed)} (a module reads its own variables and "
            "the names in its 'reads'; add Read(...) for another module's variable)")


class _View(dict[str, FloatArray]):
    """One module's view of the state: a dict that raises on an undeclared name.

    ``view[name]`` and ``view.get(name)`` raise for a name the module does not declare, and
    so does ``name in view``: a module does not probe for another module's variables.
    """

    __slots__ = ("_access",)
    _access: _Access

    def __missing__(self, name: str) -> FloatArray:
        raise self._access.error(name)

    def get(self, name: str, default: object = None) -> FloatArray:
        """Return ``view[name]`` (a default is no way round a missing declaration)."""
        return self[name]

    def __contains__(self, name: object) -> bool:
        if dict.__contains__(self, name):
            return True
        raise self._access.error(str(name))


class _Lens:
    """How one module sees one mapping: which names it takes, and which it is given."""

    __slots__ = ("_access", "_fill", "_names", "_take")

    def __init__(self, names: tuple[str, ...], fill: Mapping[str, FloatArray],
                 access: _Access) -> None:
        self._names = names
        self._fill = dict(fill)
        self._access = access
        if len(names) > 1:
            self._take: Callable[[Mapping[str, FloatArray]], tuple[FloatArray, ...]] = (
                operator.itemgetter(*names))
        else:  # itemgetter of one name returns the value, not a 1-tuple
            self._take = lambda d: tuple(d[k] for k in names)

    def view(self, d: Mapping[str, FloatArray]) -> _View:
        """Return the module's view of ``d``: a new dict of its names (a few microseconds)."""
        view = _View(zip(self._names, self._take(d), strict=True))
        if self._fill:
            view.update(self._fill)
        view._access = self._access
        return view


@dataclass(frozen=True)
class _Wiring:
    """What one module sees, resolved against the enabled modules."""

    module: Module
    s_names: tuple[str, ...]  # own variables and reads an enabled module writes
    x_names: tuple[str, ...]  # "step" reads an enabled (earlier) module writes
    s_free: tuple[Read, ...]  # reads no enabled module writes: neutral value or input
    x_free: tuple[Read, ...]  # "step" reads no enabled module writes
    init_names: tuple[str, ...]  # reads a module initialised earlier writes
    init_neutral: tuple[Read, ...]  # reads written later, or by no enabled module


@dataclass(frozen=True)
class Couplings:
    """Enabled modules in step order, with what each reads and from whom.

    Attributes
    ----------
    modules : tuple of Module
        The enabled modules, in step order.
    writers : mapping
        Variable -> the enabled module that writes it.
    free : tuple of str
        Variables some enabled module reads and none writes (they take neutral values,
        or a caller's inputs).
    shocks : tuple of str
        Every shock the modules draw, sorted.
    """

    modules: tuple[Module, ...]
    writers: Mapping[str, str]
    free: tuple[str, ...]
    shocks: tuple[str, ...]
    wiring: tuple[_Wiring, ...]

    @property
    def order(self) -> tuple[str, ...]:
        """Names of the modules in step order."""
        return tuple(m.name for m in self.modules)

    def stepper(self, n: int, inputs: Mapping[str, FloatArray] | None = None) -> Stepper:
        """Return what initialises and steps these modules for ``n`` samples.

        Parameters
        ----------
        n : int
            Number of samples.
        inputs : mapping, optional
            Values, shape ``(n,)``, for variables in :attr:`free`, held over the run in place
            of every reader's neutral value (e.g. a war intensity given from outside).
        """
        return Stepper(self, n, inputs or {})


def couple(modules: Sequence[Module], installation: Mapping[str, Module] | None = None,
           priority: Sequence[str] | None = None) -> Couplings:
    """Check the enabled modules' couplings and put the modules in step order.

    Parameters
    ----------
    modules : sequence of Module
        The enabled modules (any order).
    installation : mapping, optional
        Every module that exists, by name (default: :func:`detente.model.available_modules`
        for the modules' cast, or the modules themselves when none has one):
        a read must name a variable one of them writes.
    priority : sequence of str, optional
        Order that breaks ties (default: :data:`detente.model.MODULE_ORDER`; modules not in
        it come after, by name).

    Returns
    -------
    Couplings

    Raises
    ------
    InputError
        A read that no module of the installation writes, a variable with two writers, or
        modules that each read what the other computes in the same step.
    """
    if installation is None:
        cast = next((m.cast for m in modules if m.cast is not None), None)
        installation = {m.name: m for m in modules} if cast is None else \
            available_modules(cast)
    if priority is None:
        priority = MODULE_ORDER
    writers: dict[str, str] = {}
    for m in modules:
        for v in m.variables:
            other = writers.setdefault(v.name, m.name)
            if other != m.name:
                raise InputError(f"modules '{other}' and '{m.name}' both write '{v.name}'; "
                                 "a variable has one writer")
    known = {v.name for m in [*installation.values(), *modules] for v in m.variables}
    for m in modules:
        for r in m.reads:
            if r.name not in known:
                raise InputError(
                    f"module '{m.name}' reads '{r.name}', which no module of this "
                    f"installation writes{_suggest(r.name, known)}")
    order = _step_order(modules, writers, priority)
    rank = {m.name: i for i, m in enumerate(order)}
    wiring = []
    for m in order:
        written = [r for r in m.reads if r.name in writers]
        free = tuple(r for r in m.reads if r.name not in writers)
        wiring.append(_Wiring(
            module=m,
            s_names=(*m.variable_names, *(r.name for r in written)),
            x_names=tuple(r.name for r in written if r.when == "step"),
            s_free=free,
            x_free=tuple(r for r in free if r.when == "step"),
            init_names=tuple(r.name for r in written if rank[writers[r.name]] < rank[m.name]),
            init_neutral=tuple(r for r in m.reads if r.name not in writers
                               or rank[writers[r.name]] > rank[m.name]),
        ))
    free_names = sorted({r.name for m in order for r in m.reads if r.name not in writers})
    return Couplings(
        modules=tuple(order),
        writers=writers,
        free=tuple(free_names),
        shocks=tuple(sorted({s for m in order for s in m.shocks})),
        wiring=tuple(wiring),
    )


def _step_order(modules: Sequence[Module], writers: Mapping[str, str],
                priority: Sequence[str]) -> list[Module]:
    """Topological order of "steps on this step's value of", ties by ``priority``."""
    by_name = {m.name: m for m in modules}
    rank = {name: i for i, name in enumerate(priority)}

    def key(name: str) -> tuple[int, str]:
        return rank.get(name, len(rank)), name

    after: dict[str, set[str]] = {m.name: set() for m in modules}  # writer -> its readers
    before: dict[str, set[str]] = {m.name: set() for m in modules}  # reader -> its writers
    for m in modules:
        for r in m.reads:
            w = writers.get(r.name)
            if r.when == "step" and w is not None:
                after[w].add(m.name)
                before[m.name].add(w)
    ready = [key(name) for name, ws in before.items() if not ws]
    heapq.heapify(ready)
    order: list[Module] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(by_name[name])
        for reader in sorted(after[name]):
            before[reader].discard(name)
            if not before[reader]:
                heapq.heappush(ready, key(reader))
    if len(order) < len(modules):
        stuck = sorted(n for n, ws in before.items() if ws)
        links = "; ".join(
            f"'{n}' reads this step's "
            + ", ".join(sorted(r.name for r in by_name[n].reads
                               if r.when == "step" and writers.get(r.name) in before[n]))
            + f" from {', '.join(sorted(before[n]))}" for n in stuck)
        raise InputError(f"modules {', '.join(stuck)} each read what another computes in "
                         f"the same step, so none can step first ({links}); make one of "
                         "these reads 'start' (the value at the start of the step)")
    return order


class Stepper:
    """Initialises and steps coupled modules for one block of ``n`` samples.

    Made by :meth:`Couplings.stepper`. The state is a plain ``dict`` of every enabled
    module's variables; each module sees it through a view of its declared names.
    """

    def __init__(self, couplings: Couplings, n: int, inputs: Mapping[str, FloatArray]
                 ) -> None:
        bad = [k for k in inputs if k not in couplings.free]
        if bad:
            raise InputError(
                f"cannot give {', '.join(sorted(bad))} as input(s): "
                + "; ".join(f"'{k}' is written by module '{couplings.writers[k]}'"
                            if k in couplings.writers else f"no enabled module reads '{k}'"
                            for k in sorted(bad))
                + (f". Free variables: {', '.join(couplings.free)}" if couplings.free
                   else ""))
        self.couplings = couplings
        self.n = n
        given = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}

        def value(r: Read, *, written: bool) -> FloatArray:
            if not written and r.name in given:
                return given[r.name]
            return np.full(n, r.neutral)

        self._lenses: list[tuple[Module, _Lens, _Lens, _Lens]] = []
        for w in couplings.wiring:
            m = w.module
            s_fill = {r.name: value(r, written=False) for r in w.s_free}
            declared = tuple(r.name for r in m.reads)
            self._lenses.append((
                m,
                _Lens(w.s_names, s_fill,
                      _Access(m.name, "the state at the start of the step (s)",
                              (*m.variable_names, *declared))),
                _Lens(w.x_names, {r.name: s_fill[r.name] for r in w.x_free},
                      _Access(m.name, "this step's values (x)",
                              tuple(r.name for r in m.reads if r.when == "step"))),
                _Lens(w.init_names,
                      {r.name: s_fill[r.name] if r.name in s_fill else value(r, written=True)
                       for r in w.init_neutral},
                      _Access(m.name, "the state at initialisation", declared)),
            ))

    def init(self, p: Params) -> dict[str, FloatArray]:
        """Return the initial state: each module's ``init`` in step order."""
        s: dict[str, FloatArray] = {}
        for m, _, _, at_init in self._lenses:
            s.update(m.init(p, self.n, at_init.view(s)))
        return s

    def step(self, s: Mapping[str, FloatArray], p: Params, u: Mapping[str, FloatArray],
             ctx: StepContext) -> dict[str, FloatArray]:
        """Return the state after one step of every module from state ``s``."""
        x: dict[str, FloatArray] = {}
        for m, at_start, this_step, _ in self._lenses:
            x.update(m.step(at_start.view(s), this_step.view(x), p, u, ctx))
        return {**s, **x}
