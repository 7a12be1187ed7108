"""Checks of meaning: a scenario's modules, parameters, sources, events and changes.

:func:`check_meaning` runs after the schema check, beside its problems: it resolves the
listed modules, builds the :class:`~detente.scenario.table.ParameterTable` of the parameters
that passed the schema, and checks on it what a schema cannot: every parameter a module
reads without a default is present (the table holds the others at their default), and
converts to the unit the module reads, within its bounds; no parameter is unknown; every
source is known; events and changes name parameters that exist, with values, units, scales
and dates that fit; a change never targets a parameter that only a probability reads (an
event's draw is made once, so the change would do nothing); the channel switches are set to
a channel's code or to 0 / 1; a policy cancels, or changes the chance of, events the
scenario has, with probabilities that are shares. Then the claims (:mod:`._claims`), each
enabled module's own cross-parameter check, and look-ahead (:mod:`.lookahead`): what the
parameters cite against what the scenario declares it may know.

The parameters a module needs and the file lacks are one problem per module, naming every
one of them on a line of its own with its unit and meaning: a single problem is never cut
by the loader's cap on the number of problems, and an author gets the whole list at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from detente import model
from detente.errors import UnitError
from detente.model.bargaining import CHANNEL_PARAM, channel_switch
from detente.model.base import (
    MAX_STEP_DAYS,
    MAX_STEP_REASON,
    RESERVED_PREFIXES,
    ROLES,
    TERRITORY_LEVELS,
    Cast,
    Channel,
    Issue,
    Module,
    ParamSpec,
)
from detente.scenario._claims import check_claims
from detente.scenario._paths import FieldPath, as_date, as_number, short, suggest
from detente.scenario._positions import ProblemLog
from detente.scenario.facts import FactTable, bundled_facts
from detente.scenario.lookahead import Hindsight, check_parts
from detente.scenario.schema import (
    ChannelDecl,
    IssueDecl,
    Knowledge,
    Parameter,
    Reference,
    Scenario,
)
from detente.scenario.table import ParameterTable, TableEntry

__all__ = ["check_meaning", "fact_keys", "missing_message"]

#: The parameters of the front whose values must fit each other: what a side holds of the
#: enemy's territory at the start, and the area of that territory.
_HELD, _AREA = "territory0", "area"

Horizon = tuple[dt.date, dt.date]
Owned = list[tuple[FieldPath, Mapping[str, Any]]]


def fact_keys() -> frozenset[str]:
    """Return the keys of the shared facts table (``data/facts-2023.csv``)."""
    return frozenset(bundled_facts())


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _mapping(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


# --------------------------------------------------------------------------- the raw file
def _horizon(data: Mapping[str, Any]) -> Horizon | None:
    time = data.get("time")
    if not isinstance(time, Mapping):
        return None
    start = as_date(time.get("start"))
    step, steps = as_number(time.get("step_days")), as_number(time.get("horizon_steps"))
    if start is None or step is None or steps is None or not (step > 0 and steps > 0):
        return None  # the schema reports a step or a horizon that is no positive number
    try:
        return start, start + dt.timedelta(days=step * steps)
    except (OverflowError, ValueError):  # inf, or past year 9999
        return None


def _check_step_days(log: ProblemLog, data: Mapping[str, Any]) -> None:
    """Refuse a step longer than the model integrates safely (:data:`MAX_STEP_DAYS`)."""
    time = data.get("time")
    step = as_number(time.get("step_days")) if isinstance(time, Mapping) else None
    if step is None or not math.isfinite(step) or step <= MAX_STEP_DAYS:
        return  # the schema reports a missing, non-finite or non-positive step
    log.add(("time", "step_days"),
            f"a step of {_fmt(step)} days is longer than the model integrates safely; "
            f"expected at most {_fmt(MAX_STEP_DAYS)} days (one month): {MAX_STEP_REASON}. "
            "Use a shorter step (the built-in scenarios step 1 or 7 days) and as many more "
            "steps in horizon_steps")


def _events(data: Mapping[str, Any]) -> Owned:
    """List every event of the file, the policies' own included, with its path."""
    out: Owned = [(("events", k), v) for k, v in _mapping(data.get("events")).items()
                  if isinstance(v, Mapping)]
    for pname, pol in _mapping(data.get("policies")).items():
        if isinstance(pol, Mapping):
            out += [(("policies", pname, "events", k), v)
                    for k, v in _mapping(pol.get("events")).items() if isinstance(v, Mapping)]
    return out


def _scales(data: Mapping[str, Any]) -> set[str]:
    """Return the parameters read as a change's factor (``scale: PARAM``)."""
    return {f for _, c in _changes(data) if isinstance(f := c.get("scale"), str)}


def _probabilities(data: Mapping[str, Any]) -> set[str]:
    """Return the parameters read as a probability: by events, and by policies' chances."""
    out = {p for _, e in _events(data) if isinstance(p := e.get("probability"), str)}
    for pol in _mapping(data.get("policies")).values():
        for chance in _mapping(_mapping(pol).get("chances")).values():
            if isinstance(p := _mapping(chance).get("probability"), str):
                out.add(p)
    return out


