"""The bargaining module: built for a cast, channels, vetoes and credibility as data, deals.

The module is driven alone through the engine's time loop, with what it reads from the
other modules (territory, force ratio, casualties, viability, elite pressure, aid,
credibility, escalation) given as inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.engine import run_modules
from detente.errors import InputError
from detente.model import StepContext, couple
from detente.model._deals import level_positions
from detente.model.bargaining import (
    DEALS,
    DIM_NAMES,
    DIMENSIONS,
    GUARANTEE_PARAMS,
    PARAMS,
    TERRITORY_PARAMS,
    TERRITORY_VARIABLES,
    VARIABLES,
    _negotiate_dense,
    build,
    channel_switch,
    negotiate,
    talks,
    war_values,
)
from detente.model.base import Cast, Channel, Issue, Module, owned
from detente.scenario import load_scenario
from detente.scenario.schema import Parameter
from detente.units import conversion_factor

DT = 7.0
STEPS = 157  # three years of weeks
UKRAINE = load_scenario("ukraine-2023")
CAST = UKRAINE.cast
MODULE = build(CAST)
SPECS = {ps.name: ps for ps in MODULE.params}
FIRST, SECOND = CAST.sides
#: The ukraine-2023 cast under other names, in the same order (and the same channels).
RENAME = {"ukraine": "blue", "russia": "red", "united_states": "patron", "europe": "donor",
          "nato": "alliance", "partners": "friends"}


def renamed_cast(cast: Cast, names: Mapping[str, str]) -> Cast:
    """``cast`` with every side and supporter renamed (channel names and codes kept)."""
    return Cast(
        sides=tuple(names[x] for x in cast.sides),
        supporters=tuple(names[s] for s in cast.supporters),
        supports=tuple(names[s] for s in cast.supports),
        channels=tuple(Channel(ch.name, ch.code, tuple(names[a] for a in ch.parties),
                               ch.dimensions,
                               None if ch.credibility_of is None else names[ch.credibility_of],
                               ch.guarantee_cap, ch.veto_onus)
                       for ch in cast.channels))


def rename_keys(d: Mapping[str, np.ndarray], names: Mapping[str, str]) -> dict:
    out = {}
    for k, v in d.items():
        owner, dot, base = k.partition(".")
        out[f"{names[owner]}.{base}" if dot and owner in names else k] = v
    return out


def settlement_params(n: int, module: Module = MODULE, **over: float) -> dict[str, np.ndarray]:
    """ukraine-2023's central values (canonical units) of ``module``'s parameters, or defaults.

    ``over`` (canonical units) names parameters with ``__`` for the owner's dot.
    """
    p = {}
    for spec in module.params:
        raw = UKRAINE.parameters.get(spec.name)
        if raw is None:
            assert spec.default is not None, spec.name
            p[spec.name] = np.full(n, spec.default)
        else:
            p[spec.name] = np.full(n, raw.central() * conversion_factor(raw.unit, spec.unit))
    for k, v in over.items():
        name = k.replace("__", ".")
        assert name in p, name
        p[name] = np.full(n, float(v))
    return p


def war_state(n: int, *, ratio: float = 1 / 1.5, area: float = 108_000.0,
              cast: Cast = CAST) -> dict[str, np.ndarray]:
    """Inputs from a stationary war (held over the run)."""
    first, second = cast.sides
    return {owned(second, "territory"): np.full(n, area),
            owned(first, "combat_power_ratio"): np.full(n, ratio),
            owned(first, "viability"): np.full(n, 0.5),
            owned(second, "elite_pressure"): np.full(n, 0.1)}


def drive(p: Mapping[str, np.ndarray], n: int, steps: int, *, module: Module = MODULE,
          shocks: Mapping[str, np.ndarray] | None = None,
          inputs: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Run ``module`` alone through the engine's loop; every variable as (steps + 1, n)."""
    couplings = couple([module])  # the installation built for the module's cast
    u = np.full((steps, len(couplings.shocks), n), 0.5)
    for j, name in enumerate(couplings.shocks):
        if shocks and name in shocks:
            u[:, j] = shocks[name]
    out = {v.name: np.empty((steps + 1, n)) for v in module.variables}
    run_modules(couplings, p, n=n, n_steps=steps, dt=DT, shocks=u, out=out,
                inputs=dict(inputs or {}))
    return out


def random_shocks(seed: int, steps: int, n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.random((steps, n)) for k in ("settlement_veto", "settlement_breakdown")}


# --------------------------------------------------------------------------- the scenario
def test_ukraine_2023_states_or_defaults_every_parameter() -> None:
    params = UKRAINE.parameters
    for name, spec in SPECS.items():
        if name not in params:
            assert spec.default is not None, f"{name} missing from ukraine-2023.yaml"
            continue
        par = params[name]
        f = conversion_factor(par.unit, spec.unit)  # raises if not convertible
        lo, hi = par.dist.support() if par.dist is not None else (par.value, par.value)
        if spec.low is not None:
            assert lo * f >= spec.low - 1e-12, name
        if spec.high is not None:
            assert hi * f <= spec.high + 1e-12, name
        if par.source == "assumption" and par.dist is None:
            assert par.note, f"{name}: a fixed assumption needs a note"


