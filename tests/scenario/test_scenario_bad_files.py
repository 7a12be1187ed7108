"""The malformed files in ``tests/scenario/bad``: each fails, as its header says."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from scenario_fakes import FAKE_MODULES

from detente.errors import ScenarioError
from detente.model.base import Module
from detente.scenario import load_scenario

BAD = sorted((Path(__file__).parent / "bad").glob("*.yaml"))


def _header(path: Path) -> tuple[str, int | None]:
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    m = re.match(r"# expect: (.+)$", lines[0]) if lines else None
    assert m, f"{path.name}: line 1 must be '# expect: <text>'"
    n = re.match(r"# line: (\d+|none)$", lines[1]) if len(lines) > 1 else None
    assert n, f"{path.name}: line 2 must be '# line: N' or '# line: none'"
    return m.group(1), None if n.group(1) == "none" else int(n.group(1))


def test_there_are_many_kinds() -> None:
    assert len(BAD) >= 22


@pytest.mark.parametrize("registry", ["fake", "real"])
@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_fails_as_expected(path: Path, registry: str) -> None:
    expect, line = _header(path)
    modules: Mapping[str, Module] | None = FAKE_MODULES if registry == "fake" else None
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, modules=modules)
    err = info.value
    assert expect in str(err)
    hits = [p for p in err.problems if expect in str(p)]
    assert hits, str(err)
    if line is not None:
        assert any(p.line == line for p in hits), str(err)
        assert f"{path}:{line}:" in str(err)