def _changes(data: Mapping[str, Any]) -> Owned:
    """List every change of the file, in events and in policies, with its path."""
    owners: list[tuple[FieldPath, Any]] = [*_events(data)]
    owners += [(("policies", k), v) for k, v in _mapping(data.get("policies")).items()]
    out: Owned = []
    for path, owner in owners:
        changes = owner.get("changes") if isinstance(owner, Mapping) else None
        if isinstance(changes, list | tuple):
            out += [((*path, "changes", i), c) for i, c in enumerate(changes)
                    if isinstance(c, Mapping)]
    return out


def _valid_parameters(data: Mapping[str, Any]) -> dict[str, Parameter]:
    """Return the parameters that pass the schema on their own (it reports the others)."""
    out: dict[str, Parameter] = {}
    for name, raw in _mapping(data.get("parameters")).items():
        try:
            out[name] = Parameter.model_validate(raw)
        except ValidationError:
            continue
    return out


def _check_date(log: ProblemLog, path: FieldPath, value: Any, horizon: Horizon | None,
                what: str, *, open_end: bool = False, hint: str = "") -> None:
    when = as_date(value)
    if when is None or horizon is None:
        return
    start, end = horizon
    if when < start or (when > end and not open_end):
        span = f"on or after {start}" if open_end else f"from {start} to {end}"
        log.add(path, f"{what} {when} is outside the horizon; expected a date {span}"
                + (hint if when < start else ""))


#: Said of a date before the start of an event that is not of the record.
RECORD_HINT = ("; an event of the war's record, before the start, states 'public' (the "
               "date it was known), and a restart from an earlier origin replays it")


def _record_horizon(data: Mapping[str, Any], horizon: Horizon | None) -> Horizon | None:
    """Return the dates an event of the record may take: from the war's beginning on."""
    if horizon is None:
        return None
    time = _mapping(data.get("time"))
    began = as_date(time.get("war_began"))
    return (began if began is not None else dt.date.min), horizon[1]


def _of_record(data: Mapping[str, Any], path: FieldPath) -> bool:
    """Whether the change at ``path`` belongs to an event of the record (with ``public``)."""
    keys = [str(k) for k in path]
    if len(keys) >= 4 and keys[0] == "events":
        owner = _mapping(data.get("events")).get(keys[1])
    elif len(keys) >= 6 and keys[0] == "policies" and keys[2] == "events":
        owner = _mapping(_mapping(_mapping(data.get("policies")).get(keys[1])).get("events")
                         ).get(keys[3])
    else:
        return False
    return isinstance(owner, Mapping) and owner.get("public") is not None


# --------------------------------------------------------------------------- modules
def _check_cast(log: ProblemLog, data: Mapping[str, Any]) -> None:
    """Check that the sides, supporters and channels hang together, each at its field."""
    sides = list(_mapping(data.get("sides")))
    supporters = {k: _mapping(v) for k, v in _mapping(data.get("supporters")).items()}
    ids = [*sides, *supporters]
    for kind, owners in (("sides", sides), ("supporters", list(supporters))):
        for i in owners:
            if isinstance(i, str) and i.startswith(RESERVED_PREFIXES):
                log.add((kind, i), f"the id '{i}' starts with "
                                   f"{next(p for p in RESERVED_PREFIXES if i.startswith(p))}, "
                                   "which results use for their own names; choose another",
                        at="key")
    for sid, sup in supporters.items():
        if sid in sides:
            log.add(("supporters", sid), f"{sid} is both a side and a supporter; give each "
                                         "its own id", at="key")
        side = sup.get("supports")
        if isinstance(side, str) and side not in sides:
            log.add(("supporters", sid, "supports"),
                    f"supporter '{sid}' supports '{side}', which is not a side (sides: "
                    f"{', '.join(map(str, sides))}){suggest(side, [str(s) for s in sides])}")
    seen: dict[Any, str] = {}
    for cid, ch in ((k, _mapping(v)) for k, v in _mapping(data.get("channels")).items()):
        parties = ch.get("parties")
        if isinstance(parties, list):
            strangers = [p for p in parties if isinstance(p, str) and p not in ids]
            if strangers:
                log.add(("channels", cid, "parties"),
                        f"channel '{cid}' seats {', '.join(strangers)}, which is neither a side "
                        f"nor a supporter ({', '.join(map(str, ids))})"
                        f"{suggest(strangers[0], [str(i) for i in ids])}")
        code = ch.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            if code in seen:
                log.add(("channels", cid, "code"),
                        f"channel '{cid}' has the code {code}, which channel '{seen[code]}' "
                        "also has; negotiation_channel opens one channel per code")
            seen.setdefault(code, str(cid))
        cred = ch.get("credibility_of")
        if isinstance(cred, str) and cred not in supporters:
            log.add(("channels", cid, "credibility_of"),
                    f"channel '{cid}' takes the credibility of '{cred}', which is not a "
                    f"supporter (supporters: {', '.join(supporters) or 'none'})")


