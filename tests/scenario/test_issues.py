"""A scenario's own issues: what the talks settle, as data, and the errors a file can make.

A war whose talks turned on other issues than the six defaults states them under
``issues:``; the bargaining module's weights, terms and channels follow its ids.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scenario_fakes import Writer, find, line_of, make_writer, mutate

import detente
from detente.errors import ScenarioError
from detente.model import bargaining
from detente.model.base import Cast, Channel, Issue
from detente.scenario import load_scenario
from detente.scenario.builtin import builtin_path

#: Two sides who talk over a line of control, their prisoners and foreign troops.
TEXT = """\
schema_version: 1
name: border-talks
title: Talks over a line, prisoners and troops
time: {start: 2001-01-01, step_days: 7, horizon_steps: 60}
sides:
  blue: {name: Blue}
  red: {name: Red}
issues:
  line:
    description: The line of control.
    levels: [red_claim, contact_line, partial_return, old_border]
    status_quo: contact_line
    role: territory
  prisoners:
    description: What becomes of prisoners who refuse to go home.
    levels: [all_for_all, neutral_custody, release_on_the_spot]
    status_quo: release_on_the_spot
  troops:
    levels: [withdrawal, stay]
    status_quo: stay
channels:
  talks:
    code: 1
    parties: [blue, red]
  narrow:
    code: 2
    parties: [blue, red]
    dimensions: [line, troops]
modules: [bargaining]
parameters:
  blue.weight_line: {value: 0.4, unit: fraction, source: assumption, note: made up}
  blue.weight_prisoners: {value: 0.4, unit: fraction, source: assumption, note: made up}
  blue.weight_troops: {value: 0.2, unit: fraction, source: assumption, note: made up}
  red.weight_line: {value: 0.3, unit: fraction, source: assumption, note: made up}
  red.weight_prisoners: {value: 0.5, unit: fraction, source: assumption, note: made up}
  red.weight_troops: {value: 0.2, unit: fraction, source: assumption, note: made up}
  blue.horizon: {dist: pert, low: 6, mode: 12, high: 24, unit: month, source: assumption}
  red.horizon: {dist: pert, low: 6, mode: 12, high: 24, unit: month, source: assumption}
  blue.discount_rate: {value: 0.1, unit: 1/year, source: assumption, note: made up}
  red.discount_rate: {value: 0.1, unit: 1/year, source: assumption, note: made up}
  blue.deal_margin: {dist: uniform, low: 0, high: 0.02, unit: "1", source: assumption}
  red.deal_margin: {dist: uniform, low: 0, high: 0.02, unit: "1", source: assumption}
  blue.cost_casualties: {dist: uniform, low: 0.1, high: 0.5, unit: 1/year, source: assumption}
  red.cost_casualties: {dist: uniform, low: 0.1, high: 0.5, unit: 1/year, source: assumption}
  blue.casualty_ref_rate: {value: 300, unit: persons/day, source: assumption, note: made up}
  red.casualty_ref_rate: {value: 300, unit: persons/day, source: assumption, note: made up}
  bargain_trend_weight: {value: 0.4, unit: fraction, source: assumption, note: made up}
  bargain_initial_gain: {value: 0, unit: km2/day, source: assumption, note: a still front}
  bargain_initial_force_drift: {value: 0, unit: 1/day, source: assumption, note: still}
  bargain_gain_per_log_ratio: {value: 1, unit: km2/day, source: assumption, note: made up}
  bargain_power_lookahead: {value: 6, unit: month, source: assumption, note: made up}
  bargain_collapse_log_ratio: {value: 1.1, unit: "1", source: assumption, note: made up}
  bargain_collapse_width: {value: 0.2, unit: "1", source: assumption, note: made up}
  bargain_force_ratio_fallback: {value: 1, unit: ratio, source: assumption, note: even}
  bargain_territory_fallback_km2: {value: 2000, unit: km2, source: assumption, note: made up}
  deal_prewar_held_km2: {value: 0, unit: km2, source: assumption, note: made up}
  deal_claim_unheld_km2: {value: 500, unit: km2, source: assumption, note: made up}
  deal_partial_return_share: {value: 0.5, unit: fraction, source: assumption, note: made up}
  ceasefire_war_intensity: {value: 0.05, unit: fraction, source: assumption, note: made up}
  settlement_breakdown_rate: {value: 0.1, unit: 1/year, source: assumption, note: made up}
  renegotiation_delay: {value: 3, unit: month, source: assumption, note: made up}
