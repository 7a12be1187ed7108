"""Reading a scenario file into plain data, with the position of every field.

Faults found while reading are reported located in the file: the size limit, UTF-8, YAML or
TOML syntax, tabs, unsupported YAML tags, duplicate keys, alias bombs and recursion. A fault
that leaves no data stops the check (:class:`~detente.errors.ScenarioError`); the others are
returned with the data, so that the later checks can run beside them.

YAML positions come from PyYAML's node graph; TOML's parser keeps none, so a small scanner
(:class:`_TomlMapper`) finds the line of each key in a document the parser accepted.
"""

from __future__ import annotations

import bisect
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from detente.errors import Problem, ScenarioError
from detente.scenario._paths import FieldPath, dotted
from detente.scenario._positions import Position, SourceMap

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "SUFFIXES", "TOP_KEYS",
           "read_scenario_file"]

#: Largest scenario file accepted, in bytes.
MAX_BYTES = 5 * 1024 * 1024
#: Most values a YAML file may expand to (guards against alias bombs).
MAX_VALUES = 200_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 50
#: File suffixes and their formats.
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}
#: The top-level keys a file needs, as messages list them.
TOP_KEYS = "name, title, time, modules, parameters, policies"

_YAML_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


class _AbortError(Exception):
    """A fault that leaves nothing further to check."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems


# --------------------------------------------------------------------------- bytes and YAML
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
            f"file is empty; expected a mapping with keys {TOP_KEYS}"))])
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
                                     node.start_mark.column + 1, dotted(path), message))
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
            raise _AbortError([Problem(self.file, *self._pos(node), dotted(path), (
                f"the file expands to more than {MAX_VALUES} values; aliases (*name) that "
                "repeat large blocks are not allowed"))])
        if len(stack) > MAX_DEPTH:
            raise _AbortError([Problem(self.file, *self._pos(node), dotted(path), (
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


#: Nesting at which composing stops: well past :data:`MAX_DEPTH` (the builder reports
#: nesting beyond that with the field's path) and well short of Python's recursion limit.
_COMPOSE_DEPTH = 4 * MAX_DEPTH


class _TooDeepError(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__()
        self.mark = mark


class _DepthLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stopping at :data:`_COMPOSE_DEPTH` levels with the position.

    The composer recurses once per level; stopping it early gives the line of the fault
    instead of a RecursionError that has none.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > _COMPOSE_DEPTH:
                raise _TooDeepError(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1


def _too_deep(file: str, line: int | None, column: int | None) -> _AbortError:
    return _AbortError([Problem(file, line, column, "", (
        f"expected at most {MAX_DEPTH} levels of nesting, found more"))])


def _load_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Problem], list[FieldPath]]:
    try:
        node = yaml.compose(text, Loader=_DepthLoader)
    except yaml.YAMLError as exc:
        raise _AbortError([_yaml_problem(exc, text, file)]) from None
    except _TooDeepError as exc:
        raise _too_deep(file, exc.mark.line + 1, exc.mark.column + 1) from None
    except RecursionError:  # pragma: no cover - _DepthLoader stops first
        raise _too_deep(file, None, None) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _YAML_TAG + "null"
                        and not node.value):
        raise _AbortError([Problem(file, None, None, "", (
            f"file is empty; expected a mapping with keys {TOP_KEYS}"))])
    builder = _YamlBuilder(file)
    builder.smap.add((), value=builder._pos(node))
    try:
        data = builder.build(node, ())
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops us first
        raise _AbortError([Problem(file, None, None, "", "nesting too deep")]) from None
    return data, builder.smap, builder.problems, builder.bad


# --------------------------------------------------------------------------- TOML
_TOML_ERR_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _toml_depth_fault(text: str) -> Position | None:
    """Return where brackets in ``text`` first nest deeper than :data:`MAX_DEPTH`, if they do.

    Strings and comments are skipped (single-line and multi-line, basic and literal): a
    best-effort scan that runs before the recursive parser, to report the line.
    """
    depth, line, start, i, n = 0, 1, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line, start = line + 1, i + 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif c in "\"'":
            quote = text[i:i + 3] if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if text[i] == "\\" and c == '"':
                    i += 1
                elif text[i] == "\n":
                    if len(quote) == 1:
                        break  # an unclosed string: the parser reports it
                    line, start = line + 1, i + 1
                i += 1
            i += len(quote)
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, i - start + 1
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _load_toml(text: str, file: str) -> tuple[Any, SourceMap]:
    fault = _toml_depth_fault(text)
    if fault is not None:
        raise _too_deep(file, *fault)
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


# --------------------------------------------------------------------------- the entry point
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
