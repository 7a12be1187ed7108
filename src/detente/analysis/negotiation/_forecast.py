"""The negotiation forecast: every model over every sample of the actors' inputs, as xarray.

:class:`NegotiationForecast` draws the inputs of a scenario's ``actors`` (or takes them
as given), plays the baseline, the expected-utility model and the exchange model on all
samples at once, and keeps the results in one :class:`xarray.Dataset`
(:attr:`NegotiationForecast.forecast_`, its variables in :data:`VARIABLES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.analysis._base import Estimator, as_scenario
from detente.analysis.negotiation._inputs import NegotiationInputs, sample_inputs
from detente.analysis.negotiation.baseline import weighted_mean, weighted_median
from detente.analysis.negotiation.exchange import RULES, Rule, exchange_model
from detente.analysis.negotiation.expected_utility import (
    FORMULATIONS,
    OFFERS,
    Formulation,
    expected_utility_model,
)
from detente.errors import InputError

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["BANDS", "MODELS", "VARIABLES", "NegotiationForecast"]

#: The forecasts, by the prefix of their variables, with what each is.
MODELS: dict[str, str] = {
    "baseline_mean": "capability x salience weighted mean of the positions",
    "baseline_median": "capability x salience weighted median of the positions",
    "expected_utility": "Bueno de Mesquita's expected-utility model (Scholz et al. 2011)",
    "exchange": "Stokman's exchange model (Stokman & Van Oosten 1994)",
}
#: Quantiles of the bands shown beside each median.
BANDS: tuple[float, float, float] = (0.1, 0.5, 0.9)
#: The dataset's variables: name -> (dims, description).
VARIABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "capability": (("sample", "actor"), "each actor's capability (relative)"),
    "salience": (("sample", "actor", "issue"), "each actor's salience of each issue"),
    "baseline_mean": (("sample", "issue"), MODELS["baseline_mean"]),
    "baseline_median": (("sample", "issue"), MODELS["baseline_median"]),
    "expected_utility_position": (("sample", "round", "actor", "issue"),
                                  "each actor's position after each round"),
    "expected_utility_forecast": (("sample", "round", "issue"),
                                  "the median voter position after each round"),
    "expected_utility_mean": (("sample", "round", "issue"),
                              "the weighted mean position after each round"),
    "expected_utility_movement": (("sample", "actor", "issue"),
                                  "each actor's move from its first to its last position"),
    "expected_utility_offer": (("sample", "move", "actor", "issue"),
                               "the offer each actor took in each round: "
                               + ", ".join(f"{k} {n}" for k, n in enumerate(OFFERS))),
    "expected_utility_offered_by": (("sample", "move", "actor", "issue"),
                                    "the index of the actor whose offer it took (-1: none)"),
    "expected_utility_risk": (("sample", "move", "actor", "issue"),
                              "each actor's risk exponent in each round"),
    "exchange_position": (("sample", "round", "actor", "issue"),
                          "each actor's position after each round"),
    "exchange_forecast": (("sample", "round", "issue"),
                          "the expected outcome (weighted mean) after each round"),
    "exchange_movement": (("sample", "actor", "issue"),
                          "each actor's move from its first to its last position"),
    "exchange_actor_i": (("sample", "move", "slot"), "first actor of each exchange (-1: none)"),
    "exchange_actor_j": (("sample", "move", "slot"), "second actor of each exchange"),
    "exchange_issue_i": (("sample", "move", "slot"), "issue on which the first gives way"),
    "exchange_issue_j": (("sample", "move", "slot"), "issue on which the second gives way"),
    "exchange_shift_i": (("sample", "move", "slot"), "how far the first moves"),
    "exchange_shift_j": (("sample", "move", "slot"), "how far the second moves"),
    "exchange_gain_i": (("sample", "move", "slot"), "the first's gain in utility"),
    "exchange_gain_j": (("sample", "move", "slot"), "the second's gain in utility"),
}


class NegotiationForecast(Estimator):
    """Forecast where the actors' positions converge, who moves and which exchanges form.

    Parameters
    ----------
    rounds : int
        Rounds of the expected-utility and exchange models.
    rule : {"equal_gain", "nash"}
        How the exchange model sets each exchange's rate.
    n_samples : int
        Samples of the scenario actors' uncertain inputs (ignored for given inputs).
    seed : int, SeedSequence or None
        Root seed of the draws.
    q, t : float
        Bueno de Mesquita's Q (the chance the status quo holds without a challenge) and T.
    central : bool
        Give every input its central value (one deterministic forecast, repeated).
    formulation : {"equations", "scholz_code"}
        The expected-utility model's formulation: the paper's printed equations, or the
        choices of Scholz et al.'s program (``docs/negotiation.md``, section 7).

    Attributes
    ----------
    inputs_ : NegotiationInputs
        The inputs, one row per sample.
    forecast_ : xarray.Dataset
        Every model's results (variables in :data:`VARIABLES`; dims ``sample``, ``round``
        (0 is the start), ``move`` (the rounds played, from 1), ``actor``, ``issue``,
        ``slot``).

    Examples
    --------
    >>> nf = NegotiationForecast(n_samples=200, seed=1).fit(scenario)  # doctest: +SKIP
    >>> nf.bands("expected_utility_forecast")                                # doctest: +SKIP
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = ("inputs_", "forecast_")

    def __init__(self, rounds: int = 10, rule: Rule = "equal_gain", n_samples: int = 1000,
                 seed: SeedLike = 0, q: float = 1.0, t: float = 1.0,
                 central: bool = False, formulation: Formulation = "equations") -> None:
        self.rounds = rounds
        self.rule = rule
        self.n_samples = n_samples
        self.seed = seed
        self.q = q
        self.t = t
        self.central = central
        self.formulation = formulation

    def fit(self, source: Any) -> NegotiationForecast:
        """Play every model on ``source``.

        Parameters
        ----------
        source : Scenario, str, path-like or NegotiationInputs
            A scenario with ``actors`` (a built-in name or a file path is loaded), or the
            inputs themselves.

        Returns
        -------
        NegotiationForecast
            ``self``.

        Raises
        ------
        InputError
            For a bad configuration, a scenario without actors, or inputs that do not fit.
        """
        if not isinstance(self.rounds, int) or isinstance(self.rounds, bool) \
                or self.rounds < 0:
            raise InputError(f"rounds: expected a whole number >= 0, found {self.rounds!r}")
        if self.rule not in RULES:
            raise InputError(f"rule: expected one of {', '.join(RULES)}, found {self.rule!r}")
        if self.formulation not in FORMULATIONS:
            raise InputError(f"formulation: expected one of {', '.join(FORMULATIONS)}, "
                             f"found {self.formulation!r}")
        for name in ("q", "t"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and 0.0 <= float(v) <= 1.0):
                raise InputError(f"{name}: expected a probability in [0, 1], found {v!r}")
        scenario = None
        if isinstance(source, NegotiationInputs):
            inputs = source
        else:
            scenario = as_scenario(source)
            inputs = sample_inputs(scenario, self.n_samples, seed=self.seed,
                                   central=self.central)
        self.inputs_ = inputs
        self.forecast_ = self._play(inputs, scenario.name if scenario is not None else "")
        return self

    def _play(self, inp: NegotiationInputs, scenario: str) -> xr.Dataset:
        import xarray as xr

        x, c, s = inp.position, inp.capability, inp.salience
        w = inp.weight
        # the expected-utility model plays each issue alone: (samples, issues, actors)
        bdm = expected_utility_model(
            np.moveaxis(x, 1, 2), np.broadcast_to(c[:, None, :], (x.shape[0], x.shape[2],
                                                                   x.shape[1])),
            np.moveaxis(s, 1, 2), rounds=self.rounds, q=float(self.q), t=float(self.t),
            formulation=self.formulation)
        ex = exchange_model(x, c, s, rule=self.rule, rounds=self.rounds)

        def per_actor(a: np.ndarray) -> np.ndarray:  # (S, m, R, n) -> (S, R, n, m)
            return np.moveaxis(a, 1, 3)

        bdm_pos = per_actor(bdm.position)
        data: dict[str, Any] = {
            "capability": c, "salience": s,
            "baseline_mean": weighted_mean(x, w), "baseline_median": weighted_median(x, w),
            "expected_utility_position": bdm_pos,
            "expected_utility_forecast": np.moveaxis(bdm.median, 1, 2),
            "expected_utility_mean": np.moveaxis(bdm.mean, 1, 2),
            "expected_utility_movement": bdm_pos[:, -1] - bdm_pos[:, 0],
            "expected_utility_offer": per_actor(bdm.offer),
            "expected_utility_offered_by": per_actor(bdm.offered_by),
            "expected_utility_risk": per_actor(bdm.risk),
            "exchange_position": ex.position, "exchange_forecast": ex.outcome,
            "exchange_movement": ex.position[:, -1] - ex.position[:, 0],
            "exchange_actor_i": ex.actor_i, "exchange_actor_j": ex.actor_j,
            "exchange_issue_i": ex.supply_i, "exchange_issue_j": ex.supply_j,
            "exchange_shift_i": ex.shift_i, "exchange_shift_j": ex.shift_j,
            "exchange_gain_i": ex.gain_i, "exchange_gain_j": ex.gain_j,
        }
        ds = xr.Dataset(
            {k: (VARIABLES[k][0], v, {"description": VARIABLES[k][1]}) for k, v in data.items()},
            coords={"sample": np.arange(inp.n_samples), "round": np.arange(self.rounds + 1),
                    "move": np.arange(1, self.rounds + 1), "actor": list(inp.actors),
                    "issue": list(inp.issues),
                    "slot": np.arange(ex.actor_i.shape[2])})
        ds["position"] = (("sample", "actor", "issue"), x,
                          {"description": "each actor's position at the start"})
        ds["actor_name"] = ("actor", list(inp.names or inp.actors))
        ds.attrs.update({"scenario": scenario, "rule": self.rule,
                         "formulation": self.formulation, "rounds": self.rounds,
                         "q": float(self.q), "t": float(self.t),
                         "seed": str(self.seed), "n_samples": inp.n_samples})
        return ds

    # ------------------------------------------------------------------ views
    def bands(self, variable: str, *, at: int | Literal["last"] = "last",
              levels: Sequence[float] = BANDS) -> xr.DataArray:
        """Quantiles over the samples of a forecast variable, at one round.

        Parameters
        ----------
        variable : str
            A variable of :attr:`forecast_` with a ``sample`` dim.
        at : int or "last"
            The round to read (variables with a ``round`` dim).
        levels : sequence of float
            The quantiles.

        Returns
        -------
        xarray.DataArray
            Dim ``quantile`` first, then the variable's own dims but ``sample``/``round``.
        """
        self.check_is_fitted("calling bands()")
        ds = self.forecast_
        if variable not in ds or "sample" not in ds[variable].dims:
            known = [str(v) for v in ds.data_vars if "sample" in ds[v].dims]
            raise InputError(f"unknown forecast variable '{variable}'; expected one of "
                             f"{', '.join(known)}")
        da = ds[variable]
        if "round" in da.dims:
            da = da.isel(round=-1) if at == "last" else da.sel(round=at)
        out: xr.DataArray = da.quantile(list(levels), dim="sample")
        return out

    def exchanges(self, *, top: int | None = None) -> list[dict[str, Any]]:
        """List the exchanges made, pooled over samples: who trades what, how often, how much.

        Returns
        -------
        list of dict
            One entry per (actor i, actor j, issue i gives way on, issue j gives way on),
            most frequent first: ``share`` of samples in which it is made in some round,
            ``first_round`` (the median round it is first made in), the median shifts and
            gains where made.
        """
        self.check_is_fitted("calling exchanges()")
        ds = self.forecast_
        ai = ds["exchange_actor_i"].values
        made = ai >= 0
        if not made.any():
            return []
        actors = [str(a) for a in ds["actor"].values]
        issues = [str(i) for i in ds["issue"].values]
        n, m = len(actors), len(issues)
        key = ((ai * n + ds["exchange_actor_j"].values) * m
               + ds["exchange_issue_i"].values) * m + ds["exchange_issue_j"].values
        key = np.where(made, key, -1)
        moves = ds["move"].values
        out: list[dict[str, Any]] = []
        for k in np.unique(key[made]):
            hit = key == k
            in_sample = hit.any(axis=(1, 2))
            first = moves[np.argmax(hit.any(axis=2), axis=1)][in_sample]
            i, rest = divmod(int(k), n * m * m)
            j, rest = divmod(rest, m * m)
            qi, pj = divmod(rest, m)
            out.append({
                "actor_i": actors[i], "actor_j": actors[j],
                "issue_i": issues[qi], "issue_j": issues[pj],
                "share": float(in_sample.mean()), "samples": int(in_sample.sum()),
                "first_round": float(np.median(first)),
                "shift_i": float(np.median(ds["exchange_shift_i"].values[hit])),
                "shift_j": float(np.median(ds["exchange_shift_j"].values[hit])),
                "gain_i": float(np.median(ds["exchange_gain_i"].values[hit])),
                "gain_j": float(np.median(ds["exchange_gain_j"].values[hit])),
            })
        out.sort(key=lambda e: (-e["share"], e["actor_i"], e["actor_j"], e["issue_i"],
                                e["issue_j"]))
        return out[:top] if top is not None else out

    def to_dict(self) -> dict[str, Any]:
        """Every model's forecast per issue with bands, movements and exchanges (JSON)."""
        self.check_is_fitted("calling to_dict()")
        ds = self.forecast_
        issues = [str(i) for i in ds["issue"].values]
        actors = [str(a) for a in ds["actor"].values]
        models: dict[str, Any] = {}
        for model in MODELS:
            var = model if model.startswith("baseline") else f"{model}_forecast"
            q = self.bands(var).values
            models[model] = {"description": MODELS[model], "issues": {
                iss: {"median": _num(q[1, k]), "low": _num(q[0, k]), "high": _num(q[2, k])}
                for k, iss in enumerate(issues)}}
        movement = {}
        for model in ("expected_utility", "exchange"):
            q = self.bands(f"{model}_movement").values
            movement[model] = {a: {iss: _num(q[1, i, k]) for k, iss in enumerate(issues)}
                               for i, a in enumerate(actors)}
        return {
            "meta": {k: (v.item() if hasattr(v, "item") else v) for k, v in ds.attrs.items()}
            | {"bands": list(BANDS), "actors": dict(zip(actors, [str(x) for x in
                                                                ds["actor_name"].values],
                                                         strict=True)),
               "issues": issues},
            "models": models, "movement": movement, "exchanges": self.exchanges(),
        }


def _num(x: float | FloatArray) -> float | None:
    v = float(x)
    return v if np.isfinite(v) else None
