"""Claims: an argument's statements as tests on model outputs, with verdicts and odds.

A scenario's ``claims`` (see :class:`~detente.scenario.schema.Claim`) each state a test
that holds or fails in every sample of an ensemble. A claim's **probability** is the share
of samples in which its test holds (among those its ``given`` selects), with a 90 %
interval for the finite ensemble (Jeffreys for a share; a paired bootstrap over samples for
differences between policies). The **verdict** follows from the claim's modal word
(:data:`MODAL_RULES`: "will" needs near-certainty, "may" a real possibility, "never" a
remote chance), or from configurable thresholds: ``supported`` at or above ``supported``
(0.8), ``refuted`` at or below ``refuted`` (0.2), ``contested`` between; ``untestable``
(with a reason) when the model cannot test it.

What a verdict **hinges on**:

* the parameters with the largest total-order Sobol indices of the claim's per-sample
  indicator, each at least 0.05 beyond its error (a Saltelli design run chunk by chunk
  through :func:`~detente.analysis.sensitivity.run_chunk`, indices by SALib); an order
  the intervals do not resolve is said in the notes, and a claim the same in every sample
  says it hinges on nothing within the ranges;
* a PRIM box (EMA Workbench, optional extra ``[discovery]``) in the ensemble's parameter
  space where the claim fails, e.g. ``"fails when blue.shell_production < 2.1e6 rounds/year"``.

Metrics and ``given`` conditions name what a side or supporter owns as ``owner.name``
(``blue.casualties_cum``, ``red.effectiveness``), as the model and the scenario file do.

Examples
--------
>>> import detente as dt
>>> ev = dt.Claims(hinges=()).fit("mywar.yaml", n_samples=1000, seed=0)    # doctest: +SKIP
>>> [(c.id, c.verdict, round(c.probability, 2)) for c in ev.claims_]       # doctest: +SKIP

An ensemble already run (it carries its scenario) is judged as it is:

>>> res = dt.simulate("mywar.yaml", n_samples=1000, seed=0)                # doctest: +SKIP
>>> dt.Claims(hinges=()).fit(res).table_                                   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from detente._optional import import_optional
from detente._typing import BoolArray, FloatArray, SeedLike
from detente.analysis import discovery
from detente.analysis._base import Estimator, as_scenario, check_names
from detente.analysis._design import unit_to_file_units
from detente.analysis._outputs import (
    OutputReader,
    TimeRef,
    UntestableError,
    record_for,
    scenario_expr,
    uncertain_parameters,
)
from detente.analysis.discovery import MIN_CASES, Prim
from detente.analysis.sensitivity import Sobol, design_chunks, run_chunk, sobol_convergence
from detente.errors import InputError
from detente.results import Results, schema
from detente.scenario.schema import (
    REFUTED_AT,
    SUPPORTED_AT,
    AllTest,
    AnyTest,
    ChangeTest,
    Claim,
    ClaimTest,
    CompareTest,
    DifferenceTest,
    EventTest,
    RankTest,
    Scenario,
)

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.outside_view.base_rates import BaseRates
    from detente.analysis.outside_view.claims import BaseRateTest
    from detente.scenario.expr import Expr

__all__ = [
    "CLAIM_LEVEL", "MODAL_RULES", "ClaimResult", "Claims", "ModalRule", "Verdict",
    "base_rate_claims", "claim_indicator", "describe_test", "difference_summary",
    "difference_text",
    "jeffreys_interval", "judge_base_rate", "verdict_for",
]

Verdict = Literal["supported", "contested", "refuted", "untestable"]
Hinge = Literal["sobol", "prim"]

#: Level of the interval on a claim's probability.
CLAIM_LEVEL = 0.9
#: Bootstrap resamples for difference claims.
N_BOOTSTRAP = 2000
#: Default Sobol base sample size for hinges (a power of two). At 32 a claim's top hinge
#: changed with the seed more often than not; at 256 four in five listed hinges recur
#: across seeds (docs/sensitivity.md, "How large a design").
SOBOL_N = 256
#: Most parameters listed in ``hinges_on``.
N_HINGES = 5
#: Smallest total-order index for a parameter to count as a hinge.
MIN_TOTAL_INDEX = 0.05
#: Minimum density of the PRIM box where a claim fails (or holds): more often than not.
PRIM_DENSITY = 0.5
#: A PRIM box's density must also reach this multiple of the outcome's base rate.
PRIM_MIN_LIFT = 1.5
#: Most parameters a PRIM box may restrict.
PRIM_MAX_DIMS = 3
#: Parameters PRIM searches over when Sobol hinges are known (the top ones by ST).
PRIM_SEARCH = 8
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}
PRIM_MISSING = ("PRIM not run: the optional EMA Workbench is not installed; "
                "pip install 'detente[discovery]'")


# --------------------------------------------------------------------------- statistics
def jeffreys_interval(k: int, n: int, level: float = CLAIM_LEVEL) -> tuple[float, float]:
    """Jeffreys interval on a binomial share ``k / n``.

    Parameters
    ----------
    k, n : int
        Successes and trials (``n > 0``).
    level : float
        Coverage, e.g. 0.9.

    Returns
    -------
    (float, float)
        Lower and upper bounds; 0 and 1 at the extremes (Brown, Cai and DasGupta 2001).
    """
    from scipy import stats

    tail = (1.0 - level) / 2.0
    lo = 0.0 if k == 0 else float(stats.beta.ppf(tail, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(stats.beta.ppf(1.0 - tail, k + 0.5, n - k + 0.5))
    return lo, hi


def _bootstrap(values: FloatArray, level: float, seed: SeedLike) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    n = values.size
    idx = rng.integers(0, n, size=(N_BOOTSTRAP, n))
    means = values[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0
    return float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail))


def verdict_for(p: float, supported: float = SUPPORTED_AT,
                refuted: float = REFUTED_AT) -> Verdict:
    """Verdict for probability ``p``: supported, refuted or contested.

    With ``supported >= refuted`` (a claim that something holds) it is supported at or
    above ``supported`` and refuted at or below ``refuted``; with ``supported < refuted``
    (a claim that something does not happen, :data:`MODAL_RULES` ``never``) it is
    supported at or below ``supported`` and refuted at or above ``refuted``.
    """
    if supported < refuted:
        if p <= supported:
            return "supported"
        if p >= refuted:
            return "refuted"
        return "contested"
    if p >= supported:
        return "supported"
    if p <= refuted:
        return "refuted"
    return "contested"


@dataclass(frozen=True)
class ModalRule:
    """How a modal word turns a claim's probability into a verdict.

    Attributes
    ----------
    word : str
        The modal word (``Claim.modal``) and the words it stands for.
    supported, refuted : float
        The thresholds (:func:`verdict_for`; ``supported < refuted`` for ``never``).
    reading : str
        What the sentence asserts, in the calibrated language the numbers come from.
    """

    word: str
    supported: float
    refuted: float
    reading: str


#: The verdict rule of each modal word. The numbers are the IPCC's calibrated likelihood
#: language (Mastrandrea et al. 2010, the guidance note for the Fifth Assessment Report;
#: "more likely than not" from AR5): very likely >= 90 %, likely >= 66 %, more likely
#: than not > 50 %, unlikely <= 33 %, very unlikely <= 10 %, exceptionally unlikely <= 1 %.
#: A claim is refuted where the model puts the sentence's assertion in the opposite class.
MODAL_RULES: dict[str, ModalRule] = {
    "will": ModalRule("will (is, are: a flat prediction)", 0.90, 0.33,
                      "very likely (>= 90 %); refuted when unlikely (<= 33 %)"),
    "likely": ModalRule("likely", 0.66, 0.33,
                        "likely (>= 66 %); refuted when unlikely (<= 33 %)"),
    "most": ModalRule("most (more likely than not)", math.nextafter(0.5, 1.0), 0.33,
                      "more likely than not (> 50 %); refuted when unlikely (<= 33 %)"),
    "may": ModalRule("may (can, could, might: a real possibility)", 0.10, 0.01,
                     "not very unlikely (>= 10 %); refuted when exceptionally unlikely "
                     "(<= 1 %)"),
    "never": ModalRule("never (cannot, will not, ruled out)", 0.10, 0.33,
                       "very unlikely (<= 10 %); refuted when not unlikely (>= 33 %)"),
}


# --------------------------------------------------------------------------- describing
def _when(t: Any) -> str:
    return {"start": "the start", "end": "the end"}.get(str(t), str(t))


_OP_WORDS = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}


def _reading_text(t: ChangeTest | CompareTest | DifferenceTest | RankTest) -> str:
    if t.at is not None:
        return f"at {_when(t.at)}: {t.metric}"
    assert t.over is not None
    return f"{t.reduce} over {_when(t.over[0])} to {_when(t.over[1])} of {t.metric}"


def _given_text(test: Any) -> str:
    given = getattr(test, "given", None)
    return f", in the samples where {given}" if given else ""


def describe_test(test: ClaimTest, default_policy: str) -> str:
    """Say what the test asks, in words generated from it.

    For example ``"under talks, at the end: settled > 0.5; and under talks, at the end:
    blue.reconstruction_investment > its value under status_quo, same sample"``.
    """
    if isinstance(test, AllTest | AnyTest):
        joiner = "; and " if isinstance(test, AllTest) else "; or "
        return joiner.join(describe_test(t, default_policy) for t in test.of)
    pol = getattr(test, "policy", None) or default_policy
    given = _given_text(test)
    if isinstance(test, ChangeTest):
        factor = "" if test.factor == 1.0 else f"{test.factor:g} × "
        return (f"under {pol}, {_reading_text(test)} {_OP_WORDS[test.op]} {factor}its value "
                f"at {_when(test.than)}{given}")
    if isinstance(test, CompareTest):
        other = (f"{test.threshold:g}" if test.threshold is not None
                 else f"its value under {test.versus}, same sample")
        return f"under {pol}, {_reading_text(test)} {_OP_WORDS[test.op]} {other}{given}"
    if isinstance(test, EventTest):
        span = f"from {_when(test.from_)} to {_when(test.by)}"
        if test.happens:
            return f"under {pol}, {test.when} at some time {span}{given}"
        return f"under {pol}, never {test.when} {span}{given}"
    if isinstance(test, RankTest):
        sep = " > " if test.strict else " ≥ "
        return (f"{_reading_text(test)} ranks {sep.join(test.order)} ({test.better} is "
                f"better), same sample{given}")
    assert isinstance(test, DifferenceTest)
    return (f"{_reading_text(test)} under {test.policy} minus under {test.versus} "
            f"{_OP_WORDS[test.op]} {test.by:g}, same sample{given}")


def difference_summary(label: str, values: FloatArray, level: float = CLAIM_LEVEL
                       ) -> dict[str, Any]:
    """Summarise the per-sample difference between two policies: median, central range.

    Parameters
    ----------
    label : str
        What is differenced, e.g. ``"blue.viability at the end: talks minus
        status_quo"``.
    values : array of float
        One difference per sample (common random numbers); non-finite ones are dropped.
    level : float
        Share of the samples the range holds (0.9: from the 5th to the 95th percentile).

    Returns
    -------
    dict
        ``label``, ``median``, ``interval`` (the central ``level`` range of the samples'
        differences), ``level``, ``mean``, ``positive`` and ``negative`` (the shares of
        samples above and below zero) and ``n``.
    """
    d = np.asarray(values, dtype=np.float64)
    d = d[np.isfinite(d)]
    if not d.size:
        return {"label": label, "median": None, "interval": None, "level": level,
                "mean": None, "positive": None, "negative": None, "n": 0}
    tail = (1.0 - level) / 2.0
    return {"label": label, "median": float(np.median(d)),
            "interval": [float(np.quantile(d, tail)), float(np.quantile(d, 1.0 - tail))],
            "level": level, "mean": float(d.mean()), "positive": float((d > 0).mean()),
            "negative": float((d < 0).mean()), "n": int(d.size)}


def difference_text(d: dict[str, Any]) -> str:
    """Say a :func:`difference_summary` in words: median, central range, signs."""
    if d.get("median") is None:
        return f"{d['label']}: undefined in every sample"
    lo, hi = d["interval"]
    return (f"{d['label']}: median {d['median']:.3g}, {100 * d['level']:.0f} % of samples "
            f"in [{lo:.3g}, {hi:.3g}]; above 0 in {100 * d['positive']:.0f} %, below in "
            f"{100 * d['negative']:.0f} %")


def _difference_label(t: CompareTest | DifferenceTest | RankTest, first: str,
                      second: str) -> str:
    when = (f"at {_when(t.at)}" if t.at is not None else
            f"{t.reduce} over {_when(t.over[0])} to {_when(t.over[1])}"  # type: ignore[index]
            )
    return f"{t.metric} {when}: {first} minus {second}"


# --------------------------------------------------------------------------- indicators
@dataclass
class _Indicator:
    holds: BoolArray
    mask: BoolArray
    #: (what is differenced, per-sample difference) of each pair of policies compared
    differences: list[tuple[str, FloatArray]] = field(default_factory=list)
    #: for a ranking: the ordering of the policies in each sample, best first
    orderings: list[str] = field(default_factory=list)
    #: the first ``difference`` test's per-sample difference (the claim's effect)
    effect_of: FloatArray | None = None


def _policies_of(test: ClaimTest, default: str) -> set[str]:
    if isinstance(test, AllTest | AnyTest):
        out: set[str] = set()
        for t in test.of:
            out |= _policies_of(t, default)
        return out
    if isinstance(test, RankTest):
        return set(test.order)
    pols = {getattr(test, "policy", None) or default}
    versus = getattr(test, "versus", None)
    if versus:
        pols.add(versus)
    return pols


def _expressions(test: ClaimTest) -> Iterable[tuple[str, str | None, bool]]:
    """(text, expected kind, per-sample) of every expression in a test."""
    if isinstance(test, AllTest | AnyTest):
        for t in test.of:
            yield from _expressions(t)
        return
    if isinstance(test, EventTest):
        yield test.when, "condition", False
    else:
        yield test.metric, None, False
    if test.given:
        yield test.given, "condition", True


def _defined(values: FloatArray, metric: str, policy: str, when: str) -> FloatArray:
    """Return ``values``, or raise when the metric is undefined (NaN) in every sample.

    A comparison with NaN is false, so such a claim would read as refuted with P = 0 when
    the model says nothing about it.
    """
    if values.size and bool(np.isnan(values).all()):
        raise UntestableError(
            f"the metric '{metric}' is undefined (NaN) in every sample under policy "
            f"'{policy}' {when} (e.g. 0/0, or the log or square root of a negative number), "
            "so the test cannot be judged")
    return values


def _reading(reader: OutputReader,
             t: ChangeTest | CompareTest | DifferenceTest | RankTest,
             policy: str) -> FloatArray:
    expr = reader.compile(t.metric)
    if t.at is not None:
        return _defined(reader.reading(expr, policy, at=t.at), t.metric, policy,
                        f"at {_when(t.at)}")
    assert t.over is not None
    return _defined(reader.reading(expr, policy, over=t.over, reduce=t.reduce), t.metric,
                    policy, f"over {_when(t.over[0])}..{_when(t.over[1])}")


def claim_indicator(test: ClaimTest, reader: OutputReader, default_policy: str,
                    ) -> _Indicator:
    """Per sample: does the test hold, and is the sample selected by ``given``.

    Raises
    ------
    UntestableError
        When the results cannot answer the test (a policy not run, a date past the
        horizon, an output not recorded).
    """
    n = reader.n_samples
    if isinstance(test, AllTest | AnyTest):
        parts = [claim_indicator(t, reader, default_policy) for t in test.of]
        combine = np.logical_and if isinstance(test, AllTest) else np.logical_or
        holds = parts[0].holds
        mask = parts[0].mask
        for p in parts[1:]:
            holds = combine(holds, p.holds)
            mask = mask & p.mask
        return _Indicator(np.asarray(holds, dtype=bool), mask,
                          [d for p in parts for d in p.differences],
                          next((p.orderings for p in parts if p.orderings), []),
                          next((p.effect_of for p in parts if p.effect_of is not None),
                               None))
    mask = np.ones(n, dtype=bool)
    if test.given:
        mask = np.asarray(reader.per_sample(reader.compile(test.given, expect="condition",
                                                           per_sample=True)), dtype=bool)
    if isinstance(test, RankTest):
        return _rank_indicator(test, reader, mask)
    policy = getattr(test, "policy", None) or default_policy
    diffs: list[tuple[str, FloatArray]] = []
    if isinstance(test, ChangeTest):
        now = _reading(reader, test, policy)
        expr = reader.compile(test.metric)
        then = _defined(reader.reading(expr, policy, at=test.than), test.metric, policy,
                        f"at {_when(test.than)}")
        with np.errstate(invalid="ignore"):
            holds = _OPS[test.op](now, test.factor * then)
    elif isinstance(test, CompareTest):
        value = _reading(reader, test, policy)
        other: Any = (test.threshold if test.versus is None
                      else _reading(reader, test, test.versus))
        if test.versus is not None:
            diffs.append((_difference_label(test, policy, test.versus), value - other))
        with np.errstate(invalid="ignore"):
            holds = _OPS[test.op](value, other)
    elif isinstance(test, EventTest):
        expr = reader.compile(test.when, expect="condition")
        happened = reader.event_by(expr, policy, test.from_, test.by)
        holds = happened if test.happens else ~happened
    else:
        d = _reading(reader, test, test.policy) - _reading(reader, test, test.versus)
        diffs.append((_difference_label(test, test.policy, test.versus), d))
        with np.errstate(invalid="ignore"):
            holds = _OPS[test.op](d, test.by)
        return _Indicator(np.asarray(holds, dtype=bool), mask, diffs, effect_of=d)
    return _Indicator(np.asarray(holds, dtype=bool), mask, diffs)


def _rank_indicator(test: RankTest, reader: OutputReader, mask: BoolArray) -> _Indicator:
    """Per sample: do the policies come in ``test.order``; and each sample's own order."""
    values = np.stack([_reading(reader, test, p) for p in test.order])  # policy x sample
    if test.better == "lower":
        values = -values
    ahead = np.greater if test.strict else np.greater_equal
    with np.errstate(invalid="ignore"):
        holds = np.logical_and.reduce([ahead(values[i], values[i + 1])
                                       for i in range(len(test.order) - 1)])
    diffs = [(_difference_label(test, test.order[i], test.order[i + 1]),
              (values[i] - values[i + 1]) * (1.0 if test.better == "higher" else -1.0))
             for i in range(len(test.order) - 1)]
    orderings = []
    for j in range(values.shape[1]):
        col = values[:, j]
        if not np.isfinite(col).all():
            orderings.append("undefined")
            continue
        # best first; policies that tie share a place, written with '='
        ranked = sorted(range(len(test.order)), key=lambda i: (-col[i], i))
        text = test.order[ranked[0]]
        for a, b in itertools.pairwise(ranked):
            text += (" = " if col[a] == col[b] else " > ") + test.order[b]
        orderings.append(text)
    return _Indicator(np.asarray(holds, dtype=bool), mask, diffs, orderings)


