"""The run catalogue: an embedded DuckDB database indexing the runs of a store.

The catalogue is an index, not the truth: every run directory carries its own
``manifest.json`` and ``status.json``, and ``RunStore.rebuild_catalog`` recreates the
catalogue from them. Besides the runs it holds one row per committed block: the SHA-256 of
the block's Parquet file (which in turn records the digests of the block's Zarr chunks and
quantile histogram), so a file replaced or damaged after its commit is found.
Connections are opened per operation and closed at once, so a sweep that is writing does not
lock readers out for long (DuckDB allows one writing process at a time).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from detente._optional import import_optional
from detente.errors import InputError

FILENAME = "catalog.duckdb"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY,
    scenario VARCHAR,
    scenario_hash VARCHAR,
    seed VARCHAR,
    detente_version VARCHAR,
    parameters JSON,
    n_samples BIGINT,
    block_size INTEGER,
    n_blocks INTEGER,
    blocks_done INTEGER,
    created TIMESTAMP,
    updated TIMESTAMP,
    status VARCHAR
)
"""

_BLOCKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    run_id VARCHAR,
    block INTEGER,
    parquet_sha256 VARCHAR,
    PRIMARY KEY (run_id, block)
)
"""

COLUMNS = ("id", "scenario", "scenario_hash", "seed", "detente_version", "parameters",
           "n_samples", "block_size", "n_blocks", "blocks_done", "created", "updated",
           "status")


@contextmanager
def connect(store: Path, *, read_only: bool = False) -> Iterator[Any]:
    """Open a DuckDB connection to the store's catalogue (retried while another process writes)."""
    duckdb = import_optional("duckdb", extra="store", purpose="The run catalogue")
    path = store / FILENAME
    if read_only and not path.exists():
        read_only = False
    con = None
    for attempt in range(50):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:  # locked by a writer: wait a little
            if "lock" not in str(exc).lower() or attempt == 49:
                raise InputError(_damaged(path, exc)) from exc
            time.sleep(0.1)
        except duckdb.Error as exc:
            raise InputError(_damaged(path, exc)) from exc
    assert con is not None
    try:
        if not read_only:
            con.execute(_SCHEMA)
            con.execute(_BLOCKS_SCHEMA)
        yield con
    except duckdb.Error as exc:  # damage found while reading, or the disk is full
        raise InputError(_damaged(path, exc)) from exc
    finally:
        con.close()


def _damaged(path: Path, exc: BaseException) -> str:
    if "space left" in str(exc).lower():
        return (f"{path}: no space left on the device to write the run catalogue ({exc}). "
                "The runs' committed blocks are kept: free some space and resume with "
                "`detente sweep --resume RUN_ID --out STORE`.")
    return (f"{path}: the run catalogue is damaged ({exc}). Run `detente runs list --store "
            f"{path.parent} --rebuild` to recreate it from the run folders (the damaged file "
            "is kept beside it); the runs themselves are not affected.")


def upsert(store: Path, row: dict[str, Any]) -> None:
    """Insert or replace one run's row."""
    vals = [json.dumps(row[c]) if c == "parameters" else row.get(c) for c in COLUMNS]
    with connect(store) as con:
        con.execute(f"INSERT OR REPLACE INTO runs VALUES ({', '.join('?' * len(COLUMNS))})",
                    vals)


def update_progress(store: Path, run_id: str, blocks_done: int, status: str,
                    updated: str) -> None:
    """Record a run's progress and status."""
    with connect(store) as con:
        con.execute("UPDATE runs SET blocks_done = ?, status = ?, updated = ? WHERE id = ?",
                    [blocks_done, status, updated, run_id])


def rows(store: Path) -> list[dict[str, Any]]:
    """Every run's row, oldest first."""
    if not (store / FILENAME).exists():
        return []
    with connect(store, read_only=True) as con:
        if not _has_table(con, "runs"):
            return []
        cur = con.execute(f"SELECT {', '.join(COLUMNS)} FROM runs ORDER BY created, id")
        out = []
        for rec in cur.fetchall():
            d = dict(zip(COLUMNS, rec, strict=True))
            d["parameters"] = json.loads(d["parameters"]) if d["parameters"] else {}
            for key in ("created", "updated"):
                if d[key] is not None:
                    d[key] = d[key].isoformat(timespec="seconds")
            out.append(d)
        return out


def _has_table(con: Any, name: str) -> bool:
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                        [name]).fetchone()
    return bool(found and found[0])


def record_block(store: Path, run_id: str, block: int, parquet_sha256: str) -> None:
    """Record the digest of a block's Parquet file (before the file is committed)."""
    with connect(store) as con:
        con.execute("INSERT OR REPLACE INTO blocks VALUES (?, ?, ?)",
                    [run_id, block, parquet_sha256])


def block_digests(store: Path, run_id: str) -> dict[int, str]:
    """Digest of each recorded block of ``run_id`` (block -> SHA-256 of its Parquet file)."""
    if not (store / FILENAME).exists():
        return {}
    with connect(store, read_only=True) as con:
        if not _has_table(con, "blocks"):
            return {}
        cur = con.execute("SELECT block, parquet_sha256 FROM blocks WHERE run_id = ?",
                          [run_id])
        return {int(b): str(d) for b, d in cur.fetchall()}


def forget_blocks(store: Path, run_id: str, blocks: list[int]) -> None:
    """Drop the digests of ``blocks`` (before they are recomputed)."""
    with connect(store) as con:
        con.executemany("DELETE FROM blocks WHERE run_id = ? AND block = ?",
                        [[run_id, b] for b in blocks])
