"""Compiled runs: a fused time loop for the military module when its extra mechanisms are off.

With every ``mil_*_switch`` at 0, no intensity noise and no partner supplies (the
``lanchester-bench`` scenario, and any scenario that uses the military module alone in that
configuration), the military module reduces to four stocks and two running sums::

    sup_X  = M_X / (M_X + half_sat_X)          (0 where the denominator is not positive)
    loss_U = (eff_R * R * sup_R) * U / (U + floor)
    loss_R = (eff_U * U * sup_U) * R / (R + floor)
    U  += dt * (reinf_U - loss_U)              M_U += dt * ((prod_U + aid_U) - fire_U * U * sup_U)
    C_U += dt * loss_U                         (and likewise for R)

:class:`MilitaryFused` steps exactly these equations with the floating-point operations in
the order :mod:`detente.model.military` performs them, so its trajectories are bit-identical
to the generic module loop (``tests/test_kernels.py`` checks this). The engine picks it when
:func:`fused_military_plan` accepts the plan and :meth:`MilitaryFused.eligible` accepts the
parameters of a stretch of steps; anything else runs the generic loop.

Two implementations: a NumPy twin (loop over time, vectorised over samples) and a Numba
kernel (samples in cache-sized chunks; inside a chunk the loop over samples is vectorised by
LLVM, so the state never leaves L1 cache between steps). The kernel is serial and releases
the GIL: the engine runs blocks on threads, which stays safe under ``fork`` (no OpenMP).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from detente._typing import BoolArray, FloatArray, Params
from detente.engine.backend import Backend, numba_module, resolve_backend
from detente.engine.plan import Overlay, active_at, effective, stretch_bounds

if TYPE_CHECKING:
    from detente.engine.plan import Plan
    from detente.engine.record import Keep

#: Variables the fused loop produces, in its state order.
FUSED_VARIABLES: tuple[str, ...] = (
    "ua_personnel", "ru_personnel", "ua_shells", "ru_shells",
    "ua_casualties_cum", "ru_casualties_cum",
)

#: Parameters that must be exactly 0 in every sample for the fused loop to apply.
ZERO_PARAMETERS: tuple[str, ...] = (
    "mil_pipeline_switch", "mil_ramp_switch", "mil_aid_money_switch", "mil_drones_switch",
    "mil_defender_switch", "mil_stock_guard_switch", "mil_intensity_noise",
    "ru_partner_shells",
)

#: Samples per chunk in the Numba kernel: 17 arrays of this length stay in L1 cache
#: (64 measured a few per cent faster than 32, 128 or 256 in benchmarks/bench_fast.py).
CHUNK = 64

_IN = ("ua_effectiveness", "ru_effectiveness", "ua_fire_rate", "ru_fire_rate",
       "ua_half_sat", "ru_half_sat", "mil_force_floor")


def fused_military_plan(plan: Plan, variables: Sequence[str]) -> MilitaryFused | None:
    """Return a fused loop for ``plan`` if its structure allows one, else None.

    Parameters
    ----------
    plan : Plan
        The compiled plan; it must run the military module alone.
    variables : sequence of str
        Every variable the caller needs (recorded, outcomes, quantiles); all must be in
        :data:`FUSED_VARIABLES`.

    Returns
    -------
    MilitaryFused or None
        None when the structure rules the fused loop out. Whether the parameter values
        allow it is checked per stretch of steps with :meth:`MilitaryFused.eligible`.
    """
    if tuple(m.name for m in plan.modules) != ("military",):
        return None
    if plan.shocks != ("combat_intensity",):
        return None
    if any(v not in FUSED_VARIABLES for v in variables):
        return None
    return MilitaryFused()


@dataclass(frozen=True)
class MilitaryFused:
    """The fused military loop (see the module docstring)."""

    variables: tuple[str, ...] = FUSED_VARIABLES

    @staticmethod
    def eligible(p: Params) -> bool:
        """Whether parameters ``p`` (canonical units) reduce the module to the fused loop."""
        for name in ZERO_PARAMETERS:
            if name not in p or np.any(p[name] != 0.0):
                return False
        return all(_all_finite(v) for v in p.values())

    @staticmethod
    def init(p: Params, n: int) -> FloatArray:
        """Return the initial state ``(6, n)``, as :func:`detente.model.military.init` does."""
        z = np.zeros(n)
        return np.stack([p["ua_personnel0"] + z, p["ru_personnel0"] + z,
                         p["ua_shells0"] + z, p["ru_shells0"] + z, z, z.copy()])

    @staticmethod
    def inputs(p: Params) -> tuple[FloatArray, ...]:
        """Return the per-sample coefficients the loop reads, in kernel order."""
        vals = [np.ascontiguousarray(p[k], dtype=np.float64) for k in _IN]
        in_u = np.ascontiguousarray(p["ua_shell_production"] + p["ua_shell_aid_direct"])
        in_r = np.ascontiguousarray(p["ru_shell_production"], dtype=np.float64)
        return (*vals, in_u, in_r,
                np.ascontiguousarray(p["ua_reinforcement"], dtype=np.float64),
                np.ascontiguousarray(p["ru_reinforcement"], dtype=np.float64))

    def run(self, p: Params, state: FloatArray, k0: int, k1: int, dt: float,
            out: Mapping[str, NDArray[Any]], backend: Backend = "auto") -> None:
        """Advance ``state`` in place from step ``k0`` to ``k1``.

        Parameters
        ----------
        p : mapping
            Parameters in canonical units (constant over the stretch).
        state : ndarray, shape (6, n)
            State at step ``k0`` in :data:`FUSED_VARIABLES` order; overwritten with the
            state at step ``k1``.
        k0, k1 : int
            First and one-past-last step index.
        dt : float
            Step length in days.
        out : mapping
            Variable name -> array of shape ``(n_steps + 1, n)``; row ``k + 1`` receives the
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
        args = self.inputs(p)
        if resolve_backend(backend) == "numba":
            kern = _numba_kernel()
            n = state.shape[1]
            dummy = np.empty((1, max(n, 1)), dtype=np.float64)
            outs = []
            flags = np.zeros(6, dtype=np.int64)
            for j, name in enumerate(FUSED_VARIABLES):
                arr = out.get(name)
                if arr is None:
                    outs.append(dummy)
                else:
                    outs.append(arr)
                    flags[j] = 1
            return functools.partial(kern, *args, state, k0, k1, float(dt), *outs, flags,
                                     CHUNK)
        return functools.partial(military_loop_numpy, *args, state=state, k0=k0, k1=k1,
                                 dt=dt, out=[out.get(v) for v in FUSED_VARIABLES])


