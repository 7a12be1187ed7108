"""The Estimator base class (configuration, fitted state, messages) and as_scenario."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.analysis import Estimator, as_scenario
from detente.errors import InputError, NotFittedError
from detente.scenario import builtin_path, load_scenario


class Mean(Estimator):
    """A toy estimator: the mean of some numbers, shifted.

    Attributes
    ----------
    mean_ : float
        The shifted mean.
    n_ : int
        How many numbers.
    double_ : float
        Twice the mean (a property).
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = ("mean_", "n_")

    def __init__(self, shift: float = 0.0, *, label: Any = "m", weights: Any = None) -> None:
        self.shift = shift
        self.label = label
        self.weights = weights

    def fit(self, x: list[float]) -> Mean:
        self.n_ = len(x)
        if not x:
            raise InputError("no numbers")
        self.mean_ = float(np.mean(x)) + self.shift
        return self

    @property
    def double_(self) -> float:
        return 2 * self.mean_

    def summary(self) -> str:
        self.check_is_fitted("calling summary()")
        return f"{self.mean_:g}"


def test_before_fit_every_use_of_fitted_state_names_the_class_and_what_was_used():
    m = Mean()
    assert not m.is_fitted
    with pytest.raises(NotFittedError,
                       match=r"^Mean is not fitted yet: call fit\(\) before reading mean_$"):
        _ = m.mean_
    # a property over the fitted state is reported under its own name
    with pytest.raises(NotFittedError, match=r"before reading double_$"):
        _ = m.double_
    with pytest.raises(NotFittedError, match=r"before calling summary\(\)$"):
        m.summary()
    with pytest.raises(NotFittedError, match=r"before reading mean_$"):
        m.check_is_fitted()
    assert isinstance(NotFittedError("x"), AttributeError)
    assert not hasattr(m, "n_")
    assert getattr(m, "mean_", None) is None


def test_after_fit_state_reads_and_unknown_names_are_plain_attribute_errors():
    m = Mean(1.0).fit([1.0, 3.0])
    assert m.is_fitted
    m.check_is_fitted()
    assert (m.mean_, m.n_, m.double_, m.summary()) == (3.0, 2, 6.0, "3")
    with pytest.raises(AttributeError, match="no attribute 'meen_'") as info:
        _ = m.meen_
    assert not isinstance(info.value, NotFittedError)
    with pytest.raises(AttributeError, match="no attribute 'other'"):
        _ = m.other


def test_a_fit_that_fails_half_way_leaves_the_estimator_unfitted():
    m = Mean()
    with pytest.raises(InputError):
        m.fit([])
    assert m.n_ == 0  # what it did set is readable
    assert not m.is_fitted
    with pytest.raises(NotFittedError, match="before reading mean_"):
        m.check_is_fitted()


def test_get_params_set_params_and_repr():
    m = Mean(2.0, label="x")
    assert m.get_params() == {"shift": 2.0, "label": "x", "weights": None}
    assert repr(m) == "Mean(shift=2.0, label='x')"
    assert repr(Mean()) == "Mean()"
    assert m.set_params(shift=0.0, weights=[1, 2]) is m
    assert repr(m) == "Mean(label='x', weights=[1, 2])"
    with pytest.raises(InputError, match="unknown parameter of Mean 'shfit'; did you mean "
                                         "'shift'"):
        m.set_params(shfit=1.0)
    # a value that compares elementwise is shown, not compared
    assert repr(Mean(weights=np.ones(2))) == "Mean(weights=array([1., 1.]))"


def test_an_estimator_must_name_its_arguments():
    class Loose(Estimator):
        def __init__(self, **options: Any) -> None:
            self.options = options

    with pytest.raises(TypeError, match=r"must name every argument \(found \*options\)"):
        Loose(a=1).get_params()


@given(shift=st.floats(allow_nan=False), label=st.text(max_size=5) | st.integers(),
       weights=st.none() | st.lists(st.integers(), max_size=3))
def test_get_params_round_trips(shift: float, label: Any, weights: Any):
    m = Mean(shift, label=label, weights=weights)
    again = type(m)(**m.get_params())
    assert again.get_params() == m.get_params()
    assert repr(again) == repr(m)
    assert set(vars(again)) == {"shift", "label", "weights"}


def test_copies_and_pickles_keep_state_and_contract():
    fitted = Mean(1.0).fit([2.0])
    for clone in (copy.deepcopy(fitted), pickle.loads(pickle.dumps(fitted))):
        assert clone.is_fitted
        assert clone.mean_ == 3.0
    blank = pickle.loads(pickle.dumps(Mean()))
    with pytest.raises(NotFittedError):
        _ = blank.mean_


def test_as_scenario_takes_a_scenario_a_name_or_a_path():
    sc = load_scenario("lanchester-bench")
    assert as_scenario(sc) is sc
    assert as_scenario("lanchester-bench").name == sc.name
    path: Path = builtin_path("lanchester-bench")
    assert as_scenario(path).name == sc.name
    with pytest.raises(InputError, match="expected a Scenario, a built-in scenario name or a "
                                         "file path, found int"):
        as_scenario(3)
