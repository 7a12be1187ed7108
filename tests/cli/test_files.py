"""``detente validate``, ``scenarios`` and ``schema``: scenario files, checked and listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import run_cli

BAD_DIR = Path(__file__).parents[1] / "scenario" / "bad"


def test_scenarios_lists_and_gives_paths():
    r = run_cli("scenarios")
    assert r.code == 0
    assert "ukraine-2023" in r.stdout
    assert "lanchester-bench" in r.stdout
    r = run_cli("scenarios", "--path", "ukraine-2023")
    assert r.code == 0
    assert Path(r.stdout.strip()).is_file()


def test_schema_is_json_schema():
    r = run_cli("schema")
    assert r.code == 0
    schema = json.loads(r.stdout)
    assert "properties" in schema
    assert "parameters" in schema["properties"]


def test_schema_of_a_scenario_names_its_own_parameters():
    r = run_cli("schema", "lanchester-bench")
    assert r.code == 0, r.stderr
    params = json.loads(r.stdout)["properties"]["parameters"]
    named = set(params.get("properties", {}))
    assert {"blue.personnel0", "red.personnel0", "mil_force_floor"} <= named
    assert not any(n.startswith("<") for n in named)
    # without a scenario, what a side owns is a pattern
    plain = json.loads(run_cli("schema").stdout)["properties"]["parameters"]
    assert "blue.personnel0" not in plain.get("properties", {})
    assert any("personnel0" in p for p in plain.get("patternProperties", {}))


def test_schema_of_a_file_that_does_not_load_yet_names_its_sides(tmp_path):
    from detente.scenario import builtin_path

    text = builtin_path("lanchester-bench").read_text()
    side = '  blue: {name: Blue, description: "Blue side of the benchmark"}'
    assert side in text
    # a side renamed before its parameters are: the file does not load, its cast reads
    path = tmp_path / "azure.yaml"
    path.write_text(text.replace(side, '  azure: {name: Azure}'))
    assert run_cli("validate", str(path)).code == 2
    r = run_cli("schema", str(path))
    assert r.code == 0, r.stderr
    assert "does not load yet" in r.stderr
    named = set(json.loads(r.stdout)["properties"]["parameters"].get("properties", {}))
    assert {"azure.personnel0", "red.personnel0"} <= named
    assert "blue.personnel0" not in named


def test_schema_of_no_scenario_exits_2():
    r = run_cli("schema", "no-such-scenario")
    assert r.code == 2
    assert "no such file or built-in scenario" in r.stderr


def test_validate_builtins_ok():
    r = run_cli("validate", "ukraine-2023", "lanchester-bench")
    assert r.code == 0, r.stderr
    assert r.stdout.count("ok") == 2


BAD_FILES = sorted(BAD_DIR.glob("*.y*ml")) + sorted(BAD_DIR.glob("*.toml"))


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_validate_bad_file_exits_2_with_location(path):
    r = run_cli("validate", str(path))
    assert r.code == 2
    assert "Traceback" not in r.stderr
    assert path.name in r.stderr
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    if first.startswith("# expect:"):
        assert first.removeprefix("# expect:").strip() in r.stderr


def test_there_are_enough_bad_files():
    assert len(BAD_FILES) >= 15


def test_validate_missing_prints_what_to_paste_and_the_pasted_file_lacks_nothing(tmp_path):
    path = tmp_path / "war.yaml"
    assert run_cli("new", "war", "-o", str(path)).code == 0
    text = path.read_text().replace("modules: [military]", "modules: [military, bargaining]")
    path.write_text(text)
    plain = run_cli("validate", str(path))
    assert plain.code == 2
    assert "parameters: missing" in plain.stderr
    r = run_cli("validate", str(path), "--missing")
    assert r.code == 2
    assert "needed by module 'bargaining'" in r.stdout
    named = [line.split(":")[0].strip() for line in r.stdout.splitlines()
             if "{value: null" in line]
    assert named
    assert all(name in plain.stderr for name in named)  # every one, none left as "more"
    # pasted under 'parameters:', nothing is missing any more: only the values to fill in
    pasted = "\n".join(r.stdout.splitlines()[1:])
    path.write_text(text.replace("parameters:\n", f"parameters:\n{pasted}\n", 1))
    after = run_cli("validate", str(path))
    assert after.code == 2
    assert "parameters: missing" not in after.stderr
    assert f"parameters.{named[0]}: expected exactly one of 'value' or 'dist'" in after.stderr
