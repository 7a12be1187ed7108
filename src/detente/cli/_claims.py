"""``detente claims``: judge a scenario's claims and print verdicts, as a table or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli._app import out
from detente.cli._options import (
    DefaultSamplesOpt,
    DefaultSeedOpt,
    HorizonOpt,
    JsonOpt,
    PoliciesOpt,
    ProcessesOpt,
    QuietOpt,
    RunStoreOpt,
    ScenarioArg,
    check_horizon,
    ensemble_settings,
    parse_hinges,
    resolve_processes,
    settings_line,
    split,
)
from detente.cli._output import echo_json, show
from detente.cli._progress import stage_bars


def claims(
    scenario: ScenarioArg,
    samples: DefaultSamplesOpt = None,
    seed: DefaultSeedOpt = None,
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
    run_id: Annotated[str | None, typer.Option(
        "--run", help="Judge the claims on a run stored by 'detente sweep' (its id, from "
                      "'detente runs list') instead of simulating; the scenario must be "
                      "the run's.")] = None,
    store: RunStoreOpt = Path("runs"),
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
    samples, seed = ensemble_settings(samples, seed)
    check_horizon(horizon)
    processes = resolve_processes(processes, samples)
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    stored = _stored_results(sc, store, run_id) if run_id is not None else None
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
        if stored is not None:
            ev.fit(sc, stored, seed=seed, progress=progress)
        else:
            ev.fit(sc, n_samples=samples, seed=seed, policies=split(policies),
                   horizon=horizon, progress=progress)
    if json_:
        echo_json(ev.to_list())
        return
    ds = ev.results_.ds
    run_seed = ds.attrs.get("seed", seed)
    show(claims_table(ev.claims_, title=f"claims of {ds.attrs['scenario']} — "
                                        f"{ds.sizes['sample']} samples, seed {run_seed}"))
    _tests_in_words(ev.claims_)
    where = f" (run {run_id} of {store})" if run_id is not None else ""
    ran = settings_line(int(ds.sizes["sample"]), run_seed, float(ds["month"].values[-1]))
    design = f"; hinges from a Sobol design of base {sobol_n}" if "sobol" in kinds else ""
    out.print(f"[dim]{ran}{design}{where}[/]")


def _stored_results(sc: Any, store: Path, run_id: str) -> Any:
    """Open the stored run ``run_id`` as Results for the scenario ``sc``, or say why not."""
    from detente.errors import InputError
    from detente.store import open_run

    res = open_run(str(store), run_id).to_results()
    name = res.ds.attrs.get("scenario")
    if name != sc.name:
        raise InputError(f"--run {run_id}: the run is of scenario {name!r}, not of "
                         f"{sc.name!r}; pass the run's scenario")
    return res


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
