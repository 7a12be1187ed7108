"""A sweep's stored results feed the report: the same page as the ensemble in memory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("zarr", reason="needs the store extra")
pytest.importorskip("duckdb", reason="needs the store extra")


def _section(page: str, key: str) -> str:
    body = page.split("</script>", 1)[1]
    return body.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]


def test_a_stored_sweep_makes_the_report_an_ensemble_in_memory_makes(
        tmp_path: Path, scenario: Any) -> None:
    from detente.engine import simulate
    from detente.report import build_report, report_record
    from detente.store import sweep

    kw = {"n_samples": 32, "seed": 5, "policies": ["status_quo", "direct_talks",
                                                   "direct_talks_no_aid"],
          "horizon": 60, "block_size": 16}
    record = report_record(scenario)
    stored = sweep(scenario, out=tmp_path / "store", record=record, **kw).to_results()
    memory = simulate(scenario, record=record, **kw)
    pages = [build_report(r, scenario, hinges=(), tornado_output=None, skill="none", seed=5)
             for r in (stored, memory)]
    for key in ("summary", "claims"):
        ours, theirs = (_section(p, key) for p in pages)
        assert ours == theirs, key
    # and the page has the numbers: the summary in words, each claim judged
    assert 'data-ref="headline:russia.territory:direct_talks"' in _section(pages[0], "summary")
    assert re.search(r'data-ref="claim:\w+" data-value="[0-9.e-]+"', pages[0])
    assert "<b>Samples</b>32 per policy" in pages[0]
