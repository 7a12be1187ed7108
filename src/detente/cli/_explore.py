"""``detente sensitivity`` and ``discover``: what an output hinges on, and where it holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._app import out
from detente.cli._options import (
    DefaultSeedOpt,
    HorizonOpt,
    JsonOpt,
    OverOpt,
    PolicyOpt,
    ProcessesOpt,
    QuietOpt,
    ReduceOpt,
    ScenarioArg,
    TimeOpt,
    check_horizon,
    check_samples,
    parse_time,
    parse_window,
    resolve_processes,
    settings_line,
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
#: Default most restrictions of a discovered box (readable, and little room to fit noise).
MAX_DIMS = 3
#: Default PRIM reruns on random halves (EMA's default).
RESAMPLES = 10


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
    seed: DefaultSeedOpt = None,
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
    from detente.analysis.defaults import DEFAULT_SEED
    from detente.analysis.sensitivity import agreement
    from detente.present.sensitivity import convergence_line, growth_line, indices_table

    if method not in ("sobol", "morris", "both"):
        raise InputError(f"--method expects sobol, morris or both, found {method!r}")
    if target_ci is not None and method == "morris":
        raise InputError("--target-ci grows a Sobol design; use it with --method sobol "
                         "or both")
    if top_k < 1:
        raise InputError(f"--top-k expects a positive number of ranks, found {top_k}")
    seed = DEFAULT_SEED if seed is None else seed
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
    samples: Annotated[int | None, typer.Option(
        "--samples", "-n", help="Monte Carlo samples [default: 2,000: PRIM peels boxes "
                                "from cases, twice the other commands' 1,000]")] = None,
    seed: DefaultSeedOpt = None,
    horizon: HorizonOpt = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Minimum density of the box (share of it where the condition "
                            "holds).")] = 0.8,
    max_dims: Annotated[int, typer.Option(
        "--max-dims", help="Most parameters the chosen box may restrict.")] = MAX_DIMS,
    parameters: Annotated[str | None, typer.Option(
        "--parameters", help="Comma-separated parameters to search (default: those that "
                             "can move the condition under the policy).")] = None,
    all_parameters: Annotated[bool, typer.Option(
        "--all-parameters", help="Search every uncertain parameter, also those a "
                                 "one-at-a-time screen finds cannot move the condition "
                                 "under the policy.")] = False,
    resamples: Annotated[int, typer.Option(
        "--resamples", help="PRIM reruns on random halves of the samples, for how often "
                            "each restriction recurs (0: none).")] = RESAMPLES,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the coverage-density trade-off to this image file (PNG, SVG "
                       "or PDF, by its suffix).")] = None,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Scenario discovery (PRIM): where in parameter space a condition holds.

    Shows PRIM's peeling trade-off (coverage against density per number of restricted
    parameters), picks the box of largest coverage that reaches --threshold with at most
    --max-dims restrictions, and gives each restriction's quasi-p-value and how often it
    recurs when PRIM reruns on random halves of the samples.
    """
    from detente.analysis import Prim, as_scenario, scenario_expr
    from detente.analysis.defaults import DEFAULT_SEED, DISCOVERY_SAMPLES
    from detente.analysis.discovery import screen_parameters
    from detente.engine import simulate
    from detente.present.discovery import box_table, tradeoff_figure, tradeoff_table

    samples = DISCOVERY_SAMPLES if samples is None else samples
    seed = DEFAULT_SEED if seed is None else seed
    check_samples(samples)
    check_horizon(horizon)
    if max_dims < 1:
        raise InputError(f"--max-dims expects a positive number of parameters, found "
                         f"{max_dims}")
    if resamples < 0:
        raise InputError(f"--resamples expects 0 or more, found {resamples}")
    if not 0 < threshold <= 1:
        raise InputError(f"--threshold expects a density in (0, 1], found {threshold}")
    if parameters and all_parameters:
        raise InputError("give --parameters or --all-parameters, not both")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot expects a .png, .svg or .pdf file, found '{plot}'")
    processes = resolve_processes(processes, samples)
    sc = as_scenario(scenario)
    if where is None:
        where = f"{first_ratio(sc, '--where')} < 1"
    expr = scenario_expr(sc, where, expect="condition")
    when_at, window = parse_time(at), parse_window(over)
    pol = policy or next(iter(sc.policies))
    n_uncertain = len(sc.uncertain)
    names = split(parameters)
    screening = None
    with stage_bars(quiet=quiet) as progress:
        if names is None and not all_parameters:
            screening = screen_parameters(sc, where, policy=pol, horizon=horizon, seed=seed)
            names = screening.kept
            if not names:
                raise InputError(f"no uncertain parameter can move '{where}' under {pol} "
                                 "(a one-at-a-time screen changed nothing the condition "
                                 "reads); check the condition and the policy")
        res = simulate(sc, n_samples=samples, seed=seed, policies=[pol], horizon=horizon,
                       record=_discover_record(sc, set(expr.names)), processes=processes,
                       progress=stage(progress, "simulating"))
        box = Prim(threshold=threshold, max_dims=max_dims, parameters=names,
                   resamples=resamples, seed=seed).fit(res, where, policy=pol, at=when_at,
                                                       over=window, reduce=reduce)
    when = f"over {over} ({reduce or 'any'})" if over else f"at {at}"
    searched = len(box.x_.columns)
    if plot is not None and not box.trajectory_.empty:
        fig = tradeoff_figure(box, title=f"PRIM trade-off: '{where}' {when} under {pol}")
        fig.savefig(plot, bbox_inches="tight", dpi=150)
    if json_:
        traj = box.trajectory_
        echo_json({
            "where": where, "when": when, "policy": pol, "n_samples": samples,
            "n_cases": box.n_cases_, "found": box.found_, "description": box.description_,
            "reason": box.reason_, "coverage": box.coverage_, "density": box.density_,
            "mass": box.mass_, "threshold": threshold, "max_dims": max_dims,
            "chosen": box.chosen_, "searched": list(box.x_.columns),
            "screening": None if screening is None else {
                "dropped": screening.dropped, "n_points": screening.n_points,
                "runs": screening.runs},
            "box": [{"parameter": str(i), "low": float(r["low"]), "high": float(r["high"]),
                     "unit": str(r["unit"]), "low_restricted": bool(r["low_restricted"]),
                     "high_restricted": bool(r["high_restricted"]),
                     "qp_low": _finite(r["qp_low"]), "qp_high": _finite(r["qp_high"]),
                     "reproduced": _finite(r.get("reproduced"))}
                    for i, r in box.box_.iterrows()],
            "trajectory": [] if traj.empty else [
                {"coverage": float(r["coverage"]), "density": float(r["density"]),
                 "mass": float(r["mass"]), "res_dim": int(r["res_dim"]),
                 "max_qp": _finite(r["max_qp"]), "eligible": bool(r["eligible"])}
                for _, r in traj.iterrows()],
            "stability": [{"parameter": str(i), "coverage": float(r["coverage"]),
                           "density": float(r["density"])}
                          for i, r in box.stability_.iterrows()],
            "plot": str(plot) if plot is not None and not traj.empty else None,
        })
        return
    share = box.n_cases_ / samples
    out.print(settings_line(samples, seed, float(res.ds["month"].values[-1])), highlight=False)
    out.print(f"'{where}' {when} under {pol}: {box.n_cases_:,} of {samples:,} samples "
              f"({share:.0%})")
    if screening is not None:
        out.print(f"searched {searched} of {n_uncertain} uncertain parameters: "
                  f"{len(screening.dropped)} cannot move the condition under {pol} (no "
                  f"change in what it reads when moved alone from {screening.n_points} "
                  f"points, {screening.runs:,} runs; --all-parameters searches them too)")
    else:
        out.print(f"searched {searched} of {n_uncertain} uncertain parameters")
    show(tradeoff_table(box, title=f"PRIM peeling trade-off (density threshold "
                                   f"{threshold:.0%}, at most {max_dims} restricted)"))
    if not box.found_:
        out.print(f"[yellow]no box[/]: {box.reason_}")
    else:
        show(box_table(box, title=f"box {box.chosen_}: coverage {box.coverage_:.0%}, "
                                  f"density {box.density_:.0%}, mass {box.mass_:.0%}"))
        out.print(f"[bold]box[/]: {box.description_}")
        if resamples:
            unstable = [str(p) for p, r in box.box_.iterrows() if float(r["reproduced"]) < 0.5]
            text = (f"restricted again in fewer than half of {resamples} reruns on random "
                    f"halves: {', '.join(unstable)}" if unstable else
                    f"every restriction recurs in at least half of {resamples} reruns on "
                    "random halves")
            out.print(f"[bold]stability[/]: {text}")
    if plot is not None:
        out.print(f"trade-off figure: {plot}" if not box.trajectory_.empty else
                  "no trade-off figure: PRIM did not run")


def _finite(x: Any) -> float | None:
    """Return a JSON number, or None for NaN and missing values."""
    if x is None:
        return None
    v = float(x)
    return v if v == v else None
