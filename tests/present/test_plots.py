"""The plotting helpers draw what they say: the right lines, bands and densities."""

from __future__ import annotations

import numpy as np
import pytest

import detente as dt

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def res():
    sc = dt.load("lanchester-bench")
    pols = sc.model_dump(by_alias=True, exclude_none=True)["policies"]
    pols["more_red"] = {"description": "Red recruits more",
                        "changes": [{"param": "red.recruit_rate", "scale": 2.0}]}
    return dt.simulate(sc.with_changes(policies=pols), n_samples=40, seed=1, horizon=52)


def test_lines_draws_the_same_sample_of_trajectories_under_each_policy(res):
    fig = dt.plots.lines(res, "blue.personnel", n_lines=7, seed=3)
    ax = fig.axes[0]
    drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata())]
    assert len(drawn) == 2 * 7
    months = res.ds["month"].values
    first = drawn[0]
    np.testing.assert_array_equal(first.get_xdata(), months)
    # each drawn line is one sample's trajectory under its policy
    traj = res["blue.personnel"].sel(policy="status_quo").transpose("sample", "time").values
    assert any(np.array_equal(first.get_ydata(), row) for row in traj)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["status_quo", "more_red"]


def test_envelopes_and_overlay_draw_each_policy_s_median_and_bands(res):
    fig = dt.plots.envelopes(res, "red.personnel", levels=(0.5, 0.8))
    assert len(fig.axes) == 2
    traj = res["red.personnel"].sel(policy="more_red").transpose("sample", "time").values
    median = fig.axes[1].get_lines()[0].get_ydata()
    np.testing.assert_allclose(median, np.nanmedian(traj, axis=0))
    assert len(fig.axes[1].collections) == 2  # the two bands
    fig = dt.plots.overlay(res, "red.personnel", level=0.8)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2
    assert len(ax.collections) == 2
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), np.nanmedian(traj, axis=0))


def test_kde_over_time_normalises_each_column_and_pairs_draws_a_matrix(res):
    fig = dt.plots.kde_over_time(res, "blue.personnel", policy="more_red", bins=20)
    mesh = fig.axes[0].collections[0]
    dens = np.asarray(mesh.get_array()).reshape(20, -1)
    np.testing.assert_allclose(dens.max(axis=0), 1.0)  # each time's own maximum is 1
    fig = dt.plots.pairs(res, ["blue.personnel", "red.personnel", "blue.shells"], month=6,
                         n_points=15)
    assert len(fig.axes) == 9
    off = fig.axes[1]  # row 0, column 1: red against blue
    assert len(off.collections) == 2
    assert off.collections[0].get_offsets().shape == (15, 2)


def test_bad_requests_are_clean_errors(res):
    with pytest.raises(dt.InputError, match="not recorded"):
        dt.plots.lines(res, "blue.nonsense")
    with pytest.raises(dt.InputError, match="unknown policies"):
        dt.plots.overlay(res, "blue.personnel", policies=["nope"])
    with pytest.raises(dt.InputError, match="past the results' horizon"):
        dt.plots.pairs(res, ["blue.personnel", "red.personnel"], month=500)
