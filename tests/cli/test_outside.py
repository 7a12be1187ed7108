"""``detente base-rates`` and ``detente score``: tables, JSON and messages on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("lifelines")

COW = Path(__file__).resolve().parents[1] / "analysis" / "data" / "cow_interstate_synthetic.csv"


def test_base_rates_prints_the_odds_the_outcomes_and_the_wars(invoke):
    r = invoke("base-rates", "--lasted", "645d")
    assert r.code == 0, r.output
    assert "of the 10 inter-state dyad-episodes that had lasted 645 days" in r.stdout
    assert "40 % [17–75]" in r.stdout  # within 12 months
    assert "in settlement or ceasefire" in r.stdout
    assert "in petering out" in r.stdout
    for war in ("North Korea – South Korea", "Iran – Iraq, 1980–1988",
                "Eritrea – Ethiopia, 1998–2000"):
        assert war in r.stdout
    assert "Kreutz 2010" in r.stdout


def test_base_rates_json_and_filters(invoke):
    r = invoke("base-rates", "--lasted", "2y", "--intensity", "war", "--json")
    assert r.code == 0, r.output
    data = json.loads(r.stdout)
    assert data["n_at_risk"] == 5
    assert [h["p_end"] for h in data["horizons"]] == pytest.approx([0.2, 0.4, 0.6])
    assert len(data["wars"]) == 5
    r = invoke("base-rates", "--lasted", "1y", "--period", "1990..", "--major-power",
               "not_involved", "--json")
    assert r.code == 0, r.output
    assert all(w["start"] >= "1990" for w in json.loads(r.stdout)["wars"])


def test_base_rates_reads_a_cow_file(invoke):
    r = invoke("base-rates", "--lasted", "1y", "--cow", str(COW), "--json")
    assert r.code == 0, r.output
    data = json.loads(r.stdout)
    assert data["n_at_risk"] == 3
    assert "Correlates of War" in data["source"]
    assert {w["name"] for w in data["wars"]} == {
        "Synthetic Two-Phase War", "Synthetic Side-Switch War", "Synthetic Ongoing War"}


@pytest.mark.parametrize(("args", "message"), [
    (["--lasted", "645x"], "--lasted: expected a duration such as 645d"),
    (["--lasted", "50y"], "no war of the reference class"),
    (["--intensity", "huge"], "--intensity: expected one of any, war, found 'huge'"),
    (["--period", "1990"], "--period: expected FIRST..LAST start years"),
    (["--months", "12,x"], "--months: expected whole numbers of months"),
    (["--cow", "no-such.csv"], "no-such.csv: no such file"),
])
def test_base_rates_bad_input_exits_2_with_a_message(invoke, args, message):
    r = invoke("base-rates", *args)
    assert r.code == 2
    assert message in r.stderr
    assert "Traceback" not in r.output


def test_score_prints_the_models_skill_beside_the_crowd_and_the_base_rate(invoke):
    r = invoke("score", "ukraine-2023", "-n", "8", "--json")
    assert r.code == 0, r.output
    data = json.loads(r.stdout)
    assert data["n_mapped"] == 9
    assert data["n_questions"] == 21
    assert set(data["scores"]["skill"]) == {"crowd", "base_rate"}
    r = invoke("score", "ukraine-2023", "-n", "8")
    assert r.code == 0, r.output
    assert "scored on 9 of 21 resolved questions" in r.stdout
    assert "Brier skill of the model" in r.stdout


def test_score_bad_questions_file_exits_2(invoke, tmp_path):
    bad = tmp_path / "q.yaml"
    bad.write_text("questions: {x: {question: q}}\n")
    r = invoke("score", "ukraine-2023", "--questions", str(bad))
    assert r.code == 2
    assert "q.yaml:1: question 'x':" in r.stderr
    r = invoke("score", "ukraine-2023", "--origin", "later")
    assert r.code == 2
    assert "--origin: expected one of opened, forecast" in r.stderr
