"""Labels from the scenario: owners' names, variables' descriptions and units, the start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.present.labels import Labels
from detente.scenario import builtin_path, load_scenario


@pytest.fixture(scope="module")
def bench() -> Any:
    return load_scenario("lanchester-bench")


@pytest.fixture(scope="module")
def bench_results(bench: Any) -> Any:
    from detente.engine import simulate

    return simulate(bench, n_samples=4, seed=0, horizon=3)


def _toy(**variables: tuple[str, str]) -> Labels:
    return Labels(dt.date(1998, 5, 6), (("north", "Northland"), ("south", "South Isles"),
                                       ("ally", "The Ally")), ("north", "south"), variables)


def test_owners_and_colours_come_from_the_cast(bench: Any) -> None:
    labels = Labels.of(bench)
    assert labels.sides == ("blue", "red")
    assert [labels.name(x) for x in labels.sides] == ["Blue", "Red"]
    assert labels.colour("blue") == "#1F5FA8"
    assert labels.colour("red") == "#B22222"
    assert labels.name("nobody") == "nobody"
    assert labels.start == dt.date(2024, 1, 1)
    assert labels.since == "since 1 January 2024"


def test_titles_headings_and_common_titles(bench: Any) -> None:
    labels = Labels.of(bench)
    assert labels.unit("blue.personnel") == "persons"
    assert labels.title("blue.personnel") == "Blue — front-line personnel"
    assert labels.heading("red.shells") == "Red's artillery-shell stock"
    # "since the start" is the scenario's start; an explanation in brackets is cut
    assert labels.title("red.casualties_cum") == "Red — military casualties since 1 January 2024"
    assert labels.title("blue.combat_power_ratio") == "Blue — combat power over its enemy's"
    assert labels.description("blue.combat_power_ratio").endswith("supply).")
    # a description that names its owner elsewhere reads as it is
    assert labels.title("blue.territory") == "Area of the enemy's territory Blue holds"
    assert labels.common(["blue.personnel", "red.personnel"]) == "Front-line personnel"
    assert labels.common(["blue.territory", "red.territory"]) == (
        "Area of the enemy's territory each side holds")
    assert labels.common(["blue.personnel"], short=False) == "Each side's front-line personnel."


def test_labels_of_what_nobody_owns_and_of_unknown_names() -> None:
    labels = _toy(**{"war_intensity": ("fraction", "Intensity of the fighting (1 = full)."),
                     "ally.aid_index": ("fraction", "The Ally's aid that continues."),
                     "north.gdp": ("USD bn/year", "GDP of Northland: 0 where not modelled.")})
    assert labels.title("war_intensity") == "Intensity of the fighting"
    assert labels.title("ally.aid_index") == "The Ally — aid that continues"
    assert labels.common(["ally.aid_index"]) == "Aid that continues"
    # an acronym keeps its capitals; the explanation after a colon is cut
    assert labels.title("north.gdp") == "GDP of Northland"
    assert labels.common(["north.gdp"]) == "GDP of each side"
    assert labels.title("south.no_such_thing") == "South Isles — no such thing"
    assert labels.heading("no_such_thing") == "no such thing"


def test_the_dataset_alone_gives_the_scenarios_labels(bench: Any, bench_results: Any) -> None:
    """A run opened from a file (no scenario) is labelled as the scenario labels it."""
    from detente.results.schema import model_names

    of_scenario = Labels.of(bench)
    of_data = Labels.of_dataset(bench_results.ds)
    assert of_data.sides == of_scenario.sides
    assert of_data.owners == of_scenario.owners
    assert of_data.start == of_scenario.start
    recorded = model_names(bench_results.ds)
    assert recorded
    for name in recorded:
        assert of_data.variables[name] == of_scenario.variables[name], name
        assert of_data.title(name) == of_scenario.title(name)


NAMES = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x24f),
                min_size=2, max_size=12).map(str.title)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=NAMES, second=NAMES, start=st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))
def test_any_names_and_start_are_those_shown(tmp_path: Path, first: str, second: str,
                                             start: dt.date) -> None:
    from detente.engine import simulate
    from detente.present.style import fmt_date

    if first == second or "side" in (first.lower(), second.lower()):
        return
    text = builtin_path("lanchester-bench").read_text(encoding="utf-8")
    text = text.replace("{name: Blue,", f"{{name: '{first}',"
                        ).replace("{name: Red,", f"{{name: '{second}',"
                                  ).replace("2024-01-01", start.isoformat())  # war_began too
    path = tmp_path / "renamed.yaml"
    path.write_text(text, encoding="utf-8")
    sc = load_scenario(path)
    for labels in (Labels.of(sc), Labels.of_dataset(
            simulate(sc, n_samples=2, seed=0, horizon=1, record=["blue.casualties_cum",
                                                                 "red.personnel"]).ds)):
        assert labels.title("blue.casualties_cum") == (
            f"{first} — military casualties since {fmt_date(start)}")
        assert labels.title("red.personnel") == f"{second} — front-line personnel"
