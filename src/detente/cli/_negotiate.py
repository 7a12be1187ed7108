"""``detente negotiate``: the actors' view of the talks, forecast by each negotiation model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.cli._app import err
from detente.cli._options import JsonOpt, SamplesOpt, ScenarioArg, SeedOpt, check_samples
from detente.cli._output import echo_json, show
from detente.errors import InputError

#: What ``--plot`` can write.
PLOT_SUFFIXES = (".html",)


def negotiate(
    scenario: ScenarioArg,
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 0,
    rounds: Annotated[int, typer.Option(
        "--rounds", help="Rounds of the expected-utility and exchange models.")] = 10,
    rule: Annotated[str, typer.Option(
        "--rule", help="How an exchange's rate is set: equal_gain or nash.")] = "equal_gain",
    formulation: Annotated[str, typer.Option(
        "--formulation", help="The expected-utility model's formulation: equations (the "
                              "paper's printed equations) or scholz_code (the choices of "
                              "Scholz et al.'s program).")] = "equations",
    top: Annotated[int, typer.Option(
        "--top", help="Exchanges listed (the most frequent).")] = 12,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write a plot of the positions over rounds (an .html file).")] = None,
    plot_model: Annotated[str, typer.Option(
        "--plot-model", help="The model whose rounds --plot shows: expected_utility or "
                             "exchange.")] = "expected_utility",
    coupled: Annotated[Path | None, typer.Option(
        "--coupled", help="Write a copy of the scenario (.yaml) whose bargaining weights "
                          "the actors' saliences set, to run beside the original.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Forecast the talks from the actors' positions, saliences and capabilities.

    Prints each model's forecast per issue with bands (the weighted mean and median
    baseline, Bueno de Mesquita's expected-utility model, Stokman's exchange model) and
    the level of the issue it falls on, who moves, and the exchanges made.
    """
    from detente.analysis.negotiation import (
        FORMULATIONS,
        RULES,
        NegotiationForecast,
        predicted_terms,
    )
    from detente.cli._files import warn_hindsight
    from detente.scenario import load_scenario

    check_samples(samples)
    if rounds < 0:
        raise InputError(f"--rounds expects a whole number >= 0, found {rounds}")
    if rule not in RULES:
        raise InputError(f"--rule expects one of {', '.join(RULES)}, found {rule!r}")
    if formulation not in FORMULATIONS:
        raise InputError(f"--formulation expects one of {', '.join(FORMULATIONS)}, found "
                         f"{formulation!r}")
    if top < 0:
        raise InputError(f"--top expects a whole number >= 0, found {top}")
    if plot_model not in ("expected_utility", "exchange"):
        raise InputError("--plot-model expects expected_utility or exchange, found "
                         f"{plot_model!r}")
    if plot is not None:
        _check_output(plot, "--plot", PLOT_SUFFIXES)
    if coupled is not None:
        _check_output(coupled, "--coupled", (".yaml", ".yml"))
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    nf = NegotiationForecast(rounds=rounds, rule=rule,  # type: ignore[arg-type]
                             n_samples=samples, seed=seed,
                             formulation=formulation).fit(sc)  # type: ignore[arg-type]
    data = nf.to_dict()
    terms = predicted_terms(nf, sc)
    if plot is not None:
        from detente.present.negotiation import positions_figure

        fig = positions_figure(nf, model=plot_model)
        fig.write_html(str(plot), include_plotlyjs=True, full_html=True)
        err.print(f"wrote {plot}", highlight=False)
    if coupled is not None:
        from detente.analysis.negotiation import coupled_scenario, write_coupled_scenario

        path = write_coupled_scenario(coupled_scenario(sc, nf), coupled)
        err.print(f"wrote {path} (bargaining weights set by the actors' saliences)",
                  highlight=False)
    if json_:
        echo_json({**data, "terms": terms})
        return
    from detente.present.negotiation import negotiation_tables

    show(negotiation_tables(data, terms=terms, top=top))


def _check_output(path: Path, option: str, suffixes: tuple[str, ...]) -> None:
    """Refuse, before any work, an output the command cannot write."""
    from detente.report import check_writable_file

    if path.suffix.lower() not in suffixes:
        raise InputError(f"{option} {path}: expected a file ending in "
                         f"{' or '.join(suffixes)}")
    check_writable_file(path, option)
