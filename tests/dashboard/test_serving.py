"""Serving many sessions: shared ensembles, bounded memory, allowed origins, the port."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cli_runner import serving
from detente.dashboard import DashboardModel, EnsembleCache, allowed_origins
from detente.errors import InputError

pytest.importorskip("panel", reason="needs the dashboard extra (panel)")


@pytest.fixture(scope="module")
def model() -> DashboardModel:
    return DashboardModel("lanchester-bench", n_samples=8, horizon=12, seed=2)


def _counting(model: DashboardModel, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    simulate = model.simulate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(model, "simulate", counted)
    return calls


def test_sessions_share_one_ensemble_per_input(model: DashboardModel,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.dashboard._app import DashboardApp

    calls = _counting(model, monkeypatch)
    lever = model.levers[0].param
    value = model.levers[0].low
    first = DashboardApp(model)
    first.inputs[lever].value = value
    before = len(calls)
    others = [DashboardApp(model) for _ in range(5)]
    for app in others:  # the defaults, then the value the first session ran
        app.inputs[lever].value = value
    assert len(calls) == before  # no session re-simulated what another ran
    assert all(app.state is first.state for app in others)
    # what is drawn from the ensemble is shared too, and each session shows its own choice
    assert all(app.fan.object is first.fan.object for app in others)
    others[0].variable.value = model.fan_variables[-1]
    assert others[0].fan.object is not first.fan.object
    assert first.variable.value == model.fan_variables[0]


def test_concurrent_requests_for_one_input_compute_it_once() -> None:
    cache: EnsembleCache[list[int]] = EnsembleCache()
    started = threading.Event()

    def slow() -> list[int]:
        started.set()
        time.sleep(0.3)
        return [1, 2, 3]

    got: list[list[int]] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("k", slow)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert started.is_set()
    assert cache.computed == 1
    assert cache.reused == 7
    assert len(got) == 8
    assert all(g is got[0] for g in got)


def test_the_cache_is_bounded_in_entries_and_bytes() -> None:
    cache: EnsembleCache[bytes] = EnsembleCache(max_entries=3, max_bytes=250, size=len)
    for k in range(5):
        cache.get(k, lambda: b"x" * 100)
    assert len(cache) == 2  # 3 entries allowed, but 300 bytes are over 250
    assert cache.nbytes == 200
    cache.get(3, lambda: b"never")  # kept: reused, and now the most recent
    cache.get(5, lambda: b"y" * 100)
    assert cache.computed == 6
    assert cache.get(3, lambda: b"again") == b"x" * 100
    assert cache.get(4, lambda: b"recomputed") == b"recomputed"  # evicted as the oldest
    big: EnsembleCache[bytes] = EnsembleCache(max_bytes=10, size=len)
    assert big.get("a", lambda: b"z" * 50) == b"z" * 50  # the newest stays, alone
    assert len(big) == 1
    with pytest.raises(InputError, match="max_entries must be at least 1, found 0"):
        EnsembleCache(max_entries=0)


def test_a_failed_computation_reaches_its_caller_and_is_not_kept() -> None:
    cache: EnsembleCache[int] = EnsembleCache()

    def fails() -> int:
        raise InputError("no")

    with pytest.raises(InputError, match="no"):
        cache.get("k", fails)
    assert len(cache) == 0
    assert cache.get("k", lambda: 4) == 4


def test_the_models_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    model = DashboardModel("lanchester-bench", n_samples=8, horizon=12, seed=2,
                           cache_entries=2)
    lever = model.levers[0]
    for x in (lever.low, lever.high, (lever.low + lever.high) / 2):
        model.update({lever.param: x}, claims=False)
    assert len(model.cache) == 2
    state = model.update({lever.param: lever.high}, claims=False)
    assert model.cache.nbytes >= state.nbytes > 0


# --------------------------------------------------------------------------- origins
def test_allowed_origins_default_to_the_bound_address() -> None:
    assert allowed_origins("127.0.0.1", 5006) == ["127.0.0.1:5006", "localhost:5006"]
    assert allowed_origins("10.1.2.3", 80) == ["10.1.2.3:80"]
    wide = allowed_origins("0.0.0.0", 5006)
    assert "*" not in wide
    assert "localhost:5006" in wide
    assert f"{socket.gethostname()}:5006" in wide
    assert allowed_origins("0.0.0.0", 5006, ["analysts.example", "http://gw.example:8080",
                                             "10.0.0.9:5006"]) == [
        "analysts.example:5006", "gw.example:8080", "10.0.0.9:5006"]
    with pytest.raises(InputError, match="--allow-origin: expected HOST"):
        allowed_origins("0.0.0.0", 5006, ["http://"])


@pytest.fixture(scope="module")
def wide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``detente serve --address 0.0.0.0`` in a subprocess; yield its port."""
    with serving("lanchester-bench", "--address", "0.0.0.0", "--samples", "8", "--horizon",
                 "12", log=tmp_path_factory.mktemp("wide") / "serve.log") as port:
        yield port


async def _open_websocket(port: int, origin: str) -> str:
    """The first message type the dashboard's websocket sends to a page of ``origin``."""
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    page = await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}/")
    match = re.search(r'"token"\s*:\s*"([^"]+)"', page.body.decode())
    assert match is not None
    req = HTTPRequest(f"ws://127.0.0.1:{port}/ws", headers={"Origin": origin})
    ws = await websocket_connect(req, subprotocols=["bokeh", match.group(1)])
    try:
        header = await ws.read_message()
        assert isinstance(header, str)
        return str(json.loads(header)["msgtype"])
    finally:
        ws.close()


def test_a_foreign_origins_websocket_is_refused(wide_server: int) -> None:
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as refused:
        asyncio.run(_open_websocket(wide_server, "http://attacker.example"))
    assert refused.value.code == 403
    # the machine's own pages still connect
    assert asyncio.run(_open_websocket(wide_server, f"http://localhost:{wide_server}")) == "ACK"


# --------------------------------------------------------------------------- the port
def test_a_port_taken_before_the_server_binds_is_a_clean_error_and_no_url(
        invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.cli._serve as cli_serve

    # the port is free when checked and taken while the parameters are drawn
    monkeypatch.setattr(cli_serve, "check_port", lambda _address, _port: None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = invoke("serve", "lanchester-bench", "--port", str(port), "-n", "4",
                   "--horizon", "4")
    assert r.code == 2, r.output
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in r.stderr
    assert "http://" not in r.stdout
    assert "Traceback" not in r.output


# --------------------------------------------------------------------------- the browser
#: What keeps Chromium from calling update, account, sync and metrics services on its own.
QUIET_FLAGS = {"--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-default-apps",
               "--metrics-recording-only"}


def test_chromium_is_launched_quiet_for_pdf_and_in_the_browser_tests() -> None:
    from detente.report import CHROMIUM_ARGS

    assert set(CHROMIUM_ARGS) >= QUIET_FLAGS
    e2e = pytest.importorskip("tests.e2e.conftest", reason="the e2e fixtures")
    assert set(e2e.CHROMIUM_ARGS) >= QUIET_FLAGS
