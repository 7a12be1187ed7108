"""Run store: sweeps equal simulate, the catalogue, damage detection, CLI."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from store_helpers import SMALL, assert_same, store_contents

from detente.engine import simulate
from detente.errors import InputError
from detente.store import RunStore, sweep


def test_sweep_equals_simulate(tmp_path):
    import xarray as xr

    from detente.results import Results

    run = sweep("lanchester-bench", out=tmp_path / "s", **SMALL)
    ds = run.to_dataset()
    kw = {k: v for k, v in SMALL.items() if k != "n_samples"}
    ref = simulate("lanchester-bench", n_samples=SMALL["n_samples"], **kw)
    got = Results(ds)
    for v in ("blue.personnel", "red.personnel", "final_blue.personnel", "final_red.shells",
              "q_blue.personnel", "q_red.shells", "param_blue.effectiveness",
              "param_red.personnel0"):
        np.testing.assert_array_equal(got[v].values, ref[v].values, err_msg=v)
    # laid out as simulate lays it out: what a side owns along the side dim, with names
    assert set(ds.data_vars) == set(ref.ds.data_vars)
    for v in ref.ds.data_vars:
        assert ds[v].dims == ref.ds[v].dims, v
        assert ds[v].attrs == ref.ds[v].attrs, v
        np.testing.assert_array_equal(ds[v].values, ref.ds[v].values, err_msg=str(v))
    assert ds["personnel"].dims == ("policy", "sample", "time", "side")
    assert got.owners() == ref.owners() == {"blue": "Blue", "red": "Red"}
    xr.testing.assert_identical(ds["side_name"], ref.ds["side_name"])
    assert got.variables == ref.variables
    # every parameter, constants and defaults included, in its own file unit
    for name, entry in ref.scenario.table.items():
        assert ds[f"param_{name}"].attrs["units"] == entry.unit, name
        assert ds[f"param_{name}"].attrs == ref.ds[f"param_{name}"].attrs, name
    assert got.summary(months=[2, 4]).equals(ref.summary(months=[2, 4]))
    from detente.results import scenario_hash
    from detente.scenario import load_scenario

    # the catalogue identifies the scenario file; the horizon is one of the run's parameters
    assert ds.attrs["scenario_hash"] == scenario_hash(load_scenario("lanchester-bench"))
    assert ds.attrs["block_size"] == 50


def test_processes_and_serial_give_identical_stores(tmp_path):
    a = sweep("lanchester-bench", out=tmp_path / "a", **SMALL)
    b = sweep("lanchester-bench", out=tmp_path / "b", scheduler="processes", workers=2,
              **SMALL)
    assert_same(store_contents(tmp_path / "a", a.id), store_contents(tmp_path / "b", b.id))


def test_catalogue_lists_runs(tmp_path, invoke):
    store = tmp_path / "s"
    r1 = sweep("lanchester-bench", out=store, **SMALL)
    r2 = sweep("lanchester-bench", out=store, **{**SMALL, "seed": 12, "n_samples": 100})
    # an interrupted run: its writer died after one block
    r3 = sweep("lanchester-bench", out=store, **{**SMALL, "seed": 13})
    for b in range(1, 12):
        r3.block_file(b).unlink()
    st = json.loads((r3.path / "status.json").read_text())
    (r3.path / "status.json").write_text(json.dumps({**st, "status": "running",
                                                     "pid": 2**22 + 12345}))
    from detente.store import _catalog

    _catalog.update_progress(store, r3.id, 1, "running", "2030-01-01T00:00:00")
    rows = {r["id"]: r for r in RunStore(store).list()}
    assert set(rows) == {r1.id, r2.id, r3.id}
    assert rows[r1.id]["status"] == rows[r2.id]["status"] == "complete"
    assert rows[r3.id]["status"] == "interrupted"
    assert rows[r3.id]["blocks_done"] == 1
    assert rows[r3.id]["n_blocks"] == 12
    assert [rows[i]["seed"] for i in (r1.id, r2.id, r3.id)] == ["11", "12", "13"]
    assert rows[r2.id]["n_samples"] == 100
    assert len({rows[i]["scenario_hash"] for i in rows}) == 1
    # what one side owns is kept for every side
    assert rows[r1.id]["parameters"]["record"] == ["blue.personnel", "red.personnel"]
    assert rows[r1.id]["detente_version"] == __import__("detente").__version__
    # the catalogue is an index: rebuilt from the run folders it says the same
    assert RunStore(store).rebuild_catalog() == 3
    again = {r["id"]: r for r in RunStore(store).list()}
    assert {k: v["status"] for k, v in again.items()} == {k: v["status"]
                                                          for k, v in rows.items()}
    res = invoke(*["runs", "list", "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    assert {r["id"] for r in json.loads(res.stdout)} == set(rows)


def test_damaged_store_gives_a_clear_error_and_changes_nothing(tmp_path, invoke):
    store = tmp_path / "s"
    run = sweep("lanchester-bench", out=store, **SMALL)
    snapshot = tmp_path / "snapshot"
    victim = run.block_file(3)
    victim.write_bytes(victim.read_bytes()[:100])  # truncated
    shutil.copytree(store, snapshot)
    for args in (["runs", "show", run.id], ["runs", "open", run.id],
                 ["sweep", "--resume", run.id]):
        flag = "--out" if args[0] == "sweep" else "--store"
        res = invoke(*[*args, flag, str(store)])
        assert res.exit_code == 2, res.output
        assert "block-000003.parquet" in res.output
        assert "Traceback" not in res.output
    # nothing changed: every file byte for byte
    for f in snapshot.rglob("*"):
        if f.is_file() and f.suffix != ".wal":
            assert (store / f.relative_to(snapshot)).read_bytes() == f.read_bytes(), f
    # following the message repairs it, bit for bit
    victim.unlink()
    assert invoke(*["sweep", "--resume", run.id, "--out", str(store), "--quiet"]).exit_code == 0
    fresh = sweep("lanchester-bench", out=tmp_path / "fresh", **SMALL)
    assert_same(store_contents(store, run.id), store_contents(tmp_path / "fresh", fresh.id))


def test_partial_or_foreign_folders_are_refused(tmp_path, invoke):
    with pytest.raises(InputError, match="not a detente run store"):
        RunStore(tmp_path / "missing")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "data.csv").write_text("x")
    res = invoke(*["sweep", "lanchester-bench", "-n", "10", "--out", str(tmp_path / "other")])
    assert res.exit_code == 2
    assert "not an empty folder" in res.output
    assert (tmp_path / "other" / "data.csv").read_text() == "x"
    store = tmp_path / "s"
    run = sweep("lanchester-bench", out=store, **SMALL)
    (run.path / "manifest.json").write_text("{not json")
    res = invoke(*["runs", "show", run.id, "--store", str(store)])
    assert res.exit_code == 2
    assert "manifest.json" in res.output
    res = invoke(*["runs", "show", "nope", "--store", str(store)])
    assert res.exit_code == 2
    assert "no run 'nope'" in res.output
    res = invoke(*["sweep", "--resume", run.id, "--out", str(store)])
    assert res.exit_code == 2
    assert "manifest.json" in res.output


def test_cli_sweep_and_runs_open(tmp_path, invoke):
    store = tmp_path / "s"
    res = invoke(*["sweep", "lanchester-bench", "-n", "120", "--horizon", "8", "--block-size",
                  "40", "--out", str(store), "--record", "blue.personnel", "--json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["status"] == "complete"
    assert row["blocks_done"] == row["n_blocks"] == 3
    res = invoke(*["sweep", "lanchester-bench", "--out", str(store)])
    assert res.exit_code == 2
    assert "--samples" in res.output
    res = invoke(*["sweep", "lanchester-bench", "-n", "5", "--out", str(store),
                  "--scheduler", "nowhere"])
    assert res.exit_code == 2
    assert "--scheduler" in res.output


def test_cli_runs_open_prints_each_outcome(tmp_path, invoke):
    store = tmp_path / "s"
    res = invoke(*["sweep", "lanchester-bench", "-n", "120", "--horizon", "8", "--block-size",
                  "40", "--out", str(store), "--json"])
    assert res.exit_code == 0, res.output
    run_id = json.loads(res.stdout)["id"]
    res = invoke(*["runs", "open", run_id, "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["n_samples"] == 120
    assert {"blue.personnel", "red.personnel"} <= {r["variable"] for r in data["outcomes"]}
    units = {r["variable"]: r["units"] for r in data["outcomes"]}
    assert units["blue.personnel"] == "persons"
    res = invoke(*["runs", "open", run_id, "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert re.search(r"blue.personnel\s+│ thousand persons\s+│ \d", res.stdout)



def test_a_stored_sweep_opens_as_results_that_compare_and_claims_accept(tmp_path):
    # the same numbers from the store as from memory: compare's table and the claims' odds
    from detente.analysis.claims import Claims
    from detente.analysis.compare import compare_summary
    from detente.scenario import load_scenario

    sc = load_scenario("ukraine-2023")
    everything = [v.name for m in sc.enabled_modules for v in m.variables]
    kw = {"n_samples": 48, "seed": 5, "policies": ["status_quo", "direct_talks"],
          "horizon": 60, "block_size": 16}
    run = sweep(sc, out=tmp_path / "store", record=everything, **kw)
    stored = run.to_results()
    assert stored.scenario is not None
    assert stored.scenario.name == sc.name
    memory = simulate(sc, record=everything, **kw)
    assert stored.policies == memory.policies
    months = (6, 12)
    # the store keeps the seed as a number, an ensemble in memory as it was given
    ours = compare_summary(stored, months=months)
    theirs = compare_summary(memory, months=months)
    assert str(ours["meta"].pop("seed")) == str(theirs["meta"].pop("seed"))
    assert ours == theirs
    judged = Claims(hinges=()).fit(stored).table_
    again = Claims(hinges=()).fit(memory).table_
    np.testing.assert_array_equal(judged["probability"].to_numpy(),
                                  again["probability"].to_numpy())
    assert list(judged["verdict"]) == list(again["verdict"])
