"""A run store on disk: one folder per run, written block by block, atomically.

Layout of a store folder::

    STORE/
      detente-store.json              marks the folder as a run store (format, version)
      catalog.duckdb                  the catalogue of runs (an index; see _catalog.py)
      runs/RUN_ID/
        manifest.json                 what the run is: scenario hash, seed, block size, ...
        scenario.yaml                 the resolved scenario (a resume reloads it from here)
        status.json                   running / complete, with the writer's host and pid
        arrays.zarr/                  Zarr v3: traj/<var> (policy, sample, time), chunked by
                                      block; quantiles/<var> (policy, quantile, time) at the end
        samples/block-000042.parquet  per-sample parameters, events and outcomes of block 42
        sketches/block-000042.npz     the quantile histograms of block 42
        sketch.npz                    checkpoint of the summed histograms and their blocks

Files name variables and parameters as the model does (``traj/blue.personnel``, column
``param_blue.effectiveness``); :meth:`Run.to_dataset` lays them out as a simulated
dataset does: what each side or supporter owns of a variable along its owner dim, each
parameter as a variable of its own.

A block is committed when its Parquet file appears: it is written to a temporary name,
flushed and renamed, after the block's Zarr chunks and its quantile histograms, and after
the catalogue has recorded its digest (see :mod:`detente.store._integrity`). A killed sweep
therefore leaves whole blocks and stray temporary files, nothing half-written that counts;
``--resume`` recomputes exactly the blocks without a Parquet file, never a committed one.
Quantile histograms are integer counts: the checkpoint lists the blocks it contains, and a
resume adds the histograms of the blocks committed after it, read from their files, so
nothing is counted twice or lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._optional import import_optional
from detente._version import __version__
from detente.engine.sketch import QuantileSketch
from detente.errors import InputError
from detente.results import scenario_hash, schema
from detente.store import _catalog
from detente.store._integrity import Damage, block_record, check_block, sha256
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import xarray as xr

    from detente.engine import BlockResult
    from detente.results import Results

MARK = "detente-store.json"
#: Version 2: blocks record digests and keep their quantile histograms; version 1 stores are
#: read (their blocks are checked without digests).
FORMAT: dict[str, Any] = {"format": "detente-run-store", "version": 2}
_BLOCK_RE = re.compile(r"^block-(\d{6,})\.parquet$")


def now() -> str:
    """UTC time stamp, seconds precision."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = _tmp(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # e.g. a full disk: leave no partial file behind
        raise


def _json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: missing; the {what} is incomplete or damaged") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable {what} file ({exc}); the store is damaged. "
                         "Nothing was changed.") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object in the {what} file")
    return data


def outcome_column(policy: str, var: str) -> str:
    """Parquet column of outcome ``var`` under ``policy``."""
    return f"{policy}:{var}"


