"""Scenarios: the typed model, loading with located errors, the parameter table, built-ins."""

from __future__ import annotations

from detente.scenario.builtin import builtin_names, builtin_path
from detente.scenario.editing import with_changes
from detente.scenario.loading import json_schema, load_scenario, validate_scenario
from detente.scenario.schema import Scenario
from detente.scenario.table import ParameterDistribution, ParameterTable, TableEntry

__all__ = [
    "ParameterDistribution", "ParameterTable", "Scenario", "TableEntry", "builtin_names",
    "builtin_path", "json_schema", "load_scenario", "validate_scenario", "with_changes",
]
