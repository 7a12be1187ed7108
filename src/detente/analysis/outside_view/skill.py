"""Forecast skill on resolved questions: the model beside the crowd and the base rate.

:class:`ForecastSkill` takes the questions of a file (:mod:`.questions`) that map to model
outputs and, for each, restarts the scenario at the question's opening date from the
record, as a hindcast does (:func:`detente.analysis.hindcast.restart`: the state observed
then, the rest of it widened, every other parameter as calibrated, which for an origin
before the scenario's as-of date is hindsight); the model's probability is the share of
samples in which the question's test holds. Beside it, two forecasts of the same question:

* the **crowd**'s probability, at the date the file gives (for some questions the crowd's
  final forecast at the close, made with the answer nearly known: a late forecast the
  model, started at the opening, does not have);
* the **base rate**, for questions a base rate answers (``base_rate: settlement``): P(a war
  that had lasted until the opening ends in a settlement or ceasefire before the close),
  from :class:`~.base_rates.BaseRates`.

Scores (:mod:`detente.analysis.scores`): Brier and log scores of each forecast, and the
model's skill against the crowd and against the base rate (``1 - model / reference``, over
the questions both forecast). The model's log score uses its ensemble size (a share of
``k`` of ``m`` members becomes ``(k + 1/2) / (m + 1)``), the base rate's the number of wars
behind it, so that neither scores infinity for a share of 0 that missed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np

from detente._typing import SeedLike
from detente.analysis._base import Estimator, as_scenario
from detente.analysis.outside_view.base_rates import BaseRates
from detente.analysis.outside_view.questions import Question, QuestionSet, read_questions
from detente.analysis.outside_view.wars import WarTable
from detente.errors import InputError
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from detente.analysis._data import Observations
    from detente.scenario.schema import Scenario

__all__ = ["ForecastSkill"]

Origin = Literal["opened", "forecast"]


class ForecastSkill(Estimator):
    """Score a scenario's forecasts on resolved questions, beside the crowd and the base rate.

    Parameters
    ----------
    n_samples : int
        Ensemble size of each restart.
    seed : int, SeedSequence or None
        Root seed; the run from each origin is keyed by its date.
    policy : str, optional
        The policy run (default: the scenario's first).
    origin : {"opened", "forecast"}
        Where the model starts: at each question's opening (default), or at the date of
        the crowd's forecast (a fairer race against a late crowd).
    widen : float
        How fast the unobserved state's priors widen per year away from the scenario's
        as-of date (:func:`detente.analysis.hindcast.widened_parameter`).
    processes : int
        Worker processes of each run.

    Attributes
    ----------
    table_ : pandas.DataFrame
        One row per scored question: ``question_id``, ``origin``, ``closes``, ``p_model``,
        ``n_members``, ``p_crowd``, ``crowd_date``, ``crowd_note``, ``p_base`` (NaN where
        no base rate answers), ``n_wars``, ``resolution`` and each forecast's ``brier_*``.
    scores_ : dict
        ``{"model" | "crowd" | "base_rate": {"n", "brier", "log"}, "skill": {"crowd" |
        "base_rate": {"n", "brier", "log"}}}``: each forecast's mean scores over the
        questions it forecasts, and the model's skill against each reference over the
        questions both forecast.
    unmapped_ : list of dict
        The questions not scored: ``id`` and ``reason``.
    notes_ : list of str
        What to keep in mind reading the scores.
    reliability_ : list of dict
        ``{"forecast", "p", "y"}`` per scored question and forecast (for the diagram).
    n_questions_, n_mapped_ : int
        Questions in the file, and those scored.
    policy_, scenario_, questions_name_ : str
        The policy run, the scenario's name and the questions file's.
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = (
        "table_", "scores_", "unmapped_", "notes_", "reliability_", "n_questions_",
        "n_mapped_", "policy_", "scenario_", "questions_name_")

    def __init__(self, *, n_samples: int = 500, seed: SeedLike = 0, policy: str | None = None,
                 origin: Origin = "opened", widen: float = 1.0, processes: int = 1) -> None:
        self.n_samples = n_samples
        self.seed = seed
        self.policy = policy
        self.origin = origin
        self.widen = widen
        self.processes = processes

    def fit(self, scenario: Scenario | str, questions: QuestionSet | str | Path | None = None,
            observed: Observations | str | Path | None = None,
            wars: WarTable | None = None) -> Self:
        """Restart the scenario at each question's origin, forecast it, and score.

        Parameters
        ----------
        scenario : Scenario or str
            The scenario (or a built-in name / file path); it must say when its war began.
        questions : QuestionSet, str or Path, optional
            The questions (default: those shipped, :func:`~.questions.bundled_questions`).
        observed : Observations, str or Path, optional
            The record the restarts start from (default: the scenario's bundled one).
        wars : WarTable, optional
            Past wars for the base rates (default: UCDP's).

        Returns
        -------
        ForecastSkill
            ``self``, fitted.

        Raises
        ------
        InputError
            On a bad configuration, a scenario with no war-start date or no record, an
            unknown policy, or when no question maps to the scenario's outputs.
        """
        import pandas as pd

        from detente.analysis import scores
        from detente.analysis._data import read_observations
        from detente.analysis.hindcast import bundled_record

        self._check_config()
        sc = as_scenario(scenario)
        if sc.time.war_began is None:
            raise InputError(f"scenario '{sc.name}' does not say when its war began "
                             "(time.war_began): the base rates and the restarts need it")
        qs = questions if isinstance(questions, QuestionSet) else read_questions(questions)
        if observed is None:
            path = bundled_record(sc)
            if path is None:
                raise InputError(f"scenario '{sc.name}' has no bundled record to restart "
                                 "from; give one (a CSV of date, variable, value[, source])")
            observed = path
        record = observed if not isinstance(observed, str | Path) else read_observations(
            observed)
        pol = self.policy or next(iter(sc.policies))
        if pol not in sc.policies:
            raise InputError(f"unknown policy {pol!r}; scenario '{sc.name}' defines: "
                             f"{', '.join(sc.policies)}")
        first, last = min(record.dates), max(record.dates)
        unmapped: list[dict[str, str]] = []
        plan: dict[dt.date, list[tuple[str, Question]]] = {}
        for qid, q in qs.questions.items():
            if q.test is None:
                unmapped.append({"id": qid, "reason": str(q.untestable)})
                continue
            origin = self._origin(q)
            reason = None
            if origin < sc.time.war_began:
                reason = f"opens on {origin}, before the war began ({sc.time.war_began})"
            elif origin < first or origin > last:
                reason = (f"opens on {origin}, outside the record ({first} to {last}) the "
                          "restart starts from")
            if reason is not None:
                unmapped.append({"id": qid, "reason": reason})
                continue
            plan.setdefault(origin, []).append((qid, q))
        if not plan:
            raise InputError(f"no question of {qs.name} maps to the outputs of scenario "
                             f"'{sc.name}' from a date its record covers")
        rows = []
        for origin in sorted(plan):
            rows += self._forecast(sc, record, origin, plan[origin], pol, wars)
        table = pd.DataFrame(rows).sort_values(["origin", "question_id"], kind="stable")
        y = table["resolution"].to_numpy(dtype=np.float64)
        pm = table["p_model"].to_numpy(dtype=np.float64)
        pc = table["p_crowd"].to_numpy(dtype=np.float64)
        pb = table["p_base"].to_numpy(dtype=np.float64)
        members = table["n_members"].to_numpy(dtype=np.float64)
        wars_n = table["n_wars"].to_numpy(dtype=np.float64)
        table["brier_model"] = scores.brier(pm, y)
        table["brier_crowd"] = scores.brier(pc, y)
        has_base = np.isfinite(pb)
        table["brier_base"] = np.where(has_base, (np.nan_to_num(pb) - y) ** 2, math.nan)
        log_m = scores.log_score(pm, y, n_members=members)
        log_c = scores.log_score(pc, y)
        log_b = np.full(len(y), math.nan)
        if has_base.any():
            log_b[has_base] = scores.log_score(pb[has_base], y[has_base],
                                               n_members=wars_n[has_base])

        def summary(sel: Any, brier_v: Any, log_v: Any) -> dict[str, Any]:
            n = int(np.sum(sel))
            return {"n": n, "brier": float(np.mean(brier_v[sel])) if n else math.nan,
                    "log": float(np.mean(log_v[sel])) if n else math.nan}

        every = np.ones(len(y), dtype=bool)
        bm, bc, bb = (table[c].to_numpy(dtype=np.float64)
                      for c in ("brier_model", "brier_crowd", "brier_base"))
        skill = {}
        for name, sel, b_ref, l_ref in (("crowd", every, bc, log_c),
                                        ("base_rate", has_base, bb, log_b)):
            mine, ref = summary(sel, bm, log_m), summary(sel, b_ref, l_ref)
            skill[name] = {"n": mine["n"], "brier": scores.skill(mine["brier"], ref["brier"]),
                           "log": scores.skill(mine["log"], ref["log"])}
        self.scores_ = {"model": summary(every, bm, log_m), "crowd": summary(every, bc, log_c),
                        "base_rate": summary(has_base, bb, log_b), "skill": skill}
        late = table["crowd_note"].str.contains("at close", regex=False)
        notes = []
        if late.any():
            notes.append(f"{int(late.sum())} crowd forecast(s) are the crowd's final ones at "
                         "the close, made with the answer nearly known; the model starts at "
                         "the opening.")
        as_of = sc.as_of or sc.time.start
        notes.append(f"Every restart keeps the scenario's calibration as of {as_of}, after "
                     "every question's opening: hindsight the crowd did not have.")
        notes.append(f"{len(y)} questions: every score and skill here is uncertain to about "
                     "its own size.")
        self.table_ = table.reset_index(drop=True)
        self.unmapped_ = unmapped
        self.notes_ = notes
        self.reliability_ = [
            {"forecast": name, "p": float(p), "y": int(v)}
            for name, col in (("model", pm), ("crowd", pc), ("base_rate", pb))
            for p, v in zip(col, y, strict=True) if math.isfinite(p)]
        self.n_questions_ = len(qs)
        self.n_mapped_ = len(table)
        self.policy_ = pol
        self.scenario_ = sc.name
        self.questions_name_ = qs.name
        return self

    def _check_config(self) -> None:
        if not (isinstance(self.n_samples, int) and self.n_samples >= 1):
            raise InputError(f"n_samples must be a positive integer, found {self.n_samples!r}")
        if self.origin not in ("opened", "forecast"):
            raise InputError(f"origin: expected opened or forecast, found {self.origin!r}")
        if not (math.isfinite(self.widen) and self.widen >= 0):
            raise InputError(f"widen must be a number >= 0 (per year), found {self.widen!r}")

    def _origin(self, q: Question) -> dt.date:
        if self.origin == "forecast" or q.opened is None:
            return q.crowd.date
        return q.opened

    def _forecast(self, sc: Scenario, record: Observations, origin: dt.date,
                  questions: Sequence[tuple[str, Question]], policy: str,
                  wars: WarTable | None) -> list[dict[str, Any]]:
        """Run the scenario from ``origin`` once and read every question opening there."""
        from detente.analysis._outputs import OutputReader, record_for, scenario_expr
        from detente.analysis.claims import claim_indicator
        from detente.analysis.hindcast import _origin_seed, restart
        from detente.engine import simulate

        assert sc.time.war_began is not None
        horizon = max(q.closes for _, q in questions)
        months = max(1, math.ceil((horizon - origin).days / DAYS_PER_MONTH) + 1)
        rs = restart(sc, origin, record, widen=self.widen, months=months)
        exprs = [scenario_expr(rs, text) for _, q in questions
                 for text in _texts(q.test)]
        res = simulate(rs, n_samples=self.n_samples, seed=_origin_seed(self.seed, origin),
                       policies=[policy], record=record_for(rs, exprs),
                       processes=self.processes)
        reader = OutputReader(res, rs)
        base = BaseRates().fit(float((origin - sc.time.war_began).days), wars)
        rows = []
        for qid, q in questions:
            assert q.test is not None
            ind = claim_indicator(q.test, reader, policy)
            holds = ind.holds[ind.mask]
            p_base = math.nan
            if q.base_rate != "none":
                p_base = base.probability(float((q.closes - origin).days),
                                          None if q.base_rate == "any" else q.base_rate)[0]
            rows.append({
                "question_id": qid, "origin": origin, "closes": q.closes,
                "p_model": float(holds.mean()) if holds.size else math.nan,
                "n_members": int(holds.size), "p_crowd": q.crowd.p,
                "crowd_date": q.crowd.date, "crowd_note": q.crowd.note, "p_base": p_base,
                "n_wars": base.n_at_risk_ if q.base_rate != "none" else 0,
                "resolution": q.resolution})
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Every question's forecasts and the scores, as plain data (JSON-ready).

        Returns
        -------
        dict
            ``scenario``, ``questions``, ``policy``, ``n_samples``, ``origin``,
            ``n_questions``, ``n_mapped``, ``scores``, ``notes``, ``unmapped`` and
            ``points`` (:attr:`table_`'s rows, dates as ISO text).
        """
        self.check_is_fitted("calling to_dict()")
        points = []
        for r in self.table_.to_dict(orient="records"):
            points.append({k: (v.isoformat() if isinstance(v, dt.date) else
                               (None if isinstance(v, float) and not math.isfinite(v)
                                else v.item() if isinstance(v, np.generic) else v))
                           for k, v in r.items()})
        return {"scenario": self.scenario_, "questions": self.questions_name_,
                "policy": self.policy_, "n_samples": self.n_samples, "origin": self.origin,
                "n_questions": self.n_questions_, "n_mapped": self.n_mapped_,
                "scores": self.scores_, "notes": list(self.notes_),
                "unmapped": list(self.unmapped_), "points": points}


def _texts(test: Any) -> list[str]:
    """Every expression of a claim test (to record what it reads)."""
    if hasattr(test, "of"):
        return [t for sub in test.of for t in _texts(sub)]
    out = [test.when] if hasattr(test, "when") else [test.metric]
    return out + ([test.given] if getattr(test, "given", None) else [])
