"""Fitting Lanchester-type attrition laws to battle series.

The laws (Blue strength ``B``, Red strength ``R``, rates per day)::

    square       dB/dt = -a R          dR/dt = -b B          aimed fire
    linear       dB/dt = -a B R        dR/dt = -b B R        area fire
    logarithmic  dB/dt = -a B          dR/dt = -b R          operational losses
    mixed        dB/dt = -a B R        dR/dt = -b B          Blue guerrilla, Red conventional
    power        dB/dt = -a R^p B^q    dR/dt = -b B^p R^q    Bracken (1995) / Fricker (1998)

plus recorded reinforcements. All are special cases of the power law (square: p=1, q=0;
linear: p=q=1; logarithmic: p=0, q=1), fitted in the discrete daily form of the data::

    B[t+1] = B[t] - days[t] * a R[t]^p B[t]^q + reinforcements_B[t]

Three methods:

``engel``
    Engel's (1954) summation method for the square law: Red's total losses over Blue's
    summed strength give ``b``; Red's strength is reconstructed day by day; Blue's total
    losses over Red's summed strength give ``a``. Needs Red's strength only at the start
    and at its last observation (annihilation: 0).
``loglinear``
    Least squares on ``log(casualties / days) = log a + p log R + q log B`` for both sides
    at once (Bracken 1995, Fricker 1998); days with no losses are dropped. The intercepts
    are moved to the mean scale by Duan's (1983) smearing factor, so ``a`` and ``b``
    estimate the same quantity as the other two methods.
``trajectory``
    Least squares (``scipy.optimize.least_squares``) between the observed strengths and the
    trajectory integrated from the initial strengths, each side's residuals relative to its
    initial strength.

Confidence intervals come from a model-based (recursive) residual bootstrap: the fitted law
is run forward from the observed initial strengths with each day's losses multiplied by a
resampled ratio of observed to predicted losses (blocks of ``block`` consecutive days, both
sides' ratios drawn together), and the method is applied again to each synthetic series.
Goodness of fit (R², RMSE, AIC) is measured on the scale each method fits; see
``docs/validation.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, get_args

import numpy as np

from detente._typing import BoolArray, FloatArray, SeedLike
from detente.analysis._base import Estimator
from detente.analysis._data import BattleData, did_you_mean
from detente.errors import DataError, InputError

if TYPE_CHECKING:
    import pandas as pd

LawName = Literal["square", "linear", "logarithmic", "mixed", "power"]
MethodName = Literal["engel", "loglinear", "trajectory"]
#: Method names, in documentation order.
METHODS: tuple[str, ...] = get_args(MethodName)

#: Observations beyond the number of parameters that a fit needs (one for the residual
#: variance, one so that the fit is not exact).
MIN_EXTRA_POINTS = 2
#: Default bootstrap replicates and confidence level.
DEFAULT_N_BOOT = 200
DEFAULT_LEVEL = 0.95
#: Share of failed bootstrap replicates above which the fit refuses to give an interval.
MAX_FAILED_SHARE = 0.2
_TINY = 1e-300


@dataclass(frozen=True)
class Law:
    """An attrition law in the power form ``loss_B = a R^pB B^qB``, ``loss_R = b B^pR R^qR``.

    Attributes
    ----------
    name : str
        Law name (a key of :data:`LAWS`).
    blue, red : tuple of float or None
        Exponents ``(on the enemy, on the own side)`` of each side's loss rate; ``None``
        for the power law, whose shared exponents ``p`` and ``q`` are fitted.
    equations : str
        The law's differential equations.
    """

    name: str
    blue: tuple[float, float] | None
    red: tuple[float, float] | None
    equations: str

    @property
    def free_exponents(self) -> bool:
        """True when the exponents are fitted (the power law)."""
        return self.blue is None

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the fitted coefficients."""
        return ("a", "b", "p", "q") if self.free_exponents else ("a", "b")

    def exponents(self, u: FloatArray) -> tuple[Any, Any, Any, Any]:
        """Exponents ``(pB, qB, pR, qR)`` for internal parameters ``u`` (last axis)."""
        if self.blue is None or self.red is None:
            return u[..., 2], u[..., 3], u[..., 2], u[..., 3]
        return self.blue[0], self.blue[1], self.red[0], self.red[1]


#: The laws :class:`LanchesterFit` knows, by name.
LAWS: dict[str, Law] = {
    "square": Law("square", (1.0, 0.0), (1.0, 0.0), "dB/dt = -a R,  dR/dt = -b B"),
    "linear": Law("linear", (1.0, 1.0), (1.0, 1.0), "dB/dt = -a B R,  dR/dt = -b B R"),
    "logarithmic": Law("logarithmic", (0.0, 1.0), (0.0, 1.0), "dB/dt = -a B,  dR/dt = -b R"),
    "mixed": Law("mixed", (1.0, 1.0), (1.0, 0.0),
                 "dB/dt = -a B R (Blue guerrilla),  dR/dt = -b B"),
    "power": Law("power", None, None, "dB/dt = -a R^p B^q,  dR/dt = -b B^p R^q"),
}


