"""korea-1951: it loads with its cast, every number is sourced, it runs, and it names no other war.

The checks on the start state are those of the calibration in docs/korea-1951.md, at the
central values of the parameters; the checks on the ensemble are on the mechanisms the
policies and events act through, not on outcomes after the start.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pytest

from detente.engine import compile_plan, simulate
from detente.model import bargaining, military
from detente.results import schema
from detente.scenario import builtin_path, load_scenario

NAME = "korea-1951"
SIDES = ("un_command", "communist_forces")
#: Words no text of this war may carry: the names of the other built-in war.
OTHER_WAR = re.compile(r"ukrain|russia", re.IGNORECASE)
#: The suspensions of the talks in the record (as_happened): [from, until).
SUSPENSIONS = (("1951-08-23", "1951-10-25"), ("1952-10-08", "1953-04-26"))
#: The talks' issues, as the scenario declares them: levels from the communists' most
#: preferred to the UN Command's, and what holds while nothing is agreed.
ISSUES = {
    "demarcation": (("parallel_38", "line_of_contact", "kaesong_to_the_unc", "line_north"),
                    "line_of_contact", "territory"),
    "prisoners": (("all_for_all", "neutral_custody", "no_exchange", "voluntary_repatriation"),
                  "no_exchange", None),
    "foreign_troops": (("withdrawal", "political_conference", "troops_stay"), "troops_stay", None),
    "supervision": (("no_limits", "ports_of_entry", "full_inspection"), "full_inspection", None),
    "rok_security": (("none", "assurances", "defence_treaty"), "none", "guarantees"),
}
#: Each counterfactual and the date until which it is the record.
DIVERGES = {"stalin_lives": "1953-03-19", "no_new_approach": "1953-01-20",
            "no_voluntary_repatriation": "1952-05-02"}


@pytest.fixture(scope="module")
def korea() -> Any:
    return load_scenario(NAME)


@pytest.fixture(scope="module")
def ensemble(korea: Any) -> Any:
    record = ["settled", "settlements", *(f"{x}.{v}" for x in SIDES for v in (
        "personnel", "casualties_cum", "shells", "territory")),
        "communist_forces.veto_risk", "zone_exists", *(f"deal_{i}" for i in ISSUES)]
    return simulate(korea, n_samples=48, seed=3, record=record).ds


def _step(ds: Any, date: str) -> int:
    return int(np.searchsorted(ds["time"].values, np.datetime64(date)))


# --------------------------------------------------------------------------- the file
def test_the_cast(korea: Any) -> None:
    cast = korea.cast
    assert cast.sides == SIDES
    assert [cast.name_of(x) for x in cast.sides] == ["UN Command", "Communist forces"]
    assert {s: cast.side_of(s) for s in cast.supporters} == {
        "united_states": "un_command", "soviet_union": "communist_forces"}
    assert set(korea.modules) == {"military", "politics", "bargaining"}
    talks = {ch.name: ch for ch in cast.channels}
    assert talks["panmunjom"].code == korea.table.central()["negotiation_channel"] == 1
    assert talks["panmunjom"].parties == SIDES
    assert set(talks["panmunjom_with_principals"].parties) == {*SIDES, *cast.supporters}
    # foreign troops were off the delegations' agenda of 26 July 1951; the principals can
    # move every issue
    assert talks["panmunjom"].dimensions == (
        "demarcation", "prisoners", "supervision", "rok_security")
    assert set(talks["panmunjom_with_principals"].dimensions or ISSUES) == set(ISSUES)


def test_the_talks_are_over_the_armistice_items(korea: Any) -> None:
    issues = bargaining.issues_of(korea.cast)
    assert {i.name: (i.levels, i.status_quo, i.role) for i in issues} == ISSUES
    assert len(bargaining.deal_space(issues).deals) == 4 * 4 * 3 * 3 * 3
    # every party weighs exactly these issues, and nothing else; the modes sum to 1
    for party in ("un_command", "communist_forces", "united_states", "soviet_union"):
        weights = {k.split(".weight_")[1]: p.nominal() for k, p in korea.parameters.items()
                   if k.startswith(f"{party}.weight_")}
        assert set(weights) == set(ISSUES), party
        assert sum(weights.values()) == pytest.approx(1.0), party


def test_the_period_is_the_talks(korea: Any) -> None:
    t = korea.time
    assert t.start == dt.date(1951, 7, 10)  # the first plenary session at Kaesong
    assert t.end >= dt.date(1953, 7, 27)  # the armistice


def test_every_parameter_is_sourced(korea: Any) -> None:
    for name, p in korea.parameters.items():
        if p.source == "assumption":
            assert p.is_uncertain or p.note.strip(), name
            continue
        assert p.source.startswith("ref:"), (name, p.source)
        assert p.source[4:] in korea.sources, (name, p.source)
        assert p.unit.strip(), name
    # what the file leaves out is a documented neutral default of the module that reads it
    for name in korea.table:
        entry = korea.table[name]
        assert entry.parameter is not None or entry.is_default, name


def test_every_reference_names_a_source_and_every_source_is_cited(korea: Any) -> None:
    text = builtin_path(NAME).read_text("utf-8")
    cited = set(re.findall(r"ref:([a-z0-9_]+)", text))
    assert cited <= set(korea.sources), sorted(cited - set(korea.sources))
    assert set(korea.sources) <= cited, sorted(set(korea.sources) - cited)


def test_later_record_is_marked_where_the_calibration_used_it(korea: Any) -> None:
    # rates reconstructed from the whole war, or read after the start, must say so
    for name in ("un_command.effectiveness", "communist_forces.effectiveness",
                 "un_command.fire_rate", "communist_forces.fire_rate",
                 "un_command.recruit_rate", "communist_forces.recruit_rate",
                 "un_command.casualty_ref_rate", "communist_forces.casualty_ref_rate",
                 "mil_ground_price", "un_command.assault_tempo",
                 "communist_forces.assault_tempo"):
        assert "later record" in korea.parameters[name].note.lower(), name


def test_the_file_names_no_other_war() -> None:
    text = builtin_path(NAME).read_text("utf-8")
    assert OTHER_WAR.findall(text) == []


# --------------------------------------------------------------------------- the start
@pytest.fixture(scope="module")
def start(korea: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = compile_plan(korea)
    central = {k: np.array([v * plan.factors[k]]) for k, v in korea.table.central().items()}
    module = military.build(korea.cast)
    neutral = {r.name: np.full(1, r.neutral) for r in module.reads}
    s = module.init(central, 1, neutral)
    flows = military._Military(korea.cast).flows(
        {**neutral, **s}, central, np.ones(1), {x: np.zeros(1) for x in korea.cast.sides})
    return s, flows


def test_initial_losses_are_the_reconstructed_rates(start: Any) -> None:
    _, f = start
    # persons a day: the ranges the calibration used (korea-1951-calibration.csv), around
    # the reconstructed 350 and 450
    assert 230 < f["un_command.loss"][0] < 550
    assert 250 < f["communist_forces.loss"][0] < 1000


def test_initial_fire_is_what_supply_brings(start: Any, korea: Any) -> None:
    # under a shortage a side fires about what reaches it: US output for the UN Command,
    # own arsenals and Soviet deliveries for the communist forces
    _, f = start
    c = korea.table.central()
    assert f["un_command.shells_used"][0] == pytest.approx(
        c["un_command.shell_production"], rel=0.1)
    assert f["communist_forces.shells_used"][0] == pytest.approx(
        c["communist_forces.shell_production"] + c["soviet_union.shells_in_kind"], rel=0.1)


def test_the_front_starts_nearly_still(start: Any) -> None:
    s, f = start
    assert abs(f["front"][0]) < 2.0  # km2 a day: a few hundred km2 over two years at most
    assert s["communist_forces.territory"][0] == 0.0  # net, the UNC holds north of the line
    assert s["un_command.territory"][0] > 0.0


# --------------------------------------------------------------------------- the ensemble
def test_a_small_ensemble_runs(ensemble: Any) -> None:
    assert list(ensemble["side_name"].values) == ["UN Command", "Communist forces"]
    for name in ("settled", "un_command.personnel", "communist_forces.casualties_cum",
                 "un_command.shells", "communist_forces.territory"):
        assert np.isfinite(schema.select(ensemble, name).values).all(), name
    settled = schema.select(ensemble, "settled").values
    assert set(np.unique(settled)) <= {0.0, 1.0}
    for x in SIDES:
        cum = schema.select(ensemble, f"{x}.casualties_cum").transpose(..., "time").values
        assert (np.diff(cum, axis=-1) >= 0).all(), x
        assert (schema.select(ensemble, f"{x}.shells").values >= 0).all(), x


def test_no_deal_is_signed_while_the_talks_are_suspended(ensemble: Any) -> None:
    rec = ensemble.sel(policy="as_happened")
    deals = schema.select(rec, "settlements").transpose("sample", "time").values
    for begin, until in SUSPENSIONS:
        a, b = _step(rec, begin), _step(rec, until)
        np.testing.assert_array_equal(deals[:, a:b], deals[:, a:a + 1].repeat(b - a, axis=1))


@pytest.mark.parametrize(("policy", "until"), DIVERGES.items())
def test_a_counterfactual_is_the_record_until_it_diverges(ensemble: Any, policy: str,
                                                          until: str) -> None:
    k = _step(ensemble, until)
    for name in ("settled", "un_command.casualties_cum", "communist_forces.shells"):
        var = schema.select(ensemble, name)
        np.testing.assert_array_equal(var.sel(policy=policy).isel(time=slice(0, k)).values,
                                      var.sel(policy="as_happened").isel(time=slice(0, k)).values)


def test_stalins_death_lifts_moscows_veto(ensemble: Any) -> None:
    # at every round with a deal on the table after the talks resume (26 April 1953), the
    # communists' veto risk is 0 in the record and not without Stalin's death
    after = slice(_step(ensemble, "1953-04-26"), None)

    def at_the_table(policy: str) -> Any:
        pol = ensemble.sel(policy=policy).isel(time=after)
        zone = schema.select(pol, "zone_exists").values > 0.5
        assert zone.any(), policy
        return schema.select(pol, "communist_forces.veto_risk").values[zone]

    assert (at_the_table("as_happened") == 0.0).all()
    assert (at_the_table("stalin_lives") > 0.0).any()


def _terms(ds: Any, issue: str) -> Any:
    """The level of ``issue`` in each sample's latest deal (-1: none), samples x time."""
    return schema.select(ds, f"deal_{issue}").transpose("sample", "time").values


