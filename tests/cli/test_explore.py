"""``detente sensitivity`` and ``discover``: intervals, verdicts, trade-offs, bad input."""

from __future__ import annotations

import json

import pytest

from cli_runner import run_cli

pytest.importorskip("SALib")

BENCH = ["lanchester-bench", "--horizon", "6", "-q"]
FEW = "blue.effectiveness,red.effectiveness,red.fire_rate"


def test_sensitivity_json_carries_intervals_and_a_verdict():
    r = run_cli("sensitivity", *BENCH, "--n-base", "16", "--parameters", FEW, "--json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    part = doc["sobol"]
    assert part["runs"] == 16 * 5
    assert {"ST", "ST_conf", "S1", "S1_conf"} <= set(part["indices"][0])
    conv = part["convergence"]
    assert conv["top"] == [row["parameter"] for row in part["indices"][:3]]
    assert conv["converged"] == (not conv["problems"])
    assert part["stopped"] is None


def test_sensitivity_both_methods_say_whether_they_agree():
    r = run_cli("sensitivity", *BENCH, "--method", "both", "--n-base", "16",
                "--trajectories", "6", "--parameters", FEW, columns=100)
    assert r.code == 0, r.stderr
    assert "sobol verdict" in r.stdout
    assert "morris verdict" in r.stdout
    assert "agreement" in r.stdout
    assert " ± " in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 100


def test_sensitivity_grows_to_the_target_or_the_cap_and_says_which():
    r = run_cli("sensitivity", *BENCH, "--n-base", "8", "--parameters", FEW,
                "--target-ci", "0.000001", "--max-base", "32", columns=160)
    assert r.code == 0, r.stderr
    assert "grown from N = 8 to N = 32" in r.stdout
    assert "stopped at the cap N = 32" in r.stdout


def test_sensitivity_bad_options_exit_2():
    r = run_cli("sensitivity", *BENCH, "--method", "morris", "--target-ci", "0.1")
    assert r.code == 2
    assert "--target-ci grows a Sobol design" in r.stderr
    r = run_cli("sensitivity", *BENCH, "--method", "fast")
    assert r.code == 2
    assert "sobol, morris or both" in r.stderr


def test_command_line_defaults_are_the_librarys():
    from detente.analysis import sensitivity
    from detente.cli import _explore

    assert _explore.MAX_BASE == sensitivity.MAX_BASE
    assert _explore.TOP_K == sensitivity.TOP_K


def test_discover_shows_the_trade_off_and_a_box_within_max_dims(tmp_path):
    pytest.importorskip("ema_workbench")
    png = tmp_path / "tradeoff.png"
    args = ["discover", "lanchester-bench", "--where", "blue.personnel < red.personnel",
            "--horizon", "26", "-n", "500", "-q", "--max-dims", "2", "--threshold", "0.9",
            "--resamples", "2"]
    r = run_cli(*args, "--json", "--plot", str(png))
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["trajectory"]
    assert all(row["res_dim"] <= 2 for row in doc["trajectory"])
    assert png.stat().st_size > 1000
    if doc["found"]:
        assert 1 <= len(doc["box"]) <= 2
        assert doc["trajectory"][doc["chosen"]]["density"] >= 0.9
        assert all(b["qp_low"] is not None or b["qp_high"] is not None for b in doc["box"])
    else:
        assert "no box of at most 2 parameters" in doc["reason"]
    text = run_cli(*args, columns=100)
    assert text.code == 0, text.stderr
    assert "PRIM peeling trade-off" in text.stdout
    assert text.stdout.splitlines()[0] == ("500 samples, seed 0, 6 months, levers drawn from "
                                           "their distributions")
    assert ("← chosen" in text.stdout) == doc["found"]
    assert max(len(line) for line in text.stdout.splitlines()) <= 100


def test_discover_bad_options_exit_2():
    r = run_cli("discover", "lanchester-bench", "--max-dims", "0")
    assert r.code == 2
    assert "--max-dims expects a positive number" in r.stderr
    r = run_cli("discover", "lanchester-bench", "--plot", "out.txt")
    assert r.code == 2
    assert "--plot expects a .png, .svg or .pdf file" in r.stderr
