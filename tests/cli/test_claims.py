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