def _cast(data: Mapping[str, Any], scenario: Scenario | None) -> Cast | None:
    """Return the scenario's cast, or the best one the raw data gives when the schema failed.

    None when the data names no two sides (the schema reports why); the checks that need
    the modules are then left out.
    """
    if scenario is not None:
        try:
            return scenario.cast
        except ValueError:
            return None  # _check_cast says why, at the field
    sides = _mapping(data.get("sides"))
    supporters = {k: _mapping(v) for k, v in _mapping(data.get("supporters")).items()}
    side_ids, supporter_ids = tuple(sides), tuple(supporters)
    supports = tuple(str(v.get("supports")) for v in supporters.values())
    issues = _raw_issues(data)
    # the talks as the file states them, so that their parameters are not "unknown"; the
    # schema reports what is wrong with them
    for channels, stated in ((_raw_channels(data, issues), issues), ((), issues), ((), ())):
        try:
            cast = Cast(sides=side_ids, supporters=supporter_ids, supports=supports,
                        channels=channels, issues=stated)
            if stated or channels:
                model.get_module("bargaining", cast)  # the talks hold together
            return cast
        except (ValueError, TypeError, KeyError):
            continue
    return None


def _raw_issues(data: Mapping[str, Any]) -> tuple[Issue, ...]:
    """Return the file's issues; one the schema refuses stands in by its id and role."""
    out: list[Issue] = []
    for iid, raw in _mapping(data.get("issues")).items():
        try:
            out.append(IssueDecl.model_validate(raw).issue(str(iid)))
            continue
        except (ValidationError, ValueError, TypeError):
            pass
        role = _mapping(raw).get("role")
        role = role if role in ROLES and role not in {d.role for d in out} else None
        levels = tuple(f"level_{i}" for i in range(TERRITORY_LEVELS if role == "territory"
                                                    else 2))
        try:
            out.append(Issue(str(iid), levels, levels[0], role=role))
        except ValueError:
            continue
    return tuple(out)


def _raw_channels(data: Mapping[str, Any], issues: tuple[Issue, ...]) -> tuple[Channel, ...]:
    """Return the file's channels that pass the schema, moving only issues it has."""
    known = {d.name for d in issues} if issues else None
    out: list[Channel] = []
    for cid, raw in _mapping(data.get("channels")).items():
        try:
            ch = ChannelDecl.model_validate(raw)
        except ValidationError:
            continue
        dims = ch.dimensions if ch.dimensions is None or known is None else tuple(
            d for d in ch.dimensions if d in known)
        out.append(Channel(name=str(cid), code=ch.code, parties=ch.parties, dimensions=dims,
                           credibility_of=ch.credibility_of,
                           guarantee_cap=ch.guarantee_cap, veto_onus=ch.veto_onus))
    return tuple(out)


def _resolve(log: ProblemLog, data: Mapping[str, Any], registry: Mapping[str, Module] | None,
             cast: Cast | None) -> tuple[dict[str, Module], bool]:
    """Return the enabled modules by name, and whether every listed one resolved."""
    raw = data.get("modules")
    if not isinstance(raw, list | tuple):
        return {}, False
    known = list(registry) if registry is not None else list(model.MODULE_ORDER)
    enabled: dict[str, Module] = {}
    complete = True
    for i, name in enumerate(raw):
        if not isinstance(name, str):
            complete = False
            continue
        if name not in known:
            log.add(("modules", i), f"unknown module '{name}'; expected one of: "
                                    f"{', '.join(known)}{suggest(name, known)}")
            complete = False
            continue
        if registry is not None:
            enabled[name] = registry[name]
            continue
        if cast is None:
            complete = False
            continue
        try:
            enabled[name] = model.get_module(name, cast)
        except Exception as exc:
            log.add(("modules", i), f"module '{name}' is not available in this installation "
                                    f"({type(exc).__name__}: {exc})")
            complete = False
    for name, mod in enabled.items():
        for req in mod.requires:
            if req not in enabled:
                log.add(("modules",), f"module '{name}' needs module '{req}'; "
                                      "add it to 'modules'", at="key")
    return enabled, complete


def _all_readers(registry: Mapping[str, Module] | None, cast: Cast | None
                 ) -> dict[str, str]:
    """Map every parameter any known module reads to that module's name."""
    if registry is None:
        if cast is None:
            return {}
        try:
            registry = model.available_modules(cast)
        except Exception:
            return {}
    return {spec.name: mod.name for mod in registry.values() for spec in mod.params}


# --------------------------------------------------------------------------- parameters
def _readers(enabled: Mapping[str, Module]) -> dict[str, str]:
    """Map each parameter an enabled module reads to that module's name."""
    return {spec.name: mod.name for mod in enabled.values() for spec in mod.params}