policies:
  no_talks:
    description: Nobody talks.
  talks:
    description: Every issue on the table.
    changes: [{param: negotiation_channel, value: 1}]
  narrow:
    description: The line and the troops only.
    changes: [{param: negotiation_channel, value: 2}]
"""
N = 48


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    # a copy of ukraine-2023 reads its calibrated parameters' joint draws beside it
    posterior = builtin_path("ukraine-2023").with_name("ukraine-2023.posterior.csv")
    shutil.copy(posterior, tmp_path / posterior.name)
    return make_writer(tmp_path)


def fail(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


# --------------------------------------------------------------------------- its own issues
def test_a_scenario_names_its_issues_and_the_model_follows(write: Writer) -> None:
    sc = load_scenario(write(TEXT))
    assert [d.name for d in sc.cast.issues] == ["line", "prisoners", "troops"]
    assert sc.cast.issues[1] == Issue(
        "prisoners", ("all_for_all", "neutral_custody", "release_on_the_spot"),
        "release_on_the_spot", "What becomes of prisoners who refuse to go home.")
    module = bargaining.build(sc.cast)
    params = {p.name for p in module.params}
    assert {f"{a}.weight_{d}" for a in ("blue", "red")
            for d in ("line", "prisoners", "troops")} <= params
    assert not {n for n in params if re.search(r"weight_(territory|alignment|sanctions)", n)}
    # no issue sets a guarantee: its parameter is not asked for
    assert "guarantee_breakdown_reduction" not in params
    assert {"deal_line", "deal_prisoners", "deal_troops"} <= set(module.variable_names)
    assert "deal_territory" not in module.variable_names


def test_talks_over_made_up_issues_settle_on_their_levels(write: Writer) -> None:
    res = detente.simulate(load_scenario(write(TEXT)), n_samples=N, seed=1)
    ds = res.ds
    settled = ds["settled"].isel(time=-1)
    assert not settled.sel(policy="no_talks").any()
    assert settled.sel(policy="talks").mean() > 0.5
    for name, n_levels in (("line", 4), ("prisoners", 3), ("troops", 2)):
        terms = ds[f"deal_{name}"].sel(policy="talks").isel(time=-1).values
        signed = terms[settled.sel(policy="talks").values > 0.5]
        assert np.all((signed >= 0) & (signed < n_levels)), name
    # the narrow channel cannot move the prisoners: their status quo stays
    narrow = ds["deal_prisoners"].sel(policy="narrow").isel(time=-1).values
    assert np.all(narrow[narrow >= 0] == 2)
    assert (narrow >= 0).any()
    # no issue sets sanctions or a guarantee: neither moves after a deal
    assert float(abs(ds["sanctions_relief"]).max()) == 0.0
    assert float(abs(ds["settlement_guarantee"]).max()) == 0.0


def test_a_talks_without_a_line_of_control_read_no_territory(write: Writer) -> None:
    text = mutate(TEXT, "    role: territory\n", "")
    for name in bargaining.TERRITORY_PARAMS:
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith(f"  {name}:"))
    sc = load_scenario(write(text + "\n"))
    module = bargaining.build(sc.cast)
    assert not {p.name for p in module.params} & set(bargaining.TERRITORY_PARAMS)
    assert "red.territory" not in {r.name for r in module.reads}
    res = detente.simulate(sc, n_samples=N, seed=1, policies=["talks"])
    assert res.ds["settled"].isel(time=-1).mean() > 0.5


def test_the_weights_of_its_issues_are_checked(write: Writer) -> None:
    err = fail(write(mutate(TEXT, "red.weight_troops: {value: 0.2,", "red.weight_troops: "
                                                                     "{value: 0.4,")))
    p = find(err, contains=("must sum to 1", "'red'"))
    assert p.path.startswith("parameters.red.weight_")
    assert p.line == line_of(TEXT, p.path.removeprefix("parameters.") + ":")
    text = "\n".join(ln for ln in TEXT.splitlines() if "blue.weight_troops" not in ln) + "\n"
    err = fail(write(text))
    find(err, contains=("missing parameter 'blue.weight_troops'", "the troops issue"))
    find(err, path="parameters.blue.weight_troops",
         contains=("every party needs a weight on each of line, prisoners, troops",))
    # a weight on a default issue is a parameter no module reads
    extra = mutate(TEXT, "  blue.horizon:", "  blue.weight_territory: {value: 0, unit: "
                   "fraction, source: assumption, note: x}\n  blue.horizon:")
    find(fail(write(extra)), path="parameters.blue.weight_territory")


# --------------------------------------------------------------------------- the default six
def _without_issues(text: str) -> str:
    start = text.index("\nissues:\n")
    end = text.index("\n# Negotiation channels")
    return text[:start] + text[end:]


def test_without_issues_the_six_defaults_apply_exactly(write: Writer) -> None:
    """ukraine-2023 states its six issues; without the block it behaves exactly the same."""
    stated = load_scenario("ukraine-2023")
    text = _without_issues(builtin_path("ukraine-2023").read_text(encoding="utf-8"))
    implied = load_scenario(write(text))
    assert implied.cast.issues == ()
    assert [(d.name, d.levels, d.status_quo, d.role) for d in stated.cast.issues] == [
        (d.name, d.levels, d.status_quo, d.role) for d in bargaining.DIMENSIONS]
    a, b = bargaining.build(stated.cast), bargaining.build(implied.cast)
    assert [p.name for p in a.params] == [p.name for p in b.params]
    assert a.variable_names == b.variable_names
    kw = {"n_samples": 24, "seed": 3, "horizon": 60,
          "policies": ["direct_talks", "status_quo"]}
    x, y = detente.simulate(stated, **kw).ds, detente.simulate(implied, **kw).ds
    assert x["settled"].any()  # the talks do settle: the comparison has teeth
    for name in x.data_vars:
        np.testing.assert_array_equal(x[name].values, y[name].values, err_msg=str(name))


def test_a_cast_without_issues_has_the_six_defaults() -> None:
    cast = Cast(sides=("a", "b"), channels=(Channel("c", 1, ("a", "b")),))
    space = bargaining.talks(cast).space
    assert space.names == bargaining.DIM_NAMES
    assert space.deals.shape == (972, 6)
    np.testing.assert_array_equal(space.deals, bargaining.DEALS)


# --------------------------------------------------------------------------- errors, located
@pytest.mark.parametrize(("old", "new", "path", "needle", "says"), [
    ("    role: territory\n", "    role: teritory\n", "issues.line.role", "role: teritory",
     ("'territory'", "'sanctions'", "'guarantees'", "teritory")),
    ("    status_quo: stay\n", "    status_quo: go\n", "issues.troops.status_quo",
     "status_quo: go", ("withdrawal, stay", "found 'go'")),
    ("    levels: [withdrawal, stay]\n", "    levels: [stay]\n", "issues.troops.levels",
     "levels: [stay]", ("at least two levels", "found 1")),
    ("    levels: [withdrawal, stay]\n", "    levels: [stay, stay]\n", "issues.troops.levels",
     "levels: [stay, stay]", ("each level once", "stay")),
    ("    dimensions: [line, troops]\n", "    dimensions: [line, troop]\n",
     "channels.narrow.dimensions[1]", "dimensions: [line, troop]",
     ("line, prisoners, troops", "found 'troop'")),
    ("    status_quo: stay\n", "    status_quo: stay\n    role: territory\n",
     "issues.troops.role", "    role: territory", ("4 levels", "found 2")),
])
def test_a_bad_issue_is_located(write: Writer, old: str, new: str, path: str, needle: str,
                                says: tuple[str, ...]) -> None:
    text = mutate(TEXT, old, new)
    p = find(fail(write(text)), path=path, contains=says)
    assert p.line == line_of(text, needle, nth=text.count(needle))


def test_a_role_held_twice_is_located_at_the_second(write: Writer) -> None:
    text = mutate(TEXT, "    status_quo: release_on_the_spot\n",
                  "    status_quo: release_on_the_spot\n    role: sanctions\n")
    text = mutate(text, "    status_quo: stay\n", "    status_quo: stay\n    role: sanctions\n")
    p = find(fail(write(text)), path="issues.troops.role",
             contains=("each role once", "'sanctions'", "'prisoners'"))
    assert p.line == line_of(text, "role: sanctions", nth=2)


def test_a_deal_space_too_large_is_refused_with_its_size(write: Writer) -> None:
    many = "".join(f"  extra_{i}:\n    levels: [a, b, c, d, e]\n    status_quo: a\n"
                   for i in range(4))
    text = mutate(TEXT, "channels:\n", many + "channels:\n")
    p = find(fail(write(text)), path="issues", contains=(
        f"at most {bargaining.MAX_DEALS:,} deals", "found 15,000", "4 x 3 x 2 x 5 x 5 x 5 x 5"))
    assert p.line == line_of(text, "issues:")


def test_a_guarantee_cap_needs_a_guarantees_issue(write: Writer) -> None:
    text = mutate(TEXT, "    dimensions: [line, troops]\n",
                  "    dimensions: [line, troops]\n    guarantee_cap: narrow_cap\n")
    p = find(fail(write(text)), path="channels.narrow.guarantee_cap",
             contains=("'guarantees'", "narrow_cap"))
    assert p.line == line_of(text, "guarantee_cap:")


def test_a_default_issue_a_channel_misspells_is_located(write: Writer) -> None:
    text = builtin_path("ukraine-2023").read_text(encoding="utf-8")
    text = _without_issues(text).replace("dimensions: [territory, guarantees,",
                                         "dimensions: [territory, guarantee,")
    p = find(fail(write(text)), path="channels.kyiv_moscow.dimensions[1]",
             contains=("the default issues", "security_order", "found 'guarantee'"))
    assert p.line == line_of(text, "dimensions: [territory, guarantee,")


# --------------------------------------------------------------------------- the model's own
@pytest.mark.parametrize(("issues", "error"), [
    ((Issue("a", ("x", "y"), "x", role="sanctions"),
      Issue("b", ("x", "y"), "y", role="sanctions")), "role 'sanctions'"),
    ((Issue("a", ("x", "y"), "x"), Issue("a", ("x", "y"), "y")), "more than once"),
    (tuple(Issue(f"i{k}", tuple("abcdefghij"), "a") for k in range(4)), "10,000 deals"),
])
def test_a_deal_space_the_model_cannot_hold_is_refused(issues: tuple[Issue, ...],
                                                       error: str) -> None:
    cast = Cast(sides=("a", "b"), channels=(Channel("c", 1, ("a", "b")),), issues=issues)
    with pytest.raises(ValueError, match=error):
        bargaining.talks(cast)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"levels": ("x",), "status_quo": "x"}, "at least two"),
    ({"levels": ("x", "y"), "status_quo": "z"}, "not one of its levels"),
    ({"levels": ("x", "y"), "status_quo": "x", "role": "land"}, "expected one of"),
    ({"levels": ("x", "y"), "status_quo": "x", "role": "territory"}, "expected 4"),
    ({"levels": ("x", "x"), "status_quo": "x"}, "more than once"),
    ({"levels": ("x", "Y"), "status_quo": "x"}, "snake_case"),
])
def test_an_issue_checks_itself(kwargs: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        Issue("i", **kwargs)


# --------------------------------------------------------------------------- two channels
#: The talks of TEXT with domestic vetoes and wide margins, so that each table sometimes
#: settles first; the narrow table leaves the parties a tenth of their veto onus.
VETOES = """\
  red.veto_base: {value: 0.1, unit: fraction, source: assumption, note: made up}
  red.veto_slope: {value: 4, unit: "1", source: assumption, note: made up}
  blue.veto_slope: {value: 4, unit: "1", source: assumption, note: made up}
  narrow_onus: {value: 0.1, unit: fraction, source: assumption, note: made up}
