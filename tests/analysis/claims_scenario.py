"""The built-in scenario with the settlement fragment and the op-ed's claims merged in.

Until the lead merges ``_settlement.yaml`` and ``_claims.yaml`` into ``ukraine-2023.yaml``,
tests of the shipped claims build the combined scenario here; once merged, the built-in
file is used as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from detente.scenario import builtin_path
from detente.scenario.loading import read_scenario_file

BUILTIN = builtin_path("ukraine-2023").parent
SETTLEMENT_MODULES = ("politics", "bargaining")


def _fragment(name: str) -> dict[str, Any]:
    path = BUILTIN / name
    if not path.exists():
        return {}
    data, _smap, problems, _bad = read_scenario_file(path)
    assert not problems, problems
    return dict(data)


def combined_data() -> dict[str, Any]:
    """ukraine-2023 as a dict, with the settlement fragment and the claims merged in."""
    data, _smap, problems, _bad = read_scenario_file(builtin_path("ukraine-2023"))
    assert not problems, problems
    data = dict(data)
    settlement = _fragment("_settlement.yaml")
    if settlement and not set(SETTLEMENT_MODULES) <= set(data["modules"]):
        data["modules"] = [*data["modules"],
                           *(m for m in SETTLEMENT_MODULES if m not in data["modules"])]
        for key in ("parameters", "events", "policies"):
            merged = dict(data.get(key) or {})
            for name, value in (settlement.get(key) or {}).items():
                merged.setdefault(name, value)
            data[key] = merged
    if "claims" not in data:
        data["claims"] = _fragment("_claims.yaml").get("claims", {})
    return data


def write_combined(folder: Path, data: dict[str, Any] | None = None) -> Path:
    """Write the combined scenario (or ``data``) to ``folder/ukraine-claims.yaml``."""
    path = folder / "ukraine-claims.yaml"
    path.write_text(yaml.safe_dump(combined_data() if data is None else data,
                                   sort_keys=False, allow_unicode=True))
    # the calibrated parameters' joint draws lie beside the scenario, as beside the built-in
    posterior = builtin_path("ukraine-2023").with_name("ukraine-2023.posterior.csv")
    shutil.copy(posterior, folder / posterior.name)
    return path
