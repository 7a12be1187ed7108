"""Kill a sweep at random points (SIGKILL), resume it, and get the uninterrupted run bit for bit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from store_helpers import assert_same, store_contents

from detente.store import RunStore, sweep

N, HORIZON, BLOCK, SEED = 1600, 26, 25, 7  # 64 blocks
KILLS = 6  # each kill restarts the command (about 3 s); 6 land before, inside and after commits


def _cli(store: Path, resume: str | None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "detente", "sweep", "--out", str(store), "--quiet",
            "--checkpoint-every", "0.02"]
    if resume is None:
        args += ["lanchester-bench", "-n", str(N), "--horizon", str(HORIZON), "--block-size",
                 str(BLOCK), "--seed", str(SEED), "--record", "blue.personnel,red.shells",
                 "--outcomes", "blue.personnel,red.personnel", "--quantiles",
                 "blue.personnel,red.shells"]
    else:
        args += ["--resume", resume]
    env = {**os.environ, "DETENTE_BACKEND": "numpy"}  # no Numba import: faster start-up
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _committed(store: Path) -> int:
    runs = list((store / "runs").glob("*/samples/block-*.parquet"))
    return len(runs)


@pytest.mark.slow
def test_kill_at_random_points_and_resume_is_bit_identical(tmp_path):
    rng = np.random.default_rng()  # genuinely random kill points; the seed is printed
    seed = int(rng.integers(2**31))
    rng = np.random.default_rng(seed)
    store = tmp_path / "killed"
    run_id = None
    kills = 0
    history = []
    for _attempt in range(40):
        proc = _cli(store, run_id)
        before = _committed(store) if store.exists() else 0
        # first launch: wait for a run to exist; then kill after 0-3 more blocks, plus a
        # random delay inside the next block (mid-write, mid-checkpoint, mid-catalogue...)
        target = before + (1 if run_id is None else int(rng.integers(0, 4)))
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if store.exists() and _committed(store) >= target:
                break
            time.sleep(0.002)
        time.sleep(float(rng.uniform(0, 0.03)))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        history.append((before, _committed(store), proc.returncode))
        if run_id is None:
            run_id = RunStore(store).runs()[0].id
        if proc.returncode == 0 or kills >= KILLS:
            break
    assert kills >= KILLS, f"only {kills} kills (seed {seed}, history {history})"
    st = RunStore(store)
    assert st.list()[0]["status"] in ("interrupted", "complete")
    proc = _cli(store, run_id)
    assert proc.wait(timeout=120) == 0
    row = st.list()[0]
    assert row["status"] == "complete"
    assert row["blocks_done"] == row["n_blocks"] == N // BLOCK
    ref = sweep("lanchester-bench", out=tmp_path / "clean", n_samples=N, horizon=HORIZON,
                block_size=BLOCK, seed=SEED, record=("blue.personnel", "red.shells"),
                outcomes=("blue.personnel", "red.personnel"),
                quantiles=("blue.personnel", "red.shells"), backend="numpy")
    got = store_contents(store, run_id)
    np.testing.assert_array_equal(got["parquet/sample"], np.arange(N))  # none lost or doubled
    assert_same(got, store_contents(tmp_path / "clean", ref.id))
    leftovers = [p.name for p in (store / "runs" / run_id).rglob("*.tmp")]
    assert len(leftovers) <= KILLS  # stray temporaries of killed writes, never counted