def test_ukraine_2023_seats_three_parties_and_its_policies_open_the_channels() -> None:
    assert CAST.parties == ("ukraine", "russia", "united_states")
    codes = {ch.name: ch.code for ch in CAST.channels}
    assert codes == {"kyiv_moscow": 1, "washington_moscow": 2}
    opened = {c.value for pol in UKRAINE.policies.values() for c in pol.changes
              if c.param == "negotiation_channel"}
    assert opened == set(codes.values())
    # who holds a domestic veto is data: only Kyiv states one
    vetoes = [a for a in CAST.parties if owned(a, "veto_slope") in UKRAINE.parameters]
    assert vetoes == ["ukraine"]


def test_ukraine_2023_weights_sum_to_one() -> None:
    assert MODULE.check is not None
    assert MODULE.check(UKRAINE.parameters) == []


def _with(**changes: dict | None) -> dict[str, Parameter]:
    """ukraine-2023's parameters with some replaced (``__`` for the owner's dot) or removed."""
    params = dict(UKRAINE.parameters)
    for k, raw in changes.items():
        name = k.replace("__", ".")
        if raw is None:
            del params[name]
        else:
            params[name] = Parameter.model_validate(raw)
    return params


def test_weights_that_do_not_sum_to_one_are_reported() -> None:
    assert MODULE.check is not None
    problems = MODULE.check(_with(russia__weight_territory={
        "value": 0.9, "unit": "fraction", "source": "assumption", "note": "x"}))
    assert len(problems) == 1
    path, message = problems[0]
    assert path.startswith("parameters.russia.weight_")
    assert "must sum to 1" in message
    assert "'russia'" in message


def test_a_missing_weight_and_a_bad_channel_are_reported() -> None:
    assert MODULE.check is not None
    problems = MODULE.check(_with(united_states__weight_sanctions=None, negotiation_channel={
        "value": 3, "unit": "index", "source": "assumption", "note": "x"}))
    assert "united_states.weight_sanctions" in " ".join(m for _, m in problems)
    bad = [m for p, m in problems if p == "parameters.negotiation_channel"]
    assert len(bad) == 1
    assert "[0, 1, 2]" in bad[0]


def test_all_zero_weights_are_an_input_error() -> None:
    p = settlement_params(4, **{f"ukraine__weight_{d}": 0.0 for d in DIM_NAMES})
    with pytest.raises(InputError, match=r"ukraine\.weight_"):
        MODULE.init(p, 4, neutral_state(MODULE, 4))


# --------------------------------------------------------------------------- built for a cast
def test_names_are_concrete_for_the_cast() -> None:
    names = {ps.name for ps in MODULE.params}
    for party in CAST.parties:
        assert {owned(party, f"weight_{d}") for d in DIM_NAMES} <= names
        assert owned(party, "war_value") in MODULE.variable_names
    # per side and per supporter only for those at a table
    assert {"ukraine.cost_casualties", "russia.elite_cost", "united_states.war_cost"} <= names
    assert not any(n.startswith(("nato.", "partners.", "europe.")) for n in names)
    # the parameters the channels name, with their neutral defaults
    assert SPECS["kyiv_moscow_guarantee_cap"].default == 2.0
    assert SPECS["washington_moscow_veto_onus"].default == 1.0
    assert SPECS["negotiation_channel"].high == 2.0
    reads = {r.name for r in MODULE.reads}
    assert {"russia.territory", "ukraine.combat_power_ratio", "ukraine.casualties_cum",
            "russia.casualties_cum", "united_states.aid_index",
            "united_states.deal_credibility", "escalated"} <= reads
    # descriptions say whose it is
    assert "Russia" in SPECS["bargain_territory_fallback_km2"].description
    assert SPECS["ukraine.horizon"].description.startswith("Planning horizon of Ukraine")


def test_templates_name_no_owner() -> None:
    for spec in (*PARAMS, *VARIABLES):
        assert "." not in spec.name
        if spec.per is not None:
            assert "{owner}" in spec.description, spec.name


def test_module_contract() -> None:
    n = 5
    p = settlement_params(n)
    s = MODULE.init(p, n, neutral_state(MODULE, n))
    assert set(s) == set(MODULE.variable_names)
    assert all(v.shape == (n,) for v in s.values())
    assert len(DEALS) == 4 * 3**5
    assert {f"deal_{d.name}" for d in DIMENSIONS} <= set(MODULE.variable_names)
    out = drive(settlement_params(n, negotiation_channel=2), n, 10, inputs=war_state(n))
    assert all(out[v].shape == (11, n) for v in MODULE.variable_names)


