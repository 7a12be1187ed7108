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
    assert len(names) >= 60  # korea-1951, settlement, dashboard
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
def test_the_numbers_of_a_run_are_the_docs():
    """docs/korea-1951.md's section 5: one run of 1,000 samples, seed 0 (about 20 s)."""
    stale = doc_numbers.stale(doc_numbers.SLOW)
    assert not stale, ("regenerate with `PYTHONPATH=src python tests/doc_numbers.py`:\n"
                       + "\n".join(f"{p.name}: {n}: doc says {t!r}, the run gives {w!r}"
                                   for p, n, t, w in stale))
