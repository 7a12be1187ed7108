"""``detente hindcast`` as a user meets it: the table, JSON, Markdown, files, exit codes."""

from __future__ import annotations

import csv
import json

import pytest

from cli_runner import run_cli

ORIGINS = "2023-01..2023-03/1m"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    points = tmp_path_factory.mktemp("hindcast") / "points.csv"
    r = run_cli("hindcast", "ukraine-2023", "--origins", ORIGINS, "--lead", "3,6", "-n", "30",
                "--json", "--table", str(points))
    assert r.code == 0, r.stderr
    return json.loads(r.stdout), points, r.stderr


@pytest.fixture(scope="module")
def as_json(run):
    return run[0]


def test_json_gives_per_lead_coverage_intervals_crps_and_baselines(as_json):
    d = as_json
    assert d["scenario"] == "ukraine-2023"
    assert d["record"] == "detente/data/records/ukraine-2023.csv (bundled with detente)"
    assert d["leads"] == [3, 6]
    assert [o["origin"] for o in d["origins"]] == ["2023-01-01", "2023-02-01", "2023-03-01"]
    for lead in ("3", "6"):
        s = d["scores"][lead]["russia.territory"]
        assert s["n"] == 3
        assert 1 <= s["n_eff"] <= 3
        for level in ("50", "80", "95"):
            c = s["coverage"][level]
            assert 0 <= c["low"] <= c["share"] <= c["high"] <= 1
        assert s["crps"] > 0
        for base in ("persistence", "trend"):
            b = s["baselines"][base]
            assert b["crps"] > 0
            assert b["skill"] == pytest.approx(1 - s["crps"] / b["crps"])
    assert len(d["points"]) == 2 * 3 * 2
    assert {p["source"] for p in d["points"]} == {"liveuamap", "ukraine_general_staff"}


def test_the_table_file_holds_every_point_the_json_holds(run):
    as_json, path, stderr = run
    assert f"wrote {path}" in " ".join(stderr.split())
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(as_json["points"])
    for col in ("origin", "lead", "target", "variable", "source", "value", "median",
                "low_80", "high_80", "inside_80", "pit", "crps", "persistence", "trend"):
        assert col in rows[0]
    for row, point in zip(rows, as_json["points"], strict=True):
        assert (row["origin"], int(row["lead"]), row["variable"]) == (
            point["origin"], point["lead"], point["variable"])
        assert float(row["median"]) == pytest.approx(point["median"])


def test_the_table_says_what_each_number_is_and_the_hindsight():
    r = run_cli("hindcast", "ukraine-2023", "--origins", "2023-01,2023-04", "--lead", "3",
                "-n", "20")
    assert r.code == 0, r.stderr
    text = r.stdout
    for word in ("hindcast of ukraine-2023", "n eff", "50 %", "95 %", "CRPS", "persist.",
                 "trend", "skill", "russia.casualties_cum (ukraine_general_staff)",
                 "Hindsight", "calibration as of", "2023-12-01", "334"):
        assert word in text, word


def test_markdown_is_a_table_a_document_can_hold():
    r = run_cli("hindcast", "ukraine-2023", "--origins", "2023-01", "--lead", "3", "-n", "20",
                "--markdown")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("hindcast of ukraine-2023 under policy 'status_quo'")
    assert lines[2].startswith("| lead | variable | n | n eff | 50 % |")
    assert lines[3].startswith("|---:|---|")
    assert "| 3 | russia.territory (liveuamap) | 1 |" in r.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--lead", "0"], "--lead: a lead is a positive whole number of months ahead of the "
                      "origin; found '0'"),
    (["--lead", "3,x"], "--lead: expected whole numbers of months"),
    (["--origins", "2023-03,2023-01"], "--origins: origins must increase strictly; found "
                                       "2023-01-01 after 2023-03-01"),
    (["--origins", "2023-01..2023-03/2q"], "--origins: the step of '2023-01..2023-03/2q'"),
    (["--origins", "2021-06"], "origins: 2021-06-01 is before the war began (2022-02-24"),
    (["--origins", "2024-02"], "origins: 2024-02-01 is after the record ends (2023-11-30"),
    (["-n", "0"], "--samples must be a positive integer, found 0"),
    (["--policy", "status_qou"], "unknown policy 'status_qou'"),
    (["--json", "--markdown"], "--json and --markdown each choose the output"),
])
def test_bad_input_exits_2_with_a_message_and_no_traceback(args, message):
    base = {"--origins": "2023-01", "--lead": "3", "-n": "10"}
    for flag, value in zip(args[::2], args[1::2], strict=False):
        base[flag] = value
    flags = [x for kv in base.items() for x in kv]
    if args[0] == "--json":
        flags += ["--json", "--markdown"]
    r = run_cli("hindcast", "ukraine-2023", *flags)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in " ".join(r.stderr.split()), r.stderr
    assert "Traceback" not in r.stderr


def test_an_unknown_variable_in_the_record_is_named_at_its_line(tmp_path):
    p = tmp_path / "rec.csv"
    p.write_text("date,variable,value\n2023-01-01,russia.territory,107000\n"
                 "2023-02-01,russia.teritory,107000\n")
    r = run_cli("hindcast", "ukraine-2023", "--observed", str(p), "--origins", "2023-01",
                "-n", "10")
    assert r.code == 2
    text = " ".join(r.stderr.split())
    assert "rec.csv:3: column 'variable': unknown variable 'russia.teritory'" in text
    assert "Did you mean 'russia.territory'?" in text
    assert "Traceback" not in r.stderr


def test_a_scenario_without_a_bundled_record_asks_for_one():
    r = run_cli("hindcast", "lanchester-bench", "--origins", "2024-02", "-n", "10")
    assert r.code == 2
    assert "--observed: scenario 'lanchester-bench' has no bundled record" in r.stderr
