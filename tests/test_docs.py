"""The docs' numbers are the model's: each marked number is what the code or a run gives.

``tests/doc_numbers.py`` computes them and rewrites them in place when the model changes
(``PYTHONPATH=src python tests/doc_numbers.py``). The numbers read off the code are checked
here at once; those that take a run are checked by the test marked ``slow``.
"""

from __future__ import annotations

import pytest

import doc_numbers


def test_every_marked_number_names_one_this_module_computes():
    groups = {**doc_numbers.FAST, **doc_numbers.SLOW}
    found = doc_numbers.marked()
    names = [name for marks in found.values() for name, _text in marks]
    assert len(names) >= 80  # korea-1951, sensitivity, outside-view, settlement, dashboard
    unknown = sorted({n for n in names if n.split(".", 1)[0] not in groups})
    assert not unknown, f"marked numbers no group computes: {unknown}"
    # a marker left open would swallow the text up to the next one
    for path in found:
        text = path.read_text("utf-8")
        assert text.count("<!--num:") == text.count("<!--/num-->"), path.name


def test_the_numbers_read_off_the_code_are_the_docs():
    stale = doc_numbers.stale(doc_numbers.FAST)
    assert not stale, "\n".join(f"{p.name}: {n}: doc says {t!r}, code gives {w!r}"
                                for p, n, t, w in stale)


def test_a_stale_number_is_found_and_rewritten(tmp_path, monkeypatch):
    doc = tmp_path / "x.md"
    doc.write_text("Deals: <!--num:deals.max-->2,000<!--/num--> at most; "
                   "<!--num:defaults.seed-->0<!--/num-->.\n", "utf-8")
    monkeypatch.setattr(doc_numbers, "DOCS", tmp_path)
    [(path, name, text, want)] = doc_numbers.stale(doc_numbers.FAST)
    assert (path, name, text) == (doc, "deals.max", "2,000")
    assert doc_numbers.rewrite(doc_numbers.FAST) == 1
    assert f"<!--num:deals.max-->{want}<!--/num-->" in doc.read_text("utf-8")
    assert doc_numbers.stale(doc_numbers.FAST) == []


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(doc_numbers.SLOW))
def test_the_numbers_of_a_run_are_the_docs(group):
    """korea-1951's section 5 (a run of 1,000 samples, about 20 s), sensitivity's discovery
    examples (two runs of `detente discover`, about 60 s), the outside view's scores (two
    runs of `detente score`, about 25 s)."""
    stale = doc_numbers.stale({group: doc_numbers.SLOW[group]})
    assert not stale, ("regenerate with `PYTHONPATH=src python tests/doc_numbers.py`:\n"
                       + "\n".join(f"{p.name}: {n}: doc says {t!r}, the run gives {w!r}"
                                   for p, n, t, w in stale))


def _written(entry) -> str | None:
    """A parameter's value as docs/settlement.md's table writes it (None: a kind it omits)."""
    dist = entry.distribution.dist
    if dist is None:
        value = entry.distribution.value
        return None if value is None else f"{value:g}"
    kind = type(dist).__name__
    if kind == "Pert":
        return f"PERT({dist.low:g}, {dist.mode:g}, {dist.high:g})"
    if kind == "Uniform":
        return f"U({dist.low:g}, {dist.high:g})"
    if kind == "LogNormal":
        return f"logN(median {dist.median_:g}, σ {dist.sigma:g})"
    return None


def test_the_settlement_docs_parameters_are_the_scenarios():
    """§8 of docs/settlement.md lists ukraine-2023's bargaining parameters as the file has them."""
    import re

    from detente.scenario import load_scenario

    sc = load_scenario("ukraine-2023")
    text = (doc_numbers.DOCS / "settlement.md").read_text("utf-8")
    rows = re.findall(r"^\| `([\w.]+)` \| (\w+) \| ([^|]+?) \| ([^|]+?) \|", text, re.M)
    checked = 0
    for name, module, value, _unit in rows:
        if name not in sc.table or value.endswith("(default)"):
            continue
        entry = sc.table[name]
        assert (entry.module or "engine") == module, name  # an event's: the engine's
        want = _written(entry)
        if want is not None:
            assert value == want, f"docs/settlement.md: {name} is {value}, the file {want}"
            checked += 1
    assert checked >= 60