"""
BOTH = """\
  both:
    description: Both tables at once.
    changes: [{param: open_talks, value: 1}, {param: open_narrow, value: 1}]
  talks_switch:
    description: The full table, opened by its own switch.
    changes: [{param: open_talks, value: 1}]
"""
TWO_N = 200
ISSUE_NAMES = ("line", "prisoners", "troops")


def _two_channels(narrow_first: bool = False) -> str:
    text = mutate(TEXT, "parameters:\n", "parameters:\n" + VETOES)
    text = mutate(text, "    dimensions: [line, troops]\n",
                  "    dimensions: [line, troops]\n    veto_onus: narrow_onus\n")
    for who in ("blue", "red"):
        text = mutate(text, f'  {who}.deal_margin: {{dist: uniform, low: 0, high: 0.02,',
                      f'  {who}.deal_margin: {{dist: uniform, low: 0, high: 0.35,')
    if narrow_first:
        head, rest = text.split("channels:\n", 1)
        talks, narrow = rest.split("  narrow:\n", 1)
        narrow, tail = narrow.split("modules:", 1)
        text = f"{head}channels:\n  narrow:\n{narrow}{talks}modules:{tail}"
    return text + BOTH


def _first_deals(ds, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: the month of the first deal (NaN: none) and its terms (sample, issue)."""
    months = ds["months_to_settlement"].sel(policy=policy).isel(time=-1).values
    settled = ds["settled"].sel(policy=policy).values > 0.5  # (sample, time)
    first = np.where(settled.any(axis=1), settled.argmax(axis=1), 0)
    rows = np.arange(months.size)
    terms = np.stack([ds[f"deal_{d}"].sel(policy=policy).values[rows, first]
                      for d in ISSUE_NAMES], axis=1)
    return months, np.where(np.isnan(months)[:, None], -1, terms)


