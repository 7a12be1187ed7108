"""Reading battle series and observed series from CSV, with precise error messages.

Two formats are read here.

**Battle series** (for :class:`detente.analysis.LanchesterFit`), one row per date::

    date,blue,red,blue_casualties,red_casualties,blue_reinforcements,red_reinforcements
    1945-02-19,54000,21500,2420,,0,
    ...

* ``date``: ISO dates (``YYYY-MM-DD``), strictly increasing. Rows need not be one day
  apart: the *interval* of a row runs to the next row's date (the last row's interval is
  the one before it), and rates are per day.
* ``blue``, ``red``: strength at the start of the row's date. Cells may be blank where a
  strength was not observed, but the first row must give both sides' initial strength.
* ``blue_casualties``, ``red_casualties``: losses during the row's interval (blank: not
  observed).
* ``blue_reinforcements``, ``red_reinforcements``: additions during the row's interval
  (blank or absent: none); negative values are withdrawals.

Each side needs a strength column (at least the initial value) and, optionally, a casualty
column. Missing pieces are completed by the balance ``strength[t+1] = strength[t] -
casualties[t] + reinforcements[t]``: casualties from consecutive strengths, strengths
forward from the last known one. Column names can be changed (:func:`read_battle_csv`).

**Observed series** (for calibration and backtests), long format::

    date,variable,value,source
    2024-03-01,blue.personnel,850000,
    2024-03-01,red.territory,108000,isw
    2024-03-01,red.territory,107500,deepstate

``source`` is optional (a blank cell: the one unnamed source); dates must increase
strictly within each variable and source, so two sources may give one variable on one
date. ``variable`` names a model output as the scenario's model names it,
``<side>.<name>`` for what a side owns (see :func:`detente.analysis.output_variables`).

Three more optional columns say how far a value may be from the truth (a blank cell:
not said), for calibration (:class:`detente.analysis.Calibrator`)::

    date,variable,value,source,sd,low,high
    2023-06-01,red.casualties_cum,230000,blue-claims,60000,,
    2023-06-01,red.killed_cum,25000,confirmed-by-name,,25000,

* ``sd``: the standard deviation of the value's error, in the variable's unit;
* ``low``, ``high``: a range the truth lies in; one of them alone is a bound. A row
  with either is matched as a range, not as its ``value``: the model misses it only when
  it falls outside. A count of confirmed losses is a lower bound: ``low`` only.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.errors import DataError

#: Default column names of a battle series.
DEFAULT_COLUMNS: dict[str, str] = {
    "date": "date",
    "blue": "blue",
    "red": "red",
    "blue_casualties": "blue_casualties",
    "red_casualties": "red_casualties",
    "blue_reinforcements": "blue_reinforcements",
    "red_reinforcements": "red_reinforcements",
}

#: Columns of an observed-series file.
OBSERVED_COLUMNS: tuple[str, ...] = ("date", "variable", "value")
#: Optional column of an observed-series file: where each value comes from.
SOURCE_COLUMN = "source"
#: Optional columns of an observed-series file: each value's uncertainty (sd) and range.
UNCERTAINTY_COLUMNS: tuple[str, ...] = ("sd", "low", "high")

_SIDES = ("blue", "red")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return a ``" Did you mean 'x'?"`` suffix, or an empty string when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


# --------------------------------------------------------------------------- CSV rows
@dataclass(frozen=True)
class _Table:
    path: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]  # (line number, cells by column)


def _read_table(path: str | Path) -> _Table:
    """Read a CSV file with a header; skip blank lines and lines starting with ``#``."""
    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise DataError(f"{name}: no such file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{name}: cannot read the file as UTF-8 text ({exc})") from exc
    lines = text.splitlines()
    header: tuple[str, ...] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for lineno, cells in _numbered_rows(lines):
        if header is None:
            header = tuple(c.strip() for c in cells)
            dup = sorted({c for c in header if header.count(c) > 1})
            if dup:
                raise DataError(f"{name}:{lineno}: column(s) {', '.join(dup)} appear twice "
                                "in the header")
            continue
        if len(cells) != len(header):
            raise DataError(f"{name}:{lineno}: expected {len(header)} fields (as in the "
                            f"header), found {len(cells)}")
        rows.append((lineno, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    if header is None:
        raise DataError(f"{name}: the file is empty; expected a header line and data rows")
    return _Table(name, header, tuple(rows))


def _numbered_rows(lines: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    for i, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield i, next(csv.reader([line]))


def _require_columns(table: _Table, wanted: Sequence[str], what: str) -> None:
    missing = [c for c in wanted if c not in table.header]
    if missing:
        hints = "".join(did_you_mean(m, table.header) for m in missing)
        raise DataError(
            f"{table.path}:1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} ({what}); found columns: "
            f"{', '.join(table.header) or 'none'}.{hints}"
        )


def _parse_date(table: _Table, line: int, column: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{table.path}:{line}: column '{column}': expected a date "
                        f"YYYY-MM-DD, found {text!r}") from None


def _parse_number(table: _Table, line: int, column: str, text: str,
                  *, blank_ok: bool) -> float:
    if text == "":
        if blank_ok:
            return math.nan
        raise DataError(f"{table.path}:{line}: column '{column}': expected a number, "
                        "found an empty cell")
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise DataError(f"{table.path}:{line}: column '{column}': expected a number, "
                        f"found {text!r}") from None
    if not math.isfinite(value):
        raise DataError(f"{table.path}:{line}: column '{column}': expected a finite number, "
                        f"found {text!r}")
    return value


# --------------------------------------------------------------------------- battle series
@dataclass(frozen=True)
class BattleData:
    """A two-sided battle series, completed by the strength balance.

    Build one with :func:`read_battle_csv` or :meth:`from_arrays`. Arrays have one entry
    per row (date); NaN marks a value that was neither observed nor derivable.

    Attributes
    ----------
    name : str
        File name or label, used in messages.
    dates : numpy.ndarray
        ``datetime64[D]`` dates, strictly increasing.
    days : FloatArray
        Length of each row's interval in days (to the next row; the last row repeats the
        one before it).
    blue, red : FloatArray
        Strengths at the start of each row (observed or completed).
    blue_casualties, red_casualties : FloatArray
        Losses during each row's interval (observed or completed).
    blue_reinforcements, red_reinforcements : FloatArray
        Additions during each row's interval (zero where not given).
    observed : dict of str to BoolArray
        Which entries of ``blue``, ``red``, ``blue_casualties`` and ``red_casualties`` were
        observed (rather than completed).
    lines : tuple of int
        Line numbers of the rows in the file (for messages); empty when built from arrays.
    """

    name: str
    dates: np.ndarray
    days: FloatArray
    blue: FloatArray
    red: FloatArray
    blue_casualties: FloatArray
    red_casualties: FloatArray
    blue_reinforcements: FloatArray
    red_reinforcements: FloatArray
    observed: dict[str, BoolArray] = field(default_factory=dict)
    lines: tuple[int, ...] = ()

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.days.shape[0])

    def strength(self, side: str) -> FloatArray:
        """Strength series of ``side`` (``"blue"`` or ``"red"``)."""
        return self.blue if side == "blue" else self.red

    def casualties(self, side: str) -> FloatArray:
        """Casualty series of ``side``."""
        return self.blue_casualties if side == "blue" else self.red_casualties

    def reinforcements(self, side: str) -> FloatArray:
        """Reinforcement series of ``side``."""
        return self.blue_reinforcements if side == "blue" else self.red_reinforcements

    @classmethod
    def from_arrays(
        cls,
        days: Sequence[float] | FloatArray,
        *,
        blue: Sequence[float] | FloatArray,
        red: Sequence[float] | FloatArray,
        blue_casualties: Sequence[float] | FloatArray | None = None,
        red_casualties: Sequence[float] | FloatArray | None = None,
        blue_reinforcements: Sequence[float] | FloatArray | None = None,
        red_reinforcements: Sequence[float] | FloatArray | None = None,
        start: dt.date = dt.date(2000, 1, 1),
        name: str = "<arrays>",
    ) -> BattleData:
        """Build a series from arrays (NaN: not observed) and complete it.

        Parameters
        ----------
        days : array_like
            Interval length of each row in days (all > 0).
        blue, red : array_like
            Strengths at the start of each row; the first entry must be finite.
        blue_casualties, red_casualties : array_like, optional
            Losses during each row's interval.
        blue_reinforcements, red_reinforcements : array_like, optional
            Additions during each row's interval (default: none).
        start : datetime.date
            Date of the first row.
        name : str
            Label used in messages.
        """
        d = np.asarray(days, dtype=np.float64)
        n = d.shape[0]
        if np.any(~(d > 0)):
            raise DataError(f"{name}: every interval length must be > 0 days")

        def arr(x: Sequence[float] | FloatArray | None, fill: float) -> FloatArray:
            if x is None:
                return np.full(n, fill)
            a = np.asarray(x, dtype=np.float64)
            if a.shape != (n,):
                raise DataError(f"{name}: expected {n} values per series, found {a.shape}")
            return a

        offsets = np.concatenate([[0.0], np.cumsum(d[:-1])]).round().astype("timedelta64[D]")
        dates = np.datetime64(start, "D") + offsets
        raw = {
            "blue": arr(blue, math.nan), "red": arr(red, math.nan),
            "blue_casualties": arr(blue_casualties, math.nan),
            "red_casualties": arr(red_casualties, math.nan),
        }
        for side in _SIDES:
            _check_values(name, (), side, raw[side], raw[f"{side}_casualties"])
        data = cls(name, dates, d, raw["blue"], raw["red"], raw["blue_casualties"],
                   raw["red_casualties"], np.nan_to_num(arr(blue_reinforcements, 0.0)),
                   np.nan_to_num(arr(red_reinforcements, 0.0)))
        return data.completed()

    def completed(self) -> BattleData:
        """Fill strengths and casualties from the balance; record what was observed."""
        out: dict[str, FloatArray] = {}
        observed: dict[str, BoolArray] = {}
        for side in _SIDES:
            s = self.strength(side).copy()
            c = self.casualties(side).copy()
            r = self.reinforcements(side)
            observed[side] = np.isfinite(s)
            observed[f"{side}_casualties"] = np.isfinite(c)
            derive = np.isnan(c[:-1]) & np.isfinite(s[:-1]) & np.isfinite(s[1:])
            c[:-1] = np.where(derive, s[:-1] - s[1:] + r[:-1], c[:-1])
            gaps = np.flatnonzero(np.isnan(s))
            if gaps.size:
                sl, cl, rl = s.tolist(), c.tolist(), r.tolist()
                for t in range(max(int(gaps[0]) - 1, 0), self.n - 1):
                    if math.isnan(sl[t + 1]) and not math.isnan(sl[t]) \
                            and not math.isnan(cl[t]):
                        sl[t + 1] = max(sl[t] - cl[t] + rl[t], 0.0)
                s = np.array(sl)
            out[side], out[f"{side}_casualties"] = s, c
        if self.observed:
            observed = self.observed
        return replace(self, blue=out["blue"], red=out["red"],
                       blue_casualties=out["blue_casualties"],
                       red_casualties=out["red_casualties"], observed=observed)

    def masked(self, observed: dict[str, BoolArray], values: dict[str, FloatArray]) -> BattleData:
        """Return a series with the same dates and reinforcements but new values (bootstrap).

        Entries where ``observed`` is False are blanked and completed again.
        """
        raw = {k: np.where(observed[k], values[k], np.nan) for k in observed}
        data = replace(self, blue=raw["blue"], red=raw["red"],
                       blue_casualties=raw["blue_casualties"],
                       red_casualties=raw["red_casualties"], observed={})
        return replace(data.completed(), observed=observed)


def _check_values(name: str, lines: Sequence[int], side: str, strength: FloatArray,
                  casualties: FloatArray) -> None:
    def where(i: int) -> str:
        return f"{name}:{lines[i]}" if lines else f"{name}: row {i + 1}"

    if not np.isfinite(strength[0]):
        raise DataError(f"{where(0)}: the first row must give {side}'s initial strength "
                        "(found a blank)")
    neg = np.flatnonzero(strength < 0)
    if neg.size:
        i = int(neg[0])
        raise DataError(f"{where(i)}: negative strength for {side}: {strength[i]:g}; "
                        "strengths are head-counts (or system counts) and must be >= 0")
    neg = np.flatnonzero(casualties < 0)
    if neg.size:
        i = int(neg[0])
        raise DataError(f"{where(i)}: negative casualties for {side}: {casualties[i]:g}; "
                        "record returns to duty as reinforcements instead")


def read_battle_csv(
    path: str | Path,
    *,
    date: str = "date",
    blue: str = "blue",
    red: str = "red",
    blue_casualties: str = "blue_casualties",
    red_casualties: str = "red_casualties",
    blue_reinforcements: str | None = None,
    red_reinforcements: str | None = None,
) -> BattleData:
    """Read a battle series (see the module docstring for the format).

    Parameters
    ----------
    path : str or Path
        CSV file with a header line.
    date, blue, red : str
        Names of the date and strength columns. Every one is required.
    blue_casualties, red_casualties : str
        Names of the casualty columns; used when present.
    blue_reinforcements, red_reinforcements : str, optional
        Names of reinforcement columns. When given, the column must exist; when omitted,
        ``blue_reinforcements`` / ``red_reinforcements`` are used if present.

    Returns
    -------
    BattleData
        The completed series.

    Raises
    ------
    DataError
        On a missing column, a bad date or number, non-increasing dates, a negative strength
        or casualty count, or a blank initial strength; the message names file, line and
        column.
    """
    table = _read_table(path)
    _require_columns(table, [date, blue, red],
                     "a battle series needs a date column and one strength column per side; "
                     "name the date column and the blue and red strength columns")
    reinf = {"blue": blue_reinforcements, "red": red_reinforcements}
    for side, col in reinf.items():
        if col is not None:
            _require_columns(table, [col], f"{side} reinforcements")
        elif DEFAULT_COLUMNS[f"{side}_reinforcements"] in table.header:
            reinf[side] = DEFAULT_COLUMNS[f"{side}_reinforcements"]
    if not table.rows:
        raise DataError(f"{table.path}: no data rows after the header")
    lines = tuple(line for line, _ in table.rows)
    dates = [_parse_date(table, line, date, cells[date]) for line, cells in table.rows]
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise DataError(
                f"{table.path}:{lines[i]}: dates must increase strictly; found {dates[i]} "
                f"after {dates[i - 1]} (line {lines[i - 1]}). Sort the rows by date and "
                "merge duplicates."
            )

    def column(col: str | None, *, blank_ok: bool = True) -> FloatArray:
        if col is None or col not in table.header:
            return np.full(len(lines), math.nan)
        return np.array([_parse_number(table, line, col, cells[col], blank_ok=blank_ok)
                         for line, cells in table.rows])

    values = {
        "blue": column(blue), "red": column(red),
        "blue_casualties": column(blue_casualties), "red_casualties": column(red_casualties),
    }
    for side in _SIDES:
        _check_values(table.path, lines, side, values[side], values[f"{side}_casualties"])
    gaps = np.diff(np.array(dates, dtype="datetime64[D]")).astype(np.float64)
    days = np.concatenate([gaps, gaps[-1:] if gaps.size else [1.0]])
    data = BattleData(
        name=table.path,
        dates=np.array(dates, dtype="datetime64[D]"),
        days=days,
        blue=values["blue"], red=values["red"],
        blue_casualties=values["blue_casualties"], red_casualties=values["red_casualties"],
        blue_reinforcements=np.nan_to_num(column(reinf["blue"])),
        red_reinforcements=np.nan_to_num(column(reinf["red"])),
        lines=lines,
    )
    return data.completed()


# --------------------------------------------------------------------------- observed series
@dataclass(frozen=True)
class Observations:
    """Observed values of model outputs, in long format.

    Attributes
    ----------
    name : str
        File name or label.
    dates : tuple of datetime.date
    variables : tuple of str
    values : FloatArray
    lines : tuple of int
        Line numbers in the file (empty when built in code).
    sources : tuple of str
        Where each value comes from; ``""`` is the one unnamed source (default: every
        value). Two sources may give the same variable on the same date.
    sd : FloatArray
        Standard deviation of each value's error, in its variable's unit (NaN: not given;
        default: none given).
    low, high : FloatArray
        A range each true value lies in (NaN: no bound on that side; default: none). A row
        with a bound is a range, not a point (:attr:`bounded`).
    """

    name: str
    dates: tuple[dt.date, ...]
    variables: tuple[str, ...]
    values: FloatArray
    lines: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    sd: FloatArray = field(default_factory=lambda: np.empty(0))
    low: FloatArray = field(default_factory=lambda: np.empty(0))
    high: FloatArray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        if not self.sources:
            object.__setattr__(self, "sources", ("",) * len(self.dates))
        if len(self.sources) != len(self.dates):
            raise DataError(f"{self.name}: {len(self.dates)} observations but "
                            f"{len(self.sources)} sources")
        n = len(self.dates)
        for col in UNCERTAINTY_COLUMNS:
            arr = np.asarray(getattr(self, col), dtype=np.float64)
            if arr.size == 0:
                arr = np.full(n, math.nan)
            if arr.shape != (n,):
                raise DataError(f"{self.name}: {n} observations but {arr.size} values of "
                                f"'{col}'")
            object.__setattr__(self, col, arr)
        self._check_uncertainty()

    def _check_uncertainty(self) -> None:
        bad = np.flatnonzero(~(np.isnan(self.sd) | (self.sd >= 0)))
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{self.where(i)}: column 'sd': expected a standard deviation "
                            f">= 0, found {self.sd[i]:g}")
        bad = np.flatnonzero(np.isfinite(self.low) & np.isfinite(self.high)
                             & (self.low > self.high))
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{self.where(i)}: columns 'low', 'high': the range "
                            f"[{self.low[i]:g}, {self.high[i]:g}] ends below its start; "
                            "give low <= high (or one of them alone, for a bound)")

    @property
    def bounded(self) -> BoolArray:
        """Per row: whether it is a range or a bound (``low`` or ``high`` given)."""
        return np.asarray(np.isfinite(self.low) | np.isfinite(self.high), dtype=np.bool_)

    @property
    def has_uncertainty(self) -> bool:
        """Whether any row gives an ``sd``, a ``low`` or a ``high``."""
        return bool(np.isfinite(self.sd).any() or self.bounded.any())

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def names(self) -> list[str]:
        """Distinct variable names, in order of first appearance."""
        return list(dict.fromkeys(self.variables))

    @property
    def series(self) -> list[tuple[str, str]]:
        """Distinct ``(variable, source)`` pairs, in order of first appearance."""
        return list(dict.fromkeys(zip(self.variables, self.sources, strict=True)))

    @classmethod
    def from_records(cls, records: Iterable[tuple[dt.date, str, float]
                                            | tuple[dt.date, str, float, str]],
                     name: str = "<observations>", *,
                     sd: Sequence[float] | FloatArray | None = None,
                     low: Sequence[float] | FloatArray | None = None,
                     high: Sequence[float] | FloatArray | None = None) -> Observations:
        """Build from ``(date, variable, value[, source])`` tuples, checked like a file.

        ``sd``, ``low`` and ``high`` (one entry per record, NaN: not given) are the
        optional uncertainty columns of a file.
        """
        recs = list(records)

        def column(x: Sequence[float] | FloatArray | None) -> FloatArray:
            return np.empty(0) if x is None else np.asarray(x, dtype=np.float64)

        obs = cls(name, tuple(r[0] for r in recs), tuple(r[1] for r in recs),
                  np.array([r[2] for r in recs], dtype=np.float64),
                  sources=tuple(str(r[3]) if len(r) > 3 else "" for r in recs),
                  sd=column(sd), low=column(low), high=column(high))
        obs.check_order()
        return obs

    def where(self, i: int) -> str:
        """``file:line`` of row ``i`` (or ``file: row i``)."""
        return f"{self.name}:{self.lines[i]}" if self.lines else f"{self.name}: row {i + 1}"

    def check_order(self) -> None:
        """Raise DataError unless dates increase strictly within each (variable, source)."""
        last: dict[tuple[str, str], int] = {}
        for i, key in enumerate(zip(self.variables, self.sources, strict=True)):
            j = last.get(key)
            d = self.dates[i]
            if j is not None and d <= self.dates[j]:
                v, src = key
                of = f"'{v}'" + (f" from source '{src}'" if src else "")
                hint = ("Sort by variable, source and date and merge duplicates." if src else
                        "Sort by variable and date and merge duplicates, or, for two sources "
                        "of one variable, name each in a 'source' column.")
                raise DataError(
                    f"{self.where(i)}: dates of {of} must increase strictly; found {d} "
                    f"after {self.dates[j]} ({self.where(j)}). {hint}"
                )
            last[key] = i

    def check_variables(self, known: Sequence[str], *, context: str = "") -> None:
        """Raise DataError naming the first row whose variable is not in ``known``."""
        for i, v in enumerate(self.variables):
            if v not in known:
                raise DataError(
                    f"{self.where(i)}: column 'variable': unknown variable {v!r}"
                    f"{context}.{did_you_mean(v, known)} Valid names: "
                    f"{', '.join(sorted(known))}"
                )

    def subset(self, variable: str, source: str | None = None
               ) -> tuple[list[dt.date], FloatArray]:
        """Dates and values of one variable (of one source, or of all when ``None``)."""
        idx = [i for i, (v, s) in enumerate(zip(self.variables, self.sources, strict=True))
               if v == variable and (source is None or s == source)]
        return [self.dates[i] for i in idx], self.values[idx]

    def take(self, indices: Sequence[int]) -> Observations:
        """Return the observations at ``indices`` (in that order), every column kept."""
        idx = list(indices)
        return Observations(
            self.name, tuple(self.dates[i] for i in idx),
            tuple(self.variables[i] for i in idx), self.values[idx],
            tuple(self.lines[i] for i in idx) if self.lines else (),
            tuple(self.sources[i] for i in idx), self.sd[idx], self.low[idx],
            self.high[idx])


