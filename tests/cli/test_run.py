"""``detente run`` as a user meets it: tables, JSON, files, exit codes."""

from __future__ import annotations

import json

from cli_runner import run_cli


def test_run_json_has_every_policy_variable_and_month():
    r = run_cli("run", "ukraine-2023", "--samples", "200", "--json", "--quiet")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["n_samples"] == 200
    assert set(data["policies"]) >= {"status_quo", "aid_cutoff", "aid_surge"}
    sq = data["policies"]["status_quo"]
    for var in ("combat_power_ratio", "ua_personnel", "ru_personnel", "ua_shells", "ru_shells",
                "territory_ru_km2", "territory_ru_pct", "ua_casualties_cum", "ru_casualties_cum",
                "refugees_abroad", "reconstruction_cum", "viability", "ru_inflation"):
        assert var in sq, var
        for m in ("12", "24", "36"):
            cell = sq[var][m]
            assert cell["low"] <= cell["median"] <= cell["high"]


def test_run_table_and_out_dir(tmp_path):
    r = run_cli("run", "ukraine-2023", "--samples", "64", "--policies", "status_quo",
                "--horizon", "60", "--out", str(tmp_path / "out"), "--quiet")
    assert r.code == 0, r.stderr
    assert "status_quo" in r.stdout
    assert "12 months" in r.stdout
    assert (tmp_path / "out" / "results.nc").stat().st_size > 0
    # the resolved scenario written beside the results loads again
    r2 = run_cli("validate", str(tmp_path / "out" / "scenario.yaml"))
    assert r2.code == 0, r2.stderr


def test_unknown_scenario_exits_2_with_a_suggestion():
    r = run_cli("run", "ukraine-2032", "--samples", "10")
    assert r.code == 2
    assert "ukraine-2023" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_policy_exits_2():
    r = run_cli("run", "ukraine-2023", "--samples", "10", "--policies", "surrender")
    assert r.code == 2
    assert "unknown policy" in r.stderr


def test_unwritable_out_exits_2(tmp_path):
    # a folder cannot be made under a regular file, whoever runs the test
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    r = run_cli("run", "ukraine-2023", "--samples", "10", "--out", str(blocker / "x"))
    assert r.code == 2
    assert "cannot write" in r.stderr
    assert "Traceback" not in r.stderr


def test_out_that_is_a_file_exits_2_and_keeps_the_file(tmp_path):
    f = tmp_path / "precious.txt"
    f.write_text("keep me")
    r = run_cli("run", "ukraine-2023", "--samples", "10", "--out", str(f))
    assert r.code == 2
    assert f.read_text() == "keep me"


def test_run_shorter_than_a_year_reports_its_last_point():
    r = run_cli("run", "ukraine-2023", "--samples", "20", "--horizon", "13",
                "--policies", "status_quo", "--json", "--quiet")
    assert r.code == 0, r.stderr
    cells = json.loads(r.stdout)["policies"]["status_quo"]["viability"]
    assert [k for k in cells if k != "units"] == ["3"]


def test_compare_table_shows_differences_from_the_baseline():
    r = run_cli("compare", "ukraine-2023", "-n", "40", "--horizon", "160", "--quiet",
                "-p", "status_quo,aid_cutoff")
    assert r.code == 0, r.stderr
    assert "policies compared (40 samples, seed 0)" in r.stdout
    assert "difference from status_quo" in r.stdout
    assert "P(NATO–Russia war)" in r.stdout
