"""The HTML report: content, self-containment, escaping, and what a run must record."""

from __future__ import annotations

import re
from typing import Any

import pytest

from detente.present.charts import key_charts
from detente.present.labels import Labels
from detente.present.summary import drawable
from detente.results.schema import model_names


def _without_plotly(html: str) -> str:
    """The page less Plotly's bundle (whose map data names every country)."""
    head, _, rest = html.partition("<script>")
    return head + rest.partition("</script>")[2]


def test_header_names_scenario_seed_samples_version_and_date(report_html: str) -> None:
    from detente._version import __version__

    head = report_html.split('id="run-meta"', 1)[1].split("</div>\n</header>", 1)[0]
    assert "ukraine-2023" in head
    assert re.search(r"<b>Seed</b>1<", head)
    assert "<b>Samples</b>64 per policy" in head
    assert __version__ in head
    assert re.search(r"<b>Report date</b>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", head)


def test_every_section_and_chart_is_there(report_html: str, scenario: Any,
                                          results: Any) -> None:
    shown = [n for n in model_names(results.ds) if drawable(results.ds, n)]
    charts = key_charts(Labels.of(scenario), shown)
    assert len(charts) >= 8
    for spec in charts:
        assert f'id="fig-{spec.key}"' in report_html, spec.key
    for fig in ("settlement", "terms", "escalation", "claims", "tornado"):
        assert f'id="fig-{fig}"' in report_html, fig
    rows = re.findall(r'<tr class="param', report_html)
    assert len(rows) == len(scenario.table)  # the file's parameters and the defaults
    # the scenario's claims, and the outside view's base-rate claims detente claims adds
    shown = re.findall(r'<tr class="claim"[^>]*>\s*<td><b>([^<]+)</b>', report_html)
    assert set(scenario.claims) <= set(shown)
    assert all(c.startswith("outside_view_") for c in set(shown) - set(scenario.claims))
    assert len(shown) == len(set(shown))
    for verdict in ("supported", "refuted", "contested", "untestable"):
        assert f'data-verdict="{verdict}"' in report_html or verdict == "refuted"


def test_units_on_the_fan_charts(report_html: str) -> None:
    # axis titles are in the figures' JSON
    for unit in ("persons", "rounds", "km²", "USD bn", "% a year", "index",
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
    from detente.report import claims_read, report_record, report_variables

    rec = report_record(scenario)
    assert set(claim_variables(scenario)) <= set(rec)
    # what a side owns, as the claims' expressions name it ("russia.gdp_index")
    assert {"russia.gdp_index", "ukraine.shells_fired", "ukraine.veto_risk"} \
        <= set(claims_read(scenario)) <= set(rec)
    assert {"russia.territory", "ukraine.personnel", "russia.personnel", "months_to_settlement",
            "escalated", "deal_territory"} <= set(rec)
    assert set(rec) <= (set(report_variables(scenario)) | set(claim_variables(scenario))
                        | set(claims_read(scenario)))
    assert set(report_record(scenario, defaults=True)) >= set(rec)


@pytest.fixture(scope="module")
def bench() -> Any:
    from detente.scenario import load_scenario

    return load_scenario("lanchester-bench")


@pytest.fixture(scope="module")
def bench_results(bench: Any) -> Any:
    from detente.engine import simulate
    from detente.report import report_record

    return simulate(bench, n_samples=16, seed=0, horizon=10, record=report_record(bench))


@pytest.fixture(scope="module")
def bench_html(bench: Any, bench_results: Any) -> str:
    from detente.report import build_report

    return build_report(bench_results, bench, tornado_output=None)


def test_report_without_claims_or_settlement_still_builds(bench_html: str) -> None:
    assert "states no claims" in bench_html
    assert 'id="fig-settlement"' not in bench_html
    assert 'id="fig-escalation"' not in bench_html
    # its territory stays 0 (no front line): said, not drawn
    assert "The same throughout the run in every sample" in bench_html
    assert "Area of the enemy&#39;s territory Blue holds" in bench_html
    assert 'id="fig-territory"' not in bench_html


def test_a_report_speaks_of_the_scenarios_own_sides_and_start(bench_html: str) -> None:
    page = _without_plotly(bench_html)
    for word in ("Ukrain", "Russia", "NATO", "Kyiv", "Moscow", "December 2023"):
        assert word not in page, word
    assert "<b>Sides</b>Blue, Red" in page
    assert "<h3>Military casualties since 1 January 2024</h3>" in page
    assert "<h3>Red&#39;s artillery-shell stock</h3>" in page
    # the summary: each key output for each side, labelled as the scenario names it
    summary = page.split('id="headline"', 1)[1].split("</table>", 1)[0]
    assert summary.index("Blue — front-line personnel") < summary.index(
        "Red — front-line personnel")
    assert "Red — military casualties since 1 January 2024 (persons)" in summary
    # the legend of a side's series is its name, in its colour
    legend = re.findall(r'"line":\{"color":"(#[0-9A-F]{6})","width":2\},"mode":"lines",'
                        r'"name":"(\w+) \(median and bands\)"', page)
    assert ("#1F5FA8", "Blue") in legend
    assert ("#B22222", "Red") in legend


def test_renamed_sides_and_start_rename_the_report(tmp_path: Any) -> None:
    from detente.engine import simulate
    from detente.report import build_report, report_record
    from detente.scenario import builtin_path, load_scenario

    text = builtin_path("lanchester-bench").read_text(encoding="utf-8")
    text = text.replace("{name: Red,", "{name: Northern Federation,").replace(
        "2024-01-01", "1998-05-06")  # the start, and the day the war began
    path = tmp_path / "north.yaml"
    path.write_text(text, encoding="utf-8")
    sc = load_scenario(path)
    res = simulate(sc, n_samples=8, seed=0, horizon=6, record=report_record(sc))
    page = _without_plotly(build_report(res, sc, tornado_output=None))
    assert "<b>Sides</b>Blue, Northern Federation" in page
    assert "Northern Federation — front-line personnel" in page
    assert "<h3>Military casualties since 6 May 1998</h3>" in page
    assert "ratio, Blue \\u00f7 Northern Federation" in page  # the figure's JSON
    # the old name is gone from the summary, the headings and the charts (the file's own
    # notes on its parameters still say what they say)
    summary = page.split('id="headline"', 1)[1].split("</table>", 1)[0]
    assert "Red" not in summary
    assert not [h for h in re.findall(r"<h3>([^<]*)</h3>", page) if "Red" in h]
    assert '"name":"Red' not in page


def test_the_default_tornado_reads_the_first_sides_ratio(bench: Any, bench_results: Any,
                                                         ) -> None:
    from detente.report import build_report, default_tornado_output

    assert default_tornado_output(bench) == "blue.combat_power_ratio"
    html = build_report(bench_results, bench, tornado_trajectories=2, seed=1)
    assert 'id="fig-tornado"' in html
    assert "<h3>What moves Blue — combat power over its enemy&#39;s</h3>" in html


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
