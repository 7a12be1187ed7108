"""detente's model as an EMA Workbench model, for users of the EMA Workbench's tools.

:class:`EmaAdapter` describes a scenario in the EMA Workbench's terms: each uncertain
parameter becomes an uncertainty (a ``RealParameter`` built from the same distribution,
so EMA's samplers draw what detente would), the policies become one categorical lever
``detente_policy`` (EMA keeps ``policy`` for its own), and output expressions read at a time

Two ways to run it:

* :meth:`EmaAdapter.model` returns an ``ema_workbench.Model`` whose function simulates one
  experiment at a time, so ``perform_experiments``, EMA's evaluators and its
  optimisation work unchanged (one model run per call: slower than detente's own
  vectorised ensembles);
* :meth:`EmaAdapter.run` simulates a whole table of experiments (for instance from EMA's
  samplers) in one vectorised detente run per policy and returns
  ``(experiments, outcomes)`` in EMA's result format, ready for ``prim``,
  ``feature_scoring`` or ``dimensional_stacking``.

Every experiment gets the same random shocks and chance-event draws (one noise group of
:func:`~detente.analysis._design.run_design` for ``seed``), so outcomes depend on the
parameters and the policy only, and both ways of running give the same numbers.

Examples
--------
>>> from ema_workbench import perform_experiments                       # doctest: +SKIP
>>> ad = EmaAdapter("lanchester-bench",
...                 outcomes={"ratio": "blue.combat_power_ratio"})  # doctest: +SKIP
>>> experiments, outcomes = perform_experiments(ad.model(), scenarios=50)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._optional import import_optional
from detente._typing import FloatArray, SeedLike
from detente.analysis._base import as_scenario, check_names
from detente.analysis._design import run_design
from detente.analysis._outputs import OutputReader, record_for, scenario_expr
from detente.errors import InputError
from detente.scenario import ParameterDistribution

if TYPE_CHECKING:
    import pandas as pd

    from detente.scenario.schema import Parameter, Scenario

__all__ = ["POLICY_LEVER", "EmaAdapter", "scipy_distribution"]

#: Name of the categorical lever that selects a detente policy.
POLICY_LEVER = "detente_policy"


def scipy_distribution(par: Parameter) -> Any:
    """Return the frozen ``scipy.stats`` distribution equal to a parameter's distribution.

    Parameters
    ----------
    par : Parameter
        An uncertain parameter (with ``dist``).

    Returns
    -------
    scipy.stats.rv_frozen
        See :meth:`detente.scenario.ParameterDistribution.to_scipy`.
    """
    return ParameterDistribution.of(par).to_scipy()


class EmaAdapter:
    """A detente scenario in the EMA Workbench's terms.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario (or a built-in name / file path).
    outcomes : mapping of str to str, or sequence of str
        Outcome name -> output expression (a sequence uses each expression as its name).
    at : date, "start" or "end"
        When the outcomes are read.
    horizon : int, optional
        Steps to simulate.
    seed : int, SeedSequence or None
        Seed of the shocks and chance events every experiment shares.
    parameters : sequence of str, optional
        Uncertain parameters to expose (default: all); the others keep their central value.
    """

    def __init__(self, scenario: Scenario | str, outcomes: Mapping[str, str] | Sequence[str],
                 *, at: Any = "end", horizon: int | None = None, seed: SeedLike = 0,
                 parameters: Sequence[str] | None = None) -> None:
        self.scenario = as_scenario(scenario)
        sc = self.scenario
        self.outcomes = (dict(outcomes) if isinstance(outcomes, Mapping)
                         else {str(o): str(o) for o in outcomes})
        if not self.outcomes:
            raise InputError("expected at least one outcome expression")
        self.at = at
        self.horizon = horizon
        self.seed = seed
        names = list(parameters) if parameters else list(sc.uncertain)
        check_names(names, list(sc.uncertain), "uncertain parameter")
        self.parameters = names
        exprs = [scenario_expr(sc, e) for e in self.outcomes.values()]
        self._record = record_for(sc, exprs)

    @property
    def policies(self) -> list[str]:
        """The scenario's policies (the values of the ``detente_policy`` lever)."""
        return list(self.scenario.policies)

    # ------------------------------------------------------------------ EMA objects
    def uncertainties(self) -> list[Any]:
        """Return ``RealParameter`` objects with the scenario's distributions."""
        ema = _ema()
        return [ema.RealParameter.from_dist(n, self.scenario.table[n].distribution.to_scipy())
                for n in self.parameters]

    def levers(self) -> list[Any]:
        """Return one ``CategoricalParameter`` named ``detente_policy`` over the policies.

        None when the scenario has a single policy.
        """
        ema = _ema()
        if len(self.policies) < 2:
            return []
        return [ema.CategoricalParameter(POLICY_LEVER, self.policies)]

    def ema_outcomes(self) -> list[Any]:
        """One ``ScalarOutcome`` per outcome expression."""
        ema = _ema()
        return [ema.ScalarOutcome(name) for name in self.outcomes]

    def model(self, name: str | None = None) -> Any:
        """Return an ``ema_workbench.Model`` that runs one experiment per call.

        Parameters
        ----------
        name : str, optional
            EMA model name (letters and digits only; default from the scenario's name).
        """
        ema = _ema()
        mname = name or "detente" + "".join(c for c in self.scenario.name if c.isalnum())
        model = ema.Model(mname, function=self._one)
        model.uncertainties = self.uncertainties()
        model.levers = self.levers()
        model.outcomes = self.ema_outcomes()
        return model

    # ------------------------------------------------------------------ running
    def _one(self, **kwargs: Any) -> dict[str, float]:
        policy = str(kwargs.pop(POLICY_LEVER, self.policies[0]))
        values = {k: np.array([float(v)]) for k, v in kwargs.items()
                  if k in self.scenario.parameters}
        out = self._rows(policy, values, 1)
        return {k: float(v[0]) for k, v in out.items()}

    def run(self, experiments: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, FloatArray]]:
        """Simulate a table of experiments, vectorised per policy.

        Parameters
        ----------
        experiments : pandas.DataFrame
            One row per experiment; columns named after uncertain parameters (others are
            ignored) and optionally ``detente_policy`` (default: the scenario's first policy).

        Returns
        -------
        experiments : pandas.DataFrame
            The table as given (with a ``detente_policy`` column).
        outcomes : dict of str to ndarray
            Each outcome, one value per row, in row order (EMA's result format).
        """
        exp = experiments.reset_index(drop=True).copy()
        if POLICY_LEVER not in exp.columns:
            exp[POLICY_LEVER] = self.policies[0]
        cols = [c for c in exp.columns if c in self.scenario.parameters]
        outcomes = {k: np.full(len(exp), math.nan) for k in self.outcomes}
        for policy, rows in exp.groupby(POLICY_LEVER, sort=False).groups.items():
            idx = np.asarray(rows, dtype=np.int64)
            values = {c: exp.loc[idx, c].to_numpy(dtype=np.float64) for c in cols}
            got = self._rows(str(policy), values, idx.size)
            for k, v in got.items():
                outcomes[k][idx] = v
        return exp, outcomes

    def _rows(self, policy: str, values: Mapping[str, FloatArray], n: int,
              ) -> dict[str, FloatArray]:
        if policy not in self.scenario.policies:
            raise InputError(f"unknown policy '{policy}'; expected one of: "
                             f"{', '.join(self.policies)}")
        # one noise group for all rows: every experiment sees the same shocks and draws
        design = dict(values)
        if not design:  # no uncertain column given: every row is the central scenario
            name = self.parameters[0] if self.parameters else next(
                iter(self.scenario.parameters))
            design = {name: np.full(n, self.scenario.table[name].distribution.central())}
        res = run_design(self.scenario, design, group=n, seed=self.seed, policies=[policy],
                         horizon=self.horizon, record=self._record)
        reader = OutputReader(res, self.scenario)
        return {name: reader.reading(reader.compile(text), policy, at=self.at)
                for name, text in self.outcomes.items()}


def _ema() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import_optional("ema_workbench", extra="discovery", purpose="The EMA Workbench adapter")
        import ema_workbench
    return ema_workbench
