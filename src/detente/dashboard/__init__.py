"""The interactive dashboard: levers, policies, charts and claim verdicts in a browser.

``detente serve`` starts it (a Panel app on 127.0.0.1). Its levers are the parameters the
scenario's ``levers`` section marks, and its presets are the scenario's policies; a scenario
without levers gets policies and charts only. :class:`DashboardModel` holds the logic and
runs without a browser; :func:`create_app` lays it out with Panel (the
``[dashboard]`` extra) and :func:`serve` serves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.dashboard._app import create_app as _create_app
from detente.dashboard._app import serve as _serve
from detente.dashboard._model import (
    DEFAULT_HORIZON_DAYS,
    DEFAULT_SAMPLES,
    DashboardModel,
    DashboardState,
    Lever,
    LeverError,
    levers_of,
)

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = [
    "DEFAULT_HORIZON_DAYS", "DEFAULT_SAMPLES", "DashboardModel", "DashboardState", "Lever",
    "LeverError", "create_app", "levers_of", "serve",
]


def create_app(model: DashboardModel | Scenario | str) -> Any:
    """Build the dashboard's Panel layout for ``model`` (or a scenario, with defaults)."""
    return _create_app(model if isinstance(model, DashboardModel) else DashboardModel(model))


def serve(model: DashboardModel, *, port: int, address: str = "127.0.0.1",
          show: bool = False) -> None:
    """Serve the dashboard until interrupted (each browser session gets its own state)."""
    _serve(model, port=port, address=address, show=show)
