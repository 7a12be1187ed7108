"""Analyses of battle data and ensembles: attrition-law fits, calibration, backtests."""

from __future__ import annotations

from detente.analysis._data import (
    BattleData,
    Observations,
    read_battle_csv,
    read_observations,
)
from detente.analysis.backtest import (
    Backtest,
    crps_ensemble,
    output_variables,
    pit_values,
    read_policy_path,
    variables_markdown,
)
from detente.analysis.calibrate import Calibrator, dump_scenario
from detente.analysis.fit import LAWS, METHODS, LanchesterFit, LawComparison, simulate_battle

__all__ = [
    "LAWS",
    "METHODS",
    "Backtest",
    "BattleData",
    "Calibrator",
    "LanchesterFit",
    "LawComparison",
    "Observations",
    "crps_ensemble",
    "dump_scenario",
    "output_variables",
    "pit_values",
    "read_battle_csv",
    "read_observations",
    "read_policy_path",
    "simulate_battle",
    "variables_markdown",
]