@pytest.mark.parametrize(("channel", "error"), [
    (Channel("c", 0, ("a", "b")), "code 0"),
    (Channel("c", 1, ("a", "b"), ("territory", "prisoners")), "prisoners"),
    (Channel("c", 1, ("a", "b"), credibility_of="a"), "not a supporter"),
])
def test_a_channel_the_deal_space_cannot_hold_is_refused(channel: Channel, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        talks(Cast(sides=("a", "b"), channels=(channel,)))


def test_bargaining_joins_two_sides() -> None:
    with pytest.raises(ValueError, match="joins two sides"):
        build(Cast(sides=("a", "b", "c"), channels=(Channel("c", 1, ("a", "b")),)))


def test_the_names_of_the_cast_do_not_matter() -> None:
    """The ukraine-2023 cast under other names gives the same numbers, bit for bit."""
    n = 48
    other = build(renamed_cast(CAST, RENAME))
    shocks = random_shocks(7, 60, n)
    both = {"open_kyiv_moscow": 1.0, "open_washington_moscow": 1.0}
    for code, switches in ((1, {}), (2, {}), (0, both)):
        p = settlement_params(n, negotiation_channel=code, russia__cost_casualties=1e-4,
                              **switches)
        here = drive(p, n, 60, shocks=shocks, inputs=war_state(n))
        there = drive(rename_keys(p, RENAME), n, 60, module=other, shocks=shocks,
                      inputs=rename_keys(war_state(n), RENAME))
        assert here["settled"].any()  # the talks do settle: the comparison has teeth
        for name, values in rename_keys(here, RENAME).items():
            np.testing.assert_array_equal(there[name], values, err_msg=name)


def test_a_supporter_negotiates_for_the_side_it_supports() -> None:
    """A supporter of the second side, with the second side's values, values war as it does."""
    cast = Cast(sides=("blue", "red"), supporters=("friend",), supports=("red",),
                channels=(Channel("all", 1, ("blue", "red", "friend")),))
    module = build(cast)
    n = 6
    base = rename_keys(settlement_params(n, russia__cost_casualties=0.0,
                                         russia__elite_cost=0.0), RENAME)
    p = {}
    for spec in module.params:
        donor = spec.name.replace("friend.", "red.")
        p[spec.name] = base[donor] if donor in base else np.full(n, np.nan)
    p["friend.war_cost"], p["friend.aid_leverage"] = np.zeros(n), np.full(n, 0.5)
    out = drive(p, n, 6, module=module, inputs=rename_keys(war_state(n), RENAME))
    np.testing.assert_array_equal(out["friend.war_value"], out["red.war_value"])
    np.testing.assert_array_equal(out["friend.victory_belief"], out["red.victory_belief"])
    assert np.all(out["friend.war_value"][-1] != out["blue.war_value"][-1])


# --------------------------------------------------------------------------- channels
def test_each_channel_has_a_switch_that_opens_it_beside_others() -> None:
    for ch in CAST.channels:
        spec = SPECS[channel_switch(ch.name)]
        assert (spec.unit, spec.low, spec.high, spec.default) == ("switch", 0.0, 1.0, 0.0)
        assert f"while negotiation_channel is {ch.code}" in spec.description
    assert channel_switch("washington_moscow") == "open_washington_moscow"
    assert [tb.switch for tb in talks(CAST).tables] == ["open_kyiv_moscow",
                                                        "open_washington_moscow"]


def test_a_switch_opens_its_channel_exactly_as_its_code_does() -> None:
    n = 48
    shocks = random_shocks(11, 60, n)
    by_code = drive(settlement_params(n, negotiation_channel=2, russia__cost_casualties=1e-4),
                    n, 60, shocks=shocks, inputs=war_state(n))
    by_switch = drive(settlement_params(n, open_washington_moscow=1,
                                        russia__cost_casualties=1e-4),
                      n, 60, shocks=shocks, inputs=war_state(n))
    assert by_code["settled"].any()
    for name, values in by_code.items():
        np.testing.assert_array_equal(by_switch[name], values, err_msg=name)


def test_with_two_channels_open_the_first_deal_signed_holds() -> None:
    """Both of ukraine-2023's channels open: the table that signs first sets the terms."""
    n, steps = 96, 80
    shocks = random_shocks(5, steps, n)
    runs = {}
    for name, over in (("b", {"negotiation_channel": 1}), ("c", {"negotiation_channel": 2}),
                       ("both", {"open_kyiv_moscow": 1, "open_washington_moscow": 1})):
        p = settlement_params(n, **over)
        # Moscow's cost of war and Washington's margin vary, so each table settles first
        # in some samples
        p["russia.cost_casualties"] = np.tile([1e-4, 3e-4, 1e-3], n // 3)
        p["united_states.deal_margin"] = np.linspace(0.0, 0.4, n)
        runs[name] = drive(p, n, steps, shocks=shocks, inputs=war_state(n))
    first = {k: r["months_to_settlement"][-1] for k, r in runs.items()}
    np.testing.assert_array_equal(first["both"], np.fmin(first["b"], first["c"]))
    b, c = (np.nan_to_num(first[k], nan=np.inf) for k in ("b", "c"))
    tie = (b == c) & np.isfinite(b)
    assert (b < c).any()
    assert (c < b).any()
    assert tie.any()
    cols = np.arange(n)

    def terms(run: str, step: np.ndarray) -> np.ndarray:
        return np.stack([runs[run][f"deal_{d}"][step, cols] for d in DIM_NAMES], axis=1)

    # kyiv_moscow is listed first: it holds where it signs first, and in the same month
    for rows, alone in ((b < c, "b"), (c < b, "c"), (tie, "b")):
        step = np.argmax(runs[alone]["settled"] > 0.5, axis=0)
        np.testing.assert_array_equal(terms("both", step)[rows], terms(alone, step)[rows],
                                      err_msg=alone)
    step = np.argmax(runs["b"]["settled"] > 0.5, axis=0)
    assert np.any(terms("b", step)[tie] != terms("c", step)[tie])


def test_a_channel_switch_must_be_a_fixed_zero_or_one() -> None:
    assert MODULE.check is not None
    for raw, found in (({"value": 0.5}, "0.5"),
                       ({"dist": "uniform", "low": 0, "high": 1}, "a distribution")):
        problems = MODULE.check(_with(open_kyiv_moscow={
            **raw, "unit": "switch", "source": "assumption", "note": "x"}))
        assert [p for p, _ in problems] == ["parameters.open_kyiv_moscow"]
        assert "0 (closed unless negotiation_channel is 1) or 1 (open)" in problems[0][1]
        assert found in problems[0][1]


def test_a_channel_may_not_name_a_switch_as_its_own_parameter() -> None:
    cast = Cast(sides=("a", "b"), channels=(
        Channel("one", 1, ("a", "b")), Channel("two", 2, ("a", "b"), veto_onus="open_one")))
    with pytest.raises(ValueError, match="'open_one', the switch that opens a channel"):
        talks(cast)


def test_no_channel_never_settles() -> None:
    n = 32
    out = drive(settlement_params(n, negotiation_channel=0), n, STEPS, inputs=war_state(n))
    assert not out["settled"].any()
    assert np.isnan(out["months_to_settlement"][-1]).all()
    assert (out["deal_territory"] == -1).all()
    assert (out["war_intensity"] == 1.0).all()


def _second_wants_only_the_security_order(n: int, channel: int) -> dict[str, np.ndarray]:
    """Moscow cares only for the regional security order; nothing else compensates it."""
    weights = {f"russia__weight_{d}": (1.0 if d == "security_order" else 0.0) for d in DIM_NAMES}
    us = {f"united_states__weight_{d}": (1.0 if d == "territory" else 0.0) for d in DIM_NAMES}
    return settlement_params(n, negotiation_channel=channel, russia__cost_casualties=0.0,
                             russia__elite_cost=0.0, **weights, **us)


def test_a_channel_lacking_what_the_second_side_requires_never_settles() -> None:
    n = 64
    shocks = random_shocks(3, STEPS, n)
    narrow = drive(_second_wants_only_the_security_order(n, 1), n, STEPS, shocks=shocks,
                   inputs=war_state(n))
    assert not narrow["settled"].any()
    assert not narrow["zone_exists"].any()
    # the same parties settle when the channel can move that dimension (the test has teeth)
    full = drive(_second_wants_only_the_security_order(n, 2), n, STEPS, shocks=shocks,
                 inputs=war_state(n))
    assert full["settled"].any()
    agreed = full["deal_security_order"][-1]
    sq = DIMENSIONS[DIM_NAMES.index("security_order")].status_quo_level
    assert np.all(agreed[agreed >= 0] < sq)


def test_a_channel_without_credibility_gets_no_deal_from_the_other_side() -> None:
    """Moscow discounts a Washington deal by Washington's credibility; Kyiv does not."""
    n = 16
    p = _easy(n)
    inputs = war_state(n)
    none = drive(p, n, 20, inputs={**inputs, "united_states.deal_credibility": np.zeros(n)})
    assert not none["settled"].any()
    full = drive(p, n, 20, inputs={**inputs, "united_states.deal_credibility": np.ones(n)})
    assert full["settled"].all(axis=1).any()


# --------------------------------------------------------------------------- fast == dense
def _round(cast: Cast, p: dict[str, np.ndarray], seed: int, shift: float):
    rng = np.random.default_rng(seed)
    t = talks(cast)
    n = next(iter(p.values())).size
    for k in p:
        if "weight" in k or k.endswith(("_margin", "veto_base", "veto_slope", "_onus")):
            p[k] = p[k] * rng.uniform(0.3, 1.7, n)
    neg = war_values(
        t, p, area=rng.uniform(90_000, 130_000, n), start_area=np.full(n, 108_000.0),
        log_ratio=rng.normal(0.3, 0.4, n), drift=rng.normal(0, 5e-4, n),
        gain=rng.normal(1.5, 3, n), cost={a: rng.uniform(0, 3e-4, n) for a in t.parties},
        aid={a: rng.uniform(0, 1, n) for a in t.supporters},
        credibility={a: rng.uniform(0, 1, n) for a in t.credible})
    return t, type(neg)(neg.weights, neg.territory,
                        {a: v + shift for a, v in neg.war.items()}, neg.status_quo,
                        neg.power, neg.victory, neg.credibility)


def _same(fast, dense) -> None:
    np.testing.assert_array_equal(fast.deal, dense.deal)
    np.testing.assert_array_equal(fast.zone, dense.zone)
    np.testing.assert_allclose(fast.risk, dense.risk, rtol=0, atol=1e-12, equal_nan=True)
    assert fast.party_risk.keys() == dense.party_risk.keys()
    for a in fast.party_risk:
        np.testing.assert_allclose(fast.party_risk[a], dense.party_risk[a], rtol=0,
                                   atol=1e-12, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), code=st.sampled_from([1, 2]),
       shift=st.floats(-0.3, 0.3))
def test_fast_negotiation_equals_the_dense_twin(seed: int, code: int, shift: float) -> None:
    p = settlement_params(40)
    t, neg = _round(CAST, p, seed, shift)
    table = next(tb for tb in t.tables if tb.channel.code == code)
    _same(negotiate(table, neg, p), _negotiate_dense(table, neg, p))


#: A cast where both sides and a supporter of the second side hold a domestic veto, and the
#: second side's supporter's credibility discounts the first side's gain.
VETOES = Cast(sides=("blue", "red"), supporters=("patron", "friend"), supports=("blue", "red"),
              channels=(Channel("all", 1, ("blue", "red", "patron", "friend"),
                                credibility_of="friend", veto_onus="all_onus"),))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shift=st.floats(-0.3, 0.3))