def test_the_delegations_cannot_move_foreign_troops(ensemble: Any) -> None:
    # on the panmunjom channel (the record) a deal leaves US troops where they are
    troops = _terms(ensemble.sel(policy="as_happened"), "foreign_troops")
    stay = ISSUES["foreign_troops"][0].index("troops_stay")
    assert set(np.unique(troops)) <= {-1.0, float(stay)}


def test_a_deal_terms_every_issue_at_one_of_its_levels(ensemble: Any) -> None:
    settled = schema.select(ensemble, "settlements").transpose(..., "sample", "time").values > 0
    for issue, (levels, _, _) in ISSUES.items():
        terms = schema.select(ensemble, f"deal_{issue}").transpose(
            ..., "sample", "time").values
        assert (terms[~settled] == -1).all(), issue
        assert set(np.unique(terms[settled])) <= set(map(float, range(len(levels)))), issue


def test_without_voluntary_repatriation_the_prisoners_go_back(ensemble: Any) -> None:
    # once the UN Command and Washington weigh prisoners 0 (2 May 1952), a deal signed after
    # it gives the communists their prisoners back: all for all costs the UN Command nothing
    pol = ensemble.sel(policy="no_voluntary_repatriation")
    k = _step(pol, "1952-05-02")
    deals = schema.select(pol, "settlements").transpose("sample", "time").values
    later = (deals[:, k - 1] == 0) & (deals[:, -1] > 0)
    assert later.any()
    prisoners = _terms(pol, "prisoners")
    assert (prisoners[later, -1] == ISSUES["prisoners"][0].index("all_for_all")).all()


# --------------------------------------------------------------------------- the report
def test_the_report_names_no_other_war(korea: Any) -> None:
    from detente.report import build_report, report_record

    res = simulate(korea, n_samples=8, seed=1, horizon=120, record=report_record(korea))
    page = build_report(res, korea, hinges=(), tornado_output=None, seed=1)
    # the bundled plotly.js (the first script) lists every country's name, and the charts'
    # numbers are base64 ("bdata"), where any word may turn up by chance: skip both
    library_end = page.index("</script>") + len("</script>")
    assert "plotly.js" in page[:library_end]
    text = re.sub(r'"bdata":"[^"]*"', "", page[library_end:])
    assert OTHER_WAR.findall(text) == []
