"""Look-ahead: what a scenario's parameters cite, against what the scenario may know.

A scenario's ``knowledge`` declares it a **forecast** as of a date D or a historical
**reconstruction** as of D (D is ``knowledge.as_of``, by default the start):

* in a forecast, every source a parameter cites must have been *published* on or before
  D: the ``published`` date of a fact (``fact:KEY``) in the facts table, of a reference
  (``ref:KEY``) in ``sources``. An undated reference or a free-text citation is not shown
  public by D, nor is a fact whose ``published`` cell is blank; a reference marked
  ``derived: true`` (values computed from what the notes name) passes, and what the notes
  name is checked as usual;
* in a reconstruction, every value must *refer* to a date on or before D: the parameter's
  own ``as_of`` when it has one, else the ``as_of`` of each fact it cites and the
  ``refers_to`` of each reference (a reference without one describes the start). Sources
  may have been published later: hindsight is possible.

What a parameter cites is its ``source`` and every fact or reference its ``note`` names
(``fact:KEY`` or ``fact KEY``, ``ref:KEY`` or ``ref KEY``; a spaced name counts only when it
is a key of the table or of ``sources``). A date written as a month or a year counts as
its last day. Each breach is a :class:`Violation`; one that ``knowledge.later`` does not
cover (by the source's ``fact:KEY``/``ref:KEY`` or by the parameter's name) is a problem of
the file, located at the field; an entry of ``later`` that covers nothing is a problem too.
The entries that do cover something are the scenario's :class:`Hindsight`, shown as
warnings and in the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from detente.scenario._paths import FieldPath, suggest
from detente.scenario._positions import At
from detente.scenario.facts import FactTable, PartialDate, bundled_facts

if TYPE_CHECKING:
    # types only: the schema's Scenario.hindsight imports this module
    from detente.scenario.schema import Knowledge, KnowledgeKind, Parameter, Reference, Scenario

__all__ = ["Citation", "Hindsight", "Lookahead", "Violation", "check_lookahead",
           "check_parts", "note_citations"]

_NOTE_RE = re.compile(r"\b(fact|ref)(:|\s+)([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class Citation:
    """One source a parameter cites: where, and what.

    Attributes
    ----------
    field : tuple
        The field that cites it: ``("parameters", NAME, "source")`` or ``(..., "note")``.
    kind : {"fact", "ref", "citation"}
        A row of the facts table, an entry of ``sources``, or free text.
    key : str
        The fact's or reference's key, or the citation's text.
    """

    field: FieldPath
    kind: Literal["fact", "ref", "citation"]
    key: str

    @property
    def entry(self) -> str | None:
        """The ``knowledge.later`` key that names this source (None for free text)."""
        return None if self.kind == "citation" else f"{self.kind}:{self.key}"

    @property
    def label(self) -> str:
        """``fact KEY``, ``reference KEY`` or the quoted citation."""
        return {"fact": f"fact {self.key}", "ref": f"reference {self.key}"}.get(
            self.kind, f"the citation '{self.key}'")


@dataclass(frozen=True)
class Violation:
    """A parameter's use of a source (or its own date) that breaks the look-ahead rule.

    Attributes
    ----------
    parameter : str
        The parameter.
    field : tuple
        Where in the file: the parameter's ``source``, ``note`` or ``as_of``.
    citation : Citation or None
        The source at fault; None when it is the parameter's own ``as_of``.
    kind : {"forecast", "reconstruction"}
        What the scenario declares.
    as_of : datetime.date
        The date of what the scenario may know.
    date : str
        The source's date as written (published in a forecast, referred to in a
        reconstruction); empty when it is unknown.
    """

    parameter: str
    field: FieldPath
    citation: Citation | None
    kind: KnowledgeKind
    as_of: dt.date
    date: str

    @property
    def entries(self) -> tuple[str, ...]:
        """The keys of ``knowledge.later`` that cover this violation."""
        source = self.citation.entry if self.citation is not None else None
        return (source, self.parameter) if source is not None else (self.parameter,)

    @property
    def what(self) -> str:
        """The source and its date, briefly: ``fact pop_x (published 2024-03-11)``."""
        if self.citation is None:
            return f"its value (refers to {self.date})"
        verb = "published" if self.kind == "forecast" else "refers to"
        if self.date:
            return f"{self.citation.label} ({verb} {self.date})"
        if self.citation.kind == "fact":
            gap = "published date" if self.kind == "forecast" else "date it refers to"
            return f"{self.citation.label} ({gap} unknown)"
        return f"{self.citation.label} (undated)"

    @property
    def message(self) -> str:
        """What is wrong, with the dates and the fix, for the file's author."""
        d = self.as_of
        if self.citation is None:
            return (f"the value refers to {self.date}, after the scenario's as-of date {d}: "
                    "a reconstruction uses values that refer to dates up to then; list "
                    f"'{self.parameter}' in knowledge.later with the reason (hindsight)")
        c = self.citation
        cites = "cites" if self.field[-1] == "source" else "names in its note"
        later = (f"list '{c.entry}' (or '{self.parameter}') in knowledge.later with the "
                 "reason" if c.entry else
                 f"list '{self.parameter}' in knowledge.later with the reason")
        if self.kind == "reconstruction":
            if not self.date:
                why = (f"whose as_of is blank, so it is not shown to refer to a date up to "
                       f"the scenario's as-of date {d}")
            else:
                why = f"which refers to {self.date}, after the scenario's as-of date {d}"
            return (f"{cites} {c.label}, {why}: a reconstruction uses values that refer "
                    "to dates up to then; give the parameter its own 'as_of' if its value "
                    f"refers to an earlier date, or {later}")
        if self.date:
            why = f"published {self.date}, after the scenario's as-of date {d}"
        elif c.kind == "fact":
            why = (f"whose published date is unknown (blank in the facts table), so it is "
                   f"not shown public by the scenario's as-of date {d}")
        elif c.kind == "ref":
            why = (f"which gives no 'published' date, so it is not shown public by the "
                   f"scenario's as-of date {d} (date it, or mark it 'derived: true' if its "
                   "values are computed from what the notes cite)")
        else:
            why = (f"which has no date, so it is not shown public by the scenario's as-of "
                   f"date {d} (make it a reference under 'sources' with its 'published' "
                   "date)")
        return (f"{cites} {c.label}, {why}: a forecast may cite only what was public by "
                f"then; use a source public by {d}, or {later}")


