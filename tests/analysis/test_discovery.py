"""PRIM: a planted box is found; results and expressions as input; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detente.analysis.discovery import Prim, describe_box, format_value
from detente.errors import InputError

pytest.importorskip("ema_workbench")


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)
    n = 4000
    x = pd.DataFrame(rng.random((n, 4)), columns=["a", "b", "c", "d"])
    inside = (x["a"] > 0.7) & (x["b"] < 0.4)
    noise = rng.random(n) < 0.05
    y = np.where(noise, ~inside, inside)
    box = Prim(threshold=0.9).fit(x, y)
    assert box.found_
    assert set(box.box_.index) == {"a", "b"}
    assert box.box_.loc["a", "low"] == pytest.approx(0.7, abs=0.05)
    assert box.box_.loc["b", "high"] == pytest.approx(0.4, abs=0.05)
    assert box.density_ >= 0.9
    assert box.coverage_ > 0.5
    assert box.description_.startswith("a > 0.")
    assert " and b < 0." in box.description_


def test_prim_on_results_with_an_expression():
    import detente as dt

    res = dt.simulate("lanchester-bench", n_samples=600, seed=0, horizon=26)
    box = Prim(threshold=0.8, max_dims=2).fit(res, "blue.personnel < red.personnel")
    assert box.n_cases_ == int((res["blue.personnel"].values[0, :, -1]
                                < res["red.personnel"].values[0, :, -1]).sum())
    sc = res.scenario
    assert set(box.x_.columns) <= set(sc.uncertain)
    assert {"blue.effectiveness", "red.effectiveness"} <= set(box.x_.columns)
    if box.found_:
        assert len(box.box_) <= 2
        for p in box.box_.index:
            assert box.box_.loc[p, "unit"] == sc.table[p].unit
    # results opened from a file: the parameters they mark uncertain, with their units
    res.scenario = None
    again = Prim(threshold=0.8, max_dims=2).fit(res, "blue.personnel < red.personnel")
    assert set(again.x_.columns) == set(box.x_.columns)
    assert again.n_cases_ == box.n_cases_
    for p in again.box_.index:
        assert again.box_.loc[p, "unit"] == res.ds[f"param_{p}"].attrs["units"]


def test_prim_bad_input():
    with pytest.raises(InputError, match="boolean array"):
        Prim().fit(pd.DataFrame({"a": [1.0, 2.0]}), "a > 1")
    with pytest.raises(InputError, match="shape"):
        Prim().fit(pd.DataFrame({"a": [1.0, 2.0]}), np.array([True]))


def test_describe_box_words():
    box = pd.DataFrame({"low": [2.1e6, 0.0], "high": [9e6, 0.5], "unit": ["rounds/year", ""],
                        "low_restricted": [True, False], "high_restricted": [False, True]},
                       index=pd.Index(["blue.shell_production", "ally.aid_continuing"],
                                      name="parameter"))
    assert describe_box(box) == ("blue.shell_production > 2.1e6 rounds/year and "
                                 "ally.aid_continuing < 0.5")
    assert format_value(0.000123) == "0.000123"


# --------------------------------------------------------------------------- EMA's reading
def _planted(n: int = 3000, dims: int = 10, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Cases inside a > 0.7 and b < 0.4 (5 % label noise), among ``dims`` uniform inputs."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, dims)), columns=[f"x{j}" for j in range(dims)])
    x = x.rename(columns={"x0": "a", "x1": "b"})
    inside = ((x["a"] > 0.7) & (x["b"] < 0.4)).to_numpy()
    noise = rng.random(n) < 0.05
    return x, np.where(noise, ~inside, inside)


def test_a_box_of_few_dimensions_is_recovered_among_many_with_its_statistics():
    x, y = _planted(n=2000, dims=12)
    box = Prim(threshold=0.85, max_dims=2, candidates=4, resamples=5, seed=0).fit(x, y)
    assert box.found_
    assert set(box.box_.index) == {"a", "b"}
    assert box.box_.loc["a", "low"] == pytest.approx(0.7, abs=0.05)
    assert box.box_.loc["b", "high"] == pytest.approx(0.4, abs=0.05)
    # the candidates come from the feature scores, which rank the two drivers first
    assert set(box.scores_.index[:2]) == {"a", "b"}
    assert len(box.candidates_) == 4
    # every restriction is significant and recurs in the reruns on random halves
    assert box.box_.loc["a", "qp_low"] < 0.001
    assert box.box_.loc["b", "qp_high"] < 0.001
    assert np.isnan(box.box_.loc["a", "qp_high"])
    assert (box.box_["reproduced"] >= 0.8).all()
    assert set(box.stability_.index[:2]) == {"a", "b"}


def test_the_chosen_box_is_the_widest_eligible_one_on_the_trajectory():
    x, y = _planted(n=1500, dims=4, seed=1)
    box = Prim(threshold=0.8, max_dims=2).fit(x, y)
    traj = box.trajectory_
    assert {"coverage", "density", "mass", "res_dim", "max_qp", "eligible"} <= set(traj)
    assert traj["res_dim"].max() <= 2
    rule = (traj["density"] >= 0.8) & (traj["res_dim"] <= 2) & (traj["res_dim"] >= 1)
    eligible = traj[rule]
    assert traj["eligible"].equals(rule)
    assert box.chosen_ in eligible.index
    assert box.coverage_ == pytest.approx(eligible["coverage"].max())
    assert box.density_ == pytest.approx(traj.loc[box.chosen_, "density"])
    assert box.reason_ == ""


def test_no_box_in_noise_and_the_reason_says_how_close_it_came():
    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.random((2000, 4)), columns=list("abcd"))
    y = rng.random(2000) < 0.3
    box = Prim(threshold=0.8, max_dims=2).fit(x, y)
    assert not box.found_
    assert box.box_.empty
    assert box.chosen_ is None
    assert not box.trajectory_.empty
    densest = box.trajectory_["density"].max()
    assert f"the densest reaches {densest:.0%}" in box.reason_
    assert "no box of at most 2 parameters reaches density 80%" in box.reason_


def test_too_few_cases_or_all_cases_say_why():
    x = pd.DataFrame({"a": np.linspace(0, 1, 100)})
    few = Prim().fit(x, np.arange(100) < 3)
    assert not few.found_
    assert "fewer than the 5 PRIM needs" in few.reason_
    everywhere = Prim().fit(x, np.ones(100, dtype=bool))
    assert "every one of the 100 samples" in everywhere.reason_
    common = Prim(threshold=0.5).fit(x, np.arange(100) < 60)
    assert not common.found_
    assert "holds in 60% of all samples, already at least the density asked" in common.reason_


def test_resampling_is_reproducible_from_its_seed():
    x, y = _planted(n=1000, dims=3, seed=3)
    a = Prim(threshold=0.8, max_dims=2, resamples=3, seed=7).fit(x, y).stability_
    b = Prim(threshold=0.8, max_dims=2, resamples=3, seed=7).fit(x, y).stability_
    pd.testing.assert_frame_equal(a, b)


def test_screening_drops_what_cannot_matter_under_the_policy():
    from detente.analysis.discovery import screen_parameters

    names = ["nato.deploy_time", "nato.escalation_rate", "nato.troops_personnel",
             "russia.pool0", "ukraine.recruit_rate", "russia.output_gap0"]
    nato = {"nato.deploy_time", "nato.escalation_rate", "nato.troops_personnel"}
    kw = {"horizon": 52, "parameters": names}
    # without NATO troops, their parameters leave Ukraine's personnel untouched
    quo = screen_parameters("ukraine-2023", "ukraine.personnel < 400000",
                            policy="status_quo", **kw)
    assert nato <= set(quo.dropped)
    assert {"russia.pool0", "ukraine.recruit_rate"} <= set(quo.kept)
    assert quo.runs == 16 * (len(names) + 1)
    troops = screen_parameters("ukraine-2023", "ukraine.personnel < 400000",
                               policy="nato_troops", **kw)
    assert nato <= set(troops.kept)
    # a parameter the condition names is kept whatever the runs say
    named = screen_parameters("ukraine-2023", "russia.output_gap0 > 0.01", **kw)
    assert "russia.output_gap0" in named.kept


def test_prim_configuration_is_checked():
    x, y = _planted(n=200, dims=2)
    with pytest.raises(InputError, match="threshold must be a density"):
        Prim(threshold=1.5).fit(x, y)
    with pytest.raises(InputError, match="max_dims must be at least 1"):
        Prim(max_dims=0).fit(x, y)
    with pytest.raises(InputError, match="resample_share must lie in"):
        Prim(resample_share=1.0).fit(x, y)
