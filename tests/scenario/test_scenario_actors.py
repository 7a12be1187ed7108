"""The ``actors`` section: optional, read as written, and every mistake located in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.model.bargaining import DIM_NAMES
from detente.scenario import builtin_path, load_scenario


def _issues(value: str) -> str:
    return "\n".join(f"        {i}: {value}" for i in DIM_NAMES)


GOOD = f"""
actors:
  blue_lead:
    name: Blue's government
    party: blue
    role: lead
    capability: {{dist: pert, low: 10, mode: 20, high: 30, source: assumption}}
    position:
{_issues('{value: 1.0, source: "ref:bench"}')}
    salience:
{_issues('{dist: uniform, low: 0.2, high: 0.8, source: assumption}')}
  red_lead:
    name: Red's government
    party: red
    role: lead
    capability: {{value: 25, source: "ref:bench"}}
    position:
{_issues('{value: 0.0, source: "ref:bench"}')}
    salience:
{_issues('{value: 0.5, source: "ref:bench"}')}
"""


def _write(tmp_path: Path, actors: str) -> Path:
    text = builtin_path("lanchester-bench").read_text() + actors
    path = tmp_path / "with-actors.yaml"
    path.write_text(text)
    return path


def _problems(tmp_path: Path, actors: str) -> list:
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path, actors))
    return err.value.problems


def _line_of(path: Path, needle: str, nth: int = 0) -> int:
    lines = [k for k, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln]
    return lines[nth]


def test_no_actors_is_fine_and_empty():
    assert load_scenario("lanchester-bench").actors == {}


def test_actors_read_as_written(tmp_path):
    sc = load_scenario(_write(tmp_path, GOOD))
    assert list(sc.actors) == ["blue_lead", "red_lead"]
    lead = sc.actors["blue_lead"]
    assert (lead.party, lead.role) == ("blue", "lead")
    assert lead.capability.support() == (10.0, 30.0)
    assert lead.salience["territory"].support() == (0.2, 0.8)
    assert sc.actors["red_lead"].capability.central() == 25.0


def test_ukraine_maps_the_op_eds_actors_onto_the_parties():
    sc = load_scenario("ukraine-2023")
    roles = {a: (x.party, x.role) for a, x in sc.actors.items()}
    assert roles == {
        "us_administration": ("united_states", "lead"),
        "russian_leadership": ("russia", "lead"),
        "russian_elites": ("russia", "influence"),
        "kyiv_government": ("ukraine", "lead"),
        "kyiv_hardliners": ("ukraine", "veto"),
        "european_capitals": ("europe", "influence"),
    }
    for actor in sc.actors.values():
        assert set(actor.position) == set(sc.issues) == set(actor.salience)
        for _, value in actor.values():
            assert value.source.strip()
            if value.source.strip() == "assumption":
                assert value.dist is not None


@pytest.mark.parametrize(("edit", "field", "needle", "message"), [
    (("party: red", "party: green"), "actors.red_lead.party", "party: green",
     "expected a side or supporter of the scenario (blue, red), found 'green'"),
    (("role: lead\n    capability: {value: 25", "role: boss\n    capability: {value: 25"),
     "actors.red_lead.role", "role: boss", "expected 'lead', 'veto' or 'influence'"),
    (("role: lead\n    capability: {value: 25", "role: lead\n    capability: {value: 25"),
     None, None, None),
    (("capability: {value: 25,", "capability: {value: -5,"), "actors.red_lead.capability",
     "value: -5", "expected a capability on its scale >= 0, found -5"),
    (("position:\n        territory: {value: 0.0",
      "position:\n        territory: {value: 1.5"),
     "actors.red_lead.position.territory", "value: 1.5",
     "expected a position on its scale [0, 1], found 1.5"),
    (("capability: {value: 25, source: \"ref:bench\"}",
      "capability: {value: 25, source: assumption}"), "actors.red_lead.capability",
     "capability: {value: 25, source: assumption}", "an assumption needs a distribution"),
    (("capability: {value: 25,", "capability: {valeu: 25,"), "actors.red_lead.capability.valeu",
     "valeu", "unknown key 'valeu'; expected one of: value, dist"),
    (("capability: {value: 25, source: \"ref:bench\"}",
      "capability: {value: 25, source: \"ref:bnech\"}"), "actors.red_lead.capability.source",
     "ref:bnech", "unknown reference 'bnech': expected a key of 'sources'; did you mean "
                  "'bench'?"),
])
def test_each_mistake_is_located(tmp_path, edit, field, needle, message):
    old, new = edit
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    if field is None:  # the unedited file loads
        load_scenario(_write(tmp_path, text))
        return
    problems = _problems(tmp_path, text)
    hits = [p for p in problems if p.path == field]
    assert hits, [f"{p.path}: {p.message}" for p in problems]
    assert message in hits[0].message
    path = tmp_path / "with-actors.yaml"
    assert hits[0].file == str(path)
    assert hits[0].line == _line_of(path, needle)


def test_a_missing_issue_and_a_stranger_are_named(tmp_path):
    text = GOOD.replace("        territory: {value: 0.0", "        terrain: {value: 0.0", 1)
    problems = {p.path: p.message for p in _problems(tmp_path, text)}
    assert "missing territory" in problems["actors.red_lead.position"]
    assert ("expected one of the issues of the talks" in
            problems["actors.red_lead.position.terrain"])
    assert "did you mean 'territory'?" in problems["actors.red_lead.position.terrain"]


def test_one_lead_per_party(tmp_path):
    text = GOOD.replace("party: red", "party: blue")
    problems = {p.path: p.message for p in _problems(tmp_path, text)}
    assert "'blue_lead' already leads 'blue'" in problems["actors.red_lead.role"]


def test_a_bad_distribution_is_located(tmp_path):
    text = GOOD.replace("{dist: pert, low: 10, mode: 20, high: 30",
                        "{dist: pert, low: 30, mode: 20, high: 10")
    problems = {p.path: p.message for p in _problems(tmp_path, text)}
    assert "expected low <= mode <= high" in problems["actors.blue_lead.capability"]
    text = GOOD.replace("{dist: pert, low: 10, mode: 20, high: 30",
                        "{dist: uniform, low: 10, mode: 20, high: 30")
    problems = {p.path: p.message for p in _problems(tmp_path, text)}
    assert ("a uniform distribution takes low, high, found mode"
            in problems["actors.blue_lead.capability"])


def test_a_forecasts_actor_cites_only_what_was_public_by_its_as_of_date(tmp_path):
    src = builtin_path("ukraine-2023")
    text = src.read_text()
    old = 'capability: {dist: pert, low: 20, mode: 30, high: 40, source: "fact:kiel_military'
    assert old in text
    (tmp_path / "ukraine.yaml").write_text(text.replace(
        old, 'capability: {dist: pert, low: 20, mode: 30, high: 40, source: "fact:us_'
             'supplemental_stalled", note: "x"} #', 1))
    posterior = src.with_name("ukraine-2023.posterior.csv")
    (tmp_path / posterior.name).write_text(posterior.read_text())
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "ukraine.yaml")
    [p] = [p for p in err.value.problems if p.path.startswith("actors.")]
    assert p.path == "actors.us_administration.capability.source"
    assert "'fact:us_supplemental_stalled' was published on 2023-12-06, after the " \
           "scenario's as-of date 2023-12-01" in p.message