def _run_two(write: Writer, text: str, name: str) -> Any:
    sc = load_scenario(write(text, name))
    return detente.simulate(sc, n_samples=TWO_N, seed=1,
                            record=["months_to_settlement", "settled",
                                    *(f"deal_{d}" for d in ISSUE_NAMES)]).ds


def test_two_channels_open_settle_as_soon_as_either_alone(write: Writer) -> None:
    ds = _run_two(write, _two_channels(), "two.yaml")
    (m_talks, d_talks), (m_narrow, d_narrow), (m_both, d_both) = (
        _first_deals(ds, p) for p in ("talks", "narrow", "both"))
    # before the first deal the tables change nothing else: the first deal with both open
    # comes in the month of the earlier of the two, in every sample
    np.testing.assert_array_equal(m_both, np.fmin(m_talks, m_narrow))
    ever = {p: ~np.isnan(m) for p, m in (("talks", m_talks), ("narrow", m_narrow),
                                         ("both", m_both))}
    assert ever["both"].sum() > max(ever["talks"].sum(), ever["narrow"].sum())
    assert np.all(ever["both"][ever["talks"] | ever["narrow"]])
    # the test has teeth: each table is sometimes the first to settle
    t, w = np.nan_to_num(m_talks, nan=np.inf), np.nan_to_num(m_narrow, nan=np.inf)
    assert (t < w).any()
    assert (w < t).any()
    # where one table settles first, its terms hold
    np.testing.assert_array_equal(d_both[t < w], d_talks[t < w])
    np.testing.assert_array_equal(d_both[w < t], d_narrow[w < t])
    # in the same month the channel listed first (talks) holds, though narrow's terms differ
    tie = (t == w) & np.isfinite(t)
    np.testing.assert_array_equal(d_both[tie], d_talks[tie])
    assert np.any(d_talks[tie] != d_narrow[tie])


