"""Shared pieces of detente's estimator-style analyses (claims, sensitivity, discovery)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from detente.errors import InputError, NotFittedError

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["Estimator", "as_scenario"]


class Estimator:
    """Base class: configuration in ``__init__``, ``fit`` returns ``self``, results in ``*_``.

    Reading a fitted attribute (a public name ending in ``_``) before :meth:`fit` raises
    :class:`~detente.errors.NotFittedError`.
    """

    def __getattr__(self, name: str) -> Any:
        if name.endswith("_") and not name.startswith("_"):
            raise NotFittedError(f"{type(self).__name__}.{name} is not available before "
                                 f"fit(); call .fit(...) first")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_params(self) -> dict[str, Any]:
        """Return the configuration given to ``__init__``."""
        return {k: v for k, v in vars(self).items()
                if not k.endswith("_") and not k.startswith("_")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def as_scenario(model: Any) -> Scenario:
    """Load ``model`` if it is a name or path; return it if it is a Scenario."""
    from detente.scenario.loading import load_scenario
    from detente.scenario.schema import Scenario

    if isinstance(model, Scenario):
        return model
    if isinstance(model, str) or hasattr(model, "__fspath__"):
        return load_scenario(model)
    raise InputError(f"expected a Scenario, a built-in scenario name or a file path, found "
                     f"{type(model).__name__}")


def check_names(names: Sequence[str], known: Sequence[str], what: str) -> None:
    """Raise InputError naming any of ``names`` not in ``known`` (with a did-you-mean)."""
    import difflib

    for n in names:
        if n not in known:
            close = difflib.get_close_matches(n, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(f"unknown {what} '{n}'{hint}")