def _has_difference(test: ClaimTest) -> bool:
    if isinstance(test, AllTest | AnyTest):
        return any(_has_difference(t) for t in test.of)
    return isinstance(test, DifferenceTest)


class _PolicyReadings(OutputReader):
    """What the claims read of a design chunk, gathered one policy at a time.

    A chunk runs under one policy at a time, so that only that policy's trajectories are
    held. After each run, :meth:`load` hands over its reader and every claim is evaluated
    against this one: what a claim reads under the loaded policy is read and kept (one
    number per row), what it reads under another is zero for now (that evaluation is
    thrown away). :meth:`replay` then lets the run go; after the last policy, the claims
    evaluated again read only what was kept, in the order they read it, with any
    reason a reading was untestable raised where the claim met it.
    """

    def __init__(self, policies: Sequence[str]) -> None:  # holds no results of its own
        self.policies = list(policies)
        self._source: OutputReader | None = None
        self._loaded = ""
        self._kept: dict[tuple[Any, ...], FloatArray | BoolArray | UntestableError] = {}

    def load(self, reader: OutputReader, policy: str) -> None:
        """Read ``policy``'s outputs from ``reader`` (a run of that policy alone) from now."""
        self._source, self._loaded = reader, policy
        # what compile() checks names against: the same in every policy's run
        self.outputs, self.parameters, self.events = (reader.outputs, reader.parameters,
                                                      reader.events)
        self.unrecorded, self.factors = reader.unrecorded, reader.factors
        self.dates, self.n_samples = reader.dates, reader.n_samples

    def replay(self) -> None:
        """Read only what was kept from now on (the loaded run is let go)."""
        self._source = None

    def _answer(self, key: tuple[Any, ...], policy: str | None,
                read: Callable[[OutputReader], Any], zero: Any) -> Any:
        if policy is not None:
            self._policy(policy)  # a policy not run: said as for the whole ensemble
        if self._source is None:
            found = self._kept[key]
            if isinstance(found, UntestableError):
                raise found
            return found
        if policy is not None and policy != self._loaded:
            return zero
        try:
            # a copy: a reading at one time is a view of the whole (row, time) trajectory
            self._kept[key] = np.array(read(self._source), copy=True)
        except UntestableError as exc:
            self._kept[key] = exc
            return zero
        return self._kept[key]

    def reading(self, expr: Expr, policy: str, *, at: TimeRef | None = None,
                over: Sequence[TimeRef] | None = None,
                reduce: str | None = None) -> FloatArray:
        """:meth:`OutputReader.reading`, kept for the replay."""
        key = ("reading", expr.text, expr.kind, policy, at,
               None if over is None else tuple(over), reduce)
        value: FloatArray = self._answer(
            key, policy, lambda r: r.reading(expr, policy, at=at, over=over, reduce=reduce),
            np.zeros(self.n_samples))
        return value

    def event_by(self, expr: Expr, policy: str, start: TimeRef, by: TimeRef) -> BoolArray:
        """:meth:`OutputReader.event_by`, kept for the replay."""
        key = ("event_by", expr.text, expr.kind, policy, start, by)
        value: BoolArray = self._answer(key, policy,
                                        lambda r: r.event_by(expr, policy, start, by),
                                        np.zeros(self.n_samples, dtype=bool))
        return value

    def per_sample(self, expr: Expr) -> FloatArray:
        """:meth:`OutputReader.per_sample` (the same under every policy), kept for the replay."""
        value: FloatArray = self._answer(("per_sample", expr.text, expr.kind), None,
                                         lambda r: r.per_sample(expr), None)
        return value