def test_fast_equals_dense_with_several_vetoes(seed: int, shift: float) -> None:
    module = build(VETOES)
    n = 40
    base = rename_keys(settlement_params(n), RENAME)
    p = {}
    for spec in module.params:
        donor = spec.name.replace("friend.", "red.").replace("all_onus",
                                                              "washington_moscow_veto_onus")
        p[spec.name] = base[donor] if donor in base else np.full(n, 0.5)
    p["red.veto_base"], p["red.veto_slope"] = np.full(n, 0.02), np.full(n, 1.0)
    p["friend.veto_slope"] = np.full(n, 0.5)
    t, neg = _round(VETOES, p, seed, shift)
    table = t.tables[0]
    assert table.reversed == (False, True, False, True)
    assert table.discounted == (True, False, True, False)
    fast, dense = negotiate(table, neg, p), _negotiate_dense(table, neg, p)
    _same(fast, dense)
    # the joint risk is that at least one blocks
    has = fast.zone
    if has.any():
        hold = np.prod([1 - fast.party_risk[a][has] for a in table.players], axis=0)
        np.testing.assert_allclose(fast.risk[has], 1 - hold, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- after a deal
def _easy(n: int, **over: float) -> dict[str, np.ndarray]:
    """Parameters under which every sample finds a deal at the first round."""
    base = {"negotiation_channel": 2, "ukraine__deal_margin": 0.0, "russia__deal_margin": 0.0,
            "united_states__deal_margin": 0.0, "ukraine__cost_casualties": 0.5 / 365.25,
            "russia__cost_casualties": 0.5 / 365.25, "united_states__war_cost": 0.5 / 365.25,
            "ukraine__veto_base": 0.0, "ukraine__veto_slope": 0.0,
            "settlement_breakdown_rate": 0.0}
    base.update(over)
    return settlement_params(n, **base)


def test_a_deal_brings_a_ceasefire_with_its_terms() -> None:
    n = 16
    p = _easy(n)
    out = drive(p, n, 8, inputs=war_state(n))
    assert out["settled"][-1].all()
    first = np.argmax(out["settled"] > 0.5, axis=0)
    assert np.all(first == first[0])  # the first monthly round (a step crossing day 30.44)
    assert out["war_intensity"][-1] == pytest.approx(p["ceasefire_war_intensity"])
    g = out["deal_guarantees"][-1].astype(int)
    s = out["deal_sanctions"][-1].astype(int)
    assert out["settlement_guarantee"][-1] == pytest.approx(g / 2)
    assert out["sanctions_relief"][-1] == pytest.approx(1 - s / 2)
    assert np.all(out["months_to_settlement"][-1] > 1.0)
    assert np.all(out["months_to_settlement"][-1] < 1.3)
    for d in DIMENSIONS:
        terms = out[f"deal_{d.name}"][-1]
        assert np.all((terms >= 0) & (terms < len(d.levels)))


def test_breakdown_resumes_the_war_and_talks_wait() -> None:
    n = 8
    p = _easy(n, settlement_breakdown_rate=1e-6, renegotiation_delay=90.0)
    shocks = {"settlement_breakdown": np.zeros((40, n)), "settlement_veto": np.ones((40, n))}
    out = drive(p, n, 40, shocks=shocks, inputs=war_state(n))
    settled = out["settled"] > 0.5
    k = int(np.argmax(settled[:, 0]))
    assert settled[k].all()
    assert not settled[k + 1].any()
    assert (out["war_intensity"][k + 1] == 1.0).all()
    assert (out["sanctions_relief"][k + 1] == 0.0).all()
    assert (out["breakdowns"][k + 1] == 1.0).all()
    # no new deal before the renegotiation delay has passed
    t_break = (k + 1) * DT
    quiet = [j for j in range(k + 2, 41) if j * DT - t_break < 90.0]
    assert not settled[quiet].any()
    assert settled[k + 2:].any()  # and a new one after it
    assert out["months_to_settlement"][-1] == pytest.approx(out["months_to_settlement"][k])


@pytest.mark.parametrize("holder", ["ukraine", "russia", "united_states"])
def test_whoever_holds_the_veto_blocks_the_deal_that_month(holder: str) -> None:
    n = 8
    p = _easy(n, **{f"{holder}__veto_base": 0.5})
    shocks = {"settlement_veto": np.full((12, n), 0.25), "settlement_breakdown": np.ones((12, n))}
    out = drive(p, n, 12, shocks=shocks, inputs=war_state(n))
    assert not out["settled"].any()
    assert out["zone_exists"].any()
    assert np.all(out[owned(holder, "veto_risk")][-1] >= 0.5)
    for other in CAST.parties:
        if other != holder:
            assert np.all(out[owned(other, "veto_risk")][-1] == 0.0)
    # a draw above the risk lets the same deal through (the test has teeth)
    calm = drive(p, n, 12, shocks={**shocks, "settlement_veto": np.full((12, n), 0.75)},
                 inputs=war_state(n))
    assert calm["settled"].any()


@pytest.mark.parametrize("code", [1, 2])
def test_the_veto_risk_rises_with_the_concession_times_the_channel_onus(code: int) -> None:
    p = settlement_params(40)
    t, neg = _round(CAST, p, 5, 0.0)
    # Kyiv's war looks bleak, Moscow's bright: only deals that concede something are acceptable
    war = {**neg.war, "ukraine": neg.war["ukraine"] - 0.5, "russia": neg.war["russia"] + 0.1}
    neg = type(neg)(neg.weights, neg.territory, war, neg.status_quo, neg.power, neg.victory,
                    neg.credibility)
    table = next(tb for tb in t.tables if tb.channel.code == code)
    out = negotiate(table, neg, p)
    rows = np.flatnonzero(out.zone)
    terms = DEALS[out.deal[rows]]
    w = neg.weights["ukraine"][rows]
    u = w[:, 0] * neg.territory[rows, terms[:, 0]]
    for k in range(1, len(DIMENSIONS)):
        u = u + w[:, k] * level_positions(len(DIMENSIONS[k].levels))[terms[:, k]]
    concession = np.maximum(neg.status_quo["ukraine"][rows] - u, 0.0)
    assert np.any(concession > 0.01)  # the check has teeth
    onus = p["washington_moscow_veto_onus"][rows] if code == 2 else 1.0
    expect = np.clip(p["ukraine.veto_base"][rows]
                     + p["ukraine.veto_slope"][rows] * onus * concession, 0.0, 1.0)
    np.testing.assert_allclose(out.party_risk["ukraine"][rows], expect, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out.risk[rows], out.party_risk["ukraine"][rows])


def test_escalation_stops_talks_and_ends_a_deal() -> None:
    n = 8
    war = war_state(n)
    out = drive(_easy(n), n, 20, inputs={**war, "escalated": np.ones(n)})
    assert not out["settled"].any()
    calm = drive(_easy(n), n, 20, inputs=war)
    assert calm["settled"].any()  # the same talks settle without the escalation
    # a deal in force ends when the war escalates
    reads = neutral_state(MODULE, n)
    s = {**MODULE.init(_easy(n), n, reads), **reads, "settled": np.ones(n),
         "settlement_guarantee": np.ones(n), "war_intensity": np.full(n, 0.1)}
    x = {**reads, "escalated": np.ones(n)}
    u = {"settlement_veto": np.ones(n), "settlement_breakdown": np.ones(n)}
    new = MODULE.step(s, x, _easy(n), u, StepContext(step=1, t=7.0, dt=7.0, n=n))
    assert (new["settled"] == 0).all()
    assert (new["war_intensity"] == 1.0).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), channel=st.sampled_from([0, 1, 2]))
