"""Hindcasts: restart a scenario at past origins, forecast, and score against what happened.

A backtest runs a scenario once, from its start. A hindcast asks the question a forecaster
is judged by: standing at each of many past dates (the *origins*), knowing only what was
known then, what would the model have said 3, 6, 12 months ahead, and how did that compare
with what happened, and with two naive forecasts?

For each origin, :func:`restart` makes a copy of the scenario that starts there:

* **the state at the origin** — every parameter a module declares to be a variable's value
  at the start (:attr:`ParamSpec.initial_of <detente.model.base.ParamSpec.initial_of>`,
  e.g. ``red.territory0`` for ``red.territory``) is taken from the record, the last
  observation on or before the origin no older than :data:`STATE_WINDOW_DAYS` (the first
  source listed in the record when several give it);
* **the rest of the state** — parameters that describe the start but are not observed
  (``initial_of`` without a record, and every ``start_condition``) keep the scenario's
  prior, *widened* because the scenario describes its own as-of date, not the origin:
  each half-width ``h`` of the prior about its mode ``m`` (below and above) becomes
  ``h + widen * years * max(h, min_spread * |m|)``, where ``years`` is the distance from
  the origin to the scenario's as-of date. With ``widen = 1`` a range doubles in width a
  year away; a fixed value ``v`` (no range) gets a PERT of half-width
  ``widen * years * min_spread * |v|`` about itself; every range stays inside the
  parameter's admissible bounds. This is an assumption, not an estimate: it says "the
  further from what the scenario knew, the less it knows", at a rate you choose
  (``widen``, :data:`DEFAULT_WIDEN`; ``min_spread``, :data:`MIN_SPREAD`);
* **everything else** (effectiveness, rates, costs, ...) keeps the scenario's calibration,
  made as of its as-of date. For an origin before that date this is **hindsight**: the
  calibration may rest on what happened after the origin (a front creep calibrated on
  the year before the as-of date, say). Every origin's entry in :attr:`Hindcast.origins_`
  says how many days of hindsight it carries, which state it observed and which it
  widened.

Only what was known at the origin reaches the forecast: the record is cut at the origin
for the state and for the baselines; later observations are only scored.

**What is scored.** For each origin, lead (months) and series (variable and source) of the
record, the observation at the target date ``origin + lead`` (the last one on or before
it, no older than :data:`TARGET_WINDOW_DAYS`, matched to the run at its own date). A
variable counted from the start (:attr:`VariableSpec.from_start
<detente.model.base.VariableSpec.from_start>`, e.g. casualties since the start) is rebased
to the origin: the record's value at the target minus (or, for an index, divided by) its
value at the origin. Continuous variables get coverage of the central bands, CRPS and a
PIT histogram (:func:`detente.analysis.scores.score_continuous`); 0/1 variables (unit
``switch``) Brier and log scores and a reliability table
(:func:`~detente.analysis.scores.score_binary`). Beside the model, two baselines made
from the record up to the origin: **persistence** (the last value: no change) and
**trend** (the least-squares line of the last year, extended), and the model's skill
against each (``1 - score / baseline's score``: above 0 the model beats it). For a count
since the start persistence means "no more", so trend is the baseline that matters there.

**How independent the points are.** Points of one series from nearby origins overlap (a
12-month forecast from June and one from July share eleven months), and each run uses the
same calibration, so n points are worth fewer: each coverage carries the Wilson interval
for the effective number of points (:func:`~detente.analysis.scores.effective_n`, from the
lag-1 autocorrelation of the points' PIT values along the origins), which is still an upper
bound (it ignores the correlation between leads and between variables).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.analysis import scores
from detente.analysis._base import Estimator
from detente.analysis._data import Observations, did_you_mean, read_observations
from detente.analysis.backtest import (
    BASELINES,
    binary_variables,
    check_binary_values,
    check_observed_variables,
    ensemble_at,
    output_variables,
    points_records,
    prepare,
)
from detente.errors import DataError, InputError
from detente.scenario import load_scenario
from detente.scenario.posterior import PosteriorDraws
from detente.scenario.schema import (
    LogNormal,
    Parameter,
    Pert,
    Policy,
    Scenario,
    Triangular,
    TruncNormal,
    Uniform,
)

if TYPE_CHECKING:
    import pandas as pd

    from detente.model.base import VariableSpec

__all__ = [
    "BASELINES", "BUNDLED", "DEFAULT_LEADS", "DEFAULT_WIDEN", "MIN_SPREAD", "STATE_WINDOW_DAYS",
    "TARGET_WINDOW_DAYS", "Hindcast", "StartValue", "add_months", "as_of_date",
    "bundled_record", "check_increasing", "parse_leads", "parse_origins", "record_until",
    "restart", "start_state", "war_began", "widened_parameter",
]

#: Leads scored by default, in months.
DEFAULT_LEADS: tuple[int, ...] = (3, 6, 12)
#: How fast a prior widens with the distance from the scenario's as-of date (per year).
DEFAULT_WIDEN = 1.0
#: Smallest relative half-width a widened prior grows from (a fixed value has none).
MIN_SPREAD = 0.1
#: How old, in days, an observation may be at the origin to give the state there.
STATE_WINDOW_DAYS = 31
#: How long before a target date, in days, an observation may be to be scored for it.
TARGET_WINDOW_DAYS = 15
#: Where built-in scenarios' records are, in the installed package.
BUNDLED = "detente/data/records"
#: Days per year in the distance that sets the widening.
_YEAR_DAYS = 365.25

_STEP = re.compile(r"^(\d+)([dwm])$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


# --------------------------------------------------------------------------- dates
def add_months(date: dt.date, months: int) -> dt.date:
    """Return ``date`` moved by whole calendar months (the day clipped to the month's end).

    >>> add_months(dt.date(2023, 1, 31), 1)
    datetime.date(2023, 2, 28)
    """
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def _parse_date(text: str, what: str) -> dt.date:
    t = text.strip()
    try:
        if _MONTH.match(t):
            return dt.date.fromisoformat(f"{t}-01")
        return dt.date.fromisoformat(t)
    except ValueError:
        raise InputError(f"{what}: expected a date YYYY-MM-DD or a month YYYY-MM (its first "
                         f"day), found {t!r}") from None


def parse_origins(text: str, *, what: str = "origins") -> tuple[dt.date, ...]:
    """Parse origins: dates, months and ranges, separated by commas.

    Parameters
    ----------
    text : str
        Items separated by commas, each a date ``YYYY-MM-DD``, a month ``YYYY-MM`` (its
        first day) or a range ``FIRST..LAST/STEP`` with a step of ``Nm`` months, ``Nw``
        weeks or ``Nd`` days (``/1m`` when left out), both ends included:
        ``2022-06..2023-06/1m`` is the first day of every month from June 2022 to June 2023.
    what : str
        How messages name the input (``--origins`` on the command line).

    Returns
    -------
    tuple of datetime.date
        Strictly increasing.

    Raises
    ------
    InputError
        On a malformed item, a range that ends before it starts, or origins that do not
        increase.
    """
    out: list[dt.date] = []
    items = [t.strip() for t in text.split(",")]
    if not any(items):
        raise InputError(f"{what}: expected dates, months or ranges FIRST..LAST/STEP, found "
                         "nothing")
    for item in items:
        if not item:
            raise InputError(f"{what}: an empty item in {text!r}")
        if ".." not in item:
            out.append(_parse_date(item, what))
            continue
        span, _, step = item.partition("/")
        first_text, _, last_text = span.partition("..")
        first, last = _parse_date(first_text, what), _parse_date(last_text, what)
        if last < first:
            raise InputError(f"{what}: the range {item!r} ends before it starts")
        m = _STEP.match(step.strip() or "1m")
        if m is None or int(m.group(1)) == 0:
            raise InputError(f"{what}: the step of {item!r} must be a positive number of "
                             f"months, weeks or days (1m, 2w, 10d), found {step!r}")
        n, unit = int(m.group(1)), m.group(2)
        k = 0
        while True:
            if unit == "m":
                d = add_months(first, k * n)
            else:
                d = first + dt.timedelta(days=k * n * (7 if unit == "w" else 1))
            if d > last:
                break
            out.append(d)
            k += 1
    check_increasing(out, what)
    return tuple(out)


def check_increasing(origins: Sequence[dt.date], what: str = "origins") -> None:
    """Raise InputError unless ``origins`` increase strictly (naming the first offender)."""
    for i in range(1, len(origins)):
        if origins[i] <= origins[i - 1]:
            raise InputError(f"{what}: origins must increase strictly; found {origins[i]} "
                             f"after {origins[i - 1]} (item {i + 1}). List them in date order, "
                             "each once.")


def parse_leads(leads: str | Sequence[int], *, what: str = "leads") -> tuple[int, ...]:
    """Parse leads in whole months: ``"3,6,12"`` or a sequence of ints.

    Returns
    -------
    tuple of int
        Sorted, each once.

    Raises
    ------
    InputError
        On anything but positive whole numbers.
    """
    items: list[Any] = ([t.strip() for t in leads.split(",")] if isinstance(leads, str)
                        else list(leads))
    out: list[int] = []
    for item in items:
        value = _whole(item)
        if value is None:
            raise InputError(f"{what}: expected whole numbers of months (e.g. 3,6,12), "
                             f"found {item!r}")
        if value <= 0:
            raise InputError(f"{what}: a lead is a positive whole number of months ahead of "
                             f"the origin; found {item!r}")
        out.append(value)
    if not out:
        raise InputError(f"{what}: expected at least one lead in months (e.g. 3,6,12)")
    return tuple(sorted(set(out)))


def _whole(item: Any) -> int | None:
    """``item`` as a whole number (from text or a number), or None."""
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item
    if isinstance(item, float):
        return int(item) if item.is_integer() else None
    if isinstance(item, str) and re.fullmatch(r"[+-]?\d+", item.strip()):
        return int(item)
    return None


def as_of_date(scenario: Scenario) -> dt.date:
    """Return the date a scenario's numbers describe: its declared as-of date, or its start."""
    return scenario.as_of or scenario.time.start


def war_began(scenario: Scenario) -> dt.date | None:
    """Return the date the scenario's war began, where it declares one (else None)."""
    return scenario.time.war_began


def bundled_record(scenario: Scenario | str) -> Path | None:
    """Return the record a built-in scenario ships with, ``detente/data/records/<name>.csv``.

    Returns
    -------
    Path or None
        The file, or None when the scenario has none.
    """
    name = scenario if isinstance(scenario, str) else scenario.name
    path = Path(str(resources.files("detente").joinpath(*BUNDLED.split("/")[1:],
                                                          f"{name}.csv")))
    return path if path.is_file() else None


def _origin_seed(seed: SeedLike, origin: dt.date) -> np.random.SeedSequence:
    """Seed the run at ``origin`` by its date, not by its place in a list of origins."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key,
                                                           origin.toordinal()))


# --------------------------------------------------------------------------- the record
def record_until(record: Observations, date: dt.date) -> Observations:
    """Return the observations dated on or before ``date`` (what was known then)."""
    return record.take([i for i, d in enumerate(record.dates) if d <= date])


def _last_before(record: Observations, variable: str, source: str | None, date: dt.date,
                 window_days: float) -> int | None:
    """Index of the last observation of a series on or before ``date``, within the window."""
    best: int | None = None
    for i, (d, v, s) in enumerate(zip(record.dates, record.variables, record.sources,
                                      strict=True)):
        if v != variable or (source is not None and s != source):
            continue
        if d > date or (date - d).days > window_days:
            continue
        if best is None or d > record.dates[best]:
            best = i
    return best


def _state_observation(record: Observations, variable: str, date: dt.date) -> int | None:
    """Return the row that gives ``variable`` at ``date``: the first source's latest."""
    for var, src in record.series:
        if var == variable:
            i = _last_before(record, variable, src, date, STATE_WINDOW_DAYS)
            if i is not None:
                return i
    return None


# --------------------------------------------------------------------------- restarts
@dataclass(frozen=True)
class StartValue:
    """How a restart sets one parameter that describes the state at the start.

    Attributes
    ----------
    param : str
        The parameter.
    how : {"observed", "widened", "kept"}
        Taken from the record; the prior widened; or kept as it is (a parameter the
        scenario leaves at its default, which switches a mechanism off, or a fixed 0).
    parameter : Parameter
        What the restarted scenario states for it.
    variable : str or None
        The variable it is the start of (``initial_of``), if any.
    date, source : datetime.date or None, str or None
        The observation's date and source (``observed`` only).
    low, high : float or None
        The widened range in the file's unit (``widened`` only).
    """

    param: str
    how: Literal["observed", "widened", "kept"]
    parameter: Parameter
    variable: str | None = None
    date: dt.date | None = None
    source: str | None = None
    low: float | None = None
    high: float | None = None


def _stretch(half: float, mode: float, grow: float, min_spread: float) -> float:
    return half + grow * max(half, min_spread * abs(mode))


def widened_parameter(parameter: Parameter, years: float, *, widen: float = DEFAULT_WIDEN,
                      min_spread: float = MIN_SPREAD,
                      bounds: tuple[float | None, float | None] = (None, None)) -> Parameter:
    """Widen a prior about its mode for a date ``years`` away from what it describes.

    Each half-width ``h`` about the mode ``m`` becomes ``h + widen * years * max(h,
    min_spread * |m|)`` (see the module docstring); the mode, the kind of distribution
    and its shape are kept, the range is clipped to ``bounds``.

    Parameters
    ----------
    parameter : Parameter
        A value or a distribution (in its file unit).
    years : float
        Distance in years (>= 0) from the date the prior describes.
    widen, min_spread : float
        The rate of widening per year and the relative half-width a fixed value (or a
        narrower range) grows from.
    bounds : (float or None, float or None)
        The admissible range in the file unit (None: unbounded).

    Returns
    -------
    Parameter
        The widened parameter (``parameter`` itself when nothing widens: ``years`` or
        ``widen`` is 0, or a fixed 0); a fixed value becomes a PERT.
    """
    grow = widen * abs(years)
    lo_b = -math.inf if bounds[0] is None else bounds[0]
    hi_b = math.inf if bounds[1] is None else bounds[1]
    if grow <= 0:
        return parameter
    d = parameter.dist
    note = (parameter.note + " " if parameter.note else "") + (
        f"[widened for a restart {abs(years):.2f} years from the date it describes]")

    def clip(x: float) -> float:
        return min(max(x, lo_b), hi_b)

    def update(**fields: Any) -> Parameter:
        return parameter.model_copy(update={**fields, "note": note})

    if d is None:
        v = float(parameter.value if parameter.value is not None else 0.0)
        half = _stretch(0.0, v, grow, min_spread)
        low, high = clip(v - half), clip(v + half)
        if not low < high:
            return parameter
        return Parameter.model_validate({"dist": "pert", "low": low, "mode": v, "high": high,
                                         "unit": parameter.unit, "source": parameter.source,
                                         "note": note})
    if isinstance(d, Pert | Triangular):
        m = d.mode
        low = clip(m - _stretch(m - d.low, m, grow, min_spread))
        high = clip(m + _stretch(d.high - m, m, grow, min_spread))
        return update(dist=d.model_copy(update={"low": low, "high": high}))
    if isinstance(d, Uniform):
        m = 0.5 * (d.low + d.high)
        half = _stretch(0.5 * (d.high - d.low), m, grow, min_spread)
        return update(dist=d.model_copy(update={"low": clip(m - half), "high": clip(m + half)}))
    if isinstance(d, TruncNormal):
        m = d.mean
        low = d.low if not math.isfinite(d.low) else m - _stretch(m - d.low, m, grow,
                                                                   min_spread)
        high = d.high if not math.isfinite(d.high) else m + _stretch(d.high - m, m, grow,
                                                                      min_spread)
        return update(dist=d.model_copy(update={
            "sd": _stretch(d.sd, m, grow, min_spread), "low": max(low, lo_b),
            "high": min(high, hi_b)}))
    # log-normal: sigma is a relative spread already
    assert isinstance(d, LogNormal)  # the last kind of distribution
    return update(dist=d.model_copy(update={"sigma": _stretch(d.sigma, 1.0, grow,
                                                               min_spread)}))


def _range(parameter: Parameter) -> tuple[float, float]:
    d = parameter.dist
    if d is None:
        v = float(parameter.value if parameter.value is not None else 0.0)
        return v, v
    return d.support()


def start_state(scenario: Scenario, origin: dt.date, record: Observations, *,
                widen: float = DEFAULT_WIDEN, min_spread: float = MIN_SPREAD
                ) -> dict[str, StartValue]:
    """How a restart at ``origin`` sets each parameter that describes the start.

    Parameters
    ----------
    scenario : Scenario
        The scenario to restart.
    origin : datetime.date
        The new start.
    record : Observations
        Observed model outputs; only those dated on or before ``origin`` are read.
    widen, min_spread : float
        How unobserved priors widen (:func:`widened_parameter`).

    Returns
    -------
    dict of str to StartValue
        By parameter, in module order.

    Raises
    ------
    DataError
        When an observation that gives the state lies outside the parameter's admissible
        range (named by file and line).
    """
    known = record_until(record, origin)
    years = abs((as_of_date(scenario) - origin).days) / _YEAR_DAYS
    table = scenario.table
    out: dict[str, StartValue] = {}
    for module in scenario.enabled_modules:
        for spec in module.params:
            if not spec.describes_start or spec.name not in table:
                continue
            entry = table[spec.name]
            var = spec.initial_variable
            i = _state_observation(known, var, origin) if var is not None else None
            if i is not None:
                value = float(known.values[i])
                if (spec.low is not None and value < spec.low) or (
                        spec.high is not None and value > spec.high):
                    raise DataError(
                        f"{known.where(i)}: {var} = {value:g} cannot start a run: "
                        f"{spec.name} must lie in [{spec.low}, {spec.high}] {spec.unit}")
                src = known.sources[i]
                parameter = Parameter(
                    value=value, unit=spec.unit,
                    source=f"record {known.name}" + (f" ({src})" if src else ""),
                    note=f"{var} observed on {known.dates[i]}, the state at the restart "
                         f"on {origin}")
                out[spec.name] = StartValue(spec.name, "observed", parameter, var,
                                            known.dates[i], src)
                continue
            if entry.parameter is None:  # held at its default: the mechanism is off
                out[spec.name] = StartValue(spec.name, "kept", _default_parameter(entry),
                                            var)
                continue
            factor = entry.factor
            bounds = (None if entry.low is None else entry.low / factor,
                      None if entry.high is None else entry.high / factor)
            wide = widened_parameter(entry.parameter, years, widen=widen,
                                     min_spread=min_spread, bounds=bounds)
            if wide is entry.parameter:
                out[spec.name] = StartValue(spec.name, "kept", wide, var)
                continue
            low, high = _range(wide)
            out[spec.name] = StartValue(spec.name, "widened", wide, var, low=low, high=high)
    return out


def _default_parameter(entry: Any) -> Parameter:
    spec = entry.spec
    return Parameter(value=float(spec.default), unit=spec.unit, source="default")


def restart(scenario: Scenario, origin: dt.date, record: Observations, *,
            widen: float = DEFAULT_WIDEN, months: int = max(DEFAULT_LEADS),
            min_spread: float = MIN_SPREAD, known: dt.date | None = None) -> Scenario:
    """Return a copy of ``scenario`` that starts at ``origin``, in the state recorded then.

    Parameters
    ----------
    scenario : Scenario
        The scenario to restart.
    origin : datetime.date
        The new start date.
    record : Observations
        Observed model outputs; only those on or before ``origin`` are used.
    widen : float
        How fast unobserved priors widen per year away from the scenario's as-of date
        (:func:`widened_parameter`).
    months : int
        The horizon, in months from ``origin`` (the longest lead).
    min_spread : float
        Relative half-width a fixed value's prior grows from.
    known : datetime.date, optional
        What the copy may know of the war's record: its events (those with ``public``)
        publicly known after this date are left out. Default: ``origin`` (a forecast made
        then); a calibration on the record after the origin passes its own as-of date.

    Returns
    -------
    Scenario
        Start ``origin``, horizon ``months``; the state parameters of :func:`start_state`;
        every other parameter, event and policy as in ``scenario`` but the record's events
        not known by ``known``. Its claims are left
        out (they speak of the scenario's own period), and so is its look-ahead
        declaration (``knowledge``): the copy knows what the scenario knew at its as-of
        date, which may be after the origin, and the hindcast says so per origin.
    """
    if months <= 0:
        raise InputError(f"months: the horizon must be a positive number of months, "
                         f"found {months}")
    began = war_began(scenario)
    if began is not None and origin < began:
        raise InputError(f"origin {origin} is before the war began ({began}, time.war_began "
                         f"of scenario '{scenario.name}'): there is no war to restart")
    state = start_state(scenario, origin, record, widen=widen, min_spread=min_spread)
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    end = add_months(origin, months)
    steps = max(1, math.ceil((end - origin).days / scenario.time.step_days - 1e-9))
    data["time"] = {**data["time"], "start": origin, "horizon_steps": steps}
    # the copy knows what the scenario knew at its as-of date, which may be after the
    # origin: no look-ahead declaration fits it, and the hindcast reports that hindsight
    # per origin instead (Hindcast.origins_)
    data.pop("knowledge", None)
    params = dict(data["parameters"])
    for name, sv in state.items():
        if sv.how != "kept":
            params[name] = sv.parameter.model_dump(by_alias=True, exclude_none=True)
    data["parameters"] = params
    # the record's events a forecast made on the origin could not know are left out
    seen = origin if known is None else known
    data["events"] = {name: data["events"][name] for name, ev in scenario.events.items()
                      if ev.known_on(seen)}
    data["claims"] = {}
    data["description"] = (f"{scenario.description} Restarted on {origin} from the record "
                           "at that date.").strip()
    # joint posterior draws stay with the copy, but not for what the record now sets
    draws = scenario.draws
    replaced = {name for name, sv in state.items() if sv.how != "kept"}
    keep = [] if draws is None else [i for i, c in enumerate(draws.columns)
                                     if c not in replaced]
    if not keep:
        data.pop("posterior", None)
    out = Scenario.model_validate(data)
    if draws is not None and keep:
        out.__dict__["draws"] = PosteriorDraws(
            draws.file, tuple(draws.columns[i] for i in keep), draws.values[:, keep],
            draws.weights, draws.note)
    return out


# --------------------------------------------------------------------------- the estimator
@dataclass
class _Point:
    origin: dt.date
    lead: int
    target: dt.date
    date: dt.date
    variable: str
    source: str
    value: float
    origin_value: float
    ens: FloatArray
    persistence: float
    trend: float


class Hindcast(Estimator):
    """Restart a scenario at past origins and score its forecasts at several leads.

    Parameters
    ----------
    n_samples : int
        Ensemble size at each origin.
    seed : int, SeedSequence or None
        Root seed; the run at each origin is keyed by its date, so a forecast does not
        depend on which other origins are run.
    policy : str, optional
        Policy to run (default: the scenario's first; ``actual`` with a policy path).
    levels : sequence of float
        Central band levels whose coverage is scored.
    leads : str or sequence of int
        Leads in months (``"3,6,12"``).
    widen : float
        How fast unobserved state priors widen per year from the scenario's as-of date
        (:func:`widened_parameter`).
    processes : int
        Worker processes of each run.

    Attributes
    ----------
    scores_ : dict
        ``{lead: {variable: {"kind", **summary, "sources": {source: summary}}}}``, the
        summary of all the variable's points and of each source's, as
        :attr:`Backtest.scores_ <detente.analysis.Backtest.scores_>` has them: for a
        continuous variable that of :func:`~detente.analysis.scores.score_continuous`
        (``n``, ``n_eff``, ``coverage`` keyed by level tag, ``crps``, ``baselines``,
        ``pit_hist``), for a 0/1 variable that of
        :func:`~detente.analysis.scores.score_binary`.
    table_ : pandas.DataFrame
        One row per scored point (origin, lead, variable, source): the target date, the
        observation's date and value (rebased for a count from the start), the value at
        the origin, the ensemble's median and band edges, inside flags, PIT and CRPS (or,
        for 0/1 variables, the probability, Brier and log scores), the baselines'
        forecasts and their scores.
    origins_ : list of dict
        Per origin: its date, the scenario's as-of date, the days of hindsight (the
        calibration's as-of date minus the origin; negative: none), how each state
        parameter was set (observed from the record, widened, or kept), and for each of
        the war's recorded events (``public`` set) whether the origin knew it
        (``record_events``; a restart from the origin runs only those it knew).
    excluded_ : list of dict
        Points that could not be scored (origin, lead, variable, source, reason).
    leads_ : tuple of int
        The leads, in months.
    policy_ : str
        The policy that was run.
    record_ : str
        The record's file name (or label).
    scenario_ : str
        The name of the scenario that was restarted.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "scores_", "table_", "origins_", "excluded_", "leads_", "policy_", "record_",
        "scenario_")

    def __init__(
        self,
        *,
        n_samples: int = 1000,
        seed: SeedLike = 0,
        policy: str | None = None,
        levels: Sequence[float] = scores.DEFAULT_LEVELS,
        leads: str | Sequence[int] = DEFAULT_LEADS,
        widen: float = DEFAULT_WIDEN,
        processes: int = 1,
    ) -> None:
        self.n_samples = n_samples
        self.seed = seed
        self.policy = policy
        self.levels = levels
        self.leads = leads
        self.widen = widen
        self.processes = processes

    # ------------------------------------------------------------------ fit
    def fit(self, scenario: Scenario | str, observed: Observations | str | Path | None,
            origins: str | Sequence[dt.date], policy_path: Policy | str | Path | None = None
            ) -> Self:
        """Restart ``scenario`` at each origin, forecast each lead, and score.

        Parameters
        ----------
        scenario : Scenario or str
            A scenario, a built-in name or a file path.
        observed : Observations, str, Path or None
            The record: observations, or a CSV of ``date, variable, value[, source]``
            rows; None: the scenario's bundled record (:func:`bundled_record`).
        origins : str or sequence of datetime.date
            The origins (:func:`parse_origins`), in increasing order.
        policy_path : Policy, str or Path, optional
            What actually happened, as a policy overlay (or a YAML file of one); run as the
            policy ``actual``.

        Returns
        -------
        Hindcast
            ``self``, fitted.

        Raises
        ------
        InputError
            On bad configuration or origins: a lead that is not a positive whole number of
            months, origins out of order, an origin before the war began (or before the
            record starts) or after the record ends.
        DataError
            On a record that does not fit the scenario (an unknown variable, named by file
            and line).
        """
        from detente.engine import simulate

        self._check_config()
        leads = parse_leads(self.leads)
        sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
        bundled = bundled_record(sc)
        if observed is None:
            if bundled is None:
                raise InputError(f"scenario '{sc.name}' has no bundled record; give the "
                                 "observed record (a CSV of date, variable, value[, source])")
            observed = bundled
        record = observed if isinstance(observed, Observations) else read_observations(
            observed)
        label = (f"{BUNDLED}/{bundled.name} (bundled with detente)" if bundled is not None
                 and Path(record.name).resolve() == bundled.resolve() else record.name)
        sc, _, policy = prepare(sc, record, policy_path, self.policy)
        check_observed_variables(record, sc)
        binary = binary_variables(sc)
        check_binary_values(record, binary)
        pol = policy or next(iter(sc.policies))
        if pol not in sc.policies:
            raise InputError(f"unknown policy {pol!r}; scenario '{sc.name}' defines: "
                             f"{', '.join(sc.policies)}.{did_you_mean(pol, sc.policies)}")
        dates = parse_origins(origins) if isinstance(origins, str) else tuple(origins)
        check_increasing(dates)
        self._check_origins(sc, record, dates)
        specs = output_variables(sc)
        names = record.names
        root = (self.seed if isinstance(self.seed, np.random.SeedSequence)
                else np.random.SeedSequence(self.seed))
        points: list[_Point] = []
        excluded: list[dict[str, Any]] = []
        origins_info: list[dict[str, Any]] = []
        for origin in dates:
            state = start_state(sc, origin, record, widen=self.widen)
            origins_info.append(_origin_entry(sc, origin, state))
            rs = restart(sc, origin, record, widen=self.widen, months=max(leads))
            targets, pending = self._targets(record, specs, origin, leads, excluded)
            if not pending:
                continue
            res = simulate(rs, n_samples=self.n_samples, seed=_origin_seed(root, origin),
                           policies=[pol], record=names, processes=self.processes)
            ens = ensemble_at(res, targets, pol)
            known = record_until(record, origin)
            for k, (lead, target, i, i0) in enumerate(pending):
                points.append(_point(known, specs[record.variables[i]], origin, lead, target,
                                     record, i, i0, ens[k]))
        self.table_, self.scores_ = self._score(points, binary, names, leads)
        self.origins_ = origins_info
        self.excluded_ = excluded
        self.leads_ = leads
        self.policy_ = pol
        self.record_ = label
        self.scenario_ = sc.name
        return self

    def _check_config(self) -> None:
        for lv in self.levels:
            if not 0 < lv < 1:
                raise InputError(f"band levels must lie strictly between 0 and 1, found {lv}")
        if not (isinstance(self.n_samples, int) and self.n_samples >= 1):
            raise InputError(f"n_samples must be a positive integer, found {self.n_samples!r}")
        if not (math.isfinite(self.widen) and self.widen >= 0):
            raise InputError(f"widen must be a number >= 0 (per year), found {self.widen!r}")

    @staticmethod
    def _check_origins(sc: Scenario, record: Observations, origins: Sequence[dt.date]
                       ) -> None:
        if not origins:
            raise InputError("origins: expected at least one origin")
        first, last = min(record.dates), max(record.dates)
        began = war_began(sc)
        for o in origins:
            if began is not None and o < began:
                raise InputError(f"origins: {o} is before the war began ({began}, "
                                 f"time.war_began of scenario '{sc.name}'): there is no war "
                                 "to restart")
            if o < first:
                raise InputError(f"origins: {o} is before the record starts ({first}, "
                                 f"{record.name}): nothing is known of the state then")
            if o > last:
                raise InputError(f"origins: {o} is after the record ends ({last}, "
                                 f"{record.name}): no forecast from it could be scored")

    @staticmethod
    def _targets(record: Observations, specs: Mapping[str, VariableSpec], origin: dt.date,
                 leads: Sequence[int], excluded: list[dict[str, Any]]
                 ) -> tuple[Observations, list[tuple[int, dt.date, int, int | None]]]:
        """Return the observations to score from ``origin``: (lead, target, row, origin row)."""
        pending: list[tuple[int, dt.date, int, int | None]] = []
        for var, src in record.series:
            rebased = specs[var].from_start is not None
            i0 = _last_before(record, var, src, origin, STATE_WINDOW_DAYS)
            last = max(d for d, v, s in zip(record.dates, record.variables, record.sources,
                                            strict=True) if v == var and s == src)
            for lead in leads:
                target = add_months(origin, lead)
                i = _last_before(record, var, src, target, TARGET_WINDOW_DAYS)
                reason = None
                if target > last:
                    reason = "beyond the record"
                elif i is None or record.dates[i] <= origin:
                    reason = f"no observation in the {TARGET_WINDOW_DAYS} days before the target"
                elif rebased and i0 is None:
                    reason = ("counted from the start, and nothing observed at the origin to "
                              "rebase to")
                elif specs[var].from_start == "ratio" and i0 is not None \
                        and record.values[i0] == 0:
                    reason = "an index relative to the start, and 0 at the origin"
                if reason is not None or i is None:
                    excluded.append({"origin": origin, "lead": lead, "target": target,
                                     "variable": var, "source": src, "reason": reason})
                    continue
                pending.append((lead, target, i, i0))
        rows = [i for _, _, i, _ in pending]
        targets = Observations(record.name, tuple(record.dates[i] for i in rows),
                               tuple(record.variables[i] for i in rows), record.values[rows])
        return targets, pending

    def _score(self, points: Sequence[_Point], binary: Set[str], names: Sequence[str],
               leads: Sequence[int]) -> tuple[pd.DataFrame, dict[int, dict[str, Any]]]:
        """Build the per-point table and the summaries per lead, variable and source."""
        import pandas as pd

        # by lead, variable (in the record's order), source, then origin: the order in
        # which effective_n pairs consecutive points of one series
        rank = {v: i for i, v in enumerate(names)}
        points = sorted(points, key=lambda p: (p.lead, rank[p.variable], p.source, p.origin))
        n = len(points)
        y = np.array([p.value for p in points], dtype=np.float64)
        ens = (np.stack([p.ens for p in points]) if n
               else np.empty((0, self.n_samples)))
        is_bin = np.array([p.variable in binary for p in points], dtype=bool)
        cont = ~is_bin
        per_point = scores.point_columns(ens, y, is_bin, levels=self.levels,
                                         rng=np.random.default_rng(self.seed))
        prob, members, pit_v = per_point["p"], per_point.pop("members"), per_point["pit"]
        base = {b: np.array([getattr(p, b) for p in points], dtype=np.float64)
                for b in BASELINES}
        for b in BASELINES:  # a baseline forecast of a 0/1 variable is a probability
            base[b][is_bin] = np.clip(base[b][is_bin], 0.0, 1.0)
        columns: dict[str, Any] = {
            "origin": [p.origin for p in points], "lead": [p.lead for p in points],
            "target": [p.target for p in points], "date": [p.date for p in points],
            "variable": [p.variable for p in points], "source": [p.source for p in points],
            "kind": np.where(is_bin, "binary", "continuous"), "value": y,
            "origin_value": np.array([p.origin_value for p in points], dtype=np.float64),
            **per_point}
        for b in BASELINES:
            # a baseline is a point forecast: its CRPS is its absolute error
            columns[b] = base[b]
            columns[f"crps_{b}"] = np.where(cont, np.abs(base[b] - y), math.nan)
            columns[f"brier_{b}"] = np.where(is_bin, (base[b] - y) ** 2, math.nan)
        table = pd.DataFrame(columns)

        def summary(idx: Sequence[int], binary_var: bool) -> dict[str, Any]:
            sel = np.asarray(idx, dtype=np.int64)
            bl = {b: base[b][sel] for b in BASELINES}
            if binary_var:
                return scores.score_binary(prob[sel], y[sel], baselines=bl,
                                           n_members=members[sel])
            keys = list(dict.fromkeys(points[k].source for k in idx))
            groups = np.array([keys.index(points[k].source) for k in idx], dtype=np.int64)
            out = scores.score_continuous(
                ens[sel], y[sel], levels=self.levels, baselines=bl,
                rng=np.random.default_rng(self.seed), groups=groups, pit_values=pit_v[sel])
            out["coverage"] = {scores.level_tag(lv): c for lv, c in out["coverage"].items()}
            return out

        summaries: dict[int, dict[str, Any]] = {}
        for lead in leads:
            per_var: dict[str, Any] = {}
            for var in names:
                idx = [k for k, p in enumerate(points) if p.lead == lead and p.variable == var]
                if not idx:
                    continue
                binary_var = var in binary
                sources = list(dict.fromkeys(points[k].source for k in idx))
                per_var[var] = {
                    "kind": "binary" if binary_var else "continuous",
                    **summary(idx, binary_var),
                    "sources": {src: summary([k for k in idx if points[k].source == src],
                                             binary_var) for src in sources}}
            summaries[lead] = per_var
        return table, summaries

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """Everything the table shows, and every point, as plain data (JSON-ready).

        Returns
        -------
        dict
            ``scenario``, ``record``, ``policy``, ``leads``, ``levels``, ``n_samples``,
            ``widen``;
            ``origins`` (:attr:`origins_`, dates as ISO text); ``scores``
            ``{lead: {variable: summary}}`` with coverage keyed by level (``"80"``);
            ``excluded`` (a count per reason) and ``points`` (:attr:`table_`'s rows).
        """
        self.check_is_fitted("calling to_dict()")
        reasons: dict[str, int] = {}
        for e in self.excluded_:
            reasons[e["reason"]] = reasons.get(e["reason"], 0) + 1
        return {
            "scenario": self.scenario_, "record": self.record_, "policy": self.policy_,
            "leads": list(self.leads_), "levels": [scores.level_tag(lv) for lv in self.levels],
            "n_samples": self.n_samples, "widen": self.widen, "baselines": list(BASELINES),
            "origins": [_plain(o) for o in self.origins_],
            "scores": {str(lead): _plain(per) for lead, per in self.scores_.items()},
            "excluded": {"count": len(self.excluded_), "reasons": reasons},
            "points": points_records(self.table_),
        }


def _point(known: Observations, spec: VariableSpec, origin: dt.date, lead: int,
           target: dt.date, record: Observations, i: int, i0: int | None, ens: FloatArray
           ) -> _Point:
    """One scored point: the observation, its baselines from ``known``, rebased if counted."""
    var, src = record.variables[i], record.sources[i]
    dates, values = known.subset(var, src)
    y, date = float(record.values[i]), record.dates[i]
    per = float(scores.persistence(dates, values, origin, [date])[0])
    tr = float(scores.trend(dates, values, origin, [date])[0])
    y0 = float(record.values[i0]) if i0 is not None else math.nan
    if spec.from_start == "difference":
        y, per, tr = y - y0, per - y0, tr - y0
    elif spec.from_start == "ratio":
        y, per, tr = y / y0, per / y0, tr / y0
    return _Point(origin, lead, target, date, var, src, y, y0, np.asarray(ens), per, tr)


def _origin_entry(sc: Scenario, origin: dt.date, state: Mapping[str, StartValue]
                  ) -> dict[str, Any]:
    as_of = as_of_date(sc)
    return {
        "origin": origin, "as_of": as_of, "hindsight_days": (as_of - origin).days,
        "observed": {n: {"variable": s.variable, "value": s.parameter.value, "date": s.date,
                         "source": s.source}
                     for n, s in state.items() if s.how == "observed"},
        "widened": {n: {"low": s.low, "high": s.high, "unit": s.parameter.unit}
                    for n, s in state.items() if s.how == "widened"},
        "kept": [n for n, s in state.items() if s.how == "kept"],
        # the war's recorded events (with a public date) a forecast from the origin knows
        "record_events": {name: ev.known_on(origin) for name, ev in sc.events.items()
                          if ev.public is not None},
    }


def _plain(obj: Any) -> Any:
    """Dates as ISO text, NumPy scalars as Python numbers, recursively."""
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj
