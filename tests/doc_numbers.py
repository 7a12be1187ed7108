"""The numbers the docs state about the model, computed from the code and from runs.

A number in ``docs/*.md`` that depends on the model is written between markers that name
it, ``<!--num:NAME-->38 %<!--/num-->`` (the markers do not show on a rendered page).
:data:`FAST` computes the numbers read off the code and the scenarios (in well under a
second), :data:`SLOW` those that take a run (documented with the run's settings beside
them). ``tests/test_docs.py`` checks that every marked number is what this module
computes; when the model changes, regenerate them::

    PYTHONPATH=src python tests/doc_numbers.py            # rewrite every marked number
    PYTHONPATH=src python tests/doc_numbers.py --check    # list the stale ones, exit 1
    PYTHONPATH=src python tests/doc_numbers.py --fast     # only those read off the code
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"
#: A marked number: its name and its text.
MARK = re.compile(r"<!--num:(?P<name>[\w.\-]+)-->(?P<text>.*?)<!--/num-->", re.S)

#: The run the Korea doc's section 5 reads (its text says so).
KOREA = {"n_samples": 1000, "seed": 0}
#: Dates the Korea doc reads the armistice on.
KOREA_DATES = {"1951": "1951-12-31", "1952": "1952-12-31", "1953": "1953-07-27"}
#: Korea's area north of the 38th parallel is some 2,200 km2 per 1 % of the peninsula.
KOREA_ONE_PERCENT_KM2 = 2200.0


# --------------------------------------------------------------------------- formats
def _sig(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits, thousands separated, with a true minus."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    decimals = digits - 1 - math.floor(math.log10(abs(x)))
    v = round(x, decimals)
    return f"{v:,.{max(decimals, 0)}f}".replace("-", "−")


def _whole(x: float, sign: bool = False) -> str:
    text = f"{x:+,.0f}" if sign else f"{x:,.0f}"
    return text.replace("-", "−")


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"


def _band(values: Any, fmt: Callable[[float], str], sep: str = "–") -> str:
    import numpy as np

    q = np.nanquantile(values, [0.5, 0.1, 0.9])
    return f"{fmt(float(q[0]))} [{fmt(float(q[1]))}{sep}{fmt(float(q[2]))}]"


# --------------------------------------------------------------------------- fast
def fast_numbers() -> dict[str, str]:
    """Numbers read off the code and the built-in scenarios (no run)."""
    from detente.analysis import defaults
    from detente.model.bargaining import DIMENSIONS, MAX_DEALS

    return {
        "defaults.samples": f"{defaults.DEFAULT_SAMPLES:,}",
        "defaults.seed": str(defaults.DEFAULT_SEED),
        "defaults.dashboard_samples": f"{defaults.DASHBOARD_SAMPLES:,}",
        "defaults.discovery_samples": f"{defaults.DISCOVERY_SAMPLES:,}",
        "defaults.sobol_n": str(defaults.SOBOL_N),
        "deals.default": f"{math.prod(len(d.levels) for d in DIMENSIONS):,}",
        "deals.max": f"{MAX_DEALS:,}",
        "deals.rest": f"{math.prod(len(d.levels) for d in DIMENSIONS[1:]):,}",
    }


# --------------------------------------------------------------------------- slow
def _step_on(res: Any, date: str) -> int:
    import numpy as np

    t = res.ds["time"].values
    return int(np.searchsorted(t, np.datetime64(date), side="right") - 1)


def korea_numbers() -> dict[str, str]:
    """The numbers of docs/korea-1951.md's section 5: a run of :data:`KOREA`."""
    import numpy as np

    import detente
    from detente.analysis.claims import Claims
    from detente.analysis.compare import compare_summary, compare_variables
    from detente.model.bargaining import issues_of
    from detente.present.record import claim_variables

    sc = detente.load("korea-1951")
    owned = ["un_command.territory", "un_command.personnel", "communist_forces.personnel",
             "un_command.casualties_cum", "communist_forces.casualties_cum",
             "un_command.shells_fired", "communist_forces.shells_fired"]
    record = list(dict.fromkeys(["settled", "months_to_settlement", *owned,
                                 *compare_variables(sc), *claim_variables(sc)]))
    res = detente.simulate(sc, record=record, **KOREA)
    out: dict[str, str] = {}
    start = sc.time.start
    steps = {key: _step_on(res, date) for key, date in KOREA_DATES.items()}
    mts = res.ds["months_to_settlement"].values[:, :, -1]
    for ip, pol in enumerate(res.policies):
        settled = res.ds["settled"].values[ip] > 0.5
        for key, k in steps.items():
            out[f"korea.settled.{pol}.{key}"] = _pct(float(settled[:, k].mean()))
        first = mts[ip][np.isfinite(mts[ip])]
        if first.size:
            med = float(np.median(first))
            when = start + dt_months(med)
            q = np.quantile(first, [0.1, 0.9])
            out[f"korea.first_deal.{pol}"] = (f"month {med:.0f} [{q[0]:.0f}–{q[1]:.0f}], "
                                              f"median {when:%b %Y}")
    ip = res.policies.index("as_happened")
    end = steps["1953"]

    def at(name: str, k: int) -> Any:
        return res[name].values[ip][:, k]

    held0, held = at("un_command.territory", 0), at("un_command.territory", end)
    change = held - held0
    out["korea.front.start"] = _band(held0, _whole)
    out["korea.front.change"] = _band(change, lambda x: _whole(x, sign=True), sep=", ")
    out["korea.front.median_change"] = _whole(float(np.median(change)), sign=True)
    out["korea.front.still"] = _pct(float(np.mean(np.abs(change) < KOREA_ONE_PERCENT_KM2)))
    out["korea.front.south"] = _pct(float(np.mean(held <= 0)))
    out["korea.front.gains"] = _pct(float(np.mean(change > 0)))
    year = (res.ds["time"].values >= np.datetime64("1952-01-01")) & (
        res.ds["time"].values < np.datetime64("1953-01-01"))
    for side, digits in (("un_command", 3), ("communist_forces", 2)):
        fired = res[f"{side}.shells_fired"].values[ip][:, year].mean(axis=1)
        out[f"korea.fire.{side}"] = _band(fired, functools.partial(_sig, digits=digits))
    out["korea.strength.un_command"] = _band(at("un_command.personnel", end), _sig)
    out["korea.strength.communist_forces"] = _band(
        at("communist_forces.personnel", end) / 1e6, functools.partial(_sig, digits=3))
    at_war = res.ds["settled"].values[ip][:, end] <= 0.5
    days = (dt.date.fromisoformat(KOREA_DATES["1953"]) - start).days
    out["korea.at_war"] = _pct(float(at_war.mean()))
    out["korea.armistice"] = _pct(float(1 - at_war.mean()))
    for side in ("un_command", "communist_forces"):
        cas = at(f"{side}.casualties_cum", end)
        out[f"korea.casualties.{side}"] = _band(cas, _sig)
        war = cas[at_war]
        out[f"korea.casualties_at_war.{side}"] = (
            f"{_band(war, _sig)} ({float(np.median(war)) / days:.0f} a day)")
    # the deals signed by the end of the talks, and their terms
    month_end = float(res.ds["month"].values[end])
    signed = np.isfinite(mts[ip]) & (mts[ip] <= month_end + 1e-9)
    out["korea.deals_signed"] = f"{int(signed.sum()):,}"
    may = (dt.date(1953, 5, 1) - start).days * 12 / 365.25
    out["korea.settle_may_july"] = _pct(float(np.mean(signed & (mts[ip] >= may))))
    summary = compare_summary(res, months=[month_end], baseline="__none__",
                              negotiation=False)["policies"]
    for pol in ("as_happened", "no_voluntary_repatriation"):
        for issue, shares in summary[pol]["terms"].items():
            for level, share in shares.items():
                if share is not None:
                    out[f"korea.terms.{pol}.{issue}.{level}"] = _pct(share)
    levels = {d.name: list(d.levels) for d in issues_of(sc.cast)}
    line = res["deal_demarcation"].values[ip][:, end]
    prisoners = res["deal_prisoners"].values[ip][:, end]
    deals = line >= 0
    trade = (line == levels["demarcation"].index("parallel_38")) & (
        prisoners == levels["prisoners"].index("voluntary_repatriation"))
    out["korea.terms.trade"] = _pct(float(trade[deals].mean()))
    # the claims, judged on the same run
    for c in Claims(hinges=()).fit(sc, res).claims_:
        if c.probability is None or c.interval is None:
            continue
        lo, hi = c.interval
        out[f"korea.claim.{c.id}"] = f"{c.probability:.2f} [{lo:.2f}, {hi:.2f}]"
        out[f"korea.claim_p.{c.id}"] = f"{c.probability:.2f}"
        out[f"korea.claim_pct.{c.id}"] = _pct(c.probability)
        out[f"korea.verdict.{c.id}"] = c.verdict
    return out