def test_a_settlement_never_raises_war_intensity(seed: int, channel: int) -> None:
    n = 24
    rng = np.random.default_rng(seed)
    p = settlement_params(n, negotiation_channel=channel)
    out = drive(p, n, 60, shocks=random_shocks(seed, 60, n),
                inputs=war_state(n, ratio=float(rng.uniform(0.4, 1.5))))
    w = out["war_intensity"]
    assert np.all(w <= 1.0)
    assert np.all(np.where(out["settled"] > 0.5, w == p["ceasefire_war_intensity"], w == 1.0))
    assert np.all(np.diff(out["settlements"], axis=0) >= 0)


# --------------------------------------------------------------------------- reads
def test_every_read_is_declared() -> None:
    n = 6
    p = settlement_params(n, negotiation_channel=2)
    # five steps cross a month: the talks (and every read) run
    states = step_on_declared_names(MODULE, p, n, steps=5, **{
        "russia.territory": 108_000.0, "ukraine.combat_power_ratio": 0.7,
        "ukraine.casualties_cum": 1e4, "russia.casualties_cum": 2e4})
    assert all(np.isfinite(s[owned(a, "war_value")]).all()
               for s in states[4:] for a in CAST.parties)


def test_an_input_a_party_does_not_weigh_may_be_missing() -> None:
    """Russia weighs no lost viability and Kyiv no elite pressure: NaN there changes nothing."""
    n = 6
    p = settlement_params(n, negotiation_channel=2)
    base = drive(p, n, 9, inputs=war_state(n))
    nan = drive(p, n, 9, inputs={**war_state(n), "russia.viability": np.full(n, np.nan),
                                 "ukraine.elite_pressure": np.full(n, np.nan)})
    for name in MODULE.variable_names:
        np.testing.assert_array_equal(nan[name], base[name], err_msg=name)


