"""``detente sweep`` and ``detente runs``: ensembles written block by block into a run store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli._app import out
from detente.cli._options import (
    DefaultSeedOpt,
    HorizonOpt,
    JsonOpt,
    PoliciesOpt,
    QuietOpt,
    check_choice,
    check_horizon,
    check_positive,
    check_scheduler,
    parse_backend,
    settings_line,
    split,
)
from detente.cli._output import echo_json
from detente.cli._progress import sample_bar
from detente.errors import InputError

#: Storage types of a sweep's trajectories.
DTYPES = ("float64", "float32")


def _check_sweep(scenario: str | None, samples: int | None, *, resume: str | None,
                 horizon: int | None, block_size: int | None, scheduler: str,
                 dtype: str) -> None:
    check_scheduler(scheduler)
    check_choice(dtype, "--dtype", DTYPES)
    if resume is not None:
        return  # the run's own manifest holds the rest
    if scenario is None:
        raise InputError("name a scenario (or --resume RUN_ID)")
    if samples is None or samples <= 0:
        raise InputError(f"--samples must be a positive integer, found {samples}")
    check_positive(block_size, "--block-size")
    check_horizon(horizon)


def sweep(
    scenario: Annotated[str | None, typer.Argument(
        help="Built-in scenario name or a file path (optional with --resume).")] = None,
    samples: Annotated[int | None, typer.Option(
        "--samples", "-n", help="Monte Carlo samples (required for a new run).")] = None,
    store: Annotated[Path, typer.Option(
        "--out", help="Run store folder (created if new).")] = Path("runs"),
    seed: DefaultSeedOpt = None,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    record: Annotated[str | None, typer.Option(
        "--record", help="Comma-separated variables whose full trajectories are kept "
                         "(default: none).")] = None,
    outcomes: Annotated[str | None, typer.Option(
        "--outcomes", help="Comma-separated variables kept per sample at the horizon "
                           "(default: the key outputs).")] = None,
    quantiles: Annotated[str | None, typer.Option(
        "--quantiles", help="Comma-separated variables whose per-time quantiles are kept "
                            "(default: the key outputs).")] = None,
    block_size: Annotated[int | None, typer.Option(
        "--block-size", help="Samples per block (default 1024; part of the run's "
                             "identity).")] = None,
    dtype: Annotated[str, typer.Option(
        "--dtype", help="Storage type of trajectories: float64 or float32.")] = "float64",
    resume: Annotated[str | None, typer.Option(
        "--resume", help="Complete the interrupted run RUN_ID in --out.")] = None,
    scheduler: Annotated[str, typer.Option(
        "--scheduler", help="local, processes, dask (a local Dask cluster) or a Dask "
                            "scheduler address (tcp://HOST:8786).")] = "local",
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Worker processes for processes/dask (default: one per core).")
    ] = None,
    backend: Annotated[str, typer.Option(
        "--backend", help="Kernels: auto, numba or numpy (same results).")] = "auto",
    checkpoint_every: Annotated[float, typer.Option(
        "--checkpoint-every", help="Seconds between checkpoints of the quantiles.")] = 30.0,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run an ensemble into a run store, block by block (resumable with --resume)."""
    from detente.analysis.defaults import DEFAULT_SEED
    from detente.store import RunStore
    from detente.store import sweep as run_sweep

    seed = DEFAULT_SEED if seed is None else seed
    kernels = parse_backend(backend)
    _check_sweep(scenario, samples, resume=resume, horizon=horizon, block_size=block_size,
                 scheduler=scheduler, dtype=dtype)
    with sample_bar(f"sweep {scenario or resume}", samples,
                    quiet=quiet or json_) as progress:
        run = run_sweep(scenario, out=store, n_samples=samples, seed=seed,
                        policies=split(policies), horizon=horizon, record=split(record) or (),
                        outcomes=split(outcomes), quantiles=split(quantiles),
                        block_size=block_size, dtype=dtype, scheduler=scheduler,
                        workers=workers, resume=resume, backend=kernels,
                        checkpoint_every=checkpoint_every, progress=progress)
    row: dict[str, Any] = RunStore(run.store).catalog_row(run)
    if json_:
        echo_json(row)
        return
    out.print(f"run [bold]{run.id}[/] complete: {row['n_samples']} samples × "
              f"{len(row['parameters']['policies'])} policies in {run.path}")
    if scenario is not None:
        from detente.scenario import load_scenario

        days = int(row["parameters"]["n_steps"]) * load_scenario(scenario).time.step_days
        out.print(settings_line(int(row["n_samples"]), row["seed"], days / (365.25 / 12)),
                  highlight=False)


runs_app = typer.Typer(help="List, show, open and verify the runs in a run store.",
                       no_args_is_help=True)
StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Run store folder.")]
RunIdArg = Annotated[str, typer.Argument(help="Run id (see `detente runs list`).")]


