"""``detente sensitivity`` and ``discover``: what an output hinges on, and where it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._app import out
from detente.cli._options import (
    HorizonOpt,
    JsonOpt,
    OverOpt,
    PolicyOpt,
    ProcessesOpt,
    QuietOpt,
    ReduceOpt,
    SamplesOpt,
    ScenarioArg,
    SeedOpt,
    TimeOpt,
    check_horizon,
    check_samples,
    parse_time,
    parse_window,
    resolve_processes,
    split,
)
from detente.cli._output import echo_json, show
from detente.cli._progress import stage, stage_bars
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

# the library's defaults (detente.analysis.sensitivity.MAX_BASE and TOP_K; a test holds
# them equal), written out so that --help does not import numpy
MAX_BASE = 1024
TOP_K = 3


def sensitivity(
    scenario: ScenarioArg,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Output expression, e.g. 'blue.personnel / red.personnel' "
                               "(default: the first side's combat-power ratio).")
    ] = None,
    method: Annotated[str, typer.Option(
        "--method", help="sobol, morris, or both (then whether they agree on the top "
                         "drivers).")] = "sobol",
    policy: PolicyOpt = None,
    at: TimeOpt = "end",
    over: OverOpt = None,
    reduce: ReduceOpt = None,
    n_base: Annotated[int, typer.Option(
        "--n-base", help="Sobol base sample N (power of two); N (D + 2) runs.")] = 64,
    target_ci: Annotated[float | None, typer.Option(
        "--target-ci", help="Grow the Sobol design (doubling N, reusing the runs made) "
                            "until the widest ± of the top-k total indices is at most "
                            "this, or --max-base is reached.")] = None,
    max_base: Annotated[int, typer.Option(
        "--max-base", help="Largest N --target-ci may grow to (power of two).")] = MAX_BASE,
    top_k: Annotated[int, typer.Option(
        "--top-k", help="Top ranks whose intervals the verdict checks (and --target-ci "
                        "measures).")] = TOP_K,
    trajectories: Annotated[int, typer.Option(
        "--trajectories", help="Morris trajectories r; r (D + 1) runs.")] = 20,
    parameters: Annotated[str | None, typer.Option(
        "--parameters", help="Comma-separated parameters to vary (default: all "
                             "uncertain).")] = None,
    seed: SeedOpt = 0,
    horizon: HorizonOpt = None,
    top: Annotated[int, typer.Option("--top", help="Rows shown in the table.")] = 15,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sobol or Morris sensitivity of any output at any time, with intervals and a verdict.

    Every index is shown with its 90 % bootstrap interval and the ranks it could hold;
    the verdict says whether the top ranks are resolved and every index lies in [0, 1]
    within its error. --target-ci grows the Sobol design until the top ranks are precise.
    """
    from detente.analysis import Morris, Sobol, as_scenario
    from detente.analysis.sensitivity import agreement
    from detente.present.sensitivity import convergence_line, growth_line, indices_table

    if method not in ("sobol", "morris", "both"):
        raise InputError(f"--method expects sobol, morris or both, found {method!r}")
    if target_ci is not None and method == "morris":
        raise InputError("--target-ci grows a Sobol design; use it with --method sobol "
                         "or both")
    if top_k < 1:
        raise InputError(f"--top-k expects a positive number of ranks, found {top_k}")
    check_horizon(horizon)
    when_at, window = parse_time(at), parse_window(over)
    sc = as_scenario(scenario)
    if output is None:
        output = first_ratio(sc, "--output")
    pol = policy or next(iter(sc.policies))
    names = split(parameters)
    fits: dict[str, Sobol | Morris] = {}
    with stage_bars(quiet=quiet) as progress:
        if method in ("sobol", "both"):
            fits["sobol"] = Sobol(n_base=n_base, seed=seed, parameters=names,
                                  target_ci=target_ci, max_base=max_base, top_k=top_k)
        if method in ("morris", "both"):
            fits["morris"] = Morris(n_trajectories=trajectories, seed=seed, parameters=names,
                                    top_k=top_k)
        for name, est in fits.items():
            est.fit(sc, output, policy=pol, at=when_at, over=window, reduce=reduce,
                    horizon=horizon, progress=stage(progress, f"{name} model runs"))
    when = f"over {over} ({reduce or 'mean'})" if over else f"at {at}"
    agree = None
    if len(fits) == 2:
        agree = agreement({"Sobol": fits["sobol"].ranking_, "Morris": fits["morris"].ranking_},
                          k=top_k, resolved={"Sobol": fits["sobol"].convergence_.resolved,
                                             "Morris": fits["morris"].convergence_.resolved})
    if json_:
        doc: dict[str, Any] = {"output": output, "when": when, "policy": pol, "seed": seed,
                               "conf_level": next(iter(fits.values())).conf_level}
        for name, est in fits.items():
            key = "ST" if name == "sobol" else "mu_star"
            df = est.indices_.sort_values(key, ascending=False)
            part: dict[str, Any] = {
                "runs": int(est.y_.size), "convergence": est.convergence_.to_dict(),
                "indices": [{"parameter": str(i), **{k: float(v) for k, v in r.items()}}
                            for i, r in df.iterrows()]}
            if isinstance(est, Sobol):
                part.update(n_base=est.n_base_, stopped=est.stopped_,
                            growth=est.growth_.to_dict("records"))
            doc[name] = part
        if agree is not None:
            doc["agreement"] = {"same_set": agree.same_set, "same_order": agree.same_order,
                                "text": agree.text}
        echo_json(doc)
        return
    for name, est in fits.items():
        level = f"{100 * est.conf_level:.0f} %"
        if isinstance(est, Sobol):
            title = (f"Sobol indices of {output} {when} under {pol} (N = {est.n_base_}, "
                     f"{est.y_.size:,} model runs; ± {level} bootstrap interval)")
        else:
            title = (f"Morris elementary effects of {output} {when} under {pol} "
                     f"({est.n_trajectories} trajectories, {est.y_.size:,} model runs; ± "
                     f"{level} bootstrap interval; per move from the lowest to the highest "
                     "grid level)")
        show(indices_table(est.indices_, method=name, title=title, top=top))
        if isinstance(est, Sobol):
            line = growth_line(est.growth_, est.stopped_, target=target_ci, cap=max_base)
            if line:
                out.print(line)
        out.print(convergence_line(est.convergence_,
                                   label="verdict" if len(fits) == 1 else f"{name} verdict"))
    if agree is not None:
        style = "green" if agree.same_order else "yellow"
        out.print(f"[bold {style}]agreement[/]: {agree.text}")


