"""The house style: number formats, colours, labels and the report's charts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.present import style


@pytest.mark.parametrize(("x", "text"), [
    (0.0, "0"), (0.8474, "0.847"), (12.34, "12.3"), (123.4, "123"), (999.0, "999"),
    (1_000.0, "1 k"), (15_700.0, "15.7 k"), (2_020_000.0, "2.02 M"), (3.4e9, "3.4 bn"),
    (-15_700.0, "-15.7 k"), (float("nan"), "–"),
])
def test_compact_numbers(x, text):
    assert style.fmt_compact(x) == text


@pytest.mark.parametrize(("x", "digits", "text"), [
    (None, 3, "–"), (float("nan"), 3, "–"), (float("inf"), 3, "∞"), (-float("inf"), 3, "−∞"),
    (0.0, 3, "0"), (107_960.0, 4, "107,960"), (500_000.0, 4, "500,000"), (0.1, 4, "0.1"),
    (1234.5, 3, "1,234"), (12.345, 3, "12.3"), (0.000123, 3, "0.000123"),
])
def test_table_numbers(x, digits, text):
    assert style.fmt_number(x, digits) == text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-9.99e11, max_value=9.99e11))
def test_compact_numbers_below_a_trillion_are_short_and_keep_the_sign(x):
    text = style.fmt_compact(x)
    assert len(text) <= 10
    if x > 0:
        assert not text.startswith("-")
    elif x < 0:
        assert text.startswith("-")


@given(st.floats(min_value=1000, max_value=1e12))
def test_large_table_numbers_have_thousands_separators(x):
    text = style.fmt_number(x, 3)
    assert "," in text
    assert abs(float(text.replace(",", "")) - x) <= 0.5 + 1e-9 * x


def test_percentages():
    assert style.fmt_percent(None) == "–"
    assert style.fmt_percent(0.123) == "12 %"
    assert style.fmt_percent(0.1234, 1) == "12.3 %"


def test_colours():
    assert style.rgba("#0072B2", 0.5) == "rgba(0,114,178,0.5)"
    n = len(style.POLICY_COLOURS)
    assert style.policy_colour(0) == style.policy_colour(n) == "#0072B2"
    assert len(set(style.POLICY_COLOURS)) == n
    assert set(style.VERDICT_COLOURS) == set(style.VERDICT_STYLES) == {
        "supported", "contested", "refuted", "untestable"}
    # sides by their place in the cast: the first blue, the second red, all different
    assert len(set(style.SIDE_COLOURS)) == len(style.SIDE_COLOURS)
    assert style.side_colour(0) == "#1F5FA8"
    assert style.side_colour(1) == "#B22222"
    assert style.side_colour(len(style.SIDE_COLOURS)) == style.side_colour(0)
    for colour in (*style.SIDE_COLOURS, style.RAISES_COLOUR, style.LOWERS_COLOUR):
        assert re.fullmatch(r"#[0-9A-F]{6}", colour)


def test_labels_and_units():
    assert style.unit_label("km2") == "km²"
    assert style.unit_label("furlongs") == "furlongs"
    assert style.unit_label("fraction/year") == "% a year"
    assert style.display_scale("fraction/year") == 100.0
    assert style.display_scale("km2") == 1.0
    assert style.pretty("partial_return") == "partial return"


@pytest.mark.parametrize(("date", "text"), [
    ("2023-12-01", "1 December 2023"), (dt.date(1951, 7, 10), "10 July 1951"),
    ("2024-01-01T00:00:00", "1 January 2024"),
])
def test_dates_as_a_reader_says_them(date, text):
    assert style.fmt_date(date) == text


@given(st.dates())
def test_written_dates_name_the_day_month_and_year(date):
    day, month, year = style.fmt_date(date).split(" ")
    assert (int(day), int(year)) == (date.day, date.year)
    assert dt.datetime.strptime(month, "%B").month == date.month


def test_the_style_names_no_side_and_no_variable():
    names = {"ukraine", "russia", "personnel", "territory", "shells", "viability"}
    source = Path(style.__file__).read_text(encoding="utf-8").lower()
    assert {n for n in names if re.search(rf"\b{n}", source)} == set()
