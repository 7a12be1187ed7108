"""The house's rules, checked on the import graph of ``src/detente``.

Every import counts, those inside functions included; imports under ``if TYPE_CHECKING:``
do not (they never run). The rules (DESIGN.md):

* no cycle between modules;
* layers import only downwards (or within their own unit);
* no private name (a module or a name starting with ``_``) imported from another unit.

A *unit* is a subpackage (``detente.engine``) or a top-level module (``detente.units``).
The root's own private helpers (``detente._typing``, ``detente._version``,
``detente._optional``) belong to the package as a whole and may be used by every unit.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "detente"

#: Each unit's layer: a unit may import units of lower layers (and itself) only.
LAYERS: dict[str, int] = {
    "__main__": 10, "cli": 9,
    "store": 8, "report": 8, "dashboard": 8,
    "present": 7,
    "analysis": 6,
    "engine": 5,
    "results": 4,
    "scenario": 3,
    "model": 2,
    "units": 1, "errors": 0, "_typing": 0, "_version": 0, "_optional": 1,
}
#: Shared by the whole package (see the module docstring).
ROOT_PRIVATE = {"_typing", "_version", "_optional"}


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def imports(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, str | None]]:
    """(imported module, imported name or None) for every run-time import of a module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_pkg = path.name == "__init__.py"
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    yield sub, None
                else:
                    yield target, alias.name


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def graph() -> dict[str, list[tuple[str, str | None]]]:
    mods = modules()
    known = set(mods)
    return {m: list(imports(m, p, known)) for m, p in mods.items()}


def _private(module: str, name: str | None) -> bool:
    parts = module.split(".")[2:]  # below the unit
    return any(p.startswith("_") and p != "__init__" for p in parts) or bool(
        name and name.startswith("_"))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _edges() -> dict[str, set[str]]:
    g = graph()
    known = set(g)
    edges: dict[str, set[str]] = {}
    for m, imps in g.items():
        for target, _ in imps:
            # importing a package runs its __init__: an edge to the package module
            if target in known and target != m:
                edges.setdefault(m, set()).add(target)
    # a package's submodule imports the package's __init__ implicitly; that is not a cycle
    return edges


def test_no_import_cycle() -> None:
    edges = _edges()
    # drop the implicit package -> submodule re-export loops: an __init__ that re-exports
    # its own submodules forms no cycle with them unless they import it back
    found = cycles(edges)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_layers_import_only_downwards() -> None:
    bad = []
    for m, imps in graph().items():
        src = unit(m)
        if src == "":  # the root facade re-exports everything, lazily
            continue
        for target, _ in imps:
            dst = unit(target)
            if dst in ("", src):
                continue
            if LAYERS[dst] >= LAYERS[src]:
                bad.append(f"{m} ({src}, layer {LAYERS[src]}) imports {target} "
                           f"({dst}, layer {LAYERS[dst]})")
    assert not bad, "imports against the layers:\n" + "\n".join(sorted(set(bad)))


def test_no_private_name_across_units() -> None:
    bad = []
    for m, imps in graph().items():
        for target, name in imps:
            dst = unit(target)
            if dst in ("", unit(m)) or dst in ROOT_PRIVATE:
                continue
            if _private(target, name) or dst.startswith("_"):
                bad.append(f"{m} imports {target}{'.' + name if name else ''}")
    assert not bad, "private names across units:\n" + "\n".join(sorted(set(bad)))


def test_every_unit_has_a_layer() -> None:
    assert {unit(m) for m in modules()} - {""} <= set(LAYERS)


@pytest.mark.parametrize("source", [
    "import detente.engine\n",
    "from detente.engine import _stream\n",
])
def test_the_checks_see_imports(tmp_path: Path, source: str) -> None:
    p = tmp_path / "m.py"
    p.write_text(source)
    found = list(imports("detente.results.m", p, {"detente.engine"}))
    assert found
    assert found[0][0] == "detente.engine"


# --------------------------------------------------------------------------- any war
#: A side or supporter named by prefix, the way the code once named them.
SIDE_PREFIX = re.compile(r"\b(ua|ru|us|eu)_[a-z_]+")
#: Countries and their capitals and leaders, case-insensitive (a word's start).
COUNTRY = re.compile(r"\b(ukrain|russia|kyiv|kiev|moscow|kremlin|putin|zelensk|america|"
                     r"united states|washington|europe|nato\b|korea|pyongyang|seoul|china|"
                     r"chinese|beijing|iran|hungar|soviet|ethiopia|eritrea)", re.IGNORECASE)
#: Units that still name the war of the first scenario (each is another part's to convert).
NOT_YET: dict[str, str] = {}


def _quotes_of_the_op_ed(path: Path) -> list[tuple[int, int, int, int]]:
    """(line, col, end line, end col) of every quotation in a docstring citing the op-ed."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                          | ast.AsyncFunctionDef) or not node.body:
            continue
        first = node.body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            continue
        if "op-ed" in first.value.value.lower():
            assert first.end_lineno is not None
            assert first.end_col_offset is not None
            out.append((first.lineno, first.col_offset, first.end_lineno,
                        first.end_col_offset))
    return out


def named_countries(path: Path) -> list[str]:
    """Lines of ``path`` that name a country or a side by prefix (op-ed quotes aside)."""
    raw = path.read_bytes()  # the parser's offsets count bytes
    lines = raw.split(b"\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)
    keep = bytearray(raw)
    # blank what docstrings quote ("...") where they cite the op-ed
    for l0, c0, l1, c1 in _quotes_of_the_op_ed(path):
        a, b = starts[l0 - 1] + c0 + 3, starts[l1 - 1] + c1 - 3  # inside the triple quotes
        for m in re.finditer(rb'"[^"]*"', raw[a:b]):
            for i in range(a + m.start(), a + m.end()):
                if keep[i] != ord("\n"):
                    keep[i] = ord(" ")
    blanked = keep.decode().split("\n")
    lines_text = raw.decode().split("\n")
    found = []
    for i, (ln, whole) in enumerate(zip(blanked, lines_text, strict=True), 1):
        if SIDE_PREFIX.search(whole) or COUNTRY.search(ln):
            found.append(f"{path.relative_to(SRC)}:{i}: {whole.strip()}")
    return found


UNITS = sorted({unit(m) or "__init__" for m in modules()})


@pytest.mark.parametrize("name", [
    pytest.param(u, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[u]))
    if u in NOT_YET else u for u in UNITS])
def test_no_side_or_country_is_named_in_the_code(name: str) -> None:
    """Model and engine code are written once over sides: no war is named in them."""
    paths = [p for m, p in modules().items() if (unit(m) or "__init__") == name]
    found = [hit for p in sorted(paths) for hit in named_countries(p)]
    assert not found, "\n".join(found)


def test_the_check_sees_names_and_lets_op_ed_quotes_be(tmp_path: Path) -> None:
    p = SRC / PACKAGE / "model" / "_probe_for_the_test.py"
    try:
        p.write_text('"""Op-ed mechanism: "Ukraine is losing the war", as quoted."""\n'
                     'X = "kyiv"  # a capital\n'
                     'def f():\n    """Russia is named here, outside a quote."""\n'
                     'ua_personnel = 1\n')
        found = named_countries(p)
    finally:
        p.unlink()
    assert [hit.split(":")[1] for hit in found] == ["2", "4", "5"]
