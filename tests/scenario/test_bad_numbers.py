"""Numbers no model can use: huge integers, NaN, infinities, absurd sizes, deep nesting.

Each case edits one line of a built-in scenario and expects detente's own error, located at
the field, instead of a traceback or a scenario that loads and then simulates garbage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.scenario import builtin_path, load_scenario

BENCH = builtin_path("lanchester-bench").read_text(encoding="utf-8")
UKRAINE = builtin_path("ukraine-2023").read_text(encoding="utf-8")
KOREA = builtin_path("korea-1951").read_text(encoding="utf-8")
HUGE = "1" + "0" * 320  # no float holds it

EFF = 'blue.effectiveness: {dist: uniform, low: 0.002, high: 0.008'
LAUNCH = "russia.missile_launch_rate: {dist: pert, low: 0.003, mode: 0.006, high: 0.012"
POLICY = '  status_quo: {description: "The benchmark as defined (no changes)."}'


def _policy(change: str) -> tuple[str, str]:
    return POLICY, POLICY + f"\n  odd: {{description: odd, changes: [{change}]}}"


# (id, text, old, new, dotted path of the problem, message fragments)
CASES = [
    ("huge_value", BENCH, "blue.personnel0: {value: 400.0",
     f"blue.personnel0: {{value: {HUGE}", "parameters.blue.personnel0.value",
     ("at most 1.8e+308", "integer of about 321 digits")),
    ("huge_bound", BENCH, EFF, EFF.replace("high: 0.008", f"high: {HUGE}"),
     "parameters.blue.effectiveness.high", ("integer of about 321 digits",)),
    ("huge_step", BENCH, "step_days: 7", f"step_days: {HUGE}", "time.step_days",
     ("integer of about 321 digits",)),
    ("huge_change", BENCH, *_policy(f"{{param: blue.reinforcement, value: {HUGE}}}"),
     "policies.odd.changes[0].value", ("integer of about 321 digits",)),
    ("huge_channel_code", KOREA, "    code: 1\n", f"    code: {HUGE}\n", "channels.panmunjom.code",
     ("321 digits",)),
    ("nan_step", BENCH, "step_days: 7", "step_days: .nan", "time.step_days", ("found .nan",)),
    ("inf_high", BENCH, EFF, EFF.replace("high: 0.008", "high: .inf"),
     "parameters.blue.effectiveness.high", ("expected a finite number",)),
    ("nan_change_value", BENCH, *_policy("{param: blue.reinforcement, value: .nan}"),
     "policies.odd.changes[0].value", ("expected a finite number",)),
    ("inf_change_scale", BENCH, *_policy("{param: blue.reinforcement, scale: .inf}"),
     "policies.odd.changes[0].scale", ("expected a finite number",)),
    ("absurd_change", BENCH, *_policy("{param: blue.reinforcement, value: 1e200}"),
     "policies.odd.changes[0].value", ("expected a value in [0, 1e+07] persons/day",)),
    ("absurd_value", BENCH, "blue.personnel0: {value: 400.0",
     "blue.personnel0: {value: 1e300", "parameters.blue.personnel0.value",
     ("expected a value in [0, 1e+10] persons",)),
    ("absurd_rate", UKRAINE, LAUNCH, LAUNCH.replace("high: 0.012", "high: 1e200"),
     "parameters.russia.missile_launch_rate.high", ("expected a value in [0, 10] 1/day",)),
    ("pert_shape", UKRAINE, LAUNCH, LAUNCH + ", lamb: 1e308",
     "parameters.russia.missile_launch_rate.lamb", ("<= 1000",)),
    ("lognormal_sigma", UKRAINE, "median: 0.1, sigma: 1.0", "median: 0.1, sigma: 1e308",
     "parameters.nato.escalation_rate.sigma", ("<= 20",)),
    ("lognormal_reach", UKRAINE, "median: 0.1, sigma: 1.0", "median: 0.1, sigma: 3.0",
     "parameters.nato.escalation_rate", ("unbounded above (a draw can reach",)),
    ("territory_beyond_the_country", UKRAINE, "russia.territory0: {value: 107855",
     "russia.territory0: {value: 700000", "parameters.russia.territory0",
     ("more than the area of ukraine's territory", "603628")),
]


@pytest.mark.parametrize(("text", "old", "new", "path", "fragments"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_number_is_a_located_problem(tmp_path: Path, text: str, old: str, new: str,
                                           path: str, fragments: tuple[str, ...]) -> None:
    assert text.count(old) == 1, old
    file = tmp_path / "bad.yaml"
    file.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    hits = [p for p in info.value.problems if p.path == path
            and all(f in p.message for f in fragments)]
    assert hits, str(info.value)
    assert hits[0].line is not None


def test_the_built_in_lognormal_stays_within_its_bounds() -> None:
    """A log-normal is checked where a draw can reach, not at infinity."""
    load_scenario("ukraine-2023")


@pytest.mark.parametrize("depth", [300, 3000])
@pytest.mark.parametrize("kind", ["list", "mapping"])
def test_very_deep_yaml_is_refused_with_its_line(tmp_path: Path, depth: int,
                                                 kind: str) -> None:
    deep = ("[" * depth + "]" * depth if kind == "list"
            else "{a: " * depth + "1" + "}" * depth)
    file = tmp_path / "deep.yaml"
    file.write_text(BENCH + f"deep: {deep}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    (problem,) = info.value.problems
    assert problem.line == BENCH.count("\n") + 1
    assert "expected at most 50 levels of nesting" in problem.message


def test_very_deep_toml_is_refused_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "deep.toml"
    file.write_text('name = "x"\n# [[[ in a comment\ns = "[[[["\ndeep = '
                    + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (4, 58)
    assert "expected at most 50 levels of nesting" in problem.message
