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
    assert all(p.is_uncertain or p.unit == "switch" for p in sc.parameters.values())


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


def test_an_unquoted_dotted_key_in_toml_is_explained(tmp_path):
    from detente.errors import ScenarioError

    path = tmp_path / "t.toml"
    path.write_text(
        'schema_version = 1\nname = "t"\ntitle = "T"\nmodules = ["military"]\n'
        '[time]\nstart = 2024-01-01\nstep_days = 7\nhorizon_steps = 10\n'
        '[sides.blue]\nname = "Blue"\n[sides.red]\nname = "Red"\n'
        '[parameters]\nblue.personnel0 = {value = 1000, unit = "persons", source = "x"}\n'
        '[policies.status_quo]\ndescription = "x"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    hint = [p for p in err.value.problems if "holds parameters as a table" in p.message]
    assert len(hint) == 1
    assert hint[0].line == 13  # the [parameters] header: where TOML puts the implicit table
    assert '"blue.personnel0" = {...}' in hint[0].message
