"""The scaffold of ``detente new``: a minimal war that loads and runs as written."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from detente.errors import InputError
from detente.results.schema import select
from detente.scenario import load_scenario
from detente.scenario.scaffold import scaffold


def test_the_scaffold_is_short_and_loads(tmp_path):
    text = scaffold("mywar", start=dt.date(2030, 1, 1))
    assert len(text.splitlines()) < 80
    path = tmp_path / "mywar.yaml"
    path.write_text(text)
    sc = load_scenario(path)
    assert sc.name == "mywar"
    assert sc.time.start == dt.date(2030, 1, 1)
    assert sc.cast.sides == ("blue", "red")
    assert sc.cast.supporters_of("blue") == ("donor",)
    # every number it states carries a distribution or a structural switch
    assert all(p.is_uncertain or p.unit == "switch" or "ref:" in p.source
               for p in sc.parameters.values())


def test_the_scaffold_runs_and_aid_helps_the_side_it_supports(tmp_path):
    import detente

    path = tmp_path / "mywar.yaml"
    path.write_text(scaffold("mywar"))
    res = detente.simulate(str(path), n_samples=64, seed=1)
    shells = select(res.ds, "blue.shells").isel(time=-1)
    # the same samples, with the donor's aid doubled: blue ends with more shells
    assert np.all(shells.sel(policy="aid_doubled").values
                  >= shells.sel(policy="status_quo").values)
    assert np.isfinite(select(res.ds, "red.territory").values).all()


@pytest.mark.parametrize("name", ["My War", "9lives", "", "a" * 65])
def test_a_bad_name_is_refused(name):
    with pytest.raises(InputError, match="not a scenario name"):
        scaffold(name)