def test_without_the_military_the_parties_assume_their_parameters() -> None:
    """Territory, force ratio and casualties are "not observed" (NaN): parameters stand in."""
    n = 4
    p = settlement_params(n, negotiation_channel=0)
    alone = drive(p, n, 9)
    assert np.isfinite(alone["russia.war_value"][-1]).all()
    np.testing.assert_array_equal(alone["bargain_start_area"][-1],
                                  p["bargain_territory_fallback_km2"])
    np.testing.assert_array_equal(alone["bargain_ref_log_ratio"][-1],
                                  np.log(p["bargain_force_ratio_fallback"]))
    # no casualties observed: the rates stay at their reference
    for side in CAST.sides:
        np.testing.assert_array_equal(alone[owned(side, "bargain_casualty_rate")][-1],
                                      p[owned(side, "casualty_ref_rate")])
    # observed values take their place (the test has teeth)
    seen = drive(p, n, 9, inputs={**war_state(n, area=100_000.0),
                                  "ukraine.casualties_cum": np.zeros(n)})
    np.testing.assert_array_equal(seen["bargain_start_area"][-1], np.full(n, 100_000.0))
    assert np.all(seen["ukraine.bargain_casualty_rate"][-1] < p["ukraine.casualty_ref_rate"])


# --------------------------------------------------------------------------- a cast's own issues
#: Issues of another war, the line of control declared second and a four-level guarantee.
OWN_ISSUES = (
    Issue("prisoners", ("all_for_all", "neutral_custody", "release_on_the_spot"),
          "release_on_the_spot"),
    Issue("line", ("claim", "contact", "partial", "old_border"), "contact", role="territory"),
    Issue("security", ("none", "declaration", "monitors", "treaty"), "none",
          role="guarantees"),
    Issue("relief", ("lifted", "kept"), "kept", role="sanctions"),
)
OWN = Cast(sides=("blue", "red"), supporters=("patron",), supports=("blue",),
           channels=(Channel("all", 1, ("blue", "red", "patron"), credibility_of="patron"),
                     Channel("two", 2, ("blue", "red"), ("line", "security"),
                             guarantee_cap="two_cap")),
           issues=OWN_ISSUES)
