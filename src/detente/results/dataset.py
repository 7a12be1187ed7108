"""Results of an ensemble: an ``xarray.Dataset`` plus summaries and save/load.

The dataset's layout is described in :mod:`detente.results.schema`: what a side, a
supporter or a party owns is one variable with an owner dim (``side``, ``supporter``,
``party``); :func:`~detente.results.schema.select` reads it by the model's name
(``blue.personnel``). :func:`gather_owned` builds that layout from variables named as the
model names them (a run store keeps them so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._optional import import_optional
from detente.errors import InputError
from detente.model.base import Cast, Per, split_owned
from detente.results import schema
from detente.results.schema import KEY_OUTPUTS
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from detente.scenario.schema import Scenario

#: Deflate level of the NetCDF files results write (1-9; 4 is most of the gain of 9 at a
#: fraction of its time on ensemble trajectories).
NETCDF_COMPRESSION_LEVEL = 4

#: Mantissa bits a trajectory keeps in a results file by default (of single precision's
#: 23): a relative rounding error below 2**-14 (6.1e-5, about 4 significant digits), far
#: finer than any ensemble's band, and the trailing bits, which are noise that deflate
#: cannot compress, are zero (bit rounding, Kloewer et al. 2021, as netCDF-C's BitRound).
TRAJECTORY_SIGNIFICANT_BITS = 13

#: Samples per chunk of a trajectory in a results file (a chunk holds whole trajectories).
NETCDF_CHUNK_SAMPLES = 100

#: The attribute netCDF-C writes for a variable quantized by bit rounding.
BITROUND_ATTR = "_QuantizeBitRoundNumberOfSignificantBits"
_FLOAT32_MANTISSA_BITS = 23


def bit_round(values: np.ndarray, keep: int) -> np.ndarray:
    """Round single-precision ``values`` to ``keep`` mantissa bits, to nearest, ties to even.

    Non-finite values are kept as they are; the result's relative error is at most
    ``2 ** -(keep + 1)``.

    >>> float(bit_round(np.array([1.2345678], dtype=np.float32), 7)[0])
    1.234375
    """
    x = np.asarray(values, dtype=np.float32)
    if not 0 < keep < _FLOAT32_MANTISSA_BITS:
        return x.copy()
    drop = _FLOAT32_MANTISSA_BITS - keep
    bits = x.view(np.uint32)
    half = np.uint32((1 << (drop - 1)) - 1)
    odd = (bits >> np.uint32(drop)) & np.uint32(1)
    mask = np.uint32(~((1 << drop) - 1) & 0xFFFFFFFF)
    rounded = ((bits + half + odd) & mask).view(np.float32)
    return np.where(np.isfinite(x), rounded, x)

__all__ = ["NETCDF_COMPRESSION_LEVEL", "TRAJECTORY_SIGNIFICANT_BITS", "Results", "bit_round",
           "gather_owned", "key_outputs", "open_results", "with_every_owner"]


def key_outputs(names: Iterable[str]) -> list[str]:
    """Return the names among ``names`` that :data:`KEY_OUTPUTS` lists, in its order.

    ``names`` are the model's names (``blue.personnel``); a key output that sides own is
    returned for each side that has it, in the order of ``names``.

    >>> key_outputs(["red.shells", "blue.personnel", "red.personnel", "escalated"])
    ['blue.personnel', 'red.personnel', 'red.shells']
    """
    given = list(names)
    return [n for key in KEY_OUTPUTS for n in given if split_owned(n)[1] == key]


def with_every_owner(names: Iterable[str], known: Iterable[str]) -> list[str]:
    """Return ``names`` with each owned one joined by every other owner's, among ``known``.

    A results dataset holds what the owners have of one base name along one owner dim, so
    keeping ``blue.personnel`` keeps ``red.personnel`` too (rather than a dim of NaN).
    Names not in ``known`` are left as they are (for the caller to refuse).

    >>> with_every_owner(["red.shells", "escalated"],
    ...                  ["blue.shells", "red.shells", "escalated", "blue.pool"])
    ['blue.shells', 'red.shells', 'escalated']
    """
    by_base: dict[str, list[str]] = {}
    for name in known:
        owner, base = split_owned(name)
        if owner is not None:
            by_base.setdefault(base, []).append(name)
    out: list[str] = []
    for name in names:
        owner, base = split_owned(name)
        siblings = by_base.get(base, []) if owner is not None else []
        out += siblings if name in siblings else [name]
    return list(dict.fromkeys(out))


def gather_owned(variables: Mapping[str, xr.Variable], cast: Cast,
                 per: Mapping[str, Per], ready: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
    """Lay out variables named as the model names them as a results dataset holds them.

    Parameters
    ----------
    variables : mapping of str to xarray.Variable
        Dataset names with the model's names in them (``blue.personnel``,
        ``param_blue.half_sat``, ``final_red.shells``).
    cast : Cast
        The scenario's cast: the owners of each owner dim, in order, and their names.
    per : mapping of str to {"side", "supporter", "party", None}
        Who owns each model name (without its prefix); names not listed are unowned.
    ready : mapping of str to array, optional
        For a gathered dataset name, its values already laid out with the owner dim last
        (every owner, in the cast's order): used as they are, not copied (a run writes
        each owner's values into a view of one such array).

    Returns
    -------
    dict
        ``{"data_vars": ..., "coords": ...}`` for :class:`xarray.Dataset`. What the owners
        have of one base name is one variable with the owner dim last, holding every owner
        of the cast in order (NaN for one not given), with coords of the owners' ids and
        display names, and the first owner's attributes; its description loses the
        owner's name ("Blue's personnel" becomes "The side's personnel"). Parameters are
        not owned variables here: each keeps its own (its unit is its file's).
    """
    import xarray as xr

    data: dict[str, Any] = {}
    parts: dict[str, tuple[Per, dict[str, xr.Variable]]] = {}
    for var, value in variables.items():
        _, name = schema.split_name(var)
        owner, base = split_owned(name)
        whose = per.get(name)
        if owner is None or whose is None:
            data[var] = value
            continue
        stacked = var[:len(var) - len(name)] + base
        parts.setdefault(stacked, (whose, {}))[1][owner] = value
    dims_used: set[Per] = set()
    for var, (who, given) in parts.items():
        owners = cast.owners(who)
        first = next(iter(given.values()))
        if ready is not None and var in ready:
            values = ready[var]
        else:
            values = np.full((*first.shape, len(owners)), np.nan,
                             dtype=np.result_type(first.dtype, np.float64))
            for j, owner in enumerate(owners):
                if owner in given:
                    values[..., j] = np.asarray(given[owner].values)
        dims_used.add(who)
        data[var] = xr.Variable((*first.dims, schema.OWNER_DIMS[str(who)]), values,
                                _owned_attrs(cast, str(who), owners, given))
    coords: dict[str, Any] = {}
    for who in sorted(dims_used, key=str):
        dim = schema.OWNER_DIMS[str(who)]
        owners = cast.owners(who)
        coords[dim] = np.array(owners, dtype=object)
        coords[schema.name_dim(dim)] = (dim, np.array([cast.name_of(o) for o in owners],
                                                      dtype=object))
    return {"data_vars": data, "coords": coords}


def _owned_attrs(cast: Cast, who: str, owners: Sequence[str],
                 given: Mapping[str, xr.Variable]) -> dict[str, Any]:
    """Return the attributes of a gathered variable (see :func:`gather_owned`)."""
    attrs = dict(next(iter(given.values())).attrs)
    description = str(attrs.get("description", ""))
    for owner in owners:  # as whole words: "Red" leaves "Reduced" alone
        name = re.escape(cast.name_of(owner))
        description = re.sub(rf"\b{name}'s?(?!\w)", f"the {who}'s", description)
        description = re.sub(rf"\b{name}\b", f"the {who}", description)
    attrs["description"] = description[:1].upper() + description[1:]
    return attrs


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

    def _repr_html_(self) -> str:
        """Show what was run, and the key outputs' medians at the last month (notebooks)."""
        import html

        attrs = self.ds.attrs
        last = float(self.ds["month"].values[-1]) if "month" in self.ds else None
        head = (f"<b>detente.Results</b> {html.escape(str(attrs.get('scenario', '?')))}: "
                f"{self.ds.sizes.get('sample', 0):,} samples × "
                f"{len(self.policies)} policies ({html.escape(', '.join(self.policies))}), "
                f"{self.ds.sizes.get('time', 0)} points to month "
                f"{'?' if last is None else f'{last:.0f}'}, seed "
                f"{html.escape(str(attrs.get('seed', '?')))}; {len(self.variables)} "
                "variables recorded")
        if last is None:
            return f"<div>{head}</div>"
        table = self.summary(months=[round(last, 6)])
        if table.empty:
            return f"<div>{head}</div>"
        wide = table.pivot_table(index=["variable", "units"], columns="policy",
                                 values="median", sort=False)[self.policies]
        body = wide.to_html(float_format=lambda v: f"{v:,.4g}", border=0)
        return (f"<div>{head}<br>median at month {last:.0f} (80 % bands: "
                f"<code>.summary()</code>)</div>{body}")

    def to_xarray(self) -> xr.Dataset:
        """Return the underlying dataset."""
        return self.ds

    @property
    def policies(self) -> list[str]:
        """Policy names, in run order."""
        return [str(p) for p in self.ds["policy"].values]

    @property
    def variables(self) -> list[str]:
        """Recorded model variables, as the model names them (``blue.personnel``)."""
        return schema.model_names(self.ds)

    def owners(self, dim: str = schema.SIDE) -> dict[str, str]:
        """Return the owners along ``dim`` (``side``, ``supporter`` or ``party``): id -> name.

        Empty when no recorded variable is owned along ``dim``.
        """
        if dim not in self.ds.indexes:
            return {}
        ids = [str(i) for i in self.ds.indexes[dim]]
        label = schema.name_dim(dim)
        names = ([str(n) for n in self.ds[label].values] if label in self.ds.coords
                 else ids)
        return dict(zip(ids, names, strict=True))

    def __getitem__(self, name: str) -> xr.DataArray:
        """Return the values of the model's name ``name`` (:func:`~.schema.select`)."""
        return schema.select(self.ds, name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and schema.has(self.ds, name)

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

        Parameters
        ----------
        months : sequence of float
            Months since the start (those past the horizon are left out).
        variables : sequence of str, optional
            The model's names (``blue.personnel``); default: the key outputs the results
            hold (:func:`key_outputs`), for every side that has them.
        quantiles : (float, float, float)
            Lower, central and upper quantile.

        Returns
        -------
        pandas.DataFrame
            Columns ``policy, month, variable, units, low, median, high`` where ``low`` and
            ``high`` are the outer quantiles (default: the 80 % band).
        """
        import pandas as pd

        names = ([v for v in variables if v in self] if variables is not None
                 else key_outputs(self.variables))
        rows = []
        for month in months:
            k = self.step_at_month(month)
            if k is None:
                continue
            for var in names:
                values = self[var]
                arr = values.isel(time=k).values.astype(np.float64)  # (policy, sample)
                q = np.nanquantile(arr, quantiles, axis=1)
                for ip, pol in enumerate(self.policies):
                    rows.append({
                        "policy": pol, "month": month, "variable": var,
                        "units": values.attrs.get("units", ""),
                        "low": float(q[0, ip]), "median": float(q[1, ip]),
                        "high": float(q[2, ip]),
                    })
        return pd.DataFrame(rows)

    def to_netcdf(self, path: str | Path, *, full_precision: bool = False,
                  compression_level: int = NETCDF_COMPRESSION_LEVEL) -> Path:
        """Write the dataset to NetCDF (needs the ``netcdf`` extra), atomically, compressed.

        Parameters
        ----------
        path : str or Path
            The file to write (replaced whole, or left as it was on failure).
        full_precision : bool
            Keep trajectories (variables over ``time``) in double precision, every bit.
            By default they are stored in single precision rounded to
            :data:`TRAJECTORY_SIGNIFICANT_BITS` mantissa bits (:func:`bit_round`; the
            variable's ``_QuantizeBitRoundNumberOfSignificantBits`` attribute says so, as
            netCDF-C writes it), about a sixth of the double-precision size once
            compressed; parameters, finals and every other variable keep their own type
            and every bit. The file's ``trajectory_precision`` attribute says which.
        compression_level : int
            Deflate level, 0 (none) to 9, with the byte shuffle filter.

        Returns
        -------
        Path
            ``path``.
        """
        import_optional("h5netcdf", extra="netcdf", purpose="Writing NetCDF")
        if not 0 <= compression_level <= 9:
            raise InputError(f"compression_level: expected 0 to 9, found {compression_level}")
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        # text coordinates (policy, owner ids and names) are written as strings
        text = [c for c in self.ds.coords if self.ds[c].dtype == object]
        ds = self.ds.assign_coords({c: self.ds[c].astype(str) for c in text})
        single = not full_precision
        encoding: dict[str, dict[str, Any]] = {}
        rounded: dict[str, Any] = {}
        for name, var in ds.data_vars.items():
            if var.dtype.kind not in "fiub":
                continue
            enc: dict[str, Any] = {}
            if compression_level > 0:
                enc.update(compression="gzip", compression_opts=compression_level,
                           shuffle=True)
            if "time" in var.dims and "sample" in var.dims and var.size:
                # whole trajectories in a chunk: they compress best along time
                enc["chunksizes"] = tuple(
                    min(NETCDF_CHUNK_SAMPLES, n) if d == "sample"
                    else n if d == "time" else 1 for d, n in var.sizes.items())
            if single and var.dtype == np.float64 and "time" in var.dims:
                enc["dtype"] = "float32"
                rounded[str(name)] = var.copy(data=bit_round(
                    var.values, TRAJECTORY_SIGNIFICANT_BITS)).assign_attrs(
                        {BITROUND_ATTR: TRAJECTORY_SIGNIFICANT_BITS})
            encoding[str(name)] = enc
        if rounded:
            ds = ds.assign(rounded)
        ds = ds.assign_attrs(trajectory_precision="float32" if single else "float64")
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
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