@dataclass(frozen=True)
class Run:
    """One run in a store (see the module docstring for the layout)."""

    store: Path
    id: str

    @property
    def path(self) -> Path:
        """The run's folder."""
        return self.store / "runs" / self.id

    @property
    def manifest(self) -> dict[str, Any]:
        """The run's manifest (what was asked for)."""
        return _json(self.path / "manifest.json", "run manifest")

    def status(self) -> dict[str, Any]:
        """Status as written by the sweep, with ``interrupted`` for a dead writer."""
        st = _json(self.path / "status.json", "run status")
        if st.get("status") == "running" and st.get("host") == socket.gethostname():
            pid = int(st.get("pid", 0))
            if pid <= 0 or not _alive(pid):
                st["status"] = "interrupted"
        return st

    def set_status(self, status: str) -> None:
        """Write ``status.json`` (atomically) for this process."""
        _atomic_write(self.path / "status.json", json.dumps(
            {"status": status, "host": socket.gethostname(), "pid": os.getpid(),
             "updated": now()}).encode())

    def block_sizes(self) -> list[int]:
        """Return the samples in each block, in block order."""
        m = self.manifest
        n, size = int(m["n_samples"]), int(m["block_size"])
        full, rest = divmod(n, size)
        return [size] * full + ([rest] if rest else [])

    def committed(self) -> set[int]:
        """Blocks whose Parquet file exists (committed)."""
        folder = self.path / "samples"
        if not folder.is_dir():
            return set()
        out = set()
        for p in folder.iterdir():
            m = _BLOCK_RE.match(p.name)
            if m:
                out.add(int(m.group(1)))
        return out

    def block_file(self, block: int) -> Path:
        """Parquet file of ``block``."""
        return self.path / "samples" / f"block-{block:06d}.parquet"

    def sketch_file(self, block: int) -> Path:
        """File of ``block``'s quantile histograms."""
        return self.path / "sketches" / f"block-{block:06d}.npz"

    def chunk_files(self, block: int, m: Mapping[str, Any]) -> dict[str, Path]:
        """Zarr chunk file of ``block`` for each recorded variable (one chunk per block)."""
        if not m["record"]:
            return {}
        key = "/".join(("c", "0", str(block), "0"))  # Zarr v3's default chunk key encoding
        return {var: self.path / "arrays.zarr" / "traj" / var / key for var in m["record"]}

    # ------------------------------------------------------------------ checks
    def inspect(self, *, deep: bool = True) -> Damage:
        """Everything damaged in the run's files (see :mod:`detente.store._integrity`).

        Changes nothing. With ``deep``, every committed block is read and checked against
        the digests recorded when it was committed.
        """
        found = Damage()
        try:
            m = self.manifest
            sizes = self.block_sizes()
        except InputError as exc:
            found.problems.append(str(exc))
            found.fatal = True
            return found
        if not (self.path / "scenario.yaml").is_file():
            found.problems.append(f"{self.path / 'scenario.yaml'}: missing")
            found.fatal = True
        if not (self.path / "status.json").is_file():
            found.problems.append(f"{self.path / 'status.json'}: missing")
        done = self.committed()
        stray = sorted(b for b in done if b >= len(sizes))
        if stray:
            found.problems.append(f"{self.path / 'samples'}: blocks {stray} beyond the run's "
                                  f"{len(sizes)} blocks")
            found.fatal = True
        if deep:
            try:
                digests = _catalog.block_digests(self.store, self.id)
            except InputError as exc:  # the catalogue is damaged: check the files alone
                found.problems.append(str(exc))
                digests = {}
            starts = np.cumsum([0, *sizes])
            tracked = bool(m.get("quantiles"))
            for b in sorted(done - set(stray)):
                issues = check_block(
                    self.block_file(b), block=b, start=int(starts[b]), n=sizes[b],
                    digest=digests.get(b), chunk_files=self.chunk_files(b, m),
                    sketch_file=self.sketch_file(b) if tracked else None)
                if issues:
                    found.blocks.add(b)
                    found.problems.extend(f"block {b}: {p}" for p in issues)
        if m.get("record"):
            found.problems.extend(self._check_zarr(m))
        sk = self.path / "sketch.npz"
        if sk.exists():
            try:
                with np.load(sk) as z:
                    z["blocks"]
            except Exception as exc:
                found.problems.append(f"{sk}: unreadable quantile checkpoint ({exc})")
                found.checkpoint = True
        return found

    def sound_digests(self) -> dict[int, str]:
        """Digest of each committed block that passes every check of its own files.

        What a rebuilt catalogue records: a block damaged before the rebuild is left out,
        and is then reported as damaged.
        """
        try:
            m = self.manifest
            sizes = self.block_sizes()
        except InputError:
            return {}
        starts = np.cumsum([0, *sizes])
        out = {}
        for b in sorted(self.committed()):
            if b < len(sizes) and not check_block(
                    self.block_file(b), block=b, start=int(starts[b]), n=sizes[b], digest=None,
                    chunk_files=self.chunk_files(b, m),
                    sketch_file=self.sketch_file(b) if m.get("quantiles") else None):
                out[b] = sha256(self.block_file(b))
        return out

    def verify(self, *, deep: bool = True) -> list[str]:
        """Problems found in the run's files (empty when sound); changes nothing."""
        return self.inspect(deep=deep).problems

    def _check_zarr(self, m: Mapping[str, Any]) -> list[str]:
        import zarr

        path = self.path / "arrays.zarr"
        try:
            root = zarr.open_group(str(path), mode="r")
            bad = []
            shape = (len(m["policies"]), int(m["n_samples"]), int(m["n_steps"]) + 1)
            for var in m["record"]:
                arr = root[f"traj/{var}"]
                got = tuple(arr.shape) if isinstance(arr, zarr.Array) else None
                if got != shape:
                    bad.append(f"{path}/traj/{var}: shape {got}, expected {shape}")
            return bad
        except Exception as exc:
            return [f"{path}: unreadable Zarr arrays ({exc})"]

    def check(self, found: Damage | None = None) -> None:
        """Raise :class:`InputError` listing every problem found by :meth:`inspect`.

        ``found``: what an earlier :meth:`inspect` found (default: inspect now).
        """
        found = self.inspect() if found is None else found
        if found:
            raise InputError(f"run {self.id} in {self.store} is damaged; nothing was changed:\n"
                             + "\n".join(f"  {p}" for p in found.problems)
                             + "\n" + _advice(self, found))

    def discard(self, found: Damage) -> list[int]:
        """Remove what ``found`` names as damaged so that a resume recomputes it.

        Deletes the damaged blocks' files (Parquet, Zarr chunks, histograms) and an
        unreadable quantile checkpoint; returns the blocks to recompute. Raises
        :class:`InputError` for damage a recomputation cannot repair.
        """
        if found.fatal:
            raise InputError(f"run {self.id} in {self.store} cannot be repaired:\n"
                             + "\n".join(f"  {p}" for p in found.problems))
        m = self.manifest
        blocks = sorted(found.blocks)
        if blocks:
            _catalog.forget_blocks(self.store, self.id, blocks)
        for b in blocks:
            self.block_file(b).unlink(missing_ok=True)  # first: the block is uncommitted
            for f in (*self.chunk_files(b, m).values(), self.sketch_file(b)):
                f.unlink(missing_ok=True)
        if found.checkpoint:
            (self.path / "sketch.npz").unlink(missing_ok=True)
        if not (self.path / "status.json").is_file():
            self.set_status("interrupted")
        return blocks

    # ------------------------------------------------------------------ writing
    def create_arrays(self, m: Mapping[str, Any]) -> None:
        """Create the Zarr group and the trajectory arrays (filled with NaN).

        Chunks are compressed and end with a CRC-32C, checked whenever they are read.
        """
        import zarr
        from zarr.codecs import Crc32cCodec, ZstdCodec

        root = zarr.open_group(str(self.path / "arrays.zarr"), mode="a", zarr_format=3)
        n_p, n, n_t = len(m["policies"]), int(m["n_samples"]), int(m["n_steps"]) + 1
        traj = root.require_group("traj")
        for var in m["record"]:
            traj.create_array(var, shape=(n_p, n, n_t), chunks=(n_p, int(m["block_size"]), n_t),
                              dtype=m["dtype"], fill_value=np.nan, overwrite=True,
                              compressors=(ZstdCodec(level=0), Crc32cCodec()),
                              dimension_names=("policy", "sample", "time"))

    def commit_block(self, res: BlockResult, start: int, m: Mapping[str, Any]) -> None:
        """Commit one block: its Zarr chunks, its histograms, its digest, then its Parquet file.

        The Parquet file records the digests of the block's other files and the catalogue the
        digest of the Parquet file, before the rename that commits the block.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if m["record"]:
            import zarr

            root = zarr.open_group(str(self.path / "arrays.zarr"), mode="a")
            for var in m["record"]:
                target = root[f"traj/{var}"]
                assert isinstance(target, zarr.Array)
                target[:, start:start + res.n, :] = res.trajectories[var].transpose(0, 2, 1)
        chunks = {var: sha256(f) for var, f in self.chunk_files(res.block, m).items()}
        sketch_digest = None
        if m["quantiles"] and res.sketch is not None:
            sketch_digest = self.save_block_sketch(res.block, res.sketch)
        cols: dict[str, Any] = {"sample": np.arange(start, start + res.n, dtype=np.int64)}
        for name in m["sample_params"]:
            cols[schema.param_var(name)] = res.params[name]
        for name in m["events"]:
            cols[schema.event_var(name)] = res.events[name]
        for var in m["outcomes"]:
            for ip, pol in enumerate(m["policies"]):
                cols[outcome_column(pol, var)] = res.finals[var][ip]
        table = pa.table(cols).replace_schema_metadata(
            block_record(res.block, start, res.n, chunks, sketch_digest))
        final = self.block_file(res.block)
        final.parent.mkdir(exist_ok=True)
        tmp = _tmp(final)
        try:
            with open(tmp, "wb") as f:
                pq.write_table(table, f, compression="zstd", write_page_checksum=True)
                f.flush()
                os.fsync(f.fileno())
            _catalog.record_block(self.store, self.id, res.block, sha256(tmp))
            os.replace(tmp, final)
        except (OSError, InputError):
            tmp.unlink(missing_ok=True)
            raise

    def save_block_sketch(self, block: int, sketch: QuantileSketch) -> str:
        """Write ``block``'s histograms (atomically); return the file's SHA-256."""
        import io

        buf = io.BytesIO()
        np.savez_compressed(buf, allow_pickle=False, **sketch.to_arrays())
        data = buf.getvalue()
        path = self.sketch_file(block)
        path.parent.mkdir(exist_ok=True)
        _atomic_write(path, data)
        import hashlib

        return hashlib.sha256(data).hexdigest()

    def load_block_sketch(self, block: int) -> QuantileSketch | None:
        """Return the histograms of a committed block (None for a run that did not keep them)."""
        path = self.sketch_file(block)
        if not path.exists():
            return None
        with np.load(path) as z:
            return QuantileSketch.from_arrays({k: z[k] for k in z.files})

    def save_sketch(self, sketch: QuantileSketch, blocks: Iterable[int]) -> None:
        """Checkpoint the quantile histograms with the blocks they contain (atomic)."""
        import io

        buf = io.BytesIO()
        arrays = {"blocks": np.array(sorted(blocks), dtype=np.int64), **sketch.to_arrays()}
        np.savez(buf, allow_pickle=False, **arrays)
        _atomic_write(self.path / "sketch.npz", buf.getvalue())

    def load_sketch(self, n_policies: int, n_times: int) -> tuple[QuantileSketch, set[int]]:
        """Return the summed histograms of the committed blocks, and those blocks.

        Starts from the last checkpoint (empty when there is none) and adds the histograms
        of the blocks committed after it, from their files: no committed block is counted
        twice, and none is recomputed (a run written before blocks kept their histograms
        leaves those blocks out, for the caller to recompute).
        """
        path = self.path / "sketch.npz"
        if path.exists():
            with np.load(path) as z:
                arrays = {k: z[k] for k in z.files}
            blocks = {int(b) for b in arrays.pop("blocks")}
            sketch = QuantileSketch.from_arrays(arrays)
        else:
            sketch, blocks = QuantileSketch(n_policies, n_times), set()
        for b in sorted(self.committed() - blocks):
            part = self.load_block_sketch(b)
            if part is not None:
                sketch.merge(part)
                blocks.add(b)
        return sketch, blocks

    def write_quantiles(self, sketch: QuantileSketch, m: Mapping[str, Any]) -> None:
        """Store the final quantiles in Zarr (``quantiles/<var>``)."""
        import zarr

        root = zarr.open_group(str(self.path / "arrays.zarr"), mode="a", zarr_format=3)
        grp = root.require_group("quantiles")
        levels = [float(q) for q in m["levels"]]
        for var in m["quantiles"]:
            q = sketch.quantiles(var, levels) if var in sketch.counts else np.full(
                (len(m["policies"]), len(levels), int(m["n_steps"]) + 1), np.nan)
            arr = grp.create_array(var, shape=q.shape, dtype="float64", fill_value=np.nan,
                                   overwrite=True,
                                   dimension_names=("policy", "quantile", "time"))
            arr[...] = q

    # ------------------------------------------------------------------ reading
    def samples(self) -> Any:
        """Per-sample parameters, events and outcomes of committed blocks (pandas)."""
        import pyarrow.parquet as pq

        files = [self.block_file(b) for b in sorted(self.committed())]
        if not files:
            import pandas as pd

            return pd.DataFrame()
        try:
            return pq.ParquetDataset([str(f) for f in files]).read().to_pandas()
        except Exception as exc:  # damaged after the check: report it as damage
            raise InputError(f"run {self.id} in {self.store}: a block file is unreadable "
                             f"({exc}); run `detente runs verify {self.store} {self.id}` "
                             "to find it") from exc

    def to_dataset(self) -> xr.Dataset:
        """Open the run as an ``xarray.Dataset`` (trajectories lazily from Zarr).

        Variables: ``<var>`` (policy, sample, time) for recorded trajectories,
        ``q_<var>`` (policy, quantile, time) for quantiles of a complete run,
        ``final_<var>`` (policy, sample), ``param_<name>`` and ``event_<name>`` (sample)
        for committed samples; laid out as :func:`detente.simulate` lays them out (see
        :mod:`detente.results.schema`): what a side or supporter owns is one variable with
        a ``side`` (``supporter``, ``party``) dim, read by the model's name with
        :func:`detente.results.schema.select`.
        """
        import xarray as xr

        from detente.results.dataset import gather_owned
        from detente.scenario.loading import load_scenario

        self.check()
        m = self.manifest
        done = self.committed()
        sizes = self.block_sizes()
        if done != set(range(len(sizes))):
            raise InputError(f"run {self.id} is incomplete ({len(done)} of {len(sizes)} "
                             f"blocks); resume it with `detente sweep --resume {self.id} "
                             f"--out {self.store}`")
        df = self.samples()
        n_t = int(m["n_steps"]) + 1
        sc = load_scenario(self.path / "scenario.yaml")
        specs = {v.name: v for mod in sc.enabled_modules for v in mod.variables}
        data: dict[str, Any] = {}

        def described(var: str, suffix: str = "") -> dict[str, Any]:
            spec = specs.get(var)
            return {} if spec is None else {"units": spec.unit,
                                            "description": spec.description + suffix}

        if m["record"]:
            z = xr.open_zarr(str(self.path / "arrays.zarr"), group="traj", consolidated=False,
                             chunks=None)
            for var in m["record"]:
                data[var] = z[var].variable
                data[var].attrs = described(var)
        if m["quantiles"] and (self.path / "arrays.zarr" / "quantiles").exists():
            zq = xr.open_zarr(str(self.path / "arrays.zarr"), group="quantiles",
                              consolidated=False, chunks=None)
            for var in m["quantiles"]:
                data[schema.quantile_var(var)] = zq[var].variable
                data[schema.quantile_var(var)].attrs = described(
                    var, " Quantiles over samples.")
        for var in m["outcomes"]:
            data[schema.final_var(var)] = xr.Variable(schema.OUTCOME_DIMS, np.stack(
                [df[outcome_column(p, var)].to_numpy() for p in m["policies"]]),
                described(var, " At the horizon."))
        # the samples hold the parameters drawn; the others are the scenario's constants
        drawn = set(m["sample_params"])
        central = sc.table.central()
        n = int(m["n_samples"])
        for name, entry in sc.table.items():
            column = schema.param_var(name)
            values = (df[column].to_numpy() if name in drawn
                      else np.full(n, central[name], dtype=np.float64))
            data[column] = xr.Variable((schema.SAMPLE,), values, {
                "units": entry.unit, "source": entry.source,
                "uncertain": int(entry.distribution.is_uncertain)})
        for name in m["events"]:
            column = schema.event_var(name)
            data[column] = xr.Variable((schema.SAMPLE,), df[column].to_numpy())
        steps = np.arange(n_t)
        coords: dict[str, Any] = {
            "policy": np.array(m["policies"], dtype=object),
            "sample": np.arange(n),
            "time": np.array(m["dates"], dtype="datetime64[ns]"),
            "step": ("time", steps),
            "month": ("time", steps * sc.time.step_days / DAYS_PER_MONTH),
        }
        if m["quantiles"]:
            coords["quantile"] = np.array(m["levels"], dtype=np.float64)
        attrs = {k: m[k] for k in ("scenario", "scenario_hash", "seed", "detente_version",
                                   "block_size", "n_samples", "created")}
        attrs.update(run_id=self.id, step_days=sc.time.step_days,
                     start=sc.time.start.isoformat())
        # variables along their owner dims; parameters one each (units differ by file)
        layout = gather_owned(data, sc.cast, {name: spec.per for name, spec in specs.items()})
        return xr.Dataset(layout["data_vars"], coords={**coords, **layout["coords"]},
                          attrs=attrs)


    def to_results(self) -> Results:
        """Open the run as :class:`~detente.results.Results`, with its scenario.

        What :func:`detente.simulate` returns for the same seed, samples and policies, for
        the variables the sweep recorded (``record``): ``compare``, ``Claims`` and the
        report accept it (record what they read, e.g.
        :func:`detente.analysis.compare.compare_variables` and the claims' metrics).
        Trajectories are read lazily from the store.
        """
        from detente.results import Results
        from detente.scenario.loading import load_scenario

        ds = self.to_dataset()
        return Results(ds, scenario=load_scenario(self.path / "scenario.yaml"))


def _advice(run: Run, found: Damage) -> str:
    if found.fatal:
        return ("The run cannot be recomputed from its own files; run the sweep again into "
                "a new run.")
    what = (f"blocks {sorted(found.blocks)}" if found.blocks else "what is damaged")
    return (f"Run `detente runs verify {run.store} {run.id} --repair` to recompute {what} "
            "(bit-identical: random streams are keyed by seed and block).")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunStore:
    """A folder of runs with a DuckDB catalogue.

    Parameters
    ----------
    path : str or Path
        The store's folder.
    create : bool
        Create the store if the folder does not exist or is empty (default: it must exist).
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        for module in ("zarr", "pyarrow", "duckdb"):
            import_optional(module, extra="store", purpose="Run stores")
        self.path = Path(path)
        mark = self.path / MARK
        if mark.is_file():
            data = _json(mark, "store marker")
            if data.get("format") != FORMAT["format"]:
                raise InputError(f"{self.path}: not a detente run store ({MARK} says "
                                 f"{data.get('format')!r})")
            if int(data.get("version", 0)) > FORMAT["version"]:
                raise InputError(f"{self.path}: written by a newer detente (store version "
                                 f"{data.get('version')}); upgrade detente to read it")
            return
        if not create:
            what = "does not exist" if not self.path.exists() else f"has no {MARK}"
            raise InputError(f"{self.path}: not a detente run store ({what}); create one "
                             "with `detente sweep ... --out PATH`")
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise InputError(f"{self.path}: exists and is not an empty folder or a detente "
                             "run store; choose another folder")
        try:
            (self.path / "runs").mkdir(parents=True, exist_ok=True)
            _atomic_write(mark, json.dumps(FORMAT).encode())
        except OSError as exc:
            raise InputError(f"{self.path}: cannot create a run store there "
                             f"({exc.strerror})") from exc

    def run(self, run_id: str) -> Run:
        """Return the run called ``run_id``."""
        run = Run(self.path, run_id)
        if not run.path.is_dir():
            known = [r.id for r in self.runs()]
            raise InputError(f"{self.path}: no run {run_id!r}; runs: "
                             f"{', '.join(known) or 'none'}")
        return run

    def runs(self) -> list[Run]:
        """Every run folder, sorted by id."""
        folder = self.path / "runs"
        if not folder.is_dir():
            return []
        return [Run(self.path, p.name) for p in sorted(folder.iterdir())
                if p.is_dir() and (p / "manifest.json").exists()]

    def new_run(self, manifest: dict[str, Any], scenario_yaml: str) -> Run:
        """Create a run folder with its manifest and scenario (before any block)."""
        run = Run(self.path, str(manifest["id"]))
        run.path.mkdir(parents=True)
        (run.path / "samples").mkdir()
        _atomic_write(run.path / "scenario.yaml", scenario_yaml.encode())
        _atomic_write(run.path / "manifest.json", json.dumps(manifest, indent=1).encode())
        run.set_status("running")
        return run

    def catalog_row(self, run: Run) -> dict[str, Any]:
        """Build the catalogue row of ``run``, from its files."""
        m = run.manifest
        st = run.status()
        return {
            "id": run.id, "scenario": m["scenario"], "scenario_hash": m["scenario_hash"],
            "seed": str(m["seed"]), "detente_version": m["detente_version"],
            "parameters": {k: m[k] for k in ("n_samples", "policies", "n_steps", "record",
                                             "outcomes", "quantiles", "levels", "block_size",
                                             "dtype")},
            "n_samples": int(m["n_samples"]), "block_size": int(m["block_size"]),
            "n_blocks": len(run.block_sizes()), "blocks_done": len(run.committed()),
            "created": m["created"], "updated": st.get("updated", m["created"]),
            "status": st["status"],
        }

    def list(self) -> list[dict[str, Any]]:
        """Catalogue rows, with the status of runs whose writer died set to interrupted."""
        out = _catalog.rows(self.path)
        known = {r["id"] for r in out}
        for r in out:
            if r["status"] == "running":
                run = Run(self.path, r["id"])
                if run.path.is_dir():
                    r["status"] = run.status()["status"]
                    r["blocks_done"] = len(run.committed())
        missing = [run for run in self.runs() if run.id not in known]
        for run in missing:  # a run the catalogue does not know yet (e.g. killed early)
            out.append(self.catalog_row(run))
        return out

    def rebuild_catalog(self) -> int:
        """Recreate the catalogue from the run folders; return the number of runs."""
        db = self.path / _catalog.FILENAME
        for p in (db, db.with_name(db.name + ".wal")):
            if p.exists():
                p.replace(p.with_name(p.name + f".old-{os.getpid()}"))
        runs = self.runs()
        for run in runs:
            _catalog.upsert(self.path, self.catalog_row(run))
            for block, digest in run.sound_digests().items():
                _catalog.record_block(self.path, run.id, block, digest)
        return len(runs)


def make_manifest(run_id: str, *, scenario: Any, plan: Any, seed: int, n_samples: int,
                  block_size: int, record: Sequence[str], outcomes: Sequence[str],
                  quantiles: Sequence[str], levels: Sequence[float], dtype: str,
                  sample_params: Sequence[str]) -> dict[str, Any]:
    """Build the manifest of a new run."""
    return {
        "id": run_id,
        "format": FORMAT,
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": int(seed),
        "detente_version": __version__,
        "created": now(),
        "n_samples": int(n_samples),
        "block_size": int(block_size),
        "policies": list(plan.policies),
        "n_steps": int(plan.n_steps),
        "dates": [d.isoformat() for d in scenario.time.dates(plan.n_steps)],
        "record": list(record),
        "outcomes": list(outcomes),
        "quantiles": list(quantiles),
        "levels": [float(q) for q in levels],
        "dtype": dtype,
        "sample_params": list(sample_params),
        "events": list(plan.events),
    }
