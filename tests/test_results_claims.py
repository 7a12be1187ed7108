"""Results.claims(): the claims of the scenario that produced the results, judged on them."""

from __future__ import annotations

import numpy as np
import pytest

import detente as dt


def test_results_claims_match_the_claims_estimator_and_explain_gaps(tmp_path):
    sc = dt.load("ukraine-2023")
    res = dt.simulate(sc, n_samples=64, seed=3, horizon=60)
    table = res.claims(hinges=())
    ref = dt.Claims(hinges=()).fit(sc, results=res).table_
    assert list(table.index) == list(sc.claims)
    np.testing.assert_array_equal(table["probability"].to_numpy(),
                                  ref["probability"].to_numpy())
    # a claim whose variable was not recorded says so rather than guessing
    untestable = table[table["verdict"] == "untestable"]
    assert len(untestable) >= 1
    pytest.importorskip("h5netcdf")
    reopened = dt.open_results(res.to_netcdf(tmp_path / "r.nc"))
    with pytest.raises(dt.InputError, match="carry no scenario"):
        reopened.claims()
