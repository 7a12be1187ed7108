"""Rows of the report's tables: values, distributions and sources spelled out as text."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from detente.analysis import ClaimResult
from detente.present import rows


@pytest.fixture(scope="module")
def scenario() -> Any:
    from detente.scenario import load_scenario

    return load_scenario("ukraine-2023")


def test_assumption_values_and_sources_are_spelled_out(scenario: Any) -> None:
    found = {r["name"]: r for r in rows.assumption_rows(scenario)}
    assert list(found) == list(scenario.table)  # the file's parameters and the defaults
    assert set(scenario.parameters) <= set(found)
    assert found["ukraine.personnel0"]["value"].startswith("PERT(low 350,000, mode 500,000")
    assert found["ukraine.personnel0"]["unit"] == "persons"
    assert found["ukraine.personnel0"]["uncertain"] == "yes"
    assert found["ukraine.personnel0"]["source"].startswith("fact ua_troops_nyt_aug2023 (")
    assert found["nato.escalation_rate"]["value"] == "log-normal(median 0.1, sigma 1)"
    assert found["russia.territory0"]["value"] == "107,855"
    assert found["russia.territory0"]["uncertain"] == ""
    assert found["ukraine.recruit_rate"]["source"].startswith("calib: Calibrated")
    assert found["ukraine.pool0"]["source_kind"] == "assumption"
    assert {r["module"] for r in found.values()} >= {"military", "society"}


def test_policy_and_event_rows(scenario: Any) -> None:
    pols = rows.policy_rows(scenario, ["status_quo"])
    assert [r["name"] for r in pols] == list(scenario.policies)
    assert {r["run"] for r in pols if r["name"] == "status_quo"} == {"yes"}
    assert {r["run"] for r in pols if r["name"] != "status_quo"} == {"no"}
    cut = next(r for r in pols if r["name"] == "aid_cutoff")
    assert cut["changes"] != "none"
    events = rows.event_rows(scenario)
    assert [r["name"] for r in events] == list(scenario.events)
    assert all(r["date"] for r in events)


def test_claim_rows_put_hinges_and_notes_into_words() -> None:
    claim = ClaimResult(
        id="aid_leverage", text="Aid gives leverage", source="op-ed", policies=["a", "b"],
        test="P(settled) higher", verdict="contested", probability=0.555,
        interval=(0.4, 0.7), interval_method="bootstrap", n_samples=100,
        thresholds={"supported": 0.8, "refuted": 0.2},
        sobol=[{"parameter": "united_states.mil_aid", "ST": 0.41, "ST_conf": 0.1}],
        prim="holds where united_states.mil_aid > 40", notes=["few samples"],
        effect={"mean": 0.12, "interval": (0.01, 0.25)})
    (row,) = rows.claim_rows([claim])
    assert row.policies == "a, b"
    assert row.probability == "0.56"
    assert row.interval == "[0.40, 0.70]"
    assert row.thresholds == "≥ 0.80 / ≤ 0.20"
    assert row.hinges == ["united_states.mil_aid (ST 0.41)",
                          "holds where united_states.mil_aid > 40"]
    assert row.notes == ["few samples", "mean difference 0.12 [0.01, 0.25]"]


def test_a_contrast_is_shown_as_its_paired_difference_not_the_mean_effect() -> None:
    from detente.analysis.claims import difference_summary

    d = difference_summary("casualties at the end: b minus a",
                           np.array([-2.0, -1.0, 0.0, 1.0, 3.0, 5.0, 8.0]))
    claim = ClaimResult(
        id="c", text="B costs more", source="op-ed", policies=["a", "b"], test="b > a",
        verdict="contested", probability=0.7, interval=(0.5, 0.9),
        interval_method="bootstrap", n_samples=7, differences=[d], thresholds=None,
        effect={"mean": 2.0, "interval": (-1.0, 5.0)})
    (row,) = rows.claim_rows([claim])
    assert row.notes == ["difference, casualties at the end: b minus a: median 1, 90 % of "
                         f"samples in [{d['interval'][0]:.3g}, {d['interval'][1]:.3g}]; "
                         "above 0 in 57 %, below in 29 %"]


def test_the_assumptions_list_the_defaults_a_file_leaves_out(tmp_path):
    import yaml

    from detente.scenario import builtin_path, load_scenario
    from detente.scenario.loading import read_scenario_file

    data, _, _, _ = read_scenario_file(builtin_path("lanchester-bench"))
    del data["parameters"]["mil_drones_switch"]
    path = tmp_path / "bench.yaml"
    path.write_text(yaml.safe_dump(dict(data), sort_keys=False))
    table = {r["name"]: r for r in rows.assumption_rows(load_scenario(path))}
    row = table["mil_drones_switch"]
    assert row["source_kind"] == "default"
    assert row["value"] == row["central"] == "0"
    assert row["module"] == "military"
    assert table["blue.personnel0"]["source_kind"] != "default"


def test_a_parameter_drawn_from_posterior_rows_says_so_beside_its_stated_distribution(tmp_path):
    import shutil

    from detente.scenario import load_scenario
    from detente.scenario.builtin import builtin_path

    src = builtin_path("lanchester-bench")
    sc0 = load_scenario("lanchester-bench")
    name = next(n for n, e in sc0.table.items() if e.parameter is not None
                and e.parameter.is_uncertain)
    central = sc0.table[name].distribution.central()
    shutil.copy(src, tmp_path / "bench.yaml")
    (tmp_path / "bench.posterior.csv").write_text(f"{name}\n{central}\n{central}\n")
    text = (tmp_path / "bench.yaml").read_text()
    (tmp_path / "bench.yaml").write_text(
        text.replace("\nparameters:", "\nposterior: {file: bench.posterior.csv}\nparameters:", 1))
    sc = load_scenario(str(tmp_path / "bench.yaml"))
    row = next(r for r in rows.assumption_rows(sc) if r["name"] == name)
    assert row["value"].startswith("joint posterior draws (2 rows of bench.posterior.csv")
    assert "stated: " in row["value"]