#: Issues that set nothing but the parties' utilities: no line, no sanctions, no guarantee.
PLAIN = Cast(sides=("blue", "red"), channels=(Channel("all", 1, ("blue", "red")),),
             issues=(Issue("prisoners", ("all_for_all", "neutral_custody", "release"), "release"),
                     Issue("troops", ("withdrawal", "conference", "stay"), "stay")))


def own_params(module: Module, n: int, **over: float) -> dict[str, np.ndarray]:
    """ukraine-2023's values for ``module``'s parameters (renamed), even weights, defaults."""
    base = rename_keys(settlement_params(n), RENAME)
    weights = [spec.name for spec in module.params if ".weight_" in spec.name]
    per_party = {a.split(".")[0] for a in weights}
    p = {}
    for spec in module.params:
        if spec.name in weights:
            p[spec.name] = np.full(n, len(per_party) / len(weights))
        elif spec.name in base:
            p[spec.name] = base[spec.name]
        else:
            assert spec.default is not None, spec.name
            p[spec.name] = np.full(n, spec.default)
    for k, v in over.items():
        p[k.replace("__", ".")] = np.full(n, float(v))
    return p


def test_a_cast_names_its_issues_in_its_own_order() -> None:
    space = talks(OWN).space
    assert [d.name for d in space.declared] == ["prisoners", "line", "security", "relief"]
    assert space.names == ("line", "prisoners", "security", "relief")  # the line first
    assert space.deals.shape == (3 * 4 * 4 * 2, 4)
    assert (space.guarantees, space.sanctions) == (2, 3)
    module = build(OWN)
    names = [ps.name for ps in module.params]
    assert [n for n in names if n.startswith("blue.weight_")] == [
        "blue.weight_prisoners", "blue.weight_line", "blue.weight_security",
        "blue.weight_relief"]
    assert [v for v in module.variable_names if v.startswith("deal_")] == [
        "deal_prisoners", "deal_line", "deal_security", "deal_relief"]
    cap = next(ps for ps in module.params if ps.name == "two_cap")
    assert (cap.high, cap.default) == (3.0, 3.0)
    assert "0 none, 1 declaration, 2 monitors, 3 treaty" in cap.description


def test_issues_without_roles_leave_out_what_the_roles_read() -> None:
    module = build(PLAIN)
    names = {ps.name for ps in module.params}
    assert not names & {*TERRITORY_PARAMS, *GUARANTEE_PARAMS}
    assert not set(module.variable_names) & set(TERRITORY_VARIABLES)
    assert "red.territory" not in {r.name for r in module.reads}
    # with a line of control they are all there
    assert {*TERRITORY_PARAMS, *GUARANTEE_PARAMS} <= {ps.name for ps in MODULE.params}


def test_the_weights_of_a_cast_s_own_issues_are_checked() -> None:
    module = build(PLAIN)
    assert module.check is not None
    fixed = {spec.name: Parameter.model_validate(
        {"value": 0.5, "unit": "fraction", "source": "assumption", "note": "x"})
        for spec in module.params if ".weight_" in spec.name}
    assert module.check(fixed) == []
    fixed["red.weight_troops"] = Parameter.model_validate(
        {"value": 0.9, "unit": "fraction", "source": "assumption", "note": "x"})
    (path, message), = module.check(fixed)
    assert path == "parameters.red.weight_prisoners"
    assert "must sum to 1" in message
    assert "red.weight_troops=0.9" in message


