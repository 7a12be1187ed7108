"""The outside view's tables: base rates with their wars, beside a comparison, in claims."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

pytest.importorskip("lifelines")


def render(renderables, width: int = 160) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None)
    for r in renderables:
        console.print(r)
    return buf.getvalue()


def test_base_rates_tables_show_horizons_outcomes_and_wars():
    from detente.analysis.outside_view import BaseRates
    from detente.present.outside_view import base_rates_tables

    text = render(base_rates_tables(BaseRates().fit("645d")))
    assert "within 12 months" in text
    assert "within 36 months" in text
    assert "70 % [42–93]" in text
    assert "Indonesia – Malaysia, 1963–1966" in text
    assert "still running when the data end" in text  # India-Pakistan 2014, 86 days


def test_the_comparison_shows_the_outside_view_beside_the_policies():
    from detente.analysis.outside_view import BaseRates
    from detente.analysis.outside_view.beside import beside
    from detente.present.tables import outside_view_tables

    view = beside(BaseRates().fit("645d"), {"status_quo": {"12": 0.05, "24": 0.1}})
    text = render(outside_view_tables(view))
    assert "base rate: the war ends" in text
    assert "5 % (-35 pp, out)" in text
    assert "Eritrea – Ethiopia" in text
    assert "not shown: lifelines" in render(outside_view_tables(
        {"unavailable": "lifelines is missing"}))


def test_a_base_rate_claim_shows_the_model_beside_the_base_rate():
    from detente.present.tables import base_rate_note

    note = base_rate_note({"model": 0.1, "base_rate": 0.6, "interval": [0.33, 0.88],
                           "n_wars": 10, "lasted_days": 645.0, "gap": -0.5})
    assert note == ("model 0.10 vs base rate 0.60 [0.33–0.88] of 10 wars that had lasted "
                    "645 days (gap -0.50)")


def test_reliability_figure_draws_each_forecast():
    pytest.importorskip("plotly")
    from detente.present.outside_view import reliability_figure

    fig = reliability_figure([{"forecast": "model", "p": 0.1, "y": 0},
                              {"forecast": "model", "p": 0.9, "y": 1},
                              {"forecast": "crowd", "p": 0.5, "y": 1}])
    names = [t.name for t in fig.data]
    assert names == ["reliable", "model", "crowd"]
    assert list(fig.data[1].x) == pytest.approx([0.1, 0.9])
    assert list(fig.data[1].y) == [0.0, 1.0]
