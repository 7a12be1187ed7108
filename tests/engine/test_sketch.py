"""Streaming quantiles: the histogram sketch, its kernels (Numba and NumPy), its merge."""

from __future__ import annotations

import numpy as np
import pytest

from detente.engine import numba_available, simulate
from detente.engine.sketch import QuantileSketch, sketch_counts
from detente.scenario import load_scenario

requires_numba = pytest.mark.skipif(not numba_available(),
                                    reason="needs the [fast] extra (numba)")


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=requires_numba)])
def test_sketch_counts_and_quantiles(backend):
    rng = np.random.default_rng(3)
    x = rng.lognormal(2.0, 3.0, (7, 5000)) * rng.choice([-1.0, 1.0], (7, 5000))
    x[0, :50] = 0.0
    x[1, :3] = np.nan
    x[2] = 1e5 + rng.normal(0, 10, 5000)
    off_np, c_np = sketch_counts(x, "numpy")
    off, c = sketch_counts(x, backend)
    assert off == off_np
    np.testing.assert_array_equal(c, c_np)
    sk = QuantileSketch(1, 7)
    sk.add("v", 0, off, c)
    levels = [0.05, 0.5, 0.95]
    q = sk.quantiles("v", levels)[0]
    for i, lev in enumerate(levels):
        exact = np.array([np.sort(r[~np.isnan(r)])[round(lev * (np.sum(~np.isnan(r)) - 1))]
                          for r in x])
        np.testing.assert_allclose(q[i], exact, rtol=0.004, atol=1e-6)


def test_sketch_merge_does_not_depend_on_order():
    rng = np.random.default_rng(0)
    parts = [rng.normal(i, 1 + i, (4, 100)) for i in range(5)]
    a, b = QuantileSketch(1, 4), QuantileSketch(1, 4)
    for x in parts:
        a.add_values("v", 0, x, "numpy")
    for x in reversed(parts):
        b.add_values("v", 0, x, "numpy")
    assert a.offsets == b.offsets
    np.testing.assert_array_equal(a.counts["v"], b.counts["v"])
    c = QuantileSketch.from_arrays(a.to_arrays())
    np.testing.assert_array_equal(c.counts["v"], a.counts["v"])


def test_sketch_extremes_stay_compact():
    x = np.array([[0.0, 1e-300, 5.0, 1.8e308, np.inf, -np.inf, np.nan]])
    off, c = sketch_counts(x, "numpy")
    assert c.sum() == 6  # NaN not counted
    assert c.shape[1] < 2 * 128 * 61  # bounded whatever the magnitudes
    sk = QuantileSketch(1, 1)
    sk.add("v", 0, off, c)
    q = sk.quantiles("v", [0.0, 0.5, 1.0])[0, :, 0]
    assert q[0] == -np.inf
    assert q[2] == np.inf


def test_outcomes_and_quantiles_in_simulate(bench_dict, write_scenario):
    bench_dict["time"]["horizon_steps"] = 40
    sc = load_scenario(write_scenario(bench_dict))
    vars_ = ["blue.personnel", "red.shells", "blue.combat_power_ratio"]
    ds = simulate(sc, n_samples=1500, seed=2, record=vars_, outcomes=vars_,
                  quantiles=vars_, levels=[0.1, 0.5, 0.9])
    for v in vars_:
        np.testing.assert_array_equal(ds[f"final_{v}"].values, ds[v].values[:, :, -1])
        exact = np.quantile(ds[v].values, [0.1, 0.5, 0.9], axis=1, method="nearest")
        np.testing.assert_allclose(ds[f"q_{v}"].values[0], exact[:, 0], rtol=0.004)
    assert ds.ds.attrs["block_size"] == 1024
    small = simulate(sc, n_samples=100, seed=2, record=[], outcomes=["blue.personnel"])
    assert "blue.personnel" not in small
    assert small["final_blue.personnel"].shape == (1, 100)