def test_issues_without_a_line_value_the_stalemate_as_the_status_quo() -> None:
    n = 8
    module = build(PLAIN)
    t = talks(PLAIN)
    p = own_params(module, n)
    rng = np.random.default_rng(2)
    neg = war_values(t, p, log_ratio=rng.normal(0, 0.3, n), drift=np.zeros(n),
                     cost={a: np.zeros(n) for a in t.parties}, aid={}, credibility={})
    assert neg.territory.shape == (n, 0)
    assert all(np.isfinite(neg.war[a]).all() for a in t.parties)
    # a party sure of a stalemate (and at no cost) values the war at the status quo
    calm = war_values(t, {**p, "bargain_collapse_log_ratio": np.full(n, 50.0)},
                      log_ratio=np.zeros(n), drift=np.zeros(n),
                      cost={a: np.zeros(n) for a in t.parties}, aid={}, credibility={})
    for a in t.parties:
        np.testing.assert_allclose(calm.war[a], calm.status_quo[a], rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), code=st.sampled_from([1, 2]),
       shift=st.floats(-0.3, 0.3), cast=st.sampled_from(["own", "plain"]))
def test_fast_equals_dense_over_a_cast_s_own_issues(seed: int, code: int, shift: float,
                                                    cast: str) -> None:
    c = OWN if cast == "own" else PLAIN
    if c is PLAIN and code == 2:
        code = 1
    module = build(c)
    n = 40
    p = own_params(module, n, red__veto_base=0.02, red__veto_slope=1.0)
    rng = np.random.default_rng(seed)
    t = talks(c)
    for k in p:
        if "weight" in k or k.endswith(("_margin", "veto_base", "veto_slope")):
            p[k] = p[k] * rng.uniform(0.3, 1.7, n)
    if "two_cap" in p:
        p["two_cap"] = rng.integers(0, 4, n).astype(float)
    lines = ({"area": rng.uniform(1_000, 9_000, n), "start_area": np.full(n, 5_000.0),
              "gain": rng.normal(0, 3, n)} if t.space.territory else {})
    neg = war_values(t, p, log_ratio=rng.normal(0.0, 0.4, n), drift=rng.normal(0, 5e-4, n),
                     cost={a: rng.uniform(0, 3e-4, n) for a in t.parties},
                     aid={a: rng.uniform(0, 1, n) for a in t.supporters},
                     credibility={a: rng.uniform(0, 1, n) for a in t.credible}, **lines)
    neg = type(neg)(neg.weights, neg.territory, {a: v + shift for a, v in neg.war.items()},
                    neg.status_quo, neg.power, neg.victory, neg.credibility)
    table = next(tb for tb in t.tables if tb.channel.code == code)
    fast, dense = negotiate(table, neg, p), _negotiate_dense(table, neg, p)
    _same(fast, dense)


def test_the_roles_of_a_cast_s_own_issues_set_relief_and_guarantee() -> None:
    n = 16
    module = build(OWN)
    p = own_params(module, n, negotiation_channel=1, blue__deal_margin=0.0,
                   red__deal_margin=0.0, patron__deal_margin=0.0,
                   blue__cost_casualties=0.5 / 365.25, red__cost_casualties=0.5 / 365.25,
                   patron__war_cost=0.5 / 365.25, settlement_breakdown_rate=0.0)
    p["red.weight_relief"] = np.linspace(0.05, 0.9, n)  # the more red cares, the likelier
    out = drive(p, n, 8, module=module, inputs=war_state(n, area=5_000.0, cast=OWN))
    assert out["settled"][-1].all()
    g = out["deal_security"][-1]
    relief = out["deal_relief"][-1]
    assert len(set(g)) > 1  # the terms differ across samples: the test has teeth
    assert len(set(relief)) > 1
    np.testing.assert_array_equal(out["settlement_guarantee"][-1], g / 3)
    np.testing.assert_array_equal(out["sanctions_relief"][-1], 1 - relief)
    for d in OWN_ISSUES:
        terms = out[f"deal_{d.name}"][-1]
        assert np.all((terms >= 0) & (terms < len(d.levels))), d.name
    # the narrow channel keeps what it cannot move at its status quo, within its cap
    q = {**p, "negotiation_channel": np.full(n, 2.0), "two_cap": np.full(n, 1.0)}
    two = drive(q, n, 8, module=module, inputs=war_state(n, area=5_000.0, cast=OWN))
    assert two["settled"][-1].all()
    assert np.all(two["deal_prisoners"][-1] == 2)
    assert np.all(two["deal_relief"][-1] == 1)
    assert np.all(two["deal_security"][-1] <= 1)
    assert np.all(two["sanctions_relief"][-1] == 0.0)


@pytest.mark.parametrize(("cast", "error"), [
    (Cast(sides=("a", "b"), channels=(Channel("c", 1, ("a", "b"), ("troops", "x")),),
          issues=PLAIN.issues), r"issue\(s\) x; the talks' issues are prisoners, troops"),
    (Cast(sides=("a", "b"), channels=(Channel("c", 1, ("a", "b"), guarantee_cap="cap"),),
          issues=PLAIN.issues), "no issue has the role 'guarantees'"),
])
def test_a_channel_a_cast_s_issues_cannot_hold_is_refused(cast: Cast, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        build(cast)
