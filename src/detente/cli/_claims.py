"""``detente claims``: judge a scenario's claims and print verdicts, as a table or JSON."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from detente.cli._app import out
from detente.cli._options import (
    HorizonOpt,
    JsonOpt,
    PoliciesOpt,
    ProcessesOpt,
    QuietOpt,
    SamplesOpt,
    ScenarioArg,
    SeedOpt,
    check_horizon,
    check_samples,
    parse_hinges,
    resolve_processes,
    split,
)
from detente.cli._output import echo_json, show
from detente.cli._progress import stage_bars


def claims(
    scenario: ScenarioArg,
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 0,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    ids: Annotated[str | None, typer.Option(
        "--ids", help="Comma-separated claim ids (default: all).")] = None,
    supported: Annotated[float | None, typer.Option(
        "--supported", help="P at or above which a claim is supported (default: each "
                            "claim's own, else 0.8).")] = None,
    refuted: Annotated[float | None, typer.Option(
        "--refuted", help="P at or below which a claim is refuted (default: each claim's "
                          "own, else 0.2).")] = None,
    hinges: Annotated[str, typer.Option(
        "--hinges", help="What a verdict hinges on: sobol, prim (comma-separated) or "
                         "none.")] = "sobol,prim",
    sobol_n: Annotated[int, typer.Option(
        "--sobol-n", help="Base sample size of the Sobol design of the hinges (a power "
                          "of two; 256 keeps the top hinges stable, docs/sensitivity.md)."
    )] = 256,
    outside_view: Annotated[bool, typer.Option(
        "--outside-view/--no-outside-view",
        help="Also judge the model's odds of a settlement against the base rates of how "
             "comparable wars ended (docs/outside-view.md).")] = True,
    lint: Annotated[bool, typer.Option(
        "--lint", help="Instead of judging the claims, list those the model decides by "
                       "construction (a test that reads no output, or that never varies "
                       "over the parameters' ranges); exit code 1 if any.")] = False,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Judge a scenario's claims: verdict, probability with a 90 % interval, hinges."""
    from detente.analysis import Claims
    from detente.cli._files import warn_hindsight
    from detente.present.tables import claims_table
    from detente.scenario import load_scenario

    kinds = parse_hinges(hinges)
    check_samples(samples)
    check_horizon(horizon)
    processes = resolve_processes(processes, samples)
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    if not sc.claims:
        # nothing to judge is an answer, not an error: the scenario tests no argument
        if json_:
            echo_json([])
        else:
            out.print(f"{sc.name} states no claims, so there is nothing to judge; a "
                      "'claims' section in its file adds them (see docs/claims.md).")
        return
    if lint:
        _lint(sc, ids, seed, horizon, json_)
        return
    ev = Claims(supported=supported, refuted=refuted, hinges=kinds,  # type: ignore[arg-type]
                sobol_n=sobol_n, ids=split(ids), processes=processes,
                outside_view="on" if outside_view else "off")
    with stage_bars(quiet=quiet) as progress:
        ev.fit(sc, n_samples=samples, seed=seed, policies=split(policies),
               horizon=horizon, progress=progress)
    if json_:
        echo_json(ev.to_list())
        return
    show(claims_table(ev.claims_, title=f"claims of {ev.results_.ds.attrs['scenario']} — "
                                        f"{ev.results_.ds.sizes['sample']} samples, seed {seed}"))
    _tests_in_words(ev.claims_)


def _tests_in_words(results: list[Any]) -> None:
    """Print, for each claim, the test in words, its paired differences and any ranking.

    Then the claims that are model assumptions (true by construction), apart from the
    findings.
    """
    from rich.markup import escape

    from detente.analysis.claims import difference_text

    out.print("[bold]The tests in words[/] (each verdict is about this test, not the "
              "sentence's every word):")
    for c in results:
        if not c.test:
            continue
        modal = f" [{c.modal}]" if c.modal else ""
        out.print(escape(f"  {c.id}{modal}: {c.test}"))
        for d in c.differences:
            out.print(escape(f"      difference, {difference_text(d)}"))
        if c.ranking:
            shares = ", ".join(f"{o} {100 * p:.0f} %" for o, p in list(c.ranking.items())[:6])
            out.print(escape(f"      orderings (best first, share of samples): {shares}"))
    assumed = [c for c in results if c.assumption]
    if assumed:
        out.print("[bold]Model assumptions[/] (they hold by construction of the model or its "
                  "inputs; their P restates the scenario, and they are not findings):")
        for c in assumed:
            out.print(escape(f"  {c.id}: {c.assumption}"))


def _lint(sc: Any, ids: str | None, seed: int, horizon: int | None, json_: bool) -> None:
    """Print the claims the model decides by construction; exit 1 when there are any."""
    from detente.analysis.claim_lint import N_LINT, lint_claims

    found = lint_claims(sc, ids=split(ids), seed=seed, horizon=horizon)
    chosen = split(ids) or list(sc.claims)
    assumed = [cid for cid, c in sc.claims.items()
               if c.assumption is not None and cid in chosen]
    if json_:
        echo_json([{"claim": f.claim, "kind": f.kind, "message": f.message} for f in found])
    elif not found:
        out.print(f"claim-lint of {sc.name}: every claim could go either way over a design "
                  f"of {N_LINT} runs across the parameters' ranges"
                  + (f", apart from the {len(assumed)} declared model assumptions "
                     f"({', '.join(assumed)})" if assumed else ""))
    else:
        out.print(f"claim-lint of {sc.name}: {len(found)} claim(s) decided by construction "
                  "(re-encode them, or declare them model assumptions; docs/claims.md)")
        from rich.markup import escape

        for f in found:
            out.print(escape(f"  {f.claim} [{f.kind}]: {f.message}"))
    if found:
        raise typer.Exit(1)
