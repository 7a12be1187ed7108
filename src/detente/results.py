"""Results of an ensemble: an ``xarray.Dataset`` plus summaries and save/load.

Layout of the dataset:

* model variables with dims ``(policy, sample, time)``, attrs ``units`` and ``description``;
* ``param_<name>`` with dim ``sample``: each sample's parameter value, in the file's unit;
* ``event_<name>`` with dim ``sample``: whether a chance event happened in that sample;
* coords ``policy`` (names), ``sample`` (0..n-1), ``time`` (dates), ``step`` and ``month``
  (months since the start, on the ``time`` dim);
* attrs: scenario name and hash, seed, detente version, creation time, block size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import SeedLike
from detente.errors import InputError
from detente.scenario.schema import Scenario
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from detente.engine import BlockResult, Plan

#: Variables shown in terminal tables, in order (those a scenario's model lacks are skipped).
KEY_OUTPUTS: tuple[str, ...] = (
    "combat_power_ratio", "ua_personnel", "ru_personnel", "ua_shells", "ru_shells",
    "territory_ru_km2", "territory_ru_pct", "ua_casualties_cum", "ru_casualties_cum",
    "refugees_abroad", "reconstruction_cum", "viability", "ru_inflation",
)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON (first 16 hex digits)."""
    return hashlib.sha256(scenario.model_dump_json(by_alias=True).encode()).hexdigest()[:16]


def _seed_attr(seed: SeedLike) -> str:
    if isinstance(seed, np.random.SeedSequence):
        return f"SeedSequence({seed.entropy}, spawn_key={seed.spawn_key})"
    return str(seed)


def assemble(plan: Plan, blocks: Sequence[BlockResult], *, seed: SeedLike) -> xr.Dataset:
    """Stitch block results that carry their own trajectories into one dataset.

    The layout itself is built in one place, :func:`detente.engine.assemble_blocks`; this
    gathers the blocks' ``(policy, time, sample)`` trajectories first.
    """
    from detente.engine import DEFAULT_LEVELS, Keep, assemble_blocks

    blocks = sorted(blocks, key=lambda b: b.block)
    full = {var: np.concatenate([b.trajectories[var] for b in blocks], axis=2)
            for var in plan.record}
    return assemble_blocks(plan, blocks, full, seed=seed, keep=Keep(), levels=DEFAULT_LEVELS)


class Results:
    """An ensemble's results.

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset laid out as described in :mod:`detente.results`.
    scenario : Scenario, optional
        The scenario that produced it (set by :func:`detente.simulate`; needed by
        :meth:`claims`).
    """

    def __init__(self, ds: xr.Dataset, scenario: Scenario | None = None) -> None:
        self.ds = ds
        #: The scenario that produced the results (None when opened from a file).
        self.scenario = scenario

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {v}" for k, v in self.ds.sizes.items())
        return f"<detente.Results {self.ds.attrs.get('scenario', '?')} ({sizes})>"

    def claims(self, **options: Any) -> pd.DataFrame:
        """Judge the scenario's claims on these results.

        A claim that reads a variable these results did not record is ``untestable``, with
        the reason; :class:`detente.Claims` ``.fit(scenario)`` records what every claim needs.

        Parameters
        ----------
        **options
            Passed to :class:`detente.Claims` (e.g. ``supported=0.8``, ``hinges=()``).

        Returns
        -------
        pandas.DataFrame
            One row per claim: verdict, probability, interval and what it hinges on.
        """
        from detente.analysis.claims import Claims

        if self.scenario is None:
            raise InputError("these results carry no scenario (opened from a file?); use "
                             "detente.Claims().fit(scenario, results=...) instead")
        table: pd.DataFrame = Claims(**options).fit(self.scenario, results=self).table_
        return table

    def to_xarray(self) -> xr.Dataset:
        """Return the underlying dataset."""
        return self.ds

    @property
    def policies(self) -> list[str]:
        """Policy names, in run order."""
        return [str(p) for p in self.ds["policy"].values]

    @property
    def variables(self) -> list[str]:
        """Recorded model variables (those with a ``time`` dimension)."""
        return [str(v) for v, a in self.ds.data_vars.items() if "time" in a.dims]

    def step_at_month(self, month: float) -> int | None:
        """Index of the recorded point closest to ``month`` months, or None past the end.

        A month less than one step past the last point counts as reached, so a horizon of
        156 weeks (35.9 months) reports "36 months" at its last point.
        """
        months = self.ds["month"].values
        step = float(self.ds.attrs["step_days"]) / DAYS_PER_MONTH
        if month >= months[-1] + step:
            return None
        return int(np.argmin(np.abs(months - month)))

    def summary(
        self,
        months: Sequence[float] = (12, 24, 36),
        variables: Sequence[str] | None = None,
        quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9),
    ) -> pd.DataFrame:
        """Median and band of each variable, per policy, at the given months.

        Returns
        -------
        pandas.DataFrame
            Columns ``policy, month, variable, units, low, median, high`` where ``low`` and
            ``high`` are the outer quantiles (default: the 80 % band).
        """
        import pandas as pd

        names = [v for v in (variables or KEY_OUTPUTS) if v in self.ds]
        rows = []
        for month in months:
            k = self.step_at_month(month)
            if k is None:
                continue
            for var in names:
                arr = self.ds[var].isel(time=k).values.astype(np.float64)  # (policy, sample)
                q = np.nanquantile(arr, quantiles, axis=1)
                for ip, pol in enumerate(self.policies):
                    rows.append({
                        "policy": pol, "month": month, "variable": var,
                        "units": self.ds[var].attrs.get("units", ""),
                        "low": float(q[0, ip]), "median": float(q[1, ip]),
                        "high": float(q[2, ip]),
                    })
        return pd.DataFrame(rows)

    def to_netcdf(self, path: str | Path) -> Path:
        """Write the dataset to NetCDF (needs the ``netcdf`` extra), atomically."""
        from detente._optional import import_optional

        import_optional("h5netcdf", extra="netcdf", purpose="Writing NetCDF")
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        ds = self.ds.assign_coords(policy=self.ds["policy"].astype(str))
        ds.to_netcdf(tmp, engine="h5netcdf")
        tmp.replace(path)
        return path


def open_results(path: str | Path) -> Results:
    """Open results written by :meth:`Results.to_netcdf`."""
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such results file")
    try:
        ds = xr.load_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a detente results file ({exc})") from exc
    return Results(ds)
