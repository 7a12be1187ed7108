"""The report says what a scenario may know, and lists each source it uses from later."""

from __future__ import annotations

import re
from pathlib import Path

from detente.scenario.facts import FactTable

BENCH_KNOWLEDGE = "knowledge: {kind: reconstruction}"


def _report(tmp_path: Path, knowledge: str, *, facts: FactTable | None = None,
            reinforcement: str = "ref:bench") -> str:
    from detente.engine import simulate
    from detente.report import build_report, report_record
    from detente.scenario import builtin_path, load_scenario

    text = builtin_path("lanchester-bench").read_text(encoding="utf-8")
    assert text.count(BENCH_KNOWLEDGE) == 1
    text = text.replace(BENCH_KNOWLEDGE, knowledge)
    old = 'source: "ref:bench", note: "Blue Reinforcement"'
    assert text.count(old) == 1
    text = text.replace(old, f'source: "{reinforcement}", note: "Blue Reinforcement"')
    path = tmp_path / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    sc = load_scenario(path, facts=facts)
    res = simulate(sc, n_samples=4, seed=0, horizon=3, record=report_record(sc))
    html: str = build_report(res, sc, claims=False, tornado_output=None)
    return html.split("</head>", 1)[1]  # the page without Plotly's bundle


def _box(page: str) -> str:
    return page.split('id="hindsight"', 1)[1].split("</div>", 1)[0]


def test_a_forecasts_later_sources_are_listed_with_their_reasons(tmp_path: Path) -> None:
    page = _report(tmp_path, (
        "knowledge: {kind: forecast, later: {'ref:bench': 'the benchmark was defined after "
        "its start', 'ref:off': 'the switched-off mechanisms read nothing'}}"))
    assert "Forecast as of 2024-01-01" in page
    warning = page.split('id="hindsight-warning"', 1)[1].split("</p>", 1)[0]
    assert "uses 2 sources or values from after what it may know" in warning
    box = _box(page)
    assert "<h3>Hindsight and later sources</h3>" in box
    rows = re.findall(r'<tr><td class="name">([^<]+)</td><td class="src">([^<]+)</td>'
                      r'<td class="src">([^<]+)</td><td>([^<]+)</td></tr>', box)
    assert [(e, s, r) for e, s, _, r in rows] == [
        ("ref:bench", "reference bench (undated)", "the benchmark was defined after its start"),
        ("ref:off", "reference off (undated)", "the switched-off mechanisms read nothing")]
    assert "blue.effectiveness" in rows[0][2]
    assert "A historical reconstruction" not in box


def test_a_fact_published_later_is_listed_with_its_date_and_reason(tmp_path: Path) -> None:
    facts = FactTable.from_text(
        "key,value,unit,as_of,published,source\n"
        "reinforcement_2024,3,thousand persons/week,2023-12,2024-02-20,Agency B\n")
    reason = "no figure was public before the start; the February estimate is used, widened"
    page = _report(tmp_path, (
        "knowledge: {kind: forecast, later: {'fact:reinforcement_2024': '" + reason +
        "', 'ref:bench': 'defined later', 'ref:off': 'switched off'}}"),
        facts=facts, reinforcement="fact:reinforcement_2024")
    box = _box(page)
    row = box.split('<td class="name">fact:reinforcement_2024</td>', 1)[1].split("</tr>")[0]
    assert "fact reinforcement_2024 (published 2024-02-20)" in row
    assert "blue.reinforcement" in row
    assert reason in row


def test_a_reconstruction_says_hindsight_is_possible(tmp_path: Path) -> None:
    page = _report(tmp_path, BENCH_KNOWLEDGE)
    assert "Historical reconstruction as of 2024-01-01" in page
    assert "so hindsight is possible" in _box(page)
    assert 'id="hindsight-table"' not in page
    assert 'id="hindsight-warning"' not in page


def test_a_scenario_that_declares_nothing_says_so(tmp_path: Path) -> None:
    page = _report(tmp_path, "")
    assert "look-ahead was not checked" in page
    assert 'id="hindsight"' not in page


def test_the_assumptions_show_the_dates_of_each_source() -> None:
    from detente.present.rows import assumption_rows, describe_source
    from detente.scenario import load_scenario

    korea = load_scenario("korea-1951")
    rows = {r["name"]: r for r in assumption_rows(korea)}
    assert rows["un_command.fire_rate"]["source"].startswith(
        "time_ammo_1953: TIME, \"Armed Forces: Ammunition Shortage\"")
    assert rows["un_command.fire_rate"]["source"].endswith(
        "(published 1953-03-23; refers to 1953-03) (the value refers to 1952)")
    assert describe_source(korea, "ref:calib")[1].endswith("(derived from what the notes cite)")
    kind, text = describe_source(korea, "fact:ru_net_gain_2023")
    assert kind == "fact"
    assert ", published " in text
