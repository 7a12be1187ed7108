"""Sobol and Morris: known answers (Ishigami), scenarios, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.sensitivity import FunctionModel, Morris, Sobol
from detente.errors import InputError, NotFittedError

pytest.importorskip("SALib")

PI = np.pi
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}


def _ishigami(x):
    return np.sin(x["x1"]) + 7 * np.sin(x["x2"]) ** 2 + 0.1 * x["x3"] ** 4 * np.sin(x["x1"])


ISHIGAMI = FunctionModel(_ishigami, bounds=dict.fromkeys(("x1", "x2", "x3"), (-PI, PI)))


def test_sobol_reproduces_ishigami_reference_indices():
    si = Sobol(n_base=4096, seed=0).fit(ISHIGAMI)
    for name, st in ISHIGAMI_ST.items():
        assert si.indices_.loc[name, "ST"] == pytest.approx(st, abs=0.03)
        assert si.indices_.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=0.04)
    assert si.ranking_ == ["x1", "x2", "x3"]
    assert si.y_.size == 4096 * 5


@pytest.mark.parametrize("seed", [0, 5])
def test_same_seed_same_indices_and_intervals(seed: int):
    # seed 0 included: SALib's Sobol analysis reads an int 0 as "no seed"
    a = Sobol(n_base=64, seed=seed).fit(ISHIGAMI).indices_
    b = Sobol(n_base=64, seed=seed).fit(ISHIGAMI).indices_
    assert a.equals(b)
    c = Sobol(n_base=64, seed=seed + 1).fit(ISHIGAMI).indices_
    assert not a["S1_conf"].equals(c["S1_conf"])


def test_morris_screens_ishigami():
    mo = Morris(n_trajectories=50, seed=0).fit(ISHIGAMI)
    assert set(mo.indices_.columns) == {"mu", "mu_star", "sigma", "mu_star_conf"}
    assert (mo.indices_["mu_star"] > 0).all()
    # x3 acts only through its interaction with x1: large sigma relative to mu
    assert mo.indices_.loc["x3", "sigma"] > abs(mo.indices_.loc["x3", "mu"])


def test_sobol_on_a_scenario_output_expression():
    params = ["blue.reinforcement", "red.reinforcement", "blue.effectiveness"]
    si = Sobol(n_base=16, seed=1, parameters=params).fit(
        "lanchester-bench", "blue.personnel / red.personnel", at="end", horizon=20)
    assert list(si.indices_.index) == params
    assert si.y_.size == 16 * (len(params) + 2)
    assert si.results_ is not None
    assert np.isfinite(si.indices_["ST"]).all()


def test_sobol_design_shares_noise_within_a_group():
    # one parameter that does not matter: every run of a group gives the same output, so
    # its total index is exactly 0 even though the model draws shocks
    si = Sobol(n_base=8, seed=2, parameters=["blue.fire_rate"]).fit(
        "lanchester-bench", "blue.personnel", at="end", horizon=5)
    assert si.constant_ or si.indices_.loc["blue.fire_rate", "ST"] >= 0


def test_bad_input_is_explained():
    with pytest.raises(InputError, match="power of two"):
        Sobol(n_base=100).fit(ISHIGAMI)
    with pytest.raises(InputError, match=r"did you mean 'blue\.reinforcement'"):
        Sobol(n_base=8, parameters=["blue.reinforcment"]).fit("lanchester-bench", "blue.personnel")
    with pytest.raises(InputError, match="unknown name"):
        Sobol(n_base=8).fit("lanchester-bench", "blue.personel", horizon=3)
    with pytest.raises(NotFittedError):
        _ = Morris().indices_
