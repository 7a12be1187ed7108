"""Helpers shared by the run-store tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: A small sweep: many blocks, short horizon.
SMALL = {"n_samples": 600, "horizon": 20, "block_size": 50, "seed": 11,
         "record": ("blue.personnel",), "outcomes": ("blue.personnel", "red.shells"),
         "quantiles": ("blue.personnel", "red.shells")}


def store_contents(store: Path, run_id: str) -> dict[str, np.ndarray]:
    """Everything a run wrote, as arrays (for bit-for-bit comparisons)."""
    import zarr

    from detente.store import RunStore

    run = RunStore(store).run(run_id)
    out: dict[str, np.ndarray] = {}
    df = run.samples().sort_values("sample")
    for col in df.columns:
        out[f"parquet/{col}"] = df[col].to_numpy()
    root = zarr.open_group(str(run.path / "arrays.zarr"), mode="r")
    for group in ("traj", "quantiles"):
        if group in root:
            for name, arr in root[group].arrays():
                out[f"{group}/{name}"] = arr[...]
    return out


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert sorted(a) == sorted(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