def _range_text(entry: TableEntry) -> str:
    lo = "-inf" if entry.low is None else _fmt(entry.low)
    hi = "inf" if entry.high is None else _fmt(entry.high)
    return f"[{lo}, {hi}] {entry.canonical}"


def _outside(entry: TableEntry, c: float) -> bool:
    return (entry.low is not None and c < entry.low) or (
        entry.high is not None and c > entry.high)


def _written_at(name: str, raw: Mapping[str, Any]) -> tuple[FieldPath, Mapping[str, Any]]:
    """Say where a parameter's numbers are written: inline (a file), or in 'dist' (a dump)."""
    base: FieldPath = ("parameters", name)
    dist = raw.get("dist")
    return ((*base, "dist"), dist) if isinstance(dist, Mapping) else (base, raw)


#: The most extreme probabilities a draw can take (a uniform float in [0, 1) is at most
#: 1 - 2**-53): an unbounded distribution reaches its quantiles there and no further.
_DRAWN_EXTREMES = {"low": 2.0 ** -53, "high": 1.0 - 2.0 ** -53}


def _reach(entry: TableEntry, field_name: str, c: float) -> float:
    """Return the value a draw can reach at an unbounded end of the support (canonical)."""
    dist = entry.distribution.dist
    if not math.isinf(c) or dist is None or field_name not in _DRAWN_EXTREMES:
        return c
    with np.errstate(all="ignore"):
        v = float(dist.ppf(np.array([_DRAWN_EXTREMES[field_name]]))[0])
    return v * entry.factor if math.isfinite(v) else c


def _check_bounds(log: ProblemLog, entry: TableEntry, raw: Mapping[str, Any]) -> None:
    prefix, fields = _written_at(entry.name, raw)
    dist = entry.distribution.dist
    for field_name, v in entry.distribution.bounds():
        c = v * entry.factor
        if not _outside(entry, c) or not _outside(entry, _reach(entry, field_name, c)):
            continue
        path = (*prefix, field_name) if field_name in fields else prefix
        if math.isinf(c) and dist is not None:
            side = "below" if c < 0 else "above"
            fix = ("; give it a finite 'low'/'high'" if dist.dist == "truncnormal"
                   else "; use a bounded one (pert, triangular, uniform, truncnormal)")
            reach = _reach(entry, field_name, c)
            drawn = (f" (a draw can reach {_fmt(reach)} {entry.canonical})"
                     if math.isfinite(reach) else "")
            log.add(path, f"a {dist.dist} distribution is unbounded {side}{drawn}, but "
                          f"'{entry.name}' must lie in {_range_text(entry)}{fix}")
            continue
        shown = f"{_fmt(v)} {entry.unit}"
        if entry.factor != 1.0:
            shown += f" (= {_fmt(c)} {entry.canonical})"
        log.add(path, f"expected a value in {_range_text(entry)}, found {shown}")


def _extremes(entry: TableEntry) -> tuple[float, float]:
    """Return the smallest and largest values a draw of ``entry`` can take (canonical)."""
    values = [_reach(entry, f, v * entry.factor) for f, v in entry.distribution.bounds()]
    return min(values), max(values)


def _check_territory(log: ProblemLog, table: ParameterTable, cast: Cast | None) -> None:
    """Check that no side can start holding more of the enemy's territory than it has."""
    if cast is None or len(cast.sides) != 2:
        return
    for side in cast.sides:
        enemy = cast.other(side)
        held, area = table.get(f"{side}.{_HELD}"), table.get(f"{enemy}.{_AREA}")
        if held is None or area is None:
            continue
        most, least = _extremes(held)[1], _extremes(area)[0]
        if most > least:
            log.add(("parameters", held.name), (
                f"'{held.name}' can be {_fmt(most)} {held.canonical}, more than the area of "
                f"{enemy}'s territory, which can be as small as {_fmt(least)} "
                f"{area.canonical} ('{area.name}'); a side cannot hold more of the enemy's "
                "territory than there is"))


def _check_source(log: ProblemLog, data: Mapping[str, Any], name: str,
                  raw: Mapping[str, Any], facts: FactTable) -> None:
    src = raw.get("source")
    if not isinstance(src, str):
        return
    path: FieldPath = ("parameters", name, "source")
    s = src.strip()
    if s.startswith("fact:"):
        key = s[5:].strip()
        if key not in facts:
            log.add(path, f"unknown fact '{key}': not a key of {facts.name}"
                          f"{suggest(key, facts)}")
    elif s.startswith("ref:"):
        key = s[4:].strip()
        keys = list(_mapping(data.get("sources")))
        if key not in keys:
            log.add(path, f"unknown reference '{key}': expected a key of 'sources'"
                          f"{suggest(key, keys)}")
    elif (s == "assumption" and not isinstance(raw.get("dist"), str | Mapping)
          and not str(raw.get("note") or "").strip()):
        log.add(path, "a fixed value with source 'assumption' needs a distribution, or a "
                      "'note' saying why it is a modelling choice")


