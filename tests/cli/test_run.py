"""``detente run`` and ``compare`` as a user meets them: tables, JSON, files, exit codes."""

from __future__ import annotations

import json
import re

import pytest

from cli_runner import run_cli

#: The key outputs of the built-in war for each side that has them (its model's names).
UKRAINE_KEY_OUTPUTS = (
    "ukraine.combat_power_ratio", "ukraine.personnel", "russia.personnel", "ukraine.shells",
    "russia.shells", "russia.territory", "russia.territory_pct", "ukraine.casualties_cum",
    "russia.casualties_cum", "ukraine.refugees_abroad", "ukraine.reconstruction_cum",
    "ukraine.viability", "russia.inflation")


def test_run_json_has_every_policy_variable_and_month():
    r = run_cli("run", "ukraine-2023", "--samples", "200", "--json", "--quiet")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["n_samples"] == 200
    assert set(data["policies"]) >= {"status_quo", "aid_cutoff", "aid_surge"}
    sq = data["policies"]["status_quo"]
    for var in UKRAINE_KEY_OUTPUTS:
        assert var in sq, var
        for m in ("12", "24", "36"):
            cell = sq[var][m]
            assert cell["low"] <= cell["median"] <= cell["high"]


def test_run_json_names_each_sides_variables_by_the_model():
    r = run_cli("run", "lanchester-bench", "-n", "32", "--horizon", "60", "--json", "--quiet")
    assert r.code == 0, r.stderr
    sq = json.loads(r.stdout)["policies"]["status_quo"]
    for side in ("blue", "red"):
        for base in ("personnel", "shells", "casualties_cum", "combat_power_ratio"):
            assert f"{side}.{base}" in sq
    assert sq["blue.personnel"]["units"] == "persons"
    assert [k for k in sq["red.shells"] if k != "units"] == ["12"]


def test_run_table_names_the_sides_and_the_start(tmp_path):
    r = run_cli("run", "lanchester-bench", "--samples", "64", "--horizon", "60",
                "--out", str(tmp_path / "out"), "--quiet")
    assert r.code == 0, r.stderr
    assert "status_quo" in r.stdout  # the policy's column
    assert "forces and munitions at 12 months" in r.stdout
    assert "Blue — front-line personnel" in r.stdout
    assert "Red — military casualties since 1 January 2024" in r.stdout
    for word in ("Ukrain", "Russia", "ua_", "ru_"):
        assert word not in r.stdout
    assert (tmp_path / "out" / "results.nc").stat().st_size > 0
    # the resolved scenario written beside the results loads again
    r2 = run_cli("validate", str(tmp_path / "out" / "scenario.yaml"))
    assert r2.code == 0, r2.stderr


def test_unknown_scenario_exits_2_with_a_suggestion():
    r = run_cli("run", "lanchester-bnch", "--samples", "10")
    assert r.code == 2
    assert "lanchester-bench" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_policy_exits_2():
    r = run_cli("run", "lanchester-bench", "--samples", "10", "--policies", "surrender")
    assert r.code == 2
    assert "unknown policy" in r.stderr


def test_unwritable_out_exits_2(tmp_path):
    # a folder cannot be made under a regular file, whoever runs the test
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    r = run_cli("run", "lanchester-bench", "--samples", "10", "--out", str(blocker / "x"))
    assert r.code == 2
    assert "cannot write" in r.stderr
    assert "Traceback" not in r.stderr


def test_out_that_is_a_file_exits_2_and_keeps_the_file(tmp_path):
    f = tmp_path / "precious.txt"
    f.write_text("keep me")
    r = run_cli("run", "lanchester-bench", "--samples", "10", "--out", str(f))
    assert r.code == 2
    assert f.read_text() == "keep me"


def test_run_shorter_than_a_year_reports_its_last_point():
    r = run_cli("run", "ukraine-2023", "--samples", "20", "--horizon", "13",
                "--policies", "status_quo", "--json", "--quiet")
    assert r.code == 0, r.stderr
    cells = json.loads(r.stdout)["policies"]["status_quo"]["ukraine.viability"]
    assert [k for k in cells if k != "units"] == ["3"]


