"""The EMA Workbench adapter: EMA drives detente; both ways of running agree."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from detente.analysis.ema_adapter import POLICY_LEVER, EmaAdapter, scipy_distribution
from detente.scenario.schema import Parameter

pytest.importorskip("ema_workbench")

OUTCOMES = {"ratio": "blue.personnel / red.personnel", "ua": "blue.personnel"}


@pytest.fixture(scope="module")
def adapter() -> EmaAdapter:
    return EmaAdapter("lanchester-bench", outcomes=OUTCOMES, horizon=12)


def test_model_describes_the_scenario(adapter: EmaAdapter):
    import detente as dt

    model = adapter.model()
    sc = dt.load("lanchester-bench")
    assert [u.name for u in model.uncertainties] == sc.uncertain
    assert [o.name for o in model.outcomes] == list(OUTCOMES)
    assert list(model.levers) == []  # one policy: no lever


def test_perform_experiments_matches_the_vectorised_run(adapter: EmaAdapter):
    from ema_workbench import perform_experiments

    experiments, outcomes = perform_experiments(adapter.model(), scenarios=6)
    assert outcomes["ratio"].shape == (6,)
    _, again = adapter.run(experiments)
    np.testing.assert_allclose(again["ratio"], outcomes["ratio"], rtol=1e-12)
    np.testing.assert_allclose(again["ua"], outcomes["ua"], rtol=1e-12)


def test_policy_lever_with_several_policies(bench_dict):
    import pandas as pd

    from detente.scenario.loading import validate_scenario

    data = dict(bench_dict)
    data["policies"] = {**data["policies"], "no_aid": {
        "description": "x", "changes": [{"param": "blue.shell_aid_direct", "value": 0}]}}
    assert not validate_scenario(data)
    from detente.scenario.schema import Scenario

    ad = EmaAdapter(Scenario.model_validate(data), outcomes=["blue.shells"], horizon=8)
    assert [lv.name for lv in ad.levers()] == [POLICY_LEVER]
    exp = pd.DataFrame({"blue.shell_aid_direct": [100.0, 100.0],
                        POLICY_LEVER: ["status_quo", "no_aid"]})
    _, out = ad.run(exp)
    assert out["blue.shells"][0] > out["blue.shells"][1]


@pytest.mark.parametrize("dist", [
    {"dist": "uniform", "low": 1, "high": 3},
    {"dist": "triangular", "low": 0, "mode": 1, "high": 4},
    {"dist": "pert", "low": 0, "mode": 1, "high": 4},
    {"dist": "truncnormal", "mean": 1, "sd": 2, "low": 0, "high": 5},
    {"dist": "lognormal", "median": 2, "sigma": 0.5},
])
def test_scipy_distribution_matches_detente_quantiles(dist):
    par = Parameter.model_validate({**dist, "unit": "1", "source": "assumption"})
    u = np.array([0.05, 0.3, 0.5, 0.9])
    np.testing.assert_allclose(scipy_distribution(par).ppf(u), par.sample(u), rtol=1e-9)
    assert isinstance(scipy_distribution(par), stats._distn_infrastructure.rv_continuous_frozen)
