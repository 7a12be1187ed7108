"""One contract for every claims-layer analysis: config-only __init__, fit returns self,
fitted state in ``*_`` attributes, NotFittedError before fit."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from detente.analysis.claims import Claims
from detente.analysis.discovery import Prim
from detente.analysis.sensitivity import FunctionModel, Morris, Sobol
from detente.errors import NotFittedError


def _fit_sobol(est):
    return est.fit(FunctionModel(lambda x: x["a"] + 2 * x["b"], {"a": (0, 1), "b": (0, 1)}))


def _fit_prim(est):
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((500, 2)), columns=["a", "b"])
    return est.fit(x, (x["a"] > 0.5).to_numpy())


def _fit_claims(est):
    return est.fit("lanchester-bench-missing-claims")


CASES = [
    (Sobol(n_base=64, seed=0), _fit_sobol, "indices_"),
    (Morris(n_trajectories=10, seed=0), _fit_sobol, "indices_"),
    (Prim(threshold=0.8), _fit_prim, "box_"),
    (Claims(hinges=()), None, "claims_"),
]


@pytest.mark.parametrize(("est", "fit", "attr"), CASES,
                         ids=[type(c[0]).__name__ for c in CASES])
def test_analysis_contract(est, fit, attr):
    params = inspect.signature(type(est).__init__).parameters
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")
    assert set(est.get_params()) == {n for n in params if n != "self"}
    with pytest.raises(NotFittedError, match="fit"):
        getattr(est, attr)
    assert not hasattr(est, attr)  # NotFittedError is an AttributeError
    assert repr(est).startswith(type(est).__name__ + "(")
    if fit is not None:
        pytest.importorskip("SALib")
        if isinstance(est, Prim):
            pytest.importorskip("ema_workbench")
        assert fit(est) is est
        assert getattr(est, attr) is not None
