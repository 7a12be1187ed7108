"""Every kind of damage to a run store is found, reported cleanly and repaired bit for bit."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from store_helpers import SMALL, assert_same, store_contents

from detente.errors import InputError
from detente.store import RunStore, repair, sweep

VICTIM = 3  # the damaged block


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    store = tmp_path_factory.mktemp("pristine") / "s"
    run = sweep("lanchester-bench", out=store, **SMALL)
    return store, run.id


@pytest.fixture
def damaged_copy(tmp_path: Path, pristine: tuple[Path, str]) -> tuple[Path, str]:
    store, run_id = pristine
    shutil.copytree(store, tmp_path / "s")
    return tmp_path / "s", run_id


def _chunk(store: Path, run_id: str) -> Path:
    run = RunStore(store).run(run_id)
    return run.chunk_files(VICTIM, run.manifest)["blue.personnel"]


def _delete_chunk(store: Path, run_id: str) -> None:
    _chunk(store, run_id).unlink()


def _truncate_chunk(store: Path, run_id: str) -> None:
    f = _chunk(store, run_id)
    f.write_bytes(f.read_bytes()[:-7])


def _garbage_chunk(store: Path, run_id: str) -> None:
    f = _chunk(store, run_id)
    f.write_bytes(np.random.default_rng(0).bytes(len(f.read_bytes())))


def _another_blocks_rows(store: Path, run_id: str) -> None:
    run = RunStore(store).run(run_id)
    shutil.copyfile(run.block_file(VICTIM - 1), run.block_file(VICTIM))


def _parquet_bit_flip(store: Path, run_id: str) -> None:
    f = RunStore(store).run(run_id).block_file(VICTIM)
    data = bytearray(f.read_bytes())
    data[len(data) // 3] ^= 0x10  # inside a data page
    f.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path, str], None]] = {
    "deleted chunk": _delete_chunk,
    "truncated chunk": _truncate_chunk,
    "garbage chunk": _garbage_chunk,
    "another block's rows": _another_blocks_rows,
    "parquet bit flip": _parquet_bit_flip,
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_block_damage_is_found_named_and_repaired(kind, damaged_copy, pristine, invoke):
    store, run_id = damaged_copy
    DAMAGE[kind](store, run_id)
    for args in (["runs", "show", run_id, "--store", str(store)],
                 ["runs", "open", run_id, "--store", str(store)],
                 ["sweep", "--resume", run_id, "--out", str(store)],
                 ["runs", "verify", str(store)]):
        res = invoke(*args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output
        assert "damaged" in res.output, (args, res.output)
        assert f"block {VICTIM}" in res.output, (args, res.output)
        assert "--repair" in res.output, (args, res.output)
    with pytest.raises(InputError, match=f"block {VICTIM}"):
        RunStore(store).run(run_id).to_dataset()
    found = RunStore(store).run(run_id).inspect()
    assert found.blocks == {VICTIM}
    # the repair recomputes exactly the damaged block, bit for bit
    res = invoke("runs", "verify", str(store), run_id, "--repair", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["repaired"] == [VICTIM]
    assert invoke("runs", "verify", str(store)).exit_code == 0
    assert_same(store_contents(store, run_id), store_contents(*pristine))


@pytest.mark.parametrize("kind", ["garbage chunk", "another block's rows", "parquet bit flip"])
def test_damage_is_found_without_the_catalogue_digests(kind, damaged_copy):
    # the formats' own checksums and the block's record catch it once the catalogue has
    # been rebuilt from the damaged files
    store, run_id = damaged_copy
    DAMAGE[kind](store, run_id)
    RunStore(store).rebuild_catalog()
    assert RunStore(store).run(run_id).inspect().blocks == {VICTIM}


def test_sound_run_verifies_and_repair_does_nothing(damaged_copy, invoke):
    store, run_id = damaged_copy
    res = invoke("runs", "verify", str(store))
    assert res.exit_code == 0, res.output
    assert "sound" in res.output
    assert repair(store, run_id) == []


def test_repair_of_an_interrupted_run_keeps_it_interrupted(damaged_copy, pristine):
    store, run_id = damaged_copy
    run = RunStore(store).run(run_id)
    for b in (8, 9, 10, 11):
        run.block_file(b).unlink()  # never committed
    run.set_status("interrupted")
    _garbage_chunk(store, run_id)
    assert repair(store, run_id) == [VICTIM]
    assert run.committed() == set(range(8))
    assert run.status()["status"] == "interrupted"
    sweep(out=store, resume=run_id)
    assert_same(store_contents(store, run_id), store_contents(*pristine))


CATALOGUE_DAMAGE: dict[str, Callable[[bytearray], bytearray]] = {
    "garbage": lambda b: bytearray(np.random.default_rng(1).bytes(100)),
    "truncated": lambda b: b[:len(b) // 2],
    "zeroed after its header": lambda b: b[:12288] + bytearray(len(b) - 12288),
    "flipped header": lambda b: b[:5000] + bytearray(x ^ 0xFF for x in b[5000:9000]) + b[9000:],
}


@pytest.mark.parametrize("kind", list(CATALOGUE_DAMAGE))
def test_damaged_catalogue_says_how_to_rebuild_it(kind, damaged_copy, invoke):
    store, run_id = damaged_copy
    db = store / "catalog.duckdb"
    db.write_bytes(bytes(CATALOGUE_DAMAGE[kind](bytearray(db.read_bytes()))))
    for args in (["runs", "list", "--store", str(store)],
                 ["sweep", "--resume", run_id, "--out", str(store)]):
        res = invoke(*args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output
        assert "catalog.duckdb" in res.output, res.output
        assert "--rebuild" in res.output, res.output
    res = invoke("runs", "list", "--store", str(store), "--rebuild", "--json")
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in json.loads(res.stdout)] == [run_id]
    # the rebuilt catalogue has every block's digest again: damage is still found
    _parquet_bit_flip(store, run_id)
    db_digests = RunStore(store).run(run_id).inspect()
    assert db_digests.blocks == {VICTIM}


def test_full_disk_is_a_clean_error_and_the_run_resumes(tmp_path, pristine, invoke,
                                                        monkeypatch):
    store = tmp_path / "s"
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > 12:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    args = ["sweep", "lanchester-bench", "--out", str(store), "--quiet", "-n",
            str(SMALL["n_samples"]), "--horizon", str(SMALL["horizon"]), "--block-size",
            str(SMALL["block_size"]), "--seed", str(SMALL["seed"]), "--record",
            ",".join(SMALL["record"]), "--outcomes", ",".join(SMALL["outcomes"]),
            "--quantiles", ",".join(SMALL["quantiles"])]
    res = invoke(*args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "No space left on device" in res.output
    run_id = RunStore(store).runs()[0].id
    assert f"detente sweep --resume {run_id}" in res.output
    run = RunStore(store).run(run_id)
    assert 0 < len(run.committed()) < 12
    assert run.verify() == []  # what was committed is sound
    assert not list(run.path.rglob("*.tmp"))  # no partial file left behind
    monkeypatch.setattr(os, "fsync", real)
    res = invoke("sweep", "--resume", run_id, "--out", str(store), "--quiet")
    assert res.exit_code == 0, res.output
    assert_same(store_contents(store, run_id), store_contents(*pristine))