# --------------------------------------------------------------------------- results
@dataclass
class ClaimResult:
    """The verdict on one claim.

    Attributes
    ----------
    id, text, source : str
        As in the scenario.
    policies : list of str
        The policies the claim is about.
    test : str
        The test in words (empty when untestable).
    verdict : {"supported", "contested", "refuted", "untestable"}
        From ``probability`` and the thresholds.
    probability : float or None
        Share of (selected) samples in which the test holds.
    interval : (float, float) or None
        90 % interval on ``probability``.
    interval_method : str
        ``"jeffreys"`` or ``"bootstrap"``.
    n_samples : int
        Samples the probability is taken over (after ``given``).
    hinges_on : list of str
        Parameters with the largest total-order Sobol indices of the claim's indicator.
    sobol : list of dict
        ``{"parameter", "ST", "ST_conf"}`` of the hinges.
    prim : str or None
        Where the claim fails (for a claim that mostly holds) or holds (for one that
        mostly fails), in words, with the box's coverage and density.
    notes : list of str
        Why a hinge is missing, and other remarks.
    reason : str or None
        Why the claim is untestable.
    effect : dict or None
        For difference claims: mean difference and its 90 % bootstrap interval.
    thresholds : dict
        The ``supported`` and ``refuted`` probabilities used.
    modal : str or None
        The sentence's modal word, which set the thresholds.
    assumption : str or None
        Why the test holds (or fails) by construction: the claim is then a model
        assumption, not a finding.
    differences : list of dict
        For each pair of policies the test contrasts, the per-sample difference
        (:func:`difference_summary`): its median and the range of the central 90 % of
        samples, never two probabilities set side by side.
    ranking : dict or None
        For a ranking of policies: the share of samples in which each ordering (best
        first) came out, most frequent first.
    """

    id: str
    text: str
    source: str
    policies: list[str]
    test: str
    verdict: Verdict
    probability: float | None
    interval: tuple[float, float] | None
    interval_method: str
    n_samples: int
    thresholds: dict[str, float]
    hinges_on: list[str] = field(default_factory=list)
    sobol: list[dict[str, float | str]] = field(default_factory=list)
    prim: str | None = None
    notes: list[str] = field(default_factory=list)
    reason: str | None = None
    effect: dict[str, Any] | None = None
    modal: str | None = None
    assumption: str | None = None
    differences: list[dict[str, Any]] = field(default_factory=list)
    ranking: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "id": self.id, "verdict": self.verdict, "probability": self.probability,
            "interval": list(self.interval) if self.interval is not None else None,
            "interval_method": self.interval_method, "n_samples": self.n_samples,
            "hinges_on": list(self.hinges_on), "sobol": list(self.sobol), "prim": self.prim,
            "text": self.text, "source": self.source, "policies": list(self.policies),
            "test": self.test, "thresholds": dict(self.thresholds), "reason": self.reason,
            "effect": self.effect, "notes": list(self.notes), "modal": self.modal,
            "assumption": self.assumption,
            "differences": [dict(d) for d in self.differences],
            "ranking": dict(self.ranking) if self.ranking is not None else None,
        }


