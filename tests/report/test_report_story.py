"""The report tells the story: its summary in words, overlays, claims' metrics, navigation.

Every number the summary's sentences give is checked against the table cell it names, so
the words cannot drift from the numbers.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from detente.present.rows import claim_rows

from .conftest import HORIZON


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _body(page: str) -> str:
    """The page after Plotly's bundle (in the head)."""
    return page.split("</script>", 1)[1]


_FIG = re.compile(r'<span class="fig" data-ref="([^"]+)"(?: data-value="([^"]*)")?>'
                  r'<span class="v">([^<]*)</span>(?: [^<]*)?'
                  r'(?: <span class="small">([^<]*)</span>)?</span>')
_CELL = re.compile(r'<td class="num" data-ref="([^"]+)">([^<]*)'
                   r'(?:<br><span class="small">([^<]*)</span>)?</td>')


def _figures(page: str) -> list[tuple[str, str | None, str, str]]:
    """(ref, value, text, band) of every number in the summary's sentences."""
    narrative = _body(page).split('id="narrative"', 1)[1].split("</div>", 1)[0]
    return [(r, v or None, t, b or "") for r, v, t, b in _FIG.findall(narrative)]


@pytest.fixture(scope="module")
def fitted(results: Any, scenario: Any) -> Any:
    from detente.analysis.claims import Claims

    return Claims(hinges=()).fit(scenario, results, seed=1, horizon=HORIZON)


@pytest.fixture(scope="module")
def story(results: Any, scenario: Any, fitted: Any) -> str:
    from detente.report import build_report

    return build_report(results, scenario, claims=fitted, tornado_output=None, skill="none")


def test_every_number_in_the_summary_is_the_table_cell_it_names(story: str) -> None:
    cells = {ref: (main, band or "") for ref, main, band in _CELL.findall(_body(story))}
    said = [f for f in _figures(story) if f[0].startswith("headline:")]
    policies = re.findall(r'<th class="num">([^<]+)</th>',
                          _body(story).split('id="headline"', 1)[1].split("</thead>", 1)[0])
    # each policy: territory, casualties, settlement and escalation, each with its band
    assert len(said) >= 4 * len(policies)
    for ref, _value, text, band in said:
        assert ref in cells, ref
        assert (html_lib.unescape(text), html_lib.unescape(band)) == tuple(
            html_lib.unescape(x) for x in cells[ref]), ref
    for topic in ("russia.territory", "casualties", "escalation"):
        assert {f"headline:{topic}:{p}" for p in policies} <= {f[0] for f in said}, topic


def test_the_sentences_say_what_each_policy_leads_to(story: str) -> None:
    text = _text(_body(story).split('id="narrative"', 1)[1].split("</div>", 1)[0])
    policies = re.findall(r'<th class="num">([^<]+)</th>',
                          _body(story).split('id="headline"', 1)[1].split("</thead>", 1)[0])
    for pol in policies:
        sentence = re.search(rf"Under {pol}, (.*?)\.(?= Under | [A-Z]|$)", text)
        assert sentence, pol
        assert "territory" in sentence.group(1)
        assert "casualties" in sentence.group(1)
        assert "P(escalation" in sentence.group(1)
    assert re.search(r"is highest under \w+ \(.*\) and lowest under \w+ \(", text)


def test_the_claims_that_stand_or_fall_are_counted_and_named_with_their_p(
        story: str, fitted: Any) -> None:
    text = _text(_body(story).split('id="narrative"', 1)[1].split("</div>", 1)[0])
    testable = [c for c in fitted.claims_ if c.verdict != "untestable"]
    assert f"Of the {len(testable)} claims the model can test" in text
    for verdict in ("supported", "contested", "refuted"):
        ids = [c.id for c in testable if c.verdict == verdict]
        if ids:
            verb = "is" if len(ids) == 1 else "are"
            assert f"{len(ids)} {verb} {verdict}: {ids[0]} (P = " in text, verdict
    shown = {r.id: r.probability for r in claim_rows(fitted.claims_)}
    said = {ref.removeprefix("claim:"): (value, t) for ref, value, t, _ in _figures(story)
            if ref.startswith("claim:")}
    assert set(said) == {c.id for c in testable}
    for c in testable:
        value, t = said[c.id]
        assert float(value) == c.probability  # exactly, not as rounded
        assert t == shown[c.id]  # as the claims table writes it
    untestable = [c.id for c in fitted.claims_ if c.verdict == "untestable"]
    if untestable:
        assert f"{len(untestable)} cannot be tested on these results" in text


def test_the_summary_says_when_hinges_were_not_computed(story: str) -> None:
    assert "What each verdict hinges on was not computed for this report." in _text(story)


def test_hinges_in_words_come_from_the_claims_results() -> None:
    from detente.analysis import ClaimResult
    from detente.present.narrative import hinges_paragraph

    def claim(cid: str, hinges: list[str], prim: str | None) -> ClaimResult:
        return ClaimResult(cid, "text", "src", [], "test", "contested", 0.5, (0.4, 0.6),
                           "jeffreys", 100, {"supported": 0.8, "refuted": 0.2},
                           hinges_on=hinges, prim=prim)

    para = hinges_paragraph([claim("a", ["p1", "p2", "p3", "p4"], "fails when p1 < 2"),
                             claim("b", [], "holds in all samples: nothing it hinges on "
                                            "within the ranges"),
                             claim("c", [], None)], computed=True)
    text = [" ".join(map(str, s)) for s in para]
    assert text == ["a hinges most on p1, p2, p3 (and 1 more); it fails when p1 < 2.",
                    "b holds in all samples: nothing it hinges on within the ranges."]