def _all_finite(v: FloatArray) -> bool:
    if v.ndim == 1 and v.strides == (0,) and v.size:  # one value repeated (a constant)
        return math.isfinite(v[0])
    return bool(np.isfinite(v).all())


def _nothing() -> None:
    return None


def military_loop_numpy(eff_u: FloatArray, eff_r: FloatArray, fr_u: FloatArray,
                        fr_r: FloatArray, hs_u: FloatArray, hs_r: FloatArray,
                        fl: FloatArray, in_u: FloatArray, in_r: FloatArray,
                        re_u: FloatArray, re_r: FloatArray, *, state: FloatArray, k0: int,
                        k1: int, dt: float, out: Sequence[NDArray[Any] | None]) -> None:
    """NumPy twin of the Numba kernel: the same operations, vectorised over samples."""
    b, r, mb, mr, cb, cr = (state[i].copy() for i in range(6))
    n = b.shape[0]
    su = np.empty(n)
    sr = np.empty(n)
    du = np.empty(n)
    dr = np.empty(n)
    for k in range(k0, k1):
        den = mb + hs_u
        su.fill(0.0)
        np.divide(mb, den, out=su, where=den > 0.0)
        den = mr + hs_r
        sr.fill(0.0)
        np.divide(mr, den, out=sr, where=den > 0.0)
        den = b + fl
        du.fill(0.0)
        np.divide(b, den, out=du, where=den > 0.0)
        den = r + fl
        dr.fill(0.0)
        np.divide(r, den, out=dr, where=den > 0.0)
        loss_u = eff_r * r * sr * du
        loss_r = eff_u * b * su * dr
        cons_u = fr_u * b * su
        cons_r = fr_r * r * sr
        b = b + dt * (re_u - loss_u)
        r = r + dt * (re_r - loss_r)
        mb = mb + dt * (in_u - cons_u)
        mr = mr + dt * (in_r - cons_r)
        cb = cb + dt * loss_u
        cr = cr + dt * loss_r
        for arr, val in zip(out, (b, r, mb, mr, cb, cr), strict=True):
            if arr is not None:
                arr[k + 1] = val
    for i, val in enumerate((b, r, mb, mr, cb, cr)):
        state[i] = val