def _check_parameters(log: ProblemLog, data: Mapping[str, Any], table: ParameterTable,
                      enabled: Mapping[str, Module], complete: bool,
                      registry: Mapping[str, Module] | None, cast: Cast | None,
                      facts: FactTable) -> None:
    """Check sources, units and bounds; report parameters unknown or missing."""
    readers = _readers(enabled)
    probabilities = _probabilities(data)
    scales = _scales(data)
    params_raw = data.get("parameters")
    others: dict[str, str] | None = None
    for name, raw in _mapping(params_raw).items():
        if not isinstance(raw, Mapping):
            continue
        _check_source(log, data, name, raw, facts)
        if name in readers:
            if name in table.errors:
                log.add(("parameters", name, "unit"), str(table.errors[name]))
            elif name in table:
                _check_bounds(log, table[name], raw)
        elif name in probabilities or name in scales:
            continue
        elif complete and params_raw is not None:
            others = _all_readers(registry, cast) if others is None else others
            nested = [f"{name}.{k}" for k in raw if f"{name}.{k}" in readers]
            if nested:
                log.add(("parameters", name), (
                    f"'{name}' holds parameters as a table ({', '.join(nested[:3])}"
                    f"{', ...' if len(nested) > 3 else ''}); write each as one key, "
                    f"{nested[0]}: in TOML quote it (\"{nested[0]}\" = {{...}}), since an "
                    "unquoted dotted key makes a table"), at="key")
            elif name in others:
                log.add(("parameters", name), (
                    f"parameter '{name}' is read only by module '{others[name]}', which is not "
                    "in 'modules'; add the module or remove the parameter"), at="key")
            else:
                log.add(("parameters", name), (
                    f"unknown parameter '{name}': no enabled module reads it, no event uses "
                    f"it as a probability and no change as a factor{suggest(name, readers)}"),
                        at="key")
    if not isinstance(params_raw, Mapping):
        return
    for mod_name, mod in enabled.items():
        missing = [s for s in mod.params if s.name not in params_raw and s.default is None]
        if missing:
            message, details = missing_message(mod_name, missing)
            log.add(("parameters",), message, at="key", details=details)


def missing_message(module: str, missing: list[ParamSpec]) -> tuple[str, tuple[str, ...]]:
    """Say which parameters ``module`` needs that the file lacks: every one, with its unit.

    Returns the message and its detail lines. One parameter: one line, no details. More: a
    head line, and one detail per parameter, as ``name (unit): meaning``.
    """
    if len(missing) == 1:
        spec = missing[0]
        return (f"missing parameter '{spec.name}' (in {spec.unit}), needed by module "
                f"'{module}': {spec.description}"), ()
    lines = tuple(f"{s.name} (in {s.unit}): {s.description}" for s in missing)
    return (f"missing {len(missing)} parameters needed by module '{module}'; add each "
            "under 'parameters' (any unit that converts to the one shown):"), lines


# --------------------------------------------------------------------------- events, changes
def _check_events(log: ProblemLog, data: Mapping[str, Any], table: ParameterTable,
                  readers: Mapping[str, str], horizon: Horizon | None) -> None:
    """Check dates against the horizon, and that a probability names one."""
    for path, event in _events(data):
        # an event of the war's record may lie before the start; a restart replays it
        past = event.get("public") is not None
        span = _record_horizon(data, horizon) if past else horizon
        hint = "" if past else RECORD_HINT
        _check_date(log, (*path, "date"), event.get("date"), span, "event date", hint=hint)
        _check_date(log, (*path, "effective"), event.get("effective"), span,
                    "effective date", hint=hint)
        prob = event.get("probability")
        if isinstance(prob, str):
            _check_probability(log, (*path, "probability"), data, table, readers, prob)


def _check_probability(log: ProblemLog, path: FieldPath, data: Mapping[str, Any],
                       table: ParameterTable, readers: Mapping[str, str], prob: str,
                       scale: float = 1.0) -> None:
    """Check that ``prob`` is a parameter whose values (times ``scale``) are shares."""
    params = _mapping(data.get("parameters"))
    if prob not in params:
        log.add(path, (
            f"expected the name of a parameter holding the event's probability, found "
            f"{short(prob)}, which is not a parameter{suggest(prob, params)}"))
        return
    entry = table.get(prob)
    if entry is None:  # a unit a module cannot read is reported at the parameter
        if prob in table.errors and prob not in readers:
            log.add(path, str(table.errors[prob]))
        return
    try:
        share = entry.probability_factor()
    except UnitError as exc:
        log.add(path, str(exc))
        return
    for field_name, v in entry.distribution.bounds():
        if not 0.0 <= v * share * scale <= 1.0:
            scaled = f" scaled by {_fmt(scale)}" if scale != 1.0 else ""
            log.add(path, (
                f"parameter '{prob}'{scaled} must lie in [0, 1] to be a probability, found "
                f"{field_name} {_fmt(v)} {entry.unit}"))
            break


