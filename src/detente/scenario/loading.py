"""Loading scenario files, with every problem reported at once and located in the file.

:func:`load_scenario` reads a built-in scenario by name, or a ``.yaml``/``.yml``/``.toml``
file, and returns a validated :class:`~detente.scenario.schema.Scenario`. Anything wrong
with the input raises :class:`~detente.errors.ScenarioError`, whose ``problems`` list every
fault found, each with ``file:line:column``, the dotted path of the field, what was expected
and what was found (with a did-you-mean for misspelt names). No other exception escapes for
a bad file.

Checking runs in three layers:

1. reading: size limit, UTF-8, YAML/TOML syntax, tabs, unsupported YAML tags, duplicate
   keys, alias bombs, recursion (a fault here that leaves no data stops the check);
2. the schema: the pydantic model, whose error locations are mapped back onto the file;
3. meaning (:func:`validate_scenario`): modules, parameters against the modules'
   :class:`~detente.model.base.ParamSpec` (presence, units, bounds), sources, events,
   policy changes and dates against the horizon.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import difflib
import io
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from detente.errors import Problem, ScenarioError, UnitError
from detente.model.base import Module, ParamSpec
from detente.scenario import schema
from detente.scenario.schema import DIST_KINDS, Scenario
from detente.scenario.units import conversion_factor

__all__ = [
    "MAX_BYTES", "SUFFIXES", "SourceMap", "fact_keys", "json_schema", "load_scenario",
    "read_scenario_file", "validate_scenario",
]

#: Largest scenario file accepted, in bytes.
MAX_BYTES = 5 * 1024 * 1024
#: Most values a YAML file may expand to (guards against alias bombs).
MAX_VALUES = 200_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 50
#: Most missing parameters of one module listed one by one; more are summed up.
MAX_MISSING_LISTED = 5
#: Most problems listed; the rest are counted.
MAX_PROBLEMS = 200
#: File suffixes and their formats.
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}

Key = str | int
FieldPath = tuple[Key, ...]
Position = tuple[int, int]
_MISSING: Any = object()
_YAML_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_TOP_KEYS = "name, title, time, modules, parameters, policies"


# --------------------------------------------------------------------------- positions
@dataclass
class _Spot:
    key: Position | None
    value: Position | None
    raw: str | None = None


class SourceMap:
    """Where each field of a scenario file is written.

    Positions are 1-based ``(line, column)`` pairs, keyed by the field's path in the file
    (mapping keys and list indices), e.g. ``("parameters", "ua_recruitment", "high")``.
    """

    def __init__(self) -> None:
        self._spots: dict[FieldPath, _Spot] = {}

    def add(self, path: FieldPath, *, key: Position | None = None,
            value: Position | None = None, raw: str | None = None) -> None:
        """Record the position of the key and of the value of field ``path``."""
        old = self._spots.get(path)
        if old is None:
            self._spots[path] = _Spot(key, value, raw)
        else:
            self._spots[path] = _Spot(key or old.key, value or old.value,
                                      raw if raw is not None else old.raw)

    def raw(self, path: FieldPath) -> str | None:
        """Return the text of a scalar as written, when known."""
        spot = self._spots.get(path)
        return spot.raw if spot else None

    def where(self, path: FieldPath, *, at: str = "auto") -> Position | None:
        """Position of field ``path``, or of its nearest written ancestor.

        Parameters
        ----------
        path : tuple
            Field path in the file.
        at : {"auto", "key", "value"}
            ``"key"`` points at the key, ``"value"`` at the value; ``"auto"`` points at the
            value of a scalar and at the key of a mapping or list.

        Returns
        -------
        tuple of int or None
            ``(line, column)``, or None when nothing on the path is known.
        """
        spot = self._spots.get(path)
        if spot is not None:
            if at == "key" or (at == "auto" and spot.raw is None):
                return spot.key or spot.value
            return spot.value or spot.key
        for n in range(len(path) - 1, -1, -1):
            spot = self._spots.get(path[:n])
            if spot is not None:
                return spot.key or spot.value
        no_index = tuple(p for p in path if not isinstance(p, int))
        if no_index != path:
            return self.where(no_index, at=at)
        return None


class _AbortError(Exception):
    """A fault that leaves nothing further to check."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems


def _at(pos: Position | None) -> tuple[int | None, int | None]:
    return pos if pos is not None else (None, None)


