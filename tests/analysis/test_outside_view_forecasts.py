"""The outside view beside forecasts: the base-rate claim, compare, questions, skill."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lifelines")

from detente.analysis.claims import Claims
from detente.analysis.outside_view.claims import BaseRateTest, holds_mass
from detente.analysis.outside_view.questions import (
    bundled_questions,
    read_questions,
)
from detente.analysis.outside_view.skill import ForecastSkill
from detente.errors import DataError, InputError, NotFittedError


# --------------------------------------------------------------------------- the claim kind
@pytest.mark.parametrize(("op", "k", "expected"), [
    ("within", 500, 1.0), ("within", 0, 0.0), ("below", 0, 1.0), ("above", 990, 1.0),
    ("above", 500, 0.0)])
def test_a_base_rate_claims_probability_is_the_posterior_mass(op, k, expected):
    test = BaseRateTest(months=12, op=op)
    assert holds_mass(test, k, 1000, 0.4, 0.6) == pytest.approx(expected, abs=1e-6)


def test_on_the_edge_the_claim_is_contested():
    test = BaseRateTest(months=12)
    assert holds_mass(test, 400, 1000, 0.4, 0.6) == pytest.approx(0.5, abs=0.02)


def test_claims_add_the_outside_view_when_asked():
    ev = Claims(hinges=(), ids=["bloody_stalemate"], outside_view="on").fit(
        "ukraine-2023", n_samples=24, seed=0)
    ids = [c.id for c in ev.claims_]
    assert ids == ["bloody_stalemate", "outside_view_12m", "outside_view_24m",
                   "outside_view_36m"]
    c = ev.claims_[2]
    assert c.effect is not None
    assert c.effect["base_rate"] == pytest.approx(0.6)  # 6 of the 10 wars
    assert c.effect["n_wars"] == 10
    assert c.effect["lasted_days"] == 645
    settled = ev.results_.ds["settled"].sel(policy="status_quo").values  # (sample, time)
    by = 1 + int(np.ceil(731 / 7))  # the steps up to 24 months (731 days) after the start
    share = float(np.mean(np.any(settled[:, :by] > 0.5, axis=1)))
    assert c.effect["model"] == pytest.approx(share, abs=1 / 24)
    assert c.effect["gap"] == pytest.approx(c.effect["model"] - c.effect["base_rate"])
    lo, hi = c.effect["interval"]
    inside = lo <= c.effect["model"] <= hi
    assert c.verdict in (("supported", "contested") if inside else ("refuted", "contested"))
    assert c.interval is None
    assert c.probability is not None


def test_claims_leave_the_outside_view_off_by_default():
    ev = Claims(hinges=(), ids=["bloody_stalemate"]).fit("ukraine-2023", n_samples=8,
                                                          seed=0, horizon=4)
    assert [c.id for c in ev.claims_] == ["bloody_stalemate"]


# --------------------------------------------------------------------------- compare
def test_compare_puts_the_base_rates_beside_every_policy():
    import detente as dt
    from detente.analysis.compare import compare_summary, compare_variables

    sc = dt.load("ukraine-2023")
    res = dt.simulate(sc, n_samples=16, seed=0, policies=["status_quo", "direct_talks"],
                      record=compare_variables(sc))
    data = compare_summary(res)
    view = data["outside_view"]
    assert set(view["policies"]) == {"status_quo", "direct_talks"}
    for key in ("12", "24", "36"):
        row = view["policies"]["direct_talks"][key]
        p_model = data["policies"]["direct_talks"]["p_settlement"][key]
        assert row["p_model"] == p_model
        assert row["gap_end"] == pytest.approx(p_model - view["months"][key]["p_end"])
    assert view["months"]["36"]["p_end"] == pytest.approx(0.7)


def test_compare_has_no_outside_view_without_a_war_start(bench_dict, write_scenario):
    import detente as dt
    from detente.analysis.compare import compare_summary

    bench_dict["time"] = {k: v for k, v in bench_dict["time"].items() if k != "war_began"}
    res = dt.simulate(str(write_scenario(bench_dict)), n_samples=4, seed=0)
    assert compare_summary(res)["outside_view"] is None


# --------------------------------------------------------------------------- questions
def test_the_shipped_questions_load_and_say_how_many_map():
    qs = read_questions()
    assert len(qs) == 21
    mapped = [q for q in qs.questions.values() if q.mapped]
    assert len(mapped) == 9
    for q in qs.questions.values():
        assert q.source
        assert q.crowd.date
        assert (q.test is None) != (q.untestable is None)
        if q.mapped:
            assert q.encoding
    assert "9 of the 21 questions map" in bundled_questions().read_text()


def _spoil(tmp_path: Path, old: str, new: str) -> Path:
    text = bundled_questions().read_text()
    assert old in text
    path = tmp_path / "questions.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    resolution: 1\n", "    resolution: 2\n",
     r"questions\.yaml:\d+: question 'acx2023-q1': resolution: Input should be 0 or 1, "
     "found 2"),
    ("      op: <=\n", "      op: =<\n",
     r"question 'acx2023-q2': test\.op: Input should be '<'.*found '=<'"),
    ("      p: 0.85\n", "      p: 1.85\n",
     r"question 'acx2023-q1': crowd\.p: Input should be less than or equal to 1"),
    ("    untestable: 'The model has no Russian leadership: elite",
     "    test: {kind: event, when: settled > 0.5, by: 2023-12-31}\n    untestable: 'x",
     r"question 'acx2023-q1': \(the question\): Value error, expected exactly one of 'test'"),
])
def test_a_bad_questions_file_is_named_by_line_question_and_field(tmp_path, old, new,
                                                                  message):
    with pytest.raises(DataError, match=message):
        read_questions(_spoil(tmp_path, old, new))


def test_a_questions_file_that_is_not_one(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("just: text\n")
    with pytest.raises(DataError, match=r"q\.yaml:1: expected a mapping 'questions'"):
        read_questions(path)
    path.write_text("questions: [unclosed\n")
    with pytest.raises(DataError, match="not valid YAML"):
        read_questions(path)
    with pytest.raises(DataError, match="no such questions file"):
        read_questions(tmp_path / "missing.yaml")


def test_the_line_named_is_the_fields_line(tmp_path):
    path = _spoil(tmp_path, "    resolution: 1\n", "    resolution: 2\n")
    with pytest.raises(DataError) as err:
        read_questions(path)
    line = int(str(err.value).split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip() == "resolution: 2"


# --------------------------------------------------------------------------- skill
@pytest.fixture(scope="module")
def skill() -> ForecastSkill:
    return ForecastSkill(n_samples=16, seed=0).fit("ukraine-2023")


def test_skill_scores_the_mapped_questions_from_their_openings(skill):
    t = skill.table_
    assert skill.n_questions_ == 21
    assert skill.n_mapped_ == 9 == len(t)
    assert len(skill.unmapped_) == 12
    row = t.set_index("question_id").loc["acx2023-q5"]
    assert str(row["origin"]) == "2022-12-20"
    assert row["p_crowd"] == 0.4
    assert row["resolution"] == 0
    assert 0.0 <= row["p_base"] <= 1.0  # a settlement question has a base rate
    assert math.isnan(t.set_index("question_id").loc["acx2023-q2", "p_base"])
    y = t["resolution"].to_numpy(dtype=float)
    brier = np.mean((t["p_model"].to_numpy() - y) ** 2)
    assert skill.scores_["model"]["brier"] == pytest.approx(brier)
    crowd = np.mean((t["p_crowd"].to_numpy() - y) ** 2)
    assert skill.scores_["skill"]["crowd"]["brier"] == pytest.approx(1 - brier / crowd)
    assert skill.scores_["base_rate"]["n"] == 6
    assert {r["forecast"] for r in skill.reliability_} == {"model", "crowd", "base_rate"}


def test_skill_to_dict_is_json_ready(skill):
    import json

    data = skill.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["n_mapped"] == 9
    assert len(data["points"]) == 9


def test_skill_follows_the_estimator_contract():
    fs = ForecastSkill(n_samples=3)
    assert ForecastSkill(**fs.get_params()).get_params() == fs.get_params()
    with pytest.raises(NotFittedError, match="before calling to_dict"):
        fs.to_dict()
    with pytest.raises(InputError, match="n_samples must be a positive integer"):
        ForecastSkill(n_samples=0).fit("ukraine-2023")


def test_skill_needs_a_record_and_a_war_start():
    with pytest.raises(InputError, match="has no bundled record"):
        ForecastSkill(n_samples=2).fit("lanchester-bench")
