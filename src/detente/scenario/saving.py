"""Writing a scenario to a file that loads back as the same scenario, draws and all."""

from __future__ import annotations

import os
from pathlib import Path

from detente.errors import InputError
from detente.scenario.posterior import POSTERIOR_SUFFIX, WEIGHT_COLUMN, write_posterior
from detente.scenario.schema import Scenario

__all__ = ["save_scenario", "scenario_yaml"]


def scenario_yaml(scenario: Scenario, *, posterior_file: str | None = None) -> str:
    """Return ``scenario`` as YAML (its policies resolved, as the engine runs them).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    posterior_file : str, optional
        Where its joint posterior draws are written, relative to the YAML file (see
        :func:`save_scenario`); without it the YAML names no posterior.
    """
    import yaml

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    draws = scenario.draws
    if draws is not None and posterior_file is not None:
        data["posterior"] = {"file": posterior_file, "weights": WEIGHT_COLUMN,
                             "note": draws.note}
    else:
        data.pop("posterior", None)
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def save_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> Path:
    """Write ``scenario`` to ``path`` as YAML, its posterior draws beside it; return the path.

    A calibrated scenario's joint draws (:attr:`Scenario.draws`) go to
    ``<stem>.posterior.csv`` next to the file (exact to the bit), which the YAML names, so
    the file loads back as the same scenario and samples the same rows for the same seed.
    Both files are written atomically.

    Raises
    ------
    InputError
        If the folder does not exist or cannot be written.
    """
    p = Path(path)
    if not p.parent.is_dir():
        raise InputError(f"{path}: folder {p.parent} does not exist")
    draws = scenario.draws
    name = None
    if draws is not None:
        name = p.stem + POSTERIOR_SUFFIX
        write_posterior(p.with_name(name), dict(zip(draws.columns, draws.values.T,
                                                    strict=True)), draws.weights)
    tmp = p.with_name(p.name + ".part")
    try:
        tmp.write_text(scenario_yaml(scenario, posterior_file=name), encoding="utf-8")
        tmp.replace(p)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the scenario ({exc.strerror})") from exc
    return p
