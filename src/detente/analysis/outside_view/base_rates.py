"""Base rates of how wars end: P(a war ends within k months | it has lasted d), and how.

:class:`BaseRates` takes the wars of a reference class (:class:`ReferenceClass`: inter-state
only or with internationalised wars, any intensity or war intensity, a period of start
years, with or without a major power) that had lasted at least ``d`` days, and estimates
from them, counting time from day ``d``:

* the probability of ending within each horizon, ``1 - S(k)``, with the Kaplan-Meier
  estimator ``S`` (``lifelines.KaplanMeierFitter``) and its exponential Greenwood
  ("log-log") interval. Fitting on the wars still running at ``d`` is the conditional
  survival ``S(d + k) / S(d)`` of the whole class: the product-limit estimator's risk
  sets after ``d`` are the same;
* the probability of ending *in each way* within each horizon (settlement, victory,
  petering out, other: the competing outcomes of :data:`~.wars.OUTCOMES`), with the
  Aalen-Johansen estimator of the cumulative incidence (``lifelines.AalenJohansenFitter``)
  and its delta-method interval. The incidences add up to the probability of ending;
  Kaplan-Meier with the other outcomes treated as censored would overstate each;
* the list of the comparable wars behind the numbers.

A war still running when its dataset ends is censored there: it counts as at risk until
then and no longer, which a plain share of the wars that ended (the data folder's README
tables) cannot do. Where no war is censored before a horizon, ``1 - S(k)`` is exactly the
share of the class that ended within it.

Where the Greenwood or delta-method interval is undefined (an estimate of exactly 0 or 1:
no war ended, or every war did), the interval is the exact Clopper-Pearson one for 0 (or
n) of the n wars at risk, which needs no variance.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np
from numpy.typing import NDArray

from detente._optional import import_optional
from detente._typing import FloatArray
from detente.analysis._base import Estimator
from detente.analysis.outside_view.wars import (
    OUTCOME_LABELS,
    OUTCOMES,
    YEAR_DAYS,
    WarTable,
    ucdp_wars,
)
from detente.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_LEVEL", "DEFAULT_MONTHS", "MONTH_DAYS", "BaseRates", "ReferenceClass",
    "parse_duration",
]

#: Horizons reported by default, in months from the day the war has lasted to.
DEFAULT_MONTHS: tuple[int, ...] = (12, 24, 36)
#: Level of the intervals.
DEFAULT_LEVEL = 0.95
#: Days of a month (a twelfth of a year).
MONTH_DAYS = YEAR_DAYS / 12
#: Shift that breaks ties between outcomes on one day (Aalen-Johansen needs none), in days.
_TIE_STEP = 1e-6
#: Days added to every time before Aalen-Johansen (its first time's incidence is set to 0).
_AJ_SHIFT = 1.0

Conflicts = Literal["interstate", "with_internationalised"]
Intensity = Literal["any", "war"]
MajorPower = Literal["any", "involved", "not_involved"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dwmy]?)\s*$")
_UNIT_DAYS = {"": 1.0, "d": 1.0, "w": 7.0, "m": MONTH_DAYS, "y": YEAR_DAYS}


def parse_duration(value: float | str | dt.timedelta, *, what: str = "lasted") -> float:
    """Read a duration as days: ``"645d"``, ``"92w"``, ``"21m"``, ``"1.8y"`` or a number.

    A month is a twelfth of a year of 365.25 days.

    Raises
    ------
    InputError
        On anything but a non-negative number with an optional unit d, w, m or y.
    """
    if isinstance(value, dt.timedelta):
        days = value.total_seconds() / 86400.0
    elif isinstance(value, bool):
        raise InputError(f"{what}: expected a duration such as 645d, 21m or 1.8y, found "
                         f"{value!r}")
    elif isinstance(value, int | float):
        days = float(value)
    else:
        m = _DURATION.match(str(value))
        if m is None:
            raise InputError(f"{what}: expected a duration such as 645d, 92w, 21m or 1.8y "
                             f"(days, weeks, months, years), found {value!r}")
        days = float(m.group(1)) * _UNIT_DAYS[m.group(2)]
    if not (math.isfinite(days) and days >= 0):
        raise InputError(f"{what}: expected a duration of 0 days or more, found {value!r}")
    return days


@dataclass(frozen=True)
class ReferenceClass:
    """Which past wars count as comparable.

    Attributes
    ----------
    conflicts : {"interstate", "with_internationalised"}
        Wars between states only, or also civil wars into which another state sent troops
        (UCDP's internationalised intra-state conflicts; COW has none).
    intensity : {"any", "war"}
        Any war of the table, or only those with 1,000 or more battle deaths in a year.
    period : (int or None, int or None)
        First and last start year, both included (None: open).
    major_power : {"any", "involved", "not_involved"}
        Whether a major power must (or must not) have fought in the war.
    """

    conflicts: Conflicts = "interstate"
    intensity: Intensity = "any"
    period: tuple[int | None, int | None] = (None, None)
    major_power: MajorPower = "any"

    def check(self) -> None:
        """Raise InputError on a value outside the options (naming the valid ones)."""
        for name, allowed in (("conflicts", ("interstate", "with_internationalised")),
                              ("intensity", ("any", "war")),
                              ("major_power", ("any", "involved", "not_involved"))):
            if getattr(self, name) not in allowed:
                raise InputError(f"{name}: expected one of {', '.join(allowed)}, found "
                                 f"{getattr(self, name)!r}")
        lo, hi = self.period
        if lo is not None and hi is not None and hi < lo:
            raise InputError(f"period: the last start year ({hi}) is before the first ({lo})")

    def mask(self, wars: WarTable) -> FloatArray:
        """Return a boolean array: which of ``wars`` belong to the class."""
        d = wars.data
        keep = np.ones(len(d), dtype=bool)
        if self.conflicts == "interstate":
            keep &= d["interstate"].to_numpy(dtype=bool)
        if self.intensity == "war":
            keep &= d["war_intensity"].to_numpy(dtype=bool)
        years = np.array([s.year for s in d["start"]], dtype=np.int64)
        lo, hi = self.period
        if lo is not None:
            keep &= years >= lo
        if hi is not None:
            keep &= years <= hi
        if self.major_power != "any":
            major = d["major_power"].to_numpy(dtype=bool)
            keep &= major if self.major_power == "involved" else ~major
        return keep

    def describe(self, unit: str) -> str:
        """Say in words which wars the class holds, e.g. ``"inter-state dyad-episodes"``."""
        kind = ("inter-state" if self.conflicts == "interstate"
                else "inter-state and internationalised")
        words = [kind, f"{unit}s"]
        if self.intensity == "war":
            words.append("at war intensity (1,000+ battle deaths in a year)")
        lo, hi = self.period
        if lo is not None or hi is not None:
            words.append(f"starting {lo or '…'}–{hi or '…'}")
        if self.major_power == "involved":
            words.append("with a major power fighting")
        elif self.major_power == "not_involved":
            words.append("without a major power")
        return " ".join(words)


def _clopper_pearson_zero(n: int, level: float) -> float:
    """Upper bound of the exact interval for 0 successes in ``n`` trials."""
    return 1.0 - ((1.0 - level) / 2.0) ** (1.0 / n) if n > 0 else 1.0


def _untie(times: FloatArray, events: NDArray[np.int64]) -> FloatArray:
    """Separate wars that end on one day in different ways, by a millionth of a day each.

    Aalen-Johansen needs no two outcomes at one time, and lifelines would otherwise jitter
    them with the global NumPy random state. The later ones of a tied group move earlier
    (so that a war censored that day stays at risk for them, as Kaplan-Meier counts it),
    or later when that would go below 0.
    """
    out = times.astype(np.float64).copy()
    ended = np.flatnonzero(events > 0)
    for t in np.unique(times[ended]):
        group = ended[times[ended] == t]
        if len(np.unique(events[group])) < 2:
            continue
        sign = -1.0 if t - (len(group) - 1) * _TIE_STEP >= 0 else 1.0
        out[group] = t + sign * _TIE_STEP * np.arange(len(group))
    return out


def _step_at(frame: pd.DataFrame, t: float) -> FloatArray:
    """Return the row of a step function (indexed by increasing time) in force at ``t``."""
    idx = np.asarray(frame.index, dtype=np.float64)
    k = int(np.searchsorted(idx, t, side="right")) - 1
    return np.asarray(frame.iloc[max(k, 0)].to_numpy(), dtype=np.float64)


class BaseRates(Estimator):
    """Base rates of war termination: P(end within k months | lasted d), and how.

    Parameters
    ----------
    months : sequence of int
        Horizons, in months from day ``d`` (a month is a twelfth of 365.25 days).
    level : float
        Level of the intervals.
    conflicts, intensity, period, major_power
        The reference class (:class:`ReferenceClass`).

    Attributes
    ----------
    lasted_days_ : float
        How long the wars had lasted, in days (``d``).
    reference_ : str
        The reference class in words.
    source_ : str
        The table's citation.
    n_at_risk_ : int
        Comparable wars: those of the class that lasted ``d`` days or more.
    n_unknown_ : int
        Wars of the class censored before ``d`` (still running when the data end, too
        short to tell): they are left out.
    rates_ : pandas.DataFrame
        One row per horizon (index: months): ``years``, ``n_ended`` (wars seen to end
        within it), ``p_end``, ``low``, ``high`` (Kaplan-Meier), and per outcome ``o``:
        ``n_o``, ``p_o``, ``low_o``, ``high_o`` (Aalen-Johansen).
    wars_ : pandas.DataFrame
        The comparable wars: ``id``, ``name``, ``start``, ``duration_days``, ``ended``,
        ``outcome``, ``detail``, ``remaining_days`` (after ``d``) and ``ends_within``
        (the first horizon in months it ended within; NaN if none).
    survival_ : pandas.DataFrame
        Kaplan-Meier ``survival``, ``low``, ``high`` by days after ``d``.
    incidence_ : dict of str to pandas.DataFrame
        Per outcome, the Aalen-Johansen cumulative incidence ``p``, ``low``, ``high`` by
        days after ``d``.

    Examples
    --------
    >>> from detente.analysis.outside_view import BaseRates
    >>> br = BaseRates().fit("645d")                                # doctest: +SKIP
    >>> br.rates_.loc[24, ["p_end", "low", "high"]]                 # doctest: +SKIP
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "lasted_days_", "reference_", "source_", "n_at_risk_", "n_unknown_", "rates_",
        "wars_", "survival_", "incidence_")

    def __init__(self, *, months: Sequence[int] = DEFAULT_MONTHS, level: float = DEFAULT_LEVEL,
                 conflicts: Conflicts = "interstate", intensity: Intensity = "any",
                 period: tuple[int | None, int | None] = (None, None),
                 major_power: MajorPower = "any") -> None:
        self.months = months
        self.level = level
        self.conflicts = conflicts
        self.intensity = intensity
        self.period = period
        self.major_power = major_power

    @property
    def reference_class(self) -> ReferenceClass:
        """The configured reference class."""
        return ReferenceClass(self.conflicts, self.intensity, tuple(self.period),  # type: ignore[arg-type]
                              self.major_power)

    # ------------------------------------------------------------------ fit
    def fit(self, lasted: float | str | dt.timedelta = 0.0, wars: WarTable | None = None
            ) -> Self:
        """Estimate the base rates for wars that had lasted ``lasted``.

        Parameters
        ----------
        lasted : float, str or timedelta
            How long the war has lasted: days, or ``"645d"``, ``"21m"``, ``"1.8y"``.
        wars : WarTable, optional
            The past wars (default: UCDP's, shipped; :func:`~.wars.read_cow` reads COW's).

        Returns
        -------
        BaseRates
            ``self``, fitted.

        Raises
        ------
        InputError
            On a bad configuration or duration, or when no war of the class lasted that
            long (the message says how many wars the class has and the longest).
        MissingDependencyError
            When lifelines (the ``outside`` extra) is not installed.
        """
        import pandas as pd

        lifelines = import_optional("lifelines", extra="outside",
                                    purpose="base rates of war termination")
        self._check_config()
        d = parse_duration(lasted)
        table = ucdp_wars() if wars is None else wars
        ref = self.reference_class
        in_class = table.data[ref.mask(table)]
        if in_class.empty:
            raise InputError(f"no war of {table.source} is in the reference class "
                             f"({ref.describe(table.unit)}); widen it")
        dur = in_class["duration_days"].to_numpy(dtype=np.float64)
        ended = in_class["ended"].to_numpy(dtype=bool)
        at_risk = dur >= d
        unknown = int(np.sum((dur < d) & ~ended))
        if not at_risk.any():
            raise InputError(
                f"no war of the reference class ({ref.describe(table.unit)}, {len(in_class)} "
                f"in {table.source}) lasted {d:g} days; the longest lasted "
                f"{float(dur.max()):g} days. Ask for a shorter duration or widen the class.")
        risk = in_class[at_risk].reset_index(drop=True)
        remaining = risk["duration_days"].to_numpy(dtype=np.float64) - d
        observed = risk["ended"].to_numpy(dtype=bool)
        alpha = 1.0 - self.level
        km = lifelines.KaplanMeierFitter(alpha=alpha).fit(
            remaining, event_observed=observed.astype(np.int64))
        survival = pd.concat([km.survival_function_, km.confidence_interval_], axis=1)
        survival.columns = ["survival", "low", "high"]
        codes = np.array([OUTCOMES.index(o) + 1 if e else 0
                          for o, e in zip(risk["outcome"], observed, strict=True)],
                         dtype=np.int64)
        untied = _untie(remaining, codes)
        incidence: dict[str, pd.DataFrame] = {}
        for k, outcome in enumerate(OUTCOMES, start=1):
            incidence[outcome] = self._incidence(lifelines, untied, codes, k, alpha)
        n = len(risk)
        rows: list[dict[str, Any]] = []
        horizons = [m * MONTH_DAYS for m in self.months]
        for m, h in zip(self.months, horizons, strict=True):
            s, s_lo, s_hi = _step_at(survival, h)
            within = observed & (remaining <= h)
            row: dict[str, Any] = {"months": m, "years": m / 12, "n_at_risk": n,
                                   "n_ended": int(within.sum())}
            row["p_end"], row["low"], row["high"] = self._interval(
                1.0 - s, 1.0 - s_hi, 1.0 - s_lo, n)
            for k, outcome in enumerate(OUTCOMES, start=1):
                p, lo, hi = _step_at(incidence[outcome], h)
                row[f"n_{outcome}"] = int(np.sum(within & (codes == k)))
                row[f"p_{outcome}"], row[f"low_{outcome}"], row[f"high_{outcome}"] = \
                    self._interval(p, lo, hi, n)
            rows.append(row)
        first_within = np.full(n, math.nan)
        for m, h in sorted(zip(self.months, horizons, strict=True), reverse=True):
            first_within[observed & (remaining <= h)] = m
        listing = risk[["id", "name", "start", "duration_days", "ended", "outcome",
                        "detail"]].copy()
        listing["remaining_days"] = remaining
        listing["ends_within"] = first_within
        self.lasted_days_ = d
        self.reference_ = ref.describe(table.unit)
        self.source_ = table.source
        self.n_at_risk_ = n
        self.n_unknown_ = unknown
        self.rates_ = pd.DataFrame(rows).set_index("months")
        self.wars_ = listing.sort_values(["start", "id"], kind="stable").reset_index(drop=True)
        self.survival_ = survival
        self.incidence_ = incidence
        return self

    def _check_config(self) -> None:
        if not 0 < self.level < 1:
            raise InputError(f"level: expected a number strictly between 0 and 1, found "
                             f"{self.level!r}")
        months = list(self.months)
        if not months or any(isinstance(m, bool) or not isinstance(m, int | np.integer)
                             or m <= 0 for m in months):
            raise InputError(f"months: expected positive whole numbers of months, found "
                             f"{months!r}")
        self.reference_class.check()

    @staticmethod
    def _incidence(lifelines: Any, times: FloatArray, codes: Any, k: int, alpha: float
                   ) -> pd.DataFrame:
        import pandas as pd

        if not np.any(codes == k):  # never this way: the incidence is 0 throughout
            return pd.DataFrame({"p": [0.0], "low": [math.nan], "high": [math.nan]},
                                index=pd.Index([0.0]))
        aj = lifelines.AalenJohansenFitter(alpha=alpha, calculate_variance=True)
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            # log(0) in the interval's transform before the first event: NaN, handled
            warnings.simplefilter("ignore", RuntimeWarning)
            # lifelines sets the incidence at the first time of its table to 0, which
            # would drop a war ending on day d itself: fit on times one day later
            aj.fit(times + _AJ_SHIFT, codes, event_of_interest=k)
        # lifelines names its two bounds by where the log-log transform puts them: take
        # the smaller and the larger instead of trusting the names
        ci = aj.confidence_interval_.to_numpy(dtype=np.float64)
        index = np.asarray(aj.cumulative_density_.index, dtype=np.float64) - _AJ_SHIFT
        return pd.DataFrame({"p": aj.cumulative_density_.iloc[:, 0].to_numpy(),
                             "low": np.min(ci, axis=1), "high": np.max(ci, axis=1)},
                            index=pd.Index(index))

    def _interval(self, p: float, lo: float, hi: float, n: int) -> tuple[float, float, float]:
        """Return an estimate and its interval; Clopper-Pearson where it is undefined."""
        p = min(max(float(p), 0.0), 1.0)
        if p <= 0.0:
            return 0.0, 0.0, _clopper_pearson_zero(n, self.level)
        if p >= 1.0:
            return 1.0, 1.0 - _clopper_pearson_zero(n, self.level), 1.0
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            return p, math.nan, math.nan
        return p, max(0.0, lo), min(1.0, hi)

    # ------------------------------------------------------------------ reading
    def probability(self, days: float, outcome: str | None = None
                    ) -> tuple[float, float, float]:
        """P(the war ends within ``days`` after day ``d``), with its interval.

        Parameters
        ----------
        days : float
            The horizon in days from ``d`` (any, not only the configured months).
        outcome : str, optional
            One of :data:`~.wars.OUTCOMES`: the probability of ending that way (the
            cumulative incidence); default: of ending at all.

        Returns
        -------
        (float, float, float)
            Estimate, low and high.
        """
        self.check_is_fitted("calling probability()")
        n = self.n_at_risk_
        if outcome is None:
            s, s_lo, s_hi = _step_at(self.survival_, days)
            return self._interval(1.0 - s, 1.0 - s_hi, 1.0 - s_lo, n)
        if outcome not in self.incidence_:
            raise InputError(f"outcome: expected one of {', '.join(OUTCOMES)}, found "
                             f"{outcome!r}")
        p, lo, hi = _step_at(self.incidence_[outcome], days)
        return self._interval(p, lo, hi, n)

    def to_dict(self) -> dict[str, Any]:
        """Everything the table shows, as plain data (JSON-ready; NaN as None).

        Returns
        -------
        dict
            ``lasted_days``, ``reference``, ``source``, ``level``, ``n_at_risk``,
            ``n_unknown``, ``horizons`` (one entry per horizon: ``months``, ``p_end``,
            ``interval``, ``n_ended`` and ``outcomes`` ``{outcome: {"p", "interval",
            "n"}}``) and ``wars`` (the comparable wars).
        """
        self.check_is_fitted("calling to_dict()")
        horizons = []
        for m, r in self.rates_.iterrows():
            horizons.append({
                "months": int(m), "p_end": _num(r["p_end"]),
                "interval": [_num(r["low"]), _num(r["high"])], "n_ended": int(r["n_ended"]),
                "outcomes": {o: {"label": OUTCOME_LABELS[o], "p": _num(r[f"p_{o}"]),
                                 "interval": [_num(r[f"low_{o}"]), _num(r[f"high_{o}"])],
                                 "n": int(r[f"n_{o}"])} for o in OUTCOMES}})
        wars = [{"id": w["id"], "name": w["name"], "start": w["start"].isoformat(),
                 "duration_days": _num(w["duration_days"]), "ended": bool(w["ended"]),
                 "outcome": w["outcome"] or None, "detail": w["detail"],
                 "ends_within_months": _num(w["ends_within"])}
                for w in self.wars_.to_dict(orient="records")]
        return {"lasted_days": self.lasted_days_, "reference": self.reference_,
                "source": self.source_, "level": self.level, "n_at_risk": self.n_at_risk_,
                "n_unknown": self.n_unknown_, "horizons": horizons, "wars": wars}


def _num(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None
