"""The hindcast's tables: what a terminal shows, what a document holds."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rich.console import Console

from detente.present.hindcast import hindcast_markdown, hindcast_rows, hindcast_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


def _continuous(n: int, share: float, crps: float, persistence: float) -> dict[str, Any]:
    cov = {tag: {"share": share, "low": 0.1, "high": 0.9} for tag in ("50", "80", "95")}
    return {"kind": "continuous", "n": n, "n_eff": n / 2, "coverage": cov, "crps": crps,
            "baselines": {"persistence": {"n": n, "crps": persistence,
                                          "skill": 1 - crps / persistence},
                          "trend": {"n": n, "crps": 2 * crps, "skill": 0.5}},
            "pit_hist": [3, 0, 0, 0, 0, 0, 0, 0, 0, 1]}


def _fake() -> SimpleNamespace:
    area = _continuous(4, 0.25, 400.0, 500.0)
    one, two = _continuous(2, 0.5, 300.0, 500.0), _continuous(2, 0.0, 500.0, 500.0)
    settled = {"kind": "binary", "n": 3, "brier": 0.04, "log": 0.2,
               "reliability": [{"bin": 0, "p_mean": 0.05, "observed_freq": 0.0, "n": 3}]
               + [{"bin": b, "p_mean": float("nan"), "observed_freq": float("nan"), "n": 0}
                  for b in range(1, 10)],
               "baselines": {"persistence": {"n": 3, "brier": 0.0, "skill": float("nan")},
                             "trend": {"n": 3, "brier": 0.01, "skill": -3.0}}}
    scores = {3: {"red.territory": {**area, "sources": {"isw": one, "deepstate": two}},
                  "settled": {**settled, "sources": {"": settled}}}}
    origins = [{"origin": dt.date(2024, 1, 1), "as_of": dt.date(2024, 6, 1),
                "hindsight_days": 152,
                "observed": {"red.territory0": {"variable": "red.territory",
                                                "value": 5000.0, "date": dt.date(2024, 1, 1),
                                                "source": "isw"}},
                "widened": {"blue.personnel0": {}}, "kept": []}]
    return SimpleNamespace(scores_=scores, levels=(0.5, 0.8, 0.95), origins_=origins,
                           leads_=(3,), policy_="status_quo", n_samples=50,
                           record_="rec.csv", scenario_="border-war", widen=1.0,
                           excluded_=[{"reason": "beyond the record"}] * 2)


def render(items: list[Any], width: int = 160) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    for item in items:
        console.print(item)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_each_source_of_a_variable_gets_its_row_after_their_sum():
    head, cont, bin_head, binary = hindcast_rows(_fake())
    assert head[:7] == ["lead", "variable", "n", "n eff", "50 %", "80 %", "95 %"]
    assert [r[1] for r in cont] == ["red.territory (all sources)", "red.territory (isw)",
                                    "red.territory (deepstate)"]
    assert cont[0][4] == "25% [10%–90%]"
    assert cont[0][7:12] == ["400", "500", "+0.20", "800", "+0.50"]
    assert cont[0][12] == "█        ▃"
    assert binary == [["3", "settled", "3", "0.040", "0.200", "0.000", "–", "0.010", "-3.00",
                       "0.05→0.00 (3)"]]
    assert bin_head[-1].startswith("reliability")


def test_the_terminal_view_says_what_is_hindsight_and_what_was_left_out():
    text = render(hindcast_table(_fake()))
    assert "hindcast of border-war under policy 'status_quo': 1 origin (2024-01-01)" in text
    assert "red.territory (isw)" in text
    assert "red.territory (all sources)" in text
    assert "settled" in text
    assert "0.05→0.00 (3)" in text
    assert "red.territory0 = 5 k" in text
    assert "calibration as of 2024-06-01, 152 to 152 days after the origins" in text
    assert "Not scored: 2 beyond the record." in text


def test_the_terminal_view_fits_80_columns_without_cutting_a_score():
    text = render(hindcast_table(_fake()), width=80)
    assert "…" not in text.split("origins")[0]  # no score cell is cut short
    assert "25%" in text
    assert "10–90" in text
    assert "500" in text
    assert "+0.20" in text


def test_markdown_writes_pit_counts_and_aligned_columns():
    md = hindcast_markdown(_fake())
    lines = md.splitlines()
    assert lines[2] == ("| lead | variable | n | n eff | 50 % | 80 % | 95 % | CRPS | "
                        "persistence | skill | trend | skill | PIT |")
    assert lines[3] == "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    assert lines[4].endswith("| +0.50 | 3 0 0 0 0 0 0 0 0 1 |")
    assert "| 2024-01-01 | 2024-06-01 | 152 | red.territory0 = 5 k | 1 |" in md


def test_the_validation_docs_hold_the_commands_markdown_verbatim():
    text = DOCS.read_text()
    command = ("detente hindcast ukraine-2023 --origins 2022-06..2023-06/1m --lead 3,6,12 "
               "--markdown")
    assert command in text
    after = text[text.index(command):]
    head, *_ = hindcast_rows(_fake())
    header = "| " + " | ".join(head) + " |"
    assert header in after  # the table as the present code writes it
    block = after[after.index(header):]
    rows = [ln for ln in block.splitlines()[2:] if ln.startswith("| ")]
    variables = {re.split(r" \| ", r)[1] for r in rows[:6]}
    assert variables == {"russia.territory (liveuamap)",
                         "russia.casualties_cum (ukraine_general_staff)"}
    assert "hindcast of ukraine-2023 under policy 'status_quo': 13 origins" in after


def test_the_origins_table_says_which_events_of_the_record_each_origin_knew():
    hc = _fake()
    md = hindcast_markdown(hc)
    assert "events of the record known" not in md  # a scenario without any: no column
    first = hc.origins_[0]
    later = {**first, "origin": dt.date(2024, 4, 1), "hindsight_days": 61}
    hc.origins_ = [{**first, "record_events": {"spring_offensive": False}},
                   {**later, "record_events": {"spring_offensive": True}}]
    lines = hindcast_markdown(hc).splitlines()
    head = next(ln for ln in lines if ln.startswith("| origin |"))
    assert head.endswith("| widened priors | events of the record known |")
    assert any(ln.startswith("| 2024-01-01 |") and ln.endswith("| 1 | none |") for ln in lines)
    assert any(ln.startswith("| 2024-04-01 |") and ln.endswith("| 1 | spring_offensive |")
               for ln in lines)