def read_observations(path: str | Path) -> Observations:
    """Read an observed-series CSV with columns ``date, variable, value`` and ``source``.

    The ``source`` column is optional; a blank cell (or no column) is the one unnamed
    source. So are ``sd``, ``low`` and ``high`` (see the module docstring); a blank cell
    says nothing.

    Raises
    ------
    DataError
        On missing columns, bad dates or numbers, blank names, no rows, dates that do not
        increase within a variable and source, a negative ``sd`` or a ``low`` above its
        ``high``; the message names file, line and column.
    """
    table = _read_table(path)
    _require_columns(table, OBSERVED_COLUMNS, "observations are 'date, variable, value' rows")
    if not table.rows:
        raise DataError(f"{table.path}: no data rows after the header")
    has_source = SOURCE_COLUMN in table.header
    dates, names, values, lines, sources = [], [], [], [], []
    extra: dict[str, list[float]] = {c: [] for c in UNCERTAINTY_COLUMNS}
    for line, cells in table.rows:
        for col, got in extra.items():
            got.append(_parse_number(table, line, col, cells[col], blank_ok=True)
                       if col in table.header else math.nan)
        dates.append(_parse_date(table, line, "date", cells["date"]))
        var = cells["variable"]
        if not var:
            raise DataError(f"{table.path}:{line}: column 'variable': expected a model "
                            "output name, found an empty cell")
        names.append(var)
        values.append(_parse_number(table, line, "value", cells["value"], blank_ok=False))
        lines.append(line)
        sources.append(cells[SOURCE_COLUMN] if has_source else "")
    obs = Observations(table.path, tuple(dates), tuple(names), np.array(values), tuple(lines),
                       tuple(sources), *(np.array(extra[c], dtype=np.float64)
                                         for c in UNCERTAINTY_COLUMNS))
    obs.check_order()
    return obs
