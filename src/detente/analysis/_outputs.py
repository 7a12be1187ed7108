"""Reading expressions out of ensemble results: per sample, at a time or over a window.

Shared by claims, sensitivity and discovery. An expression (see
:mod:`detente.scenario.expr`) names outputs (``(sample, time)`` per policy), parameters
and events (one value per sample) as the model names them: what a side or supporter owns
is ``owner.name`` (``blue.personnel``, ``red.effectiveness``). :class:`OutputReader`
resolves those names on a :class:`~detente.results.Results` (where owned names live along
the ``side``, ``supporter`` or ``party`` dim) and reduces trajectories to one number per
sample.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.errors import InputError
from detente.results import Results, schema
from detente.scenario.expr import Expr, Kind, compile_expr

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["OutputReader", "UntestableError", "model_variables", "record_for", "scenario_expr",
           "uncertain_parameters"]

TimeRef = dt.date | str


class UntestableError(InputError):
    """A test cannot be evaluated on these results.

    For instance a date past the simulated horizon, or an output that was not recorded.
    """


def model_variables(scenario: Scenario) -> list[str]:
    """Every variable the scenario's modules compute (recorded by default or not)."""
    return [v.name for m in scenario.enabled_modules for v in m.variables]


def uncertain_parameters(results: Results, scenario: Scenario | None = None,
                         ) -> dict[str, str]:
    """Return the uncertain parameters the results hold, each with its unit (the file's).

    With the scenario (given, or the one the results carry) they are its uncertain
    parameters, in file order; without it, the parameters the results mark uncertain.
    """
    ds = results.ds
    sc = scenario if scenario is not None else results.scenario
    if sc is not None:
        return {n: sc.table[n].unit for n in sc.uncertain
                if schema.has(ds, schema.param_var(n))}
    out: dict[str, str] = {}
    for name in schema.model_names(ds, "param"):
        attrs = schema.select(ds, schema.param_var(name)).attrs
        if int(attrs.get("uncertain", 0)):
            out[name] = str(attrs.get("units", ""))
    return out


def scenario_expr(scenario: Scenario, text: str, *, expect: Kind | None = None) -> Expr:
    """Compile ``text`` against the names a run of ``scenario`` holds.

    Numbers are the model's variables and the parameters (defaults included); conditions
    are the chance events of the scenario and of its policies.

    Raises
    ------
    InputError
        If the expression does not parse, names something else, or is not of the kind
        ``expect`` asks for.
    """
    events = [*scenario.events, *(e for p in scenario.policies.values() for e in p.events)]
    return compile_expr(text, numbers=[*model_variables(scenario), *scenario.table],
                        conditions=events, expect=expect)


def record_for(scenario: Scenario, exprs: Iterable[Expr], *,
               defaults: bool = False) -> list[str]:
    """Variables to record: every variable ``exprs`` read (and the modules' defaults).

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    exprs : iterable of Expr
        The expressions that will be read from the results.
    defaults : bool
        Also record the variables the modules record by default. Without them, and when
        the expressions read no variable, the first default is kept (results need one).
    """
    mods = scenario.enabled_modules
    default = [v.name for m in mods for v in m.variables if v.record]
    order = [v.name for m in mods for v in m.variables]
    used = {n for e in exprs for n in e.names}
    needed = [n for n in order if n in used]
    if defaults:
        return default + [n for n in needed if n not in default]
    return needed or default[:1]