@runs_app.command("list")
def runs_list(
    store: StoreOpt = Path("runs"),
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Recreate the catalogue from the run folders first.")] = False,
    json_: JsonOpt = False,
) -> None:
    """List the runs in the store's catalogue."""
    from detente.store import RunStore

    st = RunStore(store)
    if rebuild:
        st.rebuild_catalog()
    rows = st.list()
    if json_:
        echo_json(rows)
        return
    from detente.present.tables import runs_table

    out.print(runs_table(rows, store=str(store)))


@runs_app.command("show")
def runs_show(run_id: RunIdArg, store: StoreOpt = Path("runs"), json_: JsonOpt = False) -> None:
    """Show a run's manifest, progress and any damage found in its files."""
    from detente.store import RunStore

    st = RunStore(store)
    run = st.run(run_id)
    found = run.inspect()
    problems = found.problems
    m = run.manifest
    info = {**st.catalog_row(run), "path": str(run.path), "problems": problems,
            "sample_params": m["sample_params"], "events": m["events"]}
    if json_:
        echo_json(info)
    else:
        for k in ("id", "scenario", "scenario_hash", "seed", "detente_version", "n_samples",
                  "block_size", "status", "created", "updated", "path"):
            out.print(f"[bold]{k}[/]: {info[k]}")
        out.print(f"[bold]blocks[/]: {info['blocks_done']}/{info['n_blocks']}")
        for k, v in info["parameters"].items():
            out.print(f"[bold]{k}[/]: {v}")
    run.check(found)


@runs_app.command("open")
def runs_open(run_id: RunIdArg, store: StoreOpt = Path("runs"), json_: JsonOpt = False) -> None:
    """Open a complete run and print its outcomes: median [10th–90th percentile]."""
    import numpy as np

    from detente.results.schema import final_var, select
    from detente.store import RunStore

    run = RunStore(store).run(run_id)
    ds = run.to_dataset()
    rows = []
    for var in run.manifest["outcomes"]:
        da = select(ds, final_var(var))
        q = np.nanquantile(da.values, [0.1, 0.5, 0.9], axis=1)
        units = str(da.attrs.get("units", ""))
        for ip, pol in enumerate(ds["policy"].values):
            rows.append({"policy": str(pol), "variable": var, "units": units,
                         "low": float(q[0, ip]), "median": float(q[1, ip]),
                         "high": float(q[2, ip])})
    if json_:
        echo_json({"id": run_id, "n_samples": int(ds.sizes["sample"]), "outcomes": rows})
        return
    from detente.present.tables import run_outcomes_table

    out.print(run_outcomes_table(rows, run_id=run_id, n_samples=int(ds.sizes["sample"])))
    out.print(f"in Python: detente.store.open_run({str(store)!r}, {run_id!r}).to_dataset()")



@runs_app.command("verify")
def runs_verify(
    store: Annotated[Path, typer.Argument(help="Run store folder.")],
    run_id: Annotated[str | None, typer.Argument(
        help="Run id (default: every run in the store).")] = None,
    repair: Annotated[bool, typer.Option(
        "--repair", help="Recompute the damaged blocks (bit-identical: streams are keyed "
                         "by seed and block).")] = False,
    scheduler: Annotated[str, typer.Option(
        "--scheduler", help="Where --repair simulates: local, processes, dask or a Dask "
                            "scheduler address.")] = "local",
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Worker processes for processes/dask.")] = None,
    backend: Annotated[str, typer.Option(
        "--backend", help="Kernels: auto, numba or numpy (same results).")] = "auto",
    json_: JsonOpt = False,
) -> None:
    """Check every committed block of a store's runs against its checksums; repair them.

    Exits with code 2 while damage remains (after --repair: damage it could not repair).
    """
    from detente.store import RunStore
    from detente.store import repair as repair_run

    check_scheduler(scheduler)
    kernels = parse_backend(backend)
    st = RunStore(store)
    runs = [st.run(run_id)] if run_id is not None else st.runs()
    report: list[dict[str, Any]] = []
    for run in runs:
        found = run.inspect()
        entry: dict[str, Any] = {"id": run.id, "problems": found.problems,
                                 "damaged_blocks": sorted(found.blocks), "repaired": []}
        if found and repair:
            entry["repaired"] = repair_run(store, run.id, scheduler=scheduler,
                                           workers=workers, backend=kernels)
            entry["remaining"] = run.verify()
        else:
            entry["remaining"] = found.problems
        report.append(entry)
    if json_:
        echo_json(report)
    else:
        for e in report:
            if not e["problems"]:
                out.print(f"run [bold]{e['id']}[/]: sound")
                continue
            out.print(f"run [bold]{e['id']}[/]: damaged")
            for p in e["problems"]:
                out.print(f"  {p}", markup=False)
            if repair:
                out.print(f"  repaired: blocks {e['repaired']} recomputed")
    damaged = [e["id"] for e in report if e["remaining"]]
    if damaged:
        hint = ("" if repair else
                f"; run `detente runs verify {store} RUN_ID --repair` to recompute the "
                "damaged blocks (bit-identical)")
        raise InputError(f"{store}: damaged run(s): {', '.join(damaged)}{hint}")