#: The two examples of docs/sensitivity.md: ``detente discover ukraine-2023`` with these
#: options (the command's defaults otherwise: 2,000 samples, seed 0, at most 3 dimensions).
DISCOVER = {"territory": ["--where", "russia.territory_pct > 20", "--threshold", "0.5"],
            "viability": ["--where", "ukraine.viability < 0.45"]}

_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def discover_numbers() -> dict[str, str]:
    """The numbers of docs/sensitivity.md's discovery examples (the command's JSON)."""
    import json

    from typer.testing import CliRunner

    from detente.cli import app

    out: dict[str, str] = {}
    for key, options in DISCOVER.items():
        r = CliRunner().invoke(app, ["discover", "ukraine-2023", *options, "--json",
                                     "--quiet"])
        if r.exit_code != 0:
            raise RuntimeError(f"detente discover {options}: {r.output}")
        data = json.loads(r.stdout[r.stdout.index("{"):])
        out[f"discover.{key}.share"] = _pct(data["n_cases"] / data["n_samples"])
        out[f"discover.{key}.max_dims"] = _WORDS.get(data["max_dims"], str(data["max_dims"]))
        if data["screening"] is not None:  # what the one-at-a-time screen kept, of how many
            searched = len(data["searched"])
            out[f"discover.{key}.searched"] = str(searched)
            out[f"discover.{key}.candidates"] = str(searched + len(data["screening"]["dropped"]))
        if data["found"]:
            box = data["box"]
            out[f"discover.{key}.restrictions"] = _WORDS.get(len(box), str(len(box)))
            out[f"discover.{key}.parameters"] = ", ".join(f"`{b['parameter']}`" for b in box)
            qp = max(q for b in box for q in (b["qp_low"], b["qp_high"]) if q is not None)
            out[f"discover.{key}.qp"] = "0.001" if qp < 0.001 else f"{qp:.2g}"
            seen = min(b["reproduced"] for b in box)
            out[f"discover.{key}.reproduced"] = (
                "every rerun" if seen > 1 - 1e-9 else f"at least {_pct(seen)} of the reruns")
        else:
            best = max((t["density"] for t in data["trajectory"]
                        if t["res_dim"] <= data["max_dims"]), default=0.0)
            out[f"discover.{key}.found"] = "finds no box"
            out[f"discover.{key}.densest"] = _pct(best)
    return out


