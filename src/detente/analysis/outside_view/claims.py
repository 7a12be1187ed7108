"""A claim kind that compares a model probability with the base rate.

:class:`BaseRateTest` states: *under a policy, the model's probability that a condition
(by default ``settled > 0.5``: a settlement in force) comes true within ``months`` of the
start is within (or below, or above) the base rate's interval* of P(a war that has lasted
as long ends within that time), from :class:`~.base_rates.BaseRates`. The model's
probability is the share ``k / n`` of samples in which the condition comes true; the
claim's **probability** is the chance that the ensemble's share, were the ensemble
infinite, lies where the claim says: under the Jeffreys posterior ``Beta(k + 1/2,
n - k + 1/2)`` of the share, the mass inside (below, above) the base rate's interval.
With a thousand samples it is close to 0 or 1 unless the share sits on an edge; the
verdict follows from it as for any claim.

:func:`outside_view_claims` makes the claims :class:`~detente.analysis.Claims` adds with
``outside_view="on"``: for the scenario's first policy, one per horizon (12, 24, 36 months)
the run reaches, that the model's odds of a settlement lie within the base rate's interval
of the war ending.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from detente.analysis.outside_view.base_rates import MONTH_DAYS
from detente.analysis.outside_view.wars import OUTCOME_LABELS
from detente.scenario.schema import EventTest

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["SETTLED", "BaseRateTest", "as_event", "describe_base_rate_test", "holds_mass",
           "outside_view_claims"]

#: The condition whose odds are compared by default: a settlement in force.
SETTLED = "settled > 0.5"


class BaseRateTest(BaseModel):
    """A model probability compared with the base rate's interval.

    Attributes
    ----------
    kind : "base_rate"
        The test's kind.
    policy : str, optional
        The policy (default: the claim's first, else the scenario's first).
    when : str
        The condition on outputs whose odds are compared (default: ``settled > 0.5``).
    months : float
        The horizon, in months from the start (a month is a twelfth of 365.25 days).
    op : {"within", "below", "above"}
        Where the model's probability lies against the base rate's interval.
    outcome : {"any", "settlement", "victory", "petered_out", "other"}
        Which base rate: of ending at all, or of ending that way.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["base_rate"] = "base_rate"
    policy: str | None = None
    when: str = Field(SETTLED, min_length=1)
    months: float = Field(gt=0)
    op: Literal["within", "below", "above"] = "within"
    outcome: Literal["any", "settlement", "victory", "petered_out", "other"] = "any"


def describe_base_rate_test(test: BaseRateTest, default_policy: str) -> str:
    """Describe the test in words.

    E.g. ``"[status_quo] P('settled > 0.5' within 24 months) within the base rate's
    interval of ending"``.
    """
    pol = test.policy or default_policy
    what = "ending" if test.outcome == "any" else f"ending in {OUTCOME_LABELS[test.outcome]}"
    return (f"[{pol}] P('{test.when}' within {test.months:g} months) {test.op} the base "
            f"rate's interval of {what}")


def _by_date(scenario: Scenario, months: float) -> dt.date:
    """Return the date ``months`` after the start (the run's end if less than a step past).

    So 156 weeks count as 36 months, as the comparison counts them.
    """
    by = scenario.time.start + dt.timedelta(days=round(months * MONTH_DAYS))
    end = scenario.time.end
    return end if end < by < end + dt.timedelta(days=scenario.time.step_days) else by


def as_event(test: BaseRateTest, scenario: Scenario, policy: str) -> EventTest:
    """Return the event test whose share of samples is the model's probability."""
    return EventTest(kind="event", policy=policy, when=test.when,
                     by=_by_date(scenario, test.months))


def holds_mass(test: BaseRateTest, k: int, n: int, low: float, high: float) -> float:
    """Return the claim's probability, a posterior mass of the model's share.

    The mass of the Jeffreys posterior of the share ``k / n`` where the test puts it
    against the base rate's interval ``[low, high]``.
    """
    from scipy import stats

    post = stats.beta(k + 0.5, n - k + 0.5)
    lo, hi = {"within": (low, high), "below": (0.0, low), "above": (high, 1.0)}[test.op]
    return float(post.cdf(hi) - post.cdf(lo))


def outside_view_claims(scenario: Scenario, months: tuple[float, ...] = (12, 24, 36)
                        ) -> dict[str, tuple[str, str, BaseRateTest]]:
    """Return the base-rate claims added to a scenario's own: ``{id: (text, source, test)}``.

    One per horizon within the scenario's run, for its first policy: the model's odds of
    a settlement lie within the base rate's interval of the war ending.
    """
    if scenario.time.war_began is None:
        return {}
    policy = next(iter(scenario.policies))
    out: dict[str, tuple[str, str, BaseRateTest]] = {}
    for m in months:
        if _by_date(scenario, m) > scenario.time.end:
            continue
        out[f"outside_view_{m:g}m"] = (
            f"Under {policy}, the model's odds of a settlement within {m:g} months lie within "
            "the base rate's interval of a war as old as this one ending in that time.",
            "outside view: base rates of war termination (docs/outside-view.md)",
            BaseRateTest(policy=policy, months=m))
    return out
