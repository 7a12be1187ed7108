"""What a view needs recorded: the claims' variables and the key outputs, in model order."""

from __future__ import annotations

from detente.present.record import claim_variables, in_model_order, matching
from detente.scenario import load_scenario


def _order(sc):
    return [v.name for m in sc.enabled_modules for v in m.variables]


def test_claim_variables_are_model_variables_in_model_order():
    sc = load_scenario("ukraine-2023")
    order = _order(sc)
    found = claim_variables(sc)
    assert found
    assert found == [n for n in order if n in set(found)]
    text = " ".join(str(c.test.model_dump(mode="json")) for c in sc.claims.values() if c.test)
    assert all(name in text for name in found)


def test_a_scenario_without_claims_needs_none():
    assert claim_variables(load_scenario("lanchester-bench")) == []


def test_in_model_order_drops_unknown_names_and_sorts():
    sc = load_scenario("lanchester-bench")
    order = _order(sc)
    wanted = [order[-1], "no_such_variable", order[0]]
    assert in_model_order(sc, wanted) == [order[0], order[-1]]


def test_matching_takes_model_names_and_base_names():
    sc = load_scenario("lanchester-bench")
    # a base name is every owner's; a model name is itself; unknown names are dropped
    assert matching(sc, ["shells", "red.personnel", "nope"]) == [
        "red.personnel", "blue.shells", "red.shells"]
    assert matching(sc, []) == []
    assert matching(sc, ["blue"]) == []  # an owner is not a variable
