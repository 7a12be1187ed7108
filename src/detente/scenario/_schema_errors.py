"""Schema problems: pydantic's validation errors as located messages about the file.

pydantic reports where in the *model* a value failed; :func:`schema_problems` maps each
location back onto the file (inline distributions and the claims' tagged unions sit
differently in the two), finds its line, and words the message for a file's author: what
was expected, what was found, and a did-you-mean for a misspelt key.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from detente.errors import Problem
from detente.scenario import schema
from detente.scenario._claims import allowed_keys as claim_keys
from detente.scenario._paths import MISSING, FieldPath, Key, child, dotted, get, short, suggest
from detente.scenario._positions import At, SourceMap, line_column
from detente.scenario.actors import actor_keys
from detente.scenario.schema import DIST_KINDS, DIST_MODELS, Scenario, file_keys

__all__ = ["schema_problems"]


_PARAM_OWN = ["value", "dist", "unit", "source", "note", "as_of"]


def _param_keys(raw: Any) -> list[str]:
    kind = raw.get("dist") if isinstance(raw, Mapping) else None
    if isinstance(kind, str) and kind in DIST_MODELS:
        extra = [k for k in file_keys(DIST_MODELS[kind]) if k != "dist"]
        return ["dist", *extra, "unit", "source", "note", "as_of"]
    return _PARAM_OWN


def _allowed_keys(path: FieldPath, data: Any) -> list[str] | None:
    """List the keys valid in the mapping at ``path`` of the file."""
    p = tuple("#" if isinstance(x, int) else x for x in path)
    n = len(p)
    if n == 0:
        return file_keys(Scenario)
    head = p[0]
    if p == ("time",):
        return file_keys(schema.TimeSpec)
    if n == 2 and head == "sides":
        return file_keys(schema.Side)
    if n == 2 and head == "supporters":
        return file_keys(schema.Supporter)
    if n == 2 and head == "channels":
        return file_keys(schema.ChannelDecl)
    if n == 2 and head == "issues":
        return file_keys(schema.IssueDecl)
    if n == 2 and head == "parameters":
        return _param_keys(get(data, path))
    if n == 2 and head == "levers":
        return file_keys(schema.Lever)
    if n == 2 and head in ("events", "policies"):
        return file_keys(schema.Event if head == "events" else schema.Policy)
    if n == 4 and head == "policies" and p[2] == "events":
        return file_keys(schema.Event)
    if n == 4 and head == "policies" and p[2] == "chances":
        return file_keys(schema.EventChance)
    if (n == 4 and p[2] == "changes") or (n == 6 and p[2] == "events" and p[4] == "changes"):
        return file_keys(schema.Change)
    if head == "claims":
        return claim_keys(p, path, data)
    if head == "actors":
        return actor_keys(p)
    return None


def _file_path(loc: tuple[Key, ...], data: Any) -> tuple[FieldPath, bool]:
    """Map a pydantic error location to the path in the file; also say if it names a key."""
    out: list[Key] = []
    cur = data
    i = 0
    at_key = False
    while i < len(loc):
        el = loc[i]
        if el == "[key]":
            at_key = True
            break
        lifted = (len(out) == 2 and out[0] == "parameters" and el == "dist"
                  and isinstance(cur, Mapping) and isinstance(cur.get("dist"), str))
        if lifted and i + 1 < len(loc) and loc[i + 1] == cur["dist"]:
            i += 2  # inline distribution: its fields sit in the parameter itself
            continue
        if (out[:1] == ["claims"] and isinstance(cur, Mapping) and el == cur.get("kind")
                and el in schema.TEST_KINDS):
            i += 1  # a claim test's tagged union: the tag is not a field of the file
            continue
        out.append(el)
        cur = child(cur, el)
        i += 1
    return tuple(out), at_key


_PATTERN_HELP = {
    schema.IDENT_RE: "a name of lower-case letters, digits and '_', starting with a letter",
    schema.PARAM_RE: "a parameter name: lower-case letters, digits and '_', starting with a "
                     "letter, or owner.name for a side's or supporter's own (e.g. "
                     "blue.personnel0)",
    schema.NAME_RE: "a name of lower-case letters, digits, '-' and '_', starting with a letter",
}
_BOUNDS = {"greater_than": ("gt", ">"), "greater_than_equal": ("ge", ">="),
           "less_than": ("lt", "<"), "less_than_equal": ("le", "<=")}


_MAX_FLOAT = sys.float_info.max
_LOG10_2 = math.log10(2)


def _too_large(value: Any) -> bool:
    """Whether ``value`` is an integer no float can hold (309 digits or more)."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and abs(value) > _MAX_FLOAT)