def test_compare_table_shows_differences_from_the_baseline():
    r = run_cli("compare", "ukraine-2023", "-n", "40", "--horizon", "160", "--quiet",
                "-p", "status_quo,aid_cutoff")
    assert r.code == 0, r.stderr
    assert "policies compared (40 samples, seed 0)" in r.stdout
    assert "difference from status_quo" in r.stdout
    assert "P(escalation) by 36 months" in r.stdout
    assert "Ukraine — front-line personnel" in r.stdout
    assert "ukraine.personnel · thousand persons" in r.stdout


def test_compare_of_a_war_without_talks_shows_its_sides():
    r = run_cli("compare", "lanchester-bench", "-n", "24", "--quiet")
    assert r.code == 0, r.stderr
    assert "lanchester-bench: policies compared (24 samples, seed 0)" in r.stdout
    assert "Red — artillery-shell stock" in r.stdout
    assert "red.shells · thousand rounds" in r.stdout
    for word in ("settlement", "escalation", "Ukrain", "Russia", "NATO"):
        assert word not in r.stdout


def test_compare_checks_its_baseline_before_running():
    r = run_cli("compare", "lanchester-bench", "-n", "8", "--baseline", "nope")
    assert r.code == 2
    assert "--baseline: unknown policy 'nope'" in r.stderr


def _label_cells(text: str) -> list[str]:
    """The first column of every row of every table: its lines joined by spaces.

    A row ends at a rule (``├``, ``└``) or where the table does; the cells of a table's
    heading row are left out (they sit between ``┃``, not ``│``).
    """
    cells: list[str] = []
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("│"):
            lines.append(line.split("│")[1].strip())
        elif lines:
            cells.append(" ".join(x for x in lines if x))
            lines = []
    return cells


@pytest.mark.parametrize("scenario", ["ukraine-2023", "korea-1951"])
@pytest.mark.parametrize("command", ["run", "compare"])
def test_run_and_compare_fit_a_terminal_100_columns_wide(command, scenario):
    from detente.present.labels import Labels
    from detente.scenario import load_scenario

    r = run_cli(command, scenario, "-n", "16", "--quiet", columns=100)
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "…" not in r.stdout  # no name or number cut
    sc = load_scenario(scenario)
    for policy in sc.policies:  # every policy's column, its name whole
        assert f" {policy} " in r.stdout, policy
    # every variable's row: its model name whole on one line, its title whole in its cell
    labels = Labels.of(sc)
    shown = 0
    for cell in _label_cells(r.stdout):
        name = cell.split(" · ")[0].split()[-1] if " · " in cell else ""
        if name in labels.variables:
            assert re.search(rf"│ {re.escape(name)}[ │]", r.stdout), name  # on one line
            assert cell.startswith(" ".join(labels.title(name).split())), (name, cell)
            shown += 1
    assert shown >= 5


def test_compare_shows_the_months_and_variables_asked_for():
    r = run_cli("compare", "ukraine-2023", "-n", "24", "--quiet", "-p",
                "status_quo,press_kyiv", "--months", "6,18", "--vars",
                "casualties,personnel")
    assert r.code == 0, r.stderr
    assert "P(settlement) by 6 months" in r.stdout
    assert "P(settlement) by 18 months" in r.stdout
    assert "at 36 months" not in r.stdout
    assert "by 36 months" not in r.stdout
    assert "losses at 18 months" in r.stdout
    for name in ("casualties · thousand persons", "ukraine.personnel",
                 "russia.personnel"):
        assert name in r.stdout
    for name in ("russia.territory", "ukraine.viability", "ukraine.shells"):
        assert name not in r.stdout
    r = run_cli("compare", "ukraine-2023", "-n", "24", "--quiet", "-p", "status_quo",
                "--months", "18", "--json")
    data = json.loads(r.stdout)
    assert data["meta"]["months"] == [18.0]
    assert list(data["policies"]["status_quo"]["p_settlement"]) == ["18"]


