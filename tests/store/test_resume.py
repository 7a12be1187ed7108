"""A resume never recomputes a committed block, whenever the quantiles were checkpointed."""

from __future__ import annotations

import pytest
from store_helpers import SMALL, assert_same, store_contents

import detente.store._sweep as sweep_module
from detente.store import RunStore, sweep

N_BLOCKS = SMALL["n_samples"] // SMALL["block_size"]  # 12


class KilledError(Exception):
    """Stands for the process dying after some blocks were committed."""


@pytest.fixture
def simulated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Blocks simulated by sweeps in this test, in order."""
    seen: list[int] = []
    real = sweep_module.execute

    def counting(jobs, **kw):  # type: ignore[no-untyped-def]
        for res in real(jobs, **kw):
            seen.append(res.block)
            yield res

    monkeypatch.setattr(sweep_module, "execute", counting)
    return seen


def _kill_after(n_blocks: int):  # type: ignore[no-untyped-def]
    def progress(done: int, total: int) -> None:
        if done >= n_blocks * SMALL["block_size"]:
            raise KilledError

    return progress


def test_resume_simulates_only_the_blocks_not_committed(tmp_path, simulated):
    store = tmp_path / "s"
    # no checkpoint of the summed quantiles in between: each block's histograms are kept
    with pytest.raises(KilledError):
        sweep("lanchester-bench", out=store, checkpoint_every=1e9, progress=_kill_after(5),
              **SMALL)
    run_id = RunStore(store).runs()[0].id
    assert not (RunStore(store).run(run_id).path / "sketch.npz").exists()
    assert len(simulated) == 5
    simulated.clear()
    with pytest.raises(KilledError):
        sweep(out=store, resume=run_id, checkpoint_every=1e9, progress=_kill_after(8))
    assert len(simulated) == 3
    simulated.clear()
    sweep(out=store, resume=run_id, checkpoint_every=1e9)
    assert sorted(simulated) == list(range(8, N_BLOCKS))
    simulated.clear()
    sweep(out=store, resume=run_id)  # a complete run: nothing to do
    assert simulated == []
    clean = sweep("lanchester-bench", out=tmp_path / "clean", **SMALL)
    assert_same(store_contents(store, run_id), store_contents(tmp_path / "clean", clean.id))
