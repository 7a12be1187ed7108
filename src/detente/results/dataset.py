"""Results of an ensemble: an ``xarray.Dataset`` plus summaries and save/load.

The dataset's layout is described in :mod:`detente.results.schema`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from detente._optional import import_optional
from detente.errors import InputError
from detente.results.schema import KEY_OUTPUTS
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from detente.scenario.schema import Scenario


class Results:
    """An ensemble's results.

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset laid out as described in :mod:`detente.results.schema`.
    scenario : Scenario, optional
        The scenario that produced it (set by :func:`detente.simulate`; None when opened
        from a file).
    """

    def __init__(self, ds: xr.Dataset, scenario: Scenario | None = None) -> None:
        self.ds = ds
        #: The scenario that produced the results (None when opened from a file).
        self.scenario = scenario

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {v}" for k, v in self.ds.sizes.items())
        return f"<detente.Results {self.ds.attrs.get('scenario', '?')} ({sizes})>"

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
