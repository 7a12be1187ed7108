"""``detente claims`` as a user reads it: each claim's text beside its id, in 100 columns."""

from __future__ import annotations

from cli_runner import run_cli


def test_claims_show_their_text_and_id_in_100_columns():
    from detente.scenario import load_scenario

    r = run_cli("claims", "ukraine-2023", "-n", "40", "--hinges", "none", "--quiet",
                columns=100)
    assert r.code == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    flat = " ".join(part.strip(" │") for line in r.stdout.splitlines()
                    for part in line.split("│")[1:2])  # the claim column, read down
    for claim_id, claim in load_scenario("ukraine-2023").claims.items():
        assert claim_id in flat, claim_id
        first_words = " ".join(claim.text.split()[:3])
        assert first_words in " ".join(flat.split()), claim_id


def test_the_command_s_hinge_design_is_the_library_s():
    # the default is written as a literal so that --help stays fast; it must not drift
    import inspect

    from detente.analysis.claims import SOBOL_N
    from detente.cli._claims import claims

    assert inspect.signature(claims).parameters["sobol_n"].default == SOBOL_N


def test_claims_judge_a_stored_sweep_as_the_library_does(tmp_path):
    """``claims --run ID --store DIR`` judges what ``sweep`` stored, with the library's P."""
    import json

    import pytest

    pytest.importorskip("zarr")
    from detente.analysis.claims import Claims
    from detente.store import open_run

    record = "settled,breakdowns,ukraine.viability,ukraine.casualties_cum,russia.territory"
    r = run_cli("sweep", "ukraine-2023", "-n", "40", "--seed", "3", "--horizon", "60",
                "-p", "status_quo,direct_talks", "--record", record,
                "--out", str(tmp_path / "store"), "--json", "--quiet")
    assert r.code == 0, r.stderr
    run_id = json.loads(r.stdout)["id"]
    r = run_cli("claims", "ukraine-2023", "--run", run_id, "-s", str(tmp_path / "store"),
                "--hinges", "none", "--no-outside-view", "--json", "--quiet")
    assert r.code == 0, r.stderr
    got = {c["id"]: c["probability"] for c in json.loads(r.stdout)}
    stored = open_run(str(tmp_path / "store"), run_id).to_results()
    want = {c.id: c.probability for c in Claims(hinges=(), outside_view="off").fit(
        stored).claims_}
    assert got == want
    assert any(p is not None for p in got.values())
    r = run_cli("claims", "korea-1951", "--run", run_id, "-s", str(tmp_path / "store"),
                "--quiet")
    assert r.code == 2
    assert "the run is of scenario 'ukraine-2023'" in r.stderr
