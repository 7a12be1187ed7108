"""The golden record: what today's model produces, to hold refactors to bit-identity.

``python tests/golden/golden.py`` (re)writes ``<scenario>.npz`` for each scenario of
:data:`SCENARIOS`: for every data variable of ``simulate(scenario, n_samples=2000, seed=0)``
(all policies) the SHA-256 of its bytes, its exact sum (``math.fsum``) and its values at a
fixed subset of samples. A
deliberate change of the model's behaviour regenerates it, in the commit that changes the
behaviour, saying why.

The record is made and checked with NumPy's AVX-512 loops switched off
(``NPY_DISABLE_CPU_FEATURES``, in a child process, since NumPy reads it on import): its
``exp`` and ``log`` give other last bits on a machine that has AVX-512 than on one that
has not, and the model is the same on both.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
#: The coupled model (generic loop) and the benchmark model (the compiled fast path).
SCENARIOS = ("ukraine-2023", "lanchester-bench")
N_SAMPLES = 2000
SEED = 0
#: Samples whose full trajectories are kept (for comparisons within a tolerance).
SUBSET = np.arange(0, N_SAMPLES, 125)
#: Factor applied before summing (a power of two, so exact).
SUM_SCALE = 2.0**-32
#: Attributes that legitimately differ between runs.
VOLATILE_ATTRS = (
    "created", "detente_version",
    # the record holds the model's behaviour; the hash changes with every edit of the file,
    # levers and descriptions included
    "scenario_hash",
)


def digest(arr: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes (C order)."""
    a = np.ascontiguousarray(arr)
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()


def flatten(ds: Any) -> dict[str, Any]:
    """Every data variable under the model's name: what a side owns one array per side.

    ``personnel`` with a ``side`` dim becomes ``ukraine.personnel`` and so on, so a record
    written before the model was written over sides compares with one written after.
    """
    from detente.results import schema

    kinds = (("model", ""), ("param", schema.PARAM_PREFIX), ("event", schema.EVENT_PREFIX),
             ("final", schema.FINAL_PREFIX), ("q", schema.QUANTILE_PREFIX))
    return {prefix + name: schema.select(ds, prefix + name)
            for kind, prefix in kinds for name in schema.model_names(ds, kind)}


def summarise(ds: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Hashes, sums and the sample subset of every data variable and coordinate."""
    meta: dict[str, Any] = {"vars": {}, "coords": {}, "attrs": {}}
    arrays: dict[str, np.ndarray] = {}
    for name, var in flatten(ds).items():
        values = np.asarray(var.values)
        entry: dict[str, Any] = {"dims": list(var.dims), "digest": digest(values),
                                 "attrs": {k: str(v) for k, v in var.attrs.items()}}
        if values.dtype.kind == "f":
            # scaled by a power of two (exact) so that ratios near the float maximum sum
            finite = values[np.isfinite(values)]
            entry["fsum"] = math.fsum((finite * SUM_SCALE).tolist())
            entry["n_finite"] = int(finite.size)
            if "sample" in var.dims:
                arrays[name] = var.isel(sample=SUBSET).values
        meta["vars"][name] = entry
    for name, coord in ds.coords.items():
        meta["coords"][name] = digest(np.asarray(coord.values).astype(str))
    meta["attrs"] = {k: str(v) for k, v in ds.attrs.items() if k not in VOLATILE_ATTRS}
    return meta, arrays


def fixture(scenario: str) -> Path:
    """Where the golden record of ``scenario`` lives."""
    return HERE / f"{scenario}.npz"


def run(scenario: str) -> Any:
    """The golden run of ``scenario``."""
    import detente as dt

    return dt.simulate(scenario, n_samples=N_SAMPLES, seed=SEED).ds


def libraries() -> dict[str, str]:
    """The numerical libraries' versions: a new NumPy or SciPy may move a draw's last bit
    (a log-normal's ``exp`` and ``erfinv``), which is not a change of the model."""
    import scipy

    return {"numpy": np.__version__, "scipy": scipy.__version__}


def simd_off() -> str:
    """NumPy's AVX-512 dispatch targets, as ``NPY_DISABLE_CPU_FEATURES`` names them.

    Taken from this NumPy's own list, so the names fit its version; empty on a machine
    whose NumPy dispatches none (then nothing needs switching off).
    """
    from numpy._core._multiarray_umath import __cpu_dispatch__

    return " ".join(t for t in __cpu_dispatch__ if "512" in t or t == "X86_V4")


def _portable_env() -> dict[str, str]:
    return {**os.environ, "NPY_DISABLE_CPU_FEATURES": simd_off()}


def write(scenario: str, path: Path | None = None) -> Path:
    """Run ``scenario`` and write its record to ``path`` (default: the committed fixture).

    Call it in a process started with :func:`_portable_env` (:func:`portable` does).
    """
    meta, arrays = summarise(run(scenario))
    meta["libraries"] = libraries()
    meta["simd_off"] = os.environ.get("NPY_DISABLE_CPU_FEATURES", "")
    path = path or fixture(scenario)
    np.savez_compressed(path, __meta__=np.array(json.dumps(meta, sort_keys=True)), **arrays)
    return path


def portable(scenario: str, folder: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The golden run of ``scenario`` in a child process with the AVX-512 loops off, read back."""
    out = folder / f"{scenario}.npz"
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--to", str(out), scenario],
                   env=_portable_env(), check=True)
    return read(scenario, out)


def read(scenario: str, path: Path | None = None
         ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with np.load(path or fixture(scenario), allow_pickle=False) as z:
        meta = json.loads(str(z["__meta__"]))
        arrays = {k: z[k] for k in z.files if k != "__meta__"}
    # a record written before an attribute became volatile still holds it
    meta["attrs"] = {k: v for k, v in meta["attrs"].items() if k not in VOLATILE_ATTRS}
    return meta, arrays


def main(argv: list[str]) -> int:
    """``golden.py``: rewrite every fixture; ``golden.py --to FILE NAME``: one run to FILE."""
    if argv[:1] == ["--to"]:
        write(argv[2], Path(argv[1]))
        return 0
    if os.environ.get("NPY_DISABLE_CPU_FEATURES") != simd_off():
        # NumPy reads the switch on import: start again with it set
        return subprocess.run([sys.executable, *sys.argv], env=_portable_env()).returncode
    for name in SCENARIOS:
        path = write(name)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent / "src"))
    raise SystemExit(main(sys.argv[1:]))