def _check_scale_parameter(log: ProblemLog, path: FieldPath, data: Mapping[str, Any],
                           table: ParameterTable, name: str) -> None:
    """Check that a change's factor names a parameter of pure numbers of at least 0."""
    params = _mapping(data.get("parameters"))
    if name not in params:
        log.add(path, (f"expected a factor (a number) or the name of a parameter holding it, "
                       f"found {short(name)}, which is not a parameter"
                       f"{suggest(name, params)}"))
        return
    entry = table.get(name)
    if entry is None:
        if name in table.errors:
            log.add(path, str(table.errors[name]))
        return
    if entry.spec is not None:
        log.add(path, (f"parameter '{name}' is read by module '{entry.module}'; a change's "
                       "factor is a parameter of its own (in 'ratio'), which only changes "
                       "read"))
        return
    for field_name, v in entry.distribution.bounds():
        if v < 0.0:
            log.add(path, (f"parameter '{name}' must be at least 0 to scale a parameter, "
                           f"found {field_name} {_fmt(v)} {entry.unit}"))
            break


def _check_policy_chances(log: ProblemLog, data: Mapping[str, Any], table: ParameterTable,
                          readers: Mapping[str, str]) -> None:
    """Check what policies cancel and the chances they give: events the scenario has.

    A policy cancels or re-weights the scenario's own events (its own are defined in its
    ``events``); a probability named is a parameter holding a share, and a scale keeps the
    event's probability in [0, 1].
    """
    events = {k: _mapping(v) for k, v in _mapping(data.get("events")).items()}
    names = [str(k) for k in events]
    known = f"the scenario's events: {', '.join(names)}" if names else "it has none"

    def unknown(path: FieldPath, name: Any, at: Literal["auto", "key"]) -> bool:
        if name in events:
            return False
        log.add(path, f"unknown event '{name}': a policy cancels or changes the chance of "
                      f"an event of the scenario ({known}){suggest(name, names)}", at=at)
        return True

    for pname, pol in _mapping(data.get("policies")).items():
        pol = _mapping(pol)
        cancel = pol.get("cancel")
        for i, name in enumerate(cancel if isinstance(cancel, list | tuple) else ()):
            if isinstance(name, str):
                unknown(("policies", pname, "cancel", i), name, "auto")
        for name, raw in _mapping(pol.get("chances")).items():
            path: FieldPath = ("policies", pname, "chances", name)
            if unknown(path, name, "key") or not isinstance(raw, Mapping):
                continue
            prob, scale = raw.get("probability"), as_number(raw.get("scale"))
            if isinstance(prob, str):
                _check_probability(log, (*path, "probability"), data, table, readers, prob)
            elif scale is not None and scale >= 0:
                _check_scaled_chance(log, (*path, "scale"), events[name], data, table,
                                     readers, scale)


def _check_scaled_chance(log: ProblemLog, path: FieldPath, event: Mapping[str, Any],
                         data: Mapping[str, Any], table: ParameterTable,
                         readers: Mapping[str, str], scale: float) -> None:
    stated = event.get("probability")
    if isinstance(stated, str):
        if stated in _mapping(data.get("parameters")):  # else reported at the event
            _check_probability(log, path, data, table, readers, stated, scale)
    elif stated is None and scale > 1.0:
        log.add(path, f"the event is certain (no 'probability'): scaling its probability, "
                      f"1, by {_fmt(scale)} takes it above 1; expected a scale of at most 1")


def _check_value(log: ProblemLog, path: FieldPath, entry: TableEntry, value: float,
                 unit: str | None) -> None:
    try:
        factor = entry.change_factor(unit)
    except UnitError as exc:
        if unit is not None:
            log.add((*path, "unit"), str(exc))
        return
    c = value * factor
    if entry.spec is not None and _outside(entry, c):
        shown = f"{_fmt(value)} {unit or entry.unit}".strip()
        if factor != 1.0:
            shown += f" (= {_fmt(c)} {entry.canonical})"
        log.add((*path, "value"), f"expected a value in {_range_text(entry)} for "
                                  f"'{entry.name}', found {shown}")


def _check_scale(log: ProblemLog, path: FieldPath, entry: TableEntry, scale: float) -> None:
    for field_name, v in entry.distribution.bounds():
        c = v * entry.factor * scale
        if math.isinf(c) or not _outside(entry, c):
            continue
        log.add((*path, "scale"), (
            f"scaling '{entry.name}' by {_fmt(scale)} takes its {field_name} to "
            f"{_fmt(c)} {entry.canonical}, outside {_range_text(entry)}"))
        break


