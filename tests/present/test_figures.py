"""Plotly figures: their traces, labels, colours and the numbers they draw."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")

from detente.analysis import ClaimResult
from detente.present import figures
from detente.present.style import LOWERS_COLOUR, RAISES_COLOUR, VERDICT_COLOURS, rgba


@pytest.fixture(scope="module")
def results() -> Any:
    from detente.engine import simulate
    from detente.report import report_record
    from detente.scenario import load_scenario

    sc = load_scenario("ukraine-2023")
    return simulate(sc, n_samples=24, seed=2, horizon=30,
                    policies=["status_quo", "direct_talks", "aid_cutoff"],
                    record=report_record(sc))


def test_fan_quantiles_are_per_policy_and_time_and_nan_where_all_are_nan():
    values = np.arange(10.0).reshape(1, 5, 2)  # (policy, sample, time)
    values[0, :, 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = figures.fan_quantiles(values)
    assert q.shape == (len(figures.FAN_LEVELS), 1, 2)
    assert q[figures.FAN_LEVELS.index(0.5), 0, 0] == 4.0  # median of 0, 2, 4, 6, 8
    assert np.all(np.diff(q[:, 0, 0]) >= 0)
    assert np.isnan(q[:, 0, 1]).all()


def test_overlay_fan_figure_draws_bands_and_a_median_per_policy():
    q = np.sort(np.random.default_rng(0).normal(size=(len(figures.FAN_LEVELS), 2, 4)), axis=0)
    fig = figures.overlay_fan_figure(q, dates=["2024-01-01", "2024-02-01", "2024-03-01",
                                               "2024-04-01"],
                                     policies=["a", "b"], colours=["#0072B2", "#D55E00"],
                                     label="Inflation", unit="% a year", scale=100.0)
    assert len(fig.data) == 2 * 5  # per policy: two bands of two edges, and the median
    medians = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in medians] == ["a", "b"]
    assert [t.line.color for t in medians] == ["#0072B2", "#D55E00"]
    np.testing.assert_allclose(medians[1].y, (100 * q[figures.FAN_LEVELS.index(0.5), 1])
                               .astype(np.float32))
    fills = [t.fillcolor for t in fig.data if t.fill == "tonexty"]
    assert fills == [rgba("#0072B2", 0.16), rgba("#0072B2", 0.28),
                     rgba("#D55E00", 0.16), rgba("#D55E00", 0.28)]
    assert fig.layout.yaxis.title.text == "% a year"
    assert fig.layout.title.text == "Inflation: median, 50 % and 80 % bands"


@pytest.fixture(scope="module")
def bench() -> Any:
    from detente.engine import simulate
    from detente.scenario import load_scenario
    from detente.scenario.schema import Change

    sc = load_scenario("lanchester-bench")
    base = sc.policies["status_quo"]
    more = base.model_copy(update={"description": "Blue's aid doubled.", "changes": (
        Change(param="blue.shell_aid_direct", scale=2.0),)})
    two = sc.model_copy(update={"policies": {"status_quo": base, "more_aid": more}})
    return simulate(two, n_samples=16, seed=2, horizon=30)


def test_fan_figure_has_a_panel_per_policy_and_a_series_per_side(bench: Any):
    from detente.present.charts import key_charts
    from detente.present.labels import Labels

    spec = next(c for c in key_charts(Labels.of_results(bench)) if c.key == "personnel")
    fig = figures.fan_figure(bench, spec, columns=1)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == bench.policies
    # per series and policy: three bands of two edges, and the median
    assert len(fig.data) == len(spec.series) * len(bench.policies) * 7
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == ["Blue (median and bands)", "Red (median and bands)"]
    medians = [t for t in fig.data if t.line.width == 2]  # by side, then by policy
    assert [t.line.color for t in medians] == ["#1F5FA8"] * 2 + ["#B22222"] * 2
    # the medians are those of each side's values, read by the model's names
    from detente.results.schema import select

    red = np.median(select(bench.ds, "red.personnel").values[0], axis=0)
    np.testing.assert_allclose(medians[2].y, red.astype(np.float32), rtol=1e-6)
    assert fig.layout.yaxis.title.text == "persons"
    assert fig.layout.yaxis2.title.text == "persons"  # the second row
    unrecorded = type(spec)("nothing", "Nothing", (type(spec.series[0])("no_such_var", "x"),))
    assert figures.fan_figure(bench, unrecorded) is None


def test_a_series_that_keeps_one_value_is_not_drawn(bench: Any):
    from detente.present.style import ChartSpec, Series
    from detente.present.summary import drawable

    assert drawable(bench.ds, "blue.personnel")
    assert not drawable(bench.ds, "blue.territory")  # the benchmark has no front line
    assert not drawable(bench.ds, "no_such_var")
    # one value everywhere says nothing, whatever the value; missing values aside
    ds = bench.ds.copy()
    ds["personnel"] = ds["personnel"] * 0 + 7.0
    assert not drawable(ds, "blue.personnel")
    ds["personnel"][0, 0, 0, 0] = float("nan")
    assert not drawable(ds, "blue.personnel")
    ds["personnel"][0, 0, 1, 0] = 8.0
    assert drawable(ds, "blue.personnel")
    assert not drawable(ds, "red.personnel")
    flat = ChartSpec("territory", "Territory", (Series("blue.territory", "Blue"),
                                                Series("red.territory", "Red")))
    assert figures.fan_figure(bench, flat) is None
    mixed = ChartSpec("mixed", "Mixed", (Series("blue.territory", "Blue"),
                                         Series("red.shells", "Red")))
    fig = figures.fan_figure(bench, mixed)
    assert {t.name for t in fig.data if t.name} == {"Red (median and bands)"}


def test_settlement_curves_and_figure(results: Any):
    cum, force = figures.settlement_curves(results)
    assert cum.shape == force.shape == (3, results.ds.sizes["time"])
    assert np.all((cum >= 0) & (cum <= 1))
    assert np.all(np.diff(cum, axis=1) >= 0)  # a first settlement stays signed
    fig = figures.settlement_figure(results, colours=dict.fromkeys(results.policies, "#000000"))
    assert [t.name for t in fig.data if t.showlegend is not False] == results.policies
    assert {t.line.color for t in fig.data} == {"#000000"}
    assert list(fig.layout.yaxis.range) == [0, 1]
    assert fig.layout.annotations[0].text.startswith("First settlement signed")


def test_escalation_and_terms_figures(results: Any):
    fig = figures.escalation_figure(results)
    assert fig.layout.yaxis.title.text == "probability of escalation"
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 1
    assert list(bars[0].y) == results.policies
    assert all(0 <= x <= 1 for x in bars[0].x)
    shares = figures.terms_shares(results)
    for levels in shares.values():
        for ip in range(len(results.policies)):
            col = [v[ip] for v in levels.values()]
            assert all(v is None for v in col) or sum(col) == pytest.approx(1.0)
    signed = [ip for ip in range(len(results.policies))
              if shares["territory"][next(iter(shares["territory"]))][ip] is not None]
    assert signed  # direct talks sign deals within 30 weeks
    terms = figures.terms_figure(results)
    assert {t.type for t in terms.data} == {"heatmap"}
    assert len(terms.data) == len(shares)  # one heat map per dimension
    assert list(terms.data[0].x) == [results.policies[ip] for ip in signed]


def test_figures_without_the_bargaining_module_are_none():
    from detente.engine import simulate
    from detente.scenario import load_scenario

    res = simulate(load_scenario("lanchester-bench"), n_samples=4, seed=0, horizon=3)
    assert figures.settlement_curves(res) is None
    assert figures.settlement_figure(res) is None
    assert figures.escalation_figure(res) is None
    assert figures.terms_figure(res) is None


def _claim(id_: str, verdict: str, p: float | None) -> ClaimResult:
    return ClaimResult(id=id_, text="", source="", policies=[], test="", verdict=verdict,
                       probability=p, interval=None if p is None else (p - 0.1, p + 0.05),
                       interval_method="jeffreys", n_samples=10,
                       thresholds={"supported": 0.8, "refuted": 0.2})


def test_claims_figure_colours_by_verdict_and_skips_untestable_claims():
    claims = [_claim("a", "supported", 0.9), _claim("b", "refuted", 0.1),
              _claim("c", "supported", 0.85), _claim("d", "untestable", None)]
    fig = figures.claims_figure(claims)
    assert [t.name for t in fig.data] == ["supported", "refuted"]
    assert list(fig.data[0].y) == ["a", "c"]
    assert fig.data[0].marker.color == VERDICT_COLOURS["supported"]
    np.testing.assert_allclose(fig.data[0].error_x.arrayminus, [0.1, 0.1])
    assert list(fig.layout.yaxis.categoryarray) == ["c", "b", "a"]  # first claim on top
    assert figures.claims_figure([_claim("d", "untestable", None)]) is None


def test_tornado_figure_ranks_by_mean_absolute_effect():
    df = pd.DataFrame({"mu": [-3.0, 1.0, 0.5, 2.0], "mu_star": [3.0, 1.5, 0.5, 2.0],
                       "sigma": [0.1, 0.2, 0.3, 0.4], "mu_star_conf": [0.0] * 4},
                      index=["p1", "p2", "p3", "p4"])
    fig = figures.tornado_figure(df, output="red.territory", unit="km²", top=3)
    (bar,) = fig.data
    assert list(bar.y) == ["p1 (rank 1)", "p4 (rank 2)", "p2 (rank 3)"]
    assert list(bar.x) == [-3.0, 2.0, 1.0]
    # with error, a label says which ranks the intervals allow
    df["mu_star_conf"] = [0.2, 0.3, 0.1, 0.6]
    wide = figures.tornado_figure(df, output="red.territory", unit="km²", top=3).data[0]
    assert list(wide.y) == ["p1 (rank 1)", "p4 (rank 2–3)", "p2 (rank 2–3)"]
    assert list(wide.error_x.array) == [0.2, 0.6, 0.3]
    assert list(bar.marker.color) == [LOWERS_COLOUR, RAISES_COLOUR, RAISES_COLOUR]
    assert fig.layout.xaxis.title.text.startswith("change in red.territory (km²)")


def _fans(widths: list[float], centres: list[float] | None = None, n_t: int = 5
          ) -> np.ndarray:
    """Quantiles ``(series, level, panel, time)`` of panels with these 95 % widths."""
    levels = np.asarray(figures.FAN_LEVELS) - 0.5  # -0.475 .. 0.475
    centres = centres or [100.0] * len(widths)
    q = np.empty((1, len(levels), len(widths), n_t))
    for k, (w, c) in enumerate(zip(widths, centres, strict=True)):
        q[0, :, k, :] = (c + levels * w / 0.95)[:, None]
    return q


def test_a_shared_range_flattens_a_panel_when_it_is_far_narrower_than_the_others():
    assert not figures.flattens(_fans([10.0, 12.0, 9.0]))  # all alike: one range reads
    # a panel a twentieth as wide as the span of all: flat on the shared axis
    assert figures.flattens(_fans([2.0, 2.0, 300.0]))
    # narrow panels at levels far apart (territory under each policy): flat too
    assert figures.flattens(_fans([10.0, 10.0], centres=[100.0, 200.0]))
    assert not figures.flattens(_fans([5.0]))  # one panel has nothing to share with
    assert not figures.flattens(np.full((1, len(figures.FAN_LEVELS), 2, 3), np.nan))


def test_fan_figure_gives_each_panel_its_own_axis_where_sharing_would_flatten(bench: Any):
    from detente.present.style import ChartSpec, Series

    spec = ChartSpec("personnel", "Personnel", (Series("blue.personnel", "Blue"),))
    from detente.results.schema import select

    q = figures.fan_quantiles(np.asarray(select(bench.ds, "blue.personnel").values,
                                         dtype=np.float64))
    wide = q.copy()
    wide[:, 1] = q[:, 1] * 40.0 - 39.0 * q[:, 1].mean()  # the second policy spreads 40 ×
    shared = figures.fan_figure(bench, spec, levels={"blue.personnel": q})
    own = figures.fan_figure(bench, spec, levels={"blue.personnel": wide})
    assert shared.layout.meta["y_axes"] == "shared"
    assert shared.layout.yaxis2.matches == "y"  # one range for both panels
    assert own.layout.meta["y_axes"] == "own"
    assert own.layout.yaxis2.matches is None  # each panel its own range
    forced = figures.fan_figure(bench, spec, levels={"blue.personnel": q}, y_axes="own")
    assert forced.layout.yaxis2.matches is None


def test_threshold_figure_draws_the_metric_its_threshold_and_the_claims_side():
    values = np.r_[np.linspace(0.0, 1.0, 50), np.nan]
    panel = {"values": values, "threshold": 0.3, "op": "<", "title": "viability < 0.3",
             "share": float(np.mean(values[:-1] < 0.3)), "axis": "viability"}
    fig = figures.threshold_figure([panel, {**panel, "op": ">="}], colour="#1a7f37")
    hists = [t for t in fig.data if t.type == "histogram"]
    assert len(hists) == 2
    assert np.isfinite(np.asarray(hists[0].x)).all()  # the undefined sample is left out
    assert len(hists[0].x) == 50
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "viability < 0.3<br>on the claim's side: 30 %"
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [(s.x0, s.x1) for s in lines] == [(0.3, 0.3), (0.3, 0.3)]
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert rects[0].x1 == 0.3
    assert rects[0].x0 < 0.0
    assert rects[1].x0 == 0.3
    assert rects[1].x1 > 1.0
    assert fig.layout.xaxis.title.text == "viability"
    assert figures.threshold_figure([{**panel, "values": np.full(3, np.nan)}],
                                    colour="#000") is None
