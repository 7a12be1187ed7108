"""Claim-lint: find the claims whose verdict the model decides by construction.

A claim is worth testing only if the model could have said otherwise. Two findings:

* ``inputs_only`` — its test reads no model output, only parameters (and events): its
  verdict restates the scenario's own assumptions (a comparison of input capacities, say),
  so it is a model assumption, not a finding;
* ``constant`` — over a Latin hypercube design in which every uncertain parameter spans
  its whole distribution (each column through the parameter's quantiles), the test holds
  in every run, or fails in every run: nothing within the ranges can change it, so it
  holds (or fails) by construction of the model (or of the ranges).

A claim flagged here is to be re-encoded, or declared a model assumption (its
``assumption`` field says why it holds by construction; docs/claims.md): the lint accepts a
claim so declared, and the claims' output lists it as an assumption, not a finding.
The design is :data:`N_LINT` runs by default, one sample each, under the policies the
claims read; a claim that reads a policy or a date the run lacks is left out of the design
check (the claims themselves report it untestable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente._typing import SeedLike
from detente.analysis._base import as_scenario, check_names
from detente.analysis._design import run_design, unit_to_file_units
from detente.analysis._outputs import (
    OutputReader,
    UntestableError,
    record_for,
    scenario_expr,
)
from detente.analysis.claims import _expressions, _policies_of, claim_indicator
from detente.errors import InputError
from detente.scenario.schema import Scenario

__all__ = ["N_LINT", "LintFinding", "lint_claims"]

#: Runs of the lint's design (one sample each): enough that a claim which fails in 1 % of
#: the parameter space is seen failing with probability 1 - 0.99**256, over 92 %.
N_LINT = 256

Finding = Literal["inputs_only", "constant"]


@dataclass(frozen=True)
class LintFinding:
    """One claim the model decides by construction.

    Attributes
    ----------
    claim : str
        The claim's id.
    kind : {"inputs_only", "constant"}
        What was found (see the module's docstring).
    message : str
        The finding in words.
    """

    claim: str
    kind: Finding
    message: str


def lint_claims(scenario: Scenario | str, *, n_runs: int = N_LINT, seed: SeedLike = 0,
                ids: Sequence[str] | None = None, horizon: int | None = None
                ) -> list[LintFinding]:
    """Return the claims of ``scenario`` that hold or fail by construction.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario (object, built-in name or file).
    n_runs : int
        Runs of the Latin hypercube design over the uncertain parameters.
    seed : int, SeedSequence or None
        Seed of the design and of its noise.
    ids : sequence of str, optional
        Lint only these claims.
    horizon : int, optional
        Steps to run (default: the scenario's).

    Returns
    -------
    list of LintFinding
        In claim order; empty when every claim could have gone either way (or is declared
        a model assumption).

    Raises
    ------
    InputError
        For an unknown claim id, a non-positive ``n_runs``, or a scenario without claims.
    """
    from scipy.stats import qmc

    if n_runs < 2:
        raise InputError(f"n_runs: expected at least 2 runs, found {n_runs}")
    sc = as_scenario(scenario)
    claims = dict(sc.claims)
    if ids:
        unknown = [i for i in ids if i not in claims]
        if unknown:
            check_names(unknown, list(claims), "claim")
        claims = {k: v for k, v in claims.items() if k in ids}
    testable = {k: c for k, c in claims.items() if c.test is not None}
    if not testable:
        raise InputError(f"scenario '{sc.name}' has no testable claims to lint")
    # a declared model assumption holds by construction, and says so: nothing to flag
    testable = {k: c for k, c in testable.items() if c.assumption is None}
    if not testable:
        return []
    default_policy = next(iter(sc.policies))
    outputs = {v.name for m in sc.enabled_modules for v in m.variables}
    findings: dict[str, LintFinding] = {}
    exprs = []
    needed: set[str] = set()
    for cid, claim in testable.items():
        assert claim.test is not None
        default = claim.policies[0] if claim.policies else default_policy
        needed |= _policies_of(claim.test, default)
        read: set[str] = set()
        for text, _kind, per_sample in _expressions(claim.test):
            expr = scenario_expr(sc, text)
            exprs.append(expr)
            if not per_sample:  # `given` selects samples by their inputs, by design
                read |= set(expr.names)
        if not read & outputs:
            findings[cid] = LintFinding(cid, "inputs_only", (
                "its test reads no model output, only parameters "
                f"({', '.join(sorted(read)) or 'none'}): the verdict restates the inputs"))
    names = list(sc.uncertain)
    policies = [p for p in sc.policies if p in needed]
    u = qmc.LatinHypercube(d=max(1, len(names)), seed=np.random.default_rng(seed)
                           ).random(n_runs)[:, :len(names)]
    design = unit_to_file_units(sc, names, u) if names else {}
    res = run_design(sc, design, group=1, seed=seed, policies=policies, horizon=horizon,
                     record=record_for(sc, exprs)) if names else None
    if res is None:
        return list(findings.values())
    reader = OutputReader(res, sc)
    for cid, claim in testable.items():
        if cid in findings:
            continue
        assert claim.test is not None
        default = claim.policies[0] if claim.policies else default_policy
        try:
            ind = claim_indicator(claim.test, reader, default)
        except UntestableError:
            continue
        holds = ind.holds[ind.mask]
        if holds.size and (bool(holds.all()) or not bool(holds.any())):
            what = "holds" if bool(holds.all()) else "fails"
            findings[cid] = LintFinding(cid, "constant", (
                f"its test {what} in every one of {holds.size} runs of a design over all "
                f"{len(names)} uncertain parameters' ranges: nothing within them changes "
                "it"))
    return [findings[c] for c in testable if c in findings]
