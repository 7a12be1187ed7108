"""The settings every surface runs an ensemble with unless told otherwise.

The command line (``run``, ``compare``, ``claims``, ``report``, ``sweep``, ...), the report
and the dashboard read their defaults here, so the same question gives the same number
wherever it is asked: :data:`DEFAULT_SAMPLES` samples, seed :data:`DEFAULT_SEED`, the
scenario's own horizon (:data:`DEFAULT_HORIZON`) and every lever drawn from its
parameter's distribution (:data:`LEVERS`). The dashboard runs fewer samples
(:data:`DASHBOARD_SAMPLES`) to stay interactive, over the same horizon and with the same
levers: its numbers differ from the command line's by Monte Carlo error only, and it says
how much. Each surface prints what it ran with (:func:`describe_settings`).

:data:`SOBOL_N`, the base sample size of the claims' Sobol design of their hinges, is
:data:`detente.analysis.claims.SOBOL_N`, re-exported here so that every default is found in
one place.
"""

from __future__ import annotations

from typing import Literal

from detente.analysis.claims import SOBOL_N

__all__ = [
    "DASHBOARD_SAMPLES", "DEFAULT_HORIZON", "DEFAULT_SAMPLES", "DEFAULT_SEED",
    "DISCOVERY_SAMPLES", "LEVERS", "SOBOL_N", "LeverTreatment", "describe_settings",
    "horizon_months",
]

#: Monte Carlo samples of an ensemble (per policy).
DEFAULT_SAMPLES = 1000
#: Root random seed.
DEFAULT_SEED = 0
#: Steps simulated: None, the scenario's own horizon.
DEFAULT_HORIZON: int | None = None
#: How a scenario's levers are treated: ``"drawn"``, each keeps its parameter's
#: distribution (a policy's changes apply on top); ``"fixed"``, each is set in every sample.
LeverTreatment = Literal["drawn", "fixed"]
#: How the levers are treated by default: drawn from their distributions.
LEVERS: LeverTreatment = "drawn"
#: Samples of scenario discovery (``detente discover``): PRIM peels its boxes from the
#: cases, and twice the samples of a probability keep its boxes stable.
DISCOVERY_SAMPLES = 2 * DEFAULT_SAMPLES
#: Samples per update of the dashboard: a third of :data:`DEFAULT_SAMPLES`, so that an
#: update over a three-year horizon of weekly steps does the sample-steps that 500 samples
#: over two years did. Its Monte Carlo error is shown beside every
#: number it prints.
DASHBOARD_SAMPLES = DEFAULT_SAMPLES // 3

_LEVER_WORDS = {"drawn": "levers drawn from their distributions",
                "fixed": "levers fixed at the values set"}


def horizon_months(months: float) -> str:
    """Write a horizon in months as people say it: whole months when it is nearly whole.

    >>> horizon_months(35.9), horizon_months(6.9), horizon_months(12.0)
    ('36 months', '6.9 months', '12 months')
    """
    whole = round(months)
    if abs(months - whole) < 0.2 and whole >= 1:
        return f"{whole:,} months"
    return f"{months:.2g} months" if months < 10 else f"{months:.3g} months"


def describe_settings(n_samples: int, seed: object, months: float, *,
                      levers: LeverTreatment | str = LEVERS) -> str:
    """Say what an ensemble was run with, in one line.

    Parameters
    ----------
    n_samples : int
        Samples per policy.
    seed : object
        The root seed, as given.
    months : float
        The horizon, in months since the start (the last point of the run).
    levers : {"drawn", "fixed"} or str
        How the levers were treated (a key of the treatments, or words of one's own).

    Examples
    --------
    >>> describe_settings(1000, 0, 35.9)
    '1,000 samples, seed 0, 36 months, levers drawn from their distributions'
    """
    words = _LEVER_WORDS.get(levers, levers)
    return f"{n_samples:,} samples, seed {seed}, {horizon_months(months)}, {words}"