def get_law(name: str) -> Law:
    """Return the law called ``name``; raise InputError with a did-you-mean otherwise."""
    if name not in LAWS:
        raise InputError(f"unknown law {name!r}; expected one of {', '.join(LAWS)}."
                         f"{did_you_mean(name, LAWS)}")
    return LAWS[name]


def _check_method(name: str) -> None:
    if name not in METHODS:
        raise InputError(f"unknown method {name!r}; expected one of {', '.join(METHODS)}."
                         f"{did_you_mean(name, METHODS)}")


# --------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class _Frame:
    """Reference scales that keep the power law well conditioned.

    Internally a loss rate is ``exp(u0) (R/Rref)^pB (B/Bref)^qB``; :meth:`natural` converts
    to ``a = exp(u0) Rref^-pB Bref^-qB``.
    """

    law: Law
    bref: float
    rref: float

    @classmethod
    def of(cls, law: Law, data: BattleData) -> _Frame:
        def gmean(x: FloatArray) -> float:
            pos = x[np.isfinite(x) & (x > 0)]
            return float(np.exp(np.mean(np.log(pos)))) if pos.size else 1.0

        return cls(law, gmean(data.blue), gmean(data.red))

    def rates(self, u: FloatArray, b: FloatArray, r: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Loss rates per day of Blue and Red; ``u`` has shape ``(..., k)``."""
        pb, qb, pr, qr = self.law.exponents(u)
        ok = (b > 0) & (r > 0)
        bs = np.where(ok, b, self.bref) / self.bref
        rs = np.where(ok, r, self.rref) / self.rref
        with np.errstate(over="ignore", invalid="ignore"):
            lb = np.exp(u[..., 0]) * rs ** pb * bs ** qb
            lr = np.exp(u[..., 1]) * bs ** pr * rs ** qr
        return np.where(ok, lb, 0.0), np.where(ok, lr, 0.0)

    def natural(self, u: FloatArray) -> FloatArray:
        """Coefficients ``(a, b[, p, q])`` from internal parameters ``u`` (last axis)."""
        pb, qb, pr, qr = self.law.exponents(u)
        out = np.array(u, dtype=np.float64, copy=True)
        out[..., 0] = np.exp(u[..., 0] - pb * math.log(self.rref) - qb * math.log(self.bref))
        out[..., 1] = np.exp(u[..., 1] - pr * math.log(self.bref) - qr * math.log(self.rref))
        return out

    def internal(self, theta: FloatArray) -> FloatArray:
        """Inverse of :meth:`natural`."""
        u = np.array(theta, dtype=np.float64, copy=True)
        pb, qb, pr, qr = self.law.exponents(u)
        u[..., 0] = np.log(np.maximum(theta[..., 0], _TINY)) + pb * math.log(self.rref) \
            + qb * math.log(self.bref)
        u[..., 1] = np.log(np.maximum(theta[..., 1], _TINY)) + pr * math.log(self.bref) \
            + qr * math.log(self.rref)
        return u


def _integrate(frame: _Frame, u: FloatArray, data: BattleData,
               ratios: tuple[FloatArray, FloatArray] | None = None
               ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Run the law forward from the initial strengths for a batch ``u`` of shape (m, k).

    Returns strengths and casualties of Blue and Red, each of shape ``(m, n)``. With
    ``ratios`` (each ``(m, n)``), each day's losses are multiplied by them.
    """
    m, n = u.shape[0], data.n
    b = np.empty((m, n))
    r = np.empty((m, n))
    cb = np.empty((m, n))
    cr = np.empty((m, n))
    b[:, 0] = data.blue[0]
    r[:, 0] = data.red[0]
    for t in range(n):
        lb, lr = frame.rates(u, b[:, t], r[:, t])
        lb = lb * data.days[t]
        lr = lr * data.days[t]
        if ratios is not None:
            lb = lb * ratios[0][:, t]
            lr = lr * ratios[1][:, t]
        cb[:, t] = lb
        cr[:, t] = lr
        if t + 1 < n:
            b[:, t + 1] = np.maximum(b[:, t] - lb + data.blue_reinforcements[t], 0.0)
            r[:, t + 1] = np.maximum(r[:, t] - lr + data.red_reinforcements[t], 0.0)
    return b, r, cb, cr


def _too_few(data: BattleData, law: Law, method: str, have: int, need: int, what: str,
             *, total: bool = False) -> None:
    if have < need:
        why = (f" ({len(law.param_names)} parameters + {MIN_EXTRA_POINTS})" if total else "")
        raise DataError(
            f"{data.name}: too few points to fit the {law.name} law by {method}: found "
            f"{have} {what}, need at least {need}{why}"
        )


@dataclass(frozen=True)
class _Point:
    """One fit: internal parameters and the pieces goodness of fit needs."""

    u: FloatArray
    fitted: FloatArray  # predictions on the fitted scale
    observed: FloatArray  # observations on the fitted scale
    groups: np.ndarray  # side index (0 blue, 1 red) of each observation
    rmse: float  # in the data's units
    red_path: FloatArray | None = None  # Engel: Red's reconstructed strength


def _fit_loglinear(frame: _Frame, data: BattleData) -> _Point:
    law = frame.law
    ys, xs, groups, offsets = [], [], [], []
    pb, qb, pr, qr = law.exponents(np.zeros(4))
    for side, (enemy, own, p_e, q_o) in enumerate(
            [(data.red / frame.rref, data.blue / frame.bref, pb, qb),
             (data.blue / frame.bref, data.red / frame.rref, pr, qr)]):
        cas = data.casualties("blue" if side == 0 else "red")
        use = np.isfinite(cas) & (cas > 0) & (enemy > 0) & (own > 0)
        _too_few(data, law, "log-linear least squares", int(use.sum()), MIN_EXTRA_POINTS,
                 f"days with losses and known strengths for {('Blue', 'Red')[side]}")
        ys.append(np.log(cas[use] / data.days[use]))
        le, lo = np.log(enemy[use]), np.log(own[use])
        xs.append(np.column_stack([le, lo]))
        groups.append(np.full(int(use.sum()), side))
        offsets.append(0.0 if law.free_exponents else p_e * le + q_o * lo)
    y = np.concatenate(ys)
    g = np.concatenate(groups)
    k = len(law.param_names)
    _too_few(data, law, "log-linear least squares", y.size, k + MIN_EXTRA_POINTS,
             "days with losses (both sides together)", total=True)
    design = np.column_stack([g == 0, g == 1]).astype(np.float64)
    if law.free_exponents:
        design = np.column_stack([design, np.concatenate(xs)])
    target = y - np.concatenate([np.broadcast_to(o, x.shape[:1]) for o, x in zip(
        offsets, xs, strict=True)])
    coef, _, rank, _ = np.linalg.lstsq(design, target, rcond=None)
    if rank < k:
        raise DataError(f"{data.name}: the strengths vary too little to separate the "
                        "exponents p and q; fit a law with fixed exponents instead")
    fitted = y - target + design @ coef
    resid = y - fitted
    u = coef.copy()
    for side in (0, 1):  # Duan's smearing: mean-scale coefficients
        u[side] += math.log(float(np.mean(np.exp(resid[g == side]))))
    cas_pred = np.exp(fitted) * np.where(g == 0, math.exp(u[0] - coef[0]),
                                         math.exp(u[1] - coef[1]))
    cas_obs = np.exp(y)
    rmse = float(np.sqrt(np.mean((cas_pred - cas_obs) ** 2)))
    return _Point(u, fitted, y, g, rmse)


def _fit_engel(frame: _Frame, data: BattleData) -> _Point:
    law = frame.law
    if law.name != "square":
        raise InputError(f"Engel's method fits the square law only, not the {law.name} law; "
                         "use the loglinear or trajectory method")
    known_red = np.flatnonzero(np.isfinite(data.red))
    end = int(known_red[-1]) if known_red.size else 0
    _too_few(data, law, "Engel's method", end, 1 + MIN_EXTRA_POINTS,
             "days between Red's first and last known strength")
    blue = data.blue[:end]
    if not np.all(np.isfinite(blue)):
        i = int(np.flatnonzero(~np.isfinite(blue))[0])
        raise DataError(f"{data.name}: Engel's method needs Blue's strength on every day up "
                        f"to Red's last known strength; row {i + 1} has none")
    red_losses = data.red[0] - data.red[end] + float(np.sum(data.red_reinforcements[:end]))
    b_coef = red_losses / float(np.sum(data.days[:end] * blue))
    red = np.empty(end + 1)
    red[0] = data.red[0]
    red[1:] = data.red[0] + np.cumsum(data.red_reinforcements[:end]
                                      - b_coef * data.days[:end] * blue)
    red = np.maximum(red, 0.0)
    cas = data.blue_casualties[:end]
    use = np.isfinite(cas)
    _too_few(data, law, "Engel's method", int(use.sum()), 1 + MIN_EXTRA_POINTS,
             "days with Blue's losses")
    exposure = data.days[:end] * red[:end]
    a_coef = float(np.sum(cas[use])) / float(np.sum(exposure[use]))
    if not (a_coef > 0 and b_coef > 0):
        raise DataError(f"{data.name}: Engel's method found non-positive coefficients "
                        f"(a={a_coef:.3g}, b={b_coef:.3g}); check that both sides lose "
                        "strength over the series")
    u = frame.internal(np.array([a_coef, b_coef]))
    fitted = a_coef * exposure[use]
    rmse = float(np.sqrt(np.mean((fitted - cas[use]) ** 2)))
    return _Point(u, fitted, cas[use], np.zeros(int(use.sum()), dtype=int), rmse, red)


def _trajectory_residual_rows(data: BattleData) -> tuple[BoolArray, BoolArray]:
    rows = []
    for side in ("blue", "red"):
        obs = data.observed.get(side, np.isfinite(data.strength(side))).copy()
        obs[0] = False
        rows.append(obs)
    return rows[0], rows[1]


def _fit_trajectory(frame: _Frame, data: BattleData, u0: FloatArray | None) -> _Point:
    from scipy.optimize import least_squares

    law = frame.law
    k = len(law.param_names)
    rb, rr = _trajectory_residual_rows(data)
    for side, rows in (("Blue", rb), ("Red", rr)):
        _too_few(data, law, "trajectory least squares", int(rows.sum()), 1,
                 f"observed strengths of {side} after the first row")
    _too_few(data, law, "trajectory least squares", int(rb.sum() + rr.sum()),
             k + MIN_EXTRA_POINTS, "observed strengths after the first row", total=True)
    sb, sr = max(data.blue[0], 1.0), max(data.red[0], 1.0)
    obs = np.concatenate([data.blue[rb] / sb, data.red[rr] / sr])

    def model(us: FloatArray) -> FloatArray:
        b, r, _, _ = _integrate(frame, us, data)
        return np.concatenate([b[:, rb] / sb, r[:, rr] / sr], axis=1)

    def fun(x: FloatArray) -> FloatArray:
        return np.asarray(model(x[None, :])[0] - obs, dtype=np.float64)

    def jac(x: FloatArray) -> FloatArray:
        step = 1e-6 * np.maximum(np.abs(x), 1.0)
        batch = np.vstack([x, x + np.diag(step)])
        vals = model(batch)
        return np.asarray((vals[1:] - vals[0]).T / step, dtype=np.float64)

    if u0 is None:
        try:
            u0 = _fit_loglinear(frame, data).u
        except DataError:
            u0 = _ratio_start(frame, data)
    sol = least_squares(fun, u0, jac=jac, method="lm", xtol=1e-10, ftol=1e-10)
    fitted = obs + sol.fun
    scale = np.concatenate([np.full(int(rb.sum()), sb), np.full(int(rr.sum()), sr)])
    rmse = float(np.sqrt(np.mean((sol.fun * scale) ** 2)))
    groups = np.concatenate([np.zeros(int(rb.sum()), int), np.ones(int(rr.sum()), int)])
    return _Point(np.asarray(sol.x, dtype=np.float64), fitted, obs, groups, rmse)


def _ratio_start(frame: _Frame, data: BattleData) -> FloatArray:
    """Start from total losses over summed exposure (p = 1, q = 0 for the power law)."""
    law = frame.law
    u = np.zeros(len(law.param_names))
    if law.free_exponents:
        u[2] = 1.0
    lb, lr = frame.rates(u, data.blue, data.red)
    for i, side in enumerate(("blue", "red")):
        cas = data.casualties(side)
        expo = (lb if i == 0 else lr) * data.days
        use = np.isfinite(cas) & np.isfinite(expo)
        total, exposure = float(np.sum(cas[use])), float(np.sum(expo[use]))
        u[i] = math.log(total / exposure) if total > 0 and exposure > 0 else 0.0
    return u


#: Levenberg–Marquardt settings of the vectorised bootstrap refits.
_LM_MAX_ITER = 50
_LM_LAMBDA0 = 1e-3
_LM_FACTOR = 4.0
_LM_RTOL = 1e-10
_LM_FD_STEP = 1e-6


def _refit_trajectories(frame: _Frame, data: BattleData, u0: FloatArray, b: FloatArray,
                        r: FloatArray) -> FloatArray:
    """Trajectory least squares on many synthetic series at once.

    A Levenberg–Marquardt iteration vectorised over the replicates (the same objective as
    :func:`_fit_trajectory`, started from the original fit). Returns internal parameters of
    shape ``(m, k)``, NaN rows where the iteration did not converge.
    """
    rb, rr = _trajectory_residual_rows(data)
    sb, sr = max(data.blue[0], 1.0), max(data.red[0], 1.0)
    obs = np.concatenate([b[:, rb] / sb, r[:, rr] / sr], axis=1)
    m, k = obs.shape[0], u0.size

    def model(us: FloatArray) -> FloatArray:
        bb, rr_, _, _ = _integrate(frame, us, data)
        return np.concatenate([bb[:, rb] / sb, rr_[:, rr] / sr], axis=1)

    u = np.repeat(u0[None, :], m, axis=0)
    res = model(u) - obs
    cost = np.sum(res ** 2, axis=1)
    lam = np.full(m, _LM_LAMBDA0)
    done = np.zeros(m, dtype=bool)
    eye = np.eye(k)
    for _ in range(_LM_MAX_ITER):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        ua = u[act]
        step = _LM_FD_STEP * np.maximum(np.abs(ua), 1.0)  # (a, k)
        shifted = ua[:, None, :] + step[:, :, None] * eye  # (a, k, k)
        vals = model(shifted.reshape(-1, k)).reshape(act.size, k, -1)
        jac = (vals - (res[act] + obs[act])[:, None, :]) / step[:, :, None]  # (a, k, N)
        jtj = jac @ jac.transpose(0, 2, 1)
        grad = jac @ res[act][:, :, None]
        diag = np.einsum("aii->ai", jtj)
        system = jtj + (lam[act][:, None] * np.maximum(diag, _TINY))[:, :, None] * eye
        try:
            delta = -np.linalg.solve(system, grad)[:, :, 0]
        except np.linalg.LinAlgError:
            delta = np.zeros_like(ua)
        trial = ua + delta
        new_res = model(trial) - obs[act]
        new_cost = np.sum(new_res ** 2, axis=1)
        better = np.isfinite(new_cost) & (new_cost < cost[act])
        gain = np.where(better, (cost[act] - new_cost) / np.maximum(cost[act], _TINY), 0.0)
        idx = act[better]
        u[idx], res[idx], cost[idx] = trial[better], new_res[better], new_cost[better]
        lam[act] = np.where(better, lam[act] / _LM_FACTOR, lam[act] * _LM_FACTOR)
        small = np.max(np.abs(delta), axis=1) < _LM_RTOL * (1.0 + np.max(np.abs(ua), axis=1))
        done[act] = (better & (gain < _LM_RTOL)) | small | (lam[act] > 1.0 / _LM_RTOL)
    u[~np.isfinite(cost)] = np.nan
    return u


# --------------------------------------------------------------------------- the estimator
class LanchesterFit(Estimator):
    """Fit an attrition law to a two-sided battle series, with bootstrap intervals.

    Parameters
    ----------
    law : {"square", "linear", "logarithmic", "mixed", "power"}
        The attrition law (see :data:`LAWS`).
    method : {"engel", "loglinear", "trajectory"}
        The fitting method (see the module docstring).
    n_boot : int
        Bootstrap replicates (0: no intervals).
    level : float
        Confidence level of the percentile intervals.
    block : int
        Length in days of the blocks of residual ratios resampled together (1: independent
        days; larger blocks keep serial correlation of the noise).
    seed : int, SeedSequence or None
        Seed of the bootstrap.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted coefficients ``a``, ``b`` (and ``p``, ``q`` for the power law); rates per day.
    interval_ : dict of str to tuple of float
        Percentile bootstrap interval of each coefficient at ``level``.
    bootstrap_ : FloatArray
        Bootstrap replicates of the coefficients, shape ``(n_ok, k)``.
    n_boot_failed_ : int
        Replicates on which the method failed (left out of the intervals).
    r2_, rmse_, aic_ : float
        Goodness of fit (see ``docs/validation.md`` for the scale of each method).
    n_obs_ : int
        Observations the fit used.
    residuals_ : FloatArray
        Observed minus fitted values on the fitted scale.
    data_ : BattleData
        The series that was fitted.

    Examples
    --------
    >>> from detente.analysis import LanchesterFit, read_battle_csv
    >>> fit = LanchesterFit("square", method="loglinear", seed=0)  # doctest: +SKIP
    >>> fit.fit(read_battle_csv("iwo-jima.csv")).params_  # doctest: +SKIP
    {'a': 0.0106, 'b': 0.0544}
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "data_", "params_", "residuals_", "n_obs_", "r2_", "rmse_", "aic_", "bootstrap_",
        "n_boot_failed_", "interval_")

    def __init__(
        self,
        law: LawName | str = "square",
        *,
        method: MethodName | str = "loglinear",
        n_boot: int = DEFAULT_N_BOOT,
        level: float = DEFAULT_LEVEL,
        block: int = 1,
        seed: SeedLike = None,
    ) -> None:
        self.law = law
        self.method = method
        self.n_boot = n_boot
        self.level = level
        self.block = block
        self.seed = seed

    # ------------------------------------------------------------------ fitting
    def _check(self) -> Law:
        law = get_law(str(self.law))
        _check_method(str(self.method))
        if self.n_boot < 0:
            raise InputError(f"n_boot must be >= 0, found {self.n_boot}")
        if not 0 < self.level < 1:
            raise InputError(f"level must lie strictly between 0 and 1, found {self.level}")
        if self.block < 1:
            raise InputError(f"block must be >= 1 day, found {self.block}")
        return law

    def _point(self, frame: _Frame, data: BattleData, u0: FloatArray | None = None) -> _Point:
        if self.method == "engel":
            return _fit_engel(frame, data)
        if self.method == "loglinear":
            return _fit_loglinear(frame, data)
        return _fit_trajectory(frame, data, u0)

    def fit(self, data: BattleData | pd.DataFrame) -> Self:
        """Fit the law to ``data``.

        Parameters
        ----------
        data : BattleData or pandas.DataFrame
            The series; a DataFrame needs the default columns of
            :func:`detente.analysis.read_battle_csv` (``date`` optional: rows one day
            apart).

        Returns
        -------
        LanchesterFit
            ``self``, fitted.
        """
        law = self._check()
        if not isinstance(data, BattleData):
            data = _from_frame(data)
        frame = _Frame.of(law, data)
        point = self._point(frame, data)
        self._frame = frame
        self._fit_point = point
        self.data_ = data
        theta = frame.natural(point.u)
        self.params_ = {k: float(v) for k, v in zip(law.param_names, theta, strict=True)}
        self.residuals_ = point.observed - point.fitted
        self.n_obs_ = int(point.observed.size)
        self.r2_ = _r2(point)
        self.rmse_ = point.rmse
        self.aic_ = _aic(point, len(law.param_names))
        self._bootstrap(law, frame, data, point)
        return self

    def _bootstrap(self, law: Law, frame: _Frame, data: BattleData, point: _Point) -> None:
        k = len(law.param_names)
        self.bootstrap_ = np.empty((0, k))
        self.n_boot_failed_ = 0
        self.interval_ = dict.fromkeys(law.param_names, (math.nan, math.nan))
        if self.n_boot == 0:
            return
        rng = np.random.default_rng(self.seed)
        ratios = self._ratios(frame, data, point, rng)
        b, r, cb, cr = _integrate(frame, np.repeat(point.u[None, :], self.n_boot, 0), data,
                                  ratios)
        if self.method == "trajectory":
            us = _refit_trajectories(frame, data, point.u, b, r)
        else:
            us = self._refit_each(frame, data, point, (b, r, cb, cr))
        ok = np.all(np.isfinite(us), axis=1)
        self.n_boot_failed_ = int(np.sum(~ok))
        if self.n_boot_failed_ > MAX_FAILED_SHARE * self.n_boot:
            raise DataError(
                f"{data.name}: the {self.method} fit failed on {self.n_boot_failed_} of "
                f"{self.n_boot} bootstrap replicates; the series is too short or too noisy "
                "for confidence intervals (use n_boot=0 for point estimates only)"
            )
        self.bootstrap_ = frame.natural(us[ok])
        tail = (1.0 - self.level) / 2.0
        lo, hi = np.quantile(self.bootstrap_, [tail, 1.0 - tail], axis=0)
        self.interval_ = {n: (float(lo[j]), float(hi[j]))
                          for j, n in enumerate(law.param_names)}

    def _refit_each(self, frame: _Frame, data: BattleData, point: _Point,
                    paths: tuple[FloatArray, FloatArray, FloatArray, FloatArray]
                    ) -> FloatArray:
        """Apply the method to each synthetic series; NaN rows where it fails."""
        b, r, cb, cr = paths
        observed = {key: data.observed.get(key, np.isfinite(getattr(data, key)))
                    for key in ("blue", "red", "blue_casualties", "red_casualties")}
        us = np.full((self.n_boot, point.u.size), np.nan)
        for i in range(self.n_boot):
            synth = data.masked(observed, {"blue": b[i], "red": r[i],
                                           "blue_casualties": cb[i], "red_casualties": cr[i]})
            try:
                us[i] = self._point(frame, synth, point.u).u
            except (DataError, ValueError, np.linalg.LinAlgError):
                continue
        return us

    def _ratios(self, frame: _Frame, data: BattleData, point: _Point,
                rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
        """Resampled ratios of observed to predicted daily losses, shape (n_boot, n) each."""
        red = point.red_path if point.red_path is not None else data.red
        red_full = np.full(data.n, np.nan)
        red_full[: red.size] = red[: data.n]
        lb, lr = frame.rates(point.u, data.blue, red_full)
        pools = []
        for pred, side in ((lb, "blue"), (lr, "red")):
            pred = pred * data.days
            cas = data.casualties(side)
            ok = np.isfinite(cas) & np.isfinite(pred) & (pred > 0)
            if self.method == "engel" and side == "red":
                ok[:] = False  # Red's daily losses are not used by Engel's method
            rho = np.full(data.n, np.nan)
            rho[ok] = np.maximum(cas[ok] / pred[ok], 0.0)
            if ok.any() and np.nanmean(rho) > 0:
                rho /= np.nanmean(rho)
            pools.append(rho)
        both = np.flatnonzero(np.isfinite(pools[0]) & np.isfinite(pools[1]))
        if both.size:  # draw the same days for both sides: keeps their correlation
            idx = self._block_indices(both, data.n, rng)
            return pools[0][idx], pools[1][idx]
        out = []
        for j in (0, 1):
            own, src = np.flatnonzero(np.isfinite(pools[j])), pools[j]
            if own.size == 0:  # no ratios for this side (Engel's Red): borrow the other's
                own, src = np.flatnonzero(np.isfinite(pools[1 - j])), pools[1 - j]
            if own.size == 0:
                raise DataError(f"{data.name}: no day has both observed and predicted "
                                "losses; cannot bootstrap (use n_boot=0)")
            out.append(src[self._block_indices(own, data.n, rng)])
        return out[0], out[1]

    def _block_indices(self, pool: np.ndarray, n: int, rng: np.random.Generator
                       ) -> np.ndarray:
        """Moving-block resample of ``pool`` (row indices): shape ``(n_boot, n)``."""
        length = min(self.block, pool.size)
        n_blocks = -(-n // length)
        starts = rng.integers(0, pool.size - length + 1, size=(self.n_boot, n_blocks))
        pos = (starts[:, :, None] + np.arange(length)).reshape(self.n_boot, -1)[:, :n]
        return np.asarray(pool[pos])

    # ------------------------------------------------------------------ results
    def predict(self, kind: Literal["trajectory", "casualties"] = "trajectory"
                ) -> pd.DataFrame:
        """Return the fitted curves, one row per date of the data.

        Parameters
        ----------
        kind : {"trajectory", "casualties"}
            ``"trajectory"``: strengths and losses integrated from the initial strengths
            with the fitted law; ``"casualties"``: each day's predicted losses given that
            day's observed (or, for Engel's method, reconstructed) strengths.

        Returns
        -------
        pandas.DataFrame
            Index ``date``; columns ``blue``, ``red``, ``blue_casualties``,
            ``red_casualties``.
        """
        import pandas as pd

        self.check_is_fitted("calling predict()")
        data, frame, u = self.data_, self._frame, self._fit_point.u
        if kind == "trajectory":
            b, r, cb, cr = (x[0] for x in _integrate(frame, u[None, :], data))
        elif kind == "casualties":
            b = data.blue
            r = data.red.copy()
            if self._fit_point.red_path is not None:
                path = self._fit_point.red_path
                r[: path.size] = path[: data.n]
            lb, lr = frame.rates(u, b, r)
            cb, cr = lb * data.days, lr * data.days
        else:
            raise InputError(f"kind must be 'trajectory' or 'casualties', found {kind!r}")
        return pd.DataFrame({"blue": b, "red": r, "blue_casualties": cb,
                             "red_casualties": cr},
                            index=pd.DatetimeIndex(data.dates, name="date"))

    def to_dict(self) -> dict[str, Any]:
        """Return the fit as JSON-ready data: law, method, params, interval, r2, rmse, aic."""
        self.check_is_fitted("calling to_dict()")
        return {
            "law": str(self.law),
            "method": str(self.method),
            "params": dict(self.params_),
            "interval": {k: [_json_float(v[0]), _json_float(v[1])]
                         for k, v in self.interval_.items()},
            "r2": _json_float(self.r2_),
            "rmse": _json_float(self.rmse_),
            "aic": _json_float(self.aic_),
        }


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _r2(point: _Point) -> float:
    """Pooled R² with each side's own mean: 1 - RSS / sum of per-side total sums of squares."""
    rss = float(np.sum((point.observed - point.fitted) ** 2))
    tss = 0.0
    for g in np.unique(point.groups):
        y = point.observed[point.groups == g]
        tss += float(np.sum((y - y.mean()) ** 2))
    return 1.0 - rss / tss if tss > 0 else math.nan