def _schema_message(err: ErrorDetails, fpath: FieldPath, data: Any, smap: SourceMap) -> str:
    typ = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    raw = smap.raw(fpath)
    found = short(value) if raw is None or not isinstance(value, bool | int | float) else raw
    last = fpath[-1] if fpath else ""
    if _too_large(value):
        digits = int(value.bit_length() * _LOG10_2) + 1
        return (f"expected a number of at most {_MAX_FLOAT:.3g} in size, found an integer of "
                f"about {digits} digits")
    if typ == "missing":
        return f"missing required key '{last}'"
    if typ == "extra_forbidden":
        allowed = _allowed_keys(fpath[:-1], data) or []
        listing = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key '{last}'{listing}{suggest(last, allowed)}"
    if typ in ("union_tag_invalid", "union_tag_not_found") and fpath[:1] == ("claims",):
        kinds = ", ".join(schema.TEST_KINDS)
        if typ == "union_tag_not_found":
            return f"missing required key 'kind' of the test; expected one of: {kinds}"
        tag = ctx.get("tag")
        hint = suggest(tag, schema.TEST_KINDS)
        return f"unknown test kind '{tag}'; expected one of: {kinds}{hint}"
    if typ == "union_tag_invalid":
        tag = ctx.get("tag")
        return (f"unknown distribution '{tag}'; expected one of: {', '.join(DIST_KINDS)}"
                f"{suggest(tag, DIST_KINDS)}")
    if last == "dist" and typ in ("model_attributes_type", "model_type", "dict_type",
                                  "union_tag_not_found"):
        return f"expected a distribution name (one of: {', '.join(DIST_KINDS)}), found {found}"
    if typ in ("model_attributes_type", "model_type", "dict_type"):
        return f"expected a mapping (key: value lines), found {found}"
    if typ in ("list_type", "tuple_type", "sequence_str"):
        return f"expected a list, found {found}"
    if typ in ("float_parsing", "float_type"):
        return f"expected a number, found {found}"
    if typ in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return f"expected a whole number, found {found}"
    if typ == "finite_number":
        return f"expected a finite number, found {found}"
    if typ == "string_type":
        hint = ""
        if isinstance(value, bool) and raw is not None:
            hint = f" (YAML reads {raw} as {short(value)}; quote it: '{raw}')"
        return f"expected text, found {found}{hint}"
    if typ.startswith(("date", "datetime")):
        detail = ctx.get("error")
        return (f"expected a date YYYY-MM-DD, found {found}"
                + (f" ({detail})" if detail else ""))
    if typ in _BOUNDS:
        key, op = _BOUNDS[typ]
        return f"expected a number {op} {ctx.get(key)}, found {found}"
    if typ == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"expected {_PATTERN_HELP.get(pattern, f'text matching {pattern}')}, found {found}"
    if typ == "string_too_short":
        return f"expected non-empty text, found {found}"
    if typ == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters, found {len(str(value))}"
    if typ == "too_short":
        want = ctx.get("min_length")
        have = ctx.get("actual_length")
        what = "entry" if want == 1 else "entries"
        return f"expected at least {want} {what}, found {have if have else 'none'}"
    if typ == "literal_error":
        return f"expected {ctx.get('expected')}, found {found}"
    if typ in ("value_error", "assertion_error"):
        msg = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return msg
    return f"{err['msg'][:1].lower()}{err['msg'][1:]}, found {found}"


def schema_problems(exc: ValidationError, data: Any, smap: SourceMap, file: str,
                    ) -> list[tuple[FieldPath, Problem]]:
    """Return each of pydantic's errors as a located problem, with its field path."""
    out: list[tuple[FieldPath, Problem]] = []
    for err in exc.errors():
        fpath, at_key = _file_path(tuple(err["loc"]), data)
        if (err["type"] == "extra_forbidden" and len(fpath) == 3 and fpath[0] == "parameters"
                and get(data, (*fpath[:2], "dist")) not in (MISSING, None)
                and not isinstance(get(data, (*fpath[:2], "dist")), str | Mapping)):
            continue  # a bad 'dist' is reported; its fields would only add noise
        if at_key and err["type"] == "string_pattern_mismatch":
            pattern = str((err.get("ctx") or {}).get("pattern", ""))
            msg = (f"invalid name '{fpath[-1]}': expected "
                   f"{_PATTERN_HELP.get(pattern, f'text matching {pattern}')}")
        else:
            msg = _schema_message(err, fpath, data, smap)
        at: At = "key" if at_key or err["type"] in ("extra_forbidden", "missing") else "auto"
        pos = smap.where(fpath, at=at)
        out.append((fpath, Problem(file, *line_column(pos), dotted(fpath), msg)))
    return out

