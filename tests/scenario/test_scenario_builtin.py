"""Built-in scenario lookup and the scenario package's public names."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente.scenario as scenario_pkg
from detente.errors import InputError
from detente.scenario import builtin, load_scenario
from detente.scenario.builtin import builtin_names, builtin_path


def test_names_are_the_yaml_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ukraine-2023.yaml", "lanchester-bench.yaml", "notes.txt", "_fragment.yaml"):
        (tmp_path / name).write_text("x: 1\n")
    monkeypatch.setattr(builtin, "_folder", lambda: tmp_path)
    assert builtin_names() == ["lanchester-bench", "ukraine-2023"]
    assert builtin_path("ukraine-2023") == tmp_path / "ukraine-2023.yaml"
    with pytest.raises(InputError) as info:
        builtin_path("ukrane-2023")
    msg = str(info.value)
    assert "no built-in scenario named 'ukrane-2023'" in msg
    assert "lanchester-bench, ukraine-2023" in msg
    assert "did you mean 'ukraine-2023'?" in msg


def test_real_builtin_folder() -> None:
    names = builtin_names()
    assert names == sorted(names)
    for name in names:
        assert builtin_path(name).is_file()


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_scenarios_load_with_the_real_model(name: str) -> None:
    sc = load_scenario(name)
    assert sc.policies


def test_public_names() -> None:
    assert set(scenario_pkg.__all__) >= {
        "Scenario", "load_scenario", "json_schema", "builtin_names", "builtin_path"}
    for name in scenario_pkg.__all__:
        assert hasattr(scenario_pkg, name)
