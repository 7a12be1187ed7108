"""The interactive dashboard: levers, policies, charts and claim verdicts in a browser.

``detente serve`` starts it (a Bokeh server on 127.0.0.1; sessions share one cached
ensemble per set of lever values and policies, and what is drawn from it). Its levers are
the parameters the scenario's ``levers`` section marks, and its presets are the scenario's
policies; a scenario without levers gets policies and charts only. :class:`DashboardModel`
holds the logic and runs without a browser; :func:`create_app` lays a session's page out
with Bokeh (the ``[dashboard]`` extra) and :func:`serve` serves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from detente.dashboard._app import create_app as _create_app
from detente.dashboard._cache import DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES, EnsembleCache
from detente.dashboard._model import (
    DEFAULT_SAMPLES,
    DashboardModel,
    DashboardState,
    FanQuantiles,
    Lever,
    LeverError,
    levers_of,
    mc_error,
    median_error,
)
from detente.dashboard._server import ANY_ADDRESSES, LOCAL_ADDRESSES, allowed_origins
from detente.dashboard._server import serve as _serve

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = [
    "ANY_ADDRESSES", "DEFAULT_CACHE_BYTES", "DEFAULT_CACHE_ENTRIES", "DEFAULT_SAMPLES",
    "LOCAL_ADDRESSES", "DashboardModel", "DashboardState", "EnsembleCache", "FanQuantiles",
    "Lever", "LeverError", "allowed_origins", "create_app", "levers_of", "mc_error",
    "median_error", "serve",
]


def create_app(model: DashboardModel | Scenario | str) -> Any:
    """Build a session's page (a Bokeh layout) for ``model`` (or a scenario, with defaults)."""
    return _create_app(model if isinstance(model, DashboardModel) else DashboardModel(model))


def serve(model: DashboardModel, *, port: int, address: str = "127.0.0.1",
          show: bool = False, allow_origin: Sequence[str] = (),
          on_ready: Callable[[list[str]], None] | None = None) -> None:
    """Serve the dashboard until interrupted.

    Each browser session has its own widgets and shares the ensembles of the same inputs,
    and the tables and charts drawn from them, with the others
    (:attr:`DashboardModel.cache`). Websockets are accepted only from
    :func:`allowed_origins` of ``address`` and ``allow_origin``; ``on_ready`` is called
    with them once the port is bound (a busy port raises :class:`~detente.errors.InputError`
    before it).
    """
    _serve(model, port=port, address=address, show=show, allow_origin=allow_origin,
           on_ready=on_ready)