#: The questions docs/outside-view.md names: the one the model commits to, the proxy at 0.
SCORED = {"zaporizhzhia": "acx2023-q4", "sevastopol": "acx2023-q2"}


def _cli_json(*args: str) -> Any:
    """Run ``detente ARGS --json`` in this process; return its JSON."""
    import json

    from typer.testing import CliRunner

    from detente.cli import app

    r = CliRunner().invoke(app, [*args, "--json"])
    if r.exit_code != 0:
        raise RuntimeError(f"detente {' '.join(args)}: {r.output}")
    return json.loads(r.stdout[r.stdout.index("{"):])


def score_numbers() -> dict[str, str]:
    """The numbers of docs/outside-view.md's scores: ``detente score ukraine-2023``."""
    out: dict[str, str] = {}
    for origin in ("opened", "forecast"):
        data = _cli_json("score", "ukraine-2023", "--origin", origin)
        scores = data["scores"]
        skill = scores["skill"]
        tag = "" if origin == "opened" else ".forecast"
        out[f"score.skill.crowd.brier{tag}"] = f"{skill['crowd']['brier']:.2f}"
        out[f"score.skill.base_rate.brier{tag}"] = f"{skill['base_rate']['brier']:.2f}"
        if origin != "opened":
            continue
        out["score.skill.crowd.log"] = f"{skill['crowd']['log']:.2f}"
        out["score.skill.base_rate.log"] = f"{skill['base_rate']['log']:.2f}"
        for who in ("model", "crowd", "base_rate"):
            out[f"score.{who}.n"] = str(scores[who]["n"])
            out[f"score.{who}.brier"] = f"{scores[who]['brier']:.3f}"
            out[f"score.{who}.log"] = f"{scores[who]['log']:.3f}"
        points = {p["question_id"]: p for p in data["points"]}
        for key, qid in SCORED.items():
            out[f"score.{key}.model"] = f"{points[qid]['p_model']:.2f}".replace("0.00", "0")
            out[f"score.{key}.crowd"] = f"{points[qid]['p_crowd']:.2f}"
        no = sum(p["resolution"] for p in data["points"]) / len(data["points"])
        out["score.always_no.brier"] = f"{no:.3f}"
    return out


