"""Every claim shipped with a built-in scenario could go either way, or says it cannot."""

from __future__ import annotations

import pytest

from detente.analysis.claim_lint import lint_claims
from detente.scenario import load_scenario


@pytest.mark.parametrize("name", ["ukraine-2023", "korea-1951"])
def test_the_claim_lint_passes_on_every_shipped_claim(name: str):
    sc = load_scenario(name)
    found = lint_claims(sc, seed=0)
    assert found == [], "\n".join(f"{f.claim} [{f.kind}]: {f.message}" for f in found)


@pytest.mark.parametrize("name", ["ukraine-2023", "korea-1951"])
def test_every_shipped_claim_is_documented_with_its_encoding(name: str):
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "claims.md").read_text(encoding="utf-8")
    for cid, claim in load_scenario(name).claims.items():
        assert f"`{cid}`" in docs, f"docs/claims.md has no note on {name}'s claim {cid}"
        if claim.test is not None and claim.assumption is None:
            assert claim.modal is not None, f"{cid}: a tested finding states its modal word"