@dataclass(frozen=True)
class Hindsight:
    """An entry of ``knowledge.later``: what it lets through, and why.

    Attributes
    ----------
    entry : str
        The key: ``fact:KEY``, ``ref:KEY`` or a parameter's name.
    reason : str
        Why the scenario uses it anyway.
    violations : tuple of Violation
        What it covers.
    """

    entry: str
    reason: str
    violations: tuple[Violation, ...]

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameters it covers, in file order."""
        return tuple(dict.fromkeys(v.parameter for v in self.violations))

    @property
    def sources(self) -> tuple[str, ...]:
        """Each source it covers, with its date (``fact pop_x (published 2024-03-11)``)."""
        return tuple(dict.fromkeys(v.what for v in self.violations))

    @property
    def text(self) -> str:
        """One paragraph: the entry, its sources and dates, the parameters, the reason.

        ``fact:pop_x: fact pop_x (published 2024-03-11), after the as-of date 2023-12-01,
        used by blue.pool0. Reason: ...``
        """
        v = self.violations[0]
        if all(x.date for x in self.violations):
            rule = "after"
        else:
            rule = ("not shown public by" if v.kind == "forecast" else
                    "not shown to refer to a date up to")
        users = ("" if self.parameters == (self.entry,) else
                 f", used by {', '.join(self.parameters)}")
        return (f"{self.entry}: {'; '.join(self.sources)}, {rule} the as-of date "
                f"{v.as_of}{users}. Reason: {self.reason}")


@dataclass(frozen=True)
class Lookahead:
    """What the look-ahead check found.

    Attributes
    ----------
    kind : {"forecast", "reconstruction"} or None
        What the scenario declares (None: no ``knowledge``, nothing checked).
    as_of : datetime.date or None
        The date of what it may know.
    violations : tuple of Violation
        Every breach, covered by ``later`` or not.
    hindsight : tuple of Hindsight
        The entries of ``later`` that cover a breach, in file order.
    problems : tuple of (field path, message, at)
        The file's problems: breaches no entry covers, entries that cover nothing, and
        facts or references named in a note that do not exist.
    """

    kind: KnowledgeKind | None
    as_of: dt.date | None
    violations: tuple[Violation, ...] = ()
    hindsight: tuple[Hindsight, ...] = ()
    problems: tuple[tuple[FieldPath, str, At], ...] = field(default=())


def note_citations(name: str, note: str, facts: Mapping[str, object],
                   references: Mapping[str, object]) -> tuple[list[Citation], list[str]]:
    """Return the facts and references a parameter's note names, and unknown ones.

    ``fact:KEY`` and ``ref:KEY`` always name a source (an unknown key is returned in the
    second list, as written); ``fact KEY`` and ``ref KEY`` only when the key exists.
    """
    path: FieldPath = ("parameters", name, "note")
    found: list[Citation] = []
    unknown: list[str] = []
    for kind, sep, key in _NOTE_RE.findall(note):
        known = facts if kind == "fact" else references
        if key in known:
            found.append(Citation(path, "fact" if kind == "fact" else "ref", key))
        elif sep == ":":
            unknown.append(f"{kind}:{key}")
    return list(dict.fromkeys(found)), list(dict.fromkeys(unknown))


def _source_citation(name: str, source: str) -> Citation | None:
    path: FieldPath = ("parameters", name, "source")
    s = source.strip()
    if s == "assumption":
        return None
    for prefix, kind in (("fact:", "fact"), ("ref:", "ref")):
        if s.startswith(prefix):
            return Citation(path, kind, s[len(prefix):].strip())  # type: ignore[arg-type]
    return Citation(path, "citation", s)


def _date_of(citation: Citation, kind: KnowledgeKind, facts: FactTable,
             references: Mapping[str, Reference | None]) -> tuple[PartialDate | None, bool]:
    """Return the date the rule reads for a source, and whether the rule applies at all."""
    if citation.kind == "fact":
        fact = facts.get(citation.key)
        if fact is None:
            return None, False  # an unknown fact is reported where it is cited
        return (fact.public_on if kind == "forecast" else fact.refers_to), True
    if citation.kind == "ref":
        ref = references.get(citation.key)
        if ref is None:
            return None, False  # unknown, or refused by the schema: reported there
        if kind == "forecast":
            return ref.published, not ref.derived
        return ref.refers_to, ref.refers_to is not None
    return None, kind == "forecast"


def _breaches(name: str, par: Parameter, citations: list[Citation], kind: KnowledgeKind,
              as_of: dt.date, facts: FactTable,
              references: Mapping[str, Reference | None]) -> list[Violation]:
    if kind == "reconstruction" and par.as_of is not None:
        # the parameter says what date its value refers to: that date, not its sources'
        if par.as_of.last <= as_of:
            return []
        return [Violation(name, ("parameters", name, "as_of"), None, kind, as_of,
                          str(par.as_of))]
    out = []
    for c in citations:
        when, applies = _date_of(c, kind, facts, references)
        if not applies or (when is not None and when.last <= as_of):
            continue
        out.append(Violation(name, c.field, c, kind, as_of, "" if when is None else str(when)))
    return out


def check_parts(knowledge: Knowledge | None, start: dt.date | None,
                references: Mapping[str, Reference | None],
                parameters: Mapping[str, Parameter], *, facts: FactTable | None = None,
                as_of: dt.date | None = None) -> Lookahead:
    """Check what the parameters cite against what the scenario may know.

    Parameters
    ----------
    knowledge : Knowledge or None
        The declaration (None: only the names in the notes are checked).
    start : datetime.date or None
        The scenario's start (the default as-of date).
    references : mapping of str to Reference or None
        The entries of ``sources`` (None for one the schema refused).
    parameters : mapping of str to Parameter
        The parameters that passed the schema.
    facts : FactTable, optional
        The facts table (default: the bundled one).
    as_of : datetime.date, optional
        Check as of this date instead of the declared one (a restart at an earlier origin).

    Returns
    -------
    Lookahead
    """
    table = facts if facts is not None else bundled_facts()
    problems: list[tuple[FieldPath, str, At]] = []
    cites: dict[str, list[Citation]] = {}
    for name, par in parameters.items():
        found, unknown = note_citations(name, par.note, table, references)
        for u in unknown:
            kind, _, key = u.partition(":")
            where = ("the facts table" if kind == "fact" else "'sources'")
            keys = list(table) if kind == "fact" else list(references)
            problems.append((("parameters", name, "note"),
                             f"the note names {u}, which is not a key of {where}"
                             f"{suggest(key, keys)}", "auto"))
        own = _source_citation(name, par.source)
        listed = [own] if own is not None else []
        listed += [c for c in found if own is None or (c.kind, c.key) != (own.kind, own.key)]
        cites[name] = listed
    date = as_of or (knowledge.as_of if knowledge is not None else None) or start
    if knowledge is None or date is None:
        return Lookahead(None, None, problems=tuple(problems))
    kind = knowledge.kind
    violations = [v for name, par in parameters.items()
                  for v in _breaches(name, par, cites[name], kind, date, table, references)]
    hindsight = []
    for entry, reason in knowledge.later.items():
        covered = tuple(v for v in violations if entry in v.entries)
        if covered:
            hindsight.append(Hindsight(entry, reason, covered))
            continue
        problems.append((("knowledge", "later", entry),
                         _stale(entry, kind, date, table, references, parameters, cites),
                         "key"))
    opted = set(knowledge.later)
    problems += [(v.field, v.message, "auto") for v in violations
                 if not opted.intersection(v.entries)]
    return Lookahead(kind, date, tuple(violations), tuple(hindsight), tuple(problems))


def _stale(entry: str, kind: KnowledgeKind, as_of: dt.date, facts: FactTable,
           references: Mapping[str, object], parameters: Mapping[str, Parameter],
           cites: Mapping[str, list[Citation]]) -> str:
    """Say why an entry of ``later`` covers nothing: unknown, not cited, or within the rule."""
    head, sep, key = entry.partition(":")
    known = ((head == "fact" and key in facts) or (head == "ref" and key in references)
             or (not sep and entry in parameters))
    if not known:
        names = [*(f"fact:{c.key}" for cs in cites.values() for c in cs if c.kind == "fact"),
                 *(f"ref:{k}" for k in references), *parameters]
        return (f"unknown entry '{entry}': expected 'fact:KEY' (a row of the facts table), "
                f"'ref:KEY' (an entry of 'sources') or the name of a parameter"
                f"{suggest(entry, names)}")
    if sep:
        users = [n for n, cs in cites.items() if any(c.entry == entry for c in cs)]
        if not users:
            return (f"'{entry}' is listed as used although it breaks the look-ahead rule, "
                    "but no parameter cites it; remove the entry (an opt-in that is not "
                    "needed hides nothing)")
    rule = ("was public by" if kind == "forecast" else "refers to a date up to")
    return (f"'{entry}' is listed as used although it breaks the look-ahead rule, but "
            f"what it covers {rule} the as-of date {as_of}; remove the entry (an opt-in "
            "that is not needed hides nothing)")


def check_lookahead(scenario: Scenario, *, facts: FactTable | None = None,
                    as_of: dt.date | None = None) -> Lookahead:
    """Check a scenario's citations against what it declares it may know.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    facts : FactTable, optional
        The facts table its ``fact:KEY`` sources name (default: the bundled one).
    as_of : datetime.date, optional
        Check as of this date instead of the declared one (e.g. a restart at an earlier
        origin, which may know less); the declared ``later`` entries still apply.

    Returns
    -------
    Lookahead
        The breaches, the entries of ``later`` that cover them, and the problems (those no
        entry covers, and entries that cover nothing).

    Examples
    --------
    >>> from detente.scenario import load_scenario
    >>> found = check_lookahead(load_scenario("mywar.yaml"))  # doctest: +SKIP
    >>> found.kind, [h.entry for h in found.hindsight]       # doctest: +SKIP
    ('forecast', ['fact:pop_x'])
    """
    return check_parts(scenario.knowledge, scenario.time.start, scenario.sources,
                       scenario.parameters, facts=facts, as_of=as_of)
