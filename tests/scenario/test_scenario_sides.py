"""Sides, supporters and channels: the cast a scenario declares, and its located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_fakes import FAKE_MODULES, MINIMAL, Writer, find, line_of, make_writer, mutate

from detente.errors import ScenarioError
from detente.model.base import Cast, Channel
from detente.scenario import Scenario, load_scenario, validate_scenario

#: MINIMAL with a supporter of each side and a channel between the sides.
CAST = """\
supporters:
  ally:
    name: The Alliance
    supports: blue
    description: sends shells
  partner: {name: A Partner, supports: red}
channels:
  talks:
    description: the sides alone
    code: 1
    parties: [blue, red]
    dimensions: [territory]
  broker:
    code: 2
    parties: [blue, red, ally]
    credibility_of: ally
modules: [military, economy]
"""
WITH_CAST = mutate(MINIMAL, "modules: [military, economy]\n", CAST)


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    return make_writer(tmp_path)


def fail(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, modules=FAKE_MODULES)
    err = info.value
    assert "Traceback" not in str(err)
    assert all(p.file == str(path) for p in err.problems)
    return err


def test_the_cast_is_what_the_file_declares_in_its_order(write: Writer) -> None:
    sc = load_scenario(write(WITH_CAST), modules=FAKE_MODULES)
    cast = sc.cast
    assert cast == Cast(sides=("blue", "red"), supporters=("ally", "partner"),
                        supports=("blue", "red"), channels=(
                            Channel("talks", 1, ("blue", "red"), ("territory",)),
                            Channel("broker", 2, ("blue", "red", "ally"),
                                    credibility_of="ally")),
                        names=(("blue", "Blue"), ("red", "Red"), ("ally", "The Alliance"),
                               ("partner", "A Partner")))
    assert [sc.name_of(i) for i in ("blue", "red", "ally", "partner")] == [
        "Blue", "Red", "The Alliance", "A Partner"]
    assert sc.name_of("nobody") == "nobody"
    assert cast.supporters_of("blue") == ("ally",)
    assert cast.side_of("partner") == "red"
    assert cast.other("red") == "blue"
    assert cast.parties == ("blue", "red", "ally")
    assert sc.supporters["ally"].description == "sends shells"


def test_a_scenario_without_supporters_or_channels_has_none(write: Writer) -> None:
    sc = load_scenario(write(MINIMAL), modules=FAKE_MODULES)
    assert (sc.cast.sides, sc.cast.supporters, sc.cast.channels) == (("blue", "red"), (), ())


def test_the_cast_round_trips_and_a_changed_copy_has_its_own(write: Writer) -> None:
    sc = load_scenario(write(WITH_CAST), modules=FAKE_MODULES)
    data = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    again = Scenario.model_validate(data)
    assert again.cast == sc.cast
    assert [again.name_of(i) for i in again.cast.sides] == ["Blue", "Red"]
    assert validate_scenario(data, modules=FAKE_MODULES) == []
    renamed = sc.model_copy(update={"sides": {**sc.sides, "blue": sc.sides["blue"].model_copy(
        update={"name": "Azure"})}})
    assert renamed.name_of("blue") == "Azure"
    assert sc.name_of("blue") == "Blue"


def test_a_third_side_is_not_ruled_out(write: Writer) -> None:
    text = mutate(MINIMAL, "  red: {name: Red}\n", "  red: {name: Red}\n  green: {name: Green}\n")
    sc = load_scenario(write(text), modules=FAKE_MODULES)
    assert sc.cast.sides == ("blue", "red", "green")
    with pytest.raises(ValueError, match="joins two sides"):
        sc.cast.other("blue")


def test_a_module_of_the_real_registry_is_built_for_the_cast() -> None:
    sc = load_scenario("lanchester-bench")
    (military,) = sc.enabled_modules
    assert military.cast == sc.cast
    names = {p.name for p in military.params}
    assert {"blue.personnel0", "red.personnel0", "mil_defender_advantage"} <= names
    spec = next(p for p in military.params if p.name == "blue.personnel0")
    assert (spec.owner, spec.base, spec.per) == ("blue", "personnel0", "side")
    assert "{owner}" not in spec.description
    assert "Blue" in spec.description


# (id, old text, new text, dotted path, text on the expected line, message fragments)
CASES = [
    ("no_sides", "sides:\n  blue: {name: Blue}\n  red: {name: Red}\n", "", "sides",
     "schema_version:", ("missing required key 'sides'",)),
    ("side_without_name", "red: {name: Red}", "red: {description: the other}",
     "sides.red.name", "red: {description", ("missing required key 'name'",)),
    ("side_id_not_snake_case", "red: {name: Red}", "Red-Army: {name: Red}", "sides.Red-Army",
     "Red-Army:", ("invalid name 'Red-Army'", "lower-case")),
    ("side_unknown_key", "red: {name: Red}", "red: {name: Red, actors: [x]}",
     "sides.red.actors", "red: {name", ("unknown key 'actors'", "name, description")),
    ("supporter_without_side", "    supports: blue\n", "", "supporters.ally.supports",
     "  ally:", ("missing required key 'supports'",)),
    ("channel_of_one", "parties: [blue, red]\n    dimensions", "parties: [blue]\n    dimensions",
     "channels.talks.parties", "parties: [blue]", ("expected at least 2",)),
    ("channel_code_zero", "    code: 1\n", "    code: 0\n", "channels.talks.code", "code: 0",
     ("expected a number >= 1", "found 0")),
    ("channel_unknown_key", "    code: 2\n", "    code: 2\n    partys: [x]\n",
     "channels.broker.partys", "partys:", ("unknown key 'partys'", "did you mean 'parties'?")),
]


@pytest.mark.parametrize(("old", "new", "path", "needle", "contains"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_cast_is_located(write: Writer, old: str, new: str, path: str, needle: str,
                               contains: tuple[str, ...]) -> None:
    text = mutate(WITH_CAST, old, new)
    file = write(text)
    err = fail(file)
    line = line_of(text, needle.split("\n")[0])
    problem = find(err, path=path, line=line, contains=contains)
    assert f"{file}:{line}:" in str(err)
    assert f"{path}: {problem.message}" in str(err)


# Checks across the cast (a supporter's side, a channel's parties, ...): each names the
# field at fault, at its line.
CROSS = [
    ("one_side", "  red: {name: Red}\n", "", "sides", "sides:",
     ("at least 2", "found 1")),
    ("supporter_of_no_side", "supports: red}", "supports: green}",
     "supporters.partner.supports", "partner:",
     ("supporter 'partner' supports 'green', which is not a side", "blue, red")),
    ("supporter_is_a_side", "  partner: {name: A Partner", "  red: {name: A Partner",
     "supporters.red", "  red: {name: A Partner", ("red is both a side and a supporter",)),
    ("channel_seats_a_stranger", "parties: [blue, red, ally]", "parties: [blue, red, allly]",
     "channels.broker.parties", "allly", ("seats allly", "neither a side nor a supporter")),
    ("two_channels_one_code", "    code: 2\n", "    code: 1\n", "channels.broker.code",
     "    code: 1\n    parties: [blue, red, ally]", ("has the code 1",)),
    ("credibility_of_a_side", "credibility_of: ally", "credibility_of: red",
     "channels.broker.credibility_of", "credibility_of: red",
     ("credibility of 'red', which is not a supporter",)),
]


@pytest.mark.parametrize(("old", "new", "path", "needle", "contains"),
                         [c[1:] for c in CROSS], ids=[c[0] for c in CROSS])
def test_a_cast_that_does_not_hang_together_is_located(
        write: Writer, old: str, new: str, path: str, needle: str,
        contains: tuple[str, ...]) -> None:
    text = mutate(WITH_CAST, old, new)
    file = write(text)
    err = fail(file)
    first = needle.split("\n")
    line = line_of(text, first[0]) if len(first) == 1 else (
        text.count("\n", 0, text.index(needle)) + 1)
    find(err, path=path, line=line, contains=contains)
    assert f"{file}:{line}:" in str(err)


@pytest.mark.parametrize(("old", "new", "contains"), [(c[1], c[2], c[5]) for c in CROSS],
                         ids=[c[0] for c in CROSS])
def test_a_cast_that_does_not_hang_together_is_refused_with_the_reason(
        write: Writer, old: str, new: str, contains: tuple[str, ...]) -> None:
    err = fail(write(mutate(WITH_CAST, old, new)))
    assert any(all(c in p.message for c in contains[:1]) for p in err.problems), str(err)
