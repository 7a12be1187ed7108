"""Tables of past wars for the outside view: UCDP's (shipped) and COW's (the user's copy).

Both become one :class:`WarTable`, a row per war (for UCDP, per dyad-episode) with the
columns the estimators read:

========================  ==============================================================
``id``                    ``"ucdp:<DyadEp>"`` or ``"cow:<WarNum>"``
``name``                  e.g. ``"India – Pakistan, 1965"`` or COW's war name
``start``, ``end``        dates (``end`` missing while the war was still running)
``duration_days``         days from start to end, or to the end of the data if running
``ended``                 whether the war's end is in the data (else it is censored)
``outcome``               one of :data:`OUTCOMES` (empty while running)
``detail``                the dataset's own outcome label (``peace_agreement``, ...)
``interstate``            fought between states only (UCDP type 2; every COW war)
``war_intensity``         1,000 or more battle deaths in a year (every COW war)
``major_power``           a major power (:func:`major_powers`) fought in it
========================  ==============================================================

The outcomes are the competing ways a war ends (``docs/outside-view.md`` gives the mapping
of each dataset's codes): a **settlement** (a peace agreement or a ceasefire), a
**victory** of either side, **petering out** (fighting falls below the dataset's threshold
with no agreement and no victor), or **other** (a party ceases to exist, the war changes
into another kind, or the outcome is unknown).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from detente.errors import DataError
from detente.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COW_COLUMNS", "COW_END", "COW_SHA256", "MAJOR_POWERS_FILE", "OUTCOMES", "OUTCOME_LABELS",
    "UCDP_CITATION", "UCDP_END", "UCDP_FILE", "Outcome", "WarTable", "is_major_power",
    "major_powers", "read_cow", "ucdp_wars",
]

Outcome = Literal["settlement", "victory", "petered_out", "other"]
#: The competing outcomes, in the order tables show them.
OUTCOMES: tuple[Outcome, ...] = ("settlement", "victory", "petered_out", "other")
#: How tables name each outcome.
OUTCOME_LABELS: dict[str, str] = {
    "settlement": "settlement or ceasefire", "victory": "victory of either side",
    "petered_out": "petering out", "other": "other",
}
#: The shipped UCDP table, inside the installed package.
UCDP_FILE = "data/outside_view/ucdp_termination_interstate.csv"
#: Last day UCDP Conflict Termination v2-2015 covers.
UCDP_END = dt.date(2014, 12, 31)
#: How the UCDP table is credited wherever a number from it is shown.
UCDP_CITATION = ("UCDP Conflict Termination Dataset v2-2015 (Kreutz 2010, Journal of Peace "
                 "Research 47(2): 243-250)")
#: Last day COW Inter-State War v4.0 covers (its code -7: ongoing then).
COW_END = dt.date(2007, 12, 31)
#: sha256 of COW's Inter-StateWarData_v4.0.csv (31,698 bytes) as downloaded.
COW_SHA256 = "2535e30b145141c331a07d12d91e498ad8bdd3db32ba8d3bd88c4fda54817731"
#: Columns of COW's Inter-State War data v4.0, in order.
COW_COLUMNS: tuple[str, ...] = (
    "WarNum", "WarName", "WarType", "ccode", "StateName", "Side", "StartMonth1", "StartDay1",
    "StartYear1", "EndMonth1", "EndDay1", "EndYear1", "StartMonth2", "StartDay2",
    "StartYear2", "EndMonth2", "EndDay2", "EndYear2", "TransFrom", "WhereFought",
    "Initiator", "Outcome", "TransTo", "BatDeath", "Version",
)
#: The major powers and their years, inside the installed package (a CSV: code, name,
#: ucdp_name, first_year, last_year), after COW's State System Membership list (v2016).
MAJOR_POWERS_FILE = "data/outside_view/major_powers.csv"
_UCDP_OUTCOMES: dict[str, Outcome] = {
    "peace_agreement": "settlement", "ceasefire": "settlement",
    "victory_side_a": "victory", "victory_side_b": "victory",
    "low_activity": "petered_out", "actor_ceases_to_exist": "other", "missing": "other",
}
_UCDP_COLUMNS = ("dyad_ep", "side_a", "side_b", "interstate", "first_year", "last_year",
                 "max_intensity", "start_date", "ended", "end_date", "observed_days",
                 "outcome", "side_a_2nd", "side_b_2nd", "gwno_a", "gwno_b")
#: COW's outcome codes by what the war-level rule makes of them, in its order of priority.
_COW_WAR_OUTCOMES: tuple[tuple[frozenset[int], str, Outcome | None], ...] = (
    (frozenset({1, 2}), "decisive", "victory"),
    (frozenset({3}), "compromise", "settlement"),
    (frozenset({6}), "stalemate", "settlement"),
    (frozenset({7}), "below war level", "petered_out"),
    (frozenset({4}), "transformed", "other"),
    (frozenset({5}), "ongoing", None),
)
#: Days of a year (for durations given in years).
YEAR_DAYS = DAYS_PER_YEAR


@functools.cache
def major_powers() -> tuple[dict[int, tuple[tuple[int, int], ...]], dict[str, int]]:
    """Return the major powers: years by state code, and codes by UCDP's government names.

    Read once from :data:`MAJOR_POWERS_FILE` (data, not code: the model and analysis code
    name no country).
    """
    path = Path(str(resources.files("detente").joinpath(MAJOR_POWERS_FILE)))
    years: dict[int, list[tuple[int, int]]] = {}
    names: dict[str, int] = {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    for row in csv.DictReader(lines):
        code = int(row["code"])
        years.setdefault(code, []).append((int(row["first_year"]), int(row["last_year"])))
        if row["ucdp_name"]:
            names[row["ucdp_name"]] = code
    return {c: tuple(v) for c, v in years.items()}, names


def is_major_power(code: int, year: int) -> bool:
    """Whether the state with COW code ``code`` counts as a major power in ``year``."""
    return any(lo <= year <= hi for lo, hi in major_powers()[0].get(code, ()))


@dataclass(frozen=True)
class WarTable:
    """Past wars, one row each, with what the base rates read (see the module docstring).

    Attributes
    ----------
    data : pandas.DataFrame
        The wars, in start order.
    source : str
        Where the table comes from, as a citation.
    observed_until : datetime.date
        The last day the dataset covers: a war still running then is censored there.
    unit : str
        What a row is (``"dyad-episode"`` for UCDP, ``"war"`` for COW).
    """

    data: pd.DataFrame
    source: str
    observed_until: dt.date
    unit: str

    def __len__(self) -> int:
        return len(self.data)


# --------------------------------------------------------------------------- UCDP
def _ucdp_name(side_a: str, side_b: str, first: int, last: int) -> str:
    a, b = (s.removeprefix("Government of ").strip() for s in (side_a, side_b))
    years = f"{first}" if first == last else f"{first}–{last}"
    return f"{a} – {b}, {years}"


def _codes(text: str) -> list[int]:
    return [int(float(t)) for t in text.replace(";", ",").split(",") if t.strip()]


def _ucdp_major(row: Mapping[str, str], year: int) -> bool:
    codes = _codes(row["gwno_a"]) + _codes(row["gwno_b"])
    names = [n.strip() for col in ("side_a_2nd", "side_b_2nd", "side_a", "side_b")
             for n in row[col].split(";")]
    by_name = major_powers()[1]
    codes += [by_name[n] for n in names if n in by_name]
    return any(is_major_power(c, year) for c in codes)


def ucdp_wars(path: str | Path | None = None) -> WarTable:
    """Read the UCDP Conflict Termination table of inter-state and internationalised wars.

    Parameters
    ----------
    path : str or Path, optional
        A table in the shipped layout (``ucdp_termination_interstate.csv``); default: the
        one shipped with detente (UCDP v2-2015, 197 dyad-episodes, 1946-2014).

    Returns
    -------
    WarTable
        One row per dyad-episode; the one episode that ended without an end date is left
        out (its duration is unknown).

    Raises
    ------
    DataError
        When the file is missing, lacks a column, or holds a malformed date or number
        (named by file and line).
    """
    import pandas as pd

    where = Path(str(resources.files("detente").joinpath(UCDP_FILE))) if path is None \
        else Path(path)
    rows = _read_csv(where, _UCDP_COLUMNS, what="a UCDP termination table")
    out = []
    for line, row in rows:
        if not row["observed_days"].strip():
            continue  # ended, but UCDP gives no end date: the duration is unknown
        start = _iso(row["start_date"], where, line, "start_date")
        ended = _int(row["ended"], where, line, "ended") == 1
        first, last = (_int(row[c], where, line, c) for c in ("first_year", "last_year"))
        detail = row["outcome"].strip()
        if ended and detail not in _UCDP_OUTCOMES:
            raise DataError(f"{where}:{line}: outcome: expected one of "
                            f"{', '.join(_UCDP_OUTCOMES)} for an ended episode, found "
                            f"{detail!r}")
        out.append({
            "id": f"ucdp:{row['dyad_ep'].strip()}",
            "name": _ucdp_name(row["side_a"], row["side_b"], first, last),
            "start": start,
            "end": _iso(row["end_date"], where, line, "end_date") if ended else None,
            "duration_days": _float(row["observed_days"], where, line, "observed_days"),
            "ended": ended,
            "outcome": _UCDP_OUTCOMES[detail] if ended else "",
            "detail": detail if ended else "running at the end of 2014",
            "interstate": _int(row["interstate"], where, line, "interstate") == 1,
            "war_intensity": _int(row["max_intensity"], where, line, "max_intensity") == 2,
            "major_power": _ucdp_major(row, start.year),
        })
    frame = pd.DataFrame(out)
    return WarTable(frame.sort_values(["start", "id"], kind="stable").reset_index(drop=True),
                    UCDP_CITATION, UCDP_END, "dyad-episode")


# --------------------------------------------------------------------------- COW
def _cow_date(y: int, m: int, d: int) -> dt.date | None:
    """Return a COW date: -7 (ongoing) is the end of the data, other negatives unknown.

    An unknown month is read as June and an unknown day as the 15th (the middle).
    """
    if -7 in (y, m, d):
        return COW_END
    if y < 0:
        return None
    return dt.date(y, 6 if m < 0 else m, 15 if d < 0 else d)


def read_cow(path: str | Path) -> WarTable:
    """Read a copy of the Correlates of War Inter-State War data (v4.0) as wars.

    COW's terms forbid passing the file on, so detente does not ship it: download
    ``Inter-StateWarData_v4.0.csv`` from https://correlatesofwar.org/data-sets/cow-war/.

    Parameters
    ----------
    path : str or Path
        The file as downloaded (bare-CR line ends and no final line end are read as they
        are), or any file in its layout.

    Returns
    -------
    WarTable
        One row per war (COW has one per participant): it starts with its earliest
        participant and ends with its latest, both phases counted, both days included.
        A war coded ongoing (-7) is censored at the end of 2007. Outcome: a victory if any
        participant is coded winner or loser; otherwise a compromise or a stalemate counts
        as a settlement, "continues below war level" as petering out, a transformation as
        other. Every COW war is inter-state and of war intensity; a war has a major power
        when a participant is one (:func:`major_powers`) in its start year.

    Raises
    ------
    DataError
        When the file is missing or not in COW's layout, or a row has a malformed number
        (named by file and line).
    """
    import pandas as pd

    where = Path(path)
    rows = _read_csv(where, COW_COLUMNS, what="COW's Inter-State War data (v4.0)")
    wars: dict[int, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        wars.setdefault(_int(row["WarNum"], where, line, "WarNum"), []).append((line, row))
    out = []
    for num, parts in wars.items():
        spans: list[tuple[dt.date, dt.date]] = []
        codes: set[int] = set()
        states: set[int] = set()
        running = False
        for line, row in parts:
            n = {c: _int(row[c], where, line, c) for c in COW_COLUMNS
                 if c not in ("WarName", "StateName", "TransFrom", "WhereFought")}
            codes.add(n["Outcome"])
            states.add(n["ccode"])
            running = running or -7 in (n["EndYear1"], n["EndYear2"])
            for k in ("1", "2"):
                s = _cow_date(n[f"StartYear{k}"], n[f"StartMonth{k}"], n[f"StartDay{k}"])
                e = _cow_date(n[f"EndYear{k}"], n[f"EndMonth{k}"], n[f"EndDay{k}"])
                if s is not None and e is not None:
                    spans.append((s, e))
        line0 = parts[0][0]
        if not spans:
            raise DataError(f"{where}:{line0}: war {num} has no participant with a known "
                            "start and end year")
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        detail, outcome = next(((label, oc) for cs, label, oc in _COW_WAR_OUTCOMES
                                if codes & cs), ("unknown", "other"))
        ongoing = outcome is None or running
        out.append({
            "id": f"cow:{num}", "name": parts[0][1]["WarName"].strip(), "start": start,
            "end": None if ongoing else end,
            "duration_days": float((end - start).days + 1),
            "ended": not ongoing, "outcome": "" if ongoing else outcome,
            "detail": "ongoing at the end of 2007" if ongoing else detail,
            "interstate": True, "war_intensity": True,
            "major_power": any(is_major_power(c, start.year) for c in states),
        })
    frame = pd.DataFrame(out)
    return WarTable(frame.sort_values(["start", "id"], kind="stable").reset_index(drop=True),
                    f"Correlates of War Inter-State War data, {where.name} (Sarkees and "
                    "Wayman 2010, Resort to War: 1816-2007)", COW_END, "war")


def cow_checksum(path: str | Path) -> str:
    """Return the file's sha256 (compare it with :data:`COW_SHA256`, the v4.0 file's)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- reading
