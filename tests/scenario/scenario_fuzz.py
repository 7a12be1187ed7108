"""Mutated built-in scenarios, and the verdict on each: rejected cleanly, ran clean, or not.

Shared by ``tests/scenario/test_fuzz.py`` (a short profile, drawn by hypothesis) and
``benchmarks/fuzz_scenarios.py`` (a long one). A mutation is a function of a seeded
``random.Random``, so a case is reproduced by its seed alone.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import random
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from detente.engine import simulate
from detente.engine.invariants import RTOL
from detente.errors import DetenteError, ScenarioError
from detente.scenario import builtin_path, load_scenario
from detente.scenario.loading import read_scenario_file

NAMES = ("lanchester-bench", "korea-1951", "ukraine-2023")
# read as detente reads them: YAML 1.1 would make a key such as 'off' the boolean false
_DATA = {n: read_scenario_file(builtin_path(n))[0] for n in NAMES}

EXTREMES: tuple[Any, ...] = (
    1e308, -1e308, math.nan, math.inf, -math.inf, 0, -1, 5e-324, 10 ** 400, -(10 ** 330),
    1e200, 2 ** 63, True, None, "", "NaN", "1e999", [], {}, [1, 2], {"a": 1},
)
DATES: tuple[Any, ...] = (
    dt.date(1, 1, 1), dt.date(9999, 12, 31), "2023-13-45", "0000-00-00", 99999999,
    "2023-02-30", dt.date(1900, 1, 1),
)
#: Units of the stocks that hold an amount of something, which is never negative (other
#: stocks hold levels, codes or trends).
AMOUNTS = frozenset({"persons", "rounds", "drones", "missiles", "interceptors", "km2",
                     "USD bn"})
UNICODE = ("ünïcødé", "\u202eevil", "名前", "𝄞" * 40, "a\u0000b", "\ufeffname", "x" * 5000)
EXPRESSIONS = (
    "a +* b", "__import__('os').system('true')", "1" * 400, "(" * 80 + "1" + ")" * 80,
    "-" * 60 + "blue.personnel", " + ".join(["blue.personnel"] * 120), "blue.personnel[0]",
    "lambda: 1", "log(-1) > 0", "1e999 > 0", "blue.personnel / 0 > 1", "", "   ", "x if y else z",
    "max()", "abs(1, 2)", "blue.", "not", "1 < 2 < 3 < 4 < 5 < 6",
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append((*prefix, i))
            out += _paths(v, (*prefix, i))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for k in path[:-1]:
        data = data[k]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    _parent(data, path)[path[-1]] = value


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        data = data[k]
    return data


def _numbers(data: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(data) if isinstance(_get(data, p), int | float)
            and not isinstance(_get(data, p), bool)]


def _dists(data: Any) -> list[dict[str, Any]]:
    return [v for v in (data.get("parameters") or {}).values()
            if isinstance(v, dict) and isinstance(v.get("dist"), str)]


# --------------------------------------------------------------------------- mutations
def delete_key(d: Any, r: random.Random) -> None:
    p = r.choice(_paths(d))
    parent = _parent(d, p)
    del parent[p[-1]]


def rename_key(d: Any, r: random.Random) -> None:
    p = r.choice([q for q in _paths(d) if isinstance(q[-1], str)])
    parent = _parent(d, p)
    new = r.choice([p[-1] + "x", p[-1].upper(), p[-1][:-1], "_" + p[-1], p[-1] + ".y"])
    parent[new] = parent.pop(p[-1])


def swap_type(d: Any, r: random.Random) -> None:
    _set(d, r.choice(_paths(d)), r.choice(("text", 7, 1.5, None, True, [1], {"k": "v"})))


def extreme_number(d: Any, r: random.Random) -> None:
    _set(d, r.choice(_numbers(d)), r.choice(EXTREMES))


def scale_number(d: Any, r: random.Random) -> None:
    p = r.choice(_numbers(d))
    _set(d, p, _get(d, p) * r.choice((2.0, 10.0, 0.1, 0.5, 1e6, 1e12, 1e-9, -1.0, 1e300,
                                      0.0)))


def date_out_of_range(d: Any, r: random.Random) -> None:
    spots = [p for p in _paths(d) if isinstance(_get(d, p), dt.date)
             or p[-1] in ("start", "from", "until", "date", "at", "by", "war_began")]
    if spots:
        _set(d, r.choice(spots), r.choice(DATES))


def deep_nesting(d: Any, r: random.Random) -> None:
    p = r.choice(_paths(d))
    value: Any = _get(d, p)
    for _ in range(r.choice((45, 60, 200))):
        value = [value] if r.random() < 0.5 else {"k": value}
    _set(d, p, value)


def unicode_text(d: Any, r: random.Random) -> None:
    spots = [p for p in _paths(d) if isinstance(_get(d, p), str)]
    if r.random() < 0.5 or not spots:
        p = r.choice([q for q in _paths(d) if isinstance(q[-1], str)])
        parent = _parent(d, p)
        parent[r.choice(UNICODE)] = parent.pop(p[-1])
    else:
        _set(d, r.choice(spots), r.choice(UNICODE))


def swap_bounds(d: Any, r: random.Random) -> None:
    dists = [x for x in _dists(d) if "low" in x and "high" in x]
    if dists:
        x = r.choice(dists)
        x["low"], x["high"] = x["high"], x["low"]


def zero_width(d: Any, r: random.Random) -> None:
    dists = [x for x in _dists(d) if "low" in x and "high" in x]
    if dists:
        x = r.choice(dists)
        for k in ("low", "high", "mode"):
            if k in x:
                x[k] = x["low"]


def odd_expression(d: Any, r: random.Random) -> None:
    claims = [c for c in (d.get("claims") or {}).values() if isinstance(c, dict)
              and isinstance(c.get("test"), dict)]
    if not claims:
        d.setdefault("claims", {})["odd"] = {
            "text": "odd", "source": "test",
            "test": {"kind": "compare", "metric": "x", "at": "end", "op": ">",
                     "threshold": 0}}
        claims = [d["claims"]["odd"]]
    test = r.choice(claims)["test"]
    key = r.choice([k for k in ("metric", "when", "given") if k in test] or ["metric"])
    test[key] = r.choice(EXPRESSIONS)


def unknown_policy_parameter(d: Any, r: random.Random) -> None:
    pols = d.get("policies")
    if isinstance(pols, dict):
        pols["fuzzed"] = {"description": "fuzzed", "changes": [
            {"param": r.choice(("no_such_parameter", "blue.personnel", "personnel0",
                                "blue.personnel0.x")),
             r.choice(("value", "scale")): r.choice((1.0, 2.0, math.nan, -1.0))}]}


MUTATIONS: tuple[Callable[[Any, random.Random], None], ...] = (
    delete_key, rename_key, swap_type, extreme_number, scale_number, date_out_of_range,
    deep_nesting, unicode_text, swap_bounds, zero_width, odd_expression,
    unknown_policy_parameter,
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def fuzzed_text(seed: int) -> tuple[str, str]:
    """Return the name of the mutations and the text of the fuzzed scenario for ``seed``."""
    r = random.Random(seed)
    name = r.choice(NAMES)
    data = copy.deepcopy(_DATA[name])
    done = []
    for _ in range(r.choice((1, 1, 1, 2, 3))):
        fn = r.choice(MUTATIONS)
        try:
            fn(data, r)
        except (IndexError, KeyError, TypeError, AttributeError):
            continue  # the mutation does not apply to what earlier ones left
        done.append(fn.__name__)
    try:
        text = _dump(data)
    except RecursionError:  # nested past what the YAML writer can: write the nesting itself
        text = _dump(_DATA[name]) + "deep: " + "[" * 400 + "]" * 400 + "\n"
        done.append("deeper")
    if r.random() < 0.05:
        text = text[:r.randrange(len(text))]
        done.append("truncate")
    return f"{name}:{'+'.join(done) or 'none'}", text


# --------------------------------------------------------------------------- the verdict
Outcome = Literal["rejected", "ran", "traceback", "unlocated", "bad_run"]


@dataclass
class Verdict:
    """What happened to one fuzzed file."""

    outcome: Outcome
    detail: str = ""


def _check_results(results: Any, stocks: set[str], undefined: set[str]) -> str:
    """Return what is wrong with the results (non-finite, negative stocks), or ''.

    ``undefined`` are the variables documented as NaN while they mean nothing (the months
    to a settlement before one): NaN is their value there, infinity never is.
    """
    for name, var in results.ds.data_vars.items():
        values = np.asarray(var.values)
        if values.dtype.kind != "f":
            continue
        base = str(name).rsplit(".", 1)[-1]
        if base in undefined or name in undefined:
            values = values[~np.isnan(values)]
        if not np.all(np.isfinite(values)):
            return f"non-finite values in {name}"
        # below 0 by less than the engine's rounding tolerance is a capped outflow's
        # rounding (stock - dt * stock / dt), not an overshoot: the same rule as the engine's
        if (name in stocks or base in stocks) and values.size and \
                values.min() < -RTOL * max(1.0, float(np.max(np.abs(values)))):
            return f"negative stock {name}: {values.min():.6g}"
    return _check_population(results.ds)


#: A side's population is closed (society: no births or natural deaths over the horizon).
POPULATION = ("pop_home", "refugees_abroad", "pop_occupied", "pop_dead")
#: How far the closed total may drift, relative to the start's.
POPULATION_RTOL = 1e-9


def _check_population(ds: Any) -> str:
    """Return a message when home + abroad + occupied + dead drifts from its start."""
    if not all(name in ds.data_vars for name in POPULATION):
        return ""
    total = sum(np.asarray(ds[name].transpose("time", ...).values, dtype=np.float64)
                for name in POPULATION)
    start = total[0]
    scale = np.maximum(np.abs(start), 1.0)
    drift = float(np.max(np.abs(total - start) / scale)) if total.size else 0.0
    if drift > POPULATION_RTOL:
        return f"population not conserved: home + abroad + occupied + dead drifts by {drift:.3g}"
    return ""


def _unguarded(scenario: Any, guard: str | None) -> bool:
    """Whether ``guard`` is a switch the scenario turns off."""
    if guard is None:
        return False
    entry = scenario.table.get(guard)
    return entry is not None and entry.distribution.central() == 0.0


def write_fuzzed(folder: Path, text: str, name: str = "fuzzed.yaml") -> Path:
    """Write a fuzzed scenario to ``folder`` beside the built-ins' posterior draws.

    A built-in that names joint posterior draws (``posterior.file``) reads them beside its
    file; without them every fuzzed copy would be rejected for the missing table, and the
    fuzzing would stop at the first line it reads.
    """
    for built_in in NAMES:
        table = builtin_path(built_in).with_name(f"{built_in}.posterior.csv")
        if table.is_file() and not (folder / table.name).is_file():
            shutil.copy(table, folder / table.name)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def judge(path: Path, *, n_samples: int = 4, max_steps: int = 12) -> Verdict:
    """Load ``path`` and simulate what loads; say how it went."""
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        # located: in the scenario's file, or in a file it names beside it (its posterior
        # draws), at a line
        unlocated = [p for p in exc.problems
                     if p.line is None or Path(p.file).parent != path.parent]
        if unlocated and len(unlocated) == len(exc.problems):
            return Verdict("unlocated", str(unlocated[0]))
        return Verdict("rejected")
    except DetenteError as exc:
        return Verdict("unlocated", f"{type(exc).__name__}: {exc}")
    except Exception:
        return Verdict("traceback", traceback.format_exc(limit=-3))
    variables = [v for m in scenario.enabled_modules for v in m.variables]
    # a stock the scenario lets overshoot on purpose (its guard switch off: plain Euler, as
    # in the benchmark) is excused, as the engine's invariant check excuses it
    stocks = {v.name for v in variables if v.kind == "stock" and v.unit in AMOUNTS
              and not _unguarded(scenario, v.guarded_by)}
    stocks |= {n.rsplit(".", 1)[-1] for n in stocks}
    undefined = {v.name.rsplit(".", 1)[-1] for v in variables if "NaN" in v.description}
    try:
        results = simulate(scenario, n_samples=n_samples, seed=0,
                           horizon=min(scenario.time.horizon_steps, max_steps))
    except DetenteError:
        return Verdict("rejected")  # the engine's own clear error
    except Exception:
        return Verdict("traceback", traceback.format_exc(limit=-3))
    wrong = _check_results(results, stocks, undefined)
    return Verdict("bad_run", wrong) if wrong else Verdict("ran")