def first_ratio(sc: Scenario, option: str) -> str:
    """Return the first side's combat-power ratio over its enemy, the default to explore.

    Raises
    ------
    InputError
        If the scenario's model does not compute it (then ``option`` must be given).
    """
    from detente.model import owned

    name = owned(sc.cast.sides[0], "combat_power_ratio")
    if name not in {v.name for m in sc.enabled_modules for v in m.variables}:
        raise InputError(f"the model of '{sc.name}' has no {name}; give {option}")
    return name


def _discover_record(sc: Scenario, names: set[str]) -> list[str]:
    """Return the variables a condition reads, in model order (else the first default).

    The results need at least one variable even when the condition reads parameters only.
    """
    variables = [v for m in sc.enabled_modules for v in m.variables]
    needed = [v.name for v in variables if v.name in names]
    return needed or [v.name for v in variables if v.record][:1]


def discover(
    scenario: ScenarioArg,
    where: Annotated[str | None, typer.Option(
        "--where", "-w", help="Condition on outputs, e.g. 'red.territory_pct > 20' (default: "
                              "the first side's combat-power ratio below 1).")
    ] = None,
    policy: PolicyOpt = None,
    at: TimeOpt = "end",
    over: OverOpt = None,
    reduce: ReduceOpt = None,
    samples: SamplesOpt = 2000,
    seed: SeedOpt = 0,
    horizon: HorizonOpt = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Minimum density of the box.")] = 0.8,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Scenario discovery (PRIM): where in parameter space a condition holds."""
    from detente.analysis import Prim, as_scenario, scenario_expr
    from detente.engine import simulate

    check_samples(samples)
    check_horizon(horizon)
    processes = resolve_processes(processes, samples)
    sc = as_scenario(scenario)
    if where is None:
        where = f"{first_ratio(sc, '--where')} < 1"
    expr = scenario_expr(sc, where, expect="condition")
    when_at, window = parse_time(at), parse_window(over)
    pol = policy or next(iter(sc.policies))
    with stage_bars(quiet=quiet) as progress:
        res = simulate(sc, n_samples=samples, seed=seed, policies=[pol], horizon=horizon,
                       record=_discover_record(sc, set(expr.names)), processes=processes,
                       progress=stage(progress, "simulating"))
    box = Prim(threshold=threshold).fit(res, where, policy=pol, at=when_at, over=window,
                                        reduce=reduce)
    when = f"over {over} ({reduce or 'any'})" if over else f"at {at}"
    if json_:
        echo_json({
            "where": where, "when": when, "policy": pol, "n_samples": samples,
            "n_cases": box.n_cases_, "found": box.found_, "description": box.description_,
            "coverage": box.coverage_, "density": box.density_, "mass": box.mass_,
            "box": [{"parameter": str(i), "low": float(r["low"]), "high": float(r["high"]),
                     "unit": str(r["unit"]), "low_restricted": bool(r["low_restricted"]),
                     "high_restricted": bool(r["high_restricted"])}
                    for i, r in box.box_.iterrows()],
        })
        return
    share = box.n_cases_ / samples
    out.print(f"'{where}' {when} under {pol}: {box.n_cases_} of {samples} samples "
              f"({share:.0%})")
    if not box.found_:
        out.print(f"no box reaches density {threshold:.0%} (cases too rare, too common, or "
                  "spread over the whole parameter space)")
        return
    out.print(f"[bold]box[/]: {box.description_}")
    out.print(f"coverage {box.coverage_:.0%} (share of the cases inside), density "
              f"{box.density_:.0%} (share of the box that are cases), mass {box.mass_:.0%}")
