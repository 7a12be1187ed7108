"""``detente report`` and ``run --report`` on the command line: output and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import run_cli

SCENARIO = "ukraine-2023"


def test_report_command_writes_a_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = run_cli("report", SCENARIO, "-n", "32", "--horizon", "13", "--hinges",
                "none", "--tornado-trajectories", "2", "-o", str(out), "--quiet")
    assert r.code == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    html = out.read_text()
    assert "<b>Samples</b>32 per policy" in html
    assert 'id="fig-tornado"' in html


def test_run_report_option(tmp_path: Path) -> None:
    out = tmp_path / "run.html"
    # a quarter's horizon: the report's hinge design (detente claims's) runs on what the
    # claims can read by then, so the command and its report stay quick to check
    # (about a minute alone on two cores; the timeout only guards against a hang)
    r = run_cli("run", SCENARIO, "-n", "32", "--horizon", "13", "--report",
                str(out), "--quiet", "-p", "status_quo,direct_talks", timeout=600)
    assert r.code == 0, r.stderr
    assert "forces and munitions at" in r.stdout  # the usual tables, policies as columns
    assert "direct_talks" in r.stdout
    html = out.read_text()
    assert 'id="claims-table"' in html
    assert "hinges on" in html


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-scenario"], "no such file or built-in scenario"),
    (["-o", "/no/such/folder/r.html"], "does not exist"),
    (["-o", "{tmp}"], "is a folder"),
    (["-o", "{tmp}/r.txt"], "ending in .html"),
    (["--pdf", "/no/such/folder/r.pdf"], "does not exist"),
    (["--tornado-output", "no_such_output"], "unknown name 'no_such_output'"),
    (["--tornado-policy", "no_such_policy"], "unknown policy 'no_such_policy'"),
    (["--hinges", "magic"], "--hinges expects"),
    (["-p", "status_quo,nope"], "nope"),
])
def test_report_bad_input_exits_2_with_a_message(tmp_path: Path, args: list[str],
                                                 message: str) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "r.html")]
    if args[0] != "no-such-scenario":
        args = ["lanchester-bench", *args]
    r = run_cli("report", *args, "-n", "8", "--horizon", "4", "--quiet")
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "r.html").exists()


def test_run_report_bad_path_fails_before_simulating(tmp_path: Path) -> None:
    r = run_cli("run", "lanchester-bench", "-n", "8", "--report",
                str(tmp_path / "missing" / "r.html"))
    assert r.code == 2
    assert "--report" in r.stderr
    assert "does not exist" in r.stderr


def test_report_help_describes_the_command() -> None:
    r = run_cli("report", "--help")
    assert r.code == 0
    assert "Write an HTML report" in r.stdout
    assert "--tornado-output" in r.stdout
    assert "first side's combat-power ratio" in " ".join(r.stdout.split())


def test_report_of_another_war_speaks_of_its_sides(tmp_path: Path) -> None:
    out = tmp_path / "bench.html"
    r = run_cli("report", "lanchester-bench", "-n", "16", "--horizon", "12",
                "--tornado-output", "none", "-o", str(out), "--quiet")
    assert r.code == 0, r.stderr
    head, _, rest = out.read_text().partition("<script>")
    page = head + rest.partition("</script>")[2]  # less Plotly's bundle and its map data
    assert "<b>Sides</b>Blue, Red" in page
    assert "since 1 January 2024" in page
    for word in ("Ukrain", "Russia", "NATO"):
        assert word not in page


def test_report_tornado_defaults_to_the_first_sides_ratio(tmp_path: Path) -> None:
    out = tmp_path / "tornado.html"
    r = run_cli("report", "lanchester-bench", "-n", "16", "--horizon", "12",
                "--tornado-trajectories", "2", "-o", str(out), "--quiet")
    assert r.code == 0, r.stderr
    assert "What moves Blue — combat power over its enemy" in out.read_text()


def test_each_claims_p_in_the_report_is_detente_claims_p(tmp_path: Path) -> None:
    # the same small settings to both commands: the report's P of every claim is the
    # command's, exactly (the report writes the unrounded P beside its sentence)
    import json
    import re

    settings = ["-n", "40", "--seed", "3", "--horizon", "60", "--hinges", "none", "--quiet"]
    r = run_cli("claims", SCENARIO, *settings, "--json")  # the outside view too, by default
    assert r.code == 0, r.stderr
    cli = {c["id"]: c["probability"] for c in json.loads(r.stdout)
           if c["probability"] is not None}
    out = tmp_path / "claims.html"
    r = run_cli("report", SCENARIO, *settings, "--tornado-output", "none", "-o", str(out))
    assert r.code == 0, r.stderr
    page = out.read_text()
    said = dict(re.findall(r'<span class="fig" data-ref="claim:([^"]+)" data-value="([^"]+)"',
                           page))
    assert cli
    assert set(said) == set(cli)
    assert {k: float(v) for k, v in said.items()} == cli
    assert "<b>Samples</b>40 per policy" in page


def test_report_prints_its_settings_before_it_runs(tmp_path: Path) -> None:
    from detente.analysis.claims import SOBOL_N
    from detente.scenario import load_scenario

    r = run_cli("report", "lanchester-bench", "-n", "16", "--horizon", "12", "--seed", "4",
                "--tornado-output", "none", "-o", str(tmp_path / "r.html"))
    assert r.code == 0, r.stderr
    d = len(load_scenario("lanchester-bench").uncertain)
    line = " ".join(r.stdout.split())
    assert ("report of lanchester-bench: 16 samples, seed 4, horizon 12 steps of 7 days "
            "(to 2024-03-25), levers drawn from their distributions, claims' Sobol base "
            f"{SOBOL_N} ({SOBOL_N * (d + 2):,} runs per policy)") in line


def test_report_of_a_stored_sweep(tmp_path: Path) -> None:
    pytest.importorskip("zarr", reason="needs the store extra")
    from detente.report import report_record
    from detente.scenario import load_scenario
    from detente.store import sweep

    sc = load_scenario("lanchester-bench")
    run = sweep(sc, out=tmp_path / "store", record=report_record(sc), n_samples=16,
                seed=2, horizon=12)
    out = tmp_path / "stored.html"
    r = run_cli("report", "lanchester-bench", "--run", run.id, "--store",
                str(tmp_path / "store"), "--tornado-output", "none", "-o", str(out))
    assert r.code == 0, r.stderr
    assert "report of lanchester-bench: 16 samples, seed 2, horizon 12 steps" in " ".join(
        r.stdout.split())
    page = out.read_text()
    assert "<b>Samples</b>16 per policy" in page
    assert 'data-ref="headline:' in page  # the summary, from the stored numbers
    # a run that lacks what the report reads, or of another scenario: said, before work
    thin = sweep(sc, out=tmp_path / "store", record=["blue.personnel"], n_samples=8,
                 seed=2, horizon=4)
    r = run_cli("report", "lanchester-bench", "--run", thin.id, "--store",
                str(tmp_path / "store"), "-o", str(tmp_path / "thin.html"))
    assert r.code == 2
    assert "did not record" in r.stderr
    r = run_cli("report", "ukraine-2023", "--run", run.id, "--store",
                str(tmp_path / "store"), "-o", str(tmp_path / "other.html"))
    assert r.code == 2
    assert "a run of scenario 'lanchester-bench'" in r.stderr
    r = run_cli("report", "lanchester-bench", "--run", "nope", "--store",
                str(tmp_path / "store"), "-o", str(tmp_path / "none.html"))
    assert r.code == 2
    assert "no run 'nope'" in r.stderr


def test_the_report_command_s_hinge_design_is_the_library_s():
    # written as a literal so that --help stays fast; it must not drift from detente claims'
    import inspect

    from detente.analysis.claims import SOBOL_N
    from detente.cli import _report

    assert _report.SOBOL_N == SOBOL_N
    assert inspect.signature(_report.report).parameters["sobol_n"].default == SOBOL_N
