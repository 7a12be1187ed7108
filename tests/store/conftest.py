from __future__ import annotations

import pytest

pytest.importorskip("zarr")
pytest.importorskip("pyarrow")
pytest.importorskip("duckdb")
