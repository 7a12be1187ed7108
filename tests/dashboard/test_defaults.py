"""The dashboard and the command line answer the same question with the same number.

Both run the shared defaults (:mod:`detente.analysis.defaults`): the scenario's horizon,
seed 0 and the levers drawn from their distributions; the dashboard runs fewer samples,
so its probabilities may differ from the command line's by their Monte Carlo error only.
"""

from __future__ import annotations

import json
import math

import pytest

from cli_runner import run_cli
from detente.analysis.defaults import DASHBOARD_SAMPLES, DEFAULT_SAMPLES, DEFAULT_SEED
from detente.dashboard import DashboardModel, mc_error


@pytest.mark.slow
def test_the_dashboards_claims_lie_within_their_error_of_the_commands() -> None:
    model = DashboardModel("ukraine-2023")
    sc = model.scenario
    assert (model.n_samples, model.seed) == (DASHBOARD_SAMPLES, DEFAULT_SEED)
    assert model.horizon == sc.time.horizon_steps
    state = model.update()  # every control at its default
    assert model.drawn(state.values) == [lv.param for lv in model.levers]
    # the command at its defaults (no --samples, --seed, --horizon), under the policies the
    # dashboard shows: common random numbers make a policy's runs the same whichever
    # others run beside it
    r = run_cli("claims", "ukraine-2023", "--hinges", "none", "--no-outside-view",
                "--json", "--quiet", "--policies", ",".join(state.policies))
    assert r.code == 0, r.stderr
    cli = {c["id"]: c for c in json.loads(r.stdout)}
    compared = []
    for claim in state.claims:
        ref = cli[claim.id]
        if claim.probability is None or ref["probability"] is None:
            continue
        se = mc_error(claim.probability, claim.n_samples)
        gap = abs(claim.probability - ref["probability"])
        assert gap <= 3 * se, (claim.id, claim.probability, ref["probability"], se)
        compared.append(claim.id)
    assert len(compared) >= 3
    # an unconditional claim counts every sample: the command ran the shared default
    assert DEFAULT_SAMPLES in {cli[c]["n_samples"] for c in compared}
    assert max(state.claims, key=lambda c: c.n_samples).n_samples == DASHBOARD_SAMPLES


def test_the_dashboard_costs_no_more_per_update_than_before() -> None:
    """500 samples over two years of weekly steps was an update; the whole horizon is too."""
    model = DashboardModel("ukraine-2023")
    before = 500 * math.ceil(728 / model.scenario.time.step_days)
    assert model.n_samples * model.horizon <= before
