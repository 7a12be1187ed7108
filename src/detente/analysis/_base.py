"""The estimator contract every analysis follows, and small helpers the analyses share.

An analysis is an :class:`Estimator` (the conventions of scikit-learn's ``BaseEstimator``):

* ``__init__`` takes configuration only, stores each argument under its own name as given,
  and does no work (no loading, no validation, no computing); mistakes in the
  configuration are reported by :meth:`fit`;
* ``fit(...)`` does the work and returns ``self``;
* fitted state lives in public attributes whose names end in ``_`` (``indices_``,
  ``box_``, ...); reading one before ``fit`` raises
  :class:`~detente.errors.NotFittedError`, which names the class and the attribute;
* :meth:`Estimator.get_params` returns the configuration, so
  ``type(e)(**e.get_params())`` is an unfitted copy of ``e``; :meth:`Estimator.set_params`
  changes it; the ``repr`` shows what differs from the defaults.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from detente.errors import InputError, NotFittedError
from detente.scenario.loading import load_scenario
from detente.scenario.schema import Scenario

__all__ = ["Estimator", "as_scenario", "check_names"]


class Estimator:
    """Base class of detente's analyses: configuration in ``__init__``, results in ``*_``.

    A subclass stores every ``__init__`` argument under its own name, names in
    :attr:`fitted_attributes` what its ``fit`` sets, and calls :meth:`check_is_fitted`
    at the start of any method that needs the fitted state. Properties whose names end in
    ``_`` (derived views of the fitted state) raise :class:`~detente.errors.NotFittedError`
    too, through the attributes they read.

    Attributes
    ----------
    fitted_attributes : tuple of str
        Class attribute: the attributes a successful ``fit`` sets (each ends in ``_``).

    Examples
    --------
    >>> import detente as dt
    >>> si = dt.Sobol(n_base=64)
    >>> si
    Sobol(n_base=64)
    >>> si.get_params()["n_base"]
    64
    >>> si.is_fitted
    False
    >>> si.indices_
    Traceback (most recent call last):
        ...
    detente.errors.NotFittedError: Sobol is not fitted yet: call fit() before reading indices_
    """

    fitted_attributes: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ fitted state
    @property
    def is_fitted(self) -> bool:
        """Whether :meth:`fit` has set every attribute in :attr:`fitted_attributes`."""
        state = vars(self)
        return bool(self.fitted_attributes) and all(a in state for a in self.fitted_attributes)

    def check_is_fitted(self, action: str | None = None) -> None:
        """Raise :class:`~detente.errors.NotFittedError` unless the estimator is fitted.

        Parameters
        ----------
        action : str, optional
            What needs the fitted state, for the message (e.g. ``"calling to_dict()"``);
            by default, reading the first fitted attribute that is missing.

        Raises
        ------
        NotFittedError
            ``"<Class> is not fitted yet: call fit() before <action>"``.
        """
        if self.is_fitted:
            return
        if action is None:
            missing = [a for a in self.fitted_attributes if a not in vars(self)]
            action = f"reading {missing[0]}" if missing else "using it"
        raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit() before "
                             f"{action}")

    if not TYPE_CHECKING:  # hidden from the type checker, which still sees typos
        def __getattr__(self, name: str) -> Any:
            # called only when ordinary lookup fails: a fitted attribute not set yet, or a
            # property over the fitted state whose own reads failed for that reason
            if name.endswith("_") and not name.startswith("_") and not self.is_fitted:
                self.check_is_fitted(f"reading {name}")
            raise AttributeError(f"{type(self).__name__!r} object has no attribute "
                                 f"{name!r}")

    # ------------------------------------------------------------------ configuration
    @classmethod
    def _param_names(cls) -> list[str]:
        """Names of the ``__init__`` arguments, in order."""
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must name every argument "
                                f"(found *{p.name}); get_params() reads them by name")
        return [p.name for p in params]

    def get_params(self) -> dict[str, Any]:
        """Return the configuration: each ``__init__`` argument and its value.

        Returns
        -------
        dict
            ``{argument: value}`` in signature order; ``type(self)(**get_params())`` is
            an unfitted estimator with the same configuration.
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Change the configuration (the fitted state, if any, is left as it is).

        Parameters
        ----------
        **params
            ``__init__`` arguments and their new values.

        Returns
        -------
        Estimator
            ``self``.

        Raises
        ------
        InputError
            When a name is not an argument of ``__init__``.
        """
        known = self._param_names()
        check_names(list(params), known, f"parameter of {type(self).__name__}")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {name: p.default for name, p in
                    list(inspect.signature(type(self).__init__).parameters.items())[1:]}
        shown = [f"{name}={value!r}" for name, value in self.get_params().items()
                 if _differs(value, defaults[name])]
        return f"{type(self).__name__}({', '.join(shown)})"


def _differs(value: Any, default: Any) -> bool:
    """Whether a configuration value is not its default (a required argument always is)."""
    if default is inspect.Parameter.empty:
        return True
    if value is default:
        return False
    try:
        return not bool(value == default)
    except (TypeError, ValueError):  # e.g. an array compared elementwise
        return True


# --------------------------------------------------------------------------- helpers
def as_scenario(model: Any) -> Scenario:
    """Return ``model`` as a Scenario, loading it if it is a built-in name or a file path.

    Parameters
    ----------
    model : Scenario, str or path-like
        A scenario, the name of a built-in scenario, or the path of a scenario file.

    Returns
    -------
    Scenario
        ``model`` itself when it is a Scenario, else the loaded scenario.

    Raises
    ------
    InputError
        When ``model`` is none of these (or the file is invalid:
        :class:`~detente.errors.ScenarioError`).
    """
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