class Claims(Estimator):
    """Evaluate a scenario's claims: verdicts, probabilities and what they hinge on.

    Parameters
    ----------
    supported, refuted : float, optional
        Probability thresholds of the verdicts (default: the rule of each claim's modal
        word, :data:`MODAL_RULES`; else its own ``thresholds``; else 0.8 and 0.2). Given
        here, they override a claim's own thresholds, not its modal word's rule.
    level : float
        Level of the interval on each probability.
    hinges : sequence of {"sobol", "prim"}
        Which analyses of what a verdict hinges on to run (empty: none).
    sobol_n : int
        Base sample size of the Saltelli design (a power of two); the design runs
        ``sobol_n (D + 2)`` samples under each policy the claims need.
    n_hinges : int
        Most parameters listed in ``hinges_on``.
    ids : sequence of str, optional
        Evaluate only these claims.
    processes : int
        Worker processes for the ensemble.
    outside_view : {"off", "on"}
        With ``"on"``, and a scenario that says when its war began, add the claims that
        the model's odds of a settlement under the first policy lie within the base rate's
        interval (one per horizon of 12, 24 and 36 months the run reaches; see
        :mod:`detente.analysis.outside_view.claims`), after the scenario's own. They need
        the ``outside`` extra (lifelines); without it a note says so.

    Attributes
    ----------
    claims_ : list of ClaimResult
        One per claim, in file order.
    table_ : pandas.DataFrame
        One row per claim: verdict, probability, interval and what it hinges on.
    results_ : Results
        The ensemble the probabilities come from.
    design_results_ : None
        Not kept: the Saltelli design runs chunk by chunk and keeps only each claim's
        indicator, so that memory does not grow with the design.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = ("results_", "design_results_", "claims_")

    def __init__(self, *, supported: float | None = None, refuted: float | None = None,
                 level: float = CLAIM_LEVEL, hinges: Sequence[Hinge] = ("sobol", "prim"),
                 sobol_n: int = SOBOL_N, n_hinges: int = N_HINGES,
                 ids: Sequence[str] | None = None, processes: int = 1,
                 outside_view: Literal["off", "on"] = "off") -> None:
        self.supported = supported
        self.refuted = refuted
        self.level = level
        self.hinges = hinges
        self.sobol_n = sobol_n
        self.n_hinges = n_hinges
        self.ids = ids
        self.processes = processes
        self.outside_view = outside_view

    # ------------------------------------------------------------------ fitting
    def fit(self, scenario: Scenario | str | Results, results: Results | None = None, *,
            n_samples: int = 1000, seed: SeedLike = 0, policies: Sequence[str] | None = None,
            horizon: int | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> Claims:
        """Run the ensemble (unless results are given) and judge every claim.

        Parameters
        ----------
        scenario : Scenario, str or Results
            The scenario whose claims to evaluate (or a built-in name / file path); or an
            ensemble that carries its scenario (as :func:`detente.simulate` returns it),
            to judge as it is.
        results : Results, optional
            An ensemble of that scenario to judge (it must hold the policies and outputs
            the claims read; a claim reading a variable it did not record is
            ``untestable``, with the reason); by default one is simulated.
        n_samples : int
            Samples of the ensemble.
        seed : int, SeedSequence or None
            Root seed (ensemble, design, bootstrap).
        policies : sequence of str, optional
            Restrict the policies run; claims about others are untestable.
        horizon : int, optional
            Steps to simulate; claims reading dates past it are untestable.
        progress : callable, optional
            ``progress(stage, done, total)`` for ``"ensemble"`` and ``"design"``.

        Returns
        -------
        Claims
            ``self``, fitted.
        """
        # the engine (and its worker pools) loads when a model runs, not with detente.analysis
        from detente.engine import simulate

        if isinstance(scenario, Results):
            if results is not None:
                raise InputError("the results were given twice; pass them once: "
                                 "Claims().fit(results) or Claims().fit(scenario, "
                                 "results=results)")
            results = scenario
            if results.scenario is None:
                raise InputError("these results carry no scenario (opened from a file?); "
                                 "pass it too: detente.Claims().fit(scenario, results=...)")
            scenario = results.scenario
        sc = as_scenario(scenario)
        default_policy = next(iter(sc.policies))
        claims = dict(sc.claims)
        if self.ids:
            unknown = [i for i in self.ids if i not in claims]
            if unknown:
                check_names(unknown, list(claims), "claim")
            claims = {k: v for k, v in claims.items() if k in self.ids}
        if not claims:
            raise InputError(f"scenario '{sc.name}' has no claims to evaluate; add a "
                             "'claims' section (see docs/claims.md)")
        testable = {k: c for k, c in claims.items() if c.test is not None}
        needed: set[str] = set()
        exprs = []
        for cid, claim in testable.items():
            assert claim.test is not None
            needed |= _policies_of(claim.test, self._default(claim, default_policy))
            for text, _kind, _ps in _expressions(claim.test):
                try:
                    exprs.append(scenario_expr(sc, text))
                except InputError as exc:
                    raise InputError(f"claim '{cid}': {exc}") from None
        if self.outside_view == "on":  # the base-rate claims read the first policy
            exprs += _base_rate_exprs(sc)
            needed.add(default_policy)
        run_pols = [p for p in sc.policies if p in needed]
        if policies:
            run_pols = [p for p in policies if p in needed] or list(policies)[:1]
        record = record_for(sc, exprs)
        if results is None:
            cb = (lambda d, t: progress("ensemble", d, t)) if progress else None
            results = simulate(sc, n_samples=n_samples, seed=seed, policies=run_pols,
                               horizon=horizon, record=record, processes=self.processes,
                               progress=cb)
        self.results_ = results
        reader = OutputReader(results, sc)
        out: dict[str, ClaimResult] = {}
        indicators: dict[str, _Indicator] = {}
        for cid, claim in claims.items():
            default = self._default(claim, default_policy)
            th = self._thresholds(claim)
            if claim.test is None:
                out[cid] = self._untestable(cid, claim, claim.untestable or "", th)
                continue
            try:
                ind = claim_indicator(claim.test, reader, default)
            except UntestableError as exc:
                out[cid] = self._untestable(cid, claim, str(exc), th)
                continue
            indicators[cid] = ind
            out[cid] = self._judge(cid, claim, ind, th, default, seed)
        self.design_results_: Results | None = None
        self._ranked: dict[str, list[str]] = {}
        self._hinges(results, sc, claims, indicators, out, default_policy, run_pols,
                     horizon, record, seed, progress)
        self.claims_ = list(out.values())
        if self.outside_view == "on":
            self.claims_ += base_rate_claims(sc, reader, default_policy)
        return self

    @staticmethod
    def _default(claim: Claim, default_policy: str) -> str:
        return claim.policies[0] if claim.policies else default_policy

    def _thresholds(self, claim: Claim) -> dict[str, float]:
        if claim.modal is not None:  # the sentence's own word sets them
            rule = MODAL_RULES[claim.modal]
            return {"supported": rule.supported, "refuted": rule.refuted}
        own = claim.thresholds
        sup = self.supported if self.supported is not None else (
            own.supported if own else SUPPORTED_AT)
        ref = self.refuted if self.refuted is not None else (own.refuted if own else REFUTED_AT)
        if ref > sup:
            raise InputError(f"the 'refuted' threshold ({ref}) exceeds the 'supported' "
                             f"one ({sup})")
        return {"supported": sup, "refuted": ref}

    def _untestable(self, cid: str, claim: Claim, reason: str,
                    th: dict[str, float]) -> ClaimResult:
        return ClaimResult(cid, claim.text, claim.source, list(claim.policies),
                           "", "untestable", None, None, "", 0, th, reason=reason,
                           modal=claim.modal, assumption=claim.assumption)

    def _judge(self, cid: str, claim: Claim, ind: _Indicator, th: dict[str, float],
               default: str, seed: SeedLike) -> ClaimResult:
        assert claim.test is not None
        sel = ind.holds[ind.mask]
        n = int(sel.size)
        text = describe_test(claim.test, default)
        if n == 0:
            return self._untestable(cid, claim, "no sample satisfies the claim's 'given' "
                                                "condition", th)
        k = int(sel.sum())
        p = k / n
        effect = None
        if _has_difference(claim.test):
            lo, hi = _bootstrap(sel.astype(np.float64), self.level, seed)
            method = "bootstrap"
            if lo == hi:  # every resample agrees: fall back to the share's own interval
                lo, hi = jeffreys_interval(k, n, self.level)
                method = "jeffreys"
            first = ind.effect_of[ind.mask] if ind.effect_of is not None else np.array([])
            d = first[np.isfinite(first)]
            if d.size:
                elo, ehi = _bootstrap(d, self.level, seed)
                tail = (1.0 - self.level) / 2.0
                effect = {"mean": float(d.mean()), "interval": [elo, ehi],
                          "median": float(np.median(d)),
                          "range": [float(np.quantile(d, tail)),
                                    float(np.quantile(d, 1.0 - tail))]}
        else:
            lo, hi = jeffreys_interval(k, n, self.level)
            method = "jeffreys"
        differences = [difference_summary(label, d[ind.mask], self.level)
                       for label, d in ind.differences]
        ranking = None
        if ind.orderings:
            kept = [o for o, m in zip(ind.orderings, ind.mask, strict=True) if m]
            counts: dict[str, int] = {}
            for o in kept:
                counts[o] = counts.get(o, 0) + 1
            ranking = {o: c / len(kept) for o, c in
                       sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
        verdict = verdict_for(p, th["supported"], th["refuted"])
        return ClaimResult(cid, claim.text, claim.source, list(claim.policies), text,
                           verdict, p, (lo, hi), method, n, th, effect=effect,
                           modal=claim.modal, assumption=claim.assumption,
                           differences=differences, ranking=ranking)

    # ------------------------------------------------------------------ hinges
    def _hinges(self, results: Results, sc: Scenario, claims: dict[str, Claim],
                indicators: dict[str, _Indicator], out: dict[str, ClaimResult],
                default_policy: str, run_pols: list[str], horizon: int | None,
                record: list[str], seed: SeedLike,
                progress: Callable[[str, int, int], None] | None) -> None:
        design_constant: set[str] = set()
        if "sobol" in self.hinges and indicators:
            design_constant = self._sobol_hinges(sc, claims, indicators, out, default_policy,
                                                 run_pols, horizon, record, seed, progress)
        if "prim" in self.hinges and indicators:
            self._prim_hinges(results, sc, indicators, out)
        if not self.hinges:
            return
        for cid, ind in indicators.items():
            holds = ind.holds[ind.mask]
            if not holds.size or (holds.any() and not holds.all()):
                continue
            # the same in every sample (and every run of the design, when it ran): no
            # assumption within its range changes the verdict
            if "sobol" in self.hinges and out[cid].hinges_on and cid not in design_constant:
                continue
            what = "holds" if holds.all() else "fails"
            out[cid].hinges_on = []
            out[cid].sobol = []
            out[cid].prim = f"{what} in all samples: nothing it hinges on within the ranges"

    def _sobol_hinges(self, sc: Scenario, claims: dict[str, Claim],
                      indicators: dict[str, _Indicator], out: dict[str, ClaimResult],
                      default_policy: str, run_pols: list[str], horizon: int | None,
                      record: list[str], seed: SeedLike,
                      progress: Callable[[str, int, int], None] | None) -> set[str]:
        """Rank each claim's hinges by total-order Sobol index.

        Returns the claims whose indicator is the same in every run of the design. The
        design runs chunk by chunk (:func:`~detente.analysis.sensitivity.run_chunk`) and
        only each claim's 0/1 indicator is kept from a chunk, so memory does not grow with
        the design. A parameter is a hinge when its index is at least
        :data:`MIN_TOTAL_INDEX` beyond its error (the lower end of its interval); an
        order of the hinges that the intervals do not resolve, or an index outside
        [0, 1] beyond its error, is said in the claim's notes.
        """
        try:
            import_optional("SALib", extra="analysis", purpose="Sobol hinges")
        except ImportError as exc:
            for cid in indicators:
                out[cid].notes.append(f"Sobol not run: {exc}")
            return set()
        names = list(sc.uncertain)
        if not names:
            return set()
        sobol = Sobol(n_base=self.sobol_n, seed=seed)
        sobol.names_ = names
        u = sobol._sample(len(names))
        group = len(names) + 2
        chunks = design_chunks(len(u) // group, group)
        ys: dict[str, list[FloatArray]] = {cid: [] for cid in indicators}
        untestable: set[str] = set()
        for c in chunks:
            r0, r1 = c.first * group, c.end * group
            design = unit_to_file_units(sc, names, u[r0:r1])
            reader = _PolicyReadings(run_pols)
            for pol in run_pols:
                # one policy's trajectories at a time (a run's noise does not depend on the
                # other policies run beside it), kept in single precision: a 0/1 indicator
                # per row is all that is read from them
                res = run_chunk(sc, design, c, group=group, seed=seed, policies=[pol],
                                horizon=horizon, record=record, dtype=np.float32)
                reader.load(OutputReader(res, sc), pol)
                for cid in indicators:
                    if cid in untestable:
                        continue
                    test = claims[cid].test
                    assert test is not None
                    with contextlib.suppress(UntestableError):  # raised again in the replay
                        claim_indicator(test, reader, self._default(claims[cid],
                                                                    default_policy))
                # only what the claims read is kept: the run goes before the next one
                reader.replay()
                del res
            for cid in indicators:
                claim = claims[cid]
                assert claim.test is not None
                if cid in untestable:
                    continue
                try:
                    ind = claim_indicator(claim.test, reader,
                                          self._default(claim, default_policy))
                except UntestableError as exc:  # pragma: no cover - as for the ensemble
                    out[cid].notes.append(f"Sobol not run: {exc}")
                    untestable.add(cid)
                    continue
                ys[cid].append(ind.holds.astype(np.float64))
            del reader
            if progress is not None:
                progress("design", r1, len(u))
        runs = f"N = {self.sobol_n}, {len(u):,} runs per policy"
        constant: set[str] = set()
        for cid in indicators:
            if cid in untestable:
                continue
            y = np.concatenate(ys[cid])
            if np.all(y == y[0]):
                what = "holds" if y[0] else "fails"
                out[cid].notes.append(f"Sobol: the claim {what} in every run of the design "
                                      f"({runs}; nothing to apportion)")
                constant.add(cid)
                continue
            df = sobol._analyse(y).sort_values("ST", ascending=False)
            self._ranked[cid] = [str(i) for i in df.index[:PRIM_SEARCH]]
            conv = sobol_convergence(df, n_runs=int(y.size))
            err = df["ST_conf"].abs()
            outside = (df["ST"] - err > 1.0) | (df["ST"] + err < 0.0)
            sure = df[(df["ST"] - err >= MIN_TOTAL_INDEX) & ~outside]
            top = sure.head(self.n_hinges)
            out[cid].hinges_on = [str(i) for i in top.index]
            out[cid].sobol = [{"parameter": str(i), "ST": float(r["ST"]),
                               "ST_conf": float(r["ST_conf"])} for i, r in top.iterrows()]
            for t in conv.out_of_range:
                out[cid].notes.append(f"Sobol ({runs}): {t}, outside [0, 1] beyond its "
                                      "error; not counted as a hinge")
            if top.empty:
                lead = df.iloc[0]
                out[cid].notes.append(
                    f"Sobol ({runs}): no parameter's total-order index is "
                    f"{MIN_TOTAL_INDEX:g} or more beyond its error (the largest: "
                    f"{df.index[0]} {float(lead['ST']):.2f} ± {abs(float(lead['ST_conf'])):.2f})")
                continue
            listed = sobol_convergence(df.loc[top.index], top_k=len(top), n_runs=int(y.size))
            if listed.overlaps:
                pairs = "; ".join(f"{a} and {b}" for _, a, b in listed.overlaps
                                  if b in top.index)
                if pairs:
                    out[cid].notes.append(f"Sobol ({runs}): the order of the hinges is not "
                                          f"resolved ({pairs}: their intervals overlap)")
        return constant

    def _prim_hinges(self, results: Results, sc: Scenario, indicators: dict[str, _Indicator],
                     out: dict[str, ClaimResult]) -> None:
        # through the module, so that a test can stand in for a missing [discovery] extra
        if not discovery.prim_available():
            for cid in indicators:
                out[cid].notes.append(PRIM_MISSING)
            return
        import pandas as pd

        units = uncertain_parameters(results, sc)
        x_all = pd.DataFrame({n: np.asarray(results[schema.param_var(n)].values,
                                            dtype=np.float64) for n in units})
        for cid, ind in indicators.items():
            holds = ind.holds[ind.mask]
            # describe the rarer outcome: where a likely claim fails, where an unlikely
            # one holds
            what = "fails" if holds.mean() >= 0.5 else "holds"
            cases = ~holds if what == "fails" else holds
            if int(cases.sum()) < MIN_CASES:
                out[cid].notes.append(f"PRIM: the claim {what} in fewer than {MIN_CASES} "
                                      "samples; no box")
                continue
            search = [n for n in self._ranked.get(cid, []) if n in x_all.columns]
            x = (x_all[search] if search else x_all)[ind.mask].reset_index(drop=True)
            density = max(PRIM_DENSITY, min(1.0, PRIM_MIN_LIFT * float(cases.mean())))
            box = Prim(threshold=density, max_dims=PRIM_MAX_DIMS).fit(x, cases, units=units)
            if box.found_:
                out[cid].prim = (f"{what} when {box.description_} (coverage "
                                 f"{box.coverage_:.0%}, density {box.density_:.0%})")
            else:
                out[cid].notes.append(f"PRIM: no box of at most {PRIM_MAX_DIMS} parameters "
                                      f"where the claim {what} with density "
                                      f"{density:.0%} or more")

    # ------------------------------------------------------------------ output
    def to_list(self) -> list[dict[str, Any]]:
        """Every claim's result as a JSON-ready dictionary."""
        self.check_is_fitted("calling to_list()")
        return [c.to_dict() for c in self.claims_]

    @property
    def table_(self) -> pd.DataFrame:
        """One row per claim: id, verdict, probability, interval, hinges."""
        import pandas as pd

        rows = [{"id": c.id, "verdict": c.verdict, "probability": c.probability,
                 "low": c.interval[0] if c.interval else None,
                 "high": c.interval[1] if c.interval else None,
                 "hinges_on": ", ".join(c.hinges_on), "prim": c.prim or ""}
                for c in self.claims_]
        return pd.DataFrame(rows).set_index("id")


