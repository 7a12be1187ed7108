"""The report's claims section: the test in words, paired differences, assumptions apart."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def paired_html(tmp_path_factory: Any) -> str:
    import yaml

    from detente.engine import simulate
    from detente.report import build_report, report_record
    from detente.scenario import builtin_path, load_scenario
    from detente.scenario.loading import read_scenario_file

    data, _where, problems, _bad = read_scenario_file(builtin_path("lanchester-bench"))
    assert not problems
    data = dict(data)
    data["policies"] = {**data["policies"], "more_aid": {
        "description": "double direct aid",
        "changes": [{"param": "blue.shell_aid_direct", "scale": 2}]}}
    data["claims"] = {
        "aid_ranked": {"text": "more aid ranks first", "source": "test", "modal": "likely",
                       "test": {"kind": "rank", "metric": "blue.shells", "at": "end",
                                "order": ["more_aid", "status_quo"]}},
        "assumed": {"text": "a non-negative force", "source": "test", "modal": "will",
                    "assumption": "the model keeps stocks non-negative",
                    "test": {"kind": "compare", "metric": "blue.personnel", "at": "end",
                             "op": ">=", "threshold": 0}},
    }
    path = tmp_path_factory.mktemp("report") / "paired.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    sc = load_scenario(path)
    res = simulate(sc, n_samples=32, seed=1, horizon=13, policies=["status_quo", "more_aid"],
                   record=report_record(sc))
    return str(build_report(res, sc, hinges=(), tornado_output=None, seed=1))


def test_the_claims_section_shows_the_test_the_difference_and_the_assumptions(
        paired_html: str) -> None:
    claims = paired_html[paired_html.index('<section id="claims">'):]
    claims = claims[:claims.index("</section>")]
    assert "test (<i>likely</i>): at the end: blue.shells ranks more_aid &gt; status_quo" \
        in claims
    assert "paired difference, blue.shells at the end: more_aid minus status_quo: median" \
        in claims
    assert "orderings, best first (share of samples):" in claims
    assert 'id="claims-assumptions"' in claims
    assert "<b>assumed</b>" in claims
    assert "model assumption, not a finding:</b> the model keeps stocks non-negative" in claims
