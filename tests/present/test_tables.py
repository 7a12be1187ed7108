"""Terminal tables, rendered on a fixed-width console as a terminal would show them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType

from detente.analysis import ClaimResult
from detente.present import tables

WIDTH = 100


def render(items: RenderableType | Iterable[RenderableType], width: int = WIDTH) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    for item in items if isinstance(items, list) else [items]:
        console.print(item)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines())


def test_run_outcomes_table_renders_exactly():
    rows = [
        {"policy": "status_quo", "variable": "blue.personnel", "units": "persons",
         "low": 394_000.0, "median": 408_000.0, "high": 422_000.0},
        {"policy": "more_aid", "variable": "red.territory", "units": "km2",
         "low": float("nan"), "median": 0.0, "high": 1234.0},
        {"policy": "more_aid", "variable": "x", "low": 1.0, "median": 2.0, "high": 3.0},
    ]
    assert render(tables.run_outcomes_table(rows, run_id="bench-1", n_samples=80)) == (
        "run bench-1: 80 samples\n"
        "┏━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ policy     ┃ variable       ┃ unit             ┃ at the horizon: median [10–90 %] ┃\n"
        "┡━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ status_quo │ blue.personnel │ thousand persons │ 408 [394–422]                    │\n"
        "│ more_aid   │ red.territory  │ km²              │ 0 [––1,234]                      │\n"
        "│ more_aid   │ x              │                  │ 2 [1–3]                          │\n"
        "└────────────┴────────────────┴──────────────────┴──────────────────────────────────┘")


@pytest.mark.parametrize(("value", "unit", "shown", "unit_shown"), [
    (109_940.4, "km2", "109,940", "km²"),
    (0.0753, "fraction/year", "7.53", "% a year"),
    (0.181, "fraction", "18.1", "%"),
    (6_509_000.0, "persons", "6,509", "thousand persons"),
    (445_200.0, "rounds", "445", "thousand rounds"),
    (-189_000.0, "persons", "−189", "thousand persons"),
    (29.21, "USD bn", "29.2", "USD bn"),
    (0.7771, "ratio", "0.777", "ratio"),
    (float("nan"), "km2", "–", "km²"),
])
def test_values_are_written_in_the_unit_that_fits(value: float, unit: str, shown: str,
                                                   unit_shown: str):
    assert tables.fmt_value(value, unit) == shown
    assert tables.shown_unit(unit) == unit_shown


def test_changes_carry_their_sign():
    assert tables.fmt_value(2085.2, "km2", sign=True) == "+2,085"
    assert tables.fmt_value(-12.0, "km2", sign=True) == "−12"
    assert tables.fmt_value(0.0, "km2", sign=True) == "0"


@settings(max_examples=60, deadline=None)
@given(n_columns=st.integers(1, 12), width=st.integers(60, 160),
       name_len=st.integers(3, 24), cell=st.integers(1, 30), label=st.integers(1, 60),
       model_name=st.integers(5, 36))
def test_a_pivot_fits_its_width_and_cuts_nothing(n_columns: int, width: int, name_len: int,
                                                 cell: int, label: int, model_name: int):
    columns = [f"{'p' * (name_len - 1)}{j}" for j in range(n_columns)]
    model = "n" * (model_name - 1) + "."
    rows = [("word " * (label // 5 + 1) + f"\n[dim]{model} · unit[/]",
             [f"{'9' * cell}{j}\n[dim][1–2][/]" for j in range(n_columns)])
            for _ in range(2)]
    text = render(tables.Pivot("title", columns, rows, head="variable"), width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text
    for j, name in enumerate(columns):  # every column and every number, whole
        assert name in text
        assert f"{'9' * cell}{j}" in text
    # each column shown once
    assert sum(text.count(f" {c} ") for c in columns) == n_columns
    # a model name is never folded over two lines when a column of its width fits
    widest = max([*(len(c) for c in columns),
                  *(cell + len(str(j)) for j in range(n_columns)), 5])
    if 1 + model_name + 3 + widest + 3 <= width:
        assert f"│ {model} " in text


def _comparison() -> dict[str, Any]:
    band = {"median": 410_000.0, "low": 380_000.0, "high": 440_000.0}
    return {
        "meta": {"scenario": "lanchester-bench", "n_samples": 200, "seed": 7,
                 "months": [12, 24], "outcome_month": 24, "baseline": "status_quo"},
        "policies": {
            "status_quo": {
                "p_settlement": {"12": 0.1, "24": 0.25}, "median_months_to_settlement": None,
                "p_escalation": 0.0, "outcomes": {"blue.personnel": band}, "vs_baseline": {},
                "terms": {"territory": {"frozen": 0.7, "partial_return": 0.3}}},
            "direct_talks": {
                "p_settlement": {"12": 0.45, "24": 0.8}, "median_months_to_settlement": 14.5,
                "p_escalation": 0.01, "outcomes": {"blue.personnel": band},
                "vs_baseline": {"p_settlement": {"value": 0.55, "se": 0.04},
                                "blue.personnel": {"value": None, "se": None}},
                "terms": {"territory": {"frozen": 0.2, "partial_return": 0.8}}},
        },
    }


@pytest.fixture(scope="module")
def bench_labels() -> Any:
    from detente.present.labels import Labels
    from detente.scenario import load_scenario

    return Labels.of(load_scenario("lanchester-bench"))


def test_comparison_tables(bench_labels: Any):
    bands = [{"policy": p, "month": 24, "variable": "red.shells", "units": "rounds",
              "low": 1e5, "median": 2e5, "high": 3e5} for p in ("status_quo", "direct_talks")]
    bands.append({"policy": "status_quo", "month": 24, "variable": "blue.personnel",
                  "units": "persons", "low": 0.0, "median": 1.0, "high": 2.0})
    found = tables.comparison_tables(_comparison(), labels=bench_labels, bands=bands)
    head, *rest = (render(t, width=140) for t in found)
    assert head == ("lanchester-bench: policies compared (200 samples, seed 7); outcomes: "
                    "median [10th–90th] at 24 months")
    chances, forces, diff, terms = rest  # the bench's two outcomes share one topic
    assert chances.startswith("settlement and escalation")
    assert re.search(r"P\(settlement\) by 12 months\s+│\s+10 %\s+│\s+45 %", chances)
    assert re.search(r"median months to settlement\s+│\s+–\s+│\s+14.5", chances)
    assert re.search(r"P\(escalation\) by 24 months\s+│\s+0 %\s+│\s+1 %", chances)
    # outcomes named as the scenario names them, above their id and unit; the comparison's
    # own value comes first
    assert forces.startswith("forces and munitions at 24 months")
    assert re.search(r"Blue — front-line personnel\s+│\s+410\s+│\s+410 │", forces)
    assert re.search(r"blue.personnel · thousand persons\s+│\s+\[380–440\]", forces)
    assert forces.count("Blue — front-line personnel") == 1
    assert re.search(r"Red — artillery-shell stock\s+│\s+200\s+│\s+200 │", forces)
    assert "difference from status_quo" in diff
    assert re.search(r"P\(settlement\) by 24 months\s+│\s+55 pp", diff)
    assert re.search(r"│\s+± 4 │", diff)
    assert re.search(r"Blue — front-line personnel\s+│\s+–", diff)
    assert re.search(r"territory\s+│\s+frozen\s+│\s+partial_return", terms)
    assert re.search(r"│\s+70 %\s+│\s+80 %", terms)


def test_comparison_shows_an_areas_change_and_says_what_totals_and_signs_mean():
    data = _comparison()
    for pol in data["policies"].values():
        pol["outcomes"] = {
            "red.territory": {"median": 109_940.0, "low": 108_000.0, "high": 112_500.0},
            "casualties": {"median": 5e5, "low": 4e5, "high": 6e5},
            "blue.refugees_returned": {"median": -2e5, "low": -3e5, "high": -1e5}}
        pol["vs_baseline"] = {k: {"value": None, "se": None} for k in pol["outcomes"]}
    from detente.analysis.compare import OUTCOMES

    changes = [{"policy": p, "month": 24, "variable": "red.territory", "units": "km2",
                "low": 0.0, "median": 2085.0, "high": 4000.0} for p in data["policies"]]
    from detente.present.labels import Labels
    from detente.scenario import load_scenario

    labels = Labels.of(load_scenario("korea-1951"))
    said = [*OUTCOMES, ("red.territory", "km2", "x"),
            ("blue.refugees_returned", "persons", "refugees of Blue returned since the start")]
    text = render(tables.comparison_tables(data, said,
                                           labels=None, changes=changes), width=100)
    assert "109,940 (+2,085)" in text
    assert "[108,000–112,500]" in text
    assert "Military casualties since the start, every side combined" in text
    assert "net return since the start (negative: outflow)" in text
    assert "[−300 to −100]" in text
    both = render(tables.comparison_tables(data, OUTCOMES, labels=labels), width=100)
    assert "both sides combined" in both


def test_comparison_without_a_baseline_has_no_difference_table():
    data = _comparison()
    data["meta"]["baseline"] = None
    for pol in data["policies"].values():
        pol["terms"] = None
    found = [render(t) for t in tables.comparison_tables(data, [])]
    assert not any("difference from" in t for t in found)
    assert not any("terms of" in t for t in found)


def _claim(**kw: Any) -> ClaimResult:
    base = {"id": "c", "text": "", "source": "", "policies": ["status_quo"], "test": "",
            "verdict": "supported", "probability": 0.9, "interval": (0.8, 0.95),
            "interval_method": "jeffreys", "n_samples": 100,
            "thresholds": {"supported": 0.8, "refuted": 0.2}}
    return ClaimResult(**{**base, **kw})


def test_claims_table_shows_verdicts_hinges_and_missing_extras():
    claims = [
        _claim(id="stalemate", text="The war settles into a stalemate " + "and drags on " * 20,
               hinges_on=["ukraine.recruit_rate", "russia.fire_rate"],
               prim="fails where ukraine.recruit_rate < 0.01"),
        _claim(id="china", verdict="untestable", probability=None, interval=None,
               reason="The model has no China.", hinges_on=["x"]),
        _claim(id="aid", verdict="contested", probability=0.5, interval=(0.41, 0.6),
               notes=["SALib is not installed: no Sobol hinges", "another remark"]),
    ]
    items = tables.claims_table(claims, title="claims of test — 100 samples, seed 0")
    assert len(items) == 2  # the table and one note
    text = render(items, width=140)
    assert re.search(r"The war settles into a stalemate and[\w ]*│ supported\s+│ 0.90 │\s+"
                     r"\[0.80, 0.95\] │ ukraine.recruit_rate, russia.fire_rate", text)
    assert re.search(r"and…\s+│", text)  # shortened to fit, with an ellipsis
    assert re.search(r"│ stalemate\s+│", text)  # the id below its text
    assert "fails where ukraine.recruit_rate < 0.01" in text
    assert re.search(r"china\s+│ untestable\s+│\s+– │\s+– │ The model has no China.", text)
    assert "0.50" in text
    assert "[0.41, 0.60]" in text
    assert text.splitlines()[-1] == "SALib is not installed: no Sobol hinges"
    assert "another remark" not in text


def test_sensitivity_table_shows_the_top_rows_and_counts_the_rest():
    df = pd.DataFrame({"ST": [0.61, 0.2, 0.01234], "S1": [0.5, 0.1, 0.0]},
                      index=["alpha", "beta", "gamma"])
    items = tables.sensitivity_table(df, title="sobol indices of x at end", top=2)
    text = render(items)
    assert re.search(r"alpha\s+│\s+0.61 │\s+0.5", text)
    assert "gamma" not in text
    assert text.splitlines()[-1] == "1 more parameters (--top to show them, --json for all)"
    assert len(tables.sensitivity_table(df, title="t", top=3)) == 1


def test_runs_and_scenarios_tables():
    row = {"id": "bench-1", "scenario": "lanchester-bench", "scenario_hash": "4366e91f",
           "seed": "0", "n_samples": 80, "blocks_done": 1, "n_blocks": 2, "status": "partial",
           "created": "2026-01-01T00:00:00", "detente_version": "0.1.0"}
    text = render(tables.runs_table([row], store="runs"), width=160)
    assert text.startswith("runs in runs")
    assert re.search(r"bench-1\s+│ lanchester-bench │ 4366e91f │ 0\s+│ 80\s+│ 1/2\s+│ "
                     r"partial", text)
    from detente.scenario import load_scenario

    sc = load_scenario("lanchester-bench")
    text = render(tables.scenarios_table([("lanchester-bench", sc)]), width=160)
    steps = f"{sc.time.horizon_steps} × {sc.time.step_days:g} d"
    assert re.search(rf"lanchester-bench\s+│ {re.escape(sc.title)}\s+│ {steps}", text)


def test_summary_tables_of_a_run():
    from detente.engine import simulate
    from detente.scenario import load_scenario

    sc = load_scenario("lanchester-bench")
    res = simulate(sc, n_samples=16, seed=0,
                   record=["blue.personnel", "red.personnel", "blue.territory", "red.shells"])
    items = tables.summary_tables(res, (12.0, 24.0, 1200.0))
    assert len(items) == 1 + 2  # the heading, one topic at each month the run reaches
    text = render(items, width=160)
    assert text.splitlines()[0] == (f"{sc.title} — 16 samples, seed 0; median "
                                    "[10th–90th percentile] under each policy")
    assert "forces and munitions at 12 months" in text
    assert "forces and munitions at 24 months" in text
    assert "1200 months" not in text  # beyond the run
    assert re.search(r"variable\s+┃\s+status_quo ┃", text)  # policies as columns
    # each side's variable, titled as the scenario names it, above its id and unit
    assert re.search(r"Blue — front-line personnel\s+│\s+\d+(\.\d+)? │", text)
    assert re.search(r"blue.personnel · thousand persons\s+│\s+\[\d+(\.\d+)?–\d+(\.\d+)?\] │",
                     text)
    assert text.index("Blue — front-line") < text.index("Red — front-line") < text.index(
        "Red — artillery-shell stock")
    assert "territory" not in text  # 0 throughout: the benchmark has no front line
    for word in ("Ukrain", "Russia"):
        assert word not in text
    chosen = render(tables.summary_tables(res, (12.0,), names=["red.shells"]))
    assert "red.shells · thousand rounds" in chosen
    assert "personnel" not in chosen


def test_summary_tables_keep_their_numbers_on_a_narrow_terminal():
    from detente.engine import simulate
    from detente.scenario import load_scenario

    res = simulate(load_scenario("lanchester-bench"), n_samples=16, seed=0)
    text = render(tables.summary_tables(res, (12.0, 24.0, 36.0)), width=60)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 60
    assert re.search(r"│\s+\[\d+(\.\d+)?–\d+(\.\d+)?\] │", text)


@pytest.fixture(scope="module")
def battle() -> Any:
    from detente.analysis import simulate_battle

    return simulate_battle("square", {"a": 0.004, "b": 0.006}, blue0=20_000.0,
                           red0=15_000.0, n_days=40, noise=0.05, seed=2)


def test_law_fit_and_comparison_tables(battle: Any):
    from detente.analysis import LanchesterFit, LawComparison

    fit = LanchesterFit("square", n_boot=20, seed=0).fit(battle)
    table, line = tables.law_fit_table(fit)
    text = render([table, line], width=120)
    assert "square law" in text
    assert "95% interval" in text
    assert re.search(r"\ba\s+│\s+0.00\d+ │ \[0.00\d+, 0.00\d+\]", text)
    assert line.startswith("R² ")
    assert "20 bootstrap replicates" in line
    cmp = LawComparison(n_boot=0, seed=0).fit(battle)
    text = render(tables.law_comparison_table(cmp, source="battle.csv", n_rows=battle.n),
                  width=140)
    assert f"laws fitted by loglinear to battle.csv ({battle.n} rows); best: {cmp.best_}" in text
    for law in ("square", "linear", "logarithmic", "mixed", "power"):
        assert re.search(rf"│ {law}\s+│", text), law
