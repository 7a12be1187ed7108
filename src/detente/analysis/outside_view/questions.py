"""Resolved forecasting questions, each with the crowd's probability and a test on outputs.

A questions file is YAML (``detente/data/outside_view/questions-ru-ua-2023.yaml`` ships
21, on the war of the built-in forecast scenario)::

    questions:
      acx2023-q5:
        question: Will there be a lasting cease-fire in the war in 2023?
        platform: ACX 2023 Prediction Contest (Blind Mode survey)
        opened: 2022-12-20            # the model is restarted here
        closes: 2023-12-31
        resolution: 0                 # 1 yes, 0 no
        relevance: core               # core (the war itself) or related
        crowd: {p: 0.40, date: 2023-01-10, note: "...", aggregate: "median of ..."}
        source: https://...           # where the crowd's number was read
        test: {kind: event, when: "settled > 0.5", by: 2023-12-31}
        encoding: "how the question was read as the test"
        base_rate: settlement         # any, settlement or none (default)

``test`` is a claim's test (:class:`~detente.scenario.schema.ClaimTest`: ``change``,
``compare``, ``event``, ``all``, ``any``; ``start`` is the restart date); a question the
model cannot answer gives ``untestable: reason`` instead. A bad file is reported by file,
line, question and field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from detente.errors import DataError
from detente.scenario.schema import ClaimTest

__all__ = ["BUNDLED_QUESTIONS", "Crowd", "Question", "QuestionSet", "bundled_questions",
           "read_questions"]

#: The questions shipped with detente, inside the installed package.
BUNDLED_QUESTIONS = "data/outside_view/questions-ru-ua-2023.yaml"
_MONTH = re.compile(r"^\d{4}-\d{2}$")


class Crowd(BaseModel):
    """The crowd's (or a panel's) probability of Yes, and when it applied."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    p: float = Field(ge=0, le=1)
    date: dt.date
    note: str = ""
    aggregate: str = ""
    n_forecasters: int | None = Field(None, ge=1)
    mean: float | None = Field(None, ge=0, le=1)

    @field_validator("date", mode="before")
    @classmethod
    def _month_is_its_first_day(cls, v: Any) -> Any:
        return f"{v}-01" if isinstance(v, str) and _MONTH.match(v.strip()) else v


class Question(BaseModel):
    """One resolved question (see the module docstring for the fields)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=1)
    platform: str = Field(min_length=1)
    url: str = ""
    opened: dt.date | None = None
    closes: dt.date
    resolution: Literal[0, 1]
    relevance: Literal["core", "related"] = "core"
    crowd: Crowd
    uncertain: str = ""
    source: str = Field(min_length=1)
    notes: str = ""
    test: ClaimTest | None = None
    encoding: str = ""
    untestable: str | None = Field(None, min_length=1)
    base_rate: Literal["any", "settlement", "none"] = "none"

    @model_validator(mode="after")
    def _one_of(self) -> Question:
        if (self.test is None) == (self.untestable is None):
            raise ValueError("expected exactly one of 'test' (on model outputs) or "
                             "'untestable' (why the model cannot answer), found "
                             + ("both" if self.test is not None else "neither"))
        if self.opened is not None and self.closes < self.opened:
            raise ValueError(f"'closes' ({self.closes}) is before 'opened' ({self.opened})")
        return self

    @property
    def mapped(self) -> bool:
        """Whether the question has a test on model outputs."""
        return self.test is not None


@dataclass(frozen=True)
class QuestionSet:
    """Questions by id, in file order, and the file they came from."""

    name: str
    questions: Mapping[str, Question]

    def __len__(self) -> int:
        return len(self.questions)


def bundled_questions() -> Path:
    """Return the path of the questions shipped with detente."""
    return Path(str(resources.files("detente").joinpath(BUNDLED_QUESTIONS)))


def _lines(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Line (1-based) of every mapping key and sequence item of a composed YAML node."""
    import yaml

    out: dict[tuple[Any, ...], int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, key.value)
            out[sub] = key.start_mark.line + 1
            out.update({k: v for k, v in _lines(value, sub).items() if k != sub})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_lines(item, (*path, i)))
    return out


def read_questions(path: str | Path | None = None) -> QuestionSet:
    """Read a questions file (default: the one shipped with detente).

    Raises
    ------
    DataError
        When the file is missing or not YAML, or a question is malformed: the message
        names the file, the line, the question and the field, what was expected and
        what was found.
    """
    import yaml

    p = bundled_questions() if path is None else Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{p}: no such questions file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: cannot read it as UTF-8 text ({exc})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark is not None else str(p)
        raise DataError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    lines = _lines(node) if node is not None else {}
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), dict) \
            or not raw["questions"]:
        raise DataError(f"{p}:1: expected a mapping 'questions' of question ids to "
                        "questions (question, platform, closes, resolution, crowd, source, "
                        "test or untestable)")
    out: dict[str, Question] = {}
    for qid, body in raw["questions"].items():
        key = ("questions", qid)
        if not isinstance(body, dict):
            raise DataError(f"{p}:{lines.get(key, 1)}: question '{qid}': expected a "
                            f"mapping of fields, found {type(body).__name__}")
        try:
            out[str(qid)] = Question.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = tuple(x for x in first["loc"] if not (isinstance(x, str)
                                                        and x in _TEST_KINDS))
            line = max((lines[k] for k in lines if k[:2] == key
                        and k[2:] == loc[:len(k) - 2]), default=lines.get(key, 1))
            field = ".".join(str(x) for x in loc) or "(the question)"
            found = first.get("input")
            shown = "" if isinstance(found, dict) or found is None else f", found {found!r}"
            raise DataError(f"{p}:{line}: question '{qid}': {field}: {first['msg']}"
                            f"{shown}") from None
    return QuestionSet(p.name, out)


#: The tags pydantic puts in an error's location for the kind of test it tried.
_TEST_KINDS = ("change", "compare", "event", "difference", "all", "any")
