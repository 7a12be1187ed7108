"""The outside view: war tables, base rates (known answers, censoring), beside the model."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("lifelines")

from detente.analysis.outside_view import (
    OUTCOMES,
    BaseRates,
    WarTable,
    parse_duration,
    read_cow,
    ucdp_wars,
)
from detente.analysis.outside_view.base_rates import MONTH_DAYS
from detente.analysis.outside_view.beside import beside, lasted_days
from detente.errors import DataError, InputError, NotFittedError

DATA = Path(__file__).parent / "data"
COW_SYNTHETIC = DATA / "cow_interstate_synthetic.csv"


def wars(durations, ended, outcomes) -> WarTable:
    """A synthetic table: one inter-state war per duration (days)."""
    rows = [{"id": f"w{i}", "name": f"war {i}", "start": dt.date(1950 + i, 1, 1),
             "end": None, "duration_days": float(d), "ended": bool(e),
             "outcome": o if e else "", "detail": o, "interstate": True,
             "war_intensity": True, "major_power": i % 2 == 0}
            for i, (d, e, o) in enumerate(zip(durations, ended, outcomes, strict=True))]
    return WarTable(pd.DataFrame(rows), "synthetic", dt.date(2000, 1, 1), "war")


#: 100 settlement, 200 victory, 300 still running, 400 petering out, 500 settlement.
FIVE = wars([100, 200, 300, 400, 500], [1, 1, 0, 1, 1],
            ["settlement", "victory", "", "petered_out", "settlement"])
#: 4 months (121.75 days), 12 months (365.25), 24 months (730.5).
MONTHS = (4, 12, 24)


# --------------------------------------------------------------------------- known answers
def test_kaplan_meier_with_a_censored_war_by_hand():
    br = BaseRates(months=MONTHS).fit(0, FIVE)
    # S: 100 -> 4/5, 200 -> 3/5, 300 censored, 400 -> 3/5 * 1/2, 500 -> 0
    assert br.rates_["p_end"].tolist() == pytest.approx([0.2, 0.4, 1.0])
    # a plain share that drops the running war would say 2/4 ended within a year
    assert br.rates_.loc[12, "p_end"] != pytest.approx(0.5)
    assert br.n_at_risk_ == 5
    assert br.rates_["n_ended"].tolist() == [1, 2, 4]


def test_aalen_johansen_splits_the_ending_among_the_outcomes_by_hand():
    r = BaseRates(months=MONTHS).fit(0, FIVE).rates_.loc[24]
    # settlement 1/5 at 100 + S(400) = 0.3 at 500; victory S(100) 0.8 / 4; petering out
    # S(300) 0.6 / 2
    assert r["p_settlement"] == pytest.approx(0.5)
    assert r["p_victory"] == pytest.approx(0.2)
    assert r["p_petered_out"] == pytest.approx(0.3)
    assert r["p_other"] == 0.0
    assert sum(r[f"p_{o}"] for o in OUTCOMES) == pytest.approx(r["p_end"])


def test_conditioning_on_the_duration_is_the_ratio_of_survivals():
    # lasted 150 days: 200, 300 (censored), 400, 500 remain; S_full(150) = 0.8
    br = BaseRates(months=MONTHS).fit("150d", FIVE)
    assert br.n_at_risk_ == 4
    assert br.rates_.loc[4, "p_end"] == pytest.approx(1 - 0.6 / 0.8)  # S_full(271.75)
    assert br.rates_.loc[12, "p_end"] == 1.0  # S_full(515.25) = 0
    assert list(br.wars_["id"]) == ["w1", "w2", "w3", "w4"]
    within = br.wars_["ends_within"].tolist()
    assert within[0] == 4
    assert math.isnan(within[1])
    assert within[2:] == [12, 12]


def test_a_war_censored_before_the_duration_is_left_out_and_counted():
    br = BaseRates(months=MONTHS).fit("350d", FIVE)
    assert br.n_unknown_ == 1
    assert br.n_at_risk_ == 2


def test_no_event_gives_zero_with_an_exact_upper_bound():
    table = wars([100, 900], [1, 1], ["settlement", "victory"])
    br = BaseRates(months=(12,), level=0.95).fit("200d", table)  # one war, ends at 700 d
    assert br.rates_.loc[12, "p_end"] == 0.0
    assert br.rates_.loc[12, "low"] == 0.0
    assert br.rates_.loc[12, "high"] == pytest.approx(0.975)  # 1 - 0.025^(1/1)


def test_ties_between_outcomes_do_not_touch_the_global_random_state():
    table = wars([100, 100, 100, 400], [1, 1, 1, 1],
                 ["settlement", "victory", "petered_out", "settlement"])
    np.random.seed(12345)  # noqa: NPY002 - the legacy state lifelines would reseed
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    r = BaseRates(months=(12, 24)).fit(0, table).rates_
    after = np.random.get_state()[1]  # noqa: NPY002
    assert np.array_equal(before, after)
    assert r.loc[12, "p_settlement"] == pytest.approx(0.25)
    assert r.loc[12, "p_victory"] == pytest.approx(0.25)
    assert r.loc[12, "p_petered_out"] == pytest.approx(0.25)
    assert r.loc[24, "p_settlement"] == pytest.approx(0.5)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 3000), st.booleans(),
                          st.sampled_from(OUTCOMES)), min_size=2, max_size=12),
       st.integers(0, 1500), st.integers(1, 40))
def test_conditional_estimate_is_the_full_curves_ratio(rows, lasted, months):
    from lifelines import KaplanMeierFitter

    d = [r[0] for r in rows]
    e = [r[1] for r in rows]
    table = wars(d, e, [r[2] for r in rows])
    if not any(x >= lasted for x in d):
        with pytest.raises(InputError, match="no war of the reference class"):
            BaseRates(months=(months,)).fit(lasted, table)
        return
    br = BaseRates(months=(months,)).fit(lasted, table)
    km = KaplanMeierFitter().fit(d, e)
    # S(d-): the survival just before the day the war had lasted to
    s0 = 1.0 if lasted == 0 else float(km.survival_function_at_times(lasted - 1e-9).iloc[0])
    s1 = float(km.survival_function_at_times(lasted + months * MONTH_DAYS).iloc[0])
    assert br.rates_.loc[months, "p_end"] == pytest.approx(1 - s1 / s0, abs=1e-9)
    total = sum(br.rates_.loc[months, f"p_{o}"] for o in OUTCOMES)
    assert total == pytest.approx(br.rates_.loc[months, "p_end"], abs=1e-6)
    low, high = br.rates_.loc[months, ["low", "high"]]
    if not math.isnan(low):
        assert low <= br.rates_.loc[months, "p_end"] <= high


# --------------------------------------------------------------------------- UCDP
@pytest.mark.parametrize(("intensity", "lasted", "shares"), [
    # the data folder's README, section a: classes in which no episode is censored
    ("any", 1, (5 / 15, 9 / 15, 11 / 15)),
    ("any", 2, (4 / 10, 6 / 10, 7 / 10)),
    ("any", 3, (2 / 6, 3 / 6, 3 / 6)),
    ("war", 1, (1 / 6, 2 / 6, 3 / 6)),
    ("war", 2, (1 / 5, 2 / 5, 3 / 5)),
    ("war", 3, (1 / 4, 2 / 4, 2 / 4)),
])
def test_the_readmes_interstate_base_rates_are_reproduced(intensity, lasted, shares):
    br = BaseRates(intensity=intensity).fit(f"{lasted}y")
    assert br.rates_["p_end"].tolist() == pytest.approx(list(shares))


def test_the_readmes_outcomes_of_those_ending_within_three_years():
    r = BaseRates().fit("1y").rates_.loc[36]
    # low activity 6, peace agreement 2, ceasefire 2, victory B 1
    assert (r["n_petered_out"], r["n_settlement"], r["n_victory"], r["n_other"]) == (6, 4, 1, 0)


def test_with_internationalised_wars_censoring_moves_the_estimate_off_the_plain_share():
    # README: 31/99 ended within a year of lasting one (the 4 censored episodes dropped)
    p = BaseRates(conflicts="with_internationalised").fit("1y").rates_.loc[12, "p_end"]
    assert p != pytest.approx(31 / 99, abs=1e-3)
    assert p == pytest.approx(31 / 99, abs=0.02)


def test_ucdp_table_has_the_documented_rows():
    table = ucdp_wars()
    assert len(table) == 196  # 197 episodes, one ended without an end date
    assert table.data["interstate"].sum() == 67
    assert table.data["ended"].sum() == 179
    assert "Kreutz 2010" in table.source


def test_reference_class_filters():
    table = ucdp_wars()
    korea = table.data[table.data["name"].str.startswith("North Korea – South Korea")]
    assert korea["major_power"].all()  # the United States and China fought in it
    br = BaseRates(major_power="not_involved", period=(1970, None)).fit("1y")
    assert all(w.year >= 1970 for w in br.wars_["start"])
    assert "without a major power" in br.reference_
    with pytest.raises(InputError, match="period: the last start year"):
        BaseRates(period=(1990, 1950)).fit("1y")
    with pytest.raises(InputError, match="intensity: expected one of any, war"):
        BaseRates(intensity="big").fit("1y")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- COW
def test_cow_loader_reads_the_synthetic_file_as_cow_lays_it_out():
    assert b"\r" in COW_SYNTHETIC.read_bytes()
    assert not COW_SYNTHETIC.read_bytes().endswith(
        b"\r")
    table = read_cow(COW_SYNTHETIC)
    d = table.data.set_index("id")
    assert len(table) == 4
    assert float(np.median(d["duration_days"])) == 955  # the README's span median
    assert d.loc["cow:9002", "duration_days"] == (dt.date(1913, 8, 1)
                                                  - dt.date(1910, 5, 10)).days + 1
    assert d.loc["cow:9002", "outcome"] == "settlement"  # a stalemate, two phases
    assert d.loc["cow:9004", "outcome"] == "victory"  # a side switch among winners
    assert not d.loc["cow:9003", "ended"]  # -7: ongoing, censored at the end of 2007
    assert d.loc["cow:9003", "duration_days"] == (dt.date(2007, 12, 31)
                                                  - dt.date(2006, 1, 1)).days + 1
    br = BaseRates(months=(36,)).fit("1y", table)
    assert br.n_at_risk_ == 3
    assert br.rates_.loc[36, "p_end"] == pytest.approx(0.5)  # 1180 d ends; 730 d censored


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("WarNum,WarName\r9001,x", r":1: expected COW's Inter-State War data \(v4\.0\), with the "
                               "columns WarNum"),
])
def test_cow_loader_rejects_files_that_are_not_cows(tmp_path, text, message):
    path = tmp_path / "wars.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        read_cow(path)


def test_cow_loader_names_the_line_and_column_of_a_bad_number(tmp_path):
    lines = COW_SYNTHETIC.read_bytes().decode().split("\r")
    lines[3] = lines[3].replace(",1910,", ",19x0,", 1)
    path = tmp_path / "wars.csv"
    path.write_text("\r".join(lines))
    with pytest.raises(DataError, match=r"wars\.csv:4: StartYear1: expected a number, found "
                                        "'19x0'"):
        read_cow(path)


def test_cow_loader_names_a_missing_file():
    with pytest.raises(DataError, match="no such file"):
        read_cow("no-such-cow.csv")


def test_ucdp_loader_names_a_bad_outcome(tmp_path):
    src = ucdp_wars.__module__  # the shipped table, with one outcome spoilt
    from importlib import resources

    shipped = Path(str(resources.files("detente").joinpath(
        "data/outside_view/ucdp_termination_interstate.csv")))
    text = shipped.read_text().replace(",peace_agreement,", ",peace,", 1)
    path = tmp_path / "ucdp.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=r"ucdp\.csv:2: outcome: expected one of "
                                        r"peace_agreement.*found 'peace'"):
        ucdp_wars(path)
    assert src


# --------------------------------------------------------------------------- durations
@pytest.mark.parametrize(("text", "days"), [
    ("645d", 645.0), ("645", 645.0), (645, 645.0), ("2w", 14.0), ("12m", 365.25),
    ("1.5y", 547.875), (dt.timedelta(days=3), 3.0)])
def test_parse_duration(text, days):
    assert parse_duration(text) == pytest.approx(days)


@pytest.mark.parametrize("text", ["-3d", "645x", "d", "", True])
def test_parse_duration_rejects(text):
    with pytest.raises(InputError, match="lasted: expected a duration"):
        parse_duration(text)


# --------------------------------------------------------------------------- estimator
def test_base_rates_follow_the_estimator_contract():
    br = BaseRates(months=(12,), level=0.9)
    assert BaseRates(**br.get_params()).get_params() == br.get_params()
    with pytest.raises(NotFittedError, match="BaseRates is not fitted yet"):
        _ = br.rates_
    with pytest.raises(NotFittedError, match="before calling probability"):
        br.probability(100.0)
    assert br.fit("645d") is br
    assert br.to_dict()["n_at_risk"] == br.n_at_risk_ == 10
    with pytest.raises(InputError, match="months: expected positive whole numbers"):
        BaseRates(months=(0,)).fit(0)
    with pytest.raises(InputError, match="outcome: expected one of settlement"):
        br.probability(100.0, "peace")


def test_no_war_lasted_that_long_says_how_long_the_longest_did():
    with pytest.raises(InputError, match="lasted 7305 days; the longest lasted 3407 days"):
        BaseRates().fit("20y")


# --------------------------------------------------------------------------- beside
def test_beside_gives_gaps_and_whether_the_model_is_inside():
    br = BaseRates().fit("645d")
    view = beside(br, {"a": {"12": 0.0, "24": 0.55}, "b": {"12": None, "24": 0.95}})
    assert view["n_wars"] == 10
    assert view["months"]["12"]["p_end"] == pytest.approx(0.4)
    assert view["policies"]["a"]["12"] == {"p_model": 0.0, "gap_end": pytest.approx(-0.4),
                                           "gap_settlement": pytest.approx(-0.2),
                                           "within": False}
    assert view["policies"]["a"]["24"]["within"] is True
    assert view["policies"]["b"]["12"]["p_model"] is None
    assert view["policies"]["b"]["24"]["within"] is False
    assert "Iran – Iraq, 1980–1988" in view["wars"]


def test_a_scenario_lasted_since_its_war_began():
    import detente as dt_

    assert lasted_days(dt_.load("ukraine-2023")) == 645


def test_a_war_ending_on_the_day_it_reached_the_duration_counts_in_its_outcome():
    table = wars([365, 365, 800], [0, 1, 1], ["", "settlement", "victory"])
    r = BaseRates(months=(1, 24)).fit("365d", table).rates_
    assert r.loc[1, "p_end"] == pytest.approx(1 / 3)
    assert r.loc[1, "p_settlement"] == pytest.approx(1 / 3)
    assert r.loc[24, "p_victory"] == pytest.approx(2 / 3)  # S(435-) = 2/3, then 1 of 1
