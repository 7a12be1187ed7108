"""Hindcasts: restarts at past origins, no look-ahead, and scores that can fail."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis import Observations, read_observations
from detente.analysis.hindcast import (
    BUNDLED,
    Hindcast,
    add_months,
    as_of_date,
    bundled_record,
    parse_leads,
    parse_origins,
    restart,
    start_state,
    widened_parameter,
)
from detente.engine import simulate
from detente.errors import DataError, InputError
from detente.results import schema
from detente.scenario import load_scenario
from detente.scenario.schema import Parameter, Scenario

UKRAINE = "ukraine-2023"


@pytest.fixture(scope="module")
def ukraine() -> Scenario:
    return load_scenario(UKRAINE)


@pytest.fixture(scope="module")
def record() -> Observations:
    path = bundled_record(UKRAINE)
    assert path is not None
    return read_observations(path)


# --------------------------------------------------------------------------- dates
def test_monthly_range_includes_both_ends():
    got = parse_origins("2022-06..2023-06/1m")
    assert len(got) == 13
    assert got[0] == dt.date(2022, 6, 1)
    assert got[-1] == dt.date(2023, 6, 1)
    assert all(d.day == 1 for d in got)


def test_origins_mix_dates_months_and_ranges():
    got = parse_origins("2022-03-15, 2022-06..2022-08, 2022-09-01..2022-09-15/1w")
    assert got == (dt.date(2022, 3, 15), dt.date(2022, 6, 1), dt.date(2022, 7, 1),
                   dt.date(2022, 8, 1), dt.date(2022, 9, 1), dt.date(2022, 9, 8),
                   dt.date(2022, 9, 15))


@pytest.mark.parametrize(("text", "message"), [
    ("2023-03,2023-01", "origins must increase strictly; found 2023-01-01 after 2023-03-01"),
    ("2023-01,2023-01", "origins must increase strictly"),
    ("2023-06..2023-01", "ends before it starts"),
    ("2023-01..2023-06/0m", "must be a positive number of months, weeks or days"),
    ("2023-01..2023-06/3y", "must be a positive number of months, weeks or days"),
    ("June 2023", "expected a date YYYY-MM-DD or a month YYYY-MM"),
    ("2023-13", "expected a date YYYY-MM-DD or a month YYYY-MM"),
    ("", "found nothing"),
    ("2023-01,,2023-02", "an empty item"),
])
def test_bad_origins_are_refused_with_what_was_found(text, message):
    with pytest.raises(InputError, match=r"^--origins: ") as info:
        parse_origins(text, what="--origins")
    assert message in str(info.value)


@given(start=st.dates(dt.date(1950, 1, 1), dt.date(2050, 12, 31)),
       months=st.integers(0, 40), step=st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_a_month_range_increases_and_stays_inside(start, months, step):
    end = add_months(start, months)
    got = parse_origins(f"{start}..{end}/{step}m")
    assert got[0] == start
    assert all(b > a for a, b in itertools.pairwise(got))
    assert got[-1] <= end
    assert len(got) == months // step + 1


@given(d=st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), k=st.integers(-600, 600))
def test_add_months_keeps_the_day_where_the_month_has_it(d, k):
    moved = add_months(d, k)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == k
    assert moved.day == d.day or moved.day < d.day  # clipped to a shorter month's end
    if d.day <= 28:
        assert add_months(moved, -k) == d


def test_add_months_clips_to_the_months_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 12, 15), 3) == dt.date(2024, 3, 15)


@pytest.mark.parametrize(("given_", "expected"), [
    ("3,6,12", (3, 6, 12)), ("12, 3", (3, 12)), ([6, 6, 1], (1, 6)), ("24", (24,)),
])
def test_leads_are_whole_months_sorted(given_, expected):
    assert parse_leads(given_) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("0", "a lead is a positive whole number of months ahead of the origin; found '0'"),
    ("3,-6", "found '-6'"),
    ("three", "expected whole numbers of months (e.g. 3,6,12), found 'three'"),
    ("1.5", "found '1.5'"),
    ("", "expected whole numbers of months"),
])
def test_bad_leads_are_refused(text, message):
    with pytest.raises(InputError, match=r"^--lead: ") as info:
        parse_leads(text, what="--lead")
    assert message in str(info.value)


# --------------------------------------------------------------------------- widening
def _pert(low: float, mode: float, high: float) -> Parameter:
    return Parameter.model_validate({"dist": "pert", "low": low, "mode": mode, "high": high,
                                     "unit": "persons", "source": "assumption"})


@given(low=st.floats(1.0, 1e6), up=st.floats(0.0, 1.0), width=st.floats(1.0, 1e6),
       years=st.floats(0.01, 3.0), widen=st.floats(0.1, 2.0))
@settings(max_examples=80, deadline=None)
def test_a_widened_prior_keeps_its_mode_and_holds_the_old_range_strictly(low, up, width,
                                                                         years, widen):
    p = _pert(low, low + up * width, low + width)
    w = widened_parameter(p, years, widen=widen)
    d, e = p.dist, w.dist
    assert e.dist == "pert"
    assert e.mode == d.mode
    assert e.lamb == d.lamb
    assert e.low < d.low or d.low == d.mode  # a side with no width grows from min_spread
    assert e.high > d.high
    assert e.high - e.low > d.high - d.low


def test_widening_doubles_a_range_a_year_away_and_respects_the_bounds():
    p = _pert(80.0, 100.0, 150.0)
    w = widened_parameter(p, 1.0, widen=1.0)
    assert (w.dist.low, w.dist.mode, w.dist.high) == (60.0, 100.0, 200.0)
    clipped = widened_parameter(p, 1.0, widen=1.0, bounds=(70.0, 180.0))
    assert (clipped.dist.low, clipped.dist.high) == (70.0, 180.0)
    assert "widened for a restart 1.00 years" in w.note


def test_a_fixed_value_becomes_a_pert_about_itself_and_a_fixed_zero_stays():
    fixed = Parameter(value=200.0, unit="km2", source="x")
    w = widened_parameter(fixed, 2.0, widen=1.0, min_spread=0.1)
    assert (w.dist.dist, w.dist.low, w.dist.mode, w.dist.high) == ("pert", 160.0, 200.0,
                                                                   240.0)
    zero = Parameter(value=0.0, unit="km2", source="x")
    assert widened_parameter(zero, 2.0) is zero
    assert widened_parameter(fixed, 0.0) is fixed
    assert widened_parameter(fixed, 1.0, widen=0.0) is fixed


@pytest.mark.parametrize("raw", [
    {"dist": "uniform", "low": 2.0, "high": 4.0},
    {"dist": "triangular", "low": 2.0, "mode": 2.5, "high": 4.0},
    {"dist": "truncnormal", "mean": 3.0, "sd": 0.5, "low": 1.0, "high": 6.0},
    {"dist": "lognormal", "median": 3.0, "sigma": 0.2},
])
def test_every_kind_of_prior_widens_and_keeps_its_centre(raw):
    p = Parameter.model_validate({**raw, "unit": "1", "source": "assumption"})
    w = widened_parameter(p, 1.0, widen=1.0)
    assert w.dist.dist == p.dist.dist
    assert w.nominal() == pytest.approx(p.nominal())
    q = np.array([0.05, 0.95])
    assert w.sample(q)[0] < p.sample(q)[0]
    assert w.sample(q)[1] > p.sample(q)[1]


# --------------------------------------------------------------------------- restarts
ORIGIN = dt.date(2022, 6, 1)


def test_restart_starts_at_the_origin_from_the_recorded_state(ukraine, record):
    rs = restart(ukraine, ORIGIN, record, months=6)
    assert rs.time.start == ORIGIN
    assert rs.time.horizon_steps == math.ceil(183 / 7)
    assert rs.claims == {}
    observed = float(record.subset("russia.territory")[1][
        record.subset("russia.territory")[0].index(ORIGIN)])
    assert rs.parameters["russia.territory0"].value == observed
    res = simulate(rs, n_samples=16, seed=1, policies=["status_quo"], horizon=2,
                   record=["russia.territory"])
    first = schema.select(res.ds, "russia.territory").isel(policy=0, time=0).values
    np.testing.assert_array_equal(first, np.full(16, observed))  # in every sample
    assert str(res.ds.attrs["start"]) == str(ORIGIN)


def test_restart_widens_every_unobserved_state_prior(ukraine, record):
    state = start_state(ukraine, ORIGIN, record)
    years = (as_of_date(ukraine) - ORIGIN).days / 365.25
    assert state["russia.territory0"].how == "observed"
    widened = [s for s in state.values() if s.how == "widened"]
    assert len(widened) >= 20
    for s in widened:
        old = ukraine.parameters[s.param]
        lo, hi = (old.value, old.value) if old.dist is None else old.dist.support()
        assert s.low <= lo
        assert s.high >= hi
        if np.isfinite(hi - lo):
            assert s.high - s.low > hi - lo, s.param
        else:  # an unbounded prior (a log-normal) widens its spread instead
            assert s.parameter.dist.sigma > old.dist.sigma, s.param
        assert s.parameter.nominal() == pytest.approx(old.nominal()), s.param
    personnel = state["russia.personnel0"]
    old = ukraine.parameters["russia.personnel0"].dist
    assert personnel.high - old.mode == pytest.approx((old.high - old.mode) * (1 + years))
    # parameters that are not the state keep the scenario's calibration
    rs = restart(ukraine, ORIGIN, record)
    for name in ("russia.effectiveness", "mil_ground_price", "ukraine.fire_rate"):
        assert rs.parameters[name] == ukraine.parameters[name]


def test_a_state_observation_outside_its_range_is_refused_at_its_line(ukraine, tmp_path):
    p = tmp_path / "rec.csv"
    p.write_text("date,variable,value\n2022-06-01,russia.territory,-5\n"
                 "2022-09-01,russia.territory,100000\n")
    with pytest.raises(DataError, match=r"rec\.csv:2: russia\.territory = -5 cannot start "
                                        r"a run: russia\.territory0 must lie in \[0\.0"):
        restart(ukraine, ORIGIN, read_observations(p))


# --------------------------------------------------------------------------- no look-ahead
def _perturbed_after(record: Observations, date: dt.date, factor: float) -> Observations:
    values = np.where(np.array([d > date for d in record.dates]), record.values * factor,
                      record.values)
    return Observations(record.name, record.dates, record.variables, values, record.lines,
                        record.sources)


def test_nothing_after_the_origin_reaches_the_state_or_the_baselines(ukraine, record):
    later = _perturbed_after(record, ORIGIN, 1.7)
    assert restart(ukraine, ORIGIN, later).model_dump() == restart(
        ukraine, ORIGIN, record).model_dump()
    a = Hindcast(n_samples=24, seed=3, leads=(3, 6)).fit(ukraine, record, [ORIGIN]).table_
    b = Hindcast(n_samples=24, seed=3, leads=(3, 6)).fit(ukraine, later, [ORIGIN]).table_
    assert len(a) == len(b) == 4
    forecast = ["median", "low_80", "high_80", "low_95", "high_95", "persistence", "trend",
                "origin_value"]
    assert a[forecast].equals(b[forecast])
    assert not np.allclose(a["value"], b["value"])  # what is scored did change


def test_a_forecast_does_not_depend_on_the_other_origins(ukraine, record):
    one = Hindcast(n_samples=16, seed=5, leads="3").fit(ukraine, record, [ORIGIN]).table_
    two = Hindcast(n_samples=16, seed=5, leads="3").fit(
        ukraine, record, [dt.date(2022, 3, 1), ORIGIN]).table_
    mine = two[two["origin"] == ORIGIN].reset_index(drop=True)
    assert mine["median"].equals(one["median"])


# --------------------------------------------------------------------------- an exact model
@pytest.fixture(scope="module")
def bench_truth():
    """lanchester-bench run at its central values: a record its own model explains exactly."""
    sc = load_scenario("lanchester-bench")
    central = {n: [sc.table[n].distribution.central()] for n in sc.uncertain}
    names = ["blue.personnel", "red.personnel", "blue.shells", "red.shells"]
    res = simulate(sc, n_samples=1, seed=0, policies=["status_quo"], horizon=80,
                   record=names, samples=central)
    times = res.ds["time"].values.astype("datetime64[D]").astype(object)
    rows = []
    for var in names:
        values = schema.select(res.ds, var).isel(policy=0, sample=0).values
        rows += [(d, var, float(v), "model") for d, v in zip(times, values, strict=True)]
    return sc, Observations.from_records(rows, name="truth.csv")


def test_an_exact_model_covers_its_record_and_beats_persistence(bench_truth):
    sc, truth = bench_truth
    hc = Hindcast(n_samples=200, seed=0, leads="3,6").fit(
        sc, truth, "2024-01-29..2024-12-30/4w")
    for lead in (3, 6):
        for var in ("blue.personnel", "red.personnel"):
            s = hc.scores_[lead][var]
            assert s["n"] >= 10
            assert s["coverage"]["95"]["share"] == 1.0
            assert s["coverage"]["80"]["share"] >= 0.8
            assert s["baselines"]["persistence"]["skill"] > 0.25, (lead, var)
    for o in hc.origins_:
        assert set(o["observed"]) >= {"blue.personnel0", "red.personnel0", "blue.shells0",
                                      "red.shells0"}
        assert o["hindsight_days"] < 0  # bench's origins are after its start: no hindsight


def test_a_model_that_misses_scores_badly(bench_truth):
    """The same record scored against a scenario whose forces start a third too strong."""
    sc, truth = bench_truth
    shifted = Observations(truth.name, truth.dates, truth.variables, truth.values * 1.3,
                           truth.lines, truth.sources)
    bad = Hindcast(n_samples=100, seed=0, leads="3").fit(sc, shifted, "2024-03-25")
    good = Hindcast(n_samples=100, seed=0, leads="3").fit(sc, truth, "2024-03-25")
    # the restart takes the (shifted) state, so the forecasts move with it but the
    # dynamics no longer fit: the CRPS grows
    assert bad.scores_[3]["blue.personnel"]["crps"] > good.scores_[3]["blue.personnel"]["crps"]


# --------------------------------------------------------------------------- the outputs
@pytest.fixture(scope="module")
def fitted(ukraine, record) -> Hindcast:
    return Hindcast(n_samples=40, seed=0, leads="3,6,12").fit(
        ukraine, record, "2022-10..2023-06/2m")


def test_one_row_per_origin_lead_and_series_that_the_record_reaches(fitted):
    t = fitted.table_
    origins = parse_origins("2022-10..2023-06/2m")
    expected = 0
    for o in origins:
        for lead in (3, 6, 12):
            if add_months(o, lead) <= dt.date(2023, 11, 30):
                expected += 2  # territory and casualties
    assert len(t) == expected
    assert len(fitted.excluded_) == 2 * 3 * len(origins) - expected
    assert {e["reason"] for e in fitted.excluded_} == {"beyond the record"}
    assert list(t.groupby("lead").size().index) == [3, 6, 12]
    assert not t.duplicated(["origin", "lead", "variable", "source"]).any()
    for col in ("target", "date", "value", "origin_value", "median", "low_50", "high_95",
                "inside_80", "pit", "crps", "persistence", "trend", "crps_persistence",
                "crps_trend"):
        assert col in t.columns, col
    assert (t["low_50"] <= t["median"]).all()
    assert (t["median"] <= t["high_50"]).all()
    assert (t["low_95"] <= t["low_80"]).all()
    for lead, per in fitted.scores_.items():
        for var, s in per.items():
            sub = t[(t["lead"] == lead) & (t["variable"] == var)]
            assert s["n"] == len(sub)
            assert s["coverage"]["80"]["share"] == pytest.approx(sub["inside_80"].mean())
            assert s["crps"] == pytest.approx(sub["crps"].mean())
            assert s["baselines"]["trend"]["crps"] == pytest.approx(sub["crps_trend"].mean())
            assert 1.0 <= s["n_eff"] <= s["n"]
            lo, hi = s["coverage"]["80"]["low"], s["coverage"]["80"]["high"]
            assert lo <= s["coverage"]["80"]["share"] <= hi


def test_a_count_from_the_start_is_rebased_to_the_origin(fitted, record):
    t = fitted.table_
    row = t[(t["variable"] == "russia.casualties_cum") & (t["lead"] == 3)].iloc[0]
    dates, values = record.subset("russia.casualties_cum")
    at = dict(zip(dates, values, strict=True))
    assert row["origin_value"] == at[row["origin"]]
    assert row["value"] == at[row["date"]] - at[row["origin"]]
    assert row["persistence"] == 0.0  # no change: no more losses
    # the restarted run counts from the origin too
    assert row["median"] < at[row["date"]] / 2


def test_to_dict_is_plain_data_with_every_point(fitted):
    d = fitted.to_dict()
    text = json.dumps(d, allow_nan=True)
    back = json.loads(text)
    assert back["scenario"] == UKRAINE
    assert back["record"] == f"{BUNDLED}/ukraine-2023.csv (bundled with detente)"
    assert back["leads"] == [3, 6, 12]
    assert set(back["scores"]) == {"3", "6", "12"}
    cov = back["scores"]["3"]["russia.territory"]["coverage"]
    assert set(cov) == {"50", "80", "95"}
    assert len(back["points"]) == len(fitted.table_)
    assert back["points"][0]["origin"] == "2022-10-01"
    assert back["origins"][0]["hindsight_days"] == (dt.date(2023, 12, 1)
                                                    - dt.date(2022, 10, 1)).days
    assert back["excluded"]["count"] == len(fitted.excluded_)


def test_zero_one_variables_get_brier_log_and_reliability(ukraine, tmp_path):
    p = tmp_path / "settled.csv"
    rows = [f"{d},settled,0" for d in parse_origins("2022-06..2023-11/1m")]
    p.write_text("date,variable,value\n" + "\n".join(rows) + "\n")
    hc = Hindcast(n_samples=20, seed=0, leads="3").fit(ukraine, p, "2023-01,2023-04")
    s = hc.scores_[3]["settled"]
    assert s["kind"] == "binary"
    assert s["n"] == 2
    assert 0.0 <= s["brier"] <= 1.0
    assert s["log"] > 0
    assert sum(r["n"] for r in s["reliability"]) == 2
    assert s["baselines"]["persistence"]["brier"] == 0.0  # nothing settled: no change wins
    assert {"p", "brier", "log", "brier_persistence"} <= set(hc.table_.columns)


# --------------------------------------------------------------------------- bad input
def test_origins_outside_the_record_are_refused(ukraine, record):
    with pytest.raises(InputError, match=r"origins: 2021-12-01 is before the war began "
                                         r"\(2022-02-24, time\.war_began"):
        Hindcast(n_samples=4).fit(ukraine, record, [dt.date(2021, 12, 1)])
    early = ukraine.model_copy(update={"time": ukraine.time.model_copy(
        update={"war_began": dt.date(2021, 1, 1)})})
    with pytest.raises(InputError, match=r"origins: 2021-12-01 is before the record starts "
                                         r"\(2022-02-24, .*ukraine-2023\.csv\)"):
        Hindcast(n_samples=4).fit(early, record, [dt.date(2021, 12, 1)])
    with pytest.raises(InputError, match=r"origins: 2024-01-01 is after the record ends "
                                         r"\(2023-11-30"):
        Hindcast(n_samples=4).fit(ukraine, record, [dt.date(2023, 6, 1),
                                                    dt.date(2024, 1, 1)])
    with pytest.raises(InputError, match="origins must increase strictly"):
        Hindcast(n_samples=4).fit(ukraine, record, [dt.date(2023, 6, 1),
                                                    dt.date(2023, 1, 1)])


def test_an_origin_before_the_war_began_is_refused(ukraine, tmp_path):
    # a copy keeps the posterior draws read beside the built-in's file
    sc = ukraine.model_copy(update={"time": ukraine.time.model_copy(
        update={"war_began": dt.date(2022, 6, 15)})})
    p = tmp_path / "rec.csv"
    p.write_text("date,variable,value\n2022-06-01,russia.territory,120000\n"
                 "2022-12-01,russia.territory,110000\n")
    with pytest.raises(InputError, match=r"origins: 2022-06-01 is before the war began "
                                         r"\(2022-06-15, time\.war_began"):
        Hindcast(n_samples=4).fit(sc, p, [dt.date(2022, 6, 1)])
    with pytest.raises(InputError, match=r"origin 2022-06-01 is before the war began"):
        restart(sc, dt.date(2022, 6, 1), read_observations(p))
    assert restart(sc, dt.date(2022, 7, 1), read_observations(p)).time.war_began == \
        dt.date(2022, 6, 15)


def test_a_record_of_an_unknown_variable_is_refused_at_its_line(ukraine, tmp_path):
    p = tmp_path / "rec.csv"
    p.write_text("date,variable,value\n2022-06-01,russia.territory,120000\n"
                 "2022-07-01,russia.territorry,120000\n")
    with pytest.raises(DataError, match=r"rec\.csv:3: column 'variable': unknown variable "
                                        r"'russia\.territorry'.*Did you mean "
                                        r"'russia\.territory'\?"):
        Hindcast(n_samples=4).fit(ukraine, p, "2022-06")


@pytest.mark.parametrize(("config", "message"), [
    ({"leads": "0"}, "leads: a lead is a positive whole number of months"),
    ({"levels": (0.5, 1.2)}, "band levels must lie strictly between 0 and 1, found 1.2"),
    ({"widen": -1.0}, "widen must be a number >= 0"),
    ({"n_samples": 0}, "n_samples must be a positive integer, found 0"),
    ({"policy": "status_qou"}, "unknown policy 'status_qou'.*Did you mean 'status_quo'"),
])
def test_bad_configuration_is_refused_by_fit(ukraine, record, config, message):
    with pytest.raises(InputError, match=message):
        Hindcast(**config).fit(ukraine, record, "2023-01")


def test_a_scenario_without_a_bundled_record_needs_one():
    assert bundled_record("lanchester-bench") is None
    with pytest.raises(InputError, match="scenario 'lanchester-bench' has no bundled record"):
        Hindcast(n_samples=4).fit("lanchester-bench", None, "2024-02")
