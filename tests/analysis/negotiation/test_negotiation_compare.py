"""``compare`` sets the actors' forecasts beside the settlement model's Nash terms."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from detente.analysis.compare import compare_summary
from detente.engine import simulate
from detente.present.tables import comparison_tables
from detente.scenario import load_scenario


@pytest.fixture(scope="module")
def ukraine_results():
    sc = load_scenario("ukraine-2023")
    return simulate(sc, n_samples=24, seed=2, horizon=60,
                    policies=["status_quo", "direct_talks"])


def test_compare_holds_the_forecasts_and_each_policys_terms(ukraine_results):
    data = compare_summary(ukraine_results, months=(12,))
    beside = data["negotiation"]
    assert beside["meta"]["n_samples"] == 24
    assert list(beside["nash"]) == ["status_quo", "direct_talks"]
    for policy, terms in beside["nash"].items():
        assert terms == data["policies"][policy]["terms"]
    for model in ("baseline_mean", "baseline_median", "expected_utility", "exchange"):
        shares = beside["models"][model]["terms"]["territory"]
        assert list(shares) == beside["issues"]["territory"]
        assert sum(shares.values()) == pytest.approx(1.0)
    assert "negotiation" not in compare_summary(ukraine_results, months=(12,), negotiation=False)


def test_the_comparison_tables_show_the_actors_view(ukraine_results):
    data = compare_summary(ukraine_results, months=(12,))
    console = Console(file=io.StringIO(), width=200)
    for r in comparison_tables(data):
        console.print(r)
    text = console.file.getvalue()
    assert "the actors' view beside the settlement's terms" in text
    assert "Nash terms: direct_talks" in text
    assert "expected utility" in text


def test_a_war_without_actors_compares_as_before():
    sc = load_scenario("lanchester-bench")
    res = simulate(sc, n_samples=8, seed=0, horizon=60)
    assert "negotiation" not in compare_summary(res, months=(12,))
