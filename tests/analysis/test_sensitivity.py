"""Sobol and Morris: known answers (Ishigami), scenarios, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

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


# --------------------------------------------------------------------------- self-checks
ONE_DRIVER = FunctionModel(lambda x: np.exp(x["a"]) + 0.0 * (x["b"] + x["c"]),
                           bounds=dict.fromkeys(("a", "b", "c"), (0.0, 1.0)))
TWIN_DRIVERS = FunctionModel(lambda x: x["a"] + x["b"] + 0.1 * x["c"],
                             bounds=dict.fromkeys(("a", "b", "c"), (0.0, 1.0)))


def test_an_output_of_one_parameter_ranks_it_first_with_total_index_near_one():
    si = Sobol(n_base=256, seed=3).fit(ONE_DRIVER)
    assert si.ranking_[0] == "a"
    assert si.indices_.loc["a", "ST"] == pytest.approx(1.0, abs=0.05)
    assert si.indices_.loc[["b", "c"], "ST"].abs().max() < 0.01
    # the top rank is resolved; b and c tie at zero, so rank 2 against rank 3 is not
    conv = si.convergence_
    assert conv.top[0] == "a"
    assert not conv.out_of_range
    assert [r for r, _, _ in conv.overlaps] == [2]
    assert "ranks 2 and 3" in conv.summary()


def test_tied_drivers_are_flagged_as_unresolved_at_any_size():
    for n in (64, 1024):
        conv = Sobol(n_base=n, seed=0).fit(TWIN_DRIVERS).convergence_
        assert set(conv.top[:2]) == {"a", "b"}
        assert (1, *conv.top[:2]) in conv.overlaps
        assert not conv.converged
        assert "not resolved" in conv.summary()


def test_an_index_outside_the_unit_interval_beyond_its_error_is_flagged():
    import pandas as pd

    from detente.analysis.sensitivity import sobol_convergence

    df = pd.DataFrame({"S1": [0.2, 0.1, 0.0], "S1_conf": [0.1, 0.1, 0.1],
                       "ST": [1.67, 0.5, 0.1], "ST_conf": [0.3, 0.1, 0.05]},
                      index=pd.Index(["x", "y", "z"], name="parameter"))
    conv = sobol_convergence(df, top_k=2, n_runs=100)
    assert conv.out_of_range == ("ST of x = 1.67 ± 0.3",)
    assert not conv.converged
    assert "outside [0, 1] beyond its error" in conv.summary()
    # within its error it is not flagged
    df.loc["x", "ST_conf"] = 0.8
    assert not sobol_convergence(df, top_k=2).out_of_range


def test_growing_meets_the_target_and_says_so():
    si = Sobol(n_base=32, seed=1, target_ci=0.05, max_base=4096).fit(TWIN_DRIVERS)
    assert si.stopped_ == "target"
    assert si.convergence_.widest <= 0.05
    bases = list(si.growth_["n_base"])
    assert bases == [32 * 2 ** i for i in range(len(bases))]
    assert bases[-1] == si.n_base_ > 32
    assert (si.growth_["widest"].iloc[:-1] > 0.05).all()
    # the grown design is the design of its final base, run by run
    direct = Sobol(n_base=si.n_base_, seed=1).fit(TWIN_DRIVERS)
    np.testing.assert_array_equal(direct.y_, si.y_)


def test_growing_stops_at_the_cap_and_says_so():
    si = Sobol(n_base=16, seed=1, target_ci=1e-6, max_base=64).fit(TWIN_DRIVERS)
    assert si.stopped_ == "cap"
    assert si.n_base_ == 64
    assert list(si.growth_["n_base"]) == [16, 32, 64]
    assert "above the target" in si.convergence_.summary()
    assert Sobol(n_base=16, seed=1).fit(TWIN_DRIVERS).stopped_ is None


def test_a_grown_scenario_design_reuses_its_runs_and_equals_the_direct_one():
    seen: list[tuple[int, int]] = []
    kw = {"at": "end", "horizon": 4}
    grown = Sobol(n_base=256, seed=4, target_ci=1e-9, max_base=512).fit(
        "lanchester-bench", "blue.personnel / red.personnel",
        progress=lambda d, t: seen.append((d, t)), **kw)
    direct = Sobol(n_base=512, seed=4).fit("lanchester-bench", "blue.personnel / red.personnel",
                                           **kw)
    group = len(grown.names_) + 2
    assert grown.n_base_ == 512
    np.testing.assert_array_equal(grown.y_, direct.y_)
    assert grown.results_ is not None
    assert grown.results_.ds.sizes["sample"] == 512 * group
    # the second step ran only the new half of the design
    totals = sorted({t for _, t in seen})
    assert totals == [256 * group]
    assert sum(1 for d, t in seen if d == t) == 2


def test_design_chunks_are_whole_powers_of_two_that_a_doubled_design_keeps():
    from detente.analysis.sensitivity import design_chunks

    small, large = design_chunks(64, 200), design_chunks(128, 200)
    size = small[0].end - small[0].first
    assert size & (size - 1) == 0
    assert large[:len(small)] == small
    assert sum(c.end - c.first for c in large) == 128


@given(hs.lists(hs.tuples(hs.floats(-1, 2), hs.floats(0, 1)), min_size=1, max_size=12))
def test_rank_ranges_hold_the_point_estimates_rank(pairs):
    from detente.analysis.sensitivity import rank_ranges

    v = np.array([p[0] for p in pairs])
    c = np.array([p[1] for p in pairs])
    best, worst = rank_ranges(v, c)
    order = np.argsort(-v, kind="stable")
    rank = np.empty(v.size)
    rank[order] = np.arange(1, v.size + 1)
    assert np.all(best <= worst)
    assert np.all((best <= rank) & (rank <= worst))
    # no error, no ties: every rank is exact
    if len(set(v)) == v.size:
        b0, w0 = rank_ranges(v, np.zeros_like(v))
        np.testing.assert_array_equal(b0, rank)
        np.testing.assert_array_equal(w0, rank)


def test_morris_reports_a_verdict_and_agreement_with_sobol():
    from detente.analysis.sensitivity import agreement

    mo = Morris(n_trajectories=40, seed=0).fit(ONE_DRIVER)
    si = Sobol(n_base=256, seed=0).fit(ONE_DRIVER)
    assert mo.convergence_.index == "mu_star"
    assert mo.convergence_.top[0] == "a"
    assert not mo.convergence_.out_of_range
    both = agreement({"Sobol": si.ranking_, "Morris": mo.ranking_}, k=1)
    assert both.same_order
    assert both.text == "Sobol and Morris agree on the top 1: a"
    apart = agreement({"Sobol": ["a", "b"], "Morris": ["c", "a"]}, k=2,
                      resolved={"Sobol": True, "Morris": False})
    assert not apart.same_set
    assert "disagree" in apart.text
    assert "both name a" in apart.text
    assert "Morris does not resolve its top ranks" in apart.text


def test_growth_settings_are_checked():
    with pytest.raises(InputError, match="target_ci must be a positive"):
        Sobol(n_base=8, target_ci=0.0).fit(ISHIGAMI)
    with pytest.raises(InputError, match="max_base must be a power of two"):
        Sobol(n_base=8, target_ci=0.1, max_base=100).fit(ISHIGAMI)
    with pytest.raises(InputError, match="top_k must be at least 1"):
        Morris(top_k=0).fit(ISHIGAMI)
