"""The op-ed's claims shipped with ukraine-2023: they load and every one evaluates."""

from __future__ import annotations

from pathlib import Path

import pytest
from claims_scenario import combined_data, write_combined

import detente as dt
from detente.analysis.claims import Claims

N_OPED_CLAIMS = 30


@pytest.fixture(scope="module")
def combined(tmp_path_factory) -> Path:
    return write_combined(tmp_path_factory.mktemp("claims"))


def test_shipped_claims_load_and_cite_the_op_ed(combined: Path):
    sc = dt.load(str(combined))
    assert len(sc.claims) == N_OPED_CLAIMS
    for claim in sc.claims.values():
        assert claim.source
        assert claim.text
        assert (claim.test is None) != (claim.untestable is None)


def test_every_shipped_claim_evaluates(combined: Path):
    ev = Claims(hinges=()).fit(str(combined), n_samples=64, seed=0)
    assert len(ev.claims_) == N_OPED_CLAIMS
    sc = dt.load(str(combined))
    for c in ev.claims_:
        if sc.claims[c.id].test is None:
            assert c.verdict == "untestable"
            assert c.reason
            continue
        assert c.reason is None, (c.id, c.reason)
        assert 0.0 <= c.probability <= 1.0
        assert c.verdict in ("supported", "contested", "refuted")
        assert c.n_samples > 0


def test_claims_fragment_is_plain_data():
    data = combined_data()
    assert set(data["claims"])
    assert all(isinstance(k, str) for k in data["claims"])