@pytest.mark.parametrize(("args", "message"), [
    (("--vars", "casualtis"), "--vars: 'casualtis' is no variable of lanchester-bench; did "
                              "you mean casualties"),
    (("--months", "12,soon"), "--months: expected months since the start"),
    (("--months", "1200"), "--months: the run covers"),
])
def test_compare_refuses_bad_months_or_variables(args, message):
    r = run_cli("compare", "lanchester-bench", "-n", "8", "--quiet", *args)
    assert r.code == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("command", ["run", "compare"])
def test_each_command_says_what_it_ran_with(command):
    from detente.analysis.defaults import DEFAULT_SAMPLES, DEFAULT_SEED

    r = run_cli(command, "lanchester-bench", "--horizon", "26", "--quiet", "-p",
                "status_quo")
    assert r.code == 0, r.stderr
    said = (f"{DEFAULT_SAMPLES:,} samples, seed {DEFAULT_SEED}, 6 months, levers drawn "
            "from their distributions")
    assert r.stdout.splitlines()[0] == said
    assert f"({DEFAULT_SAMPLES} samples, seed {DEFAULT_SEED})" in r.stdout or (
        f"— {DEFAULT_SAMPLES} samples, seed {DEFAULT_SEED}" in r.stdout)
    r = run_cli(command, "lanchester-bench", "-n", "12", "--seed", "4", "--horizon", "26",
                "--quiet", "-p", "status_quo", "--json")
    data = json.loads(r.stdout)
    settings = data["settings"] if command == "run" else data["meta"]["settings"]
    assert settings == "12 samples, seed 4, 6 months, levers drawn from their distributions"


def test_compare_warns_of_hindsight_once():
    r = run_cli("compare", "ukraine-2023", "-n", "8", "--horizon", "8", "--quiet", "-p",
                "status_quo")
    assert r.code == 0, r.stderr
    warned = [x for x in r.stderr.splitlines() if "hindsight" in x]
    assert warned
    assert len(warned) == len(set(warned))


def test_run_shows_the_months_and_variables_asked_for():
    r = run_cli("run", "lanchester-bench", "-n", "16", "--months", "12,24", "--vars",
                "personnel,red.shells", "--quiet")
    assert r.code == 0, r.stderr
    assert "forces and munitions at 12 months" in r.stdout
    assert "forces and munitions at 24 months" in r.stdout
    assert "36 months" not in r.stdout
    for name in ("blue.personnel", "red.personnel", "red.shells"):
        assert name in r.stdout
    assert "blue.shells" not in r.stdout
    r = run_cli("run", "lanchester-bench", "-n", "16", "--months", "12", "--vars",
                "red.shells", "--json", "--quiet")
    sq = json.loads(r.stdout)["policies"]["status_quo"]
    assert list(sq) == ["red.shells"]
    assert [k for k in sq["red.shells"] if k != "units"] == ["12"]


@pytest.mark.parametrize(("args", "message"), [
    (("--vars", "personel"), "--vars: 'personel' is no variable of lanchester-bench; did "
                             "you mean personnel"),
    (("--months", "12,soon"), "--months: expected months since the start"),
    (("--months", "1200"), "--months: the run ends at"),
])
def test_bad_months_or_variables_exit_2(args, message):
    r = run_cli("run", "lanchester-bench", "-n", "8", "--quiet", *args)
    assert r.code == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_progress_piped_to_a_log_is_written_as_lines():
    r = run_cli("run", "lanchester-bench", "-n", "64", "--json")
    assert r.code == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("simulating lanchester-bench")]
    assert lines, r.stderr
    assert lines[-1].startswith("simulating lanchester-bench: 64/64 samples (100 %)")
    json.loads(r.stdout)  # the log stays off standard output
