"""Analytic check: with everything but aimed fire switched off, the exchange is Lanchester's
square law, dB/dt = -a R, dR/dt = -b B.

Then b B^2 - a R^2 is conserved and B(t) = B0 cosh(sqrt(ab) t) - sqrt(a/b) R0 sinh(sqrt(ab) t).
Forward Euler conserves the invariant only to O(dt) over a fixed horizon, and its error
against the closed form shrinks in proportion to dt (first order).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

A, B_EFF = 0.004, 0.003  # per day: a = Russia's effectiveness, b = Ukraine's
B0, R0 = 500_000.0, 450_000.0
T = 60.0  # days; both forces stay well above zero


@pytest.fixture(scope="module")
def square_params(bench, canonical_params):
    p = canonical_params(bench, 1)
    p.update({
        "ua_effectiveness": np.array([B_EFF]), "ru_effectiveness": np.array([A]),
        "ua_personnel0": np.array([B0]), "ru_personnel0": np.array([R0]),
        "ua_reinforcement": np.array([0.0]), "ru_reinforcement": np.array([0.0]),
        # supply -> 1: no half-saturation, a stock that never runs down
        "ua_half_sat": np.array([0.0]), "ru_half_sat": np.array([0.0]),
        "ua_shells0": np.array([1e6]), "ru_shells0": np.array([1e6]),
        "ua_fire_rate": np.array([0.0]), "ru_fire_rate": np.array([0.0]),
        "mil_force_floor": np.array([0.0]),
    })
    return p


def _closed_form(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.sqrt(A * B_EFF)
    b = B0 * np.cosh(w * t) - np.sqrt(A / B_EFF) * R0 * np.sinh(w * t)
    r = R0 * np.cosh(w * t) - np.sqrt(B_EFF / A) * B0 * np.sinh(w * t)
    return b, r


def _run(p, drive, dt: float) -> tuple[np.ndarray, np.ndarray]:
    steps = round(T / dt)
    out = drive(["military"], p, 1, steps, dt)
    return out["ua_personnel"][:, 0], out["ru_personnel"][:, 0]


def test_supply_is_one(square_params, drive):
    out = drive(["military"], square_params, 1, 1, 1.0)
    # first step losses are exactly a R0 and b B0
    assert out["ua_personnel"][1, 0] == pytest.approx(B0 - A * R0, rel=1e-12)
    assert out["ru_personnel"][1, 0] == pytest.approx(R0 - B_EFF * B0, rel=1e-12)


def test_invariant_is_conserved_to_euler_error(square_params, drive):
    drifts = []
    for dt in (1.0, 0.5, 0.25):
        b, r = _run(square_params, drive, dt)
        inv = B_EFF * b**2 - A * r**2
        drifts.append(np.max(np.abs(inv - inv[0])) / (B_EFF * B0**2))
    assert drifts[0] < 1e-2
    # the drift halves with dt (O(dt) over a fixed horizon)
    for coarse, fine in itertools.pairwise(drifts):
        assert coarse / fine == pytest.approx(2.0, rel=0.1)


def test_converges_to_closed_form_first_order(square_params, drive):
    errs = []
    for dt in (2.0, 1.0, 0.5, 0.25):
        b, r = _run(square_params, drive, dt)
        t = np.arange(len(b)) * dt
        eb, er = _closed_form(t)
        errs.append(max(np.max(np.abs(b - eb)), np.max(np.abs(r - er))) / B0)
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(orders - 1.0) < 0.1), orders
    assert errs[-1] < 1e-3
