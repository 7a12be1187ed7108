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
