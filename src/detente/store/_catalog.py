"""The run catalogue: an embedded DuckDB database indexing the runs of a store.

The catalogue is an index, not the truth: every run directory carries its own
``manifest.json`` and ``status.json``, and :func:`rebuild` recreates the catalogue from them.
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
                raise InputError(f"{path}: cannot open the run catalogue ({exc}). If it is "
                                 "damaged, move it away and run `detente runs list "
                                 "--rebuild`; the runs themselves are not affected.") from exc
            time.sleep(0.1)
        except duckdb.Error as exc:
            raise InputError(f"{path}: the run catalogue is damaged ({exc}). Move it away and "
                             "run `detente runs list --rebuild`; the runs themselves are "
                             "not affected.") from exc
    assert con is not None
    try:
        if not read_only:
            con.execute(_SCHEMA)
        yield con
    finally:
        con.close()


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
        try:
            cur = con.execute(f"SELECT {', '.join(COLUMNS)} FROM runs ORDER BY created, id")
        except Exception as exc:  # no table yet
            if "runs" in str(exc):
                return []
            raise
        out = []
        for rec in cur.fetchall():
            d = dict(zip(COLUMNS, rec, strict=True))
            d["parameters"] = json.loads(d["parameters"]) if d["parameters"] else {}
            for key in ("created", "updated"):
                if d[key] is not None:
                    d[key] = d[key].isoformat(timespec="seconds")
            out.append(d)
        return out