def test_the_header_prints_the_settings_the_numbers_come_from(story: str, scenario: Any
                                                             ) -> None:
    head = _body(story).split('id="run-meta"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r"<b>Horizon</b>6 months \(26 steps\)<", head)
    assert "<b>Claims' design</b>no Sobol design (hinges: none)<" in head
    settings = _text(head.split('id="settings">', 1)[1].split("</p>", 1)[0])
    assert settings.startswith("64 samples per policy, seed 1, horizon 6 months (26 steps)")


def test_the_settings_name_the_claims_sobol_design(results: Any, scenario: Any) -> None:
    from detente.analysis.claims import SOBOL_N
    from detente.report._build import _settings

    got = _settings(scenario, results, claims=True, hinges=("sobol", "prim"),
                    sobol_n=SOBOL_N, seed=1)
    d = len(scenario.uncertain)
    assert got["design"] == (f"Sobol base N = {SOBOL_N} over {d} uncertain parameters: "
                             f"{SOBOL_N * (d + 2):,} runs per policy")
    assert _settings(scenario, results, claims=False, hinges=(), sobol_n=SOBOL_N,
                     seed=1)["design"] == "claims not evaluated"


def test_the_report_defaults_are_those_of_detente_claims() -> None:
    import inspect

    from detente.analysis.claims import SOBOL_N
    from detente.cli._claims import claims
    from detente.cli._report import report
    from detente.report import build_report

    ours, theirs = inspect.signature(report).parameters, inspect.signature(claims).parameters
    for name in ("samples", "seed", "horizon", "sobol_n", "hinges"):
        assert ours[name].default == theirs[name].default, name
    assert inspect.signature(build_report).parameters["sobol_n"].default == SOBOL_N


def test_policies_are_overlaid_on_one_axis(story: str, results: Any) -> None:
    body = _body(story)
    section = body.split('id="policies-compared"', 1)[1].split("</section>", 1)[0]
    keys = re.findall(r'<div class="figure" id="(overlay-[^"]+)"', section)
    assert "overlay-russia-territory" in keys
    assert "overlay-casualties" in keys
    for key in keys:
        fig = section.split(f'id="fig-{key}"', 1)[1].split("</script>", 1)[0]
        names = re.findall(r'"name":"([^"]+)"', fig)
        assert names == results.policies, key  # one median per policy, on one axis
        assert '"xaxis2"' not in fig


def test_each_claim_with_a_threshold_shows_its_metric_against_it(
        story: str, fitted: Any, scenario: Any) -> None:
    section = _body(story).split('id="claims-metrics"', 1)[1].split("</section>", 1)[0]
    assert "<h2>Claims' metrics against their thresholds</h2>" in section
    shown = set(re.findall(r'<details class="figure" id="metric-([^"]+)"', section))
    assert shown
    single = 0
    for c in fitted.claims_:
        test = scenario.claims[c.id].test if c.id in scenario.claims else None
        if test is None or c.verdict == "untestable":
            assert c.id not in shown
            continue
        if test.kind == "compare" and test.threshold is not None and not test.given:
            assert c.id in shown, c.id
            fig = section.split(f'id="fig-metric-{c.id}"', 1)[1].split("</script>", 1)[0]
            # one comparison: the share on the claim's side is the claim's P
            share = re.search(r"on the claim's side: (\d+) %", fig)
            assert share, c.id
            assert int(share.group(1)) == round(100 * c.probability), c.id
            assert '"type":"histogram"' in fig
            # the threshold's line, where the claim puts it
            line = re.search(r'\{"line":\{"color":"[^"]+","dash":"dash","width":2\},'
                             r'"type":"line","x0":([^,]+),"x1":([^,]+),', fig)
            assert line, c.id
            assert float(line.group(1)) == float(line.group(2)) == float(test.threshold)
            single += 1
    assert single >= 1


def test_the_page_is_navigable_and_its_long_parts_fold(story: str) -> None:
    body = _body(story)
    toc = body.split('<nav class="toc" id="contents">', 1)[1].split("</nav>", 1)[0]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    for name in ("summary", "policies-compared", "trajectories", "claims",
                 "claims-metrics", "sensitivity", "assumptions"):
        assert name in anchors, name
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    assert [a for a in anchors if a not in ids] == []  # every entry leads somewhere
    fans = re.findall(r'<details class="figure" id="([^"]+)">', body.split(
        'id="trajectories"', 1)[1].split("</section>", 1)[0])
    assert len(fans) >= 8  # each trajectory chart folds
    assert '<details id="parameters">' in body  # and the long parameter table
    assert 'addEventListener("toggle"' in body  # a chart opened late is laid out again


def test_a_report_without_claims_still_tells_what_the_policies_lead_to(
        results: Any, scenario: Any) -> None:
    from detente.report import build_report

    page = build_report(results, scenario, claims=False, tornado_output=None, skill="none")
    text = _text(_body(page).split('id="narrative"', 1)[1].split("</div>", 1)[0])
    assert "What each policy leads to" in text
    assert "Which claims stand or fall" not in text
    assert 'id="claims-metrics"' not in page
