"""How a scenario's sides, supporters, variables and dates are named on screen.

Every label in a table, a chart or a menu comes from the scenario: a side's or a
supporter's display name (its ``name`` in the file), a variable's unit and description (the
module's variable for the scenario's cast, ``"{owner}'s front-line personnel."`` made
``"Blue's front-line personnel."``), and dates from its ``time`` section ("since the start"
becomes "since 1 January 2024"). :class:`Labels` gathers them, from a scenario or from a
results dataset alone (its ``side_name`` coordinates and its variables' attributes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from detente.model.base import possessive, split_owned
from detente.present.style import fmt_date, pretty, side_colour

if TYPE_CHECKING:
    import xarray as xr

    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = ["Labels"]

#: The dataset writes an owner's variable for every owner, the owner said this way.
_STACKED_OWNER = {"side": "the side", "supporter": "the supporter", "party": "the party"}
#: Sentences the dataset appends to the descriptions of outcomes and quantiles.
_SUFFIXES = (" At the horizon.", " Quantiles over samples.")


def _first_lower(text: str) -> str:
    """Lower-case the first letter, unless the first word is an acronym (``GDP``)."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(sentence: str) -> str:
    """Return a description's gist: the sentence up to its first explanation (``:``, ``(``)."""
    return re.split(r":\s| \(", sentence.rstrip("."), maxsplit=1)[0].strip()