def dt_months(months: float) -> dt.timedelta:
    """A span of ``months`` average months (365.25 / 12 days each)."""
    return dt.timedelta(days=months * 365.25 / 12)


#: Each group of numbers by name prefix: what computes it.
FAST: dict[str, Callable[[], dict[str, str]]] = {"defaults": fast_numbers,
                                                  "deals": fast_numbers}
SLOW: dict[str, Callable[[], dict[str, str]]] = {"korea": korea_numbers,
                                                  "discover": discover_numbers,
                                                  "score": score_numbers}


# --------------------------------------------------------------------------- the docs
def marked() -> dict[Path, list[tuple[str, str]]]:
    """Every marked number of the docs: ``path -> [(name, text), ...]``, in order."""
    return {p: [(m["name"], m["text"]) for m in MARK.finditer(p.read_text("utf-8"))]
            for p in sorted(DOCS.glob("*.md"))}


def computed(groups: dict[str, Callable[[], dict[str, str]]]) -> dict[str, str]:
    """The numbers of ``groups``, each group computed once."""
    done: dict[Callable[[], dict[str, str]], dict[str, str]] = {}
    for fn in groups.values():
        if fn not in done:
            done[fn] = fn()
    return {k: v for d in done.values() for k, v in d.items()}


def stale(groups: dict[str, Callable[[], dict[str, str]]]
          ) -> list[tuple[Path, str, str, str | None]]:
    """``(doc, name, written, computed)`` of each marked number of ``groups`` that differs.

    A number whose group is known but which the group does not compute has None.
    """
    numbers = computed(groups)
    out = []
    for path, marks in marked().items():
        for name, text in marks:
            if name.split(".", 1)[0] not in groups:
                continue
            want = numbers.get(name)
            if want != text:
                out.append((path, name, text, want))
    return out


def rewrite(groups: dict[str, Callable[[], dict[str, str]]]) -> int:
    """Write the numbers of ``groups`` into the docs; return how many changed."""
    numbers = computed(groups)
    changed = 0
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text("utf-8")

        def put(m: re.Match[str]) -> str:
            nonlocal changed
            name = m["name"]
            if name.split(".", 1)[0] not in groups or name not in numbers:
                return m[0]
            changed += numbers[name] != m["text"]
            return f"<!--num:{name}-->{numbers[name]}<!--/num-->"

        new = MARK.sub(put, text)
        if new != text:
            path.write_text(new, "utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` list) the docs' marked numbers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="list stale numbers, exit 1")
    ap.add_argument("--fast", action="store_true", help="only the numbers without a run")
    args = ap.parse_args(argv)
    groups = FAST if args.fast else {**FAST, **SLOW}
    if args.check:
        found = stale(groups)
        for path, name, text, want in found:
            print(f"{path.name}: {name}: written {text!r}, computed {want!r}")
        return 1 if found else 0
    print(f"{rewrite(groups)} numbers changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