# --------------------------------------------------------------------------- base rates
def judge_base_rate(claim_id: str, text: str, source: str, test: BaseRateTest,
                    reader: OutputReader, scenario: Scenario, base: BaseRates, *,
                    default_policy: str, supported: float = SUPPORTED_AT,
                    refuted: float = REFUTED_AT, level: float = CLAIM_LEVEL) -> ClaimResult:
    """Judge a claim that compares a model probability with the base rate.

    Parameters
    ----------
    claim_id, text, source : str
        The claim's id, wording and source.
    test : BaseRateTest
        What is compared (:class:`detente.analysis.outside_view.claims.BaseRateTest`).
    reader : OutputReader
        The ensemble's outputs.
    scenario : Scenario
        The scenario run (its start date).
    base : BaseRates
        Fitted for the war's age at the start
        (:func:`detente.analysis.outside_view.beside.scenario_base_rates`).
    default_policy : str
        The policy when the test names none.
    supported, refuted : float
        Thresholds of the verdict.
    level : float
        Level of the interval on the model's share (in ``effect``).

    Returns
    -------
    ClaimResult
        ``probability``: the Jeffreys posterior mass of the model's share where the test
        puts it against the base rate's interval; ``interval`` None (the probability is
        itself a posterior probability); ``effect``: ``model`` (the share),
        ``model_interval``, ``base_rate``, ``interval`` (the base rate's), ``gap`` (model
        minus base rate), ``n_wars``, ``lasted_days`` and ``reference``.

    Raises
    ------
    UntestableError
        When the results cannot answer (a policy not run, a horizon past the run's end).
    """
    import math

    from detente.analysis.outside_view.base_rates import MONTH_DAYS
    from detente.analysis.outside_view.claims import (
        as_event,
        describe_base_rate_test,
        holds_mass,
    )

    policy = test.policy or default_policy
    ind = claim_indicator(as_event(test, scenario, policy), reader, policy)
    holds = ind.holds[ind.mask]
    n, k = int(holds.size), int(holds.sum())
    p, lo, hi = base.probability(test.months * MONTH_DAYS,
                                 None if test.outcome == "any" else test.outcome)
    th = {"supported": supported, "refuted": refuted}
    words = describe_base_rate_test(test, default_policy)
    if n == 0 or not (math.isfinite(lo) and math.isfinite(hi)):
        return ClaimResult(claim_id, text, source, [policy], words, "untestable", None, None,
                           "", n, th, reason="the base rate's interval is undefined at "
                                             f"{test.months:g} months" if n else
                                             "no sample to judge")
    share = k / n
    prob = holds_mass(test, k, n, lo, hi)
    effect = {"model": share, "model_interval": list(jeffreys_interval(k, n, level)),
              "base_rate": p, "interval": [lo, hi], "gap": share - p,
              "n_wars": base.n_at_risk_, "lasted_days": base.lasted_days_,
              "reference": base.reference_}
    return ClaimResult(
        claim_id, text, source, [policy],
        f"{words}: model {share:.2f}, base rate {p:.2f} [{lo:.2f}, {hi:.2f}] of "
        f"{base.n_at_risk_} wars that had lasted {base.lasted_days_:g} days",
        verdict_for(prob, supported, refuted), prob, None, "jeffreys posterior", n, th,
        effect=effect, notes=[f"base rate: {base.reference_}, {base.source_}"])


