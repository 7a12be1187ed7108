"""What a view needs recorded: the claims' variables, in the model's order."""

from __future__ import annotations

from detente.model import resolve_modules
from detente.present.record import claim_variables, in_model_order
from detente.scenario import load_scenario


def test_claim_variables_are_model_variables_in_model_order():
    sc = load_scenario("ukraine-2023")
    order = [v.name for m in resolve_modules(sc.modules) for v in m.variables]
    found = claim_variables(sc)
    assert found
    assert found == [n for n in order if n in set(found)]
    text = " ".join(str(c.test.model_dump(mode="json")) for c in sc.claims.values() if c.test)
    assert all(name in text for name in found)


def test_a_scenario_without_claims_needs_none():
    assert claim_variables(load_scenario("lanchester-bench")) == []


def test_in_model_order_drops_unknown_names_and_sorts():
    sc = load_scenario("lanchester-bench")
    order = [v.name for m in resolve_modules(sc.modules) for v in m.variables]
    wanted = [order[-1], "no_such_variable", order[0]]
    assert in_model_order(sc, wanted) == [order[0], order[-1]]
