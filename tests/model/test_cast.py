"""The cast a model is built for: its checks, its questions, and owned names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.model.base import Cast, Channel, ParamSpec, for_cast, owned, split_owned

IDS = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)

WAR = Cast(sides=("blue", "red"), supporters=("ally", "partner", "donor"),
           supports=("blue", "red", "blue"),
           channels=(Channel("talks", 1, ("blue", "red")),
                     Channel("broker", 2, ("red", "donor", "blue"))),
           names=(("blue", "Blue"), ("donor", "The Donors")))


@given(owner=IDS, base=IDS)
def test_an_owned_name_splits_back_into_owner_and_base(owner: str, base: str) -> None:
    assert split_owned(owned(owner, base)) == (owner, base)
    assert split_owned(base) == (None, base)


def test_the_cast_answers_who_fights_and_who_helps() -> None:
    assert WAR.other("blue") == "red"
    assert WAR.other("red") == "blue"
    assert WAR.supporters_of("blue") == ("ally", "donor")  # in the scenario's order
    assert WAR.supporters_of("red") == ("partner",)
    assert [WAR.side_of(s) for s in WAR.supporters] == ["blue", "red", "blue"]
    assert WAR.owners("side") == ("blue", "red")
    assert WAR.owners("supporter") == ("ally", "partner", "donor")
    # parties: whoever sits in a channel, in the cast's order (not the channels')
    assert WAR.owners("party") == WAR.parties == ("blue", "red", "donor")
    assert (WAR.name_of("donor"), WAR.name_of("ally")) == ("The Donors", "ally")
    with pytest.raises(ValueError, match="nobody owns"):
        WAR.owners(None)


def test_display_names_are_part_of_the_cast() -> None:
    # a module built for a cast says its owners' names, so two casts that name them
    # differently build different modules
    named = Cast(("a", "b"), names=(("a", "A"),))
    assert named != Cast(("a", "b"))
    assert hash(named) == hash(Cast(("a", "b"), names=(("a", "A"),)))


def test_a_war_of_three_is_a_cast_but_not_a_pair() -> None:
    three = Cast(("a", "b", "c"))
    with pytest.raises(ValueError, match=r"joins two sides; the scenario has 3 \(a, b, c\)"):
        three.other("a")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sides": ("blue",)}, "at least two sides; found 1"),
    ({"sides": ("blue", "Red")}, "'Red' are not snake_case"),
    ({"sides": ("blue", "red"), "supporters": ("9lives",), "supports": ("blue",)},
     "'9lives' are not snake_case"),
    ({"sides": ("blue", "red", "blue")}, "blue name more than one side or supporter"),
    ({"sides": ("blue", "red"), "supporters": ("red",), "supports": ("blue",)},
     "red name more than one"),
    ({"sides": ("blue", "red"), "supporters": ("ally",)}, "each supporter needs the side"),
    ({"sides": ("blue", "red"), "supporters": ("ally",), "supports": ("green",)},
     "supports green, which is not a side .sides: blue, red."),
    ({"sides": ("blue", "red"), "channels": (Channel("t", 1, ("blue", "green")),)},
     "seats green, which is neither a side nor a supporter"),
])
def test_a_cast_that_does_not_hang_together_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Cast(**kwargs)


def test_templates_become_one_spec_per_owner_in_the_cast_order() -> None:
    specs = (ParamSpec("personnel0", "persons", "{owner}'s force at the start.", 0.0,
                       per="side"),
             ParamSpec("mil_aid", "USD bn/day", "Aid {owner} sends.", 0.0, default=0.0,
                       per="supporter"),
             ParamSpec("margin", "1", "What {owner} needs to sign.", per="party"),
             ParamSpec("war_cost", "1", "A plain one."))
    got = for_cast(specs, WAR)
    assert [s.name for s in got] == [
        "blue.personnel0", "red.personnel0", "ally.mil_aid", "partner.mil_aid",
        "donor.mil_aid", "blue.margin", "red.margin", "donor.margin", "war_cost"]
    by_name = {s.name: s for s in got}
    assert by_name["blue.personnel0"].description == "Blue's force at the start."
    assert by_name["donor.mil_aid"].description == "Aid The Donors sends."
    assert by_name["red.personnel0"].description == "red's force at the start."
    assert (by_name["ally.mil_aid"].owner, by_name["ally.mil_aid"].base) == ("ally", "mil_aid")
    assert by_name["war_cost"] is specs[3]
    assert all(s.default == 0.0 for s in got if s.base == "mil_aid")
