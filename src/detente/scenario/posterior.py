"""Joint posterior draws: a table of parameter values that samples draw whole rows from.

A scenario may name a CSV file beside it (``posterior: {file: NAME.posterior.csv,
weights: weight, note: "..."}``) with one column per parameter (the scenario's names, in
each parameter's file unit) and an optional weight column. Every parameter in the table is
drawn jointly: sample *i* takes one row, drawn with probability proportional to its weight
(:func:`detente.engine.streams.posterior_rows`), so the correlations a calibration found are
kept. The parameter's entry in the scenario still gives its unit and source; its
distribution stays what one distribution is read for (the central run, designs over the
parameters).

:func:`read_posterior` checks the table against the scenario's
:class:`~detente.scenario.table.ParameterTable` and reports every problem located in the
CSV file (line and column); :func:`write_posterior` writes one.

Examples
--------
>>> import numpy as np
>>> draws = PosteriorDraws("p.csv", ("a",), np.array([[1.0], [2.0]]), np.array([0.25, 0.75]))
>>> draws.rows(np.array([0.1, 0.3, 0.9])).tolist()
[0, 1, 1]
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from detente._typing import FloatArray
from detente.errors import InputError, Problem, ScenarioError
from detente.scenario._paths import suggest
from detente.scenario.table import ParameterTable

__all__ = [
    "POSTERIOR_SUFFIX", "WEIGHT_COLUMN", "PosteriorDraws", "read_posterior",
    "write_posterior",
]

#: How the file of a scenario's posterior draws is named beside it (``NAME.posterior.csv``).
POSTERIOR_SUFFIX = ".posterior.csv"
#: The name the weight column is written under.
WEIGHT_COLUMN = "weight"
#: Most problems listed for one table; the rest are counted.
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class PosteriorDraws:
    """Joint draws of some parameters, each row with a weight.

    Attributes
    ----------
    file : str
        The file the draws were read from (or are written to).
    columns : tuple of str
        The parameters, in the table's order.
    values : FloatArray
        Shape ``(n_rows, len(columns))``, in each parameter's file unit.
    weights : FloatArray
        Shape ``(n_rows,)``: each row's probability (non-negative, summing to one).
    note : str
        What the draws are (how they were made), as the scenario states it.
    """

    file: str
    columns: tuple[str, ...]
    values: FloatArray
    weights: FloatArray
    note: str = ""

    def __post_init__(self) -> None:
        if self.values.shape != (self.weights.size, len(self.columns)):
            raise ValueError(f"expected values of shape ({self.weights.size}, "
                             f"{len(self.columns)}), found {self.values.shape}")

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.weights.size)

    def column(self, name: str) -> FloatArray:
        """Return one parameter's values, row by row."""
        return np.asarray(self.values[:, self.columns.index(name)], dtype=np.float64)

    def rows(self, u: FloatArray) -> NDArray[np.intp]:
        """Return the row each uniform(0, 1) draw ``u`` picks (inverse of the weights' CDF).

        A row of weight zero is never picked.
        """
        cdf = np.cumsum(self.weights)
        cdf /= cdf[-1]
        picked = np.searchsorted(cdf, u, side="right")
        return np.minimum(picked, self.n_rows - 1).astype(np.intp)

    def take(self, rows: NDArray[np.intp]) -> dict[str, FloatArray]:
        """Return the values of ``rows``, by parameter (file units)."""
        picked = self.values[rows]
        return {name: np.ascontiguousarray(picked[:, j])
                for j, name in enumerate(self.columns)}

    def mean(self) -> dict[str, float]:
        """Return each parameter's weighted mean."""
        return {name: float(self.weights @ self.values[:, j])
                for j, name in enumerate(self.columns)}


def _cell_columns(line: str) -> list[int]:
    """Return the 1-based column where each cell of a CSV line begins."""
    starts = [1]
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            starts.append(i + 2)
    return starts


class _Log:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int | None, column: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, column, path, message))

    def raise_any(self) -> None:
        if not self.problems:
            return
        found = self.problems
        if len(found) > MAX_PROBLEMS:
            extra = len(found) - MAX_PROBLEMS
            found = [*found[:MAX_PROBLEMS],
                     Problem(self.file, None, None, "", f"... and {extra} more problems")]
        raise ScenarioError(found)