def _base_rate_exprs(scenario: Scenario) -> list[Any]:
    """Return the expressions the outside-view claims read, to record them (those the model has)."""
    from detente.analysis.outside_view.claims import outside_view_claims

    out = []
    for _text, _source, test in outside_view_claims(scenario).values():
        try:
            out.append(scenario_expr(scenario, test.when))
        except InputError:
            continue  # judged untestable, with the reason, by base_rate_claims
    return out


def base_rate_claims(scenario: Scenario, reader: OutputReader, default_policy: str
                     ) -> list[ClaimResult]:
    """Judge the outside-view claims of a scenario on an ensemble.

    Those of :func:`detente.analysis.outside_view.claims.outside_view_claims` (none when the
    scenario does not say when its war began); untestable, with the reason, when lifelines
    is missing or no past war lasted as long.
    """
    from detente.analysis.outside_view.beside import scenario_base_rates
    from detente.analysis.outside_view.claims import outside_view_claims
    from detente.errors import MissingDependencyError

    wanted = outside_view_claims(scenario)
    if not wanted:
        return []
    th = {"supported": SUPPORTED_AT, "refuted": REFUTED_AT}
    try:
        base = scenario_base_rates(scenario)
    except (MissingDependencyError, InputError) as exc:
        return [ClaimResult(cid, text, source, [default_policy], "", "untestable", None,
                            None, "", 0, th, reason=str(exc))
                for cid, (text, source, _t) in wanted.items()]
    assert base is not None  # the scenario says when its war began
    out = []
    for cid, (text, source, test) in wanted.items():
        try:
            out.append(judge_base_rate(cid, text, source, test, reader, scenario, base,
                                       default_policy=default_policy))
        except (UntestableError, InputError) as exc:  # e.g. a war without talks: no deal
            out.append(ClaimResult(cid, text, source, [default_policy], "", "untestable",
                                   None, None, "", 0, th, reason=str(exc)))
    return out

