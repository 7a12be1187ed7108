"""Behaviour unchanged: every recorded variable equals the golden record, bit for bit.

Where a refactor had to change the order of floating-point operations, the variable is
listed in :data:`REORDERED` with the reason, and is held to 1e-12 relative instead (its
exact sum and its trajectories at the recorded subset of samples).

The record predates the model written over sides: ``renamed.json`` maps each of its names
to today's (``ua_personnel`` is ``ukraine.personnel``), and lists, with the reason, the few
names that are gone (parameters of a mechanism a scenario no longer declares). A variable
the record lacks is one the model now computes for a side that did not have it.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from tests.golden import golden

#: Variable -> why its operations' order changed (empty: everything is bit-identical).
REORDERED: dict[str, str] = {}
RTOL = 1e-12
#: Per scenario: the record's names -> today's, and the record's names that are gone.
NAMES = json.loads((golden.HERE / "renamed.json").read_text())


def _now_name(scenario: str, name: str) -> str:
    """Today's name of the record's variable ``name`` (prefixes kept)."""
    renamed = NAMES[scenario]["renamed"]
    for prefix in ("param_", "final_", "q_", ""):
        if name.startswith(prefix) and name[len(prefix):] in renamed:
            return prefix + renamed[name[len(prefix):]]
    return name


def _kept(scenario: str, meta: dict) -> dict[str, str]:
    """The record's variables still held, each with today's name."""
    gone = NAMES[scenario]["gone"]
    return {v: _now_name(scenario, v) for v in meta["vars"]
            if v not in gone and v.removeprefix("param_") not in gone}


@pytest.fixture(scope="module", params=golden.SCENARIOS)
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[str, dict, dict, dict, dict]:
    name = request.param
    meta, arrays = golden.read(name)
    # in a child process with NumPy's AVX-512 loops off, as the record was made
    now, now_arrays = golden.portable(name, tmp_path_factory.mktemp("golden"))
    return name, meta, arrays, now, now_arrays


def test_same_variables_coords_and_attrs(pair: tuple) -> None:
    scenario, meta, _, now, _ = pair
    kept = _kept(scenario, meta)
    missing = sorted(n for n in kept.values() if n not in now["vars"])
    assert not missing, f"{scenario}: the record's variables are gone: {missing}"
    assert {k: v for k, v in now["coords"].items() if k in meta["coords"]} == meta["coords"]
    assert now["attrs"] == meta["attrs"]
    for old, name in kept.items():
        entry, new = meta["vars"][old], now["vars"][name]
        assert new["dims"] == entry["dims"], name
        # descriptions now name no side (the side dim says whose value it is)
        same = {k: v for k, v in entry["attrs"].items() if k != "description"}
        assert {k: v for k, v in new["attrs"].items() if k != "description"} == same, name


def test_every_variable_bit_identical_or_listed(pair: tuple) -> None:
    scenario, meta, arrays, now, now_arrays = pair
    kept = _kept(scenario, meta)
    differ = [v for v, n in kept.items() if now["vars"][n]["digest"] != meta["vars"][v]["digest"]]
    unlisted = [v for v in differ if v not in REORDERED]
    made = meta.get("libraries", {})
    hint = ("" if made == golden.libraries() else
            f" (the record was made with {made or 'unrecorded library versions'}, this run "
            f"uses {golden.libraries()}: if only draws' last bits moved, regenerate it)")
    assert not unlisted, f"{scenario}: changed without a reason: {unlisted}{hint}"
    for v in differ:
        old, new = meta["vars"][v], now["vars"][kept[v]]
        assert new["n_finite"] == old["n_finite"], v
        assert math.isclose(new["fsum"], old["fsum"], rel_tol=RTOL), v
        np.testing.assert_allclose(now_arrays[kept[v]], arrays[v], rtol=RTOL, atol=0.0,
                                   equal_nan=True, err_msg=v)


def test_the_check_can_fail(pair: tuple) -> None:
    # a one-ulp change of one value of one variable changes its digest
    _, _meta, arrays, _, _ = pair
    name = next(iter(arrays))
    a = arrays[name].copy()
    flat = a.reshape(-1)
    i = int(np.flatnonzero(np.isfinite(flat))[0])
    before = golden.digest(a)
    flat[i] = np.nextafter(flat[i], np.inf)
    assert golden.digest(a) != before