class OutputReader:
    """Resolve expression names on results and reduce trajectories per sample.

    Parameters
    ----------
    results : Results
        An ensemble's results.
    scenario : Scenario, optional
        The scenario that produced them. With it, parameters read in expressions are
        converted to the model's canonical units (the units the outputs are in; without it
        they stay in the file's units), and names the model computes but the results did
        not record give a clear "not recorded" message instead of "unknown name".
    """

    def __init__(self, results: Results, scenario: Scenario | None = None) -> None:
        self.results = results
        ds = results.ds
        self.ds = ds
        trajectories = [v for v, a in ds.data_vars.items()
                        if schema.split_name(str(v))[0] == "model" and schema.TIME in a.dims]
        self.outputs = schema.model_names(ds[trajectories])
        self.parameters = schema.model_names(ds, "param")
        self.events = schema.model_names(ds, "event")
        self.unrecorded: set[str] = set()
        #: file unit -> the model's canonical unit, per parameter (1 without a scenario)
        self.factors: dict[str, float] = {}
        if scenario is not None:
            self.unrecorded = set(model_variables(scenario)) - set(self.outputs)
            self.factors = scenario.table.factors
        self.dates = [dt.date.fromisoformat(str(t)[:10]) for t in ds["time"].values]
        self.n_samples = int(ds.sizes["sample"])
        self.policies = [str(p) for p in ds["policy"].values]

    # ------------------------------------------------------------------ names
    def compile(self, text: str, *, expect: str | None = None,
                per_sample: bool = False) -> Expr:
        """Compile ``text`` against the names these results hold.

        Parameters
        ----------
        text : str
            The expression.
        expect : {"number", "condition"}, optional
            The kind it must yield.
        per_sample : bool
            Allow only parameters and events (no outputs), as in ``given``.
        """
        numbers: Collection[str] = (self.parameters if per_sample
                                    else [*self.outputs, *self.parameters])
        try:
            return compile_expr(text, numbers=numbers, conditions=self.events,
                                expect=expect)  # type: ignore[arg-type]
        except InputError as exc:
            missing = [n for n in self.unrecorded if f"'{n}'" in str(exc)]
            if missing and not per_sample:
                raise UntestableError(
                    f"'{missing[0]}' was not recorded in these results; run the ensemble "
                    f"with record=[..., '{missing[0]}']") from None
            raise

    def _policy(self, policy: str) -> int:
        if policy not in self.policies:
            raise UntestableError(f"policy '{policy}' was not run; the results hold: "
                                  f"{', '.join(self.policies)}")
        return self.policies.index(policy)

    def _resolver(self, policy: str | None) -> Any:
        ip = self._policy(policy) if policy is not None else None

        def get(name: str) -> Any:
            if name in self.outputs:
                if ip is None:
                    raise InputError(f"'{name}' is an output; it needs a policy")
                values = schema.select(self.ds, name).transpose(*schema.TRAJECTORY_DIMS)
                return np.asarray(values.values[ip], dtype=np.float64)
            if name in self.parameters:
                factor = self.factors.get(name, 1.0)
                return factor * np.asarray(schema.select(self.ds, schema.param_var(name)).values,
                                           dtype=np.float64)[:, None]
            return np.asarray(schema.select(self.ds, schema.event_var(name)).values,
                              dtype=bool)[:, None]

        return get

    def trajectory(self, expr: Expr, policy: str) -> FloatArray:
        """Evaluate the expression per sample and time point, shape ``(sample, time)``."""
        vals = np.asarray(expr.evaluate(self._resolver(policy)))
        return np.asarray(np.broadcast_to(vals, (self.n_samples, len(self.dates))),
                          dtype=np.float64 if expr.kind == "number" else bool)

    def per_sample(self, expr: Expr) -> FloatArray:
        """Evaluate a parameter/event expression per sample, shape ``(sample,)``."""
        vals = np.asarray(expr.evaluate(self._resolver(None)))
        return np.asarray(np.broadcast_to(vals, (self.n_samples, 1))[:, 0])

    # ------------------------------------------------------------------ time
    def index(self, when: TimeRef) -> int:
        """Index of the recorded point for a time reference.

        ``"start"`` is the first point, ``"end"`` the last; a date maps to the first point on
        or after it.

        Raises
        ------
        UntestableError
            If the date lies past the simulated horizon.
        """
        if when == "start":
            return 0
        if when == "end":
            return len(self.dates) - 1
        if isinstance(when, str):
            when = dt.date.fromisoformat(when)
        if when > self.dates[-1]:
            raise UntestableError(f"the test reads {when}, past the simulated horizon "
                                  f"(last point {self.dates[-1]}); run a longer horizon")
        return int(np.searchsorted(np.array(self.dates, dtype="datetime64[D]"),
                                   np.datetime64(when, "D"), side="left"))

    def reading(self, expr: Expr, policy: str, *, at: TimeRef | None = None,
                over: Sequence[TimeRef] | None = None,
                reduce: str | None = None) -> FloatArray:
        """One number per sample: ``expr`` at a time, or reduced over a window.

        Parameters
        ----------
        expr : Expr
            A compiled expression.
        policy : str
            The policy whose trajectories to read.
        at : date, "start" or "end", optional
            The time point.
        over : (from, to), optional
            A window of time points, both ends included.
        reduce : str, optional
            With ``over``: ``mean``, ``min``, ``max``, ``sum``, ``integral`` (sum times the
            step length in days: a per-day rate becomes a total), ``first``, ``last``,
            ``any``, ``all``.
        """
        traj = self.trajectory(expr, policy)
        if at is not None:
            return np.asarray(traj[:, self.index(at)], dtype=np.float64)
        if over is None or reduce is None:
            raise InputError("expected 'at', or 'over' with 'reduce'")
        a, b = self.index(over[0]), self.index(over[1])
        win = np.asarray(traj[:, a:b + 1], dtype=np.float64)
        step_days = float(self.ds.attrs.get("step_days", 1.0))
        with np.errstate(invalid="ignore"):
            if reduce == "mean":
                return np.asarray(np.nanmean(win, axis=1))
            if reduce == "min":
                return np.asarray(np.nanmin(win, axis=1))
            if reduce == "max":
                return np.asarray(np.nanmax(win, axis=1))
            if reduce == "sum":
                return np.asarray(np.nansum(win, axis=1))
            if reduce == "integral":
                # a rate recorded at point k describes the step that ended there
                return np.asarray(np.nansum(traj[:, max(a, 1):b + 1], axis=1) * step_days,
                                  dtype=np.float64)
            if reduce == "first":
                return np.asarray(win[:, 0])
            if reduce == "last":
                return np.asarray(win[:, -1])
            if reduce == "any":
                return np.asarray(np.any(win > 0, axis=1), dtype=np.float64)
            if reduce == "all":
                return np.asarray(np.all(win > 0, axis=1), dtype=np.float64)
        raise InputError(f"unknown reduce '{reduce}'")

    def event_by(self, expr: Expr, policy: str, start: TimeRef, by: TimeRef) -> BoolArray:
        """Per sample: did the condition hold at some point in ``[start, by]``."""
        traj = self.trajectory(expr, policy)
        a, b = self.index(start), self.index(by)
        return np.asarray(np.any(traj[:, a:b + 1], axis=1), dtype=bool)