def _read_csv(path: Path, columns: Sequence[str], *, what: str
              ) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV with a header (any line ends), each with its line number."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file (expected {what})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read it ({exc.strerror})") from None
    # COW's file ends its lines with a bare CR; UTF-8 first, Latin-1 for old copies
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise DataError(f"{path}: the file is empty (expected {what})")
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataError(f"{path}:1: expected {what}, with the columns {', '.join(columns)}; "
                        f"missing {', '.join(missing)} (found {', '.join(header) or 'none'})")
    rows = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DataError(f"{path}:{line}: expected {len(header)} cells as in the header, "
                            f"found {len(cells)}")
        rows.append((line, dict(zip(header, cells, strict=True))))
    if not rows:
        raise DataError(f"{path}: no rows after the header (expected {what})")
    return rows


def _int(text: str, path: Path, line: int, column: str) -> int:
    value = _float(text, path, line, column)
    if not value.is_integer():
        raise DataError(f"{path}:{line}: {column}: expected a whole number, found {text!r}")
    return int(value)


def _float(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise DataError(f"{path}:{line}: {column}: expected a number, found {text!r}"
                        ) from None
    if not math.isfinite(value):
        raise DataError(f"{path}:{line}: {column}: expected a finite number, found {text!r}")
    return value


def _iso(text: str, path: Path, line: int, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DataError(f"{path}:{line}: {column}: expected a date YYYY-MM-DD, found "
                        f"{text!r}") from None