def _aic(point: _Point, k: int) -> float:
    """Gaussian AIC on the fitted scale; the residual variance counts as a parameter."""
    n = point.observed.size
    rss = float(np.sum((point.observed - point.fitted) ** 2))
    if rss <= 0:
        return -math.inf
    return n * (math.log(2.0 * math.pi * rss / n) + 1.0) + 2.0 * (k + 1)


def _from_frame(df: pd.DataFrame) -> BattleData:
    import datetime as dt

    cols = set(df.columns)
    missing = [c for c in ("blue", "red") if c not in cols]
    if missing:
        raise DataError(f"<DataFrame>: missing column(s) {', '.join(missing)}; found "
                        f"{', '.join(map(str, df.columns))}")

    def col(name: str) -> FloatArray | None:
        return df[name].to_numpy(dtype=np.float64) if name in cols else None

    if "date" in cols:
        dates = np.asarray(df["date"].to_numpy(), dtype="datetime64[D]")
        if np.any(np.diff(dates) <= np.timedelta64(0, "D")):
            raise DataError("<DataFrame>: dates must increase strictly")
        gaps = np.diff(dates).astype(np.float64)
        days = np.concatenate([gaps, gaps[-1:] if gaps.size else [1.0]])
        start = dt.date.fromisoformat(str(dates[0]))
    else:
        days = np.ones(len(df))
        start = dt.date(2000, 1, 1)
    return BattleData.from_arrays(
        days, blue=df["blue"].to_numpy(dtype=np.float64),
        red=df["red"].to_numpy(dtype=np.float64),
        blue_casualties=col("blue_casualties"), red_casualties=col("red_casualties"),
        blue_reinforcements=col("blue_reinforcements"),
        red_reinforcements=col("red_reinforcements"), start=start, name="<DataFrame>")