def _dotted(path: Iterable[Key]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _suggest(word: object, candidates: Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    best = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{best[0]}'?" if best else ""


def _short(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 50 else value[:47] + "..."
        return repr(text)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x)


def _date(x: Any) -> dt.date | None:
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, str):
        try:
            return dt.date.fromisoformat(x.strip())
        except ValueError:
            return None
    return None


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# --------------------------------------------------------------------------- reading
def _read_bytes(path: Path, file: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _AbortError([Problem(file, None, None, "", (
                f"file is {size / 1e6:.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit "
                "for scenario files; is it the right file?"))])
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _AbortError([Problem(file, None, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise _AbortError([Problem(file, None, None, "",
                                   "expected a file, found a folder")]) from None
    except OSError as exc:
        raise _AbortError([Problem(file, None, None, "",
                              f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(data) > MAX_BYTES:
        raise _AbortError([Problem(file, None, None, "", (
            f"file is over the {MAX_BYTES // (1024 * 1024)} MB limit for scenario files"))])
    return data


def _decode(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start:exc.start + 1].hex()
        raise _AbortError([Problem(file, line, col, "", (
            f"expected UTF-8 text, found byte 0x{bad} that is not UTF-8; "
            "save the file as UTF-8"))]) from None
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#")
                               for ln in text.splitlines()):
        raise _AbortError([Problem(file, None, None, "", (
            f"file is empty; expected a mapping with keys {_TOP_KEYS}"))])
    return text


class _YamlBuilder:
    """Build plain data from a PyYAML node graph, recording positions and faults."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.smap = SourceMap()
        self.problems: list[Problem] = []
        self.bad: list[FieldPath] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1,
                                     node.start_mark.column + 1, _dotted(path), message))
        self.bad.append(path)

    @staticmethod
    def _pos(node: yaml.Node) -> Position:
        return node.start_mark.line + 1, node.start_mark.column + 1

    @staticmethod
    def _tag(node: yaml.Node) -> str:
        tag = str(node.tag)
        return "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag

    def _unsupported(self, node: yaml.Node, path: FieldPath) -> None:
        self.problem(node, path, (
            f"unsupported YAML tag '{self._tag(node)}'; scenario files hold only plain "
            "values (text, numbers, dates, true/false, lists and mappings)"))

    def build(self, node: yaml.Node, path: FieldPath, stack: tuple[int, ...] = ()) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _AbortError([Problem(self.file, *self._pos(node), _dotted(path), (
                f"the file expands to more than {MAX_VALUES} values; aliases (*name) that "
                "repeat large blocks are not allowed"))])
        if len(stack) > MAX_DEPTH:
            raise _AbortError([Problem(self.file, *self._pos(node), _dotted(path), (
                f"expected at most {MAX_DEPTH} levels of nesting, found more"))])
        if id(node) in stack:
            self.problem(node, path, "recursive alias: a mapping or list that contains itself")
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                self._unsupported(node, path)
                return None
            try:
                return self.constructor.construct_object(node, deep=True)
            except Exception:  # e.g. a timestamp with month 13: let the schema report it
                return str(node.value)
        inner = (*stack, id(node))
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _YAML_TAG + "seq":
                self._unsupported(node, path)
                return None
            out: list[Any] = []
            for i, item in enumerate(node.value):
                self._record((*path, i), None, item)
                out.append(self.build(item, (*path, i), inner))
            return out
        if isinstance(node, yaml.MappingNode):
            if node.tag != _YAML_TAG + "map":
                self._unsupported(node, path)
                return None
            return self._mapping(node, path, inner)
        self.problem(node, path, "unsupported YAML node")  # pragma: no cover
        return None

    def _record(self, path: FieldPath, key: yaml.Node | None, value: yaml.Node) -> None:
        raw = str(value.value) if isinstance(value, yaml.ScalarNode) else None
        self.smap.add(path, key=self._pos(key) if key is not None else None,
                      value=self._pos(value), raw=raw)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath,
                 stack: tuple[int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _YAML_TAG + "merge":
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                self.problem(key_node, path, f"expected a name as key, found {kind}")
                continue
            if key_node.tag not in _SCALAR_TAGS:
                self._unsupported(key_node, path)
                continue
            key = str(key_node.value)
            if key in first:
                self.problem(key_node, (*path, key), (
                    f"duplicate key '{key}' (first at line {first[key]}); "
                    "YAML would silently keep only the last one"))
                continue
            first[key] = key_node.start_mark.line + 1
            self._record((*path, key), key_node, value_node)
            out[key] = self.build(value_node, (*path, key), stack)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                if not isinstance(src, yaml.MappingNode):
                    self.problem(src, path, "expected a mapping or list of mappings after '<<'")
                    continue
                merged = self._mapping(src, path, (*stack, id(src)))
                for k, v in merged.items():
                    out.setdefault(k, v)
        return out


def _yaml_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        line, col = mark.line + 1, mark.column + 1
        index = mark.index
        if (0 <= index < len(text) and text[index] == "\t") or "'\\t'" in str(exc.problem):
            return Problem(file, line, col, "", (
                "YAML syntax error: found a tab; YAML indents with spaces only, "
                "replace the tabs with spaces"))
        what = exc.problem or "invalid YAML"
        if 0 <= index < len(text) and text[index] in "%@`" and "cannot start" in what:
            what += f"; quote the value: '{text[index]}...'"
        ctx = ""
        if exc.context:
            ctx = f" ({exc.context}"
            if exc.context_mark is not None and exc.context_mark.line != mark.line:
                ctx += f" at line {exc.context_mark.line + 1}"
            ctx += ")"
        return Problem(file, line, col, "", f"YAML syntax error: {what}{ctx}")
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return Problem(file, line, col, "", (
            f"expected printable text, found the control character {exc.character!r}"))
    return Problem(file, None, None, "", f"YAML error: {exc}")


def _load_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Problem], list[FieldPath]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _AbortError([_yaml_problem(exc, text, file)]) from None
    except RecursionError:
        raise _AbortError([Problem(file, None, None, "", (
            "expected at most a few levels of nesting, found so many that the YAML parser "
            "gave up"))]) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _YAML_TAG + "null"
                        and not node.value):
        raise _AbortError([Problem(file, None, None, "", (
            f"file is empty; expected a mapping with keys {_TOP_KEYS}"))])
    builder = _YamlBuilder(file)
    builder.smap.add((), value=builder._pos(node))
    try:
        data = builder.build(node, ())
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops us first
        raise _AbortError([Problem(file, None, None, "", "nesting too deep")]) from None
    return data, builder.smap, builder.problems, builder.bad


# --------------------------------------------------------------------------- TOML
_TOML_ERR_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _load_toml(text: str, file: str) -> tuple[Any, SourceMap]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_ERR_RE.search(msg)
        line = int(m.group(1)) if m else None
        col = int(m.group(2)) if m else None
        msg = _TOML_ERR_RE.sub("", msg).replace(" (at end of document)", " at the end")
        raise _AbortError([Problem(file, line, col, "", f"TOML syntax error: {msg}")]) from None
    except RecursionError:
        raise _AbortError([Problem(file, None, None, "", "nesting too deep")]) from None
    try:
        smap = _TomlMapper(text).run()
    except Exception:  # best effort: positions are a convenience
        smap = SourceMap()
    return data, smap


class _TomlMapper:
    """Find the line of each key in a valid TOML document (best effort)."""

    _BARE = re.compile(r"[A-Za-z0-9_\-]+")

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.smap = SourceMap()
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.arrays: dict[FieldPath, int] = {}

    def pos(self, i: int) -> Position:
        line = bisect.bisect_right(self.starts, i)
        return line, i - self.starts[line - 1] + 1

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def skip(self, newlines: bool) -> None:
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#":
                while self.i < len(self.text) and self.text[self.i] != "\n":
                    self.i += 1
            else:
                return

    def string(self) -> str:
        t = self.text
        for q in ('"""', "'''"):
            if t.startswith(q, self.i):
                end = t.index(q, self.i + 3)
                while t.startswith(q[0], end + 3):
                    end += 1
                self.i = end + 3
                return ""
        q = t[self.i]
        j = self.i + 1
        while t[j] != q:
            j += 2 if (q == '"' and t[j] == "\\") else 1
        s = t[self.i + 1:j]
        self.i = j + 1
        return s

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip(False)
            if self.peek() in "\"'":
                parts.append(self.string())
            else:
                m = self._BARE.match(self.text, self.i)
                if not m:
                    raise ValueError("no key")
                parts.append(m.group())
                self.i = m.end()
            self.skip(False)
            if self.peek() != ".":
                return parts
            self.i += 1

    def value(self, path: FieldPath) -> None:
        self.skip(False)
        c = self.peek()
        if c == "{":
            self.i += 1
            while True:
                self.skip(False)
                if self.peek() == "}":
                    self.i += 1
                    return
                start = self.i
                sub = path + tuple(self.key())
                self.skip(False)
                self.i += 1  # '='
                self.skip(False)
                self.smap.add(sub, key=self.pos(start), value=self.pos(self.i))
                self.value(sub)
                self.skip(False)
                if self.peek() == ",":
                    self.i += 1
        elif c == "[":
            self.i += 1
            k = 0
            while True:
                self.skip(True)
                if self.peek() == "]":
                    self.i += 1
                    return
                self.smap.add((*path, k), value=self.pos(self.i))
                self.value((*path, k))
                self.skip(True)
                if self.peek() == ",":
                    self.i += 1
                    k += 1
        elif c in "\"'":
            self.string()
        else:
            m = re.compile(r"[^,\]}\n#]*").match(self.text, self.i)
            assert m is not None
            self.i = m.end()

    def run(self) -> SourceMap:
        table: FieldPath = ()
        while True:
            self.skip(True)
            if self.i >= len(self.text):
                return self.smap
            start = self.i
            if self.peek() == "[":
                aot = self.text.startswith("[[", self.i)
                self.i += 2 if aot else 1
                name = tuple(self.key())
                self.i += 2 if aot else 1
                if aot:
                    index = self.arrays.get(name, -1) + 1
                    self.arrays[name] = index
                    self.smap.add(name, key=self.pos(start))
                    table = (*name, index)
                else:
                    table = name
                self.smap.add(table, key=self.pos(start))
                continue
            path = table + tuple(self.key())
            self.skip(False)
            self.i += 1  # '='
            self.skip(False)
            self.smap.add(path, key=self.pos(start), value=self.pos(self.i))
            self.value(path)


# --------------------------------------------------------------------------- reading files
def read_scenario_file(path: str | os.PathLike[str], *, file: str | None = None,
                       ) -> tuple[Any, SourceMap, list[Problem], list[FieldPath]]:
    """Read a YAML or TOML scenario file into plain data, with positions.

    Parameters
    ----------
    path : str or path-like
        The file.
    file : str, optional
        Name to use in problems (default: ``path`` as given).

    Returns
    -------
    data : Any
        The file's content as plain Python data (mappings, lists, scalars).
    source_map : SourceMap
        Where each field is written.
    problems : list of Problem
        Faults found while reading that left data to check further (unsupported tags,
        duplicate keys).
    bad_paths : list of tuple
        Field paths already reported, so later layers can skip them.

    Raises
    ------
    ScenarioError
        If the file cannot be read or parsed at all.
    """
    p = Path(path)
    name = str(path) if file is None else file
    try:
        fmt = SUFFIXES.get(p.suffix.lower())
        if fmt is None:
            raise _AbortError([Problem(name, None, None, "", (
                f"expected a .yaml, .yml or .toml file, found '{p.suffix or 'no suffix'}'"))])
        text = _decode(_read_bytes(p, name), name)
        if fmt == "toml":
            data, smap = _load_toml(text, name)
            return data, smap, [], []
        return _load_yaml(text, name)
    except _AbortError as abort:
        raise ScenarioError(abort.problems) from None


# --------------------------------------------------------------------------- schema errors
def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or k for k, f in model.model_fields.items()]


_DIST_MODELS: dict[str, type[BaseModel]] = {
    "uniform": schema.Uniform, "triangular": schema.Triangular, "pert": schema.Pert,
    "truncnormal": schema.TruncNormal, "lognormal": schema.LogNormal,
}
_PARAM_OWN = ["value", "dist", "unit", "source", "note"]


def _param_keys(raw: Any) -> list[str]:
    kind = raw.get("dist") if isinstance(raw, Mapping) else None
    if isinstance(kind, str) and kind in _DIST_MODELS:
        extra = [k for k in _fields(_DIST_MODELS[kind]) if k != "dist"]
        return ["dist", *extra, "unit", "source", "note"]
    return _PARAM_OWN


def _allowed_keys(path: FieldPath, data: Any) -> list[str] | None:
    """List the keys valid in the mapping at ``path`` of the file."""
    p = tuple("#" if isinstance(x, int) else x for x in path)
    n = len(p)
    if n == 0:
        return _fields(Scenario)
    head = p[0]
    if p == ("time",):
        return _fields(schema.TimeSpec)
    if n == 2 and head == "sides":
        return _fields(schema.Side)
    if n == 2 and head == "parameters":
        return _param_keys(_get(data, path))
    if n == 2 and head in ("events", "policies"):
        return _fields(schema.Event if head == "events" else schema.Policy)
    if n == 4 and head == "policies" and p[2] == "events":
        return _fields(schema.Event)
    if (n == 4 and p[2] == "changes") or (n == 6 and p[2] == "events" and p[4] == "changes"):
        return _fields(schema.Change)
    if head == "claims":
        from detente.scenario._claims import allowed_keys

        return allowed_keys(p, path, data)
    return None


def _get(data: Any, path: FieldPath) -> Any:
    cur = data
    for k in path:
        cur = _child(cur, k)
    return cur


def _child(cur: Any, k: Key) -> Any:
    if isinstance(cur, Mapping) and k in cur:
        return cur[k]
    if isinstance(cur, list) and isinstance(k, int) and 0 <= k < len(cur):
        return cur[k]
    return _MISSING


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
        cur = _child(cur, el)
        i += 1
    return tuple(out), at_key


_PATTERN_HELP = {
    schema.IDENT_RE: "a name of lower-case letters, digits and '_', starting with a letter",
    schema.NAME_RE: "a name of lower-case letters, digits, '-' and '_', starting with a letter",
}
_BOUNDS = {"greater_than": ("gt", ">"), "greater_than_equal": ("ge", ">="),
           "less_than": ("lt", "<"), "less_than_equal": ("le", "<=")}


def _schema_message(err: ErrorDetails, fpath: FieldPath, data: Any, smap: SourceMap) -> str:
    typ = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    raw = smap.raw(fpath)
    found = _short(value) if raw is None or not isinstance(value, bool | int | float) else raw
    last = fpath[-1] if fpath else ""
    if typ == "missing":
        return f"missing required key '{last}'"
    if typ == "extra_forbidden":
        allowed = _allowed_keys(fpath[:-1], data) or []
        listing = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key '{last}'{listing}{_suggest(last, allowed)}"
    if typ in ("union_tag_invalid", "union_tag_not_found") and fpath[:1] == ("claims",):
        kinds = ", ".join(schema.TEST_KINDS)
        if typ == "union_tag_not_found":
            return f"missing required key 'kind' of the test; expected one of: {kinds}"
        tag = ctx.get("tag")
        hint = _suggest(tag, schema.TEST_KINDS)
        return f"unknown test kind '{tag}'; expected one of: {kinds}{hint}"
    if typ == "union_tag_invalid":
        tag = ctx.get("tag")
        return (f"unknown distribution '{tag}'; expected one of: {', '.join(DIST_KINDS)}"
                f"{_suggest(tag, DIST_KINDS)}")
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
            hint = f" (YAML reads {raw} as {_short(value)}; quote it: '{raw}')"
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
        return f"expected at least {ctx.get('min_length')} entry, found none"
    if typ == "literal_error":
        return f"expected {ctx.get('expected')}, found {found}"
    if typ in ("value_error", "assertion_error"):
        msg = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return msg
    return f"{err['msg'][:1].lower()}{err['msg'][1:]}, found {found}"


def _schema_problems(exc: ValidationError, data: Any, smap: SourceMap, file: str,
                     ) -> list[tuple[FieldPath, Problem]]:
    out: list[tuple[FieldPath, Problem]] = []
    for err in exc.errors():
        fpath, at_key = _file_path(tuple(err["loc"]), data)
        if (err["type"] == "extra_forbidden" and len(fpath) == 3 and fpath[0] == "parameters"
                and _get(data, (*fpath[:2], "dist")) not in (_MISSING, None)
                and not isinstance(_get(data, (*fpath[:2], "dist")), str | Mapping)):
            continue  # a bad 'dist' is reported; its fields would only add noise
        if at_key and err["type"] == "string_pattern_mismatch":
            pattern = str((err.get("ctx") or {}).get("pattern", ""))
            msg = (f"invalid name '{fpath[-1]}': expected "
                   f"{_PATTERN_HELP.get(pattern, f'text matching {pattern}')}")
        else:
            msg = _schema_message(err, fpath, data, smap)
        at = "key" if at_key or err["type"] in ("extra_forbidden", "missing") else "auto"
        pos = smap.where(fpath, at=at)
        out.append((fpath, Problem(file, *_at(pos), _dotted(fpath), msg)))
    return out


# --------------------------------------------------------------------------- semantic checks
@lru_cache(maxsize=1)
def fact_keys() -> frozenset[str]:
    """Return the keys of the shared facts table (``data/facts-2023.csv``)."""
    text = resources.files("detente").joinpath("data/facts-2023.csv").read_text("utf-8")
    return frozenset(row["key"] for row in csv.DictReader(io.StringIO(text)) if row.get("key"))


@dataclass
class _Ctx:
    data: Mapping[str, Any]
    smap: SourceMap
    file: str
    problems: list[tuple[FieldPath, Problem]]

    def add(self, path: FieldPath, message: str, *, at: str = "auto") -> None:
        pos = self.smap.where(path, at=at)
        self.problems.append((path, Problem(self.file, *_at(pos),
                                            _dotted(path), message)))


@dataclass(frozen=True)
class _ParamView:
    """A parameter as written, whether inline (file) or nested (model dump)."""

    value: float | None
    kind: str | None
    fields: Mapping[str, Any]
    prefix: FieldPath
    unit: str | None


def _param_view(name: str, raw: Any) -> _ParamView | None:
    if not isinstance(raw, Mapping):
        return None
    unit = raw.get("unit") if isinstance(raw.get("unit"), str) else None
    dist = raw.get("dist")
    base: FieldPath = ("parameters", name)
    if isinstance(dist, Mapping):
        kind = dist.get("dist")
        return _ParamView(None, kind if isinstance(kind, str) else None, dist,
                          (*base, "dist"), unit)
    if isinstance(dist, str):
        return _ParamView(None, dist, raw, base, unit)
    return _ParamView(_num(raw.get("value")), None, raw, base, unit)


def _support(view: _ParamView) -> list[tuple[str, float]]:
    """List the (field, value) pairs that bound a parameter's values, in its own unit."""
    if view.kind is None:
        return [("value", view.value)] if view.value is not None else []
    f = view.fields
    if view.kind in ("uniform", "triangular", "pert"):
        return [(k, v) for k in ("low", "high") if (v := _num(f.get(k))) is not None]
    if view.kind == "truncnormal":
        lo, hi = _num(f.get("low")), _num(f.get("high"))
        return [("low", -math.inf if lo is None else lo), ("high", math.inf if hi is None else hi)]
    if view.kind == "lognormal":
        return [("low", 0.0), ("high", math.inf)]
    return []


def _range_text(spec: ParamSpec) -> str:
    lo = "-inf" if spec.low is None else _fmt(spec.low)
    hi = "inf" if spec.high is None else _fmt(spec.high)
    return f"[{lo}, {hi}] {spec.unit}"


def _check_bounds(ctx: _Ctx, name: str, view: _ParamView, spec: ParamSpec, factor: float,
                  ) -> None:
    for field_name, v in _support(view):
        c = v * factor
        too_low = spec.low is not None and c < spec.low
        too_high = spec.high is not None and c > spec.high
        if not (too_low or too_high):
            continue
        written = field_name in view.fields
        path = (*view.prefix, field_name) if written else view.prefix
        if math.isinf(c):
            side = "below" if c < 0 else "above"
            what = f"a {view.kind} distribution is unbounded {side}"
            fix = ("; give it a finite 'low'/'high'" if view.kind == "truncnormal"
                   else "; use a bounded one (pert, triangular, uniform, truncnormal)")
            ctx.add(path, f"{what}, but '{name}' must lie in {_range_text(spec)}{fix}")
            continue
        shown = _fmt(v) + (f" {view.unit}" if view.unit else "")
        if factor != 1.0:
            shown += f" (= {_fmt(c)} {spec.unit})"
        ctx.add(path, f"expected a value in {_range_text(spec)}, found {shown}")


def _check_source(ctx: _Ctx, name: str, raw: Mapping[str, Any], view: _ParamView) -> None:
    src = raw.get("source")
    if not isinstance(src, str):
        return
    path: FieldPath = ("parameters", name, "source")
    s = src.strip()
    if s.startswith("fact:"):
        key = s[5:].strip()
        if key not in fact_keys():
            ctx.add(path, f"unknown fact '{key}': not a key of data/facts-2023.csv"
                          f"{_suggest(key, fact_keys())}")
    elif s.startswith("ref:"):
        key = s[4:].strip()
        sources = ctx.data.get("sources")
        keys = list(sources) if isinstance(sources, Mapping) else []
        if key not in keys:
            ctx.add(path, f"unknown reference '{key}': expected a key of 'sources'"
                          f"{_suggest(key, keys)}")
    elif s == "assumption" and view.kind is None and not str(raw.get("note") or "").strip():
        ctx.add(path, "a fixed value with source 'assumption' needs a distribution, or a "
                      "'note' saying why it is a modelling choice")


def _resolve(ctx: _Ctx, registry: Mapping[str, Module] | None,
             ) -> tuple[dict[str, Module], bool]:
    """Return the enabled modules by name, and whether every listed one resolved."""
    from detente import model

    raw = ctx.data.get("modules")
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
            ctx.add(("modules", i), f"unknown module '{name}'; expected one of: "
                                    f"{', '.join(known)}{_suggest(name, known)}")
            complete = False
            continue
        if registry is not None:
            enabled[name] = registry[name]
            continue
        try:
            enabled[name] = model.get_module(name)
        except Exception as exc:
            ctx.add(("modules", i), f"module '{name}' is not available in this installation "
                                    f"({type(exc).__name__}: {exc})")
            complete = False
    for name, mod in enabled.items():
        for req in mod.requires:
            if req not in enabled:
                ctx.add(("modules",), f"module '{name}' needs module '{req}'; "
                                      "add it to 'modules'", at="key")
    return enabled, complete


def _all_specs(registry: Mapping[str, Module] | None) -> dict[str, str]:
    """Map every parameter any known module reads to that module's name."""
    if registry is None:
        from detente import model

        try:
            registry = model.available_modules()
        except Exception:
            return {}
    return {spec.name: mod.name for mod in registry.values() for spec in mod.params}


def _horizon(data: Mapping[str, Any]) -> tuple[dt.date, dt.date] | None:
    time = data.get("time")
    if not isinstance(time, Mapping):
        return None
    start = _date(time.get("start"))
    step, steps = _num(time.get("step_days")), _num(time.get("horizon_steps"))
    if start is None or step is None or steps is None or step <= 0 or steps <= 0:
        return None
    try:
        return start, start + dt.timedelta(days=step * steps)
    except OverflowError:
        return None


def _events(data: Mapping[str, Any]) -> list[tuple[FieldPath, Mapping[str, Any]]]:
    out: list[tuple[FieldPath, Mapping[str, Any]]] = []
    events = data.get("events")
    if isinstance(events, Mapping):
        out += [(("events", k), v) for k, v in events.items() if isinstance(v, Mapping)]
    policies = data.get("policies")
    if isinstance(policies, Mapping):
        for pname, pol in policies.items():
            if isinstance(pol, Mapping) and isinstance(pol.get("events"), Mapping):
                out += [(("policies", pname, "events", k), v)
                        for k, v in pol["events"].items() if isinstance(v, Mapping)]
    return out


def _changes(data: Mapping[str, Any]) -> list[tuple[FieldPath, Mapping[str, Any]]]:
    out: list[tuple[FieldPath, Mapping[str, Any]]] = []
    owners: list[tuple[FieldPath, Any]] = [(p, e) for p, e in _events(data)]
    policies = data.get("policies")
    if isinstance(policies, Mapping):
        owners += [(("policies", k), v) for k, v in policies.items()]
    for path, owner in owners:
        changes = owner.get("changes") if isinstance(owner, Mapping) else None
        if isinstance(changes, list | tuple):
            out += [((*path, "changes", i), c) for i, c in enumerate(changes)
                    if isinstance(c, Mapping)]
    return out


def _check_date(ctx: _Ctx, path: FieldPath, value: Any, horizon: tuple[dt.date, dt.date] | None,
                what: str, *, open_end: bool = False) -> None:
    when = _date(value)
    if when is None or horizon is None:
        return
    start, end = horizon
    if when < start or (when > end and not open_end):
        span = f"on or after {start}" if open_end else f"from {start} to {end}"
        ctx.add(path, f"{what} {when} is outside the horizon; expected a date {span}")


def _probability_factor(unit: str | None) -> float | None:
    if unit is None:
        return None
    if unit.strip().lower() in ("1", "probability"):
        return 1.0
    try:
        return conversion_factor(unit, "fraction")
    except UnitError:
        return None


def _semantic(ctx: _Ctx, registry: Mapping[str, Module] | None) -> None:
    data = ctx.data
    enabled, complete = _resolve(ctx, registry)
    specs: dict[str, tuple[ParamSpec, str]] = {
        spec.name: (spec, mod.name) for mod in enabled.values() for spec in mod.params}
    params_raw = data.get("parameters")
    params: Mapping[str, Any] = params_raw if isinstance(params_raw, Mapping) else {}
    horizon = _horizon(data)
    events = _events(data)
    probabilities = {e.get("probability") for _, e in events}
    others: dict[str, str] | None = None
    factors: dict[str, float] = {}

    # parameters: known, units, bounds, sources
    for name, raw in params.items():
        view = _param_view(name, raw)
        if view is None or not isinstance(raw, Mapping):
            continue
        _check_source(ctx, name, raw, view)
        if name in specs:
            spec, mod_name = specs[name]
            if view.unit is None:
                continue
            try:
                factor = conversion_factor(view.unit, spec.unit)
            except UnitError as exc:
                ctx.add(("parameters", name, "unit"),
                        f"{exc}; module '{mod_name}' reads '{name}' in {spec.unit}")
                continue
            factors[name] = factor
            _check_bounds(ctx, name, view, spec, factor)
        elif name in probabilities:
            continue
        elif complete and params_raw is not None:
            others = _all_specs(registry) if others is None else others
            if name in others:
                ctx.add(("parameters", name), (
                    f"parameter '{name}' is read only by module '{others[name]}', which is not "
                    "in 'modules'; add the module or remove the parameter"), at="key")
            else:
                ctx.add(("parameters", name), (
                    f"unknown parameter '{name}': no enabled module reads it and no event uses "
                    f"it as a probability{_suggest(name, specs)}"), at="key")
    if isinstance(params_raw, Mapping):
        for mod_name, mod in enabled.items():
            missing = [s for s in mod.params if s.name not in params]
            if len(missing) > MAX_MISSING_LISTED:
                names = ", ".join(s.name for s in missing[:MAX_MISSING_LISTED])
                ctx.add(("parameters",), (
                    f"missing {len(missing)} parameters needed by module '{mod_name}': "
                    f"{names} and {len(missing) - MAX_MISSING_LISTED} more"), at="key")
                continue
            for spec in missing:
                ctx.add(("parameters",), (
                    f"missing parameter '{spec.name}' (in {spec.unit}), needed by module "
                    f"'{mod_name}': {spec.description}"), at="key")

    # events: dates and probabilities
    for path, event in events:
        _check_date(ctx, (*path, "date"), event.get("date"), horizon, "event date")
        _check_date(ctx, (*path, "effective"), event.get("effective"), horizon,
                    "effective date")
        prob = event.get("probability")
        if not isinstance(prob, str):
            continue
        if prob not in params:
            ctx.add((*path, "probability"), (
                f"expected the name of a parameter holding the event's probability, found "
                f"'{prob}', which is not a parameter{_suggest(prob, params)}"))
            continue
        pview = _param_view(prob, params[prob])
        if pview is None or pview.unit is None:
            continue
        pfactor = _probability_factor(pview.unit)
        if pfactor is None:
            ctx.add((*path, "probability"), (
                f"parameter '{prob}' is in '{pview.unit}'; a probability is in 'fraction', "
                "'%' or '1'"))
            continue
        for field_name, v in _support(pview):
            if not 0.0 <= v * pfactor <= 1.0:
                ctx.add((*path, "probability"), (
                    f"parameter '{prob}' must lie in [0, 1] to be a probability, found "
                    f"{field_name} {_fmt(v)} {pview.unit}"))
                break

    # changes: parameter, unit, value, scale, dates
    for path, change in _changes(data):
        _check_date(ctx, (*path, "from"), change.get("from", change.get("from_")), horizon,
                    "'from' date")
        _check_date(ctx, (*path, "until"), change.get("until"), horizon, "'until' date",
                    open_end=True)
        target = change.get("param")
        if not isinstance(target, str):
            continue
        if target not in params:
            ctx.add((*path, "param"), (f"unknown parameter '{target}'; expected a parameter "
                                       f"of the scenario{_suggest(target, params)}"))
            continue
        tview = _param_view(target, params[target])
        unit = change.get("unit") if isinstance(change.get("unit"), str) else None
        value = _num(change.get("value"))
        scale = _num(change.get("scale"))
        if target in specs:
            spec, mod_name = specs[target]
            if value is not None:
                try:
                    factor = conversion_factor(unit or (tview.unit if tview else "") or "",
                                               spec.unit)
                except UnitError as exc:
                    if unit is not None:
                        ctx.add((*path, "unit"), f"{exc}; module '{mod_name}' reads "
                                                 f"'{target}' in {spec.unit}")
                    continue
                c = value * factor
                if (spec.low is not None and c < spec.low) or (
                        spec.high is not None and c > spec.high):
                    shown = f"{_fmt(value)} {unit or (tview.unit if tview else '')}".strip()
                    if factor != 1.0:
                        shown += f" (= {_fmt(c)} {spec.unit})"
                    ctx.add((*path, "value"), f"expected a value in {_range_text(spec)} for "
                                              f"'{target}', found {shown}")
            elif scale is not None and tview is not None and target in factors:
                for field_name, v in _support(tview):
                    c = v * factors[target] * scale
                    if math.isinf(c):
                        continue
                    if (spec.low is not None and c < spec.low) or (
                            spec.high is not None and c > spec.high):
                        ctx.add((*path, "scale"), (
                            f"scaling '{target}' by {_fmt(scale)} takes its {field_name} to "
                            f"{_fmt(c)} {spec.unit}, outside {_range_text(spec)}"))
                        break
        elif unit is not None and tview is not None and tview.unit is not None:
            try:
                conversion_factor(unit, tview.unit)
            except UnitError as exc:
                ctx.add((*path, "unit"), str(exc))


    # claims: names in expressions, policies, dates
    from detente.scenario._claims import check_claims

    variables = ({v.name for mod in enabled.values() for v in mod.variables}
                 if complete else None)
    check_claims(data, ctx.add, variables=variables, horizon=horizon)


# --------------------------------------------------------------------------- public API
def _dump(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(by_alias=True, exclude_none=True)


def _module_checks(ctx: _Ctx, scenario: Scenario,
                   registry: Mapping[str, Module] | None) -> None:
    """Run the cross-parameter checks of the enabled modules (e.g. weights summing to 1)."""
    from detente import model

    for name in scenario.modules:
        try:
            module = registry[name] if registry is not None else model.get_module(name)
        except (KeyError, ImportError):
            continue  # reported by _semantic
        if module.check is None:
            continue
        for dotted, message in module.check(scenario.parameters):
            ctx.add(tuple(dotted.split(".")), message)


def _check(data: Any, smap: SourceMap, file: str, registry: Mapping[str, Module] | None,
           pre: list[Problem], bad: list[FieldPath]) -> tuple[Scenario | None, list[Problem]]:
    if not isinstance(data, Mapping):
        pos = smap.where(())
        kind = "a list" if isinstance(data, list) else _short(data)
        return None, [Problem(file, *_at(pos), "", (
            f"expected a mapping with keys {_TOP_KEYS} at the top level, found {kind}"))]
    found: list[tuple[FieldPath, Problem]] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        found += _schema_problems(exc, data, smap, file)
    except RecursionError:
        found.append(((), Problem(file, None, None, "", "nesting too deep")))
    ctx = _Ctx(data, smap, file, [])
    _semantic(ctx, registry)
    if scenario is not None:
        _module_checks(ctx, scenario, registry)
    found += ctx.problems

    problems = list(pre)
    seen = {(p.path, p.message) for p in problems}
    for path, problem in found:
        if any(path[:len(b)] == b for b in bad):
            continue
        if (problem.path, problem.message) in seen:
            continue
        seen.add((problem.path, problem.message))
        problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS],
                    Problem(file, None, None, "", f"... and {extra} more problems")]
    return (scenario if not problems else None), problems


def validate_scenario(scenario: Scenario | Mapping[str, Any], *, file: str = "<scenario>",
                      modules: Mapping[str, Module] | None = None,
                      source_map: SourceMap | None = None) -> list[Problem]:
    """Check a scenario against its schema and the model, and list every problem.

    Parameters
    ----------
    scenario : Scenario or mapping
        A validated model (then only the checks of meaning run) or raw data as read from a
        file (then the schema is checked too).
    file : str
        Name of the file, for the problems.
    modules : mapping of str to Module, optional
        The module registry; default: the modules of :mod:`detente.model`.
    source_map : SourceMap, optional
        Positions of the fields, for line numbers.

    Returns
    -------
    list of Problem
        Empty when the scenario is valid.
    """
    data = _dump(scenario) if isinstance(scenario, Scenario) else scenario
    _, problems = _check(data, source_map or SourceMap(), file, modules, [], [])
    return problems


def _resolve_source(source: str | os.PathLike[str]) -> tuple[Path, str]:
    from detente.scenario.builtin import builtin_names, builtin_path

    if isinstance(source, str):
        text = source.strip()
        looks_like_path = (Path(text).suffix.lower() in SUFFIXES or os.sep in text
                           or "/" in text)
        if text in builtin_names() and not Path(text).exists():
            path = builtin_path(text)
            return path, str(path)
        if not looks_like_path and not Path(text).exists():
            names = builtin_names()
            raise ScenarioError([Problem(text, None, None, "", (
                f"no such file or built-in scenario; built-ins: {', '.join(names) or 'none'}"
                f"{_suggest(text, names)}"))])
    return Path(source), str(source)


def load_scenario(source: str | os.PathLike[str], *,
                  modules: Mapping[str, Module] | None = None) -> Scenario:
    """Load and check a scenario.

    Parameters
    ----------
    source : str or path-like
        The name of a built-in scenario (see
        :func:`~detente.scenario.builtin.builtin_names`) or the path of a ``.yaml``,
        ``.yml`` or ``.toml`` file.
    modules : mapping of str to Module, optional
        The module registry to check against; default: the modules of
        :mod:`detente.model` (a listed module that cannot be imported is a problem).

    Returns
    -------
    Scenario
        The validated, frozen scenario (numbers in the file's units).

    Raises
    ------
    ScenarioError
        With every problem found, each located in the file, for any bad input.

    Examples
    --------
    >>> sc = load_scenario("ukraine-2023")  # doctest: +SKIP
    >>> sc.time.start  # doctest: +SKIP
    datetime.date(2023, 12, 1)
    """
    path, file = _resolve_source(source)
    data, smap, pre, bad = read_scenario_file(path, file=file)
    scenario, problems = _check(data, smap, file, modules, pre, bad)
    if problems or scenario is None:
        raise ScenarioError(problems or [Problem(file, None, None, "", "invalid scenario")])
    return scenario


def _inline_parameter_schema(defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of a parameter as written: a value, or a distribution inline."""
    own = defs["Parameter"]["properties"]
    common = {k: own[k] for k in ("unit", "source", "note") if k in own}
    forms: list[dict[str, Any]] = [{
        "type": "object", "title": "fixed value",
        "properties": {"value": {"type": "number"}, **common},
        "required": ["value", "unit", "source"], "additionalProperties": False,
    }]
    for kind in DIST_KINDS:
        d = defs[_DIST_MODELS[kind].__name__]
        forms.append({
            "type": "object", "title": f"{kind} distribution",
            "properties": {**d["properties"], **common},
            "required": [*d.get("required", []), "unit", "source"],
            "additionalProperties": False,
        })
    return {"title": "Parameter", "description": defs["Parameter"].get("description", ""),
            "oneOf": forms}


def _drop_infinite(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_infinite(v) for k, v in node.items()
                if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(node, list):
        return [_drop_infinite(v) for v in node]
    return node


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editors' completion and checking.

    Returns
    -------
    dict
        A draft 2020-12 JSON Schema; parameters take their distribution fields inline,
        as files write them.
    """
    out: dict[str, Any] = _drop_infinite(Scenario.model_json_schema(by_alias=True))
    defs = out.get("$defs", {})
    if "Parameter" in defs:
        defs["Parameter"] = _inline_parameter_schema(defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **out, "title": "detente scenario"}