def _channel_values(data: Mapping[str, Any]) -> dict[str, dict[float, str]]:
    """Return the values each channel parameter may be set to, with what each means."""
    channels = {str(k): _mapping(v) for k, v in _mapping(data.get("channels")).items()}
    codes = {0.0: "no talks"}
    codes.update((code, cid) for cid, ch in channels.items()
                 if isinstance(c := ch.get("code"), int) and not isinstance(c, bool)
                 and (code := as_number(c)) is not None)  # a huge one: the schema says
    out = {CHANNEL_PARAM: codes}
    out.update((channel_switch(cid), {0.0: "closed", 1.0: "open"}) for cid in channels)
    return out


def _check_channel_change(log: ProblemLog, path: FieldPath, target: str,
                          allowed: Mapping[float, str], value: float | None,
                          scale: float | None) -> None:
    """Check a change to a channel parameter: a value it may take, never a scale."""
    listing = ", ".join(f"{_fmt(v)} ({what})" for v, what in sorted(allowed.items()))
    if scale is not None:
        log.add((*path, "scale"), f"'{target}' opens or closes talks: set it with 'value' "
                                  f"({listing}), not 'scale'")
    elif value is not None and value not in allowed:
        log.add((*path, "value"), f"expected one of {listing} for '{target}', found "
                                  f"{_fmt(value)}")


def _number_read(x: Any) -> float | None:
    """Return a raw number as the schema reads it.

    YAML's ``1e200`` (no dot) is text to YAML and a number to the schema: it must meet the
    same bounds.
    """
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            return None
    return as_number(x)


def _check_changes(log: ProblemLog, data: Mapping[str, Any], table: ParameterTable,
                   horizon: Horizon | None, readers: Mapping[str, str],
                   complete: bool) -> None:
    """Check dates, that the parameter exists, and its value, unit or scale."""
    params = _mapping(data.get("parameters"))
    probabilities = _probabilities(data)
    channel_params = _channel_values(data)
    for path, change in _changes(data):
        span = _record_horizon(data, horizon) if _of_record(data, path) else horizon
        _check_date(log, (*path, "from"), change.get("from", change.get("from_")), span,
                    "'from' date")
        _check_date(log, (*path, "until"), change.get("until"), span, "'until' date",
                    open_end=True)
        factor = change.get("scale")
        if isinstance(factor, str):
            _check_scale_parameter(log, (*path, "scale"), data, table, factor)
        target = change.get("param")
        if not isinstance(target, str):
            continue
        if target not in params and not (target in table and table[target].is_default):
            log.add((*path, "param"), (f"unknown parameter {short(target)}; expected a "
                                       f"parameter of the scenario{suggest(target, params)}"))
            continue
        entry = table.get(target)
        if entry is None:
            continue  # its own unit or its schema is wrong, and reported
        if complete and target in probabilities and target not in readers:
            log.add((*path, "param"), (
                f"'{target}' is read only as the probability of an event, which is drawn "
                "once for each sample: a change to it would do nothing. To cancel an event "
                "or change its probability under a policy, use the policy's 'cancel' or "
                "'chances'"))
            continue
        unit = change.get("unit") if isinstance(change.get("unit"), str) else None
        value, scale = _number_read(change.get("value")), _number_read(change.get("scale"))
        if target in channel_params and target in readers:
            _check_channel_change(log, path, target, channel_params[target], value, scale)
        elif value is not None:
            _check_value(log, path, entry, value, unit)
        elif scale is not None and entry.spec is not None:
            _check_scale(log, path, entry, scale)
        elif isinstance(factor, str) and entry.spec is not None \
                and (by := table.get(factor)) is not None and by.spec is None:
            # the factor's whole range must keep the parameter admissible
            for _, v in by.distribution.bounds():
                if math.isfinite(v) and v >= 0.0:
                    _check_scale(log, path, entry, v * by.factor)


# --------------------------------------------------------------------------- levers
def _check_levers(log: ProblemLog, data: Mapping[str, Any], table: ParameterTable) -> None:
    """Check each lever: it names a parameter, its unit converts, its range is admissible.

    A lever's range (in its own unit) must lie within the parameter's admissible bounds and
    hold the parameter's central value, where the dashboard's control starts.
    """
    params = _mapping(data.get("parameters"))
    for name, raw in _mapping(data.get("levers")).items():
        if not isinstance(raw, Mapping):
            continue
        path: FieldPath = ("levers", name)
        if name not in params and name not in table:  # a default counts as stated
            log.add(path, f"unknown parameter '{name}': a lever names a parameter of the "
                          f"scenario{suggest(name, [*params, *table])}", at="key")
            continue
        entry = table.get(name)
        unit = raw.get("unit")
        if entry is None or not isinstance(unit, str) or not unit.strip():
            continue  # the parameter's own unit or the lever's schema is wrong, and reported
        try:
            shown = entry.factor_to(unit)
        except UnitError as exc:
            log.add((*path, "unit"), f"{exc}; a lever is in a unit of what its parameter "
                                     f"measures ('{name}' is in {entry.unit})")
            continue
        bounds = {k: v for k in ("low", "high")
                  if (v := as_number(raw.get(k))) is not None and math.isfinite(v)}
        for key, v in bounds.items():
            c = v / shown * entry.factor
            if not _outside(entry, c):
                continue
            found = f"{_fmt(v)} {unit}"
            if (c, entry.canonical) != (v, unit):
                found += f" (= {_fmt(c)} {entry.canonical})"
            log.add((*path, key), f"expected a value in {_range_text(entry)} for '{name}', "
                                  f"found {found}")
        low, high = bounds.get("low"), bounds.get("high")
        if low is None or high is None or not low < high:
            continue
        start = entry.distribution.central() * shown
        if not low <= start <= high:
            log.add(path, f"the range [{_fmt(low)}, {_fmt(high)}] {unit} leaves out the "
                          f"central value of '{name}', {_fmt(start)} {unit}, where the "
                          "control starts", at="key")