def test_the_channel_listed_first_holds_when_both_sign(write: Writer) -> None:
    ds = _run_two(write, _two_channels(narrow_first=True), "narrow_first.yaml")
    (m_talks, d_talks), (m_narrow, d_narrow), (_, d_both) = (
        _first_deals(ds, p) for p in ("talks", "narrow", "both"))
    tie = (m_talks == m_narrow) & ~np.isnan(m_talks)
    assert np.any(d_talks[tie] != d_narrow[tie])
    np.testing.assert_array_equal(d_both[tie], d_narrow[tie])


def test_a_channel_s_switch_opens_it_as_its_code_does(write: Writer) -> None:
    ds = _run_two(write, _two_channels(), "switch.yaml")
    assert (ds["settled"].sel(policy="talks") > 0.5).any()
    for name in ds.data_vars:
        if "policy" in ds[name].dims:
            np.testing.assert_array_equal(ds[name].sel(policy="talks_switch").values,
                                          ds[name].sel(policy="talks").values,
                                          err_msg=str(name))


@pytest.mark.parametrize(("change", "field", "says"), [
    ("{param: negotiation_channel, value: 3}", "value",
     ("0 (no talks), 1 (talks), 2 (narrow)", "found 3")),
    ("{param: negotiation_channel, scale: 2}", "scale", ("with 'value'", "not 'scale'")),
    ("{param: open_narrow, value: 0.5}", "value", ("0 (closed), 1 (open)", "found 0.5")),
    ("{param: open_narrow, scale: 1}", "scale", ("'open_narrow'", "not 'scale'")),
])
def test_a_channel_is_set_to_a_code_or_a_switch_value(write: Writer, change: str, field: str,
                                                      says: tuple[str, ...]) -> None:
    text = mutate(TEXT, "    changes: [{param: negotiation_channel, value: 2}]\n",
                  f"    changes: [{change}]\n")
    p = find(fail(write(text)), path=f"policies.narrow.changes[0].{field}", contains=says)
    assert p.line == line_of(text, change)


def test_a_channel_s_switch_is_a_fixed_zero_or_one(write: Writer) -> None:
    text = mutate(TEXT, "parameters:\n", "parameters:\n  open_talks: {dist: uniform, low: 0, "
                  "high: 1, unit: switch, source: assumption}\n")
    find(fail(write(text)), path="parameters.open_talks",
         contains=("a fixed value 0", "or 1 (open)", "a distribution"))
