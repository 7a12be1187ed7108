"""The calibration distance: standardised misses, uncertain rows, ranges and bounds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from detente.analysis import Observations, read_observations
from detente.analysis.calibrate import distances, misses, weighted_quantile
from detente.errors import DataError

DAY = dt.date(2024, 3, 1)
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


def _obs(variables, values, **columns) -> Observations:
    return Observations.from_records(
        [(DAY + dt.timedelta(days=i), v, float(x)) for i, (v, x) in
         enumerate(zip(variables, values, strict=True))], name="obs.csv", **columns)


@st.composite
def ensembles(draw):
    n_obs = draw(st.integers(1, 5))
    n = draw(st.integers(3, 8))
    ens = draw(arrays(np.float64, (n_obs, n), elements=finite))
    values = draw(arrays(np.float64, (n_obs,), elements=finite))
    variables = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n_obs, max_size=n_obs))
    sd = draw(arrays(np.float64, (n_obs,), elements=st.floats(0.1, 100.0)))
    return ens, values, variables, sd


def _by_hand(ens, obs, weights):
    """sqrt(mean over variables of the w-weighted mean of (miss / s)**2)."""
    s = np.std(ens, axis=1)
    terms = []
    for var in obs.names:
        rows = np.array([v == var for v in obs.variables]) & (s > 0)
        if rows.any():
            e2 = ((ens[rows] - obs.values[rows, None]) / s[rows, None]) ** 2
            w = weights[rows]
            terms.append((w[:, None] * e2).sum(axis=0) / w.sum())
    return np.sqrt(np.mean(terms, axis=0))


@settings(max_examples=60, deadline=None)
@given(ensembles())
def test_rows_without_an_sd_count_by_their_error_in_prior_spreads(case):
    ens, values, variables, _ = case
    obs = _obs(variables, values)
    if not (np.std(ens, axis=1) > 0).any():
        return
    d, _err = distances(ens, obs)
    np.testing.assert_allclose(d, _by_hand(ens, obs, np.ones(len(obs))), rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(ensembles())
def test_a_row_with_an_sd_counts_by_its_share_of_the_information(case):
    ens, values, variables, sd = case
    s = np.std(ens, axis=1)
    if not (s > 0).any():
        return
    # the hand formula divides by s before it weighs by s**2: a spread near 1e-154 overflows
    # there (to inf) though the distance is finite
    assume(not ((s > 0) & (s < 1e-100)).any())
    d, err = distances(ens, _obs(variables, values, sd=sd))
    w = s**2 / (s**2 + sd**2)
    np.testing.assert_allclose(d, _by_hand(ens, _obs(variables, values), w), rtol=1e-9)
    # each error is standardised by sqrt(s**2 + sd**2)
    inf = s > 0
    np.testing.assert_allclose(err[inf], (ens[inf] - values[inf, None])
                               / np.sqrt(s[inf, None] ** 2 + sd[inf, None] ** 2), rtol=1e-9)


def test_a_wide_sd_makes_a_row_count_less_and_a_narrow_one_as_without():
    ens = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0]])
    # two sources of one variable: one says 1, the other 3
    base = _obs(["a", "a"], [1.0, 3.0])
    d = distances(ens, base)[0]
    assert d[1] == pytest.approx(d[3])  # equal claims pull equally
    wide = _obs(["a", "a"], [1.0, 3.0], sd=[np.nan, 10.0])
    dw = distances(ens, wide)[0]
    assert dw[1] < dw[3]  # the uncertain source pulls less
    assert np.argmin(dw) == 1
    narrow = _obs(["a", "a"], [1.0, 3.0], sd=[np.nan, 1e-9])
    np.testing.assert_allclose(distances(ens, narrow)[0], d, rtol=1e-9)


def test_a_lower_bound_is_missed_only_from_below():
    ens = np.array([[5.0, 10.0, 15.0]])
    obs = _obs(["a"], [10.0], low=[10.0])
    np.testing.assert_array_equal(misses(ens, obs), [[-5.0, 0.0, 0.0]])
    d = distances(ens, obs)[0]
    assert d[0] > 0
    assert d[1] == d[2] == 0.0


def test_a_range_is_missed_only_outside_it():
    ens = np.array([[0.0, 4.0, 6.0, 9.0]])
    obs = _obs(["a"], [5.0], low=[3.0], high=[7.0])
    np.testing.assert_array_equal(misses(ens, obs), [[-3.0, 0.0, 0.0, 2.0]])
    upper = _obs(["a"], [5.0], high=[7.0])
    np.testing.assert_array_equal(misses(ens, upper), [[0.0, 0.0, 0.0, 2.0]])


def test_a_sample_with_a_non_finite_value_is_infinitely_far():
    ens = np.array([[1.0, np.nan, 3.0]])
    assert distances(ens, _obs(["a"], [2.0]))[0][1] == np.inf


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=finite),
       st.floats(0.0, 1.0))
def test_weighted_quantiles_lie_in_the_range_and_rise_with_the_level(x, q):
    w = np.linspace(1.0, 2.0, x.size)
    lo, mid, hi = weighted_quantile(x, w, [0.0, q, 1.0])
    assert x.min() <= lo <= mid <= hi <= x.max()


def test_uncertainty_columns_are_read_and_kept(tmp_path):
    p = tmp_path / "obs.csv"
    p.write_text("date,variable,value,source,sd,low,high\n"
                 "2024-03-01,red.personnel,400,claims,50,,\n"
                 "2024-03-01,red.personnel,380,oryx,,380,\n"
                 "2024-04-01,red.personnel,390,,,,\n")
    obs = read_observations(p)
    np.testing.assert_array_equal(obs.sd, [50.0, np.nan, np.nan])
    np.testing.assert_array_equal(obs.low, [np.nan, 380.0, np.nan])
    assert obs.bounded.tolist() == [False, True, False]
    assert obs.has_uncertainty
    part = obs.take([1, 0])
    np.testing.assert_array_equal(part.low, [380.0, np.nan])
    np.testing.assert_array_equal(part.sd, [np.nan, 50.0])
    assert not read_observations(_plain(tmp_path)).has_uncertainty


def _plain(tmp_path):
    p = tmp_path / "plain.csv"
    p.write_text("date,variable,value\n2024-03-01,red.personnel,400\n")
    return p


@pytest.mark.parametrize(("row", "message"), [
    ("2024-03-01,a,1,-2,,", "obs.csv:2: column 'sd': expected a standard deviation >= 0"),
    ("2024-03-01,a,1,,5,3", "obs.csv:2: columns 'low', 'high': the range [5, 3] ends below"),
    ("2024-03-01,a,1,,x,", "obs.csv:2: column 'low': expected a number, found 'x'"),
])
def test_bad_uncertainty_cells_name_file_line_and_column(tmp_path, row, message):
    p = tmp_path / "obs.csv"
    p.write_text(f"date,variable,value,sd,low,high\n{row}\n")
    with pytest.raises(DataError) as info:
        read_observations(p)
    assert message in str(info.value)
