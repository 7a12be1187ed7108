"""One contract for every analysis (scikit-learn's estimator checks, run over all of them).

Configuration only in ``__init__``, stored as given; ``get_params`` round-trips; every
fitted attribute (and property over it) raises NotFittedError before ``fit``, naming the
class and the attribute; ``fit`` returns ``self``, sets exactly the declared fitted
attributes (all ending in ``_``) and leaves the configuration alone.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import detente.analysis as analysis
from detente.analysis import (
    Backtest,
    Calibrator,
    Claims,
    Estimator,
    FunctionModel,
    Hindcast,
    LanchesterFit,
    LawComparison,
    Morris,
    Observations,
    Prim,
    Sobol,
    simulate_battle,
)
from detente.errors import NotFittedError
from detente.scenario import load_scenario

LINEAR = FunctionModel(lambda x: x["a"] + 2 * x["b"], {"a": (0.0, 1.0), "b": (0.0, 1.0)})


def _table() -> tuple[pd.DataFrame, np.ndarray]:
    x = pd.DataFrame(np.random.default_rng(0).random((200, 2)), columns=["a", "b"])
    return x, (x["a"] > 0.5).to_numpy()


def _observations() -> tuple[Any, Observations]:
    bench = load_scenario("lanchester-bench")
    start = bench.time.start
    obs = Observations.from_records(
        [(start + dt.timedelta(days=7 * k), "blue.personnel", 1.0e6 - 1.0e4 * k)
         for k in (2, 4, 6)], name="obs.csv")
    return bench, obs


def _record() -> tuple[Any, Observations, list[dt.date]]:
    bench = load_scenario("lanchester-bench")
    start = bench.time.start
    obs = Observations.from_records(
        [(start + dt.timedelta(days=7 * k), "blue.personnel", 4.0e5 - 1.0e3 * k)
         for k in range(12)], name="record.csv")
    return bench, obs, [start + dt.timedelta(days=7)]


def _battle() -> Any:
    return simulate_battle("square", {"a": 0.01, "b": 0.05}, blue0=1000.0, red0=500.0,
                           n_days=12, noise=0.1, seed=0)


@dataclass(frozen=True)
class Case:
    """An estimator's configuration, a small fit, and its other methods' arguments."""

    cls: type[Estimator]
    config: dict[str, Any]
    fit: Callable[[Estimator], Estimator]
    needs: tuple[str, ...] = ()
    uses: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def make(self) -> Estimator:
        return self.cls(**self.config)


CASES = [
    Case(Sobol, {"n_base": 8, "seed": 1}, lambda e: e.fit(LINEAR), ("SALib",)),
    Case(Morris, {"n_trajectories": 4, "seed": 1}, lambda e: e.fit(LINEAR), ("SALib",)),
    Case(Prim, {"threshold": 0.7, "max_dims": 2}, lambda e: e.fit(*_table()),
         ("ema_workbench",)),
    Case(Claims, {"hinges": [], "ids": None},
         lambda e: e.fit("ukraine-2023", n_samples=16, seed=0, horizon=8),
         uses={"to_list": ()}),
    Case(Backtest, {"n_samples": 20, "seed": 0, "levels": (0.5, 0.9)},
         lambda e: e.fit(*_observations()), uses={"to_dict": ()}),
    Case(Calibrator, {"params": ["blue.reinforcement"], "n_samples": 200, "accept": 0.1},
         lambda e: e.fit(*_observations()),
         uses={"to_dict": (), "write": (Path("calibrated.yaml"),)}),
    Case(Hindcast, {"n_samples": 20, "seed": 0, "leads": (1, 2), "widen": 0.5},
         lambda e: e.fit(*_record()), uses={"to_dict": ()}),
    Case(LanchesterFit, {"law": "square", "n_boot": 5, "seed": 0},
         lambda e: e.fit(_battle()), uses={"predict": (), "to_dict": ()}),
    Case(LawComparison, {"laws": ["square", "linear"], "n_boot": 0},
         lambda e: e.fit(_battle()), uses={"to_dict": ()}),
]
IDS = [c.cls.__name__ for c in CASES]


def _init_params(cls: type) -> dict[str, inspect.Parameter]:
    return dict(list(inspect.signature(cls.__init__).parameters.items())[1:])


def _views(cls: type) -> list[str]:
    """Properties over the fitted state (public names ending in ``_``)."""
    return [n for n, v in inspect.getmembers(cls) if isinstance(v, property)
            and n.endswith("_") and not n.startswith("_")]


def _methods(cls: type) -> set[str]:
    """Public methods beyond the base class's and ``fit``."""
    return {n for n, v in inspect.getmembers(cls, inspect.isfunction)
            if not n.startswith("_") and n != "fit" and not hasattr(Estimator, n)}


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def fitted(request: pytest.FixtureRequest) -> tuple[Case, Estimator, dict[str, Any], Any]:
    """Each estimator fitted once (its configuration before fit, and what fit returned)."""
    case: Case = request.param
    for module in case.needs:
        pytest.importorskip(module)
    est = case.make()
    before = est.get_params()
    returned = case.fit(est)
    return case, est, before, returned


