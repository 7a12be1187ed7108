"""The facts table: sourced values, each with the date it refers to and the date it was public.

The bundled table ``data/facts-2023.csv`` has one row per fact, read by column name:
``key, value, unit, as_of, published, source, confidence, note``. ``as_of`` is the date the
value refers to and ``published`` the date it was first public; both are written
``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (a period, checked at its last day, which is the
conservative reading both for "public by" and for "refers to a date up to"), or blank when
unknown. Some cells of ``as_of`` carry words as well (``2023 (mid/late)``, ``2023-09 /
2024-01``); the latest date written in a cell is the one that counts.

:func:`bundled_facts` reads the bundled table once; :meth:`FactTable.read` and
:meth:`FactTable.from_text` read another (a test's small table, say) with the same rules.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from detente.errors import DataError

__all__ = ["FACT_COLUMNS", "Fact", "FactTable", "PartialDate", "bundled_facts",
           "latest_date"]

#: The columns of a facts table, in the bundled file's order; ``key`` is required, any
#: other missing column reads as blank.
FACT_COLUMNS = ("key", "value", "unit", "as_of", "published", "source", "confidence", "note")
#: Where the bundled table lives, inside the package.
BUNDLED = "data/facts-2023.csv"

_PARTIAL_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
#: A date written inside free text: a four-digit year, optionally -MM and -DD.
_IN_TEXT_RE = re.compile(r"(?<![\d-])(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d-])")
_FORMS = "a date YYYY-MM-DD, a month YYYY-MM or a year YYYY"


@dataclass(frozen=True)
class PartialDate:
    """A day, a month or a year: a date known to the precision it was written with.

    Parameters
    ----------
    year : int
        The year (1 to 9999).
    month : int, optional
        The month (1 to 12), when known.
    day : int, optional
        The day of the month, when known (needs ``month``).

    Examples
    --------
    >>> PartialDate.parse("2023-11").last
    datetime.date(2023, 11, 30)
    >>> str(PartialDate.parse(1966))
    '1966'
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # raises ValueError for a year, month or day out of range (0 included)
        dt.date(self.year, 1 if self.month is None else self.month,
                1 if self.day is None else self.day)

    @property
    def first(self) -> dt.date:
        """The first day of the period."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        """The last day of the period: the day by which all of it has passed."""
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is None:
            return dt.date(self.year, self.month,
                           calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, self.month, self.day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Read a date, a month or a year as a file writes it.

        Parameters
        ----------
        value : date, datetime, int or str
            ``2023-11-03`` (a date, or text), ``"2023-11"``, ``2023`` or ``"2023"``.

        Raises
        ------
        ValueError
            If ``value`` is none of these, or names no real day (``2023-02-30``).
        """
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"expected {_FORMS}, found {_shown(value)}")
        m = _PARTIAL_RE.match(value.strip())
        if m is None:
            raise ValueError(f"expected {_FORMS}, found {_shown(value)}")
        year, month, day = (int(g) if g is not None else None for g in m.groups())
        try:
            return cls(int(year or 0), month, day)
        except ValueError as exc:
            raise ValueError(f"expected {_FORMS}, found {_shown(value)} ({exc})") from None


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    return type(value).__name__ if isinstance(value, list | dict) else str(value)


def latest_date(text: str) -> PartialDate | None:
    """Return the latest date written in ``text`` (by its last day), or None when none is.

    A cell such as ``2023-09 / 2024-01`` refers to both dates; the later one is the
    conservative reading of "refers to a date up to" and of "public by".
    """
    best: PartialDate | None = None
    for m in _IN_TEXT_RE.finditer(text):
        year, month, day = (int(g) if g is not None else None for g in m.groups())
        try:
            found = PartialDate(int(year or 0), month, day)
        except ValueError:
            continue
        if best is None or found.last > best.last:
            best = found
    return best


@dataclass(frozen=True)
class Fact:
    """One row of a facts table, every cell as written.

    Attributes
    ----------
    key, value, unit, source, confidence, note : str
        The row's cells.
    as_of : str
        The date the value refers to, as written (blank when unknown).
    published : str
        The date the value was first public, as written (blank when unknown).
    """

    key: str
    value: str = ""
    unit: str = ""
    as_of: str = ""
    published: str = ""
    source: str = ""
    confidence: str = ""
    note: str = ""

    @property
    def refers_to(self) -> PartialDate | None:
        """The date the value refers to (the latest written in ``as_of``); None: unknown."""
        return latest_date(self.as_of)

    @property
    def public_on(self) -> PartialDate | None:
        """The date the value was first public (the latest in ``published``); None: unknown."""
        return latest_date(self.published)


class FactTable(Mapping[str, Fact]):
    """A facts table: its rows by key, read by column name.

    Parameters
    ----------
    facts : iterable of Fact
        The rows; a key given twice keeps its first row.
    name : str
        What messages call the table (its file name).
    """

    def __init__(self, facts: Mapping[str, Fact] | list[Fact], *,
                 name: str = BUNDLED) -> None:
        rows = list(facts.values()) if isinstance(facts, Mapping) else list(facts)
        self._rows: dict[str, Fact] = {}
        for fact in rows:
            self._rows.setdefault(fact.key, fact)
        self.name = name

    def __getitem__(self, key: str) -> Fact:
        return self._rows[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"FactTable({self.name!r}, {len(self)} facts)"

    @property
    def has_published(self) -> bool:
        """Whether any row gives the date its value was first public."""
        return any(f.published.strip() for f in self._rows.values())

    @classmethod
    def from_text(cls, text: str, *, name: str = "<facts>") -> FactTable:
        """Read a table from CSV text with a header row (columns by name, in any order).

        Raises
        ------
        DataError
            If the text has no ``key`` column.
        """
        reader = csv.DictReader(io.StringIO(text))
        columns = [c.strip() for c in reader.fieldnames or []]
        if "key" not in columns:
            raise DataError(f"{name}: expected a header row with a 'key' column (columns: "
                            f"{', '.join(FACT_COLUMNS)}), found "
                            f"{', '.join(columns) if columns else 'no header'}")
        rows = []
        for raw in reader:
            cells = {str(k).strip(): (v or "").strip() for k, v in raw.items()
                     if k is not None and isinstance(v, str)}
            if cells.get("key"):
                rows.append(Fact(**{c: cells.get(c, "") for c in FACT_COLUMNS}))
        return cls(rows, name=name)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> FactTable:
        """Read a table from a CSV file.

        Raises
        ------
        DataError
            If the file cannot be read, is not UTF-8, or has no ``key`` column.
        """
        p = Path(path)
        try:
            text = p.read_text("utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{p}: expected UTF-8 text") from None
        except OSError as exc:
            raise DataError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
        return cls.from_text(text, name=str(p))


@lru_cache(maxsize=1)
def bundled_facts() -> FactTable:
    """Return the bundled facts table, ``data/facts-2023.csv`` (read once)."""
    text = resources.files("detente").joinpath(BUNDLED).read_text("utf-8")
    return FactTable.from_text(text, name=BUNDLED)
