"""Analyses of ensembles and data: claims, sensitivity, comparison, fits, backtests, hindcasts.

Every analysis is an :class:`Estimator`: configuration in ``__init__``, ``fit`` returns
``self``, fitted state in attributes ending in ``_``.
"""

from __future__ import annotations

from detente.analysis._base import Estimator, as_scenario
from detente.analysis._data import (
    BattleData,
    Observations,
    read_battle_csv,
    read_observations,
)
from detente.analysis._outputs import model_variables, scenario_expr
from detente.analysis.backtest import (
    Backtest,
    output_variables,
    read_policy_path,
    variables_markdown,
)
from detente.analysis.calibrate import Calibrator, dump_scenario
from detente.analysis.claims import ClaimResult, Claims
from detente.analysis.compare import (
    compare,
    compare_summary,
    compare_variables,
    deal_issues,
    outcomes_of,
)
from detente.analysis.discovery import Prim
from detente.analysis.ema_adapter import EmaAdapter
from detente.analysis.fit import LAWS, METHODS, LanchesterFit, LawComparison, simulate_battle
from detente.analysis.hindcast import Hindcast, restart
from detente.analysis.sensitivity import FunctionModel, Morris, Sobol

__all__ = [
    "LAWS",
    "METHODS",
    "Backtest",
    "BattleData",
    "Calibrator",
    "ClaimResult",
    "Claims",
    "EmaAdapter",
    "Estimator",
    "FunctionModel",
    "Hindcast",
    "LanchesterFit",
    "LawComparison",
    "Morris",
    "Observations",
    "Prim",
    "Sobol",
    "as_scenario",
    "compare",
    "compare_summary",
    "compare_variables",
    "deal_issues",
    "dump_scenario",
    "model_variables",
    "outcomes_of",
    "output_variables",
    "read_battle_csv",
    "read_observations",
    "read_policy_path",
    "restart",
    "scenario_expr",
    "simulate_battle",
    "variables_markdown",
]
