"""Dask: a sweep on a LocalCluster is bit-identical to a serial one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("zarr")
pytest.importorskip("duckdb")

sys.path.insert(0, str(Path(__file__).parent))
from store_helpers import SMALL, assert_same, store_contents

from detente.store import sweep


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as c:
        yield c


def test_dask_cluster_equals_serial(tmp_path, cluster):
    serial = sweep("lanchester-bench", out=tmp_path / "serial", **SMALL)
    dask = sweep("lanchester-bench", out=tmp_path / "dask", scheduler=cluster.scheduler_address,
                 **SMALL)
    assert_same(store_contents(tmp_path / "serial", serial.id),
                store_contents(tmp_path / "dask", dask.id))


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    from detente.errors import InputError

    monkeypatch.setenv("DETENTE_DASK_TIMEOUT", "1s")
    with pytest.raises(InputError, match="cannot reach a Dask scheduler"):
        sweep("lanchester-bench", out=tmp_path / "x", scheduler="tcp://127.0.0.1:9",
              **SMALL)