# --------------------------------------------------------------------------- look-ahead
def _valid(model: type[Knowledge] | type[Reference], raw: Any) -> Any:
    """Return ``raw`` as ``model``, or None when the schema refuses it (and reports why)."""
    try:
        return model.model_validate(raw)
    except (ValidationError, ValueError, TypeError):
        return None


def _check_lookahead(log: ProblemLog, data: Mapping[str, Any], scenario: Scenario | None,
                     facts: FactTable) -> tuple[Hindsight, ...]:
    """Check what the parameters cite against the scenario's ``knowledge``, at the fields."""
    start: dt.date | None
    if scenario is not None:
        knowledge, start = scenario.knowledge, scenario.time.start
        references: Mapping[str, Reference | None] = scenario.sources
        parameters = scenario.parameters
    else:
        raw = data.get("knowledge")
        knowledge = _valid(Knowledge, raw) if raw is not None else None
        start = as_date(_mapping(data.get("time")).get("start"))
        references = {str(k): _valid(Reference, v)
                      for k, v in _mapping(data.get("sources")).items()}
        parameters = _valid_parameters(data)
    found = check_parts(knowledge, start, references, parameters, facts=facts)
    for path, message, at in found.problems:
        log.add(path, message, at=at)
    return found.hindsight


# --------------------------------------------------------------------------- all of it
def _module_checks(log: ProblemLog, scenario: Scenario, table: ParameterTable,
                   enabled: Mapping[str, Module]) -> None:
    """Run the cross-parameter checks of the enabled modules (e.g. weights summing to 1).

    The checks see every parameter the file states and those it leaves out at their
    default.
    """
    values = {name: par.distribution for name, par in scenario.parameters.items()}
    values.update((name, table[name].distribution) for name in table.defaults)
    for module in enabled.values():
        if module.check is None:
            continue
        for dotted_path, message in module.check(values):
            # "parameters.<name>": a parameter's name may itself hold a dot (owner.base)
            head, _, rest = dotted_path.partition(".")
            path = (head, rest) if head == "parameters" and rest else \
                tuple(dotted_path.split("."))
            log.add(path, message)


def check_meaning(log: ProblemLog, data: Mapping[str, Any], scenario: Scenario | None,
                  registry: Mapping[str, Module] | None, facts: FactTable | None = None,
                  ) -> tuple[ParameterTable, tuple[Hindsight, ...]]:
    """Check what the schema cannot, on the parameter table, and report through ``log``.

    Parameters
    ----------
    log : ProblemLog
        Where problems go, located in the file.
    data : mapping
        The file's data.
    scenario : Scenario or None
        The scenario, when the data passed the schema (then the modules' own checks run).
    registry : mapping of str to Module or None
        The module registry; None: the modules of :mod:`detente.model`.
    facts : FactTable, optional
        The facts table that ``fact:KEY`` names (default: the bundled one).

    Returns
    -------
    table : ParameterTable
        The table of the parameters that passed the schema and whose units convert.
    hindsight : tuple of Hindsight
        The entries of ``knowledge.later`` that let a breach of look-ahead through.
    """
    facts = facts if facts is not None else bundled_facts()
    _check_cast(log, data)
    _check_step_days(log, data)
    cast = _cast(data, scenario)
    enabled, complete = _resolve(log, data, registry, cast)
    parameters = scenario.parameters if scenario is not None else _valid_parameters(data)
    table = ParameterTable.build(parameters, enabled.values(),
                                 probabilities=_probabilities(data),
                                 scales=_scales(data), strict=False)
    horizon = _horizon(data)
    readers = _readers(enabled)
    _check_parameters(log, data, table, enabled, complete, registry, cast, facts)
    if "military" in enabled:
        _check_territory(log, table, cast)
    _check_events(log, data, table, readers, horizon)
    _check_policy_chances(log, data, table, readers)
    _check_changes(log, data, table, horizon, readers, complete)
    _check_levers(log, data, table)
    variables = ({v.name for mod in enabled.values() for v in mod.variables}
                 if complete else None)
    check_claims(data, log.add, variables=variables, horizon=horizon)
    if scenario is not None:
        _module_checks(log, scenario, table, enabled)
    return table, _check_lookahead(log, data, scenario, facts)
