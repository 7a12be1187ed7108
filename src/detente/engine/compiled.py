"""Compiled runs: a module's declared kernel, run as one fused loop over samples and time.

A module may declare a :class:`~detente.model.base.Kernel`: its step in a reduced
configuration, written as a model :func:`~detente.model.equations.equation` over one
sample's floats, with the parameters that must be 0 for it to apply. The kernel's signature
says what it advances (state variables), what it reads (parameters, and declared reads held
at their neutral values) and whether it needs ``t`` or ``dt``
(:func:`~detente.model.base.kernel_layout`). Nothing here names a parameter or a variable:
this module turns any such declaration into a run.

Where a plan runs that module alone, every variable the caller needs is a kernel state
variable (:func:`fused_for`) and a stretch of steps has its ``zero`` parameters at exactly 0
and every parameter finite (:meth:`Fused.eligible`), the engine runs the kernel instead of
the generic module loop:

* **Numba** (``backend="numba"``): the kernel's equations are compiled over floats: each
  equation's own code object is rebound to globals in which every primitive is its scalar
  form (:data:`detente.model.equations.PRIMITIVES`) and every equation it calls is compiled
  the same way. A loop over samples in cache-sized chunks (:data:`CHUNK`) and over time is
  generated as source text from the declaration, ``exec``'d and compiled. Inside a chunk the
  loop over samples is vectorised by LLVM, so the state never leaves L1 cache between steps;
  the loop is serial and releases the GIL (the engine runs blocks on threads, safe under
  ``fork``: no OpenMP).
* **NumPy** (``backend="numpy"``, or Numba missing): the very same equation functions run
  over arrays of samples, one call per step.

The kernel performs exactly the floating-point operations of the module's step with the
``zero`` parameters at 0 (what the step adds are exact zeros and ones), and the primitives'
two forms return the same bits, so both backends are bit-identical to the generic loop
(``tests/engine/test_compiled.py``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import itertools
import marshal
import math
import os
import sys
import tempfile
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from detente._typing import BoolArray, FloatArray, Params
from detente.engine.backend import Backend, numba_module, resolve_backend
from detente.engine.plan import Overlay, active_at, effective, stretch_bounds
from detente.model import Module
from detente.model.base import Kernel, KernelLayout
from detente.model.equations import PRIMITIVES, is_equation

if TYPE_CHECKING:
    from detente.engine.plan import Plan
    from detente.engine.record import Keep

__all__ = ["CHUNK", "Fused", "compiled_run", "fused_for", "fused_plan", "kernel_source",
           "scalar_equation"]

#: Samples per chunk in the compiled loop: the state and inputs of a chunk (about 20 arrays
#: of this length for the military kernel) stay in L1 cache (64 measured a few per cent
#: faster than 32, 128 or 256 in benchmarks/bench_fast.py).
CHUNK = 64


def fused_plan(plan: Plan, variables: Iterable[str]) -> Fused | None:
    """Return the fused run for ``plan`` if its structure allows one, else None.

    Parameters
    ----------
    plan : Plan
        The compiled plan; it must run one module, and that module must declare a kernel.
    variables : iterable of str
        Every variable the caller needs (recorded, outcomes, quantiles); all must be state
        variables of the kernel.

    Returns
    -------
    Fused or None
        None when the structure rules the kernel out. Whether the parameter values allow it
        is checked per stretch of steps with :meth:`Fused.eligible`.
    """
    if len(plan.modules) != 1:
        return None
    (module,) = plan.modules
    if module.kernel is None:
        return None
    layout = module.kernel_layout
    if any(v not in layout.state for v in variables):
        return None
    return Fused(module, module.kernel, layout, {r.name: r.neutral for r in module.reads})


@dataclass(frozen=True)
class Fused:
    """A module's kernel, ready to run over a block of samples (see the module docstring).

    Attributes
    ----------
    module : Module
        The module whose step the kernel replaces.
    kernel : Kernel
        Its declaration.
    layout : KernelLayout
        The kernel's arguments by kind.
    reads : mapping
        The values of the module's reads: their neutral values (the module runs alone).
    """

    module: Module
    kernel: Kernel
    layout: KernelLayout
    reads: Mapping[str, float]

    @property
    def variables(self) -> tuple[str, ...]:
        """The state variables the kernel advances, in its order."""
        return self.layout.state

    def eligible(self, p: Params) -> bool:
        """Whether parameters ``p`` (canonical units) reduce the module to the kernel."""
        for name in self.kernel.zero:
            if name not in p or np.any(p[name] != 0.0):
                return False
        return all(_all_finite(v) for v in p.values())

    def init(self, p: Params, n: int) -> FloatArray:
        """Return the initial state ``(len(variables), n)`` (the kernel's ``init``)."""
        values = self.kernel.init(*self._arguments(self.layout.init_arguments, p))
        if len(values) != len(self.variables):
            raise ValueError(f"{self.kernel.init.__qualname__} returns {len(values)} values "
                             f"for the {len(self.variables)} state variables of the kernel")
        z = np.zeros(n)
        return np.stack([np.asarray(v, dtype=np.float64) + z for v in values])

    def inputs(self, p: Params) -> list[FloatArray]:
        """Return the kernel's per-sample inputs: its parameters, then its derived inputs."""
        n = len(next(iter(p.values()))) if p else 0
        out = [np.ascontiguousarray(p[name], dtype=np.float64) for name in self.layout.params]
        for fn, args in zip(self.kernel.derived, self.layout.derived_arguments, strict=True):
            value = np.broadcast_to(fn(*self._arguments(args, p)), (n,))
            out.append(np.ascontiguousarray(value, dtype=np.float64))
        return out

    def _arguments(self, names: tuple[str, ...], p: Params) -> list[Any]:
        return [self.reads[a] if a in self.reads else p[a] for a in names]

    def run(self, p: Params, state: FloatArray, k0: int, k1: int, dt: float,
            out: Mapping[str, NDArray[Any]], backend: Backend = "auto") -> None:
        """Advance ``state`` in place from step ``k0`` to ``k1``.

        Parameters
        ----------
        p : mapping
            Parameters in canonical units (constant over the stretch).
        state : ndarray, shape (len(variables), n)
            State at step ``k0`` in :attr:`variables` order; overwritten with the state at
            step ``k1``.
        k0, k1 : int
            First and one-past-last step index.
        dt : float
            Step length in days.
        out : mapping
            Variable -> array of shape ``(n_steps + 1, n)``; row ``k + 1`` receives the
            variable after step ``k``.
        backend : {"auto", "numba", "numpy"}
            Implementation to use.
        """
        self.prepare(p, state, k0, k1, dt, out, backend)()

    def prepare(self, p: Params, state: FloatArray, k0: int, k1: int, dt: float,
                out: Mapping[str, NDArray[Any]], backend: Backend = "auto"
                ) -> Callable[[], None]:
        """Return :meth:`run` as a call with its arguments gathered (same parameters).

        The gathering needs the interpreter; the returned call, with the Numba backend,
        does not hold the GIL, so another thread can prepare the next one meanwhile.
        """
        if k1 <= k0:
            return _nothing
        params = self.inputs(p)
        reads = tuple(self.reads[r] for r in self.layout.reads)
        if resolve_backend(backend) == "numba":
            loop = _numba_loop(self.kernel.step, self.layout, reads)
            n = state.shape[1]
            dummy = np.empty((1, max(n, 1)), dtype=np.float64)
            outs = [out.get(v, dummy) for v in self.variables]
            flags = np.array([v in out for v in self.variables], dtype=np.int64)
            return functools.partial(loop, state, k0, k1, float(dt), *params, *outs, flags,
                                     CHUNK)
        return functools.partial(_numpy_loop, self.kernel.step, self.layout, reads,
                                 params, state, k0, k1, float(dt),
                                 [out.get(v) for v in self.variables])


def _all_finite(v: FloatArray) -> bool:
    if v.ndim == 1 and v.strides == (0,) and v.size:  # one value repeated (a constant)
        return math.isfinite(v[0])
    return bool(np.isfinite(v).all())


def _nothing() -> None:
    return None


# --------------------------------------------------------------------------- NumPy
def _numpy_loop(step: Callable[..., tuple[Any, ...]], layout: KernelLayout,
                reads: tuple[float, ...], params: list[FloatArray], state: FloatArray,
                k0: int, k1: int, dt: float, out: list[NDArray[Any] | None]) -> None:
    """Run the kernel's equations over arrays of samples, one call per step."""
    cur = [state[j].copy() for j in range(len(layout.state))]
    fixed: dict[str, Any] = {**dict(zip((*layout.params, *layout.derived), params,
                                        strict=True)),
                             **dict(zip(layout.reads, reads, strict=True)), "dt": dt}
    where = {name: j for j, name in enumerate(layout.state)}
    for k in range(k0, k1):
        fixed["t"] = k * dt
        new = step(*[cur[where[a]] if a in where else fixed[a] for a in layout.arguments])
        cur = [np.asarray(v, dtype=np.float64) for v in new]
        for arr, val in zip(out, cur, strict=True):
            if arr is not None:
                arr[k + 1] = val
    for j, val in enumerate(cur):
        state[j] = val


# --------------------------------------------------------------------------- Numba
_PRIMITIVE_NAMES = {id(prim.array): name for name, prim in PRIMITIVES.items()}


@functools.cache
def _scalar_primitive(name: str) -> Callable[..., Any]:
    nb = numba_module()
    fn: Callable[..., Any] = nb.njit(inline="always", error_model="numpy",
                                     nogil=True)(PRIMITIVES[name].scalar)
    return fn


@functools.cache
def scalar_equation(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile the equation ``fn`` over floats with Numba: the same code, scalar primitives.

    ``fn``'s code object is rebound to a copy of its globals in which each primitive is its
    scalar form and each equation it calls is compiled the same way (recursively).

    Raises
    ------
    TypeError
        If ``fn`` is not an equation, or uses a global that is neither a number, a
        primitive nor an equation (e.g. ``np``).
    """
    if not is_equation(fn) or not isinstance(fn, types.FunctionType):
        raise TypeError(f"{fn!r} is not a model equation (see detente.model.equations)")
    nb = numba_module()
    scope = dict(fn.__globals__)
    for name in fn.__code__.co_names:
        if name not in fn.__globals__:
            continue  # an attribute or a builtin
        obj = fn.__globals__[name]
        primitive = _PRIMITIVE_NAMES.get(id(obj))
        if primitive is not None:
            scope[name] = _scalar_primitive(primitive)
        elif is_equation(obj):
            scope[name] = scalar_equation(obj)
        elif not isinstance(obj, int | float):
            raise TypeError(
                f"equation {fn.__module__}.{fn.__qualname__} uses {name!r}, which is "
                "neither a number, a primitive of detente.model.equations nor an equation")
    twin = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    twin.__qualname__ = fn.__qualname__
    twin.__module__ = fn.__module__
    compiled: Callable[..., Any] = nb.njit(inline="always", error_model="numpy",
                                           nogil=True)(twin)
    return compiled


def kernel_source(layout: KernelLayout, reads: tuple[float, ...]) -> str:
    """Return the source of the fused loop for a kernel with this layout.

    The loop takes ``(state, k0, k1, dt, p0, ..., o0, ..., flags, chunk)``: the state
    ``(len(layout.state), n)``, the inputs (arrays of shape ``(n,)``: the parameters in
    ``layout.params`` order, then the derived inputs in ``layout.derived`` order), one
    output array per state variable (written at row ``k + 1`` where its flag is set) and the
    chunk size. It calls the global ``step`` (the compiled kernel) with the values of
    ``layout.reads`` (``reads``, constants of the source).
    """
    inputs = (*layout.params, *layout.derived)
    n_s, n_p = len(layout.state), len(inputs)
    state = {name: f"s{j}[i]" for j, name in enumerate(layout.state)}
    params = {name: f"q{j}[i]" for j, name in enumerate(inputs)}
    constants = {name: f"r{j}" for j, name in enumerate(layout.reads)}
    context = {"t": "t", "dt": "dt"}
    call = ", ".join({**state, **params, **constants, **context}[a] for a in layout.arguments)
    targets = "".join(f"s{j}[i], " for j in range(n_s))
    sig = ", ".join(["state", "k0", "k1", "dt", *(f"p{j}" for j in range(n_p)),
                     *(f"o{j}" for j in range(n_s)), "flags", "chunk"])
    lines = [
        f'"""The fused loop of a kernel (generated by {__name__}; do not edit)."""',
        "",
        *(f"r{j} = float({str(float(v))!r})" for j, v in enumerate(reads)),
        "",
        "",
        f"def fused_loop({sig}):",
        "    n = state.shape[1]",
        "    for c in range((n + chunk - 1) // chunk):",
        "        lo = c * chunk",
        "        hi = min(n, lo + chunk)",
        "        m = hi - lo",
        *(f"        s{j} = state[{j}, lo:hi].copy()" for j in range(n_s)),
        *(f"        q{j} = p{j}[lo:hi]" for j in range(n_p)),
        "        for k in range(k0, k1):",
        *(["            t = k * dt"] if "t" in layout.arguments else []),
        "            for i in range(m):",
        f"                {targets}= step({call})",
        *(line for j in range(n_s) for line in (
            f"            if flags[{j}]:",
            f"                o{j}[k + 1, lo:hi] = s{j}")),
        *(f"        state[{j}, lo:hi] = s{j}" for j in range(n_s)),
    ]
    return "\n".join(lines) + "\n"


@functools.cache
def _numba_loop(step: Callable[..., Any], layout: KernelLayout, reads: tuple[float, ...]
                ) -> Callable[..., None]:
    """Compile the fused loop, kept in Numba's on-disk cache where a folder allows.

    The generated source (built only from the kernel's declaration, never from a scenario
    file) is written to a file named after a fingerprint of that source and of the code of
    every equation and primitive the kernel runs, so a changed equation gets a new file
    (and a new compilation), and an unchanged one loads from the cache. Without a writable
    cache folder the file goes to a private temporary folder and nothing is cached.
    """
    nb = numba_module()
    source = kernel_source(layout, reads)
    key = hashlib.sha256(source.encode() + _fingerprint(step)).hexdigest()[:24]
    folder = _cache_folder()
    cached = folder is not None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="detente-kernels-"))
    path = folder / f"fused_{key}.py"
    if not path.is_file():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)  # atomic: concurrent writers write the same text
    spec = importlib.util.spec_from_file_location(f"detente_fused_{key}", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a plain .py file
        raise ImportError(f"cannot load the generated kernel loop {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Numba finds a cached function's module by name when it loads it
    sys.modules[spec.name] = module
    scope = vars(module)  # the generated loop calls the global ``step``
    scope["step"] = scalar_equation(step)
    loop: Callable[..., None] = nb.njit(error_model="numpy", nogil=True,
                                        cache=cached)(scope["fused_loop"])
    return loop


def _fingerprint(fn: Callable[..., Any]) -> bytes:
    """Bytes that change when the code of ``fn`` or of anything it calls changes."""
    seen: set[int] = set()
    parts: list[bytes] = []

    def visit(f: Any) -> None:
        if id(f) in seen:
            return
        seen.add(id(f))
        primitive = _PRIMITIVE_NAMES.get(id(f))
        code = PRIMITIVES[primitive].scalar.__code__ if primitive else f.__code__
        parts.append(f"{getattr(f, '__qualname__', '')}:{primitive}".encode())
        parts.append(marshal.dumps(code))
        parts.append(repr(getattr(f, "__defaults__", None)).encode())
        if primitive:
            return
        for name in f.__code__.co_names:
            obj = f.__globals__.get(name)
            if _PRIMITIVE_NAMES.get(id(obj)) or is_equation(obj):
                visit(obj)
            elif isinstance(obj, int | float):
                parts.append(f"{name}={obj!r}".encode())

    visit(fn)
    return b"\0".join(parts)


def _cache_folder() -> Path | None:
    """Where generated loops live: beside Numba's cache, or the user's cache folder."""
    nb = numba_module()
    base = Path(nb.config.CACHE_DIR) if nb.config.CACHE_DIR else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "detente" / "kernels"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


# --------------------------------------------------------------------------- the engine's use
def fused_for(plan: Plan, keep: Keep) -> Fused | None:
    """Return the fused run for what ``plan`` and ``keep`` need, if one applies."""
    if not keep.fast_paths:
        return None
    need = {*plan.record, *keep.outcomes, *keep.quantiles}
    return fused_plan(plan, sorted(need))


def compiled_run(plan: Plan, fused: Fused | None, base: Mapping[str, FloatArray],
                 overlays: tuple[Overlay, ...], happened: Mapping[str, BoolArray], n: int,
                 out: Mapping[str, FloatArray], backend: Backend
                 ) -> Callable[[], dict[str, FloatArray]] | None:
    """One policy's run through the fused kernel, ready to call, if it applies (else None).

    Everything that needs the interpreter (overlays, eligibility, the initial state) is done
    here; the returned callable runs the kernel stretch by stretch and returns the final
    state, so it can run on another thread while this one prepares the next block.
    """
    if fused is None:
        return None
    # stretches of steps with constant parameters; all must allow the fused loop
    cuts = stretch_bounds(overlays, plan.n_steps)
    stretches = [(k0, k1, effective(base, active_at(overlays, k0), happened))
                 for k0, k1 in itertools.pairwise(cuts)]
    if not all(fused.eligible(p) for _, _, p in stretches):
        return None
    state = fused.init(stretches[0][2], n)
    names = fused.variables
    runs = [fused.prepare(p, state, k0, k1, plan.dt, out, backend) for k0, k1, p in stretches]

    def run() -> dict[str, FloatArray]:
        # every write to the outputs happens here, wherever this runs
        for v, arr in out.items():
            arr[0] = state[names.index(v)]
        for go in runs:
            go()
        return {v: state[i] for i, v in enumerate(names)}

    return run
