"""The forecast on a scenario's actors: its dataset, bands, exchanges, terms and coupling."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.negotiation import (
    COUPLED_SOURCE,
    MODELS,
    VARIABLES,
    NegotiationForecast,
    coupled_scenario,
    predicted_terms,
    sample_inputs,
    write_coupled_scenario,
)
from detente.errors import InputError, NotFittedError
from detente.scenario import load_scenario


@pytest.fixture(scope="module")
def ukraine():
    return load_scenario("ukraine-2023")


@pytest.fixture(scope="module")
def fitted(ukraine):
    return NegotiationForecast(n_samples=120, seed=3, rounds=5).fit(ukraine)


def test_the_dataset_has_every_variable_with_its_dims(fitted, ukraine):
    ds = fitted.forecast_
    for name, (dims, _) in VARIABLES.items():
        assert ds[name].dims == dims, name
    assert list(ds["actor"].values) == list(ukraine.actors)
    assert list(ds["issue"].values) == list(ukraine.issues)
    assert ds.sizes["sample"] == 120
    assert ds.sizes["round"] == 6
    assert ds.sizes["move"] == 5
    # positions stay on the issues' scale, and the first round is the start
    for model in ("expected_utility", "exchange"):
        pos = ds[f"{model}_position"].values
        assert np.all((pos >= -1e-12) & (pos <= 1 + 1e-12))
        np.testing.assert_array_equal(pos[:, 0], ds["position"].values)


def test_the_same_seed_gives_the_same_forecast_and_another_does_not(ukraine, fitted):
    again = NegotiationForecast(n_samples=120, seed=3, rounds=5).fit(ukraine)
    np.testing.assert_array_equal(again.forecast_["exchange_forecast"].values,
                                  fitted.forecast_["exchange_forecast"].values)
    other = NegotiationForecast(n_samples=120, seed=4, rounds=5).fit(ukraine)
    assert not np.array_equal(other.forecast_["salience"].values,
                              fitted.forecast_["salience"].values)


def test_inputs_follow_the_scenario_distributions(ukraine):
    inp = sample_inputs(ukraine, 4000, seed=0)
    hard = inp.actors.index("kyiv_hardliners")
    c = inp.capability[:, hard]
    assert c.min() >= 4
    assert c.max() <= 20
    assert np.median(c) == pytest.approx(ukraine.actors["kyiv_hardliners"].capability.central(),
                                         abs=0.3)
    central = sample_inputs(ukraine, 3, seed=0, central=True)
    assert np.all(central.capability == central.capability[0])


def test_bands_and_to_dict_agree(fitted):
    q = fitted.bands("expected_utility_forecast")
    assert list(q["quantile"].values) == [0.1, 0.5, 0.9]
    d = fitted.to_dict()
    assert set(d["models"]) == set(MODELS)
    terr = d["models"]["expected_utility"]["issues"]["territory"]
    assert terr["median"] == pytest.approx(float(q.sel(quantile=0.5, issue="territory")))
    assert terr["low"] <= terr["median"] <= terr["high"]
    with pytest.raises(InputError, match="unknown forecast variable 'nope'"):
        fitted.bands("nope")


def test_exchanges_pool_the_samples(fitted):
    ex = fitted.exchanges()
    assert ex, "the actors' saliences differ: some exchange is made"
    assert [e["share"] for e in ex] == sorted((e["share"] for e in ex), reverse=True)
    ds = fitted.forecast_
    top = ex[0]
    i = list(ds["actor"].values).index(top["actor_i"])
    made = (ds["exchange_actor_i"].values == i).any(axis=(1, 2))
    assert top["share"] <= made.mean()
    assert all(e["gain_i"] > 0 and e["gain_j"] > 0 for e in ex)


def test_the_estimator_contract(ukraine):
    nf = NegotiationForecast(rounds=3, rule="nash")
    assert repr(nf) == "NegotiationForecast(rounds=3, rule='nash')"
    assert NegotiationForecast(**nf.get_params()).get_params() == nf.get_params()
    for attr in ("inputs_", "forecast_"):
        with pytest.raises(NotFittedError, match=f"before reading {attr}$"):
            getattr(nf, attr)
    with pytest.raises(NotFittedError, match=r"before calling exchanges\(\)$"):
        nf.exchanges()
    assert nf.fit(ukraine) is nf
    with pytest.raises(InputError, match="rule: expected one of equal_gain, nash"):
        NegotiationForecast(rule="bogus").fit(ukraine)
    with pytest.raises(InputError, match="declares no actors"):
        NegotiationForecast().fit("lanchester-bench")
    with pytest.raises(InputError, match="formulation: expected one of equations, "
                                         "scholz_code, found 'paper'"):
        NegotiationForecast(formulation="paper").fit(ukraine)  # type: ignore[arg-type]


def test_the_formulation_plays_the_expected_utility_model_as_named(ukraine, fitted):
    """``formulation`` reaches the model (and only it) and is recorded."""
    from detente.analysis.negotiation import expected_utility_model

    code = NegotiationForecast(n_samples=120, seed=3, rounds=5,
                               formulation="scholz_code").fit(ukraine)
    assert fitted.forecast_.attrs["formulation"] == "equations"
    assert code.forecast_.attrs["formulation"] == "scholz_code"
    assert code.to_dict()["meta"]["formulation"] == "scholz_code"
    inp = code.inputs_
    x = np.moveaxis(inp.position, 1, 2)
    c = np.broadcast_to(inp.capability[:, None, :], x.shape)
    direct = expected_utility_model(x, c, np.moveaxis(inp.salience, 1, 2), rounds=5,
                                    formulation="scholz_code")
    np.testing.assert_array_equal(code.forecast_["expected_utility_forecast"].values,
                                  np.moveaxis(direct.median, 1, 2))
    assert not np.array_equal(code.forecast_["expected_utility_position"].values,
                              fitted.forecast_["expected_utility_position"].values)
    for name in ("exchange_forecast", "baseline_median"):
        np.testing.assert_array_equal(code.forecast_[name].values,
                                      fitted.forecast_[name].values)


def test_predicted_terms_are_shares_of_the_issue_levels(fitted, ukraine):
    terms = predicted_terms(fitted, ukraine)
    for model in MODELS:
        for issue, decl in ukraine.issues.items():
            shares = terms[model][issue]
            assert list(shares) == list(decl.levels)
            assert sum(shares.values()) == pytest.approx(1.0)


def test_the_coupled_scenario_takes_its_weights_from_the_leads(fitted, ukraine, tmp_path):
    coupled = coupled_scenario(ukraine, fitted)
    assert COUPLED_SOURCE in coupled.sources
    issues = list(ukraine.issues)
    for party, lead in (("russia", "russian_leadership"), ("ukraine", "kyiv_government"),
                        ("united_states", "us_administration")):
        central = np.array([ukraine.actors[lead].salience[i].central() for i in issues])
        modes = [coupled.parameters[f"{party}.weight_{i}"].nominal() for i in issues]
        np.testing.assert_allclose(modes, central / central.sum())
        assert coupled.parameters[f"{party}.weight_territory"].source == f"ref:{COUPLED_SOURCE}"
    # everything else is as it was
    assert coupled.parameters["russia.personnel0"] == ukraine.parameters["russia.personnel0"]
    path = write_coupled_scenario(coupled, tmp_path / "coupled.yaml")
    again = load_scenario(path)
    assert again.parameters["russia.weight_alignment"] == \
        coupled.parameters["russia.weight_alignment"]
    assert again.draws is not None
    assert again.draws.n_rows == ukraine.draws.n_rows