def test_every_class_with_fit_is_an_estimator_under_the_contract():
    found: set[type] = set()
    for info in pkgutil.iter_modules(analysis.__path__, analysis.__name__ + "."):
        module = importlib.import_module(info.name)
        found |= {c for _n, c in inspect.getmembers(module, inspect.isclass)
                  if c.__module__ == module.__name__ and hasattr(c, "fit")
                  and not inspect.isabstract(c)}
    assert all(issubclass(c, Estimator) for c in found), found
    assert found == {c.cls for c in CASES}
    assert {c.cls for c in CASES} <= {getattr(analysis, n) for n in analysis.__all__
                                      if isinstance(getattr(analysis, n), type)}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_init_stores_the_configuration_as_given_and_nothing_else(case: Case):
    params = _init_params(case.cls)
    assert all(p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())
    est = case.make()
    assert set(vars(est)) == set(params)  # no derived, loaded or fitted state
    for name, value in case.config.items():
        assert vars(est)[name] is value, name
    for name, p in params.items():
        if name not in case.config:
            assert vars(est)[name] is p.default, name


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_get_params_round_trips_and_repr_shows_the_changes(case: Case):
    est = case.make()
    params = est.get_params()
    assert list(params) == list(_init_params(case.cls))
    copy = type(est)(**params)
    assert copy.get_params() == params
    assert repr(copy) == repr(est)
    text = repr(est)
    assert text.startswith(f"{case.cls.__name__}(")
    assert text.endswith(")")
    for name, value in case.config.items():
        default = _init_params(case.cls)[name].default
        if value is not default and value != default:
            assert f"{name}={value!r}" in text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fitted_state_before_fit_raises_not_fitted(case: Case, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # write() would write here, if it did not refuse
    est = case.make()
    name = case.cls.__name__
    assert not est.is_fitted
    attributes = [*case.cls.fitted_attributes, *_views(case.cls)]
    assert attributes
    for attr in attributes:
        with pytest.raises(NotFittedError, match=rf"^{name} is not fitted yet: call fit\(\) "
                                                 rf"before reading {attr}$"):
            getattr(est, attr)
        assert not hasattr(est, attr)  # NotFittedError is an AttributeError
    assert set(case.uses) == _methods(case.cls)  # every method that needs fit is checked
    for method, args in case.uses.items():
        with pytest.raises(NotFittedError, match=rf"^{name} is not fitted yet: call fit\(\) "
                                                 rf"before calling {method}\(\)$"):
            getattr(est, method)(*args)
    assert list(tmp_path.iterdir()) == []


def test_fit_returns_self_and_keeps_the_configuration(fitted):
    _case, est, before, returned = fitted
    assert returned is est
    assert est.is_fitted
    est.check_is_fitted()
    assert est.get_params() == before


def test_fit_sets_exactly_the_declared_attributes_each_ending_in_underscore(fitted):
    case, est, _before, _returned = fitted
    declared = case.cls.fitted_attributes
    assert all(a.endswith("_") and not a.startswith("_") for a in declared)
    public = {k for k in vars(est) if not k.startswith("_")}
    assert public - set(_init_params(case.cls)) == set(declared)
    for view in _views(case.cls):
        getattr(est, view)  # a property over the fitted state reads once fitted


def test_fitted_attributes_are_documented(fitted):
    case, _est, _before, _returned = fitted
    doc = inspect.getdoc(case.cls) or ""
    section = re.search(r"^Attributes\n-+\n(.*?)(?:^\S[^\n]*\n-+\n|\Z)", doc, re.M | re.S)
    assert section, f"{case.cls.__name__} has no Attributes section"
    for attr in [*case.cls.fitted_attributes, *_views(case.cls)]:
        assert re.search(rf"^{re.escape(attr)}\b|, {re.escape(attr)}\b", section.group(1),
                         re.M), attr


def test_methods_work_once_fitted(fitted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    case, est, _before, _returned = fitted
    monkeypatch.chdir(tmp_path)
    for method, args in case.uses.items():
        assert getattr(est, method)(*args) is not None, method
