"""The claims of a scenario judged on results already simulated."""

from __future__ import annotations

import numpy as np
import pytest

import detente as dt


def test_claims_on_given_results_explain_what_was_not_recorded(tmp_path):
    sc = dt.load("ukraine-2023")
    res = dt.simulate(sc, n_samples=64, seed=3, horizon=60)
    table = dt.Claims(hinges=()).fit(sc, results=res).table_
    assert list(table.index) == list(sc.claims)
    # a claim whose variable was not recorded says so rather than guessing
    untestable = table[table["verdict"] == "untestable"]
    assert len(untestable) >= 1
    pytest.importorskip("h5netcdf")
    # results read back from a file judge the same
    reopened = dt.open_results(res.to_netcdf(tmp_path / "r.nc", full_precision=True))
    again = dt.Claims(hinges=()).fit(sc, results=reopened).table_
    np.testing.assert_array_equal(again["probability"].to_numpy(),
                                  table["probability"].to_numpy())
