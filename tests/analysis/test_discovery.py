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