def _bounds(table: ParameterTable, name: str) -> tuple[float, float]:
    """Admissible range of ``name`` in its file unit: the spec's bounds and the prior's."""
    entry = table[name]
    low, high = -math.inf, math.inf
    if entry.low is not None:
        low = entry.low / entry.factor
    if entry.high is not None:
        high = entry.high / entry.factor
    if entry.factor < 0:
        low, high = high, low
    for field, bound in entry.distribution.bounds():
        if field == "low":
            low = max(low, bound)
        elif field == "high":
            high = min(high, bound)
    return low, high


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_posterior(path: str | os.PathLike[str], table: ParameterTable, *,
                   weights: str | None = None, note: str = "",
                   origin: Problem | None = None) -> PosteriorDraws:
    """Read and check a table of posterior draws.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    table : ParameterTable
        The scenario's parameters: each column must be one the scenario states, and each
        value must lie within the parameter's bounds and its distribution's support.
    weights : str, optional
        The weight column (None: every row weighs the same).
    note : str
        What the draws are.
    origin : Problem, optional
        Where the scenario names the file (file, line, column and field): a missing or
        unreadable file is reported there.

    Returns
    -------
    PosteriorDraws
        The draws, weights normalised to sum to one.

    Raises
    ------
    ScenarioError
        With every problem found, each at its line and column of the CSV file: a column
        that is no parameter of the scenario (with a did-you-mean), one it leaves at its
        default, a blank cell, a value that is not a number or lies outside the
        parameter's bounds, a negative or non-finite weight, weights that are all zero,
        no rows; or a missing file.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        where = origin or Problem(file, None, None, "posterior.file", "")
        raise ScenarioError([Problem(where.file, where.line, where.column, where.path,
                                     f"cannot read the posterior draws {file} ({why})")],
                            ) from None
    log = _Log(file)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        log.add(1, 1, "", "expected a header of parameter names, found an empty file")
        log.raise_any()
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    starts = _cell_columns(lines[0])
    stated = {n for n, e in table.items() if not e.is_default}
    columns: list[tuple[int, str]] = []
    weight_at: int | None = None
    for j, name in enumerate(header):
        col = starts[j] if j < len(starts) else None
        if weights is not None and name == weights:
            weight_at = j
        elif name in (c for _, c in columns):
            log.add(1, col, name, f"expected each parameter once, found '{name}' again")
        elif name not in table:
            log.add(1, col, name, "expected a parameter of the scenario, found "
                    f"'{name}'{suggest(name, stated)}")
        elif name not in stated:
            log.add(1, col, name, f"expected a parameter the scenario states; '{name}' is "
                    "held at its default: give it an entry (unit, source) in parameters")
        else:
            columns.append((j, name))
    if weights is not None and weight_at is None:
        log.add(1, 1, "posterior.weights", f"expected a weight column '{weights}' (the "
                f"scenario's posterior.weights), found columns {', '.join(header)}")
    log.raise_any()
    bounds = {name: _bounds(table, name) for _, name in columns}
    values: list[list[float]] = []
    row_weights: list[float] = []
    for k, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = next(csv.reader([line]))
        starts = _cell_columns(line)
        if len(cells) != len(header):
            log.add(k, 1, "", f"expected {len(header)} cells (the header's), found "
                    f"{len(cells)}")
            continue
        row: list[float] = []
        for j, name in columns:
            value = _cell(log, k, starts[j], name, cells[j])
            if value is None:
                continue
            low, high = bounds[name]
            if not low <= value <= high:
                log.add(k, starts[j], name, f"expected a value within [{low:g}, {high:g}] "
                        f"(the parameter's bounds, in its file unit), found {cells[j].strip()}")
            row.append(value)
        w = 1.0
        if weight_at is not None:
            found = _cell(log, k, starts[weight_at], str(weights), cells[weight_at])
            if found is not None and found < 0:
                log.add(k, starts[weight_at], str(weights),
                        f"expected a weight of 0 or more, found {cells[weight_at].strip()}")
            w = found if found is not None else 0.0
        if len(row) == len(columns):
            values.append(row)
            row_weights.append(w)
    log.raise_any()
    if not values:
        log.add(2, 1, "", "expected at least one row of draws, found none")
        log.raise_any()
    w_arr = np.asarray(row_weights, dtype=np.float64)
    if not w_arr.sum() > 0:
        log.add(1, _cell_columns(lines[0])[weight_at or 0], str(weights),
                "expected some weight above 0, found every weight 0")
        log.raise_any()
    return PosteriorDraws(file, tuple(n for _, n in columns),
                          np.asarray(values, dtype=np.float64).reshape(len(values), -1),
                          w_arr / w_arr.sum(), note)


def _cell(log: _Log, line: int, column: int, name: str, text: str) -> float | None:
    if not text.strip():
        log.add(line, column, name, "expected a number, found a blank cell")
        return None
    value = _number(text.strip())
    if value is None:
        log.add(line, column, name, f"expected a finite number, found '{text.strip()}'")
    return value


def write_posterior(path: str | os.PathLike[str], columns: Mapping[str, Sequence[float]
                    | FloatArray], weights: Sequence[float] | FloatArray | None = None, *,
                    weight_column: str = WEIGHT_COLUMN) -> Path:
    """Write a table of posterior draws as CSV (atomically) and return the path.

    Numbers are written exactly (``repr``), so reading the file back gives the same draws.

    Parameters
    ----------
    path : str or path-like
        Destination; its folder must exist.
    columns : mapping of str to array
        Each parameter's values, row by row (file units), all of one length.
    weights : array, optional
        Each row's weight (written as ``weight_column``); None: no weight column.
    weight_column : str
        The weight column's name.

    Raises
    ------
    InputError
        If the columns differ in length, or the file cannot be written.
    """
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()}
    if weights is not None:
        if weight_column in arrays:
            raise InputError(f"a parameter is named like the weight column '{weight_column}'")
        arrays[weight_column] = np.asarray(weights, dtype=np.float64)
    sizes = {a.size for a in arrays.values()}
    if len(sizes) > 1:
        raise InputError(f"the posterior's columns differ in length: {sorted(sizes)}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(arrays))
    writer.writerows(zip(*(map(repr, map(float, a)) for a in arrays.values()), strict=True))
    p = Path(path)
    if not p.parent.is_dir():
        raise InputError(f"{path}: folder {p.parent} does not exist")
    tmp = p.with_name(p.name + ".part")
    try:
        tmp.write_text(buf.getvalue(), encoding="utf-8")
        tmp.replace(p)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the posterior draws ({exc.strerror})",
                         ) from exc
    return p