@dataclass(frozen=True)
class Labels:
    """The names a scenario gives to what a run holds.

    Attributes
    ----------
    start : datetime.date
        The scenario's start date.
    owners : tuple of (str, str)
        Each side and then each supporter: id and display name, in the cast's order.
    sides : tuple of str
        The ids of the sides, in the cast's order.
    variables : mapping of str to (str, str)
        Each model variable (``blue.personnel``, ``war_intensity``): unit and description.
    modules : mapping of str to str
        The module that computes each variable (empty when read off a dataset alone).
    """

    start: dt.date
    owners: tuple[tuple[str, str], ...]
    sides: tuple[str, ...]
    variables: Mapping[str, tuple[str, str]]
    modules: Mapping[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def of(cls, scenario: Scenario) -> Labels:
        """Labels of ``scenario``: its cast's names, its modules' variables, its start."""
        cast = scenario.cast
        owners = tuple((o, cast.name_of(o)) for o in (*cast.sides, *cast.supporters))
        variables = {v.name: (v.unit, v.description)
                     for m in scenario.enabled_modules for v in m.variables}
        modules = {v.name: m.name for m in scenario.enabled_modules for v in m.variables}
        return cls(scenario.time.start, owners, cast.sides, variables, modules)

    @classmethod
    def of_dataset(cls, ds: xr.Dataset) -> Labels:
        """Labels read off a results dataset: owner coordinates and variable attributes.

        The description of a variable every side owns says "the side" for the owner (see
        :mod:`detente.engine.record`); each owner's own description puts its name back.
        """
        from detente.results import schema

        names: dict[str, str] = {}
        sides: tuple[str, ...] = ()
        for per, dim in schema.OWNER_DIMS.items():
            if dim not in ds.indexes:
                continue
            ids = [str(i) for i in ds.indexes[dim]]
            shown = (ds[schema.name_dim(dim)].values if schema.name_dim(dim) in ds.coords
                     else ids)
            for i, name in zip(ids, shown, strict=True):
                names.setdefault(i, str(name))
            if per == "side":
                sides = tuple(ids)
        ordered = [*sides, *(i for i in names if i not in sides)]
        variables: dict[str, tuple[str, str]] = {}
        for var, arr in ds.data_vars.items():
            kind, base = schema.split_name(str(var))
            if kind not in ("model", "final", "q"):
                continue
            unit = str(arr.attrs.get("units", ""))
            text = str(arr.attrs.get("description", ""))
            for suffix in _SUFFIXES:
                text = text.removesuffix(suffix)
            dims = [(p, d) for p, d in schema.OWNER_DIMS.items() if d in arr.dims]
            if not dims:
                variables.setdefault(base, (unit, text))
                continue
            per, dim = dims[0]
            said = _STACKED_OWNER[per]
            for owner in (str(i) for i in ds.indexes[dim]):
                who = names.get(owner, owner)
                own = re.sub(rf"\b{said}'s\b", possessive(who), text, flags=re.IGNORECASE)
                own = re.sub(rf"\b{said}\b", who, own, flags=re.IGNORECASE)
                variables.setdefault(f"{owner}.{base}", (unit, own))
        start = (dt.date.fromisoformat(str(ds.attrs["start"])) if "start" in ds.attrs
                 else dt.date.fromisoformat(str(ds["time"].values[0])[:10]))
        return cls(start, tuple((i, names[i]) for i in ordered), sides, variables)

    @classmethod
    def of_results(cls, results: Results) -> Labels:
        """Labels of the scenario that produced ``results`` (else of their dataset)."""
        if results.scenario is not None:
            return cls.of(results.scenario)
        return cls.of_dataset(results.ds)

    # ------------------------------------------------------------------ owners
    def name(self, owner: str) -> str:
        """Display name of a side or supporter (its id when the scenario gives none)."""
        return dict(self.owners).get(owner, owner)

    def colour(self, owner: str) -> str:
        """Colour of a side or supporter: by its place in the cast (sides first)."""
        ids = [i for i, _ in self.owners]
        return side_colour(ids.index(owner) if owner in ids else len(ids))

    def owner_of(self, name: str) -> str | None:
        """Return the side or supporter that owns the model variable ``name`` (None: nobody)."""
        return split_owned(name)[0]

    @property
    def since(self) -> str:
        """``since 1 December 2023``: the scenario's start, as text follows it."""
        return f"since {fmt_date(self.start)}"

    # ------------------------------------------------------------------ variables
    def unit(self, name: str) -> str:
        """Return the unit of the model variable ``name`` (empty when unknown)."""
        return self.variables.get(name, ("", ""))[0]

    def description(self, name: str) -> str:
        """Return the variable's description for its owner, the start date written out."""
        text = self.variables.get(name, ("", ""))[1].strip()
        return text.replace("since the start", self.since)

    def heading(self, name: str) -> str:
        """Return a chart's heading for one variable: its description's gist, as a title.

        >>> Labels(dt.date(2024, 1, 1), (("blue", "Blue"),), ("blue",),
        ...        {"blue.shells": ("rounds", "Blue's artillery-shell stock.")}
        ...        ).heading("blue.shells")
        "Blue's artillery-shell stock"
        """
        text = _short(self.description(name))
        return _first_upper(text) if text else pretty(name)

    def title(self, name: str) -> str:
        """Return a row's or a menu's label of a variable: ``Blue — front-line personnel``.

        What the owner has of it reads "<owner> — <what>"; a description that names its
        owner elsewhere, and a variable nobody owns, read as their description's gist.
        """
        owner = self.owner_of(name)
        text = _short(self.description(name))
        if not text:
            return pretty(name) if owner is None else f"{self.name(owner)} — " \
                f"{pretty(split_owned(name)[1])}"
        if owner is not None:
            prefix = f"{possessive(self.name(owner))} "
            if text.startswith(prefix):
                return f"{self.name(owner)} — {_first_lower(text[len(prefix):])}"
        return _first_upper(text)

    def common(self, names: Sequence[str], *, short: bool = True) -> str:
        """Say what several owners' variables of one base are, of every owner at once.

        ``Blue's front-line personnel`` and ``Red's front-line personnel`` are
        ``Front-line personnel``; ``Area of the enemy's territory Blue holds`` becomes
        ``Area of the enemy's territory each side holds``.
        """
        if not names:
            return ""
        first = names[0]
        owner = self.owner_of(first)
        text = self.description(first)
        text = _short(text) if short else text.strip()
        if owner is None:
            return _first_upper(text) if text else pretty(first)
        if not text:
            return _first_upper(pretty(split_owned(first)[1]))
        who = self.name(owner)
        each = "each side" if owner in self.sides else "each supporter"
        whose = possessive(who)
        if text.startswith(f"{whose} ") and short:
            return _first_upper(text[len(whose) + 1:])
        text = re.sub(rf"\b{re.escape(whose)}(?!\w)", f"{each}'s", text)
        text = re.sub(rf"\b{re.escape(who)}\b", each, text)
        return _first_upper(text)

    def named(self, names: Iterable[str]) -> list[str]:
        """Return the titles of ``names``, in order (for notes that list variables)."""
        return [self.title(n) for n in names]
