"""The HTML report: content, self-containment, escaping, and what a run must record."""

from __future__ import annotations

import re
from typing import Any

import pytest

from detente.present.style import KEY_CHARTS


def test_header_names_scenario_seed_samples_version_and_date(report_html: str) -> None:
    from detente._version import __version__

    head = report_html.split('id="run-meta"', 1)[1].split("</div>\n</header>", 1)[0]
    assert "ukraine-2023" in head
    assert re.search(r"<b>Seed</b>1<", head)
    assert "<b>Samples</b>64 per policy" in head
    assert __version__ in head
    assert re.search(r"<b>Report date</b>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", head)


def test_every_section_and_chart_is_there(report_html: str, scenario: Any) -> None:
    for spec in KEY_CHARTS:
        assert f'id="fig-{spec.key}"' in report_html, spec.key
    for fig in ("settlement", "terms", "escalation", "claims", "tornado"):
        assert f'id="fig-{fig}"' in report_html, fig
    rows = re.findall(r'<tr class="param', report_html)
    assert len(rows) == len(scenario.parameters)
    assert report_html.count('<tr class="claim"') == len(scenario.claims)
    for verdict in ("supported", "refuted", "contested", "untestable"):
        assert f'data-verdict="{verdict}"' in report_html or verdict == "refuted"


def test_units_on_the_fan_charts(report_html: str) -> None:
    # axis titles are in the figures' JSON
    for unit in ("persons", "rounds", "km²", "USD bn", "% a year", "index, 0–1",
                 "ratio, Ukraine ÷ Russia"):
        assert f'"text":"{unit}"' in report_html.replace("\\u00b2", "²").replace(
            "\\u2013", "–").replace("\\u00f7", "÷"), unit


def test_self_contained_plotly_embedded_once_nothing_fetched(report_html: str) -> None:
    import plotly

    assert report_html.count("plotly.js v") <= 2  # the bundle's banner, once
    assert report_html.count("<script>/**") + report_html.count("<script>!function") <= 1
    assert "cdn.plot.ly" not in report_html.replace("cdn.plot.ly/", "")  # no <script src>
    assert not re.search(r"<script[^>]+src=", report_html)
    assert not re.search(r"<link[^>]+href=", report_html)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", report_html)
    assert plotly.__version__ in report_html


def test_scenario_text_is_escaped(results: Any, scenario: Any) -> None:
    from detente.report import build_report

    evil = scenario.model_copy(update={"description": "<script>alert(1)</script>"})
    html = build_report(results, evil, claims=False, tornado_output=None)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Claims were not evaluated" in html
    assert "No sensitivity tornado" in html


def test_record_holds_what_charts_and_claims_read(scenario: Any) -> None:
    from detente.present.record import claim_variables
    from detente.report import REPORT_VARIABLES, report_record

    rec = report_record(scenario)
    assert set(claim_variables(scenario)) <= set(rec)
    assert {"ru_output_gap", "months_to_settlement", "escalated"} <= set(rec)
    assert set(rec) <= set(REPORT_VARIABLES) | set(claim_variables(scenario))
    assert set(report_record(scenario, defaults=True)) >= set(rec)


def test_report_without_claims_or_settlement_still_builds() -> None:
    from detente.engine import simulate
    from detente.report import build_report, report_record
    from detente.scenario import load_scenario

    sc = load_scenario("lanchester-bench")
    res = simulate(sc, n_samples=16, seed=0, horizon=10, record=report_record(sc))
    html = build_report(res, sc, tornado_output=None)
    assert "states no claims" in html
    assert 'id="fig-settlement"' not in html
    assert "Not recorded in this run" in html


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch, results: Any,
                                scenario: Any) -> None:
    import importlib

    from detente.errors import MissingDependencyError
    from detente.report import build_report

    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name.startswith(("jinja2", "plotly")):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr("detente._optional.importlib.import_module", fake)
    with pytest.raises(MissingDependencyError, match=r"detente\[report\]"):
        build_report(results, scenario, claims=False, tornado_output=None)


def test_write_report_is_atomic_and_checks_the_path(tmp_path: Any) -> None:
    from detente.errors import InputError
    from detente.report import write_report

    out = write_report("<html></html>", tmp_path / "r.html")
    assert out.read_text() == "<html></html>"
    assert not list(tmp_path.glob(".*part"))
    with pytest.raises(InputError, match="does not exist"):
        write_report("x", tmp_path / "nope" / "r.html")
    with pytest.raises(InputError, match="is a folder"):
        write_report("x", tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="is not a folder"):
        write_report("x", tmp_path / "file" / "r.html")
