"""The record and calibration targets bundled for korea-1951: readable, on the model's terms."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from detente.analysis import Observations, read_observations
from detente.analysis.backtest import output_variables
from detente.analysis.hindcast import bundled_record
from detente.scenario import load_scenario
from detente.scenario.schema import Scenario

KOREA = "korea-1951"
START, ARMISTICE = dt.date(1951, 7, 10), dt.date(1953, 7, 27)


@pytest.fixture(scope="module")
def korea() -> Scenario:
    return load_scenario(KOREA)


@pytest.fixture(scope="module")
def record_path() -> Path:
    path = bundled_record(KOREA)
    assert path is not None
    return path


@pytest.fixture(scope="module")
def record(record_path: Path) -> Observations:
    return read_observations(record_path)


@pytest.fixture(scope="module")
def calibration(record_path: Path) -> Observations:
    return read_observations(record_path.with_name(f"{KOREA}-calibration.csv"))


@pytest.fixture(scope="module")
def provenance(record_path: Path) -> str:
    return record_path.with_suffix(".md").read_text(encoding="utf-8")


def _recorded(scenario: Scenario) -> set[str]:
    return {name for name, spec in output_variables(scenario).items() if spec.record}


@pytest.mark.parametrize("which", ["record", "calibration"])
def test_every_variable_is_one_the_model_records(which, korea, request):
    obs = request.getfixturevalue(which)
    assert set(obs.variables) <= _recorded(korea)


@pytest.mark.parametrize("which", ["record", "calibration"])
def test_every_date_lies_within_the_talks(which, request):
    obs = request.getfixturevalue(which)
    assert min(obs.dates) >= START
    assert max(obs.dates) <= ARMISTICE


@pytest.mark.parametrize("which", ["record", "calibration"])
def test_every_row_names_a_source(which, request):
    obs = request.getfixturevalue(which)
    assert all(s.strip() for s in obs.sources)


def test_the_record_is_the_front_from_the_start_to_the_armistice(record, korea):
    assert set(record.series) == {("un_command.territory", "reconstruction")}
    by_date = dict(zip(record.dates, record.values, strict=True))
    assert by_date[ARMISTICE] == 3885  # TIME, 3 Aug 1953: 1,500 sq mi net
    # the start lies inside the scenario's prior for the state it sets
    prior = korea.parameters["un_command.territory0"].dist
    assert prior.low <= by_date[START] <= prior.high


def test_the_front_never_moves_by_more_than_one_percent_of_korea(record):
    values = np.asarray(record.values)
    assert np.ptp(values) < 2200  # the claim bloody_stalemate's threshold


def test_the_calibration_gives_an_error_or_a_bound_on_every_row(record_path):
    text = record_path.with_name(f"{KOREA}-calibration.csv").read_text(encoding="utf-8")
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    header, body = rows[0], rows[1:]
    assert header == ["date", "variable", "value", "source", "sd", "low", "high"]
    for cells in body:
        row = dict(zip(header, cells, strict=True))
        assert row["sd"] or row["low"] or row["high"], row
        value = float(row["value"])
        if row["low"]:
            assert float(row["low"]) <= value
        if row["high"]:
            assert value <= float(row["high"])


def test_us_only_casualties_are_only_a_lower_bound(calibration, record_path):
    text = record_path.with_name(f"{KOREA}-calibration.csv").read_text(encoding="utf-8")
    us = [line.split(",") for line in text.splitlines()
          if ",us_dod_weekly_us_only," in line]
    assert us
    assert all(cells[5] == cells[2] and cells[4] == "" and cells[6] == "" for cells in us)


def test_every_source_is_named_in_the_provenance(record, calibration, provenance):
    for source in set(record.sources) | set(calibration.sources):
        assert f"`{source}`" in provenance or re.search(rf"\b{re.escape(source)}\b",
                                                        provenance), source