# --------------------------------------------------------------------------- comparing laws
class LawComparison(Estimator):
    """Fit several laws by one method and rank them by AIC.

    Parameters
    ----------
    laws : sequence of str, optional
        Laws to compare (default: all of :data:`LAWS`; only ``square`` for Engel's method).
    method, n_boot, level, block, seed
        As for :class:`LanchesterFit`; every law uses the same seed.

    Attributes
    ----------
    fits_ : dict of str to LanchesterFit
        The fitted laws.
    table_ : pandas.DataFrame
        One row per law: ``law, k, r2, rmse, aic, delta_aic, weight`` (Akaike weight),
        sorted by AIC.
    best_ : str
        The law with the lowest AIC.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = ("fits_", "table_", "best_")

    def __init__(
        self,
        laws: Sequence[str] | None = None,
        *,
        method: MethodName | str = "loglinear",
        n_boot: int = DEFAULT_N_BOOT,
        level: float = DEFAULT_LEVEL,
        block: int = 1,
        seed: SeedLike = None,
    ) -> None:
        self.laws = laws
        self.method = method
        self.n_boot = n_boot
        self.level = level
        self.block = block
        self.seed = seed

    def fit(self, data: BattleData | pd.DataFrame) -> Self:
        """Fit every law to ``data``; returns ``self``."""
        import pandas as pd

        _check_method(str(self.method))
        if self.laws is None:
            laws = ["square"] if self.method == "engel" else list(LAWS)
        else:
            laws = list(self.laws)
        fits = {}
        for name in laws:
            fits[name] = LanchesterFit(name, method=self.method, n_boot=self.n_boot,
                                       level=self.level, block=self.block,
                                       seed=self.seed).fit(data)
        rows = [{"law": n, "k": len(LAWS[n].param_names), "r2": f.r2_, "rmse": f.rmse_,
                 "aic": f.aic_} for n, f in fits.items()]
        table = pd.DataFrame(rows).sort_values("aic", kind="stable").reset_index(drop=True)
        table["delta_aic"] = table["aic"] - table["aic"].min()
        w = np.exp(-0.5 * table["delta_aic"].to_numpy(dtype=np.float64))
        table["weight"] = w / w.sum()
        self.fits_ = fits
        self.table_ = table
        self.best_ = str(table["law"].iloc[0])
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"method", "best", "laws": {law: fit json + delta_aic, weight}}``."""
        self.check_is_fitted("calling to_dict()")
        laws: dict[str, Any] = {}
        for row in self.table_.itertuples(index=False):
            entry = self.fits_[str(row.law)].to_dict()
            entry["delta_aic"] = _json_float(float(row.delta_aic))
            entry["weight"] = _json_float(float(row.weight))
            laws[str(row.law)] = entry
        return {"method": str(self.method), "best": self.best_, "laws": laws}