@functools.cache
def _numba_kernel() -> Callable[..., None]:
    nb = numba_module()

    @nb.njit(cache=True, error_model="numpy", nogil=True)
    def kernel(eff_u, eff_r, fr_u, fr_r, hs_u, hs_r, fl, in_u, in_r, re_u, re_r,  # type: ignore[no-untyped-def]
               state, k0, k1, dt, o0, o1, o2, o3, o4, o5, flags, chunk):
        n = state.shape[1]
        n_chunks = (n + chunk - 1) // chunk
        for c in range(n_chunks):
            lo = c * chunk
            hi = min(n, lo + chunk)
            m = hi - lo
            b = state[0, lo:hi].copy()
            r = state[1, lo:hi].copy()
            mb = state[2, lo:hi].copy()
            mr = state[3, lo:hi].copy()
            cb = state[4, lo:hi].copy()
            cr = state[5, lo:hi].copy()
            a_eu = eff_u[lo:hi]
            a_er = eff_r[lo:hi]
            a_fu = fr_u[lo:hi]
            a_fr = fr_r[lo:hi]
            a_hu = hs_u[lo:hi]
            a_hr = hs_r[lo:hi]
            a_fl = fl[lo:hi]
            a_iu = in_u[lo:hi]
            a_ir = in_r[lo:hi]
            a_ru = re_u[lo:hi]
            a_rr = re_r[lo:hi]
            for k in range(k0, k1):
                for i in range(m):
                    bi = b[i]
                    ri = r[i]
                    mbi = mb[i]
                    mri = mr[i]
                    den = mbi + a_hu[i]
                    su = mbi / den if den > 0.0 else 0.0
                    den = mri + a_hr[i]
                    sr = mri / den if den > 0.0 else 0.0
                    den = bi + a_fl[i]
                    du = bi / den if den > 0.0 else 0.0
                    den = ri + a_fl[i]
                    dr = ri / den if den > 0.0 else 0.0
                    loss_u = a_er[i] * ri * sr * du
                    loss_r = a_eu[i] * bi * su * dr
                    cons_u = a_fu[i] * bi * su
                    cons_r = a_fr[i] * ri * sr
                    b[i] = bi + dt * (a_ru[i] - loss_u)
                    r[i] = ri + dt * (a_rr[i] - loss_r)
                    mb[i] = mbi + dt * (a_iu[i] - cons_u)
                    mr[i] = mri + dt * (a_ir[i] - cons_r)
                    cb[i] = cb[i] + dt * loss_u
                    cr[i] = cr[i] + dt * loss_r
                if flags[0]:
                    o0[k + 1, lo:hi] = b
                if flags[1]:
                    o1[k + 1, lo:hi] = r
                if flags[2]:
                    o2[k + 1, lo:hi] = mb
                if flags[3]:
                    o3[k + 1, lo:hi] = mr
                if flags[4]:
                    o4[k + 1, lo:hi] = cb
                if flags[5]:
                    o5[k + 1, lo:hi] = cr
            state[0, lo:hi] = b
            state[1, lo:hi] = r
            state[2, lo:hi] = mb
            state[3, lo:hi] = mr
            state[4, lo:hi] = cb
            state[5, lo:hi] = cr

    result: Callable[..., None] = kernel
    return result


def fused_for(plan: Plan, keep: Keep) -> MilitaryFused | None:
    """Return the fused loop for what ``plan`` and ``keep`` need, if one applies."""
    if not keep.fast_paths:
        return None
    need = {*plan.record, *keep.outcomes, *keep.quantiles}
    return fused_military_plan(plan, sorted(need))


def compiled_run(plan: Plan, fused: MilitaryFused | None, base: Mapping[str, FloatArray],
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


__all__ = ["CHUNK", "FUSED_VARIABLES", "ZERO_PARAMETERS", "MilitaryFused", "compiled_run",
           "fused_for", "fused_military_plan", "military_loop_numpy"]
