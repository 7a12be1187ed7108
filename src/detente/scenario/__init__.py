"""Scenarios: the typed model, loading with located errors, units and built-in scenarios."""

from __future__ import annotations

from detente.scenario.builtin import builtin_names, builtin_path
from detente.scenario.loading import json_schema, load_scenario, validate_scenario
from detente.scenario.schema import Scenario

__all__ = [
    "Scenario", "builtin_names", "builtin_path", "json_schema", "load_scenario",
    "validate_scenario",
]