def simulate_battle(
    law: LawName | str,
    params: dict[str, float],
    *,
    blue0: float,
    red0: float,
    n_days: int,
    noise: float = 0.0,
    blue_reinforcements: float | FloatArray = 0.0,
    red_reinforcements: float | FloatArray = 0.0,
    seed: SeedLike = None,
) -> BattleData:
    """Synthetic battle series from a law, with multiplicative log-normal noise.

    Each day's losses are the law's rate times ``exp(noise * z - noise**2 / 2)``, ``z``
    standard normal (mean one), so every method's coefficients estimate ``params``.

    Parameters
    ----------
    law : str
        Law name.
    params : dict
        Coefficients ``a``, ``b`` (and ``p``, ``q`` for the power law), per day.
    blue0, red0 : float
        Initial strengths.
    n_days : int
        Rows (days) in the series.
    noise : float
        Standard deviation of the log noise on daily losses.
    blue_reinforcements, red_reinforcements : float or array
        Daily additions.
    seed : int, SeedSequence or None
        Seed of the noise.

    Returns
    -------
    BattleData
        Strengths and casualties of both sides on every day.
    """
    lw = get_law(str(law))
    theta = np.array([params[k] for k in lw.param_names], dtype=np.float64)
    days = np.ones(n_days)
    rb = np.broadcast_to(np.asarray(blue_reinforcements, dtype=np.float64), (n_days,))
    rr = np.broadcast_to(np.asarray(red_reinforcements, dtype=np.float64), (n_days,))
    base = BattleData.from_arrays(days, blue=[blue0] + [math.nan] * (n_days - 1),
                                  red=[red0] + [math.nan] * (n_days - 1),
                                  blue_reinforcements=rb, red_reinforcements=rr,
                                  name="<simulated>")
    frame = _Frame(lw, 1.0, 1.0)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((2, 1, n_days))
    mult = np.exp(noise * z - noise ** 2 / 2.0)
    b, r, cb, cr = _integrate(frame, frame.internal(theta)[None, :], base, (mult[0], mult[1]))
    return BattleData.from_arrays(days, blue=b[0], red=r[0], blue_casualties=cb[0],
                                  red_casualties=cr[0], blue_reinforcements=rb,
                                  red_reinforcements=rr, name="<simulated>")

