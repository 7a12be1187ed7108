"""Results of an ensemble: plain data (an ``xarray.Dataset``) and its schema.

This layer imports neither the engine nor the analyses: judging claims on results is
``detente.Claims().fit(scenario, results=results)``.
"""

from __future__ import annotations

from detente.results.dataset import Results, open_results
from detente.results.schema import KEY_OUTPUTS, scenario_hash, seed_attr

__all__ = ["KEY_OUTPUTS", "Results", "open_results", "scenario_hash", "seed_attr"]
