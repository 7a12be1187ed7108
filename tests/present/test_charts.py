"""The key charts of a scenario: each key output for every side, named as the scenario does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from detente.present.charts import key_chart_variables, key_charts, key_variables
from detente.present.labels import Labels
from detente.results import KEY_OUTPUTS
from detente.scenario import builtin_path, load_scenario


@pytest.fixture(scope="module")
def labels() -> Labels:
    return Labels.of(load_scenario("lanchester-bench"))


def test_every_key_output_for_every_side_in_order(labels: Labels) -> None:
    names = key_variables(labels)
    bases = [n.partition(".")[2] for n in names]
    # KEY_OUTPUTS' order, each base for the sides in the cast's order
    assert bases == sorted(bases, key=KEY_OUTPUTS.index)
    assert names[:4] == ["blue.combat_power_ratio", "red.combat_power_ratio",
                         "blue.personnel", "red.personnel"]
    assert set(bases) == {b for b in KEY_OUTPUTS if f"blue.{b}" in labels.variables}
    assert key_variables(labels, ["red.shells", "blue.shells", "war_intensity"]) == [
        "blue.shells", "red.shells"]


def test_charts_draw_a_series_per_side_named_and_coloured_by_the_cast(labels: Labels) -> None:
    charts = {c.key: c for c in key_charts(labels)}
    assert list(charts) == ["combat_power_ratio", "personnel", "shells-blue", "shells-red",
                            "territory", "casualties_cum"]
    personnel = charts["personnel"]
    assert personnel.title == "Front-line personnel"
    assert [(s.variable, s.label, s.colour) for s in personnel.series] == [
        ("blue.personnel", "Blue", "#1F5FA8"), ("red.personnel", "Red", "#B22222")]
    assert personnel.unit == "persons"
    assert charts["shells-red"].title == "Red's artillery-shell stock"
    assert charts["casualties_cum"].title == "Military casualties since 1 January 2024"
    ratio = charts["combat_power_ratio"]
    assert [s.variable for s in ratio.series] == ["blue.combat_power_ratio"]
    assert ratio.unit == "ratio, Blue ÷ Red"
    assert ratio.reference == 1.0
    assert ratio.caption.endswith("Below 1, Red holds the edge.")
    for chart in charts.values():
        assert chart.caption.endswith(".")
        for word in ("Ukrain", "Russia"):
            assert word not in f"{chart.title} {chart.caption} {chart.unit}"
    assert set(key_chart_variables(labels)) <= set(key_variables(labels))


def test_only_what_can_be_drawn_is_charted(labels: Labels) -> None:
    charts = key_charts(labels, ["blue.personnel", "red.shells"])
    assert [c.key for c in charts] == ["personnel", "shells-red"]
    # one side's series alone is headed by that side's own description
    assert charts[0].title == "Blue's front-line personnel"
    assert key_charts(labels, []) == []


def test_the_cast_order_decides_colours_and_the_ratio(tmp_path: Path) -> None:
    text = builtin_path("lanchester-bench").read_text(encoding="utf-8")
    blue = '  blue: {name: Blue, description: "Blue side of the benchmark"}\n'
    red = '  red: {name: Red, description: "Red side of the benchmark"}\n'
    assert blue + red in text
    path = tmp_path / "red-first.yaml"
    path.write_text(text.replace(blue + red, red + blue), encoding="utf-8")
    swapped = Labels.of(load_scenario(path))
    charts = {c.key: c for c in key_charts(swapped)}
    assert [(s.label, s.colour) for s in charts["personnel"].series] == [
        ("Red", "#1F5FA8"), ("Blue", "#B22222")]
    assert charts["combat_power_ratio"].unit == "ratio, Red ÷ Blue"


def test_a_yearly_rate_is_drawn_in_per_cent() -> None:
    import datetime as dt

    labels = Labels(dt.date(2000, 1, 1), (("a", "Aland"), ("b", "Bland")), ("a", "b"),
                    {"b.inflation": ("fraction/year", "Bland's inflation (annual rate)."),
                     "a.inflation": ("fraction/year", "Aland's inflation (annual rate).")})
    charts = key_charts(labels)
    assert [c.key for c in charts] == ["inflation-a", "inflation-b"]  # a chart per side
    assert charts[1].title == "Bland's inflation"
    assert charts[1].unit == "% a year"
    assert charts[1].series[0].scale == 100.0


def test_charts_of_a_scenario_with_supporters(tmp_path: Any) -> None:
    """Supporters own no key output: the charts are the sides'."""
    labels = Labels.of(load_scenario("ukraine-2023"))
    for chart in key_charts(labels):
        for s in chart.series:
            assert s.variable.partition(".")[0] in labels.sides or "." not in s.variable
