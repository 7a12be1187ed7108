"""``detente run`` and ``detente compare``: an ensemble under each policy, as tables or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._app import err, out
from detente.cli._options import (
    DefaultSamplesOpt,
    DefaultSeedOpt,
    HorizonOpt,
    JsonOpt,
    PoliciesOpt,
    ProcessesOpt,
    QuietOpt,
    ScenarioArg,
    check_horizon,
    ensemble_settings,
    resolve_processes,
    settings_line,
    split,
)
from detente.cli._output import show
from detente.cli._progress import sample_bar
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.results import Results
    from detente.scenario.schema import Scenario


def simulate_ensemble(scenario: str | Scenario, samples: int, seed: int,
                      policies: str | None, horizon: int | None, quiet: bool,
                      processes: int = 1, record: list[str] | None = None) -> Results:
    """Load ``scenario`` (a name or path) and simulate it, with a progress bar unless ``quiet``.

    Each use of a source from after what the scenario may know (its ``knowledge.later``)
    is printed as a warning first, ``quiet`` or not (a scenario given loaded is taken to
    have been warned about already).
    """
    from detente.cli._files import warn_hindsight
    from detente.engine import simulate
    from detente.scenario import load_scenario

    if isinstance(scenario, str):
        sc = load_scenario(scenario)
        warn_hindsight(sc)
    else:
        sc = scenario
    with sample_bar(f"simulating {sc.name}", samples, quiet=quiet) as progress:
        return simulate(sc, n_samples=samples, seed=seed, policies=split(policies),
                        horizon=horizon, processes=processes, record=record,
                        progress=progress)


def recordable(scenario: str, wanted: Sequence[str]) -> list[str]:
    """Return the scenario's variables that ``wanted`` names, in model order.

    ``wanted`` holds model names or base names of what the sides own (``personnel``: every
    side's).
    """
    from detente.present.record import matching
    from detente.scenario import load_scenario

    return matching(load_scenario(scenario), wanted)


def _summary_json(res: Results, months: tuple[float, ...],
                  names: Sequence[str] | None = None) -> dict[str, Any]:
    from detente.present.charts import key_variables
    from detente.present.labels import Labels
    from detente.present.summary import bands_at
    from detente.results.schema import model_names

    if names is None:
        names = key_variables(Labels.of_results(res), model_names(res.ds))
    pols: dict[str, Any] = {}
    for row in bands_at(res, months, names):
        var = pols.setdefault(row["policy"], {}).setdefault(
            row["variable"], {"units": row["units"]})
        var[f"{row['month']:g}"] = {"median": row["median"], "low": row["low"],
                                    "high": row["high"]}
    return {
        "scenario": res.ds.attrs["scenario"],
        "seed": res.ds.attrs["seed"],
        "n_samples": int(res.ds.sizes["sample"]),
        "band": [0.1, 0.9],
        "policies": pols,
    }


def _table_months(res: Results) -> tuple[float, ...]:
    """12, 24 and 36 months where the run reaches them; otherwise its last point."""
    reached = tuple(m for m in (12.0, 24.0, 36.0) if res.step_at_month(m) is not None)
    if reached:
        return reached
    return (round(float(res.ds["month"].values[-1]), 1),)


def parse_months(text: str | None) -> tuple[float, ...] | None:
    """Read ``--months``: months since the start, comma-separated (None: not given)."""
    if text is None:
        return None
    found: list[float] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            month = float(part)
        except ValueError:
            month = float("nan")
        if not (month >= 0 and month != float("inf")):
            raise InputError(f"--months: expected months since the start, comma-separated "
                             f"(e.g. 12,36), found {part!r}")
        found.append(month)
    return tuple(dict.fromkeys(found))


def chosen_variables(scenario: str, text: str | None, *, also: Sequence[str] = ()
                     ) -> list[str] | None:
    """Read ``--vars``: the scenario's variables it names, in model order (None: not given).

    A name is a model name (``blue.personnel``) or the base name of what each side owns
    (``personnel``); one that names nothing is bad input, with the closest names. Names in
    ``also`` (what a command computes besides the model's variables) are accepted and
    left out of the list returned.
    """
    import difflib

    from detente.scenario import load_scenario

    wanted = split(text)
    if wanted is None:
        return None
    sc = load_scenario(scenario)
    every = [v for m in sc.enabled_modules for v in m.variables]
    known = sorted({v.name for v in every} | {v.base for v in every if v.per is not None}
                   | set(also))
    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else (
                "; `detente schema` and the report's assumptions name the variables")
            raise InputError(f"--vars: '{name}' is no variable of {sc.name}{hint}")
    model = [w for w in wanted if w not in also]
    return recordable(scenario, model) if model else []


def _check_writable_dir(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise InputError(f"--out {path}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".detente-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"--out {path}: cannot write there ({exc.strerror})") from exc


def _write_run(res: Results, scenario: str, out_dir: Path, full_precision: bool = False
               ) -> None:
    from detente.scenario import load_scenario
    from detente.scenario.saving import save_scenario

    sc = load_scenario(scenario)
    res.to_netcdf(out_dir / "results.nc", full_precision=full_precision)
    save_scenario(sc, out_dir / "scenario.yaml")  # with its posterior draws, if any


def run(
    scenario: ScenarioArg,
    samples: DefaultSamplesOpt = None,
    seed: DefaultSeedOpt = None,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write results.nc (compressed; trajectories in single precision) and "
                      "the resolved scenario.yaml into this folder.")] = None,
    full_precision: Annotated[bool, typer.Option(
        "--full-precision", help="With --out: keep trajectories in double precision.")] = False,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 0,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the HTML report of this run (as `detente report`) "
                         "to this file.")] = None,
    months_: Annotated[str | None, typer.Option(
        "--months", help="Months since the start to show, comma-separated (default: the "
                         "last of 12, 24 and 36 the run reaches; with --json, each of "
                         "them).")] = None,
    vars_: Annotated[str | None, typer.Option(
        "--vars", help="Variables to show, comma-separated: model names "
                       "(blue.personnel) or base names (personnel: every side's); "
                       "default: the key outputs.")] = None,
) -> None:
    """Run the ensemble under each policy; print each topic's table, policies as columns."""
    from detente.cli._report import check_report_options, write_run_report

    samples, seed = ensemble_settings(samples, seed)
    check_horizon(horizon)
    asked = parse_months(months_)
    chosen = chosen_variables(scenario, vars_)
    processes = resolve_processes(processes, samples)
    if out_dir is not None:
        _check_writable_dir(out_dir)
    record = None
    if report is not None:
        from detente.report import report_record
        from detente.scenario import load_scenario

        sc = load_scenario(scenario)
        check_report_options(sc, output=report, pdf=None, tornado_output=None,
                             tornado_policy=None, option="--report")
        record = report_record(sc, defaults=True)
    elif out_dir is None:
        # the table needs only the key outputs; keeping nothing else saves memory and time
        from detente.results import KEY_OUTPUTS

        record = chosen if chosen is not None else recordable(scenario, KEY_OUTPUTS)
    if record is not None and chosen is not None:
        record = list(dict.fromkeys([*record, *chosen]))
    res = simulate_ensemble(scenario, samples, seed, policies, horizon, quiet, processes,
                            record)
    months = _table_months(res) if asked is None else asked
    if asked is not None and not any(res.step_at_month(m) is not None for m in asked):
        end = float(res.ds["month"].values[-1])
        raise InputError(f"--months: the run ends at {end:.3g} months, before any of "
                         f"{months_}")
    names = None
    if chosen is not None:
        from detente.results.schema import has

        names = [n for n in chosen if has(res.ds, n)]
        if not names:
            raise InputError(f"--vars: none of {vars_} is recorded in this run")
    if out_dir is not None:
        _write_run(res, scenario, out_dir, full_precision)
    if json_:
        out.print_json(json.dumps({**_summary_json(res, months, names),
                                   "settings": _settings(res)}))
    else:
        from detente.present.tables import summary_tables

        out.print(_settings(res), highlight=False)
        show(summary_tables(res, months if asked is not None else months[-1:], names=names))
        out.print(f"[dim]--months {','.join(f'{m:g}' for m in _table_months(res))} shows "
                  "other months, --vars other variables; --json gives every number[/]")
        if out_dir is not None:
            out.print(f"wrote {out_dir / 'results.nc'} and {out_dir / 'scenario.yaml'}")
    if report is not None:
        write_run_report(err if json_ else out, res, scenario, report, seed=seed,
                         processes=processes, quiet=quiet)


def _settings(res: Results) -> str:
    """Say what the ensemble ran with: samples, seed, horizon and levers, in one line."""
    return settings_line(int(res.ds.sizes["sample"]), res.ds.attrs.get("seed"),
                         float(res.ds["month"].values[-1]))


def _compare_outcome_names() -> list[str]:
    """Return what ``compare --vars`` takes besides the model's names: its own outcomes."""
    from detente.analysis.compare import OUTCOMES

    return [name for name, _units, _desc in OUTCOMES]


def compare(
    scenario: ScenarioArg,
    samples: DefaultSamplesOpt = None,
    seed: DefaultSeedOpt = None,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    baseline: Annotated[str | None, typer.Option(
        help="Policy to take differences against (default: the first policy run).")] = None,
    months_: Annotated[str | None, typer.Option(
        "--months", help="Months since the start of the odds of a settlement, "
                         "comma-separated; the outcomes are read at the last (default: "
                         "those of 12, 24 and 36 the run reaches).")] = None,
    vars_: Annotated[str | None, typer.Option(
        "--vars", help="Outcomes to show beside the odds, comma-separated: the "
                       "comparison's (territory, casualties, refugees_returned, "
                       "reconstruction_cum, viability), model names (blue.personnel) or "
                       "base names (personnel: every side's); default: the comparison's "
                       "outcomes and the key outputs.")] = None,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 0,
) -> None:
    """Compare policies side by side: settlement odds and terms, escalation, outcomes."""
    from detente.analysis.compare import OUTCOMES, compare_summary, compare_variables
    from detente.cli._files import warn_hindsight
    from detente.present.charts import key_variables
    from detente.present.labels import Labels
    from detente.present.record import in_model_order
    from detente.present.summary import bands_at, changes_at, drawable
    from detente.present.tables import comparison_tables
    from detente.results import KEY_OUTPUTS
    from detente.results.schema import has
    from detente.scenario import load_scenario

    samples, seed = ensemble_settings(samples, seed)
    check_horizon(horizon)
    asked = parse_months(months_)
    own = _compare_outcome_names()
    chosen = chosen_variables(scenario, vars_, also=own)
    processes = resolve_processes(processes, samples)
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    if baseline is not None and baseline not in sc.policies:
        raise InputError(f"--baseline: unknown policy '{baseline}'; the scenario "
                         f"'{sc.name}' has {', '.join(sc.policies)}")
    key = recordable(scenario, KEY_OUTPUTS) if chosen is None else chosen
    res = simulate_ensemble(sc, samples, seed, policies, horizon, quiet, processes,
                            in_model_order(sc, [*compare_variables(sc), *key]))
    months = _table_months(res) if asked is None else asked
    try:
        data = compare_summary(res, months=months, baseline=baseline if baseline is not None
                               else res.policies[0])
    except InputError as exc:
        raise InputError(f"--months: {exc}" if asked is not None else str(exc)) from None
    data["meta"]["settings"] = _settings(res)
    if json_:
        out.print_json(json.dumps(data, allow_nan=False))
        return
    labels = Labels.of(sc)
    # beside the comparison's outcomes, the key outputs of every side, as `run` shows them
    # (or the variables asked for)
    names = [n for n in (key_variables(labels, key) if chosen is None else chosen)
             if drawable(res.ds, n)]
    areas = [n for n in dict.fromkeys([*names, *recordable(scenario, ["territory"])])
             if labels.unit(n) == "km2" and has(res.ds, n)]
    shown = None
    if vars_ is not None:
        wanted = set(split(vars_) or [])
        shown = [*names, *(n for n in data["meta"]["outcomes"]
                           if n in wanted or n.partition(".")[2] in wanted)]
    out.print(_settings(res), highlight=False)
    show(comparison_tables(data, OUTCOMES, labels=labels,
                           bands=bands_at(res, months[-1:], names),
                           changes=changes_at(res, months[-1:], areas), only=shown))
