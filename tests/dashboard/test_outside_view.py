"""The dashboard's outside-view pane: base rates once per scenario, beside each policy."""

from __future__ import annotations

import pytest

pytest.importorskip("lifelines")


def test_the_pane_shows_base_rates_beside_the_policies():
    from detente.dashboard._model import DashboardModel
    from detente.dashboard._outside import outside_view_html

    m = DashboardModel("ukraine-2023", n_samples=16)
    state = m.update()
    assert m.outside_view is m.outside_view  # fitted once per scenario
    html = outside_view_html(m.outside_view, state.results)
    assert "data-testid='outside-view'" in html
    assert "40 % [17–75]" in html  # by 12 months
    for pol in state.policies:
        assert f"data-testid='outside-{pol}-12'" in html


def test_the_pane_says_why_there_is_no_outside_view(bench_dict, write_scenario):
    from detente.dashboard._model import DashboardModel
    from detente.dashboard._outside import outside_view_html

    bench_dict["time"] = {k: v for k, v in bench_dict["time"].items() if k != "war_began"}
    m = DashboardModel(str(write_scenario(bench_dict)), n_samples=4)
    assert m.outside_view is None
    assert "does not say when its war began" in outside_view_html(None, m.update().results)
    assert "no such thing" in outside_view_html("no such thing", m.update().results)


def test_the_page_shows_the_outside_view_under_the_claims():
    pytest.importorskip("bokeh")
    from detente.dashboard._app import DashboardApp
    from detente.dashboard._model import DashboardModel

    app = DashboardApp(DashboardModel("ukraine-2023", n_samples=16))
    assert "Outside view" in app.outside.text
    assert "data-testid='outside-view'" in app.outside.text
    results = app.layout().children[1].children
    assert results.index(app.outside) == results.index(app.claims) + 1
