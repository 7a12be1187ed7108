"""The bundled facts table: its shape, its two dates, and what ukraine-2023 may know.

Every fact carries the date its value refers to (``as_of``) and the date it was first public
(``published``); a forecast scenario may cite only what was published by its start.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from importlib import resources

import pytest
import yaml

COLUMNS = ["key", "value", "unit", "as_of", "published", "source", "confidence", "note"]
NOT_FOUND = "published date not found"
#: Rows whose value is a plan or a schedule, public before the period it refers to.
FORWARD_LOOKING = {"ru_defence_budget_2024", "ru_presidential_election"}
#: Facts ukraine-2023 cites although they were published after its start (each with its
#: reason in the scenario's ``knowledge.later``).
UKRAINE_LATER = {
    "pop_ukraine_1991_borders_est", "refugees_ukraine_end2023_unhcr",
    "refugees_ukraine_recorded_global", "ru_missiles_launched_cumulative",
    "ua_drone_production_target_2024", "ua_gdp_nominal_2023",
}
UKRAINE_START = dt.date(2023, 12, 1)


def period(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = dt.date.fromisoformat(text)
        return day, day
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = map(int, text.split("-"))
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    raise ValueError(f"not a date, month or year: {text!r}")


def test_period_reads_the_three_forms() -> None:
    assert period("2023-11-30") == (dt.date(2023, 11, 30), dt.date(2023, 11, 30))
    assert period("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period("2023") == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    for bad in ("2023 (mid/late)", "2023-09 / 2024-01", "Dec 2023", ""):
        with pytest.raises(ValueError, match="not a date, month or year"):
            period(bad)


@pytest.fixture(scope="module")
def text() -> str:
    return resources.files("detente").joinpath("data/facts-2023.csv").read_text("utf-8")


@pytest.fixture(scope="module")
def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_columns_with_published_right_after_as_of(text: str) -> None:
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == COLUMNS
    widths = {i + 2: len(r) for i, r in enumerate(table[1:]) if len(r) != len(COLUMNS)}
    assert widths == {}, f"lines with a wrong number of fields (an unquoted comma?): {widths}"


def test_keys_are_unique_and_named(rows: list[dict[str, str]]) -> None:
    keys = [r["key"] for r in rows]
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys), keys
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_every_row_has_a_source_and_a_confidence(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["source"].strip(), r["key"]
        assert r["confidence"] in {"high", "medium", "low", "low-medium"}, r["key"]


def test_dates_are_parseable_or_the_gap_is_said(rows: list[dict[str, str]]) -> None:
    for r in rows:
        period(r["as_of"])
        if r["published"]:
            period(r["published"])
        else:
            assert NOT_FOUND in r["note"].lower(), f"{r['key']}: blank published, note silent"


def test_no_estimate_is_published_before_the_period_it_refers_to(
        rows: list[dict[str, str]]) -> None:
    early = {r["key"] for r in rows if r["published"]
             and period(r["published"])[1] < period(r["as_of"])[0]}
    assert early == FORWARD_LOOKING


def ukraine_citations() -> dict[str, set[str]]:
    text = resources.files("detente").joinpath("scenario/builtin/ukraine-2023.yaml") \
        .read_text("utf-8")
    cited: dict[str, set[str]] = {}
    for name, par in yaml.safe_load(text)["parameters"].items():
        found = re.findall(r"fact:(\w+)", str(par.get("source", "")))
        found += re.findall(r"\bfact[ :](\w+)", str(par.get("note", "")))
        for key in found:
            cited.setdefault(key, set()).add(name)
    return cited


def test_ukraine_2023_cites_only_known_facts(rows: list[dict[str, str]]) -> None:
    unknown = set(ukraine_citations()) - {r["key"] for r in rows}
    assert unknown == set()


def test_ukraine_2023_cites_what_was_public_at_its_start_but_the_listed_few(
        rows: list[dict[str, str]]) -> None:
    by_key = {r["key"]: r for r in rows}
    later = {k for k in ukraine_citations() if not by_key[k]["published"]
             or period(by_key[k]["published"])[1] > UKRAINE_START}
    assert later == UKRAINE_LATER
