"""The report's summary in words, written from the numbers of its tables.

Nothing here holds a number of its own: every figure in a sentence is a
:class:`Figure` that names the table cell it repeats (``ref``), with the cell's own text,
so that the sentences say what the tables show and a test can check that they do. The
sentences cover what each policy leads to (the headline outcomes with their bands), which
claims stand or fall, and what their verdicts hinge on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detente.present.rows import claim_rows

__all__ = ["TOPICS", "Figure", "Paragraph", "Sentence", "claims_paragraph", "hinges_paragraph",
           "narrative", "outcomes_paragraph"]

#: The headline rows the summary speaks of, in the order it does (a row's ``topic``).
TOPICS: tuple[str, ...] = ("territory", "casualties", "settlement", "escalation")
#: Verdicts in the order the summary counts them.
_VERDICTS: tuple[str, ...] = ("supported", "contested", "refuted")
#: Hinges named per claim (the table lists them all).
_HINGES_SAID = 3


@dataclass(frozen=True)
class Figure:
    """A number in a sentence, as the table cell it repeats shows it.

    Attributes
    ----------
    text : str
        The number as written (``"109,446"``, ``"12 %"``).
    band : str
        Its interval as written (``"[108,244–111,468]"``), or empty.
    unit : str
        The unit written after the number (the table gives it in the row's label).
    ref : str
        The cell it repeats: ``"headline:<row key>:<policy>"`` or ``"claim:<id>"``.
    value : float or None
        The unrounded number (a claim's probability), where one is kept.
    """

    text: str
    ref: str
    band: str = ""
    value: float | None = None
    unit: str = ""


Segment = str | Figure
Sentence = tuple[Segment, ...]
Paragraph = list[Sentence]


def _cell(row: Mapping[str, Any], k: int, policy: str) -> Figure:
    main, band = row["cells"][k]
    unit = row.get("unit", "") if row.get("kind") != "probability" and main != "–" else ""
    return Figure(main, f"headline:{row['key']}:{policy}", band, unit=unit)


def _lower(text: str) -> str:
    """``text`` to follow other words: its first letter lower case, unless a symbol's."""
    return text if text.startswith("P(") else text[:1].lower() + text[1:]


def _join(parts: Sequence[Sentence], sep: str = "; ") -> Sentence:
    out: list[Segment] = []
    for i, p in enumerate(parts):
        if i:
            out.append(sep)
        out.extend(p)
    return tuple(out)


def _rows_by_topic(headline: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the headline's rows the summary speaks of: the first of each topic."""
    found: dict[str, Mapping[str, Any]] = {}
    for row in headline["rows"]:
        topic = row.get("topic")
        if topic in TOPICS and topic not in found:
            found[topic] = row
    return [found[t] for t in TOPICS if t in found]


def _phrase(row: Mapping[str, Any], k: int, policy: str) -> Sentence:
    return (f"{_lower(row['text'])} ", _cell(row, k, policy))


def _extremes(row: Mapping[str, Any], policies: Sequence[str]) -> Sentence | None:
    """Where the row is highest and lowest across the policies (None: all the same)."""
    values = [v for v in row.get("values", []) if v is not None]
    if len(values) < 2 or len(values) != len(policies) or max(values) == min(values):
        return None
    hi = max(range(len(values)), key=lambda i: values[i])
    lo = min(range(len(values)), key=lambda i: values[i])
    what = f"{row['text'][:1].upper()}{row['text'][1:]}"
    return (f"{what} is highest under {policies[hi]} (", _cell(row, hi, policies[hi]),
            f") and lowest under {policies[lo]} (", _cell(row, lo, policies[lo]), ").")


def outcomes_paragraph(headline: Mapping[str, Any]) -> Paragraph:
    """Say what each policy leads to: a sentence per policy, then where each outcome peaks.

    Parameters
    ----------
    headline : mapping
        The report's summary table: ``policies``, ``month`` and ``rows``, each row with
        ``key``, ``topic``, ``text``, ``unit``, ``kind``, ``values`` and ``cells`` (a
        ``(main, band)`` pair of strings per policy).

    Returns
    -------
    list of Sentence
        Empty when the table has no row of the summary's :data:`TOPICS`.
    """
    rows = _rows_by_topic(headline)
    if not rows:
        return []
    pols: list[str] = list(headline["policies"])
    para: Paragraph = [(f"At {headline['month']} months, median and 10th–90th percentile "
                        "over the samples (probabilities with their 90 % interval):",)]
    for k, pol in enumerate(pols):
        para.append((f"Under {pol}, ", *_join([_phrase(r, k, pol) for r in rows]), "."))
    for r in rows:
        ext = _extremes(r, pols)
        if ext is not None:
            para.append(ext)
    return para


def _named(claims: Sequence[Any]) -> Sentence:
    # P as the claims table writes it (its rows' own formatting)
    shown = {r.id: r.probability for r in claim_rows(claims)}
    parts: list[Sentence] = []
    for c in claims:
        fig = Figure(shown[c.id], f"claim:{c.id}", value=c.probability)
        parts.append((f"{c.id} (P = ", fig, ")"))
    return _join(parts, ", ")


def claims_paragraph(claims: Sequence[Any]) -> Paragraph:
    """Which claims stand or fall: the count of each verdict, with the claims' names and P.

    Parameters
    ----------
    claims : sequence of ClaimResult
        The fitted claims (:attr:`detente.analysis.claims.Claims.claims_`).
    """
    testable = [c for c in claims if c.verdict != "untestable"]
    untestable = [c for c in claims if c.verdict == "untestable"]
    para: Paragraph = []
    if testable:
        counts: list[Sentence] = []
        for verdict in _VERDICTS:
            these = [c for c in testable if c.verdict == verdict]
            if these:
                verb = "is" if len(these) == 1 else "are"
                counts.append((f"{len(these)} {verb} {verdict}: ", *_named(these)))
        n = len(testable)
        para.append((f"Of the {n} claim{'s' if n != 1 else ''} the model can test, ",
                     *_join(counts), "."))
    if untestable:
        ids = ", ".join(c.id for c in untestable)
        para.append((f"{len(untestable)} cannot be tested on these results ({ids}); the "
                     "claims table says why.",))
    return para


def hinges_paragraph(claims: Sequence[Any], *, computed: bool) -> Paragraph:
    """Say what each verdict hinges on: its top Sobol hinges and its PRIM box."""
    if not computed:
        return [("What each verdict hinges on was not computed for this report.",)]
    para: Paragraph = []
    for c in claims:
        if c.verdict == "untestable":
            continue
        bits: list[str] = []
        if c.hinges_on:
            shown = ", ".join(c.hinges_on[:_HINGES_SAID])
            more = len(c.hinges_on) - _HINGES_SAID
            bits.append(f"hinges most on {shown}" + (f" (and {more} more)" if more > 0 else ""))
        if c.prim:
            bits.append(c.prim)
        if bits:
            para.append((f"{c.id} {'; it '.join(bits)}.",))
    if not para and any(c.verdict != "untestable" for c in claims):
        para.append(("No claim's verdict hinges on a parameter beyond the error of its "
                     "design; the claims table gives each one's notes.",))
    return para


def narrative(headline: Mapping[str, Any] | None, claims: Sequence[Any] | None, *,
              hinges: bool) -> list[tuple[str, Paragraph]]:
    """Write the summary's paragraphs, each with its heading.

    Parameters
    ----------
    headline : mapping or None
        The summary table (:func:`outcomes_paragraph`); None: the run is too short.
    claims : sequence of ClaimResult or None
        The fitted claims; None: not evaluated.
    hinges : bool
        Whether the claims' hinges were computed.

    Returns
    -------
    list of (str, list of Sentence)
        ``("What each policy leads to", ...)``, ``("Which claims stand or fall", ...)``,
        ``("What they hinge on", ...)``, those with something to say.
    """
    out: list[tuple[str, Paragraph]] = []
    if headline is not None:
        para = outcomes_paragraph(headline)
        if para:
            out.append(("What each policy leads to", para))
    if claims:
        para = claims_paragraph(claims)
        if para:
            out.append(("Which claims stand or fall", para))
        para = hinges_paragraph(claims, computed=hinges)
        if para:
            out.append(("What they hinge on", para))
    return out
