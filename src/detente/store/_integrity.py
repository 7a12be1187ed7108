"""Integrity of a run's committed blocks: digests, and the checks that find damage.

A block is committed with three layers of protection:

* the formats' own checksums: every Zarr chunk ends with a CRC-32C (Zarr v3's ``crc32c``
  codec) and every Parquet page carries a CRC (``write_page_checksum``), both verified
  when read;
* the block's Parquet file records, in its key-value metadata, which block it is, the
  samples it holds and the SHA-256 of each of the block's Zarr chunks and of its quantile
  histogram; its rows must be exactly the block's samples;
* the catalogue records the SHA-256 of the block's Parquet file.

So a chunk deleted, truncated or overwritten, a Parquet file copied from another block, or a
bit flipped anywhere is found when the run is opened, resumed or verified.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Key of the block's record in its Parquet file's key-value metadata.
META_KEY = b"detente.block"


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def block_record(block: int, start: int, n: int, chunks: Mapping[str, str],
                 sketch: str | None) -> dict[bytes, bytes]:
    """Parquet key-value metadata of a block: what it holds and its other files' digests."""
    rec = {"block": block, "start": start, "n": n, "chunks": dict(chunks), "sketch": sketch}
    return {META_KEY: json.dumps(rec, sort_keys=True).encode()}


@dataclass
class Damage:
    """What :meth:`detente.store.Run.inspect` found.

    Attributes
    ----------
    problems : list of str
        Every problem, one message each (file and block named).
    blocks : set of int
        Committed blocks that are damaged: recomputing them repairs them.
    checkpoint : bool
        The quantile checkpoint (``sketch.npz``) is unreadable: it can be rebuilt.
    fatal : bool
        Damage a recomputation cannot repair (the manifest or scenario of the run).
    """

    problems: list[str] = field(default_factory=list)
    blocks: set[int] = field(default_factory=set)
    checkpoint: bool = False
    fatal: bool = False

    def __bool__(self) -> bool:
        return bool(self.problems)


def check_block(path: Path, *, block: int, start: int, n: int, digest: str | None,
                chunk_files: Mapping[str, Path], sketch_file: Path | None) -> list[str]:
    """Problems of one committed block (empty when sound).

    Parameters
    ----------
    path : Path
        The block's Parquet file.
    block, start, n : int
        The block's index, first sample and number of samples.
    digest : str or None
        SHA-256 of the Parquet file recorded in the catalogue (None: not recorded).
    chunk_files : mapping of str to Path
        The block's Zarr chunk file of each recorded variable.
    sketch_file : Path or None
        The block's quantile histogram (None: the run tracks no quantiles).
    """
    import pyarrow.parquet as pq

    if digest is not None and sha256(path) != digest:
        return [f"{path}: checksum does not match the one recorded in the catalogue when "
                "the block was committed (the file was changed or damaged)"]
    try:
        pf = pq.ParquetFile(path, page_checksum_verification=True)
        table = pf.read()
    except Exception as exc:  # any failure to parse or a page checksum error is damage
        return [f"{path}: unreadable Parquet file ({exc})"]
    meta = pf.schema_arrow.metadata or {}
    rec = json.loads(meta[META_KEY]) if META_KEY in meta else None
    if table.num_rows != n:
        return [f"{path}: {table.num_rows} rows, expected {n}"]
    samples = table.column("sample").to_numpy() if "sample" in table.column_names else None
    if samples is None or not np.array_equal(samples, np.arange(start, start + n)):
        held = (f"samples {int(samples[0])}..{int(samples[-1])}" if samples is not None
                and samples.size else "no sample column")
        return [f"{path}: holds {held}, expected {start}..{start + n - 1} (the rows of "
                "another block)"]
    if rec is None:
        return []  # written before blocks recorded their files' digests
    if rec.get("block") != block:
        return [f"{path}: the file of block {rec.get('block')}, not of block {block}"]
    problems = []
    for var, chunk in chunk_files.items():
        want = rec.get("chunks", {}).get(var)
        if not chunk.is_file():
            problems.append(f"{chunk}: Zarr chunk of '{var}' is missing")
        elif want is not None and sha256(chunk) != want:
            problems.append(f"{chunk}: Zarr chunk of '{var}' does not match its checksum "
                            "(truncated, overwritten or damaged)")
    want_sketch = rec.get("sketch")
    if sketch_file is not None and want_sketch is not None:
        if not sketch_file.is_file():
            problems.append(f"{sketch_file}: quantile histogram of the block is missing")
        elif sha256(sketch_file) != want_sketch:
            problems.append(f"{sketch_file}: quantile histogram of the block does not match "
                            "its checksum")
    return problems
